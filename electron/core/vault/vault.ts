/**
 * The vault: named keys per provider, one active, secrets in a SecretStore and
 * everything else in the metadata file. Every change happens under the
 * metadata lock, secret first, metadata second, so a crash in between leaves
 * something `check()` reports and `repair()` fixes, never a lost key.
 */

import type { AgentId } from '../../../shared/agents/catalog';
import { type AwsAuth, isAccessKeys, PROFILE_PATTERN, parseAccessKeys } from '../../../shared/aws-auth';
import { KeyTrayError } from '../../../shared/errors';
import { labelProblem, normalizeSecret } from '../../../shared/key-input';
import { maskSecret } from '../../../shared/mask';
import {
  type AgentBinding,
  customProviderProblem,
  DEFAULT_PROXY_PORT,
  emptyProviderState,
  type KeyRecord,
  type Metadata,
  type ModelNames,
  type ProviderSettings,
  type ProviderState,
  type StoreKind,
} from '../../../shared/metadata';
import { problems } from '../../../shared/problems';
import {
  effectiveBaseUrl,
  modelNameProblem,
  normalizeBaseUrl,
  type SettingName,
  settingProblem,
} from '../../../shared/provider-settings';
import {
  type CustomProvider,
  isBuiltinProviderId,
  isProviderId,
  keyFormatWarning,
  knowCustomProviders,
  type ProviderId,
  providerIds,
  providerInfo,
  speaks,
} from '../../../shared/providers';
import type { Discrepancy, KeyListing, KeyState, KeyView, ProviderView, StoreView } from '../../../shared/vault-types';
import { fileStorePath, metadataPath } from '../paths';
import { fileStore } from './file-store';
import { keychainService, keychainStore } from './keychain-store';
import { DamagedMetadataError, readMetadata, restoreDamagedMetadata, updateMetadata } from './metadata-file';
import { accountFor, type SecretStore } from './secret-store';

/** Where the proxy token lives in the store: not a provider, so never listed as a key. */
export const PROXY_TOKEN_ACCOUNT = 'keytray/proxy-token';
/** The key that encrypts backups of other tools' files that held a credential (files/backup-cipher.ts). */
export const BACKUP_KEY_ACCOUNT = 'keytray/backup-key';

export interface VaultOptions {
  metadataPath: string;
  fileStorePath: string;
  keychainService: string;
  now?: () => Date;
}

export function defaultVaultOptions(): VaultOptions {
  return { metadataPath: metadataPath(), fileStorePath: fileStorePath(), keychainService: keychainService() };
}

/** A fresh install proxy token: 256 random bits. */
function newProxyToken(): string {
  return `ktp_${process.getBuiltinModule('node:crypto').randomBytes(32).toString('base64url')}`;
}

export function fingerprint(secret: string): string {
  // Loaded on first use: the key helper never fingerprints, and node:crypto
  // would add measurably to every Claude Code start.
  const { createHash } = process.getBuiltinModule('node:crypto');
  return createHash('sha256').update(secret).digest('hex').slice(0, 12);
}

export class Vault {
  private readonly options: VaultOptions;
  private readonly stores = new Map<StoreKind, SecretStore>();

  constructor(options: VaultOptions = defaultVaultOptions()) {
    this.options = options;
  }

  readMetadata(): Promise<Metadata> {
    return readMetadata(this.options.metadataPath);
  }

  /** Changes whenever the metadata file is rewritten (each write replaces it); empty when there is none. */
  async metadataStamp(): Promise<string> {
    const { stat } = process.getBuiltinModule('node:fs/promises');
    const info = await stat(this.options.metadataPath).catch(() => null);
    return info ? `${info.ino}:${info.mtimeMs}:${info.size}` : '';
  }

  store(kind: StoreKind): SecretStore {
    let store = this.stores.get(kind);
    if (!store) {
      store = kind === 'keychain' ? keychainStore(this.options.keychainService) : fileStore(this.options.fileStorePath);
      this.stores.set(kind, store);
    }
    return store;
  }

