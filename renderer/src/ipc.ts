/**
 * Calls into main with errors as values the UI can show. One place that
 * unwraps the IPC envelope.
 */
import type { IpcResult } from '../../shared/ipc';

export type UiError = Extract<IpcResult<unknown>, { ok: false }>['error'];

export class IpcFailure extends Error {
  constructor(readonly error: UiError) {
    super(error.message);
  }
}

/** The value, or throws an IpcFailure carrying main's sentence and fix. */
export async function call<T>(result: Promise<IpcResult<T>>): Promise<T> {
  const r = await result;
  if (!r.ok) throw new IpcFailure(r.error);
  return r.value;
}

export function asUiError(error: unknown): UiError {
  return error instanceof IpcFailure ? error.error : { code: 'internal', message: 'Something went wrong talking to KeyTray.' };
}
