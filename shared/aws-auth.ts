/**
 * How a key of an AWS-hosted provider (Claude Platform on AWS, Bedrock)
 * authenticates, and the one format stored access keys travel in. Pure.
 */

/**
 * - `api-key`: an API key (Claude Platform on AWS: `x-api-key`; Bedrock: a bearer token), in the keychain.
 * - `sigv4-keys`: AWS access keys in the keychain; requests are SigV4-signed.
 * - `sigv4-profile`: a named AWS profile; the AWS SDK's credential chain signs; nothing is stored.
 */
export type AwsAuth = 'api-key' | 'sigv4-keys' | 'sigv4-profile';

export interface AwsAccessKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** `ACCESS_KEY_ID:SECRET_ACCESS_KEY[:SESSION_TOKEN]`, as piped to `keytray keys add`. */
export function parseAccessKeys(text: string): AwsAccessKeys | { problem: string } {
  const parts = text.split(':');
  const [accessKeyId = '', secretAccessKey = '', sessionToken, ...extra] = parts;
  if (extra.length > 0 || !accessKeyId || !secretAccessKey) {
    return {
      problem: 'AWS access keys go in as ACCESS_KEY_ID:SECRET_ACCESS_KEY, or ACCESS_KEY_ID:SECRET_ACCESS_KEY:SESSION_TOKEN.',
    };
  }
  if (!/^(AKIA|ASIA)[A-Z0-9]{12,124}$/.test(accessKeyId)) {
    return {
      problem: 'The access key ID should start with AKIA (or ASIA for temporary keys) followed by capital letters and digits.',
    };
  }
  if (!/^[A-Za-z0-9/+=]{16,128}$/.test(secretAccessKey)) return { problem: 'The secret access key does not look like one.' };
  return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
}

export function isAccessKeys(value: AwsAccessKeys | { problem: string }): value is AwsAccessKeys {
  return 'accessKeyId' in value;
}

export const PROFILE_PATTERN = /^[A-Za-z0-9_.+@-]{1,64}$/;

/** A stored key's credential, as `keytray exec` hands it to a child: an API key, AWS access keys, or the AWS profile it signs with. */
export type KeyCredential =
  | { auth: 'api-key'; secret: string }
  | { auth: 'sigv4-keys'; keys: AwsAccessKeys }
  | { auth: 'sigv4-profile'; profile: string };

/** The AWS credential chain's variables for a SigV4 key: its access keys, or the profile it signs with. */
export function awsChainVariables(credential: { keys: AwsAccessKeys } | { profile: string }): Record<string, string> {
  if ('profile' in credential) return { AWS_PROFILE: credential.profile };
  const { accessKeyId, secretAccessKey, sessionToken } = credential.keys;
  return {
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    ...(sessionToken ? { AWS_SESSION_TOKEN: sessionToken } : {}),
  };
}
