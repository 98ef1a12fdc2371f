import type { KeyTrayApi } from '../../shared/ipc-api';

declare global {
  interface Window {
    keytray: KeyTrayApi;
  }
}
