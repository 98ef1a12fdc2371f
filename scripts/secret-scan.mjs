// Scans everything the test run left behind for the canary the test keys
// carry (see fakeAnthropicKey in test/support/test-env.ts): its logs and
// reports, every IPC payload sent to the renderer (test-results/ipc-payloads.jsonl),
// every file the tests' HOMEs hold (settings, helper scripts, metadata, proxy
// logs, Claude Code's own files), and the text of every screenshot, read by
// tesseract. A test key in any of them is a leak, but for two places that
// hold keys by design, listed in KEYCHAINS.
// Usage: node scripts/secret-scan.mjs <dir>...
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

export const CANARY = /KTCANARY[A-Za-z0-9_-]{8,}/g;
/** OCR reads letters, not always the random tail: the canary word alone is enough. */
export const CANARY_SEEN = /KT\s?CANARY/i;

/** Where keys live by design: the keychain's own files, and the plaintext store a user opts into. */
const KEYCHAINS = [
  { pattern: `${sep}.local${sep}share${sep}keyrings${sep}`, why: "gnome-keyring's files (the keychain)" },
  { pattern: `${sep}keytray${sep}secrets.json`, why: 'the labelled plaintext store (`keytray store use file`)' },
];
const SKIPPED = new Set(['.webm', '.zip', '.jpg']);

/** The text tesseract reads in a screenshot. */
export function screenshotText(path) {
  return execFileSync('tesseract', [path, '-', '--psm', '3'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

function walk(path, files) {
  let entries;
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch {
    files.push(path);
    return;
  }
  for (const entry of entries) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) walk(full, files);
    else if (entry.isFile()) files.push(full);
  }
}

export function scan(roots) {
  const counts = { text: 0, homes: 0, screenshots: 0, bytes: 0, byDesign: 0 };
  const leaks = [];
  for (const root of roots) {
    const files = [];
    walk(root, files);
    for (const path of files) scanFile(path, `${sep}${relative(root, path)}`, counts, leaks);
  }
  return { counts, leaks };
}

/** `inRun` is the path below the scanned root, so where the checkout lives decides nothing. */
function scanFile(path, inRun, counts, leaks) {
  if (SKIPPED.has(extname(path))) return;
  if (KEYCHAINS.some((k) => inRun.includes(k.pattern))) {
    counts.byDesign += 1;
    return;
  }
  if (extname(path) === '.png') {
    counts.screenshots += 1;
    const text = screenshotText(path);
    if (CANARY_SEEN.test(text)) leaks.push(`${path}: a key is readable in the picture`);
    return;
  }
  const text = readFileSync(path, 'latin1');
  if (inRun.startsWith(`${sep}home${sep}`)) counts.homes += 1;
  else counts.text += 1;
  counts.bytes += text.length;
  for (const match of text.matchAll(CANARY)) leaks.push(`${path}: ${match[0].slice(0, 14)}…`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { counts, leaks } = scan(process.argv.slice(2));
  console.log(
    `secret scan: ${counts.text} logs, reports and IPC payload files, ${counts.homes} files written under the test homes, ` +
      `${counts.screenshots} screenshots read by OCR (${counts.bytes} bytes of text); ${leaks.length} test keys found` +
      ` (${counts.byDesign} keychain files skipped: ${KEYCHAINS.map((k) => k.why).join(', ')})`,
  );
  for (const leak of leaks.slice(0, 30)) console.log(`  leak: ${leak}`);
  process.exit(leaks.length === 0 ? 0 : 1);
}
