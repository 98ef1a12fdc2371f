/**
 * The key listing as the window sees it: metadata and masks from main, never
 * a secret.
 */
import { create } from 'zustand';
import type { IpcResult } from '../../../shared/ipc';
import type { KeyListing } from '../../../shared/vault-types';

type Failure = Extract<IpcResult<unknown>, { ok: false }>['error'];

interface KeysState {
  status: 'idle' | 'loading' | 'ready' | 'failed';
  listing: KeyListing | null;
  error: Failure | null;
  refresh(): Promise<void>;
}

export const useKeysStore = create<KeysState>((set) => ({
  status: 'idle',
  listing: null,
  error: null,
  async refresh() {
    set({ status: 'loading' });
    const result = await window.keytray.listKeys();
    if (result.ok) set({ status: 'ready', listing: result.value, error: null });
    else set({ status: 'failed', error: result.error });
  },
}));
