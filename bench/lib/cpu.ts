import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticksPerSecond: number | null = null;

/**
 * The CPU time (user + system) a process has used so far, in microseconds, from
 * /proc/<pid>/stat (proc(5): fields 14 utime and 15 stime, in clock ticks of
 * sysconf(_SC_CLK_TCK), read once with `getconf CLK_TCK`). Linux only; the resolution is one
 * tick (10 ms at the usual 100 Hz), so measure over windows of seconds.
 * Throws when the process is gone or /proc is not there.
 */
export function processCpuMicros(pid: number): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its ")".
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so utime (14) and stime (15) are fields[11] and fields[12].
  return ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1e6;
}

/** Runs `work` and returns its result with the CPU time (µs) process `pid` used meanwhile. */
export async function cpuDuring<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; cpuMicros: number }> {
  const before = processCpuMicros(pid);
  const result = await work();
  return { result, cpuMicros: processCpuMicros(pid) - before };
}

/**
 * The CPU time (user + system, µs) of each thread of process `pid` so far, by thread id, from
 * /proc/<pid>/task/<tid>/stat (the same fields as processCpuMicros). A thread that ends while
 * this reads is left out. Linux only. Node names none of its threads, so callers tell them by
 * id: the main thread's id is the pid, V8's platform threads (GC and compiler tasks) come right
 * after it, worker threads later, in the order the server starts them.
 */
export function threadCpuMicros(pid: number): Map<number, number> {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const threads = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    threads.set(Number(tid), ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1e6);
  }
  return threads;
}
