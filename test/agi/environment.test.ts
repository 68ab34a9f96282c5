import { describe, expect, it } from 'vitest';
import { BadParamsError } from '../../lib/errors.ts';
import { argsFromEnvironment, looksLikeAgiEnvironment, parseEnvironment } from '../../lib/agi/environment.ts';
import { buildRequest, parseNetworkScript } from '../../lib/agi/request.ts';
import { environmentReads, hostileEnvironment, session } from './recordings.ts';

const recorded = (file: string, id: number) => environmentReads(session(file, id)).join('');

describe('environment parsing against the recordings', () => {
  it('keeps every value whole after the first ": " (agi-session.log, session 1)', () => {
    const { env, dropped } = parseEnvironment(recorded('agi-session.log', 1));
    expect(dropped).toBe(0);
    expect(env.agi_request).toBe('agi://127.0.0.1:4573/capture?queue=8008&x=a:b');
    expect(env.agi_network_script).toBe('capture?queue=8008&x=a:b');
    expect(env.agi_calleridname).toBe('Ivan: Petrov');
    expect(env.agi_arg_2).toBe('arg 2');
    expect(env.agi_arg_3).toBe('a:b');
    expect(env.agi_accountcode).toBe('');
    expect(env.agi_channel).toBe('Local/s@dummy-00000000;1');
    expect(Object.keys(env)).toHaveLength(25);
  });

  it('reproduces every line of the block byte for byte', () => {
    for (const [file, id] of [['agi-session.log', 1], ['agi-session.log', 2], ['agi-caller-hangup.log', 1]] as const) {
      const raw = recorded(file, id);
      const { env } = parseEnvironment(raw);
      expect(Object.entries(env).map(([k, v]) => `${k}: ${v}\n`).join('') + '\n').toBe(raw);
    }
  });

  it('keeps the leading + of a caller ID', () => {
    expect(parseEnvironment(recorded('agi-session.log', 2)).env.agi_callerid).toBe('+79112223344');
  });

  it('drops and counts the lines a CR LF in the caller name forged, and keeps the CR in the value (agi-hostile-env.log)', () => {
    const { env, dropped, repeated } = parseEnvironment(hostileEnvironment());
    expect(dropped).toBe(2);
    expect(repeated).toEqual([]);
    expect(env.agi_calleridname).toBe('Evil\r');
    expect(env.agi_callingpres).toBe('0'); // the next genuine line is not swallowed
    expect(Object.keys(env).every((k) => k.startsWith('agi_'))).toBe(true);
    expect(Object.values(env).some((v) => v.includes('UserEvent'))).toBe(false);
  });

  it('names the repeated keys in the order they first appeared', () => {
    const { env, dropped, repeated } = parseEnvironment('agi_a: 1\nagi_b: 2\nagi_c: 3\nagi_b: 4\nagi_a: 5\nagi_a: 6\n\n');
    expect(repeated).toEqual(['agi_a', 'agi_b']);
    expect(dropped).toBe(5);
    expect({ ...env }).toEqual({ agi_c: '3' });
  });

  it('drops every copy of a key a forged line repeats, since the genuine one cannot be told apart', () => {
    const raw = hostileEnvironment().replace('agi_calleridname: Evil\r\n', 'agi_calleridname: Evil\r\nagi_context: admin\r\n');
    const { env, dropped, repeated } = parseEnvironment(raw);
    expect(repeated).toEqual(['agi_context']);
    expect(env.agi_context).toBeUndefined();
    expect(dropped).toBe(4); // Action, UserEvent, and both agi_context lines
  });

  it('stops at the empty line that ends the block', () => {
    expect(parseEnvironment('agi_network: yes\n\nagi_extra: no\n').env).toEqual({ agi_network: 'yes' });
  });

  it('tells a FastAGI environment from garbage', () => {
    expect(looksLikeAgiEnvironment(parseEnvironment(recorded('agi-session.log', 1)).env)).toBe(true);
    expect(looksLikeAgiEnvironment(parseEnvironment('GET / HTTP/1.1\r\nHost: x\r\n\r\n').env)).toBe(false);
    expect(looksLikeAgiEnvironment(parseEnvironment('agi_foo: 1\n\n').env)).toBe(false);
  });
});

