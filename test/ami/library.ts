// asterisk-manager as the defect tests load it. AGENTGATE_AMI_LIB points at an
// unpatched copy to show that each defect test fails without the patch:
//   AGENTGATE_AMI_LIB=/path/to/pristine/asterisk-manager npx vitest run test/ami/asterisk-manager-defects.test.ts
import { createRequire } from 'node:module';

export type Callback = (err: any, res?: any, list?: any) => void;

export interface RawManager {
  on(event: string, listener: (...args: any[]) => void): void;
  once(event: string, listener: (...args: any[]) => void): void;
  action(req: Record<string, unknown>, cb?: Callback, timeoutMs?: number): string;
  connect(port: number, host: string, cb?: () => void): void;
  login(cb?: (err?: any) => void): void;
  keepConnected(): void;
  disconnect(cb?: () => void): void;
  /** Patched library only: logged in on the current connection. */
  isLoggedIn?(): boolean;
}

type Factory = (port: number | undefined, host: string, user: string, secret: string, events: unknown, options?: unknown) => RawManager;

const require = createRequire(import.meta.url);
export const libraryPath = process.env.AGENTGATE_AMI_LIB ?? 'asterisk-manager';
export const Manager = require(libraryPath) as Factory & {
  backoffDelay?: (attempt: number, minMs: number, maxMs: number, random: () => number) => number;
};
