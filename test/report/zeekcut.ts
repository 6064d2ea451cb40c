/** What zeek-cut does: find #separator and #fields, then print the named columns of each data line. */
export function zeekCut(log: string, columns: string[]): string[][] {
  const lines = log.split('\n').filter((l) => l !== '');
  const sepLine = lines.find((l) => l.startsWith('#separator '));
  if (!sepLine) throw new Error('no #separator');
  const sep = sepLine.slice('#separator '.length).replace(/\\x([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  const fieldsLine = lines.find((l) => l.startsWith('#fields' + sep));
  if (!fieldsLine) throw new Error('no #fields');
  const fields = fieldsLine.split(sep).slice(1);
  const idx = columns.map((c) => {
    const i = fields.indexOf(c);
    if (i < 0) throw new Error(`no column ${c}`);
    return i;
  });
  return lines.filter((l) => !l.startsWith('#')).map((l) => {
    const parts = l.split(sep);
    return idx.map((i) => parts[i]!);
  });
}