  /**
   * Stores a key. The provider's first key becomes active. Returns format
   * warnings. For the AWS-hosted providers `auth` says what the input is: an
   * API key, access keys (`ID:SECRET[:TOKEN]`), or nothing at all for a
   * named AWS profile (then nothing goes to the store).
   */
  async add(
    providerArg: string,
    label: string,
    rawSecret: string,
    flags: { replace?: boolean; activate?: boolean; auth?: AwsAuth; profile?: string } = {},
  ): Promise<{ key: KeyView; warnings: string[] }> {
    const provider = await this.checkAdd(providerArg, label, flags.replace);
    const auth = checkAuth(provider, flags.auth, flags.profile);
    let secret: string | null = null;
    let masked: string;
    let warning: string | null = null;
    let stripped: string | null = null;
    if (auth === 'sigv4-profile') {
      masked = `profile ${flags.profile}`;
    } else {
      const checked = normalizeSecret(rawSecret);
      if (!checked.ok) throw new KeyTrayError('usage', checked.problem);
      secret = checked.secret;
      stripped = checked.stripped ?? null;
      if (auth === 'sigv4-keys') {
        const keys = parseAccessKeys(secret);
        if (!isAccessKeys(keys)) throw new KeyTrayError('usage', `${keys.problem} Nothing was stored.`);
        masked = maskSecret(keys.accessKeyId);
      } else {
        masked = maskSecret(secret);
        warning = keyFormatWarning(provider, secret);
      }
    }
    return this.change(async (meta) => {
      const state = meta.providers[provider] ?? emptyProviderState();
      const existing = state.keys.find((k) => k.label === label);
      if (existing && !flags.replace) throw labelTaken(provider, label);
      const store = this.store(meta.store);
      if (secret !== null) await store.set(accountFor(provider, label), secret);
      else if (existing) await store.delete(accountFor(provider, label));
      const time = this.now();
      const record: KeyRecord = {
        label,
        masked,
        fingerprint: secret === null ? '' : fingerprint(secret),
        createdAt: existing?.createdAt ?? time,
        updatedAt: time,
        ...(auth ? { auth } : {}),
        ...(auth === 'sigv4-profile' ? { profile: flags.profile as string } : {}),
      };
      const keys = existing ? state.keys.map((k) => (k === existing ? record : k)) : [...state.keys, record];
      const active = flags.activate || state.active === null ? label : state.active;
      const next = withProvider(meta, provider, { ...state, keys, active });
      return {
        next,
        result: {
          key: keyView(provider, record, active, 'ok'),
          warnings: [stripped, warning].filter((w): w is string => w !== null),
        },
      };
    });
  }

  /**
   * Refuses an add that cannot succeed, before anyone types a secret for it.
   * `add` checks again under the lock.
   */
  async checkAdd(providerArg: string, label: string, replace = false): Promise<ProviderId> {
    const provider = await this.checkProvider(providerArg);
    checkLabel(label);
    const meta = await this.readMetadata();
    if (!replace && meta.providers[provider]?.keys.some((k) => k.label === label)) throw labelTaken(provider, label);
    return provider;
  }

  /** Every provider with keys or settings, each key with its state in the store. */
  async list(): Promise<KeyListing> {
    const meta = await this.readMetadata();
    const store = this.store(meta.store);
    let entries: Map<string, string> | null = null;
    let storeError: KeyListing['storeError'];
    try {
      entries = await store.entries();
    } catch (error) {
      const e = asKeyTrayError(error);
      storeError = { code: e.code, message: e.message, fix: e.fix };
    }
    const providers: ProviderView[] = [];
    for (const id of providerIds()) {
      // A provider the user defined is listed before it has a key: the window offers to add one.
      const state = meta.providers[id] ?? (meta.custom?.[id] ? emptyProviderState() : undefined);
      if (!state) continue;
      const keys = state.keys.map((k) => keyView(id, k, state.active, entries ? stateOf(id, k, entries) : 'unknown'));
      providers.push(providerView(id, state, keys));
    }
    return {
      store: storeView(store),
      storeError,
      providers,
      custom: meta.custom ?? {},
      discrepancies: entries ? discrepancies(meta, entries) : [],
    };
  }

  async use(providerArg: string, label: string): Promise<KeyView> {
    const provider = await this.checkProvider(providerArg);
    return this.change((meta) => {
      const { state, record } = findKey(meta, provider, label);
      const next = withProvider(meta, provider, { ...state, active: record.label });
      return { next, result: keyView(provider, record, record.label, 'ok') };
    });
  }

