// A V8 heap snapshot (.heapsnapshot JSON) summed up: self size and count by
// kind and constructor name (strings, closures, arrays, code, ... together per
// kind), and the retained size (dominator tree, weak edges ignored) of a few
// objects by constructor name. For heap-snapshot.ts, by hand.

export interface SnapshotSummary {
  total: number;
  /** `${type}\t${name}` -> count and self size. */
  groups: Map<string, { count: number; size: number }>;
  /** Retained sizes of the objects named in RETAINED_NAMES. */
  retained: Record<string, { count: number; median: number; total: number }>;
}

/** Per-session objects whose retained size is worth knowing. */
const RETAINED_NAMES = new Set(['AgiSession', 'AgiLink', 'AgiChannel', 'Socket', 'Context', 'Readable', 'ReadableState', 'WritableState', 'Pino', 'AgiLineReader', 'WireGuard']);

// Kinds whose objects are summed under one name (their names are the string values, code names, ...).
const BY_KIND = new Set(['string', 'concatenated string', 'sliced string', 'number', 'code', 'hidden', 'array', 'regexp', 'bigint', 'symbol']);

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] }; node_count: number };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export function summarizeSnapshot(json: string): SnapshotSummary {
  const s = JSON.parse(json) as Snapshot;
  const nf = s.snapshot.meta.node_fields;
  const ef = s.snapshot.meta.edge_fields;
  const NF = nf.length;
  const EF = ef.length;
  const iType = nf.indexOf('type');
  const iName = nf.indexOf('name');
  const iSize = nf.indexOf('self_size');
  const iEdges = nf.indexOf('edge_count');
  const eType = ef.indexOf('type');
  const eTo = ef.indexOf('to_node');
  const nodeTypes = s.snapshot.meta.node_types[0];
  const edgeTypes = s.snapshot.meta.edge_types[0];
  const weak = edgeTypes.indexOf('weak');
  const shortcut = edgeTypes.indexOf('shortcut');
  const n = s.nodes.length / NF;

  const groups = new Map<string, { count: number; size: number }>();
  let total = 0;
  const firstEdge = new Uint32Array(n + 1);
  for (let i = 0, e = 0; i < n; i++) {
    firstEdge[i] = e;
    e += s.nodes[i * NF + iEdges]! * EF;
    firstEdge[i + 1] = e;
    const type = nodeTypes[s.nodes[i * NF + iType]!] ?? '?';
    const size = s.nodes[i * NF + iSize]!;
    total += size;
    const name = BY_KIND.has(type) ? '' : s.strings[s.nodes[i * NF + iName]!] ?? '';
    const key = `${type}\t${name}`;
    const g = groups.get(key);
    if (g) {
      g.count++;
      g.size += size;
    } else groups.set(key, { count: 1, size });
  }

  // Dominators (Cooper, Harvey, Kennedy) over the graph from node 0, weak and shortcut edges left out.
  const order = new Int32Array(n).fill(-1); // postorder index
  const post: number[] = [];
  const stack: number[] = [0];
  const edgeCursor = new Uint32Array(n);
  order[0] = -2;
  for (let i = 0; i < n; i++) edgeCursor[i] = firstEdge[i]!;
  while (stack.length) {
    const v = stack[stack.length - 1]!;
    let pushed = false;
    while (edgeCursor[v]! < firstEdge[v + 1]!) {
      const e = edgeCursor[v]!;
      edgeCursor[v] = e + EF;
      const t = s.edges[e + eType]!;
      if (t === weak || t === shortcut) continue;
      const to = s.edges[e + eTo]! / NF;
      if (order[to] !== -1) continue;
      order[to] = -2;
      stack.push(to);
      pushed = true;
      break;
    }
    if (!pushed) {
      stack.pop();
      order[v] = post.length;
      post.push(v);
    }
  }
  // Predecessors of reachable nodes.
  const predCount = new Uint32Array(n + 1);
  for (let v = 0; v < n; v++) {
    if (order[v]! < 0) continue;
    for (let e = firstEdge[v]!; e < firstEdge[v + 1]!; e += EF) {
      const t = s.edges[e + eType]!;
      if (t === weak || t === shortcut) continue;
      predCount[s.edges[e + eTo]! / NF]!++;
    }
  }
  const predStart = new Uint32Array(n + 1);
  for (let v = 0; v < n; v++) predStart[v + 1] = predStart[v]! + predCount[v]!;
  const preds = new Uint32Array(predStart[n]!);
  const fill = predStart.slice(0, n);
  for (let v = 0; v < n; v++) {
    if (order[v]! < 0) continue;
    for (let e = firstEdge[v]!; e < firstEdge[v + 1]!; e += EF) {
      const t = s.edges[e + eType]!;
      if (t === weak || t === shortcut) continue;
      const to = s.edges[e + eTo]! / NF;
      preds[fill[to]!++] = v;
    }
  }
  const idom = new Int32Array(n).fill(-1);
  idom[0] = 0;
  const intersect = (a: number, b: number) => {
    while (a !== b) {
      while (order[a]! < order[b]!) a = idom[a]!;
      while (order[b]! < order[a]!) b = idom[b]!;
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let k = post.length - 1; k >= 0; k--) {
      const v = post[k]!;
      if (v === 0) continue;
      let d = -1;
      for (let p = predStart[v]!; p < predStart[v + 1]!; p++) {
        const u = preds[p]!;
        if (order[u]! < 0 || idom[u] === -1) continue;
        d = d === -1 ? u : intersect(u, d);
      }
      if (d !== -1 && idom[v] !== d) {
        idom[v] = d;
        changed = true;
      }
    }
  }
  const retainedSize = new Float64Array(n);
  for (const v of post) retainedSize[v]! += s.nodes[v * NF + iSize]!;
  for (const v of post) if (v !== 0 && idom[v]! >= 0) retainedSize[idom[v]!]! += retainedSize[v]!;

  const byName = new Map<string, number[]>();
  for (let v = 0; v < n; v++) {
    if (nodeTypes[s.nodes[v * NF + iType]!] !== 'object') continue;
    const name = s.strings[s.nodes[v * NF + iName]!] ?? '';
    if (!RETAINED_NAMES.has(name) || order[v]! < 0) continue;
    let list = byName.get(name);
    if (!list) byName.set(name, (list = []));
    list.push(retainedSize[v]!);
  }
  const retained: SnapshotSummary['retained'] = {};
  for (const [name, list] of byName) {
    list.sort((a, b) => a - b);
    retained[name] = { count: list.length, median: list[Math.floor(list.length / 2)]!, total: list.reduce((a, b) => a + b, 0) };
  }
  return { total, groups, retained };
}

/** What grew from `a` to `b`, biggest first. */
export function diffSummaries(a: SnapshotSummary, b: SnapshotSummary): Array<{ type: string; name: string; count: number; size: number }> {
  const out: Array<{ type: string; name: string; count: number; size: number }> = [];
  for (const [key, g] of b.groups) {
    const before = a.groups.get(key) ?? { count: 0, size: 0 };
    const [type = '', name = ''] = key.split('\t');
    out.push({ type, name, count: g.count - before.count, size: g.size - before.size });
  }
  return out.sort((x, y) => y.size - x.size);
}
