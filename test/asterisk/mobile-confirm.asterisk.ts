// Issue 13, proven on the real Asterisk: a mobile confirms a queue call with a
// key (a voicemail that answers at once never gets the customer), a mobile on a
// queue call is not rung for the next one, and a desk member follows its phone's
// hint (in use while on a call).
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AmiMessage } from './support/admin-ami.ts';
import { admin, asteriskMissing, useWorld } from './support/suite.ts';
import type { World } from './support/world.ts';

const VOICEMAIL = '79110000021';
const PERSON = '79110000022';
const DESK = '1002';
const ASKED = '79110000023';
const confirmed = (n: string) => `Local/${n}*outbound-allroutes@agentgate-confirm/n`;

describe.skipIf(asteriskMissing)('mobile members: confirm on answer, busy means busy', () => {
  const world = useWorld({
    env: { CONFIRM_ANSWER: 'on', MOBILE_RING_IN_USE: 'no', DESK_STATE_INTERFACE: 'hint:{ext}@ext-local' },
    setup: (w) => admin(w, { args: ['allow', 'add', '8008', VOICEMAIL] }, { args: ['allow', 'add', '8008', PERSON] }, { args: ['allow', 'add', '8008', DESK] }, { args: ['allow', 'add', '8008', ASKED] }),
  });

  it('a voicemail that answers at once never gets the customer; the person who presses 1 does, and is not rung for the next customer while talking', async () => {
    const w = world();
    await admin(w, { args: ['login', VOICEMAIL, '8008'] }, { args: ['login', PERSON, '8008'] });
    try {
      const ms = await w.waitMembers('8008', (m) => m.length === 2 && m.every((x) => x.status === 1));
      expect(ms.map((m) => m.interface).sort()).toEqual([confirmed(VOICEMAIL), confirmed(PERSON)]);
      // The voicemail answers and keys nothing; the person answers and presses 1 a second later.
      await w.phone(VOICEMAIL, 'answer', { holdSec: 8 });
      await w.phone(PERSON, 'answer', { holdSec: 20, dtmf: 'ww1' });
      const first = w.queueCall('8008', { until: () => false, timeoutMs: 16_000 });
      await w.waitMembers('8008', (m) => m.some((x) => x.interface === confirmed(PERSON) && x.status === 2), 10_000);
      // The second customer while the person talks: only the voicemail is tried.
      const second = await w.queueCall('8008', { from: '74950000002', until: () => false, timeoutMs: 5000 });
      const q = await first;
      expect(new Set(q.answered)).toEqual(new Set([VOICEMAIL, PERSON]));
      expect(q.events.filter((e) => e.Event === 'AgentConnect').map((e) => e.Interface)).toEqual([confirmed(PERSON)]);
      const called = second.events.filter((e) => e.Event === 'AgentCalled').map((e) => e.Interface);
      expect(called).toContain(confirmed(VOICEMAIL));
      expect(called).not.toContain(confirmed(PERSON));
      expect(second.events.filter((e) => e.Event === 'AgentConnect').map((e) => e.Interface)).not.toContain(confirmed(VOICEMAIL));
    } finally {
      await admin(w, { args: ['logout', VOICEMAIL] }, { args: ['logout', PERSON] });
    }
    expect(await w.members('8008')).toEqual([]);
  }, 90_000);

  it('a desk member follows its phone: in use while the desk is on a call', async () => {
    const w = world();
    await admin(w, { args: ['login', DESK, '8008', '--context', 'from-queue'] });
    try {
      const [m] = await w.waitMembers('8008', (x) => x.length === 1);
      expect(m).toMatchObject({ interface: `Local/${DESK}@from-queue/n`, stateInterface: `hint:${DESK}@ext-local` });
      await w.ami.setGlobal(`DEVICE_STATE(Custom:AGTESTDESK${DESK})`, 'INUSE');
      await w.waitMembers('8008', (x) => x[0]?.status === 2);
      await w.ami.setGlobal(`DEVICE_STATE(Custom:AGTESTDESK${DESK})`, 'NOT_INUSE');
      await w.waitMembers('8008', (x) => x[0]?.status === 1);
    } finally {
      await admin(w, { args: ['logout', DESK, '--context', 'from-queue'] });
    }
  }, 60_000);

  // FreePBX's queue "Call Confirm", as FreePBX 17 generates it (queues 17.0 functions.inc/dialplan.php,
  // core 17.0 functions.inc.php and Dialplan/macroConfirm.php). The queue sets on its caller, inherited
  // by every member channel: __FORCE_CONFIRM=${CHANNEL}, __ALT_CONFIRM_MSG, __CALLCONFIRMCID,
  // __QC_CONFIRM (and __BLKVM_CHANNEL via macro-blkvm-set). FreePBX asks nothing itself there: its
  // macro-dialout-trunk adds U(macro-confirm) to the trunk's Dial whenever FORCE_CONFIRM is set, so
  // the mobile, dialled by [agentgate-confirm] through outbound-allroutes, gets FreePBX's prompt.
  // Whether the queue has it on is the global AGTEST_CALLCONFIRM_8008 (the GUI's field: 1 or 0).
  // macro-confirm is its AST_FUNC_SHARED=off branch (func_shared is not installed here).
  const FREEPBX_ROUTE = ` same => n,Set(DIAL_TRUNK_OPTIONS=)
 same => n,ExecIf($["\${FORCE_CONFIRM}"!=""]?Set(DIAL_TRUNK_OPTIONS=\${DIAL_TRUNK_OPTIONS}U(macro-confirm)))
 same => n,Dial(Local/\${EXTEN}@agtest-trunk,300,\${DIAL_TRUNK_OPTIONS})
`;
  const FREEPBX_CALL_CONFIRM = `
[ext-queues]
exten => 8008,1,Answer()
 same => n,ExecIf($[!\${EXISTS(\${BLKVM_CHANNEL})}]?Set(__BLKVM_CHANNEL=\${CHANNEL}))
 same => n,Set(__NODEST=\${EXTEN})
 same => n,Set(__QC_CONFIRM=\${GLOBAL(AGTEST_CALLCONFIRM_8008)})
 same => n,GotoIf($[$["\${QC_CONFIRM}"="1"] | $[\${LEN(\${VQ_CONFIRMMSG})}>1]]?QVQANNOUNCE:NOQVQANNOUNCE)
 same => n(QVQANNOUNCE),Set(__FORCE_CONFIRM=\${CHANNEL})
 same => n,Set(__CALLCONFIRMCID=\${CALLERID(number)})
 same => n,Set(__ALT_CONFIRM_MSG=\${IF($[\${LEN(\${VQ_CONFIRMMSG})}>0]?\${IF($["\${VQ_CONFIRMMSG}"!="0"]?\${VQ_CONFIRMMSG}:default )}:default)})
 same => n(NOQVQANNOUNCE),Set(VQ_CONFIRMMSG=)
 same => n,Set(TIMEOUT(absolute)=60)
 same => n,Queue(\${EXTEN},r)
 same => n,ExecIf($["\${QC_CONFIRM}"="1"]?Set(__FORCE_CONFIRM=))
 same => n,ExecIf($["\${QC_CONFIRM}"="1"]?Set(__ALT_CONFIRM_MSG=))
 same => n,Hangup()

[macro-confirm]
exten => s,1,Set(LOOPCOUNT=0)
 same => n,Set(__MACRO_RESULT=ABORT)
 same => n,ExecIf($["\${ALT_CONFIRM_MSG}"="default"]?Set(ARG1=))
 same => n,ExecIf($["\${ALT_CONFIRM_MSG}"="default"]?Set(ALT_CONFIRM_MSG=))
 same => n,Set(MSG1=\${IF($["\${ARG1}\${ALT_CONFIRM_MSG}"=""]?incoming-call-1-accept-2-decline:\${IF($[\${LEN(\${ALT_CONFIRM_MSG})}>0]?\${ALT_CONFIRM_MSG}:\${ARG1})})})
 same => n(start),Background(\${MSG1},m,,macro-confirm)
 same => n,Read(INPUT,,1,,,4)
 same => n,GotoIf($[\${LEN(\${INPUT})} > 0]?\${INPUT},1:t,1)
exten => 1,1,GotoIf($["\${FORCE_CONFIRM}" != ""]?skip)
 same => n,GotoIf($["\${DB_EXISTS(RG/\${ARG3}/\${UNIQCHAN})}"="0"]?toolate,1)
 same => n,NoOp(DBdel, macro blkvm-clr)
 same => n(skip),Set(__MACRO_RESULT=)
 same => n,Return()
exten => 2,1,Goto(noanswer,1)
exten => t,1,GotoIf($["\${DB_EXISTS(RG/\${ARG3}/\${UNIQCHAN})}"="0" & "\${FORCE_CONFIRM}"=""]?toolate,1)
 same => n,Set(LOOPCOUNT=$[ \${LOOPCOUNT} + 1 ])
 same => n,GotoIf($[ \${LOOPCOUNT} < 5 ]?s,start:noanswer,1)
exten => noanswer,1,Set(__MACRO_RESULT=ABORT)
 same => n,Hangup()
exten => toolate,1,Playback(incoming-call-no-longer-avail)
 same => n,Set(__MACRO_RESULT=ABORT)
 same => n,Hangup()
`;

  // Turns the fixture's outbound route and queue 8008 into FreePBX's (above); returns the undo.
  async function freepbxCallConfirm(w: World): Promise<() => Promise<void>> {
    const conf = path.join(w.ast.dir, 'etc', 'extensions.conf');
    const original = readFileSync(conf, 'utf8');
    const trunkDial = ' same => n,Dial(Local/${EXTEN}@agtest-trunk,300)\n';
    if (!original.includes(trunkDial)) throw new Error(`the fixture's outrt-1 has no ${trunkDial.trim()}`);
    writeFileSync(conf, original.replace(trunkDial, FREEPBX_ROUTE) + FREEPBX_CALL_CONFIRM);
    // FreePBX's own prompt (its sound packages), with a core prompt standing in when this machine lacks it.
    const sounds = path.join(w.ast.dir, 'data', 'sounds', 'en');
    const prompt = path.join(sounds, 'incoming-call-1-accept-2-decline.gsm');
    if (existsSync(path.join(sounds, 'vm-press.gsm')) && !existsSync(prompt)) symlinkSync(path.join(sounds, 'vm-press.gsm'), prompt);
    await w.ami.action({ Action: 'ModuleLoad', Module: 'func_db.so', LoadType: 'load' });
    expect(await w.ast.cli('dialplan reload')).not.toMatch(/error/i);
    expect(await w.ast.cli('dialplan show 8008@ext-queues')).toContain('FORCE_CONFIRM');
    return async () => {
      writeFileSync(conf, original);
      await w.ast.cli('dialplan reload');
    };
  }

  // The prompts the mobile was asked to confirm with: FreePBX's (macro-confirm, on the trunk's
  // callee) and ours ([agentgate-confirm-answer], on the route's callee).
  const asked = (steps: AmiMessage[]) => ({
    freepbx: steps.filter((e) => e.Context === 'macro-confirm' && e.Application?.toLowerCase() === 'background').length,
    agentgate: steps.filter((e) => e.Context === 'agentgate-confirm-answer' && e.Application === 'Read').length,
  });

  for (const [callConfirm, expected] of [['1', { freepbx: 1, agentgate: 0 }], ['0', { freepbx: 0, agentgate: 1 }]] as const) {
    it(`FreePBX's queue Call Confirm ${callConfirm === '1' ? 'on: FreePBX asks on the trunk and [agentgate-confirm] does not' : 'off: only [agentgate-confirm] asks'}; the mobile is asked once and gets the customer with 1`, async () => {
      const w = world();
      const undo = await freepbxCallConfirm(w);
      const steps: AmiMessage[] = [];
      const onEvent = (e: AmiMessage) => {
        if (e.Event === 'Newexten') steps.push(e);
      };
      try {
        await w.ami.setGlobal('AGTEST_CALLCONFIRM_8008', callConfirm);
        await admin(w, { args: ['login', ASKED, '8008'] });
        await w.waitMembers('8008', (m) => m.length === 1 && m[0]!.interface === confirmed(ASKED) && m[0]!.status === 1);
        await w.phone(ASKED, 'answer', { holdSec: 6, dtmf: 'ww1' });
        w.ami.on('event', onEvent);
        const q = await w.queueCall('8008', { until: (r) => r.events.some((e) => e.Event === 'AgentConnect'), timeoutMs: 16_000 });
        await new Promise((r) => setTimeout(r, 300));
        w.ami.off('event', onEvent);
        expect(q.answered).toEqual([ASKED]);
        expect(q.events.filter((e) => e.Event === 'AgentConnect').map((e) => e.Interface)).toEqual([confirmed(ASKED)]);
        expect(asked(steps)).toEqual(expected);
        // How: the variables FreePBX's queue sets reach [agentgate-confirm] and, through its Dial, the trunk.
        const dial = (ctx: string) => steps.filter((e) => e.Context === ctx && e.Application === 'Dial').map((e) => e.AppData);
        if (callConfirm === '1') {
          expect(dial('agentgate-confirm')).toEqual([`Local/${ASKED}@outbound-allroutes,,`]);
          expect(dial('outbound-allroutes')).toEqual([`Local/${ASKED}@agtest-trunk,300,U(macro-confirm)`]);
          expect(steps.some((e) => e.Context === 'macro-confirm' && e.Extension === '1' && e.AppData === '__MACRO_RESULT=')).toBe(true);
        } else {
          expect(dial('agentgate-confirm')).toEqual([`Local/${ASKED}@outbound-allroutes,,U(agentgate-confirm-answer)`]);
          expect(dial('outbound-allroutes')).toEqual([`Local/${ASKED}@agtest-trunk,300,`]);
        }
      } finally {
        w.ami.off('event', onEvent);
        await admin(w, { args: ['logout', ASKED] });
        await undo();
      }
    }, 60_000);
  }
});