  /** Removes a key; when it was the active one, the next remaining key becomes active. */
  async remove(
    providerArg: string,
    label: string,
    flags: { force?: boolean } = {},
  ): Promise<{ removed: string; active: string | null; secretWasMissing: boolean }> {
    const provider = await this.checkProvider(providerArg);
    return this.change(async (meta) => {
      const { state, record } = findKey(meta, provider, label);
      if (!flags.force) refuseIfBound(meta, provider, label, 'remove');
      const deleted = await this.store(meta.store).delete(accountFor(provider, label));
      const keys = state.keys.filter((k) => k !== record);
      const active = state.active !== label ? state.active : (keys[0]?.label ?? null);
      const next = withProvider(meta, provider, { ...state, keys, active });
      return { next, result: { removed: label, active, secretWasMissing: !deleted } };
    });
  }

  /**
   * Renames a key. Bindings that name it by label are renamed with it; their
   * files still name the old label until they are rewritten (agents/rebind.ts
   * does both).
   */
  async rename(providerArg: string, from: string, to: string): Promise<KeyView> {
    const provider = await this.checkProvider(providerArg);
    checkLabel(to);
    return this.change(async (meta) => {
      const { state, record } = findKey(meta, provider, from);
      if (from === to) return { next: meta, result: keyView(provider, record, state.active, 'ok') };
      if (state.keys.some((k) => k.label === to)) throw labelTaken(provider, to);
      if (record.auth !== 'sigv4-profile') {
        const store = this.store(meta.store);
        const secret = await store.get(accountFor(provider, from));
        if (secret === null) throw missingSecret(provider, from, store);
        // Copy before delete: an interruption leaves both, never neither.
        await store.set(accountFor(provider, to), secret);
        await store.delete(accountFor(provider, from));
      }
      const renamed = { ...record, label: to, updatedAt: this.now() };
      const active = state.active === from ? to : state.active;
      const keys = state.keys.map((k) => (k === record ? renamed : k));
      const next = { ...withProvider(meta, provider, { ...state, keys, active }), bindings: relabel(meta, provider, from, to) };
      return { next, result: keyView(provider, renamed, active, 'ok') };
    });
  }

  /** One key's metadata (the active one when no label is given), checked against the store. */
  async show(providerArg: string, label?: string): Promise<KeyView> {
    const provider = await this.checkProvider(providerArg);
    const meta = await this.readMetadata();
    const { state, record } = findKey(meta, provider, label);
    const secret = await this.store(meta.store).get(accountFor(provider, record.label));
    const entries = new Map(secret === null ? [] : [[accountFor(provider, record.label), secret]]);
    return keyView(provider, record, state.active, stateOf(provider, record, entries));
  }

  /**
   * The secret of a key (the active one when no label is given). For the key
   * helper, `exec` and explicit reveals only.
   */
  async secret(providerArg: string, label?: string): Promise<{ label: string; secret: string }> {
    const provider = await this.checkProvider(providerArg);
    const meta = await this.readMetadata();
    const { record } = findKey(meta, provider, label);
    if (record.auth === 'sigv4-profile') {
      throw new KeyTrayError(
        'usage',
        `${provider}/${record.label} signs with the AWS profile "${record.profile}"; KeyTray stores no secret for it.`,
      );
    }
    const store = this.store(meta.store);
    const secret = await store.get(accountFor(provider, record.label));
    if (secret === null) throw missingSecret(provider, record.label, store);
    return { label: record.label, secret };
  }

  /** Sets (dollars) or clears (null) a key's daily budget. */
  async setBudget(providerArg: string, label: string, usd: number | null): Promise<KeyView> {
    const provider = await this.checkProvider(providerArg);
    if (usd !== null && !(Number.isFinite(usd) && usd > 0 && usd <= 1_000_000))
      throw new KeyTrayError('usage', 'A budget is a number of US dollars a day, more than 0 (such as 5 or 12.50).');
    return this.change((meta) => {
      const { state, record } = findKey(meta, provider, label);
      const { budgetUsd: _old, ...rest } = record;
      const changed: KeyRecord = usd === null ? rest : { ...rest, budgetUsd: usd };
      const keys = state.keys.map((k) => (k === record ? changed : k));
      return {
        next: withProvider(meta, provider, { ...state, keys }),
        result: keyView(provider, changed, state.active, 'unknown'),
      };
    });
  }

  /** Turns the proxy's fallback to the provider's next key on or off. */
  async setFallback(providerArg: string, on: boolean): Promise<ProviderView> {
    const provider = await this.checkProvider(providerArg);
    return this.change((meta) => {
      const state = meta.providers[provider] ?? emptyProviderState();
      const { fallback: _old, ...rest } = state;
      const nextState: ProviderState = on ? { ...rest, fallback: true } : rest;
      const keys = nextState.keys.map((k) => keyView(provider, k, nextState.active, 'unknown'));
      return { next: withProvider(meta, provider, nextState), result: providerView(provider, nextState, keys) };
    });
  }

