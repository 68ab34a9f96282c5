// The prompts as this Asterisk has them installed (the other files stand in
// for FreePBX's extra sounds where this machine lacks them; this one does not).
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findInstall } from './support/binary.ts';
import { admin, asteriskMissing, useWorld } from './support/suite.ts';

const installed = (prompt: string): boolean => {
  const datadir = asteriskMissing ? undefined : findInstall()?.datadir;
  if (!datadir) return false;
  const dir = path.join(datadir, 'sounds', 'en', path.dirname(prompt));
  return existsSync(dir) && readdirSync(dir).some((f) => f.startsWith(`${path.basename(prompt)}.`));
};

// The README says the prompts are Asterisk's core sounds, but
// an-error-has-occurred is one of the extra sounds (FreePBX installs those).
// Without it Asterisk answers the STREAM FILE with result=-1, res_agi then ends
// the AGI with AGISTATUS=FAILURE, and the shipped dialplan logs "service
// unreachable" for what was an ERROR, and plays the missing file again: the
// caller hears nothing. A product defect where only the core sounds are
// installed (this machine's case when this test is marked failing).
const errorPromptMissing = !installed('an-error-has-occurred');

describe.skipIf(asteriskMissing)('prompts with the sounds this Asterisk has', () => {
  const world = useWorld({ sounds: 'installed', setup: (w) => admin(w, { args: ['allow', 'add', '8008', '79112223344'] }) });

  it('every prompt the service plays on success and refusal is installed', () => {
    const prompts = ['agent-loginok', 'agent-loggedoff', 'pbx-invalid', 'agent-user', 'agent-pass', 'agent-incorrect', 'agent-alreadyon',
      'agent-newlocation', 'dictate/pause', 'activated', 'de-activated', 'digits/1'];
    expect(prompts.filter((p) => !installed(p))).toEqual([]);
  });

  (errorPromptMissing ? it.fails : it)('an ERROR reaches the dialplan as an ERROR (AGISTATUS=SUCCESS) and the caller hears "an error has occurred"', async () => {
    const w = world();
    const cut = await w.cutServiceAmi();
    try {
      const c = await w.call({ context: 'agentgate-toggle', exten: '8008', from: '79112223344' });
      expect(c.vars).toMatchObject({ AGENTGATE_RESULT: 'ERROR', AGISTATUS: 'SUCCESS' });
      expect(w.ast.log()).not.toMatch(/File an-error-has-occurred does not exist/);
    } finally {
      await cut.restore();
    }
  });
});
