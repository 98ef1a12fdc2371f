/**
 * Which frames may call KeyTray: its own page, top-level only, at its own
 * URL. Pure, so it is tested as data; main/ipc.ts applies it to every call.
 */
export interface SenderFrame {
  url: string;
  /** null for a top-level frame. */
  parent: unknown;
}

export function senderAllowed(frame: SenderFrame | null | undefined, isTrustedUrl: (url: string) => boolean): boolean {
  if (!frame || frame.parent !== null) return false;
  try {
    return isTrustedUrl(frame.url);
  } catch {
    return false;
  }
}
