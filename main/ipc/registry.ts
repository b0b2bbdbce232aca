/**
 * The handler registry bound to the contract. Every call goes through the same gate, in
 * this order, before any handler runs:
 *   1. sender: our app window's top frame at our origin only;
 *   2. channel: one the contract declares and a module registered;
 *   3. payload: parsed as `unknown` with the channel's strict zod schema;
 *   4. access: the session / permission the channel needs.
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
    const parsed = channels[name].schema.safeParse(payload);
    if (!parsed.success) return invalidPayload(parsed.error);
    let session: S | null = null;
    let result: IpcResult<unknown>;
    try {
      session = await this.options.authorize(channels[name].access, {
        channel: name,
        recentSignIn: channels[name].recentSignIn,
      });
      const value = await handler(parsed.data as ChannelInput<ChannelName>, { sender, session });
      result = { ok: true, value };
    } catch (error) {
      if (error instanceof AppError) result = error.toResult();
      else {
        this.options.onInternalError?.(name, error);
        result = fail('INTERNAL', 'Something went wrong inside Portico. Try again; if it keeps happening, restart the app.');
      }
    }
    try {
      this.options.onOutcome?.({ channel: name, input: parsed.data, session, result });
    } catch (error) {
      this.options.onInternalError?.(name, error);
    }
    return result;
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
