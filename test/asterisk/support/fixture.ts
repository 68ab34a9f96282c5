// The configuration of the private Asterisk: a small FreePBX in shape (the
// contexts, queue fields and include order FreePBX 16/17 generate) around the
// project's shipped dialplan/*.conf, which are #included unchanged. No SIP:
// phones and trunks are Local channels into contexts the test drives.
import path from 'node:path';

export const REPO = path.resolve(import.meta.dirname, '../../..');
export const SHIPPED = {
  extensions: path.join(REPO, 'dialplan/extensions_custom.conf'),
  manager: path.join(REPO, 'dialplan/manager_custom.conf'),
  queues: path.join(REPO, 'dialplan/queues_custom.conf'),
};

/** Desk extensions of the fixture (ext-local, with hints). */
export const DESKS = ['1001', '1002', '1003', '1004'];
/** 1004 is a static member of 8009, as FreePBX writes static agents. */
export const STATIC_DESK = '1004';
/** Queues with names long enough that their list does not fit one AGI line (about 2 KB). */
export const LONG_QUEUES = Array.from({ length: 36 }, (_, i) => `agtest-a-queue-with-a-rather-long-descriptive-name-number-${String(i + 1).padStart(2, '0')}`);
/** The supervisors' PIN for Authenticate() in [agentgate-supervisor]. */
export const SUPERVISOR_PIN = '2468';
export const ADMIN_USER = 'agtest-admin';

export interface FixtureOptions {
  dir: string;
  moddir: string;
  /** A timing module (res_timing_*) is installed and loaded. */
  timer: boolean;
  datadir: string;
  amiPort: number;
  /** host:port of the service's FastAGI: the AGENTGATE global. */
  agentgate: string;
  adminSecret: string;
}

const q = (p: string) => JSON.stringify(p);

export function asteriskConf(o: FixtureOptions): string {
  const d = (sub: string) => path.join(o.dir, sub);
  return `[directories]
astetcdir => ${d('etc')}
astmoddir => ${o.moddir}
astvarlibdir => ${d('lib')}
astdbdir => ${d('db')}
astkeydir => ${d('keys')}
astdatadir => ${o.datadir}
astagidir => ${d('agi-bin')}
astspooldir => ${d('spool')}
astrundir => ${d('run')}
astlogdir => ${d('log')}
astcachedir => ${d('cache')}

[options]
verbose = 3
debug = 0
nocolor = yes
dumpcore = no
hideconnect = yes
transcode_via_sln = yes
${o.timer ? '' : `; No timing module: Asterisk 22 then crashes in __ast_read (channel.c, ast_timer_disable_continuous
; on a NULL timer) when DTMF it is emulating meets more DTMF. Emulation starts for digits that look
; shorter than this minimum, which a busy machine makes likely; 0 turns that off.
mindtmfduration = 0
`}`;
}

// Only what the shipped dialplan, FreePBX's shape and the test's own contexts
// use; everything else stays unloaded.
export const MODULES = [
  'pbx_config', 'res_speech', 'res_agi', 'app_queue', 'app_dial', 'app_senddtmf', 'app_playback', 'app_authenticate',
  'app_exec', 'app_verbose', 'app_userevent', 'app_read', 'app_stack', 'func_cut', 'func_callerid', 'func_logic', 'func_global', 'func_devstate', 'func_strings',
  'func_timeout', 'codec_gsm', 'format_gsm', 'bridge_simple',
];

/** Timing modules, best first; FreePBX systems have res_timing_timerfd. */
export const TIMING_MODULES = ['res_timing_timerfd', 'res_timing_pthread'];

export function modulesConf(timing: string | undefined): string {
  return `[modules]\nautoload = no\n${[...MODULES, ...(timing ? [timing] : [])].map((m) => `load = ${m}.so`).join('\n')}\n`;
}

export function loggerConf(): string {
  return `[general]
dateformat = %F %T.%3q
[logfiles]
full => notice,warning,error,verbose,dtmf
`;
}