  /** Sets (a string) or clears (null) per-provider settings. */
  async configureProvider(
    providerArg: string,
    requested: Partial<Record<SettingName, string | null>> & { models?: Partial<Record<keyof ModelNames, string | null>> },
    options: { allowHttp?: boolean } = {},
  ): Promise<ProviderView> {
    const provider = await this.checkProvider(providerArg);
    const { models, ...patch } = requested;
    if (patch.baseUrl) patch.baseUrl = normalizeBaseUrl(patch.baseUrl).value;
    for (const [name, value] of Object.entries(patch) as [SettingName, string | null][]) {
      const problem = value === null ? null : settingProblem(provider, name, value, options);
      if (problem) throw new KeyTrayError('usage', problem);
    }
    for (const value of Object.values(models ?? {})) {
      const problem = value === null ? null : modelNameProblem(value);
      if (problem) throw new KeyTrayError('usage', problem);
    }
    if (models && !speaks(provider, 'anthropic')) {
      throw new KeyTrayError(
        'usage',
        `Model names are for providers that speak the Anthropic API (Claude Code's); ${providerInfo(provider).label} does not.`,
      );
    }
    return this.change((meta) => {
      const state = meta.providers[provider] ?? emptyProviderState();
      const settings: ProviderSettings = { ...state.settings };
      for (const [name, value] of Object.entries(patch) as [SettingName, string | null][]) {
        if (value === null) delete settings[name];
        else settings[name] = value;
      }
      if (models) {
        const names: ModelNames = { ...settings.models };
        for (const [name, value] of Object.entries(models) as [keyof ModelNames, string | null][]) {
          if (value === null) delete names[name];
          else names[name] = value;
        }
        if (Object.keys(names).length > 0) settings.models = names;
        else delete settings.models;
      }
      const nextState = { ...state, settings };
      const keys = nextState.keys.map((k) => keyView(provider, k, nextState.active, 'unknown'));
      return { next: withProvider(meta, provider, nextState), result: providerView(provider, nextState, keys) };
    });
  }

  /**
   * Defines a provider of the user's (`keytray provider add`), or with `replace` changes one it
   * defined before (`provider edit`). A provider of the catalog's cannot be redefined.
   */
  async defineProvider(
    id: string,
    requested: CustomProvider,
    options: { replace?: boolean; allowHttp?: boolean } = {},
  ): Promise<ProviderView> {
    const def: CustomProvider = { ...requested, baseUrl: normalizeBaseUrl(requested.baseUrl).value };
    const problem =
      customProviderProblem(id, def) ?? settingProblem('anthropic', 'baseUrl', def.baseUrl, { allowHttp: options.allowHttp });
    if (problem) throw new KeyTrayError('usage', problem);
    return this.change((meta) => {
      const exists = meta.custom?.[id] !== undefined;
      if (exists && !options.replace) {
        throw new KeyTrayError('exists', `A provider "${id}" is already defined.`, {
          fix: `Change it with \`keytray provider edit ${id} …\`, or choose another id.`,
        });
      }
      if (!exists && options.replace) {
        throw new KeyTrayError('not-found', `No provider "${id}" of yours is defined.`, {
          fix: `Define it with \`keytray provider add ${id} --label <name> --api <api> --base-url <url>\`.`,
        });
      }
      // Keys and configurations were made for one API: another one is another provider.
      const before = meta.custom?.[id];
      if (before && before.api !== def.api) {
        throw new KeyTrayError('usage', `${id} speaks the ${before.api} API; that cannot be changed.`, {
          fix: 'Define a new provider for the other API with `keytray provider add`.',
        });
      }
      const next: Metadata = { ...meta, custom: { ...meta.custom, [id]: def } };
      const state = meta.providers[id] ?? emptyProviderState();
      knowCustomProviders(next.custom);
      const keys = state.keys.map((k) => keyView(id, k, state.active, 'unknown'));
      return { next, result: providerView(id, state, keys) };
    });
  }

