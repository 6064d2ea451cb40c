/** The report's stylesheet (inlined; allowed by hash in the Content-Security-Policy). */
export const STYLE = `
:root{--fg:#1f2933;--muted:#616e7c;--line:#d9e2ec;--bg:#f5f7fa;--card:#fff;--accent:#2f6fde;--client:#2f6fde;--server:#7b4fd6;
--ok:#2e9e6b;--warn:#d9822b;--bad:#d64545;--info:#3d7fd6;--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace}
*{box-sizing:border-box}
[hidden]{display:none!important}
html,body{margin:0;padding:0}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
header.top{background:#102a43;color:#f0f4f8;padding:18px 28px 16px}
header.top h1{margin:0;font-size:20px;font-weight:600;letter-spacing:.2px}
header.top h1 .brand{color:#9fb3c8;font-weight:500}
header.top .files{margin-top:4px;color:#bcccdc;font-size:13px;word-break:break-all}
main{max-width:1320px;margin:0 auto;padding:20px 28px 48px}
section{margin-bottom:22px}
h2{font-size:15px;font-weight:600;margin:0 0 10px;color:#243b53;text-transform:uppercase;letter-spacing:.6px}
h3{font-size:14px;margin:0 0 8px;font-weight:600;color:#334e68}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:14px 16px}
.stats{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px}
.stat{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.stat .v{font-size:22px;font-weight:600;font-variant-numeric:tabular-nums}
.stat .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.5px}
details summary{cursor:pointer;font-weight:600;color:#334e68}
table.captures{width:100%;border-collapse:collapse;margin-top:12px;font-size:13px}
table.captures th,table.captures td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
table.captures td.num,table.captures th.num{text-align:right;font-variant-numeric:tabular-nums}
.note{color:var(--muted);font-size:12.5px;margin-top:6px}
.pcapng-text{font-family:var(--mono);font-size:12px;white-space:pre-wrap;word-break:break-all;background:#f0f4f8;border-radius:4px;padding:2px 6px;display:inline-block;margin:2px 0}
.warnings{margin:8px 0 0;padding-left:18px;color:#8d2b0b;font-size:13px}
.findings{display:grid;gap:10px}
.finding{background:var(--card);border:1px solid var(--line);border-left:4px solid var(--info);border-radius:6px;padding:10px 14px}
.finding.warning{border-left-color:var(--warn)}
.finding.error{border-left-color:var(--bad)}
.finding .t{font-weight:600}
.finding .x{color:#3e4c59;margin:2px 0 4px}
.finding .top{font-family:var(--mono);font-size:12px;color:var(--muted)}
.sev{display:inline-block;font-size:11px;font-weight:600;text-transform:uppercase;border-radius:3px;padding:1px 6px;margin-right:8px;color:#fff;background:var(--info);vertical-align:1px}
.sev.warning{background:var(--warn)}.sev.error{background:var(--bad)}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:14px}
svg.chart{width:100%;height:auto;display:block;font-size:12px;font-family:inherit}
svg.chart text{fill:#334e68}
svg.chart text.count,svg.chart text.tick{fill:var(--muted);font-size:11px;font-variant-numeric:tabular-nums}
svg.chart text.muted{fill:#9aa5b1;font-size:13px}
svg.chart .axis{stroke:#bcccdc;stroke-width:1}
svg.chart g.clickable{cursor:pointer}
svg.chart g.clickable:hover rect,svg.chart g.clickable:focus rect{opacity:.8}
svg.chart g.clickable:hover text{fill:var(--accent)}
.controls{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin-bottom:10px}
.controls input[type=search]{flex:1 1 240px;min-width:200px;padding:7px 10px;border:1px solid #bcccdc;border-radius:6px;font:inherit}
.controls select{padding:6px 8px;border:1px solid #bcccdc;border-radius:6px;font:inherit;background:#fff;max-width:220px}
.controls .count{color:var(--muted);margin-left:auto;font-variant-numeric:tabular-nums}
button{font:inherit;font-size:13px;padding:5px 11px;border:1px solid #bcccdc;border-radius:6px;background:#fff;color:var(--fg);cursor:pointer}
button:hover:not(:disabled){background:#f0f4f8;border-color:#9fb3c8}
button:disabled{opacity:.45;cursor:default}
.chip{display:inline-flex;align-items:center;gap:6px;background:#e6f0ff;color:#1d4ed8;border-radius:12px;padding:2px 4px 2px 10px;font-size:12.5px}
.chip button{padding:0 6px;border:none;background:transparent;color:inherit;font-size:14px}
.tablewrap{overflow-x:auto;background:var(--card);border:1px solid var(--line);border-radius:8px}
table.conns{width:100%;border-collapse:collapse;font-size:12.5px;font-variant-numeric:tabular-nums}
table.conns th{position:sticky;top:0;background:#f0f4f8;text-align:left;font-weight:600;color:#334e68;padding:7px 6px;border-bottom:1px solid var(--line);white-space:nowrap;cursor:pointer;user-select:none}
table.conns th.num,table.conns td.num{text-align:right}
table.conns th[aria-sort=ascending]::after{content:" \\25B2";font-size:9px;color:var(--accent)}
table.conns th[aria-sort=descending]::after{content:" \\25BC";font-size:9px;color:var(--accent)}
table.conns td{padding:5px 6px;border-bottom:1px solid #eef2f6;white-space:nowrap}
table.conns td.ep{font-family:var(--mono);font-size:12px}
table.conns td.st{font-size:11.5px;color:#3e4c59}
table.conns td.ev{max-width:150px;overflow:hidden;text-overflow:ellipsis;color:#9a4d0b;font-size:12px}
table.conns tbody tr{cursor:pointer}
table.conns tbody tr:hover{background:#f5f9ff}
table.conns tbody tr.selected{background:#e6f0ff}
.kind{display:inline-block;border-radius:3px;padding:0 6px;font-size:12px;background:#eef2f6;color:#334e68}
.kind.good{background:#e3f7ec;color:#1e7a4f}.kind.bad{background:#fde8e8;color:#b42318}.kind.warn{background:#fff1e0;color:#9a4d0b}.kind.info{background:#e6f0ff;color:#1d4ed8}
.pager{display:flex;gap:6px;align-items:center;justify-content:flex-end;padding:8px 0}
.pager .where{color:var(--muted);margin:0 6px;font-variant-numeric:tabular-nums}
#detail{margin-top:16px}
#detail[hidden]{display:none}
.detailhead{display:flex;flex-wrap:wrap;align-items:baseline;gap:10px;margin-bottom:10px}
.detailhead .title{font-size:16px;font-weight:600;font-family:var(--mono)}
.facts{display:grid;grid-template-columns:repeat(auto-fit,minmax(230px,1fr));gap:4px 18px;margin:0 0 12px}
.facts div{display:flex;gap:8px;border-bottom:1px dotted #e4e7eb;padding:3px 0}
.facts dt{color:var(--muted);min-width:110px}
.facts dd{margin:0;word-break:break-word}
.filterline{display:flex;gap:8px;align-items:center;margin:6px 0 12px;flex-wrap:wrap}
.filterline code{font-family:var(--mono);font-size:12px;background:#f0f4f8;border-radius:4px;padding:4px 8px;word-break:break-all}
.copied{color:var(--ok);font-size:12px}
table.events{border-collapse:collapse;font-size:12.5px;margin-bottom:12px;width:100%}
table.events td,table.events th{padding:3px 8px;border-bottom:1px solid #eef2f6;text-align:left;vertical-align:top}
table.events th{color:var(--muted);font-weight:600}
.ladderwrap{overflow:auto;max-height:75vh;border:1px solid var(--line);border-radius:6px;background:#fcfdfe}
svg.ladder{display:block;font-family:var(--mono);font-size:11px}
svg.ladder .life{stroke:#9fb3c8;stroke-width:2}
svg.ladder .hdr{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;font-size:12px;font-weight:600;fill:#243b53}
svg.ladder .time{fill:var(--muted);font-size:10.5px}
svg.ladder .lbl{fill:#243b53}
svg.ladder .lbl.retx{fill:#9a4d0b}
svg.ladder .lbl.rst{fill:#b42318}
svg.ladder .lbl.unseen{fill:#7b8794;font-style:italic}
svg.ladder .lbl.lost{fill:#b42318}
svg.ladder .arrow{stroke-width:1.6;fill:none}
svg.ladder .arrow.c2s{stroke:var(--client)}
svg.ladder .arrow.s2c{stroke:var(--server)}
svg.ladder .arrow.retx{stroke:var(--warn);stroke-dasharray:6 3}
svg.ladder .arrow.rst{stroke:var(--bad)}
svg.ladder .arrow.unseen{stroke:#9aa5b1;stroke-dasharray:3 4}
svg.ladder .arrow.lost{stroke:var(--bad);stroke-dasharray:6 3}
svg.ladder .cross{stroke:var(--bad);stroke-width:2.2;fill:none}
svg.ladder .head.c2s{fill:var(--client)}
svg.ladder .head.s2c{fill:var(--server)}
svg.ladder .head.retx{fill:var(--warn)}
svg.ladder .head.rst{fill:var(--bad)}
svg.ladder .head.unseen{fill:#9aa5b1}
svg.ladder .state rect{fill:#eef2f6;stroke:#bcccdc}
svg.ladder .state text{fill:#243b53;font-size:10.5px}
svg.ladder .state.inferred rect{stroke-dasharray:3 2;fill:#fff}
svg.ladder .gap{stroke:#d9e2ec;stroke-dasharray:2 3}
svg.ladder .gaptext{fill:#9aa5b1;font-size:10px}
.legend{display:flex;gap:14px;flex-wrap:wrap;font-size:12px;color:var(--muted);margin:6px 0}
.legend i{display:inline-block;width:18px;height:0;border-top:2px solid;vertical-align:middle;margin-right:5px}
.legend i.c2s{border-color:var(--client)}.legend i.s2c{border-color:var(--server)}.legend i.retx{border-color:var(--warn);border-top-style:dashed}
.legend i.rst{border-color:var(--bad)}.legend i.lost{border-color:var(--bad);border-top-style:dashed}.legend i.unseen{border-color:#9aa5b1;border-top-style:dotted}
.empty{color:var(--muted);padding:16px;text-align:center}
.offscreen{position:absolute;left:-9999px;top:0;width:1px;height:1px}
footer{color:var(--muted);font-size:12px;text-align:center;padding:10px}
noscript{display:block;padding:10px;background:#fff1e0;border-radius:6px;margin-bottom:12px}
`;
