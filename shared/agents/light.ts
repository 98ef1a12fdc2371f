/**
 * A picture's verdict at a glance: green when the agent sends what the user
 * expects, amber when a warning says it may not, red when it sends nothing
 * or cannot start. Pure; the tray and the window both use it.
 */
import type { AgentPicture, PictureLight } from './picture';

/** Warnings that mean the agent is not using what the user expects. */
export const SERIOUS_WARNINGS = new Set([
  'shell-export-shadows-keychain',
  'env-shadows-keychain',
  'helper-will-fail',
  'helper-overridden',
  'proxy-not-running',
  'proxy-impostor',
  'proxy-url-overridden',
  'settings-unreadable',
  'no-credential',
  'no-cloud-credential',
  'no-auth-type',
  'provider-misconfigured',
  'dotenv-shadows-keytray',
  'helper-key-to-proxy',
  'proxy-token-elsewhere',
  'plaintext-key-in-settings',
  'plaintext-key-in-auth-json',
  'plaintext-key-in-dotenv',
  'plaintext-credentials-file',
]);

/** Warnings that mean the agent will send nothing, or not start. */
const FATAL_WARNINGS = new Set([
  'no-credential',
  'no-auth-type',
  'provider-misconfigured',
  'settings-unreadable',
  'helper-key-to-proxy',
  'proxy-token-elsewhere',
  'proxy-not-running',
  'proxy-impostor',
]);

export function pictureLight(picture: AgentPicture): PictureLight {
  if (picture.winner === 'none' || picture.warnings.some((w) => FATAL_WARNINGS.has(w.code))) return 'error';
  if (picture.warnings.some((w) => SERIOUS_WARNINGS.has(w.code))) return 'warning';
  return 'ok';
}

/** The first warning worth a headline, if any. */
export function seriousWarning(picture: AgentPicture) {
  return picture.warnings.find((w) => SERIOUS_WARNINGS.has(w.code));
}
