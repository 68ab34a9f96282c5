import type { Config } from './config.ts';
import { InvalidNumberError } from './errors.ts';

// A caller ID is text the caller controls (a SIP display name, a CNAM lookup,
// a spoofed From). Only a canonical string of digits leaves this module, so
// nothing else in agentgate has to think about what a caller ID might hold.

export interface NumberRules {
  rewrite: Array<{ pattern: RegExp; replacement: string }>;
  minDigits: number;
  maxDigits: number;
}

export function compileNumberRules(cfg: Config['numbers']): NumberRules {
  return {
    rewrite: cfg.rewrite.map((rule) => {
      const [pattern = '', replacement = ''] = rule.split('=>');
      return { pattern: new RegExp(pattern), replacement };
    }),
    minDigits: cfg.minDigits,
    maxDigits: cfg.maxDigits,
  };
}

// What Asterisk and carriers put in the caller ID when there is no number.
const WITHHELD = /^(anonymous|unknown|unavailable|restricted|private|withheld|blocked|asterisk)$/i;

/**
 * The canonical form: digits only, international without `+` or `00`
 * (`+7 (911) 222-33-44` -> `79112223344`), then the configured rewrite
 * rules in order (e.g. `^8(\d{10})$=>7$1` turns a Russian national form into
 * the international one). Throws InvalidNumberError for anything else.
 */
export function canonicalNumber(raw: string, rules: NumberRules): string {
  if (/[\x00-\x1f\x7f]/.test(raw)) throw new InvalidNumberError('caller ID holds control characters');
  const trimmed = raw.trim();
  if (trimmed === '') throw new InvalidNumberError('no caller ID');
  if (WITHHELD.test(trimmed)) throw new InvalidNumberError(`caller ID withheld (${trimmed.toLowerCase()})`);
  // Formatting people and carriers add: spaces, dashes, dots, parentheses.
  const compact = trimmed.replace(/[\s().-]/g, '');
  if (!/^\+?\d+$/.test(compact)) throw new InvalidNumberError('caller ID is not a phone number');
  let n = compact.replace(/^\+/, '').replace(/^00(?=\d)/, '');
  for (const { pattern, replacement } of rules.rewrite) n = n.replace(pattern, replacement);
  if (!/^\d+$/.test(n)) throw new InvalidNumberError('a rewrite rule produced something that is not digits');
  if (n.length < rules.minDigits || n.length > rules.maxDigits) {
    throw new InvalidNumberError(`number must have ${rules.minDigits} to ${rules.maxDigits} digits`);
  }
  return n;
}