  /** Forgets a provider the user defined. Refuses while it holds keys or an agent is configured with it. */
  async removeProvider(id: string): Promise<void> {
    await this.change((meta) => {
      if (isBuiltinProviderId(id))
        throw new KeyTrayError('usage', `${id} is one of KeyTray's own providers: it cannot be removed.`);
      if (meta.custom?.[id] === undefined) throw new KeyTrayError('not-found', problems.unknownProvider(id));
      const keys = meta.providers[id]?.keys ?? [];
      if (keys.length > 0) {
        throw new KeyTrayError(
          'usage',
          `${id} still holds ${keys.length} key${keys.length === 1 ? '' : 's'} (${keys.map((k) => k.label).join(', ')}).`,
          {
            fix: `Remove them first with \`keytray keys remove ${id} <label>\`.`,
          },
        );
      }
      const bound = bindingsOfProvider(meta, id);
      if (bound.length > 0) {
        throw new KeyTrayError('usage', `${id} is configured for ${bound.join('; ')}.`, {
          fix: 'Remove those configurations first with `keytray configure <agent> --remove`.',
        });
      }
      const { [id]: _gone, ...custom } = meta.custom;
      const { [id]: _state, ...providers } = meta.providers;
      const next: Metadata = { ...meta, providers };
      if (Object.keys(custom).length > 0) next.custom = custom;
      else delete next.custom;
      return { next, result: undefined };
    });
  }

  /**
   * Where metadata and store disagree; a metadata file that cannot be read as
   * metadata is one such finding. Throws when the store cannot be read.
   */
  async check(): Promise<Discrepancy[]> {
    let meta: Metadata;
    try {
      meta = await this.readMetadata();
    } catch (error) {
      if (!(error instanceof DamagedMetadataError)) throw error;
      return [{ kind: 'damaged-metadata', provider: '', label: '', message: error.message, fix: error.fix ?? '' }];
    }
    return discrepancies(meta, await this.store(meta.store).entries());
  }

  /**
   * Fixes what can be fixed without losing anything. A damaged metadata file
   * is kept aside and the last-good copy restored, so the active keys, base
   * URLs, bindings and proxy port come back as they were. Then secrets with
   * no metadata are adopted, and secrets changed by another tool get fresh
   * metadata. Keys whose secret is gone stay listed until the user re-adds or
   * removes them.
   */
  async repair(): Promise<{ fixed: Discrepancy[]; remaining: Discrepancy[] }> {
    const restored = await restoreDamagedMetadata(this.options.metadataPath, new Date(this.now()));
    const rebuilt: Discrepancy[] = restored
      ? [
          {
            kind: 'damaged-metadata',
            provider: '',
            label: '',
            message:
              restored.from === 'last-good'
                ? `The damaged metadata file is kept at ${restored.keptAt}; KeyTray restored its last good copy.`
                : `The damaged metadata file is kept at ${restored.keptAt}; there was no good copy, so KeyTray rebuilt the key list from the keychain alone.`,
            fix:
              restored.from === 'last-good'
                ? 'Nothing to do; compare with the kept file if you had edited it by hand.'
                : 'Provider settings, bindings and the proxy port were in the damaged file: set them again, or copy them over from the kept file.',
          },
        ]
      : [];
    const result = await this.change(async (meta) => {
      const entries = await this.store(meta.store).entries();
      const found = discrepancies(meta, entries);
      let next = meta;
      const fixed: Discrepancy[] = [];
      for (const d of found) {
        if (d.kind !== 'orphan-secret' && d.kind !== 'changed-secret') continue;
        const provider = d.provider as ProviderId;
        const secret = entries.get(accountFor(provider, d.label)) as string;
        const state = next.providers[provider] ?? emptyProviderState();
        const time = this.now();
        const existing = state.keys.find((k) => k.label === d.label);
        const keys = providerInfo(provider).regional ? parseAccessKeys(secret) : null;
        const auth: AwsAuth | undefined =
          keys && isAccessKeys(keys)
            ? 'sigv4-keys'
            : (existing?.auth ?? (providerInfo(provider).regional ? 'api-key' : undefined));
        const record: KeyRecord = {
          label: d.label,
          masked: keys && isAccessKeys(keys) ? maskSecret(keys.accessKeyId) : maskSecret(secret),
          fingerprint: fingerprint(secret),
          createdAt: existing?.createdAt ?? time,
          updatedAt: time,
          ...(auth ? { auth } : {}),
        };
        const list = existing ? state.keys.map((k) => (k === existing ? record : k)) : [...state.keys, record];
        next = withProvider(next, provider, { ...state, keys: list, active: state.active ?? d.label });
        fixed.push(d);
      }
      return { next, result: { fixed, remaining: found.filter((d) => !fixed.includes(d)) } };
    });
    return { fixed: [...rebuilt, ...result.fixed], remaining: result.remaining };
  }

