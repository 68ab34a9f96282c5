// Where a process's resident memory goes, in one snapshot (issue 15): V8's heap
// by space, what Node counts outside it (external, array buffers), and from
// /proc/self/smaps the resident pages by kind of mapping: the node binary and
// other mapped files (shared with every Node process), malloc's brk heap, and
// anonymous mappings (V8's heap pages, malloc's mmap arenas, thread stacks).
// `nativeOther` is what is anonymous and resident but not V8's heap nor array
// buffers: malloc'ed native memory (libuv, OpenSSL, zlib, V8's own metadata,
// compiled code caches), thread stacks, and freed pages malloc has not returned.
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';

export interface SpaceFigures {
  /** Reserved by V8 for this space (space_size). */
  size: number;
  used: number;
  /** Resident pages of the space (physical_space_size). */
  physical: number;
}

export interface MemoryBreakdown {
  /** VmRSS when taken. */
  rss: number;
  /** From /proc/self/status: RssAnon, RssFile, RssShmem. */
  rssAnon?: number;
  rssFile?: number;
  rssShmem?: number;
  heap: {
    used: number;
    total: number;
    /** Resident pages of the whole V8 heap (total_physical_size). */
    physical: number;
    /** V8's own malloc'ed memory (malloced_memory), outside the heap spaces. */
    malloced: number;
    /** Largest ever malloced by V8 (peak_malloced_memory). */
    peakMalloced: number;
  };
  /** Per V8 heap space: new_space is the young generation (two semi-spaces, one in use). */
  spaces: Record<string, SpaceFigures>;
  /** process.memoryUsage(): external (includes arrayBuffers) and arrayBuffers. */
  external: number;
  arrayBuffers: number;
  /** From /proc/self/smaps_rollup: Rss, Anonymous (private anonymous pages), Pss_Anon, Pss_File, Private_Dirty, ... */
  rollup?: Record<string, number>;
  /** Resident bytes from /proc/self/smaps by mapping kind (a longer read: taken when asked, not at every peak); undefined off Linux. */
  smaps?: SmapsSummary;
  /** Anonymous resident memory that is neither V8's heap nor array buffers (see above). */
  nativeOther?: number;
}

export interface SmapsSummary {
  /** Resident bytes by kind: 'node binary', 'other files', '[heap]' (malloc brk), '[stack]', 'anonymous', other [names]. */
  rssByKind: Record<string, number>;
  /** Sum of the Anonymous: lines (private anonymous pages, brk heap included). */
  anonymous: number;
  /** Rss of mappings backed by a file. */
  fileBacked: number;
  /** Anonymous mappings of >= 1 MB resident, as count and bytes: V8 pages and malloc arenas are most of these. */
  bigAnonMappings: { count: number; rss: number };
  /** Resident bytes of anonymous mappings of exactly 256 KB: V8's heap pages (regular pages are 256 KB mappings of their own). */
  pages256: number;
  /** Resident bytes of the other unnamed anonymous mappings under 1 MB. */
  otherAnon: number;
}

function statusFields(): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const m of readFileSync('/proc/self/status', 'utf8').matchAll(/^(\w+):\s+(\d+) kB$/gm)) out[m[1]!] = Number(m[2]) * 1024;
  } catch {
    // not Linux
  }
  return out;
}

/** Resident memory by mapping kind from /proc/self/smaps (a few ms for a Node process). */
export function smapsSummary(): SmapsSummary | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/self/smaps', 'utf8');
  } catch {
    return undefined;
  }
  const rssByKind: Record<string, number> = {};
  let anonymous = 0;
  let fileBacked = 0;
  const big = { count: 0, rss: 0 };
  let pages256 = 0;
  let otherAnon = 0;
  let size = 0;
  let kind = 'anonymous';
  let isFile = false;
  for (const line of text.split('\n')) {
    // A mapping header: "start-end perms offset dev inode [path]".
    const header = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ (\d+)\s*(.*)$/.exec(line);
    if (header) {
      size = parseInt(header[2]!, 16) - parseInt(header[1]!, 16);
      const name = header[4] ?? '';
      isFile = name.startsWith('/') && header[3] !== '0';
      if (isFile) kind = name === process.execPath || name.endsWith('/node') ? 'node binary' : 'other files';
      else kind = name === '' ? 'anonymous' : name.startsWith('[stack') ? '[stack]' : name;
      continue;
    }
    const field = /^(Rss|Anonymous):\s+(\d+) kB$/.exec(line);
    if (!field) continue;
    const bytes = Number(field[2]) * 1024;
    if (field[1] === 'Rss') {
      rssByKind[kind] = (rssByKind[kind] ?? 0) + bytes;
      if (isFile) fileBacked += bytes;
      else if (kind === 'anonymous' && bytes >= 2 ** 20) {
        big.count++;
        big.rss += bytes;
      } else if (kind === 'anonymous' && size === 256 * 1024) pages256 += bytes;
      else if (kind === 'anonymous') otherAnon += bytes;
    } else {
      anonymous += bytes;
    }
  }
  return { rssByKind, anonymous, fileBacked, bigAnonMappings: big, pages256, otherAnon };
}

