import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function run(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether this machine lets the tests mount filesystems (root with CAP_SYS_ADMIN, as on the CI
 * machine so far). Decided once, by mounting a 1 MB tmpfs on a scratch directory.
 */
export const CAN_MOUNT: boolean = (() => {
  if (process.platform !== 'linux') return false;
  const probe = mkdtempSync(join(tmpdir(), 'newsroom-mount-probe-'));
  const mounted = run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe]);
  if (mounted) run('umount', [probe]);
  rmdirSync(probe);
  return mounted;
})();

/** Mounts a tmpfs of `megabytes` on `dir`: a disk that really fills up (ENOSPC). */
export function mountTmpfs(dir: string, megabytes: number): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m,mode=0700`, 'tmpfs', dir]);
}

/**
 * Makes `dir` read-only for everyone, root included (EROFS), the way a filesystem remounted
 * read-only is: a read-only bind mount of the directory on itself.
 */
export function bindReadOnly(dir: string): void {
  execFileSync('mount', ['--bind', dir, dir]);
  execFileSync('mount', ['-o', 'remount,bind,ro', dir]);
}

export function unmount(dir: string): void {
  execFileSync('umount', [dir]);
}
