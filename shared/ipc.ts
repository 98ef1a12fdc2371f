/**
 * The IPC table: every channel between renderer and main, declared once.
 * Main registers a handler per channel through one wrapper, the preload
 * exposes one function per channel, the browser tests drive the same table.
 * Outputs carry metadata and masks only.
 */
import type { ErrorCode } from './errors';
import type { KeyListing } from './vault-types';

export interface IpcChannels {
  'keys:list': { input: undefined; output: KeyListing };
}

export type ChannelName = keyof IpcChannels;
export type ChannelInput<C extends ChannelName> = IpcChannels[C]['input'];
export type ChannelOutput<C extends ChannelName> = IpcChannels[C]['output'];

/** Every handler answers with an envelope; errors cross as code + sentences. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: { code: ErrorCode; message: string; fix?: string } };

/** Input checks per channel: return the typed input or a sentence saying what is wrong. */
export const INPUT_CHECKS: {
  [C in ChannelName]: (input: unknown) => { ok: true; value: ChannelInput<C> } | { ok: false; problem: string };
} = {
  'keys:list': (input) =>
    input === undefined ? { ok: true, value: undefined } : { ok: false, problem: 'keys:list takes no input.' },
};

export const CHANNELS = Object.keys(INPUT_CHECKS) as ChannelName[];

/** What the preload puts on `window.keytray`: one function per channel. */
export interface KeyTrayApi {
  listKeys(): Promise<IpcResult<KeyListing>>;
}

/** Which API function calls which channel. */
export const API_CHANNELS: { [F in keyof KeyTrayApi]: ChannelName } = {
  listKeys: 'keys:list',
};
