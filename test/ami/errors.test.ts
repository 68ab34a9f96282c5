// Asterisk's exact error texts (ami-actions.log, ami-more.log, app_queue.c,
// manager.c) map to typed errors with stable codes.
import { describe, expect, it } from 'vitest';
import { AppError } from '../../lib/errors.ts';
import * as E from '../../lib/ami/errors.ts';
import { toResponse } from '../../lib/ami/parser.ts';

const reply = (message: string) => toResponse({ response: 'Error', actionid: 'x1', message });

describe('errorFromResponse', () => {
  it.each([
    ['Unable to add interface: Already there', E.AmiAlreadyThereError, 'AMI_ALREADY_THERE'],
    ['Unable to remove interface: Not there', E.AmiNotThereError, 'AMI_NOT_THERE'],
    ['Unable to add interface to queue: No such queue', E.AmiNoSuchQueueError, 'AMI_NO_SUCH_QUEUE'],
    ['Unable to remove interface from queue: No such queue', E.AmiNoSuchQueueError, 'AMI_NO_SUCH_QUEUE'],
    ['Interface not found', E.AmiInterfaceNotFoundError, 'AMI_INTERFACE_NOT_FOUND'],
    ['Member not dynamic', E.AmiMemberNotDynamicError, 'AMI_MEMBER_NOT_DYNAMIC'],
    ['Permission denied', E.AmiPermissionDeniedError, 'AMI_PERMISSION_DENIED'],
    ['Authentication failed', E.AmiAuthError, 'AMI_AUTH_FAILED'],
    ['Database entry not found', E.AmiDbEntryNotFoundError, 'AMI_DB_NOT_FOUND'],
    ['Database entry could not be deleted', E.AmiDbDeleteFailedError, 'AMI_DB_NOT_DELETED'],
  ])('%s', (text, Class, code) => {
    const err = E.errorFromResponse(reply(text), 'QueueAdd');
    expect(err).toBeInstanceOf(Class);
    expect(err).toBeInstanceOf(E.AmiError);
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe(code);
    expect(err.message).toBe(text);
    expect(err.action).toBe('QueueAdd');
    expect(err.response?.actionId).toBe('x1');
  });

  it('anything else is AmiActionError carrying Asterisk text', () => {
    const text = 'Invalid/unknown command: NoSuchAction. Use Action: ListCommands to show available commands.';
    const err = E.errorFromResponse(reply(text));
    expect(err).toBeInstanceOf(E.AmiActionError);
    expect(err.code).toBe('AMI_ACTION_FAILED');
    expect(err.message).toBe(text);
    expect(E.errorFromResponse(reply("'Interface' not specified.")).message).toBe("'Interface' not specified.");
  });

  it('a text that only resembles a known one is not taken for it', () => {
    expect(E.errorFromResponse(reply('Unable to add interface: Already there?'))).toBeInstanceOf(E.AmiActionError);
  });
});

describe('errorFromLibrary', () => {
  const lib = (code: string) => Object.assign(new Error(`library says ${code}`), { code });

  it.each([
    ['AMI_TIMEOUT', E.AmiTimeoutError],
    ['AMI_DISCONNECTED', E.AmiDisconnectedError],
    ['AMI_UNSAFE_HEADER', E.AmiUnsafeHeaderError],
    ['AMI_AUTH', E.AmiAuthError],
    ['AMI_DUPLICATE_ACTIONID', E.AmiActionError],
  ])('%s', (code, Class) => {
    const err = E.errorFromLibrary(lib(code), 'Ping');
    expect(err).toBeInstanceOf(Class);
    expect(err.action).toBe('Ping');
  });
});
