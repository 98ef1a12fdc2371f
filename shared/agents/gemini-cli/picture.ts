/**
 * Gemini CLI's auth picture: which key `gemini -p` will send in
 * `x-goog-api-key`, from where, to where. Pure. Measured with the real
 * Gemini CLI (0.61.0), and held to it by the conformance suite:
 *
 * - `security.auth.selectedType` in settings (the workspace's over the
 *   user's) chooses the auth type; without it a headless run exits 41.
 * - For `gemini-api-key`: `GEMINI_API_KEY` from the environment, else from
 *   the one `.env` file Gemini loads (the first of `.gemini/.env` and `.env`
 *   in the folder and each parent, then `~/.gemini/.env`, `~/.env`; a file
 *   found stops the search even without the key), else its stored key (the
 *   keychain, or `~/.gemini/gemini-credentials.json`). `GOOGLE_API_KEY` is not
 *   read for this type.
 * - `GOOGLE_GEMINI_BASE_URL` (environment first, then that `.env`) moves the
 *   upstream.
 */
import { maskSecret } from '../../mask';
import type { AgentPicture, AuthWarning, PictureHeader, PictureTier } from '../picture';
import { proxyWarning } from '../proxy-warning';

export const GEMINI_DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com';

export interface GeminiDotenv {
  path: string;
  /** What dotenv reads from it. */
  values: Record<string, string>;
  /** The line of each variable that matters here, where dotenv reads it. */
  lines: Record<string, number>;
}

export interface GeminiInputs {
  cwd: string;
  env: Record<string, string>;
  envOrigin: string;
  /** The one .env file Gemini loads for this folder, or null. */
  dotenv: GeminiDotenv | null;
  /** The .env file KeyTray writes (`~/.gemini/.env`). */
  keytrayDotenvPath: string;
  /** `security.auth.selectedType`, and the settings file it came from. */
  selectedType: { value: string; path: string } | null;
  /** Settings files that cannot be read. */
  settingsProblems: string[];
  /** Gemini's own stored key file, when present. */
  credentialsFile: string | null;
  /** When the key Gemini will send is KeyTray's route token: the key it stands for, and the proxy. */
  keytray: {
    provider: string;
    label: string;
    masked: string;
    proxyUrl: string;
    running: boolean;
    impostor?: true;
    problem?: string;
  } | null;
}

