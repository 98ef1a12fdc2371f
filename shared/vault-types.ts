/**
 * What the vault tells its callers (CLI, IPC, window). Metadata and masks
 * only: no type here has room for a secret.
 */
import type { AwsAuth } from './aws-auth';
import type { ErrorCode } from './errors';
import type { ProviderSettings, StoreKind } from './metadata';
import type { CustomProvider, ProviderId } from './providers';

/**
 * How a key stands in the store: `ok`, `missing` (listed, secret gone),
 * `changed` (secret replaced by another tool), `unknown` (store unreadable).
 */
export type KeyState = 'ok' | 'missing' | 'changed' | 'unknown';

export interface KeyView {
  provider: ProviderId;
  label: string;
  active: boolean;
  masked: string;
  createdAt: string;
  updatedAt: string;
  state: KeyState;
  /** AWS-hosted providers: how the key signs in. */
  auth?: AwsAuth;
  /** With `sigv4-profile`: the AWS profile used. */
  profile?: string;
  /** When the proxy last sent this key upstream (helper-mode use is not recorded: the helper writes nothing). */
  lastUsedAt?: string;
  /** Its daily budget, USD, if it has one. */
  budgetUsd?: number;
}

export interface ProviderView {
  id: ProviderId;
  label: string;
  active: string | null;
  settings: ProviderSettings;
  /** The upstream in force (setting or default); null when a region is still needed. */
  baseUrl: string | null;
  keys: KeyView[];
  /** Whether the proxy retries a 429 or 5xx once with the provider's next key. */
  fallback: boolean;
}

export interface StoreView {
  kind: StoreKind;
  description: string;
}

export interface Discrepancy {
  /** `damaged-metadata`: the metadata file could not be read as metadata (provider and label are empty). */
  kind: 'missing-secret' | 'orphan-secret' | 'changed-secret' | 'damaged-metadata';
  provider: string;
  label: string;
  message: string;
  fix: string;
}

export interface KeyListing {
  store: StoreView;
  storeError?: { code: ErrorCode; message: string; fix?: string };
  providers: ProviderView[];
  /** The providers the user defined, by id (no secret in a definition). */
  custom: Record<string, CustomProvider>;
  discrepancies: Discrepancy[];
}