  /**
   * Moves every secret to the other store, verifying each copy before the
   * metadata switches over; the old copies are deleted last.
   */
  async switchStore(kind: StoreKind): Promise<{ store: StoreView; moved: number }> {
    const { from, accounts } = await this.change(async (meta) => {
      const unchanged = { next: meta, result: { from: meta.store, accounts: [] as string[] } };
      if (meta.store === kind) return unchanged;
      const source = this.store(meta.store);
      const target = this.store(kind);
      const accounts = providerIds().flatMap((id) => (meta.providers[id]?.keys ?? []).map((k) => accountFor(id, k.label)));
      // The proxy token moves with the keys, so Claude Code's configuration keeps working; the backup key, so undo does.
      for (const own of [PROXY_TOKEN_ACCOUNT, BACKUP_KEY_ACCOUNT]) if ((await source.get(own)) !== null) accounts.push(own);
      const secrets = new Map<string, string>();
      for (const account of accounts) {
        const secret = await source.get(account);
        if (secret === null) {
          throw new KeyTrayError('inconsistent', `The ${source.description} has no secret for ${account}; nothing was moved.`, {
            fix: 'Run `keytray doctor` and settle that key first.',
          });
        }
        secrets.set(account, secret);
      }
      for (const [account, secret] of secrets) {
        await target.set(account, secret);
        if ((await target.get(account)) !== secret) {
          throw new KeyTrayError('inconsistent', `The ${target.description} did not keep ${account}; nothing was moved.`);
        }
      }
      return { next: { ...meta, store: kind }, result: { from: meta.store, accounts } };
    });
    // Only once the metadata points at the new copies are the old ones removed.
    for (const account of accounts) await this.store(from).delete(account);
    return { store: storeView(this.store(kind)), moved: accounts.length };
  }

  /**
   * The per-install proxy token (256 random bits), kept in the store beside
   * the keys; created on first use. Claude Code holds this, never a key.
   */
  async proxyToken(): Promise<string> {
    const existing = await this.existingProxyToken();
    if (existing) return existing;
    return this.change(async (current) => {
      const store = this.store(current.store);
      const raced = await store.get(PROXY_TOKEN_ACCOUNT);
      if (raced) return { next: current, result: raced };
      const token = newProxyToken();
      await store.set(PROXY_TOKEN_ACCOUNT, token);
      return { next: current, result: token };
    });
  }

  /**
   * The 256-bit key that encrypts backups holding a credential, kept in the
   * store beside the keys; created on first use.
   */
  async backupKey(): Promise<Buffer> {
    const meta = await this.readMetadata();
    const existing = await this.store(meta.store).get(BACKUP_KEY_ACCOUNT);
    if (existing) return Buffer.from(existing, 'base64');
    const made = await this.change(async (current) => {
      const store = this.store(current.store);
      const raced = await store.get(BACKUP_KEY_ACCOUNT);
      if (raced) return { next: current, result: raced };
      const key = process.getBuiltinModule('node:crypto').randomBytes(32).toString('base64');
      await store.set(BACKUP_KEY_ACCOUNT, key);
      return { next: current, result: key };
    });
    return Buffer.from(made, 'base64');
  }

  /** The proxy token if one was made; never creates one. */
  async existingProxyToken(): Promise<string | null> {
    const meta = await this.readMetadata();
    return this.store(meta.store).get(PROXY_TOKEN_ACCOUNT);
  }

  async proxyPort(): Promise<number> {
    return (await this.readMetadata()).proxy?.port ?? DEFAULT_PROXY_PORT;
  }

