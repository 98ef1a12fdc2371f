/**
 * SigV4 for the AWS-hosted providers, with the AWS SDK's own signer and
 * credential providers: access keys from the keychain, or a named profile
 * through the SDK's credential chain (SSO, credential_process, assumed roles…).
 */
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { type AwsAccessKeys, isAccessKeys, parseAccessKeys } from '../../../shared/aws-auth';
import { KeyTrayError } from '../../../shared/errors';
import type { KeyRecord } from '../../../shared/metadata';
import type { ProviderId } from '../../../shared/providers';
import type { Vault } from '../vault/vault';

export type AwsCredentials = () => Promise<AwsAccessKeys>;

export function staticCredentials(keys: AwsAccessKeys): AwsCredentials {
  return async () => keys;
}

/** The SDK provider caches and refreshes what it resolves. */
export function profileCredentials(profile: string): AwsCredentials {
  const provider = fromNodeProviderChain({ profile });
  return async () => {
    const c = await provider();
    return {
      accessKeyId: c.accessKeyId,
      secretAccessKey: c.secretAccessKey,
      ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}),
    };
  };
}

/** What a SigV4 key signs with: its access keys from the store, or its AWS profile through the SDK's chain. */
export async function keyCredentials(vault: Vault, provider: ProviderId, record: KeyRecord): Promise<AwsCredentials> {
  if (record.auth === 'sigv4-profile') return profileCredentials(record.profile as string);
  const keys = parseAccessKeys((await vault.secret(provider, record.label)).secret);
  if (!isAccessKeys(keys)) {
    throw new KeyTrayError('inconsistent', `The stored AWS keys for ${provider}/${record.label} are not in the expected form.`);
  }
  return staticCredentials(keys);
}

export interface SignInput {
  method: string;
  url: URL;
  /** The headers to sign (host is added from the URL). */
  headers: Record<string, string>;
  body: Buffer;
}

/** Returns the headers to send: the signed ones plus authorization, x-amz-date and the rest SigV4 adds. */
export async function signAws(
  service: string,
  region: string,
  credentials: AwsCredentials,
  input: SignInput,
): Promise<Record<string, string>> {
  const signer = new SignatureV4({ service, region, credentials, sha256: Hash.bind(null, 'sha256') });
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of input.url.searchParams) {
    const existing = query[name];
    query[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  const signed = await signer.sign({
    method: input.method,
    protocol: input.url.protocol,
    hostname: input.url.hostname,
    ...(input.url.port ? { port: Number(input.url.port) } : {}),
    path: input.url.pathname,
    query,
    headers: { ...input.headers, host: input.url.host },
    body: input.body,
  });
  return signed.headers as Record<string, string>;
}
