/**
 * One part of `tcpshake --format json`'s cost that no change to the analysis can remove: turning each
 * connection's report into its JSON line. This script reads a json report that tcpshake wrote, parses
 * its connection lines back into objects (untimed), then times `JSON.stringify` of each, the call that
 * writes a connection line (report/json.ts), and prints `{"connections", "chars", "seconds"}`.
 *
 * The bench (`--floor`) sets that time against the bare pcap-parser loop: the json target leaves only
 * so much time beside it on the machine's cores for pcap-parser, decoding and the trackers.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { jsonConnectionLine } from '../report/json.js';

/** A connection line of the document: indented, compact, followed by a comma unless it is the last. */
function connectionOf(line: string): unknown {
  const text = line.trim();
  return JSON.parse(text.endsWith(',') ? text.slice(0, -1) : text);
}

async function main(file: string): Promise<void> {
  const connections: unknown[] = [];
  let inConnections = false;
  // Line by line: the document can be larger than the longest string V8 holds (about 512 MB).
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (!inConnections) {
      inConnections = line.startsWith('  "connections": [');
      if (inConnections && line.trimEnd().endsWith(']')) break;
      continue;
    }
    if (line.startsWith('  ]')) break;
    connections.push(connectionOf(line));
  }
  if (!inConnections) throw new Error(`${file}: not a tcpshake json report (no "connections" member)`);
  const start = process.hrtime.bigint();
  let chars = 0;
  for (const c of connections) chars += jsonConnectionLine(c).length;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  process.stdout.write(`${JSON.stringify({ connections: connections.length, chars, seconds })}\n`);
}

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: stringify-floor <report.json>\n');
  process.exit(2);
}
main(file).catch((error: unknown) => {
  process.stderr.write(`stringify-floor: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(3);
});
