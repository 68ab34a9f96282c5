// What Linux knows about a process that Node does not report: peak RSS (and
// resetting it between phases), the CPU of reaped children, open descriptors.
// Everything degrades to undefined off Linux rather than failing the run.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

function statusText(pid: number | 'self'): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
}

function fieldOf(text: string | undefined, field: string): number | undefined {
  const m = text === undefined ? null : new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(text);
  return m ? Number(m[1]) * 1024 : undefined;
}

function statusField(pid: number | 'self', field: string): number | undefined {
  return fieldOf(statusText(pid), field);
}

/**
 * RSS and its private (anonymous) part now, in bytes, from one read of
 * /proc/self/status: for the 20 ms sampler inside the process under test,
 * whose CPU is counted as the process's own.
 */
export function residentBytes(): { rss?: number; anon?: number } {
  const text = statusText('self');
  return { rss: fieldOf(text, 'VmRSS'), anon: fieldOf(text, 'RssAnon') };
}

/** Resident set size now, in bytes. */
export function rssBytes(pid: number | 'self' = 'self'): number | undefined {
  return statusField(pid, 'VmRSS');
}

/** Private (anonymous) resident memory now, in bytes: RSS without the mapped files (the node binary's pages, shared by every Node process). */
export function privateRssBytes(pid: number | 'self' = 'self'): number | undefined {
  return statusField(pid, 'RssAnon');
}

/** Peak resident set size since start or since the last resetPeakRss(), in bytes. */
export function peakRssBytes(pid: number | 'self' = 'self'): number | undefined {
  return statusField(pid, 'VmHWM');
}

/** Resets VmHWM to the current RSS (Linux 4.0+, `5` to clear_refs). False when not allowed. */
export function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * CPU time in ms of this process's reaped children (cutime + cstime): what
 * processes spawned per call cost, counting their exec and start-up.
 */
export function childrenCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cutime = Number(rest[13]);
    const cstime = Number(rest[14]);
    return ((cutime + cstime) * 1000) / ticksPerSecond();
  } catch {
    return undefined;
  }
}

/**
 * CPU time in ms (utime + stime, all threads) of another process by its pid,
 * from /proc/<pid>/stat: what a process the runner did not fork (Asterisk,
 * daemonized) spends. Undefined when it is gone or off Linux.
 */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(rest[11]) + Number(rest[12])) * 1000) / ticksPerSecond();
  } catch {
    return undefined;
  }
}

/** Open descriptors of this process by kind: socket, pipe, file, other. */
export function openDescriptors(): Record<string, number> | undefined {
  try {
    const out: Record<string, number> = {};
    for (const fd of readdirSync('/proc/self/fd')) {
      let target: string;
      try {
        target = readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        continue; // closed while we looked (the readdir's own descriptor)
      }
      const kind = target.startsWith('socket:') ? 'socket' : target.startsWith('pipe:') ? 'pipe' : target.startsWith('/') ? 'file' : 'other';
      out[kind] = (out[kind] ?? 0) + 1;
    }
    return out;
  } catch {
    return undefined;
  }
}

/** Node's own count of live handles and requests by type (TCPSocketWrap, Timeout, ...). */
export function activeResources(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) out[r] = (out[r] ?? 0) + 1;
  return out;
}
