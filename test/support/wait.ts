// Waiting for a state instead of sleeping a fixed time: a test goes on as soon
// as what it waits for is true, and fails naming it when that never happens.

/** Polls cond (sync or async) until it holds; rejects after timeoutMs, naming what was awaited. */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
