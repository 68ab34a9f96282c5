// What can go wrong on the AGI socket, one class per outcome a script or the
// router branches on. They are AppErrors, so their stable code is what lands in
// AGENTGATE_ERROR when a script lets one escape. Messages never carry argument
// values: a value may be a PIN.
import { AppError } from '../errors.ts';

export class AgiError extends AppError {}

/** Asterisk answered 510: it does not know the command. */
export class AgiInvalidCommandError extends AgiError {
  constructor(command: string) {
    super('AGI_INVALID_COMMAND', `Asterisk does not know the AGI command ${command}`);
  }
}

/** Asterisk answered 511: the command needs a live channel and the caller has hung up. */
export class AgiDeadChannelError extends AgiError {
  constructor(command: string) {
    super('AGI_DEAD_CHANNEL', `${command} is not permitted on a dead channel`);
  }
}

/** Asterisk answered 520: wrong arguments; `usage` holds the usage text when the build has it. */
export class AgiUsageError extends AgiError {
  readonly usage: string;
  constructor(command: string, usage: string) {
    super('AGI_USAGE', `Asterisk rejected the syntax of ${command}${usage ? `: ${usage.split('\n')[0]}` : ''}`);
    this.usage = usage;
  }
}

/** The caller hung up during a command whose result the script needs (GET DATA, ANSWER). */
export class AgiHangupError extends AgiError {
  constructor(command: string) {
    super('AGI_HANGUP', `the caller hung up during ${command}`);
  }
}

/** Asterisk did not answer a command in time; the session is closed (replies would no longer match). */
export class AgiTimeoutError extends AgiError {
  constructor(command: string, ms: number) {
    super('AGI_TIMEOUT', `no reply to ${command} within ${ms} ms`);
  }
}

/** The AGI socket is closed or failed; no command can be sent any more. */
export class AgiClosedError extends AgiError {
  constructor(message = 'the AGI session is closed', options?: { cause?: unknown }) {
    super('AGI_CLOSED', message, options);
  }
}

/** A value cannot be put on the AGI wire (CR, LF, NUL, too long, not a number); nothing was sent. */
export class AgiUnsafeValueError extends AgiError {
  constructor(message: string) {
    super('AGI_UNSAFE_VALUE', message);
  }
}

/** Asterisk sent something that is not an AGI reply. */
export class AgiProtocolError extends AgiError {
  constructor(message: string) {
    super('AGI_PROTOCOL', message);
  }
}
