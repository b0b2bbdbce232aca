/**
 * The handler registry bound to the contract. Every call goes through the same gate, in
 * this order, before any handler runs:
 *   1. sender: our app window's top frame at our origin only;
 *   2. channel: one the contract declares and a module registered;
 *   3. access: the session / permission the channel needs (before any work on the payload,
 *      so a signed-out or unprivileged caller cannot make main parse anything);
 *   4. size: a bounded walk refuses payloads too large or too deep for any channel;
 *   5. payload: parsed as `unknown` with the channel's strict zod schema.
 * Results are values: `{ ok: true, value } | { ok: false, code, message }`.
 */
import { z } from 'zod';
import {
  channels,
  type ChannelInput,
  type ChannelName,
  type ChannelValue,
  type IpcResult,
  type Access,
} from '../../preload/contract';
import { AppError } from '../errors';
import { isTrustedSender, type IpcSender } from './sender';
import { payloadOverLimit } from './payload-bounds';

export interface CallContext<S> {
  sender: IpcSender;
  /** The session when the channel needs one (access other than `public`), else maybe null. */
  session: S | null;
}

export type Handler<C extends ChannelName, S> = (
  input: ChannelInput<C>,
  ctx: CallContext<S>,
) => Promise<ChannelValue<C>> | ChannelValue<C>;

export interface RegistryOptions<S> {
  appOrigin: string;
  /** Resolves the session for `access`, or throws AppError (NOT_SIGNED_IN, PERMISSION_DENIED...). */
  authorize: (access: Access, options: { channel: ChannelName; recentSignIn: boolean }) => Promise<S | null> | S | null;
  /** Errors that are not AppErrors: logged in main, never sent. */
  onInternalError?: (channel: string, error: unknown) => void;
  /**
   * Every call that passed the sender, channel and payload checks, with its result (the
   * audit log listens here). `session` is the one the call ran as, if access was granted.
   */
  onOutcome?: (outcome: CallOutcome<S>) => void;
}

export interface CallOutcome<S> {
  channel: ChannelName;
  input: unknown;
  session: S | null;
  result: IpcResult<unknown>;
}

export class IpcRegistry<S> {
  private readonly handlers = new Map<ChannelName, Handler<ChannelName, S>>();

  constructor(private readonly options: RegistryOptions<S>) {}

  handle<C extends ChannelName>(channel: C, handler: Handler<C, S>): void {
    if (!Object.hasOwn(channels, channel)) throw new Error(`Channel ${channel} is not in the contract.`);
    if (this.handlers.has(channel)) throw new Error(`Channel ${channel} already has a handler.`);
    this.handlers.set(channel, handler as unknown as Handler<ChannelName, S>);
  }

  registeredChannels(): ChannelName[] {
    return [...this.handlers.keys()];
  }

  async dispatch(channel: string, sender: IpcSender, payload: unknown): Promise<IpcResult<unknown>> {
    if (!isTrustedSender(sender, this.options.appOrigin)) {
      return fail('FORBIDDEN_SENDER', 'This request did not come from the Portico window and was refused.');
    }
    const handler = Object.hasOwn(channels, channel) ? this.handlers.get(channel as ChannelName) : undefined;
    if (!handler) return fail('UNKNOWN_CHANNEL', 'Portico does not know this request. Update or restart the app.');
    const name = channel as ChannelName;
    const { access, schema, recentSignIn } = channels[name];
    let session: S | null = null;
    let input: unknown = null;
    let result: IpcResult<unknown>;
    try {
      // Public channels (sign-in, app info) are parsed first: their answer never depends on who asks.
      if (access === 'public') input = this.parse(name, payload);
      session = await this.options.authorize(access, { channel: name, recentSignIn });
      if (access !== 'public') input = this.parse(name, payload);
      const value = await handler(input as ChannelInput<ChannelName>, { sender, session });
      result = { ok: true, value };
    } catch (error) {
      if (error instanceof InvalidPayload) return error.result;
      if (error instanceof AppError) result = error.toResult();
      else {
        this.options.onInternalError?.(name, error);
        result = fail('INTERNAL', 'Something went wrong inside Portico. Try again; if it keeps happening, restart the app.');
      }
      // A refused call is still audited with what it asked for, when that parses (bounded first).
      if (input === null && payloadOverLimit(payload) === null) {
        const parsed = schema.safeParse(payload);
        if (parsed.success) input = parsed.data;
      }
    }
    try {
      this.options.onOutcome?.({ channel: name, input, session, result });
    } catch (error) {
      this.options.onInternalError?.(name, error);
    }
    return result;
  }

  /** Bounded, then parsed with the channel's schema; throws InvalidPayload (answered, not audited). */
  private parse(channel: ChannelName, payload: unknown): unknown {
    const over = payloadOverLimit(payload);
    if (over) {
      throw new InvalidPayload({
        ok: false,
        code: 'INVALID_PAYLOAD',
        message: `This request was refused: it is ${over}.`,
        fields: { '(request)': `The request is ${over}.` },
      });
    }
    const parsed = channels[channel].schema.safeParse(payload);
    if (!parsed.success) throw new InvalidPayload(invalidPayload(parsed.error));
    return parsed.data;
  }
}

/** A payload refused before its handler: answered as is, and (as before) not an audited outcome. */
class InvalidPayload extends Error {
  constructor(readonly result: IpcResult<never>) {
    super('invalid payload');
  }
}

function fail(code: 'FORBIDDEN_SENDER' | 'UNKNOWN_CHANNEL' | 'INTERNAL', message: string): IpcResult<never> {
  return { ok: false, code, message };
}

function invalidPayload(error: z.ZodError): IpcResult<never> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.length
      ? issue.path.join('.')
      : issue.code === 'unrecognized_keys'
        ? issue.keys.join(',')
        : '(request)';
    fields[key] ??= issue.message;
  }
  const first = error.issues[0]?.message ?? 'The request was malformed.';
  return { ok: false, code: 'INVALID_PAYLOAD', message: `Check the form: ${first}`, fields };
}
