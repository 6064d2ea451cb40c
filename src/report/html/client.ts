/**
 * The report's one inline script (plain ES2017, no dependencies). It reads the JSON data block,
 * renders the connection table a page at a time, filters and sorts it, and draws a connection's
 * ladder diagram on demand. Data only ever reaches the page through `textContent` and
 * `setAttribute` on elements it creates: never `innerHTML`, so nothing from a capture is parsed
 * as markup.
 */
import { COL, FLAG } from './data.js';

const BODY = String.raw`
var D = JSON.parse(document.getElementById('tcpshake-data').textContent);
var rows = D.rows, N = rows.length;
var HK = D.hk, CK = D.ck, EK = D.ek, ST = D.st, IPS = D.ips, STR = D.str, EVS = D.evsets;
var WHO = ['', 'client', 'server', 'both'];
var NOTABLE = {};
D.notable.forEach(function (k) { NOTABLE[k] = 1; });
var PAGE = 100;
var SVGNS = 'http://www.w3.org/2000/svg';
// Events standing for a segment the capture did not see, drawn as a dotted arrow of their own. Losses
// (final_ack_lost, syn_ack_lost) are drawn from the data block's l (on the segments themselves) and lu
// (lost before the capture point: an arrow of their own after the segment they follow).
var UNSEEN = { segment_not_captured: 'segment not captured', final_ack_not_seen: 'final ACK not captured' };
var GOOD = { three_way: 1, four_way: 1, simultaneous: 1, simultaneous_open: 1 };
var BAD = { refused: 1, reset: 1 };
var WARN = { unanswered: 1, incomplete: 1, half_closed: 1, not_established: 1 };

function byId(id) { return document.getElementById(id); }
function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
function sv(tag, attrs, text) {
  var e = document.createElementNS(SVGNS, tag);
  for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, String(attrs[k]));
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
function ipText(i) { var ip = IPS[i]; return ip.indexOf(':') >= 0 ? '[' + ip + ']' : ip; }
function ep(r, client) { return client ? ipText(r[COL.clientIp]) + ':' + r[COL.clientPort] : ipText(r[COL.serverIp]) + ':' + r[COL.serverPort]; }
function human(s) { return String(s).replace(/_/g, ' '); }
function fmtDur(s) {
  if (s === null || s === undefined) return '';
  var a = Math.abs(s);
  if (a === 0) return '0';
  if (a < 1e-3) return +(s * 1e6).toPrecision(3) + ' \u00b5s';
  if (a < 1) return +(s * 1e3).toPrecision(3) + ' ms';
  if (a < 120) return +s.toPrecision(3) + ' s';
  if (a < 7200) return +(s / 60).toPrecision(3) + ' min';
  if (a < 172800) return +(s / 3600).toPrecision(3) + ' h';
  return +(s / 86400).toPrecision(3) + ' d';
}
function fmtNum(n) { return Number(n).toLocaleString('en-US'); }
function fmtClock(t) {
  var d = new Date(t * 1000);
  if (isNaN(d.getTime())) return String(t);
  return d.toISOString().replace('T', ' ').replace('Z', ' UTC');
}
function kindClass(k) { return 'kind' + (GOOD[k] ? ' good' : BAD[k] ? ' bad' : WARN[k] ? ' warn' : ' info'); }
function kindEl(k) { return el('span', kindClass(k), human(k)); }
function expandFilter(t, r) {
  if (t.slice(0, 2) === '={') return t.slice(2);
  return t.replace(/\{\{|\}\}|\{c\}|\{s\}|\{cp\}|\{sp\}/g, function (m) {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    if (m === '{c}') return IPS[r[COL.clientIp]];
    if (m === '{s}') return IPS[r[COL.serverIp]];
    if (m === '{cp}') return String(r[COL.clientPort]);
    return String(r[COL.serverPort]);
  });
}

// ---- ordering keys -------------------------------------------------------------------------
var ipRank = null;
function ipKey(ip) {
  var m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  if (m) return '4' + ('000' + m[1]).slice(-3) + ('000' + m[2]).slice(-3) + ('000' + m[3]).slice(-3) + ('000' + m[4]).slice(-3);
  return '6' + ip;
}
function ranks() {
  if (ipRank) return ipRank;
  var order = IPS.map(function (ip, i) { return [ipKey(ip), i]; });
  order.sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
  ipRank = new Int32Array(IPS.length);
  for (var i = 0; i < order.length; i++) ipRank[order[i][1]] = i;
  return ipRank;
}
function sortKey(col, r) {
  switch (col) {
    case 'client': return ranks()[r[COL.clientIp]] * 65536 + r[COL.clientPort];
    case 'server': return ranks()[r[COL.serverIp]] * 65536 + r[COL.serverPort];
    case 'packets': return r[COL.packetsClient] + r[COL.packetsServer];
    case 'bytes': return r[COL.bytesClient] + r[COL.bytesServer];
    default: return r[COL[col]];
  }
}

// ---- state ---------------------------------------------------------------------------------
var S = { text: '', hk: -1, ck: -1, ev: -1, ids: null, idsLabel: '', sort: 'id', dir: 1, page: 0, selected: -1 };
var view = new Int32Array(N);
var viewLen = 0;
var epText = null;

function endpointTexts() {
  if (epText) return epText;
  epText = new Array(N);
  for (var i = 0; i < N; i++) { var r = rows[i]; epText[i] = (ep(r, true) + ' ' + ep(r, false)).toLowerCase(); }
  return epText;
}

function applyFilter() {
  var terms = S.text.toLowerCase().split(/\s+/).filter(function (t) { return t.length > 0; });
  var evOk = null;
  if (S.ev >= 0) { evOk = new Uint8Array(EVS.length); for (var k = 0; k < EVS.length; k++) evOk[k] = EVS[k].indexOf(S.ev) >= 0 ? 1 : 0; }
  var texts = terms.length ? endpointTexts() : null;
  var n = 0;
  for (var i = 0; i < N; i++) {
    var r = rows[i];
    if (S.hk >= 0 && r[COL.handshake] !== S.hk) continue;
    if (S.ck >= 0 && r[COL.close] !== S.ck) continue;
    if (evOk && !evOk[r[COL.eventSet]]) continue;
    if (S.ids && !S.ids.has(r[COL.id])) continue;
    if (texts) {
      var ok = true;
      for (var t = 0; t < terms.length && ok; t++) {
        var term = terms[t];
        if (term.charAt(0) === '#') ok = String(r[COL.id]) === term.slice(1);
        else ok = texts[i].indexOf(term) >= 0;
      }
      if (!ok) continue;
    }
    view[n++] = i;
  }
  viewLen = n;
  sortView();
  S.page = 0;
  renderTable();
}

function sortView() {
  var col = S.sort, dir = S.dir;
  var keys = new Float64Array(N);
  var nulls = new Uint8Array(N);
  for (var j = 0; j < viewLen; j++) {
    var i = view[j], v = sortKey(col, rows[i]);
    if (v === null || v === undefined) nulls[i] = 1; else keys[i] = v;
  }
  var sub = view.subarray(0, viewLen);
  sub.sort(function (a, b) {
    if (nulls[a] !== nulls[b]) return nulls[a] - nulls[b];
    var d = keys[a] - keys[b];
    if (d !== 0) return d * dir;
    return (rows[a][COL.id] - rows[b][COL.id]) * dir;
  });
}

// ---- table ---------------------------------------------------------------------------------
var COLUMNS = [
  { key: 'id', label: '#', num: true, cell: function (r) { return String(r[COL.id]); } },
  { key: 'client', label: 'Client', cls: 'ep', cell: function (r) { return ep(r, true); } },
  { key: 'server', label: 'Server', cls: 'ep', cell: function (r) { return ep(r, false); } },
  { key: 'start', label: 'Start', num: true, cell: function (r) { return '+' + fmtDur(r[COL.start]); } },
  { key: 'duration', label: 'Duration', num: true, cell: function (r) { return fmtDur(r[COL.duration]); } },
  { key: 'handshake', label: 'Handshake', cell: function (r) { return kindEl(HK[r[COL.handshake]]); } },
  { key: 'rtt', label: 'RTT', title: 'Handshake round trip at the capture point: SYN \u2192 SYN-ACK', num: true, cell: function (r) { return fmtDur(r[COL.rtt]); } },
  { key: 'close', label: 'Close', cell: function (r) {
      var f = document.createDocumentFragment();
      f.appendChild(kindEl(CK[r[COL.close]]));
      var by = r[COL.rstBy] ? 'RST by ' + WHO[r[COL.rstBy]] : r[COL.initiator] ? 'by ' + WHO[r[COL.initiator]] : '';
      if (by) f.appendChild(document.createTextNode(' ' + by));
      return f;
    } },
  { key: 'finalClient', label: 'Final states', cls: 'st', title: 'Client / server state at the end of the capture', cell: function (r) { return ST[r[COL.finalClient]] + ' / ' + ST[r[COL.finalServer]]; } },
  { key: 'packets', label: 'Packets', num: true, cell: function (r) { return fmtNum(r[COL.packetsClient]) + ' / ' + fmtNum(r[COL.packetsServer]); } },
  { key: 'eventCount', label: 'Notable events', cls: 'ev', cell: function (r, td) {
      var all = EVS[r[COL.eventSet]].map(function (k) { return human(EK[k]); }).join(', ');
      td.title = all;
      return EVS[r[COL.eventSet]].filter(function (k) { return NOTABLE[k]; }).map(function (k) { return human(EK[k]); }).join(', ');
    } }
];

function buildHead() {
  var tr = byId('conn-head');
  COLUMNS.forEach(function (c) {
    var th = el('th', c.num ? 'num' : '', c.label);
    th.setAttribute('data-key', c.key);
    th.setAttribute('scope', 'col');
    th.title = (c.title ? c.title + '. ' : '') + 'Click to sort.';
    th.addEventListener('click', function () {
      if (S.sort === c.key) S.dir = -S.dir; else { S.sort = c.key; S.dir = 1; }
      sortView();
      S.page = 0;
      renderTable();
    });
    tr.appendChild(th);
  });
}

function renderTable() {
  var head = byId('conn-head').children;
  for (var h = 0; h < head.length; h++) {
    var key = head[h].getAttribute('data-key');
    if (key === S.sort) head[h].setAttribute('aria-sort', S.dir > 0 ? 'ascending' : 'descending');
    else head[h].removeAttribute('aria-sort');
  }
  var body = byId('conn-body');
  var pages = Math.max(1, Math.ceil(viewLen / PAGE));
  if (S.page >= pages) S.page = pages - 1;
  var from = S.page * PAGE, to = Math.min(viewLen, from + PAGE);
  var frag = document.createDocumentFragment();
  for (var j = from; j < to; j++) {
    var i = view[j], r = rows[i];
    var tr = el('tr');
    tr.setAttribute('data-row', String(i));
    tr.tabIndex = 0;
    if (i === S.selected) tr.className = 'selected';
    for (var c = 0; c < COLUMNS.length; c++) {
      var col = COLUMNS[c];
      var td = el('td', (col.num ? 'num ' : '') + (col.cls || ''));
      var v = col.cell(r, td);
      if (typeof v === 'string') td.textContent = v; else td.appendChild(v);
      tr.appendChild(td);
    }
    frag.appendChild(tr);
  }
  body.replaceChildren(frag);
  if (viewLen === 0) {
    var etr = el('tr'), etd = el('td', 'empty', 'No connection matches these filters.');
    etd.colSpan = COLUMNS.length;
    etr.appendChild(etd);
    body.appendChild(etr);
  }
  byId('conn-count').textContent = viewLen === N ? fmtNum(N) + ' connections' : fmtNum(viewLen) + ' of ' + fmtNum(N) + ' connections';
  byId('conn-count').setAttribute('data-count', String(viewLen));
  byId('page-where').textContent = viewLen ? fmtNum(from + 1) + '\u2013' + fmtNum(to) + ' of ' + fmtNum(viewLen) + ' \u00b7 page ' + fmtNum(S.page + 1) + ' of ' + fmtNum(pages) : '';
  byId('page-first').disabled = byId('page-prev').disabled = S.page === 0;
  byId('page-next').disabled = byId('page-last').disabled = S.page >= pages - 1;
}

// ---- detail and ladder --------------------------------------------------------------------
function fact(dl, k, v) {
  var d = el('div');
  d.appendChild(el('dt', '', k));
  var dd = el('dd');
  if (typeof v === 'string') dd.textContent = v; else dd.appendChild(v);
  d.appendChild(dd);
  dl.appendChild(d);
}

function copyText(text, done) {
  function fallback() {
    var ta = el('textarea', 'offscreen');
    ta.value = text;
    ta.setAttribute('readonly', '');
    document.body.appendChild(ta);
    ta.select();
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    document.body.removeChild(ta);
    done(ok);
  }
  if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(text).then(function () { done(true); }, fallback);
  else fallback();
}

function showDetail(i) {
  S.selected = i;
  var r = rows[i];
  var box = byId('detail');
  box.replaceChildren();
  box.hidden = false;
  var det = r[COL.detail] >= 0 ? D.detail[r[COL.detail]] : null;
  var head = el('div', 'detailhead');
  head.appendChild(el('span', 'title', '#' + r[COL.id] + '  ' + ep(r, true) + ' \u2192 ' + ep(r, false)));
  var close = el('button', '', 'Close');
  close.addEventListener('click', function () { box.hidden = true; S.selected = -1; renderTable(); });
  head.appendChild(close);
  box.appendChild(head);

  var filter = expandFilter(STR[r[COL.filter]], r);
  var fl = el('div', 'filterline');
  var btn = el('button', '', 'Copy Wireshark filter');
  btn.id = 'copy-filter';
  var code = el('code', '', filter);
  code.id = 'display-filter';
  var status = el('span', 'copied');
  btn.addEventListener('click', function () {
    copyText(filter, function (ok) { status.textContent = ok ? 'Copied' : 'Select the filter and copy it by hand'; });
  });
  fl.appendChild(btn); fl.appendChild(code); fl.appendChild(status);
  box.appendChild(fl);

  var dl = el('dl', 'facts');
  fact(dl, 'Handshake', kindEl(HK[r[COL.handshake]]));
  fact(dl, 'Close', kindEl(CK[r[COL.close]]));
  if (r[COL.closeDetail] >= 0) fact(dl, 'Close detail', STR[r[COL.closeDetail]]);
  fact(dl, 'Close initiator', WHO[r[COL.initiator]] || '\u2014');
  fact(dl, 'RST by', WHO[r[COL.rstBy]] || '\u2014');
  fact(dl, 'Final states', 'client ' + ST[r[COL.finalClient]] + ', server ' + ST[r[COL.finalServer]]);
  fact(dl, 'Final ACK', (r[COL.flags] & ${FLAG.finalAckLost}) ? 'lost (the passive closer retransmitted its FIN)' : (r[COL.flags] & ${FLAG.finalAckSeen}) ? 'seen' : 'not seen');
  fact(dl, 'Start', fmtClock(D.t0 + r[COL.start]));
  fact(dl, 'Duration', fmtDur(r[COL.duration]) || '0');
  fact(dl, 'SYN\u2192SYN-ACK', r[COL.rtt] === null ? '\u2014' : fmtDur(r[COL.rtt]));
  if (det && det.h[0] !== null) fact(dl, 'SYN-ACK\u2192ACK', fmtDur(det.h[0]));
  if (det) fact(dl, 'Retransmitted SYN / SYN-ACK', det.h[1] + ' / ' + det.h[2]);
  if (det) fact(dl, 'Capture point', human(STR[det.h[3]]));
  if (det && det.c[1] >= 0) fact(dl, 'RST check (RFC 5961)', human(STR[det.c[1]]) + ' (frame ' + det.c[3] + ')');
  fact(dl, 'Packets c\u2192s / s\u2192c', fmtNum(r[COL.packetsClient]) + ' / ' + fmtNum(r[COL.packetsServer]));
  fact(dl, 'Payload bytes c\u2192s / s\u2192c', fmtNum(r[COL.bytesClient]) + ' / ' + fmtNum(r[COL.bytesServer]));
  fact(dl, 'Retransmissions', fmtNum(r[COL.retransmits]));
  fact(dl, 'Frames', r[COL.firstFrame] + '\u2013' + r[COL.lastFrame] + (D.files > 1 ? ' (file ' + (r[COL.file] + 1) + ')' : ''));
  fact(dl, 'Zeek conn_state / history', STR[r[COL.zeekState]] + ' / ' + STR[r[COL.zeekHistory]]);
  fact(dl, 'tcp.completeness', String(r[COL.completeness]));
  if (r[COL.flags] & ${FLAG.idleExpired}) fact(dl, 'Expired', 'by the idle timeout');
  box.appendChild(dl);

  if (det) {
    box.appendChild(el('h3', '', 'Events'));
    var et = el('table', 'events');
    var eh = el('tr');
    ['Frame', 'Time', 'Event', 'By', 'Detail'].forEach(function (h) { eh.appendChild(el('th', '', h)); });
    et.appendChild(eh);
    det.e.forEach(function (e) {
      var tr = el('tr');
      tr.appendChild(el('td', '', e[1] + (D.files > 1 ? ' (file ' + (e[2] + 1) + ')' : '')));
      tr.appendChild(el('td', '', '+' + fmtDur(e[3])));
      tr.appendChild(el('td', '', human(EK[e[0]])));
      tr.appendChild(el('td', '', WHO[e[4]]));
      tr.appendChild(el('td', '', e[5] >= 0 ? STR[e[5]] : ''));
      et.appendChild(tr);
    });
    box.appendChild(et);
  } else {
    box.appendChild(el('p', 'note', 'Events: ' + (EVS[r[COL.eventSet]].map(function (k) { return human(EK[k]); }).join(', ') || 'none') + '. (Per-event detail is embedded only for the connections listed in the report notes.)'));
  }

  box.appendChild(el('h3', '', 'Ladder diagram'));
  if (det && det.g) {
    var lg = el('div', 'legend');
    [['c2s', 'client \u2192 server'], ['s2c', 'server \u2192 client'], ['retx', 'retransmission'], ['rst', 'RST'], ['lost', 'lost (\u2717)'], ['unseen', 'not captured / inferred']].forEach(function (x) {
      var s = el('span'); s.appendChild(el('i', x[0])); s.appendChild(document.createTextNode(x[1])); lg.appendChild(s);
    });
    box.appendChild(lg);
    var wrap = el('div', 'ladderwrap');
    wrap.appendChild(ladder(r, det));
    box.appendChild(wrap);
  } else {
    box.appendChild(el('p', 'note', 'Segments were not recorded for this connection, so no ladder is available. tcpshake report records ladders for a bounded set of connections (see the report notes above).'));
  }
  renderTable();
  box.scrollIntoView({ block: 'start' });
}

function ladder(r, det) {
  var g = det.g;
  var W = 900, XT = 10, XC = 230, XS = 690, TOP = 58, ROW = 36, SLOPE = 12;
  // Items: recorded segments, then inferred unseen segments placed after the frame that revealed them.
  var lostAt = {};
  (det.l || []).forEach(function (j) { lostAt[j] = 1; });
  var items = g.map(function (s, j) { return { seg: s, lost: lostAt[j] === 1 }; });
  // Segments lost before the capture point go right after the segment they follow.
  (det.lu || []).slice().reverse().forEach(function (u) {
    var after = g[u[0]];
    for (var j = 0; j < items.length; j++) {
      if (items[j].seg === after) { items.splice(j + 1, 0, { lostUnseen: STR[u[2]], from: u[1], t: after[2] }); break; }
    }
  });
  if (det.x > 0) {
    // The recorder keeps the first and the last halves: the elided middle sits between them.
    // Before the first segment of the second half (items may hold lost arrows besides the segments).
    var mid = Math.ceil(g.length / 2), at = items.length;
    for (var m = 0; m < items.length; m++) if (items[m].seg && items[m].seg === g[mid]) { at = m; break; }
    items.splice(at, 0, { elided: det.x, t: g[mid - 1] ? g[mid - 1][2] : 0 });
  }
  det.e.forEach(function (e) {
    var k = EK[e[0]];
    if (!UNSEEN[k]) return;
    var from = e[4] === 1 || e[4] === 2 ? e[4] : k === 'syn_ack_lost' ? 2 : 0;
    if (!from) return;
    var at = items.length;
    for (var j = 0; j < items.length; j++) {
      var s = items[j].seg;
      if (s && s[1] === e[2] && s[0] > e[1]) { at = j; break; }
      if (!s && items[j].elided && j > 0 && items[j - 1].seg && items[j - 1].seg[0] >= e[1]) { at = j; break; }
    }
    items.splice(at, 0, { unseen: k, from: from, t: e[3], detail: e[5] });
  });
  // The states a side entered on a segment: -1, one index, or several in order (data.ts DetailBlock.g).
  function stList(v) { return typeof v === 'number' ? (v >= 0 ? [v] : []) : v || []; }
  // A segment that takes a side through several states stacks their pills: the next row moves down.
  function stacked(it) { return it.seg ? Math.max(stList(it.seg[9]).length, stList(it.seg[10]).length, 1) - 1 : 0; }
  var PILL = 19;
  var times = items.map(function (it) { return it.seg ? it.seg[2] : it.t; });
  var firstSeg = g.length ? g[0][2] : 0;
  var deltas = [];
  for (var a = 1; a < times.length; a++) deltas.push(Math.max(0, times[a] - times[a - 1]));
  var sorted = deltas.slice().sort(function (x, y) { return x - y; });
  var med = sorted.length ? sorted[Math.floor(sorted.length / 2)] : 0;
  var ys = [], y = TOP + 16, gaps = [];
  for (var i = 0; i < items.length; i++) {
    if (i > 0) {
      var dt = deltas[i - 1];
      var extra = dt > 0.005 && dt > 8 * med ? 22 : 0;
      var below = stacked(items[i - 1]) * PILL;
      if (extra) gaps.push([y + below + SLOPE + 16, dt]);
      y += ROW + extra + below;
    }
    ys.push(y);
  }
  var H = y + (items.length ? stacked(items[items.length - 1]) * PILL : 0) + SLOPE + 36;
  var svg = sv('svg', { 'class': 'ladder', width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, role: 'img' });
  svg.appendChild(sv('title', {}, 'Ladder diagram of connection #' + r[COL.id]));
  svg.appendChild(sv('text', { x: XC, y: 18, 'text-anchor': 'middle', 'class': 'hdr' }, 'client'));
  svg.appendChild(sv('text', { x: XC, y: 34, 'text-anchor': 'middle', 'class': 'hdr' }, ep(r, true)));
  svg.appendChild(sv('text', { x: XS, y: 18, 'text-anchor': 'middle', 'class': 'hdr' }, 'server'));
  svg.appendChild(sv('text', { x: XS, y: 34, 'text-anchor': 'middle', 'class': 'hdr' }, ep(r, false)));
  svg.appendChild(sv('text', { x: XT, y: 34, 'class': 'time' }, 'time / frame'));
  svg.appendChild(sv('line', { x1: XC, y1: TOP - 14, x2: XC, y2: H - 10, 'class': 'life' }));
  svg.appendChild(sv('line', { x1: XS, y1: TOP - 14, x2: XS, y2: H - 10, 'class': 'life' }));
  gaps.forEach(function (gp) {
    svg.appendChild(sv('line', { x1: XC - 40, y1: gp[0], x2: XS + 40, y2: gp[0], 'class': 'gap' }));
    svg.appendChild(sv('text', { x: (XC + XS) / 2, y: gp[0] - 3, 'text-anchor': 'middle', 'class': 'gaptext' }, '\u22ee ' + fmtDur(gp[1]) + ' later'));
  });
  var t0 = firstSeg;
  // State changes the tracker inferred (from the peer's segments) are drawn with a dashed outline.
  var inferred = { c: {}, s: {} };
  // Keyed by frame, time and state: frame numbers repeat across the files of a multi-file run.
  det.sc.forEach(function (x) { if (x[3] === 1) inferred.c[x[1] + ':' + x[2] + ':' + x[0]] = 1; });
  det.ss.forEach(function (x) { if (x[3] === 1) inferred.s[x[1] + ':' + x[2] + ':' + x[0]] = 1; });
  // RFC 9293 §3.5: an active open starts from CLOSED while the server listens (a passive open).
  var g0 = g[0];
  if (g0 && g0[3] === 1 && /^SYN$/.test(STR[g0[4]])) {
    svg.appendChild(statePill(XC - 10, TOP - 4, 'CLOSED', false, 'initial'));
    svg.appendChild(statePill(XS + 10, TOP - 4, 'LISTEN', true, 'initial'));
  }
  function statePill(x, yy, name, right, extra) {
    var w = name.length * 6.7 + 12;
    var gEl = sv('g', { 'class': 'state' + (extra ? ' ' + extra : '') });
    gEl.appendChild(sv('rect', { x: right ? x : x - w, y: yy - 9, width: w, height: 17, rx: 8 }));
    gEl.appendChild(sv('title', {}, (right ? 'server' : 'client') + ' ' + name + (extra === 'inferred' ? ' (inferred from the peer\'s segment)' : '')));
    gEl.appendChild(sv('text', { x: right ? x + w / 2 : x - w / 2, y: yy + 3.5, 'text-anchor': 'middle' }, name));
    return gEl;
  }
  items.forEach(function (it, n) {
    var yy = ys[n];
    if (it.elided) {
      svg.appendChild(sv('line', { x1: XC - 40, y1: yy + 6, x2: XS + 40, y2: yy + 6, 'class': 'gap' }));
      svg.appendChild(sv('text', { x: (XC + XS) / 2, y: yy + 2, 'text-anchor': 'middle', 'class': 'gaptext elided' }, '\u22ee ' + fmtNum(it.elided) + ' segments in the middle not recorded (the ladder keeps the first and last ones)'));
      return;
    }
    var from = it.seg ? it.seg[3] : it.from;
    var x1 = from === 1 ? XC : XS, x2 = from === 1 ? XS : XC;
    var dir = from === 1 ? 'c2s' : 's2c';
    var label, cls, marks = [];
    var lost = false;
    if (it.seg) {
      var s = it.seg;
      var flags = STR[s[4]];
      marks = s[8] >= 0 ? STR[s[8]].split(',') : [];
      var retx = marks.some(function (m) { return /retrans/.test(m); });
      var rst = /RST/.test(flags);
      lost = it.lost;
      cls = lost ? 'lost' : rst ? 'rst' : retx ? 'retx' : dir;
      label = flags + '  seq=' + s[5] + (s[6] !== null ? ' ack=' + s[6] : '') + ' len=' + s[7];
      if (marks.length) label += '  [' + marks.map(human).join(', ') + ']';
      if (lost) label += '  \u2717 lost after the capture point';
      svg.appendChild(sv('text', { x: XT, y: yy + 4, 'class': 'time' }, '+' + fmtDur(s[2] - t0)));
      svg.appendChild(sv('text', { x: XT, y: yy + 16, 'class': 'time' }, (D.files > 1 ? 'file ' + (s[1] + 1) + ' ' : '') + '#' + s[0]));
    } else if (it.lostUnseen) {
      lost = true;
      cls = 'lost';
      label = it.lostUnseen + ' \u2717 lost before the capture point';
    } else {
      cls = 'unseen';
      label = it.unseen === 'final_ack_not_seen' ? 'ACK (final, not captured)' : human(UNSEEN[it.unseen]);
    }
    var gEl = sv('g', { 'class': it.seg ? 'seg ' + cls : 'unseen-seg' + (lost ? ' lost' : ''), 'data-frame': it.seg ? it.seg[0] : '' });
    gEl.appendChild(sv('title', {}, it.seg ? 'frame ' + it.seg[0] + ': ' + label : label));
    var yEnd = yy + SLOPE;
    var dx = x2 > x1 ? -9 : 9;
    var slope = SLOPE / (x2 - x1);
    if (lost) {
      // A lost segment stops short of the receiver, with a cross where it vanished.
      var xl = x1 + (x2 - x1) * 0.78, yl = yy + SLOPE * 0.78;
      gEl.appendChild(sv('line', { x1: x1, y1: yy, x2: xl, y2: yl, 'class': 'arrow lost ' + dir }));
      gEl.appendChild(sv('path', { d: 'M' + (xl - 5) + ' ' + (yl - 5) + 'L' + (xl + 5) + ' ' + (yl + 5) + 'M' + (xl - 5) + ' ' + (yl + 5) + 'L' + (xl + 5) + ' ' + (yl - 5), 'class': 'cross' }));
    } else {
      gEl.appendChild(sv('line', { x1: x1, y1: yy, x2: x2 + (x2 > x1 ? -2 : 2), y2: yEnd, 'class': 'arrow ' + cls + (cls !== dir ? ' ' + dir : '') }));
      var hx = x2 + dx, hy = yEnd + dx * slope;
      gEl.appendChild(sv('polygon', { points: x2 + ',' + yEnd + ' ' + hx + ',' + (hy - 4.5) + ' ' + hx + ',' + (hy + 4.5), 'class': 'head ' + cls }));
    }
    var tcls = 'lbl' + (cls === 'retx' || cls === 'rst' || cls === 'unseen' || cls === 'lost' ? ' ' + cls : '');
    gEl.appendChild(sv('text', { x: (XC + XS) / 2, y: (yy + yEnd) / 2 - 6, 'text-anchor': 'middle', 'class': tcls }, label));
    svg.appendChild(gEl);
    if (it.seg) {
      var s2 = it.seg;
      // The sender's state changes as it sends, the receiver's as the segment arrives; several states
      // entered on one segment stack downwards in the order they were entered.
      stList(s2[9]).forEach(function (st, k) {
        svg.appendChild(statePill(XC - 10, (from === 1 ? yy : yEnd) + k * PILL, ST[st], false, inferred.c[s2[0] + ':' + s2[2] + ':' + st] ? 'inferred' : ''));
      });
      stList(s2[10]).forEach(function (st, k) {
        svg.appendChild(statePill(XS + 10, (from === 2 ? yy : yEnd) + k * PILL, ST[st], true, inferred.s[s2[0] + ':' + s2[2] + ':' + st] ? 'inferred' : ''));
      });
    }
  });
  return svg;
}

// ---- wiring --------------------------------------------------------------------------------
function fillSelect(id, list, label) {
  var s = byId(id);
  s.appendChild(el('option', '', label)).value = '-1';
  list.forEach(function (k, i) { var o = el('option', '', human(k)); o.value = String(i); s.appendChild(o); });
  s.addEventListener('change', function () { S[s.getAttribute('data-key')] = +s.value; applyFilter(); });
}

function setIds(ids, label) {
  S.ids = ids ? new Set(ids) : null;
  var chip = byId('ids-chip');
  chip.hidden = !ids;
  byId('ids-label').textContent = ids ? label : '';
  applyFilter();
}

function init() {
  buildHead();
  fillSelect('f-hk', HK, 'Any handshake');
  fillSelect('f-ck', CK, 'Any close');
  fillSelect('f-ev', EK, 'Any event');
  var q = byId('f-text'), timer = 0;
  q.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(function () { S.text = q.value; applyFilter(); }, N > 20000 ? 150 : 0);
  });
  byId('f-reset').addEventListener('click', function () {
    q.value = ''; S.text = ''; S.hk = S.ck = S.ev = -1;
    ['f-hk', 'f-ck', 'f-ev'].forEach(function (id) { byId(id).value = '-1'; });
    setIds(null, '');
  });
  byId('ids-clear').addEventListener('click', function () { setIds(null, ''); });
  byId('page-first').addEventListener('click', function () { S.page = 0; renderTable(); });
  byId('page-prev').addEventListener('click', function () { S.page = Math.max(0, S.page - 1); renderTable(); });
  byId('page-next').addEventListener('click', function () { S.page++; renderTable(); });
  byId('page-last').addEventListener('click', function () { S.page = 1e9; renderTable(); });
  byId('conn-body').addEventListener('click', function (ev) {
    var tr = ev.target.closest ? ev.target.closest('tr[data-row]') : null;
    if (tr) showDetail(+tr.getAttribute('data-row'));
  });
  byId('conn-body').addEventListener('keydown', function (ev) {
    if (ev.key !== 'Enter') return;
    var tr = ev.target.closest ? ev.target.closest('tr[data-row]') : null;
    if (tr) showDetail(+tr.getAttribute('data-row'));
  });
  Array.prototype.forEach.call(document.querySelectorAll('[data-filter]'), function (g) {
    function go() {
      var f = g.getAttribute('data-filter').split(':');
      var key = f[0], v = +f[1];
      var sel = byId('f-' + key);
      sel.value = String(v);
      S[key] = v;
      applyFilter();
      byId('connections').scrollIntoView({ block: 'start' });
    }
    g.addEventListener('click', go);
    g.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); go(); } });
  });
  Array.prototype.forEach.call(document.querySelectorAll('button[data-ids]'), function (b) {
    b.addEventListener('click', function () {
      var ids = b.getAttribute('data-ids').split(',').filter(Boolean).map(Number);
      setIds(ids, b.getAttribute('data-label'));
      byId('connections').scrollIntoView({ block: 'start' });
    });
  });
  for (var i = 0; i < N; i++) view[i] = i;
  viewLen = N;
  sortView();
  renderTable();
  // When the first page was on screen, in ms since navigation start (read by the speed test).
  document.documentElement.setAttribute('data-ready', String(Math.round(performance.now())));
}
init();
`;

/** The complete script text (its SHA-256 goes into the Content-Security-Policy). */
export const CLIENT_SCRIPT = `(function () {\n'use strict';\nvar COL = ${JSON.stringify(COL)};\n${BODY}}());\n`;