export function computeGeminiPicture(inputs: GeminiInputs): AgentPicture {
  const tiers: PictureTier[] = [];
  const warnings: AuthWarning[] = [];
  const { env, dotenv } = inputs;
  const authType = inputs.selectedType?.value ?? null;
  const fromEnv = (name: string) => (env[name] ? env[name] : undefined);
  const baseUrl = fromEnv('GOOGLE_GEMINI_BASE_URL') ?? dotenv?.values.GOOGLE_GEMINI_BASE_URL;
  const destination = (baseUrl || GEMINI_DEFAULT_BASE_URL).replace(/\/+$/, '');

  for (const problem of inputs.settingsProblems) {
    warnings.push({
      code: 'settings-unreadable',
      message: problem,
      fix: 'Fix the file; Gemini CLI cannot start with it either.',
    });
  }
  if (!authType) {
    warnings.push({
      code: 'no-auth-type',
      message: 'Gemini CLI has no auth type set (security.auth.selectedType), so a headless run stops with exit 41.',
      fix: 'Run `keytray configure gemini-cli`: it sets "gemini-api-key".',
    });
  }

  let sent: PictureHeader | null = null;
  const keyOf = (value: string, origin: string, detail?: string): PictureHeader => {
    const isToken = inputs.keytray && value.startsWith('ktp_');
    return {
      source: 'GEMINI_API_KEY',
      origin,
      masked: maskSecret(value),
      ...(isToken && inputs.keytray
        ? { detail: `keytray route token; the proxy sends ${inputs.keytray.provider}/${inputs.keytray.label}` }
        : detail
          ? { detail }
          : {}),
    };
  };
  const envKey = fromEnv('GEMINI_API_KEY');
  const dotenvKey = dotenv?.values.GEMINI_API_KEY || undefined;
  const at = (name: string) => (dotenv?.lines[name] ? `${dotenv.path}:${dotenv.lines[name]}` : (dotenv?.path ?? ''));
  if (envKey) {
    sent = keyOf(envKey, inputs.envOrigin);
    tiers.push({
      source: 'GEMINI_API_KEY',
      state: 'wins',
      origin: inputs.envOrigin,
      masked: sent.masked,
      ...(sent.detail ? { detail: sent.detail } : {}),
    });
  } else tiers.push({ source: 'GEMINI_API_KEY', state: 'absent', origin: inputs.envOrigin });
  if (dotenv) {
    if (dotenvKey) {
      const value = keyOf(dotenvKey, 'file:dotenv', at('GEMINI_API_KEY'));
      tiers.push({
        source: 'GEMINI_API_KEY',
        state: sent ? 'shadowed' : 'wins',
        origin: 'file:dotenv',
        masked: value.masked,
        detail: value.detail ?? at('GEMINI_API_KEY'),
        ...(sent ? { reason: 'the environment takes its place (a .env never overrides it)' } : {}),
      });
      if (!sent) sent = value;
      if (!dotenvKey.startsWith('ktp_')) {
        warnings.push({
          code: 'plaintext-key-in-dotenv',
          message: `${at('GEMINI_API_KEY')} holds a Gemini key in plaintext.`,
          fix: 'Store it with `keytray keys add gemini <label>`, then run `keytray configure gemini-cli`.',
        });
      }
    } else tiers.push({ source: 'GEMINI_API_KEY', state: 'absent', origin: 'file:dotenv', detail: dotenv.path });
  }
  if (inputs.credentialsFile) {
    tiers.push({
      source: 'stored key',
      state: sent ? 'shadowed' : 'wins',
      origin: 'file:gemini-credentials',
      masked: null,
      detail: inputs.credentialsFile,
      ...(sent ? { reason: 'a GEMINI_API_KEY takes its place' } : {}),
    });
    if (!sent) sent = { source: 'stored key', origin: 'file:gemini-credentials', masked: null, detail: inputs.credentialsFile };
    warnings.push({
      code: 'plaintext-credentials-file',
      message: `${inputs.credentialsFile} holds a Gemini key encrypted with a key made from the host and user names: anyone who can read the file can read the key.`,
      fix: 'Move it into the keychain with `keytray configure gemini-cli --import-key` (KeyTray stores it, reads it back, then takes it out of the file).',
    });
  }
  const googleKey = fromEnv('GOOGLE_API_KEY');
  if (googleKey && authType === 'gemini-api-key') {
    tiers.push({
      source: 'GOOGLE_API_KEY',
      state: 'ignored',
      origin: inputs.envOrigin,
      masked: maskSecret(googleKey),
      reason: 'Gemini CLI reads GEMINI_API_KEY for this auth type',
    });
  }

  // The Vertex AI and Google Cloud switches count only when the auth type asks for them.
  for (const name of ['GOOGLE_GENAI_USE_VERTEXAI', 'GOOGLE_CLOUD_PROJECT', 'GOOGLE_APPLICATION_CREDENTIALS']) {
    const value = fromEnv(name) ?? dotenv?.values[name];
    if (!value) continue;
    const origin = fromEnv(name) ? inputs.envOrigin : 'file:dotenv';
    tiers.push(
      authType === 'vertex-ai'
        ? { source: name, state: 'sent', origin, detail: value.length > 80 ? `${value.slice(0, 77)}…` : value }
        : {
            source: name,
            state: 'ignored',
            origin,
            reason: `the auth type in ${inputs.selectedType?.path ?? 'settings'} is ${authType ?? 'not set'}`,
          },
    );
  }

  if (authType && authType !== 'gemini-api-key') {
    // Vertex AI and Google login use no API key of KeyTray's: nothing above travels.
    for (const tier of tiers)
      if (tier.state === 'wins') Object.assign(tier, { state: 'ignored', reason: `the auth type is ${authType}` });
    sent = null;
  }

  // KeyTray's .env is not the one Gemini loads here, or the environment overrides what it holds.
  if (inputs.keytray && dotenv && dotenv.path !== inputs.keytrayDotenvPath) {
    warnings.push({
      code: 'dotenv-shadows-keytray',
      message: `In ${inputs.cwd} Gemini CLI loads ${dotenv.path} and never reads ${inputs.keytrayDotenvPath}, where KeyTray's token is.`,
      fix: `Move what ${dotenv.path} holds into ${inputs.keytrayDotenvPath}, or run Gemini here with \`keytray exec --provider gemini -- gemini\`.`,
    });
  }
  if (inputs.keytray && envKey && dotenv?.path === inputs.keytrayDotenvPath && !envKey.startsWith('ktp_')) {
    warnings.push({
      code: 'env-shadows-keychain',
      message: `GEMINI_API_KEY in the environment takes the place of KeyTray's token in ${inputs.keytrayDotenvPath}.`,
      fix: 'Remove the export from your shell startup files.',
    });
  }
  if (sent?.detail?.startsWith('keytray') && inputs.keytray) {
    if (inputs.keytray.problem) {
      warnings.push({
        code: 'helper-will-fail',
        message: `KeyTray's proxy cannot answer Gemini CLI: ${inputs.keytray.problem}.`,
        fix: 'Run `keytray configure gemini-cli` again.',
      });
    }
    if (destination !== inputs.keytray.proxyUrl) {
      warnings.push({
        code: 'proxy-url-overridden',
        message: `Gemini CLI sends KeyTray's token to ${destination}, not to the proxy at ${inputs.keytray.proxyUrl}; it will be refused.`,
        fix: 'Remove the other GOOGLE_GEMINI_BASE_URL.',
      });
    } else {
      const { proxyUrl: url, running, impostor } = inputs.keytray;
      const proxyProblem = proxyWarning('Gemini CLI', { url, running, ...(impostor ? { impostor } : {}) }, 'file');
      if (proxyProblem) warnings.push(proxyProblem);
    }
  }
  if (!sent && authType === 'gemini-api-key') {
    warnings.push({
      code: 'no-credential',
      message: 'Gemini CLI finds no GEMINI_API_KEY here, so a headless run stops with exit 41.',
      fix: 'Run `keytray configure gemini-cli`, or `keytray exec --provider gemini -- gemini …`.',
    });
  }

  return {
    tool: 'gemini-cli',
    cwd: inputs.cwd,
    provider: authType ?? 'none',
    destination,
    headers: { 'x-goog-api-key': sent },
    winner: sent?.source ?? 'none',
    tiers,
    warnings,
  };
}
