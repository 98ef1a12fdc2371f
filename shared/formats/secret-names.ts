/**
 * How a value in another tool's file is recognised as a credential, so that
 * diffs and previews mask it: by the name that holds it, or by its shape.
 */

/** Names of settings whose string values are credentials (claude-code-router's `APIKEY` by its whole name: `apiKeyHelper` is a command). */
export const SECRET_NAME = /(^APIKEY$|API_KEY|AUTH_TOKEN|OAUTH_TOKEN|ACCESS_KEY|SECRET|PASSWORD|BEARER_TOKEN|SESSION_TOKEN)/i;

/** Values shaped like a provider key or a KeyTray proxy token, whatever setting holds them. */
export const LOOKS_LIKE_KEY = /^(sk-|AKIA|ASIA|ABSK|bedrock-api-key-|AIza|ktp_)[A-Za-z0-9_\-+/=]{16,}$/;