  async setProxyPort(port: number): Promise<void> {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new KeyTrayError('usage', `${port} is not a port number: use 1 to 65535.`);
    }
    await this.change((meta) => ({ next: { ...meta, proxy: { ...meta.proxy, port } }, result: undefined }));
  }

  /**
   * Replaces the install's proxy token (and so every token derived from it).
   * The metadata records when, so a running proxy notices and re-reads it.
   */
  async rotateProxyToken(): Promise<void> {
    await this.change(async (meta) => {
      await this.store(meta.store).set(PROXY_TOKEN_ACCOUNT, newProxyToken());
      const proxy = { port: meta.proxy?.port ?? DEFAULT_PROXY_PORT, tokenRotatedAt: this.now() };
      return { next: { ...meta, proxy }, result: undefined };
    });
  }

  private change<T>(
    work: (meta: Metadata) => Promise<{ next: Metadata; result: T }> | { next: Metadata; result: T },
  ): Promise<T> {
    return updateMetadata(this.options.metadataPath, work);
  }

  /** A provider id this install knows: built in, or defined in the metadata file (read when the id is not yet known). */
  private async checkProvider(value: string): Promise<ProviderId> {
    if (isProviderId(value)) return value;
    await this.readMetadata();
    if (isProviderId(value)) return value;
    throw new KeyTrayError('usage', problems.unknownProvider(value));
  }

  private now(): string {
    return (this.options.now?.() ?? new Date()).toISOString();
  }
}

function checkLabel(label: string): void {
  const problem = labelProblem(label);
  if (problem) throw new KeyTrayError('usage', problem);
}

function findKey(meta: Metadata, provider: ProviderId, label: string | undefined): { state: ProviderState; record: KeyRecord } {
  const state = meta.providers[provider];
  if (!state || state.keys.length === 0) {
    throw new KeyTrayError('not-found', `No ${providerInfo(provider).label} key is stored.`, {
      fix: `Add one with \`keytray keys add ${provider} --label <name>\`.`,
    });
  }
  const wanted = label ?? state.active;
  const record = state.keys.find((k) => k.label === wanted);
  if (!record) {
    throw new KeyTrayError('not-found', `${provider} has no key labelled "${wanted}".`, {
      fix: `Its keys: ${state.keys.map((k) => k.label).join(', ')}.`,
    });
  }
  return { state, record };
}

function labelTaken(provider: ProviderId, label: string): KeyTrayError {
  return new KeyTrayError('exists', `${provider} already has a key labelled "${label}".`, {
    fix: `Choose another label, or replace its secret with \`keytray keys add ${provider} --label ${label} --replace\`.`,
  });
}

function missingSecret(provider: string, label: string, store: SecretStore): KeyTrayError {
  return new KeyTrayError(
    'inconsistent',
    `The ${store.description} has no secret for ${provider}/${label}, though KeyTray lists it.`,
    {
      fix: `Store it again with \`keytray keys add ${provider} --label ${label} --replace\`, or forget it with \`keytray keys remove ${provider} ${label}\`.`,
    },
  );
}

function withProvider(meta: Metadata, provider: ProviderId, state: ProviderState): Metadata {
  return { ...meta, providers: { ...meta.providers, [provider]: state } };
}

function stateOf(provider: ProviderId, record: KeyRecord, entries: Map<string, string>): KeyState {
  if (record.auth === 'sigv4-profile') return 'ok';
  const secret = entries.get(accountFor(provider, record.label));
  if (secret === undefined) return 'missing';
  return fingerprint(secret) === record.fingerprint ? 'ok' : 'changed';
}

function discrepancies(meta: Metadata, entries: Map<string, string>): Discrepancy[] {
  const found: Discrepancy[] = [];
  const known = new Set<string>();
  for (const id of providerIds()) {
    for (const record of meta.providers[id]?.keys ?? []) {
      known.add(accountFor(id, record.label));
      const state = stateOf(id, record, entries);
      if (state === 'missing') {
        found.push({
          kind: 'missing-secret',
          provider: id,
          label: record.label,
          message: `${id}/${record.label} is listed but its secret is gone from the store.`,
          fix: `Re-add it with \`keytray keys add ${id} --label ${record.label} --replace\`, or \`keytray keys remove ${id} ${record.label}\`.`,
        });
      } else if (state === 'changed') {
        found.push({
          kind: 'changed-secret',
          provider: id,
          label: record.label,
          message: `${id}/${record.label} was changed outside KeyTray (its fingerprint no longer matches).`,
          fix: 'Run `keytray doctor --fix` to accept the stored secret as it is now.',
        });
      }
    }
  }
  for (const account of entries.keys()) {
    if (known.has(account)) continue;
    const slash = account.indexOf('/');
    const provider = account.slice(0, slash);
    const label = account.slice(slash + 1);
    if (slash > 0 && isProviderId(provider) && labelProblem(label) === null) {
      found.push({
        kind: 'orphan-secret',
        provider,
        label,
        message: `The store holds a secret for ${account} that KeyTray does not list (an interrupted add, or lost metadata).`,
        fix: 'Run `keytray doctor --fix` to list it again.',
      });
    }
  }
  return found;
}