function rollupFields(): Record<string, number> | undefined {
  try {
    const out: Record<string, number> = {};
    for (const m of readFileSync('/proc/self/smaps_rollup', 'utf8').matchAll(/^(\w+):\s+(\d+) kB$/gm)) out[m[1]!] = Number(m[2]) * 1024;
    return out;
  } catch {
    return undefined;
  }
}

/** The breakdown now; `withSmaps` adds the per-mapping-kind summary of /proc/self/smaps (a few ms). */
export function memoryBreakdown(withSmaps = false): MemoryBreakdown {
  const status = statusFields();
  const mem = process.memoryUsage();
  const h = v8.getHeapStatistics();
  const spaces: Record<string, SpaceFigures> = {};
  for (const s of v8.getHeapSpaceStatistics()) {
    if (s.space_size === 0 && s.physical_space_size === 0) continue;
    spaces[s.space_name] = { size: s.space_size, used: s.space_used_size, physical: s.physical_space_size };
  }
  const smaps = withSmaps ? smapsSummary() : undefined;
  const rollup = rollupFields();
  const anon = status.RssAnon ?? rollup?.Anonymous;
  return {
    rss: status.VmRSS ?? mem.rss,
    rssAnon: status.RssAnon,
    rssFile: status.RssFile,
    rssShmem: status.RssShmem,
    heap: {
      used: h.used_heap_size,
      total: h.total_heap_size,
      physical: h.total_physical_size,
      malloced: h.malloced_memory,
      peakMalloced: h.peak_malloced_memory,
    },
    spaces,
    external: mem.external,
    arrayBuffers: mem.arrayBuffers,
    rollup,
    smaps,
    nativeOther: anon === undefined ? undefined : anon - h.total_physical_size - mem.arrayBuffers,
  };
}

const mb = (n: number | undefined) => (n === undefined ? 'n/a' : (n / 2 ** 20).toFixed(1));

/** One line for the report: `rss 231 = anon 171 (V8 heap 80: new 32, old 40, code 4; buffers 1; native 60) + file 60`. */
export function breakdownLine(b: MemoryBreakdown): string {
  const s = (name: string) => b.spaces[name]?.physical;
  const young = (s('new_space') ?? 0) + (s('new_large_object_space') ?? 0);
  const old = (s('old_space') ?? 0) + (s('large_object_space') ?? 0) + (s('trusted_space') ?? 0) + (s('trusted_large_object_space') ?? 0);
  const code = (s('code_space') ?? 0) + (s('code_large_object_space') ?? 0);
  const rest = b.heap.physical - young - old - code;
  return [
    `RSS ${mb(b.rss)} MB = anonymous ${mb(b.rssAnon)} + file-backed ${mb(b.rssFile)}`,
    `V8 heap resident ${mb(b.heap.physical)} (used ${mb(b.heap.used)} of ${mb(b.heap.total)}): young ${mb(young)}, old ${mb(old)}, code ${mb(code)}, other spaces ${mb(rest)}`,
    `array buffers ${mb(b.arrayBuffers)} (external ${mb(b.external)})`,
    `native, outside the heap ${mb(b.nativeOther)} (V8 malloced ${mb(b.heap.malloced)})`,
    ...(b.smaps ? [`of the file-backed, node binary ${mb(b.smaps.rssByKind['node binary'])}; malloc brk heap ${mb(b.smaps.rssByKind['[heap]'])} (smaps at the window's end)`] : []),
  ].join('; ');
}
