/**
 * The baseline the benchmark compares tcpshake against: the cheapest possible pass over a capture
 * with pcap-parser, counting packets and nothing else.
 */
import pcapParser from 'pcap-parser';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: bare-loop <capture.pcap>\n');
  process.exit(2);
}
let packets = 0;
const parser = pcapParser.parse(file);
parser.on('packet', () => {
  packets++;
});
parser.on('end', () => {
  process.stdout.write(`${packets}\n`);
});
parser.on('error', (error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(3);
});
