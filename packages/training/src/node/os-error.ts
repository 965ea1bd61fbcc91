/** An operating-system error (`ENOSPC`, `EACCES`, …) as one line that names the path and says what to do. */

/** What to do about an operating-system error, by its code. */
const OS_ERRORS: Record<string, string> = {
  ENOSPC: 'the disk is full: free some space and run again (--resume continues from the last checkpoint)',
  EDQUOT: 'the disk quota is used up: free some space and run again (--resume continues from the last checkpoint)',
  EACCES: 'permission denied: choose a folder you may write, or change its permissions',
  EPERM: 'operation not permitted: choose a folder you may write, or change its permissions',
  EROFS: 'the file system is read-only: choose another folder',
  ENOTDIR: 'a part of the path is a file, not a folder: choose another path',
  EISDIR: 'a folder is where a file should be: choose another path',
  ENOENT: 'no such file or folder',
  EMFILE: 'too many open files: raise the limit (ulimit -n) and run again',
  EIO: 'an input/output error of the disk',
};

/**
 * One line for an operating-system error, or null for other errors.
 * @example
 * osErrorLine(Object.assign(new Error(), { code: 'ENOSPC', syscall: 'write', path: 'runs/a/metrics.jsonl' }))
 * // "could not write 'runs/a/metrics.jsonl' (ENOSPC): the disk is full: free some space and run again (…)."
 */
export function osErrorLine(error: unknown): string | null {
  const { code, path, syscall } = (error ?? {}) as NodeJS.ErrnoException;
  const advice = code ? OS_ERRORS[code] : undefined;
  if (!advice) return null;
  return `could not ${syscall ?? 'access'} ${path ? `'${path}'` : 'a file'} (${code}): ${advice}.`;
}
