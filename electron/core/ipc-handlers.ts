/**
 * The handler behind each IPC channel, on top of core. Plain Node: main
 * registers these with Electron, the browser tests call them directly.
 */
import { KeyTrayError } from '../../shared/errors';
import { type ChannelInput, type ChannelName, type ChannelOutput, INPUT_CHECKS, type IpcResult } from '../../shared/ipc';
import type { Vault } from './vault';

export type Handlers = { [C in ChannelName]: (input: ChannelInput<C>) => Promise<ChannelOutput<C>> };

export function createHandlers(vault: Vault): Handlers {
  return {
    'keys:list': () => vault.list(),
  };
}

/** Validates the input, runs the handler and wraps the outcome in an envelope. */
export async function invoke<C extends ChannelName>(
  handlers: Handlers,
  channel: C,
  input: unknown,
): Promise<IpcResult<ChannelOutput<C>>> {
  const checked = INPUT_CHECKS[channel](input);
  if (!checked.ok) return { ok: false, error: { code: 'usage', message: checked.problem } };
  try {
    const handler = handlers[channel] as (input: ChannelInput<C>) => Promise<ChannelOutput<C>>;
    return { ok: true, value: await handler(checked.value as ChannelInput<C>) };
  } catch (error) {
    if (error instanceof KeyTrayError) {
      return { ok: false, error: { code: error.code, message: error.message, ...(error.fix ? { fix: error.fix } : {}) } };
    }
    const kind = error instanceof Error ? error.name : typeof error;
    return { ok: false, error: { code: 'internal', message: `KeyTray failed unexpectedly (${kind}). Please report it.` } };
  }
}
