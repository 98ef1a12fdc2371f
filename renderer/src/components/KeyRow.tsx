import { useEffect, useState } from 'react';
import type { KeyView } from '../../../shared/vault-types';
import { call } from '../ipc';
import { useApp } from '../stores/app-store';

const STATE_NOTES: Record<KeyView['state'], string | null> = {
  ok: null,
  missing: 'secret missing from the store',
  changed: 'changed outside KeyTray',
  unknown: 'store unavailable',
};

/** One key: label, mask, state, and what can be done with it. A revealed secret lives here only, briefly. */
export function KeyRow({ keyView }: { keyView: KeyView }) {
  const act = useApp((s) => s.act);
  const [revealed, setRevealed] = useState<string | null>(null);
  const [renaming, setRenaming] = useState(false);
  const [newLabel, setNewLabel] = useState(keyView.label);
  const [copied, setCopied] = useState(false);
  const [test, setTest] = useState<{ ok: boolean; message: string } | null>(null);
  const ref = { provider: keyView.provider, label: keyView.label };

  useEffect(() => {
    if (!revealed) return;
    // The secret leaves the screen by itself.
    const timer = setTimeout(() => setRevealed(null), 20_000);
    return () => clearTimeout(timer);
  }, [revealed]);

  const note = STATE_NOTES[keyView.state];
  return (
    <li className={keyView.active ? 'key active' : 'key'} data-testid={`key-${keyView.provider}-${keyView.label}`}>
      {renaming ? (
        <form
          className="rename"
          onSubmit={(e) => {
            e.preventDefault();
            void act(() => call(window.keytray.renameKey({ ...ref, newLabel }))).then((ok) => ok && setRenaming(false));
          }}
        >
          <input aria-label={`New label for ${keyView.label}`} value={newLabel} onChange={(e) => setNewLabel(e.target.value)} />
          <button type="submit">Save</button>
          <button type="button" onClick={() => setRenaming(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <span className="label">{keyView.label}</span>
      )}
      <code className="masked" data-testid="masked">
        {revealed ?? keyView.masked}
      </code>
      {keyView.active && (
        <span className="badge" data-testid="active-badge">
          active
        </span>
      )}
      {keyView.auth && keyView.auth !== 'api-key' && (
        <span className="tag">{keyView.auth === 'sigv4-profile' ? `profile ${keyView.profile}` : 'SigV4 keys'}</span>
      )}
      {note && <span className="warning">{note}</span>}
      {keyView.lastUsedAt && (
        <span className="muted" title="through the KeyTray proxy">
          used {new Date(keyView.lastUsedAt).toLocaleString()}
        </span>
      )}
      <span className="actions">
        {!keyView.active && (
          <button type="button" onClick={() => void act(() => call(window.keytray.activateKey(ref)))}>
            Make active
          </button>
        )}
        {keyView.auth !== 'sigv4-profile' && (
          <>
            <button
              type="button"
              aria-pressed={revealed !== null}
              onClick={async () => {
                if (revealed) return setRevealed(null);
                await act(async () => setRevealed((await call(window.keytray.revealKey(ref))).secret), []);
              }}
            >
              {revealed ? 'Hide' : 'Reveal'}
            </button>
            <button
              type="button"
              onClick={() =>
                void act(async () => {
                  await call(window.keytray.copyKey(ref));
                  setCopied(true);
                  setTimeout(() => setCopied(false), 2000);
                }, [])
              }
            >
              {copied ? 'Copied' : 'Copy'}
            </button>
          </>
        )}
        <button
          type="button"
          onClick={() => {
            setTest({ ok: true, message: 'Testing…' });
            void act(async () => setTest(await call(window.keytray.testKey(ref))), []).then((ok) => !ok && setTest(null));
          }}
        >
          Test
        </button>
        <button type="button" onClick={() => setRenaming(true)}>
          Rename
        </button>
        <button
          type="button"
          className="danger"
          onClick={() => {
            if (window.confirm(`Remove ${keyView.provider}/${keyView.label} from the keychain?`))
              void act(() => call(window.keytray.removeKey(ref)));
          }}
        >
          Remove
        </button>
      </span>
      {test && (
        <p className={test.ok ? 'ok test-result' : 'warning test-result'} role="status" data-testid="test-result">
          {test.message}
        </p>
      )}
    </li>
  );
}
