// The one order for sorting names in lists (queues, interfaces, numbers, agent
// ids): by UTF-16 code unit, the same on every machine and locale, and the
// order queueNames() already had. String.prototype.localeCompare goes through
// ICU collation: several times slower in the live model's hot path, and its
// tables cost the service 3 to 8 MB of resident memory (the node binary's
// pages it touches). What an API client sees changed with it (the README's
// admin API section says how): `Local/2010@...` before `Local/201@...`, and
// upper case, digits and punctuation ordered by their codes.
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
