import type { KeyTrayApi } from '../../shared/ipc';

declare global {
  interface Window {
    keytray: KeyTrayApi;
  }
}