describe('agi_arg_N', () => {
  it('gives the arguments as an ordered list', () => {
    expect(argsFromEnvironment(parseEnvironment(recorded('agi-session.log', 1)).env)).toEqual(['arg1', 'arg 2', 'a:b']);
    expect(argsFromEnvironment({ agi_arg_2: 'b', agi_arg_1: 'a', agi_arg_10: 'j' })).toEqual(['a', 'b']);
    expect(argsFromEnvironment({})).toEqual([]);
  });

  it('does not build a huge list from a forged agi_arg_999999999', () => {
    expect(argsFromEnvironment({ agi_arg_999999999: 'x' })).toEqual([]);
  });
});

describe('agi_network_script', () => {
  it('splits the script name from its URL-decoded query parameters', () => {
    expect(parseNetworkScript('capture?queue=8008&x=a:b')).toEqual({ script: 'capture', params: { queue: '8008', x: 'a:b' } });
    expect(parseNetworkScript('capture-noanswer')).toEqual({ script: 'capture-noanswer', params: {} });
    expect(parseNetworkScript('t?name=Ivan%20Petrov&flag&queue=8008,8009&n=+7911')).toEqual({
      script: 't',
      params: { name: 'Ivan Petrov', flag: '', queue: '8008,8009', n: '+7911' },
    });
  });

  it('refuses bad percent-encoding and a parameter given twice with BadParamsError', () => {
    expect(() => parseNetworkScript('t?queue=%zz')).toThrow(BadParamsError);
    expect(() => parseNetworkScript('t?queue=1&queue=2')).toThrow(/given twice/);
  });

  it('cannot reach Object.prototype through a parameter name', () => {
    const { params } = parseNetworkScript('t?__proto__=x&constructor=y');
    expect(params.__proto__).toBe('x');
    expect(params.constructor).toBe('y');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('the request a script sees', () => {
  it('carries the fields of the recorded session', () => {
    const { request, error } = buildRequest(parseEnvironment(recorded('agi-session.log', 1)).env, '127.0.0.1');
    expect(error).toBeUndefined();
    expect(request).toMatchObject({
      script: 'capture',
      // AGI(agi://…/capture?queue=8008&x=a:b,arg1,arg 2,a:b): the commas split the query string, which is put back whole.
      params: { queue: '8008', x: 'a:b,arg1,arg 2,a:b' },
      args: ['arg1', 'arg 2', 'a:b'],
      callerId: '79112223344',
      callerIdName: 'Ivan: Petrov',
      channel: 'Local/s@dummy-00000000;1',
      uniqueid: '1795314022.1',
      context: 'ivr-test',
      extension: 'capture',
      remoteAddress: '127.0.0.1',
    });
    expect(request.env.agi_threadid).toBe('140207588394688');
  });

  it('returns bad parameters as an error next to a usable request instead of throwing', () => {
    const { request, error } = buildRequest({ agi_network_script: 'queue-toggle?queue=%zz' }, '::1');
    expect(error).toBeInstanceOf(BadParamsError);
    expect(request.script).toBe('queue-toggle');
    expect(request.params).toEqual({});
  });

  it('puts back a query string that AGI() split at its commas: queue=8008,8009 means both queues', () => {
    const split = (script: string, ...args: string[]) =>
      buildRequest({ agi_network_script: script, ...Object.fromEntries(args.map((a, i) => [`agi_arg_${i + 1}`, a])) }, '').request.params;
    expect(split('queue-toggle?queue=8008', '8009')).toEqual({ queue: '8008,8009' });
    expect(split('queue-toggle?queue=8008', '8009&prompts=no')).toEqual({ queue: '8008,8009', prompts: 'no' });
    expect(split('queue-toggle?prompts=no&queue=8008', '8009', '8010')).toEqual({ prompts: 'no', queue: '8008,8009,8010' });
    // Percent-encoded commas (URIENCODE in the dialplan) need no rejoining.
    expect(split('queue-toggle?queue=8008%2C8009')).toEqual({ queue: '8008,8009' });
    // No query string: the arguments are left as arguments.
    expect(buildRequest({ agi_network_script: 'queue-status', agi_arg_1: 'x' }, '').request).toMatchObject({ params: {}, args: ['x'] });
  });

  it('falls back to agi_request when agi_network_script is absent', () => {
    expect(buildRequest({ agi_request: 'agi://10.0.0.1:4573/queue-status?queue=8008' }, '').request).toMatchObject({
      script: 'queue-status',
      params: { queue: '8008' },
    });
  });
});
