/**
 * Refuses to run outside the private keyring session that
 * scripts/with-keyring.sh sets up: these tests write to the keychain and to
 * HOME, and must never do so in a real user's.
 */
import { existsSync } from 'node:fs';

export default function setup(): void {
  if (process.env.KEYTRAY_PRIVATE_KEYRING !== '1') {
    throw new Error('Run the tests with `npm run test:unit` (or scripts/with-keyring.sh): they need a private keyring and HOME.');
  }
  if (!existsSync('out/cli/keytray.cjs') || !existsSync('out/cli/key.cjs')) {
    throw new Error('The CLI is not built: run `npm run build` first.');
  }
}
