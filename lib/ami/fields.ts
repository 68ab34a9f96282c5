// Reading typed values out of AMI headers (lower-case names, strings).
type Headers = Readonly<Record<string, string>>;

export function str(h: Headers, name: string): string {
  return h[name] ?? '';
}

/** Integers as app_queue prints them (%d); missing or malformed reads 0. */
export function int(h: Headers, name: string): number {
  const n = Number.parseInt(h[name] ?? '', 10);
  return Number.isFinite(n) ? n : 0;
}

/** Decimals such as ServicelevelPerf (%2.1f); missing or malformed reads 0. */
export function float(h: Headers, name: string): number {
  const n = Number.parseFloat(h[name] ?? '');
  return Number.isFinite(n) ? n : 0;
}

/** app_queue prints flags as 0/1 (Paused, InCall, Ringinuse). */
export function flag(h: Headers, name: string): boolean {
  const v = (h[name] ?? '').trim().toLowerCase();
  return v === '1' || v === 'true' || v === 'yes' || v === 'on';
}