function keyView(provider: ProviderId, record: KeyRecord, active: string | null, state: KeyState): KeyView {
  return {
    provider,
    label: record.label,
    active: record.label === active,
    masked: record.masked,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    state,
    ...(record.auth ? { auth: record.auth } : {}),
    ...(record.profile ? { profile: record.profile } : {}),
    ...(record.budgetUsd ? { budgetUsd: record.budgetUsd } : {}),
  };
}

function checkAuth(provider: ProviderId, auth: AwsAuth | undefined, profile: string | undefined): AwsAuth | undefined {
  const info = providerInfo(provider);
  if (!info.regional) {
    if (auth !== undefined || profile !== undefined) {
      throw new KeyTrayError('usage', `${info.label} keys are API keys: --auth and --profile are for anthropic-aws and bedrock.`);
    }
    return undefined;
  }
  const chosen = auth ?? (profile !== undefined ? 'sigv4-profile' : 'api-key');
  if (chosen === 'sigv4-profile' && (profile === undefined || !PROFILE_PATTERN.test(profile))) {
    throw new KeyTrayError(
      'usage',
      profile === undefined ? 'Name the AWS profile with --profile.' : `"${profile}" is not an AWS profile name.`,
    );
  }
  if (chosen !== 'sigv4-profile' && profile !== undefined) throw new KeyTrayError('usage', '--profile goes with --auth sigv4.');
  return chosen;
}

function providerView(id: ProviderId, state: ProviderState, keys: KeyView[]): ProviderView {
  return {
    id,
    label: providerInfo(id).label,
    active: state.active,
    settings: state.settings,
    baseUrl: effectiveBaseUrl(id, state.settings),
    keys,
    fallback: state.fallback === true,
  };
}

function storeView(store: SecretStore): StoreView {
  return { kind: store.kind, description: store.description };
}

function asKeyTrayError(error: unknown): KeyTrayError {
  if (error instanceof KeyTrayError) return error;
  return new KeyTrayError('internal', 'An unexpected error happened while reading the key store.', { cause: error });
}

/** The agent config files bound to any key of a provider, as `agent: path`. */
export function bindingsOfProvider(meta: Metadata, provider: ProviderId): string[] {
  return Object.entries(meta.bindings ?? {}).flatMap(([agent, files]) =>
    Object.entries(files ?? {})
      .filter(([, b]) => b.provider === provider)
      .map(([path]) => `${agent}: ${path}`),
  );
}

/** The agent config files bound to a named key, as `agent: path`. */
export function bindingsOfKey(meta: Metadata, provider: ProviderId, label: string): string[] {
  return Object.entries(meta.bindings ?? {}).flatMap(([agent, files]) =>
    Object.entries(files ?? {})
      .filter(([, b]) => b.provider === provider && b.label === label)
      .map(([path]) => `${agent}: ${path}`),
  );
}

/** The bindings with every one that names provider/from by label naming provider/to instead. */
function relabel(meta: Metadata, provider: ProviderId, from: string, to: string): Metadata['bindings'] {
  if (!meta.bindings) return undefined;
  const bindings: NonNullable<Metadata['bindings']> = {};
  for (const [agent, files] of Object.entries(meta.bindings ?? {}) as [AgentId, Record<string, AgentBinding>][]) {
    bindings[agent] = Object.fromEntries(
      Object.entries(files).map(([path, b]) => [path, b.provider === provider && b.label === from ? { ...b, label: to } : b]),
    );
  }
  return bindings;
}

/** Removing a key that configurations name by label would break them: say which, and refuse. */
function refuseIfBound(meta: Metadata, provider: ProviderId, label: string, action: 'remove'): void {
  const bound = bindingsOfKey(meta, provider, label);
  if (bound.length === 0) return;
  throw new KeyTrayError(
    'usage',
    `${provider}/${label} is bound to ${bound.length === 1 ? 'a configuration' : `${bound.length} configurations`} (${bound.join('; ')}); to ${action} it would break ${bound.length === 1 ? 'it' : 'them'}.`,
    {
      fix: `Bind ${bound.length === 1 ? 'it' : 'them'} to another key first (\`keytray configure <agent> --label <key>\`) or take KeyTray out (\`--remove\`); or ${action} anyway with --force.`,
    },
  );
}