export function managerConf(o: FixtureOptions): string {
  return `[general]
enabled = yes
port = ${o.amiPort}
bindaddr = 127.0.0.1
displayconnects = no

; The service's user: the shipped section, unchanged.
#include ${q(SHIPPED.manager)}

; The test's own user: every right, to place calls and watch everything.
[${ADMIN_USER}]
secret = ${o.adminSecret}
deny = 0.0.0.0/0.0.0.0
permit = 127.0.0.1/255.255.255.255
read = all
write = all
; Events are many while calls run; never drop this session for a slow read.
writetimeout = 10000
`;
}

// FreePBX's queue fields (queues_additional.conf) for a queue with ring
// strategy "ringall", agent timeout 15 and the default "Skip Busy Agents: No",
// which is what writes ringinuse=yes.
function freepbxQueue(name: string, members: string[] = []): string {
  return `[${name}]
announce-frequency=0
announce-holdtime=no
announce-position=no
autofill=no
autopause=no
autopausebusy=no
autopausedelay=0
autopauseunavail=no
joinempty=yes
leavewhenempty=no
maxlen=0
memberdelay=0
penaltymemberslimit=0
periodic-announce-frequency=0
reportholdtime=no
retry=1
ringinuse=yes
servicelevel=60
strategy=ringall
timeout=15
timeoutpriority=app
timeoutrestart=no
weight=0
wrapuptime=0
${members.map((m) => `member=${m}`).join('\n')}
`;
}

export function queuesConf(): string {
  return `; FreePBX's queues.conf: [general] with its generated settings, then the
; custom file, then the generated queues.
[general]
persistentmembers=yes
autofill=no
monitor-type=MixMonitor
shared_lastcall=yes
log_membername_as_agent=no
updatecdr=no

#include ${q(SHIPPED.queues)}

${freepbxQueue('8008')}
${freepbxQueue('8009', [`Local/${STATIC_DESK}@from-queue/n,0`])}
${freepbxQueue('Sales')}
${LONG_QUEUES.map((n) => freepbxQueue(n)).join('\n')}`;
}

