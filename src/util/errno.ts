/** Node's system errors (`ENOENT`, ...) in words a user reads, shared by the capture layer and the CLI. */

/** The `code` of an error object, when it has a string one (errno codes, zlib's `Z_*`, Node's `ERR_*`). */
export function errorCode(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'code' in e) {
    const code = (e as { code: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** The errno code (`E` and capitals) of a system error, or undefined for any other error. */
export function errnoCode(e: unknown): string | undefined {
  const code = errorCode(e);
  return code !== undefined && /^E[A-Z]+$/.test(code) ? code : undefined;
}

export const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a path component is not a directory',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
  ENOSPC: 'no space left on device',
};
