// Every change that touches several keys is a Lua script in lib/store/lua/,
// one file each with a header naming its KEYS, ARGV and return values
// (BullMQ's src/commands style). They are read once when this module loads and
// defined on each connection once: ioredis sends the text once, then EVALSHA,
// and the text again after a NOSCRIPT (a Redis restarted or flushed).
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { storeOp, type Store } from './redis.ts';

const NAMES = [
  'release-locks',
  'extend-locks',
  'begin-change',
  'record-change',
  'create-agent',
  'update-agent',
  'rehash-pin',
  'bind-agent',
  'unbind-agent',
  'force-unbind',
  'count-pin-failure',
  'disallow-number',
] as const;

export type LuaScript = (typeof NAMES)[number];

const SOURCES = new Map<LuaScript, string>(NAMES.map((n) => [n, readFileSync(new URL(`./lua/${n}.lua`, import.meta.url), 'utf8')]));

const defined = new WeakMap<Redis, Set<LuaScript>>();

type Command = (numKeys: number, ...keysAndArgs: Array<string | number>) => Promise<unknown>;

/** Defines the script on the client (once) and returns its method name: agLua_<name>, a name space of our own. */
function define(redis: Redis, name: LuaScript): string {
  let mine = defined.get(redis);
  if (!mine) defined.set(redis, (mine = new Set()));
  const method = `agLua_${name.replaceAll('-', '_')}`;
  if (!mine.has(name)) {
    redis.defineCommand(method, { lua: SOURCES.get(name)! });
    mine.add(name);
  }
  return method;
}

function command(redis: Redis, name: LuaScript): Command {
  return (redis as unknown as Record<string, Command>)[define(redis, name)]!.bind(redis);
}

/** Runs one of the scripts; a Redis failure becomes StoreUnavailableError like every store operation. */
export function runLua(store: Store, name: LuaScript, keys: readonly string[], args: ReadonlyArray<string | number> = []): Promise<unknown> {
  return storeOp(name, () => command(store.redis, name)(keys.length, ...keys, ...args));
}
