// The bench's own dialplan, added to the private Asterisk of
// test/asterisk/support (its FreePBX-shaped fixture and queue 8008 as FreePBX
// writes it) by an #include and a `dialplan reload`. Three extensions, one per
// thing measured, entered by Local channels the generator originates; every
// call ends in the same reporting step, a UserEvent with what the call decided.
// No Answer(): on a Local channel with no media it waits 500 ms for a first
// voice frame (channel.c, __ast_answer), which would be most of what is
// measured; AGI and the queue applications do not need an answered channel.
export const BENCH_QUEUE = '8008';
/** Where a call enters: Local/<exten>@agbench-calls. */
export const CALLS_CONTEXT = 'agbench-calls';
export const DONE_EVENT = 'AgbenchDone';
export type Extension = 'empty' | 'toggle' | 'dialplan';

/** The member interface a number gets: what agentgate adds with CONFIRM_ANSWER=off (MEMBER_CONTEXT outbound-allroutes). */
export const memberInterface = (number: string) => `Local/${number}@outbound-allroutes/n`;

export function benchExtensions(o: { emptyAgi: string; agentgate: string }): string {
  return `; agentgate bench (test/bench/asterisk): generated, removed with the run's temp dir.
[${CALLS_CONTEXT}]
; 1. The floor: a FastAGI session that does nothing.
exten => empty,1,AGI(agi://${o.emptyAgi}/noop)
 same => n,Goto(agbench-done,s,1)

; 2. agentgate's toggle, prompts off (the dialplan would play its own).
exten => toggle,1,AGI(agi://${o.agentgate}/queue-toggle?queue=${BENCH_QUEUE}&prompts=no)
 same => n,Goto(agbench-done,s,1)

; 3. The same toggle in dialplan alone: member of ${BENCH_QUEUE}? (QUEUE_MEMBER_LIST,
; searched with FIELDNUM) then RemoveQueueMember, else AddQueueMember.
; The list is read into a 4 KB buffer: about 100 members of this length.
exten => dialplan,1,Set(AGBENCH_IFACE=${memberInterface('${CALLERID(num)}')})
 same => n,Set(AGBENCH_LIST=\${QUEUE_MEMBER_LIST(${BENCH_QUEUE})})
 same => n,GotoIf($[\${FIELDNUM(AGBENCH_LIST,\\,,\${AGBENCH_IFACE})} > 0]?out)
 same => n,AddQueueMember(${BENCH_QUEUE},\${AGBENCH_IFACE},0,,Agent \${CALLERID(num)})
 same => n,Set(QUEUESTAT=\${IF($["\${AQMSTATUS}" = "ADDED"]?LOGGEDIN:ERROR)})
 same => n,Goto(agbench-done,s,1)
 same => n(out),RemoveQueueMember(${BENCH_QUEUE},\${AGBENCH_IFACE})
 same => n,Set(QUEUESTAT=\${IF($["\${RQMSTATUS}" = "REMOVED"]?LOGGEDOUT:ERROR)})
 same => n,Goto(agbench-done,s,1)

[agbench-done]
exten => s,1,UserEvent(${DONE_EVENT},Id: \${AGBENCH_ID},AgiStatus: \${AGISTATUS},Result: \${AGENTGATE_RESULT},QueueStat: \${QUEUESTAT},Error: \${AGENTGATE_ERROR},Number: \${CALLERID(num)})
 same => n,Hangup()
`;
}