export function extensionsConf(o: FixtureOptions): string {
  return `[general]
static = yes
writeprotect = yes
clearglobalvars = no

[globals]
; FreePBX: globals_custom.conf, as the README's setup says.
AGENTGATE = ${o.agentgate}

; ----- The shipped dialplan, unchanged (FreePBX: extensions_custom.conf) -----
#include ${q(SHIPPED.extensions)}

; ----- FreePBX's shape -----
; A phone's context: feature codes first, then extensions, then outbound routes.
[from-internal]
include => from-internal-custom
include => ext-local
include => outbound-allroutes

; The interface FreePBX gives dynamic members, Local/<ext>@from-queue/n: the
; call goes on to the extension (or number) as if a phone had dialled it.
[from-queue]
exten => _.,1,Set(QAGENT=\${EXTEN})
 same => n,Set(__FROMQ=true)
 same => n,Goto(from-internal,\${QAGENT},1)

; Desk extensions with hints (FreePBX: PJSIP/<ext>&Custom:DND<ext>).
[ext-local]
${DESKS.map((e) => `exten => ${e},hint,Custom:AGTESTDESK${e}`).join('\n')}
exten => _10XX,1,Dial(Local/\${EXTEN}@agtest-phone,30)
 same => n,GotoIf($["\${DIALSTATUS}" = "BUSY"]?busy)
 same => n,Hangup()
 same => n(busy),Busy(3)

; Outbound routes: one route for mobile numbers over one trunk (FreePBX:
; macro-dialout-trunk, Dial(PJSIP/<number>@trunk)). The trunk is a Local
; channel to the far end the test plays.
[outbound-allroutes]
include => outrt-1
exten => foo,1,NoOp(bar)

[outrt-1]
exten => _7XXXXXXXXXX,1,NoOp(route mobiles: \${EXTEN})
 same => n,Dial(Local/\${EXTEN}@agtest-trunk,300)
 same => n,GotoIf($["\${DIALSTATUS}" = "BUSY"]?busy)
 same => n,Congestion(3)
 same => n(busy),Busy(3)

; Queues as FreePBX dials them (ext-queues); "r": ringing instead of music.
; With FreePBX's queue-toggle hints for phone keys, *45<dev>*<queue>, on the
; lamps agentgate sets (BLF_SCHEME=freepbx).
[ext-queues]
${DESKS.map((e) => `exten => *45${e}*8008,hint,Custom:QUEUE${e}*8008`).join('\n')}
exten => _X.,1,Answer()
 same => n,Set(__NODEST=\${EXTEN})
 same => n,Set(TIMEOUT(absolute)=60)
 same => n,Queue(\${EXTEN},r)
 same => n,Hangup()

; ----- The test's side: the far end of the trunk, phones, callers -----
[agtest-trunk]
exten => _X.,1,Goto(agtest-phone,\${EXTEN},1)

; A phone the test controls with the global AGTEST_PHONE_<number>:
; answer (default), busy, noanswer. It rings half a second before answering,
; keys AGTEST_DTMF_<number> when set, and hangs up after AGTEST_HOLD_<number>
; seconds (default 2).
[agtest-phone]
exten => _X.,1,Set(MODE=\${GLOBAL(AGTEST_PHONE_\${EXTEN})})
 same => n,UserEvent(AgtestRing,Number: \${EXTEN},Mode: \${MODE})
 same => n,GotoIf($["\${MODE}" = "busy"]?busy)
 same => n,GotoIf($["\${MODE}" = "noanswer"]?noanswer)
 same => n,Ringing()
 same => n,Wait(0.5)
 same => n,Answer()
 same => n,UserEvent(AgtestAnswer,Number: \${EXTEN})
 same => n,ExecIf($["\${GLOBAL(AGTEST_DTMF_\${EXTEN})}" != ""]?SendDTMF(\${GLOBAL(AGTEST_DTMF_\${EXTEN})},200,100))
 same => n,Wait(\${IF($["\${GLOBAL(AGTEST_HOLD_\${EXTEN})}" = ""]?2:\${GLOBAL(AGTEST_HOLD_\${EXTEN})})})
 same => n,Hangup()
 same => n(busy),Busy(3)
 same => n(noanswer),Ringing()
 same => n,Wait(40)

; The calling side of every test call: waits. When the far side asks for
; digits the test redirects it to k<digits>, and it keys them with SendDTMF.
[agtest-caller]
exten => s,1,Set(TIMEOUT(absolute)=90)
 same => n,Wait(90)
exten => _k.,1,SendDTMF(\${EXTEN:1},200,100)
 same => n,UserEvent(AgtestKeyed,Digits: \${EXTEN:1})
 same => n,Wait(90)

; IVR options and Custom Destinations pointing at the shipped contexts, as the
; README and the shipped file's comments describe them.
[agtest-ivr]
exten => _X.,1,Goto(agentgate-toggle,\${EXTEN},1)
exten => multi,1,Set(AGENTGATE_QUEUELIST=8008,8009)
 same => n,Goto(agentgate-toggle-multi,s,1)
exten => agent,1,Goto(agentgate-agent,s,1)
exten => supervisor,1,Goto(agentgate-supervisor,s,1)

; The scripts the shipped dialplan does not call, as the README shows them:
; AGI(agi://\${AGENTGATE}/<script>?<query>) with AGTEST_AGI=<script>?<query>.
[agtest-scripts]
exten => s,1,Answer()
 same => n,AGI(agi://\${AGENTGATE}/\${AGTEST_AGI})
 same => n,Hangup()
; The README's script table: a queue list written in the dialplan.
exten => two-queues,1,Answer()
 same => n,AGI(agi://\${AGENTGATE}/queue-login?queue=8008,8009)
 same => n,Hangup()
`;
}
