/**
 * @module scripts/lib/proc — what the benchmarks read about processes from Linux's /proc: memory
 * (VmRSS, VmHWM), CPU time, and the workerd processes Miniflare started under this one.
 */
import { readdir, readFile } from 'node:fs/promises';

/** A memory field of /proc/<pid>/status in bytes; 0 once the process is gone. */
export async function procMemory(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}

/** utime + stime of a process in ms (/proc/<pid>/stat fields 14 and 15, clock ticks of 10 ms). */
export async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  if (!stat) return 0;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * Minor page faults of a process (/proc/<pid>/stat field 10): fresh memory touched. On a VM
 * each costs microseconds, so a path that allocates fresh buffers per request shows here.
 */
export async function minorFaults(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  if (!stat) return 0;
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);
}

/** Children of every process, from /proc/<pid>/stat (field 4 is the parent pid). */
export async function childrenMap(): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>();
  for (const d of await readdir('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const stat = await readFile(`/proc/${d}/stat`, 'utf8').catch(() => '');
    const m = /\) \S+ (\d+)/.exec(stat);
    if (!m) continue;
    const ppid = Number(m[1]);
    const list = out.get(ppid) ?? [];
    list.push(Number(d));
    out.set(ppid, list);
  }
  return out;
}

/** workerd processes started by this process (Miniflare spawns them as children). */
export async function workerdPids(): Promise<number[]> {
  const kids = await childrenMap();
  const out: number[] = [];
  for (const p of kids.get(process.pid) ?? []) {
    const comm = await readFile(`/proc/${p}/comm`, 'utf8').catch(() => '');
    if (comm.trim().startsWith('workerd')) out.push(p);
  }
  return out;
}

/** CPU time, ms, that the workerd processes under this one have used. */
export async function workerdCpuMs(): Promise<number> {
  let ms = 0;
  for (const pid of await workerdPids()) ms += await cpuMs(pid);
  return ms;
}

/** Minor page faults of the workerd processes under this one. */
export async function workerdMinorFaults(): Promise<number> {
  let n = 0;
  for (const pid of await workerdPids()) n += await minorFaults(pid);
  return n;
}
