import { useCallback, useEffect, useState } from 'react';
import type { ImportScan, MovedKey, PlaintextKey } from '../../../shared/import/plaintext-key';
import { plaintextKeysSentence } from '../../../shared/import/plaintext-key';
import type { ProviderId } from '../../../shared/providers';
import { call } from '../ipc';
import { useApp } from '../stores/app-store';
import { ProviderOptions } from './ProviderOptions';

/**
 * "N keys in plaintext on this machine", above every view, with one click to
 * move them into the keychain (`keytray import --apply`), what each place
 * became, and an undo. Masks and paths only: the keys stay in main.
 */
export function ImportBanner() {
  const act = useApp((s) => s.act);
  const [scan, setScan] = useState<ImportScan | null>(null);
  const [moved, setMoved] = useState<MovedKey[] | null>(null);
  const load = useCallback(async () => setScan(await call(window.keytray.scanImport({}))), []);
  useEffect(() => {
    void act(load, []);
    return window.keytray.onStateChanged((event) => {
      if (event.kind !== 'proxy') void load().catch(() => undefined);
    });
  }, [act, load]);

  const movable = scan?.keys.filter((k) => k.provider !== null) ?? [];
  const move = (picks?: { id: string; provider: ProviderId }[]) =>
    act(async () => {
      const result = await call(window.keytray.applyImport(picks ? { picks } : {}));
      setMoved(result.moved);
      await load();
    });
  const undo = () =>
    act(async () => {
      await call(window.keytray.undoImport());
      setMoved(null);
      await load();
    });

  if (moved) return <MovedReport moved={moved} onUndo={undo} onClose={() => setMoved(null)} />;
  if (!scan || scan.keys.length === 0) return null;
  return (
    <section className="card import-banner" aria-labelledby="import-title" data-testid="import-banner">
      <h2 id="import-title" className="warning">
        {plaintextKeysSentence(scan.keys.length)}
      </h2>
      <p className="hint">
        Shell files, .env files, agents' settings and stores, and CC Switch hold these keys readable by anything you run. KeyTray
        can keep them in the keychain and put its own reference in their place.
      </p>
      <details>
        <summary>Where they are</summary>
        <ul className="import-keys">
          {scan.keys.map((k) => (
            <li key={k.id} data-testid="plaintext-key">
              <code>{k.masked}</code> {k.provider ?? 'unknown provider'} · {where(k)} · {k.variable}
              {k.held && (
                <span className="muted">
                  {' '}
                  (KeyTray holds it: {k.held.provider}/{k.held.label})
                </span>
              )}
              {k.provider ? (
                <div className="muted">{k.action}</div>
              ) : (
                <UnknownKey plaintext={k} onMove={(provider) => void move([{ id: k.id, provider }])} />
              )}
            </li>
          ))}
        </ul>
      </details>
      {movable.length > 0 && (
        <button type="button" className="primary" onClick={() => void move()}>
          Move {movable.length === 1 ? 'it' : `${movable.length} keys`} into the keychain
        </button>
      )}
    </section>
  );
}

/** A key KeyTray cannot judge: moved only once the user names its provider. */
function UnknownKey({ plaintext, onMove }: { plaintext: PlaintextKey; onMove(provider: ProviderId): void }) {
  const [provider, setProvider] = useState<ProviderId | ''>('');
  return (
    <div className="row">
      <span className="muted">KeyTray cannot tell whose key it is; moving all leaves it alone.</span>
      <label>
        Provider{' '}
        <select
          aria-label={`Provider of ${plaintext.variable}`}
          value={provider}
          onChange={(e) => setProvider(e.target.value as ProviderId | '')}
        >
          <option value="">choose…</option>
          <ProviderOptions />
        </select>
      </label>
      <button type="button" disabled={provider === ''} onClick={() => provider !== '' && onMove(provider)}>
        Move this key
      </button>
    </div>
  );
}

function MovedReport({ moved, onUndo, onClose }: { moved: MovedKey[]; onUndo(): void; onClose(): void }) {
  const done = moved.filter((m) => !m.error);
  return (
    <section className="card import-banner" role="status" data-testid="import-result">
      <h2 className={done.length === moved.length ? 'ok' : 'warning'}>
        Moved {done.length} of {moved.length} {moved.length === 1 ? 'key' : 'keys'} into the keychain
      </h2>
      <ul className="import-keys">
        {moved.map((m) => (
          <li key={m.id}>
            {m.error ? (
              <span className="error">
                {m.path}: {m.error.message} {m.error.fix}
              </span>
            ) : (
              <>
                {m.path} → {m.key?.provider}/{m.key?.label}: {m.done}
                {m.todo && <div className="warning">Still to do: {m.todo}</div>}
              </>
            )}
          </li>
        ))}
      </ul>
      <p className="hint">Every file changed has a sealed backup; undo puts them back (the keys stay in the keychain).</p>
      <div className="row">
        <button type="button" onClick={onUndo}>
          Undo
        </button>
        <button type="button" onClick={onClose}>
          Done
        </button>
      </div>
    </section>
  );
}

function where(key: PlaintextKey): string {
  return key.line !== undefined ? `${key.path}:${key.line}` : key.row ? `${key.path} (${key.row})` : key.path;
}
