/**
 * The renderer's API: one named function per IPC channel, and a subscription
 * for main's pushes. Kept apart from the schemas so the preload stays small.
 */
import type { ChannelInput, ChannelName, ChannelOutput, IpcResult } from './ipc';

/** Main's pushes to the window: something changed, fetch again. */
export type StateEvent = { kind: 'keys' | 'picture' | 'proxy' | 'usage' };

/** What the preload puts on `window.keytray`: one function per channel, and one subscription. */
export type KeyTrayApi = {
  [F in keyof typeof API_CHANNELS]: (
    ...input: ChannelInput<(typeof API_CHANNELS)[F]> extends undefined ? [] : [ChannelInput<(typeof API_CHANNELS)[F]>]
  ) => Promise<IpcResult<ChannelOutput<(typeof API_CHANNELS)[F]>>>;
} & { onStateChanged(listener: (event: StateEvent) => void): () => void };

/** Which API function calls which channel. */
export const API_CHANNELS = {
  listKeys: 'keys:list',
  addKey: 'keys:add',
  activateKey: 'keys:use',
  removeKey: 'keys:remove',
  renameKey: 'keys:rename',
  revealKey: 'keys:reveal',
  copyKey: 'keys:copy',
  testKey: 'keys:test',
  setProvider: 'provider:set',
  addProvider: 'provider:add',
  editProvider: 'provider:edit',
  removeProvider: 'provider:remove',
  listAgents: 'agent:list',
  agentPicture: 'agent:picture',
  planAgent: 'agent:plan',
  applyAgent: 'agent:apply',
  undoAgent: 'agent:undo',
  importAgentKey: 'agent:import-key',
  listBindings: 'bindings:list',
  forgetBinding: 'bindings:forget',
  proxyStatus: 'proxy:status',
  proxyHold: 'proxy:hold',
  rotateProxyToken: 'proxy:rotate-token',
  proxyLog: 'proxy:log',
  usageSummary: 'usage:summary',
  setBudget: 'keys:budget',
  setFallback: 'provider:fallback',
  appSettings: 'app:settings',
  installCli: 'app:install-cli',
  pickFolder: 'app:pick-folder',
  scanImport: 'import:scan',
  applyImport: 'import:apply',
  undoImport: 'import:undo',
} as const satisfies Record<string, ChannelName>;

export const STATE_CHANNEL = 'state:changed';
