// queues.conf as app_queue reads it, for the settings AMI does not report
// (QueueStatus gives the strategy only): [general] persistentmembers, and each
// queue's ringinuse and timeout. FreePBX writes the queues into
// queues_additional.conf, #included from queues.conf.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export type Sections = Map<string, Map<string, string>>;

/** Parses a config text; `include` reads an #include'd file (undefined: missing). */
export function parseConf(text: string, include: (file: string) => string | undefined, into: Sections = new Map(), depth = 0, current = { name: '' }): Sections {
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|[^\\]);.*$/, '$1').trim();
    if (!line) continue;
    const inc = /^#(try)?include\s+"?([^"]+?)"?$/.exec(line);
    if (inc) {
      const body = depth < 10 ? include(inc[2]!) : undefined;
      if (body !== undefined) parseConf(body, include, into, depth + 1, current);
      continue;
    }
    const section = /^\[([^\]]+)\]/.exec(line);
    if (section) {
      // Queue names are found without case (app_queue); templates' (!) and (tpl) are cut off.
      current.name = section[1]!.trim().toLowerCase();
      if (!into.has(current.name)) into.set(current.name, new Map());
      continue;
    }
    const kv = /^([^=]+?)\s*=>?\s*(.*)$/.exec(line);
    if (kv && current.name) into.get(current.name)!.set(kv[1]!.trim().toLowerCase(), kv[2]!.trim());
  }
  return into;
}

/** Reads <dir>/queues.conf with its includes; undefined when it cannot be read. */
export function readQueuesConf(dir: string): Sections | undefined {
  const read = (file: string): string | undefined => {
    try {
      return readFileSync(path.isAbsolute(file) ? file : path.join(dir, file), 'utf8');
    } catch {
      return undefined;
    }
  };
  const main = read('queues.conf');
  return main === undefined ? undefined : parseConf(main, read);
}

/** ast_true of main/utils.c. */
export function isTrue(v: string | undefined): boolean {
  return v !== undefined && /^(yes|true|y|t|1|on)$/i.test(v.trim());
}
