// (c) The toggle's AGI dialogue as a classic AGI script written in Node: one
// process per call, the environment on stdin until an empty line, one command
// per line on stdout, Asterisk's reply on stdin. Plain JavaScript, no
// dependencies. Like the floor, it takes the outcome from agi_arg_1 and does no
// AMI or Redis work at all.
const lines = [];
const waiting = [];
let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffered += chunk;
  let nl;
  while ((nl = buffered.indexOf('\n')) >= 0) {
    const line = buffered.slice(0, nl);
    buffered = buffered.slice(nl + 1);
    const w = waiting.shift();
    if (w) w(line);
    else lines.push(line);
  }
});
process.stdin.on('end', () => {
  for (const w of waiting.splice(0)) w(undefined);
});
const readLine = () => (lines.length ? Promise.resolve(lines.shift()) : new Promise((r) => waiting.push(r)));

const quoted = (v) => `"${v.replace(/[\\"]/g, '\\$&')}"`;

async function agi(command) {
  process.stdout.write(`${command}\n`);
  let reply = await readLine();
  // Asterisk announces a hangup with a line of its own before the reply.
  while (reply === 'HANGUP') reply = await readLine();
  if (reply === undefined || !reply.startsWith('200 ')) throw new Error(`no reply to ${command}`);
  return reply;
}

const env = {};
for (;;) {
  const line = await readLine();
  if (line === undefined || line === '') break;
  const at = line.indexOf(': ');
  if (at > 0) env[line.slice(0, at)] = line.slice(at + 2);
}
const want = env.agi_arg_1 === 'LOGGEDIN' ? 'LOGGEDIN' : 'LOGGEDOUT';
const number = env.agi_callerid ?? '';
const queue = /[?&]queue=([^&]*)/.exec(env.agi_network_script ?? '')?.[1] ?? '';

// The four variables in one EXEC MSet, as agentgate sends them (commas escaped for MSet).
const queues = (want === 'LOGGEDIN' ? queue : '').replaceAll(',', '\\,');
await agi(`EXEC ${quoted('MSet')} ${quoted(`AGENTGATE_RESULT=${want},QUEUESTAT=${want},AGENTGATE_NUMBER=${number},AGENTGATE_QUEUES=${queues}`)}`);
if (want === 'LOGGEDIN') {
  await agi(`STREAM FILE ${quoted('agent-loginok')} ""`);
  await agi(`SAY DIGITS ${quoted(number)} ""`);
} else {
  await agi(`STREAM FILE ${quoted('agent-loggedoff')} ""`);
}
process.exit(0);
