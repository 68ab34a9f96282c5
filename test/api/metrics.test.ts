// GET /metrics: what Prometheus scrapes, and who may scrape it.
import { afterEach, describe, expect, it } from 'vitest';
import { callFastAgi } from '../doubles/fastagi-asterisk.ts';
import { READ_TOKEN, startApiHarness, waitFor, type ApiHarness } from './support.ts';

let h: ApiHarness;
afterEach(() => h.stop());

describe('metrics', () => {
  it('counts FastAGI sessions by script and outcome and shows the AMI link, Redis and members per queue; a token is needed', async () => {
    h = await startApiHarness();
    h.ami.addMember('8008', 'PJSIP/1001', { name: 'Desk' });
    h.ami.addMember('8008', 'PJSIP/1002', { name: 'Desk 2', paused: true });
    h.ami.addCaller('8009', { number: '74950001122' });
    await callFastAgi(h.port, { script: 'queue-status?queue=8008', callerId: '79112223344' });
    await callFastAgi(h.port, { script: 'no-such-script', callerId: '79112223344' });

    expect((await h.req('GET', '/metrics', { token: null })).status).toBe(401);
    const res = await h.req('GET', '/metrics', { token: READ_TOKEN });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text: string = res.body;
    expect(text).toMatch(/^agentgate_fastagi_sessions_total\{script="queue-status",outcome="ok",code=""\} 1$/m);
    expect(text).toMatch(/^agentgate_fastagi_sessions_total\{script="unknown",outcome="error",code="UNKNOWN_SCRIPT"\} 1$/m);
    expect(text).toMatch(/^agentgate_fastagi_session_duration_seconds_count\{script="queue-status"\} 1$/m);
    expect(text).toMatch(/^agentgate_ami_connected 1$/m);
    expect(text).toMatch(/^agentgate_live_synced 1$/m);
    expect(text).toMatch(/^agentgate_ami_action_duration_seconds_count\{action="QueueStatus",result="success"\} [1-9]/m);
    expect(text).toMatch(/^agentgate_redis_up 1$/m);
    expect(text).toMatch(/^agentgate_redis_ping_seconds [0-9.e-]+$/m);
    expect(text).toMatch(/^agentgate_queue_members\{queue="8008"\} 2$/m);
    expect(text).toMatch(/^agentgate_queue_members_paused\{queue="8008"\} 1$/m);
    expect(text).toMatch(/^agentgate_queue_callers\{queue="8009"\} 1$/m);
    expect(text).toMatch(/^agentgate_api_requests_total\{method="GET",route="\/metrics",status="401"\} 1$/m);
    expect(text).toMatch(/^agentgate_process_resident_memory_bytes /m);
  });

  it('counts a refused session and a failed one as such, with the code the dialplan was given', async () => {
    h = await startApiHarness();
    // Not on 8008's allowlist: refused, nothing changed.
    const refused = await callFastAgi(h.port, { script: 'queue-toggle?queue=8008', callerId: '79110000001' });
    expect(refused.variables.AGENTGATE_RESULT).toBe('REFUSED');
    // Asterisk gone: the toggle fails.
    await h.ami.refuse(true);
    h.ami.dropConnections();
    await waitFor(() => !h.app.svc.ami.connected, 'the AMI link down');
    const failed = await callFastAgi(h.port, { script: 'queue-status?queue=8008', callerId: '79110000001' });
    expect(failed.variables.AGENTGATE_RESULT).toBe('ERROR');
    await h.ami.refuse(false);

    // A session is counted when its socket has closed, just after the caller's side returns.
    let text = '';
    await waitFor(async () => /script="queue-status"/.test((text = (await h.req('GET', '/metrics', { token: READ_TOKEN })).body)), 'both sessions counted');
    expect(text).toMatch(/^agentgate_fastagi_sessions_total\{script="queue-toggle",outcome="refused",code="NOT_AUTHORIZED"\} 1$/m);
    expect(text).toMatch(/^agentgate_fastagi_sessions_total\{script="queue-status",outcome="error",code="PBX_UNAVAILABLE"\} 1$/m);
    expect(text).not.toMatch(/outcome="ok"/);
  });

  it('answers without a token when METRICS_PUBLIC is on, and the AMI gauge follows the link', async () => {
    h = await startApiHarness({ METRICS_PUBLIC: 'true' });
    await h.ami.refuse(true);
    h.ami.dropConnections();
    await waitFor(() => !h.app.svc.ami.connected, 'the AMI link down');
    const res = await h.req('GET', '/metrics', { token: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/^agentgate_ami_connected 0$/m);
    expect(res.body).toMatch(/^agentgate_live_synced 0$/m);
    await h.ami.refuse(false);
  });
});
