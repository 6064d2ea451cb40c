/**
 * Where an expectations file's captures are when it lists none: next to it, with the same name,
 * `samples/refused.expect.json` → `samples/refused.pcap` (or .pcapng, gzipped or not).
 */
export const EXPECT_SUFFIX = '.expect.json';
export const CAPTURE_EXTENSIONS = ['.pcap', '.pcapng', '.pcap.gz', '.pcapng.gz', '.cap'] as const;

/** Candidate capture paths for an expectations file, in the order they are tried. */
export function captureCandidates(expectFile: string): string[] {
  const stem = expectFile.endsWith(EXPECT_SUFFIX)
    ? expectFile.slice(0, -EXPECT_SUFFIX.length)
    : expectFile.endsWith('.json')
      ? expectFile.slice(0, -'.json'.length)
      : expectFile;
  return CAPTURE_EXTENSIONS.map((ext) => stem + ext);
}
