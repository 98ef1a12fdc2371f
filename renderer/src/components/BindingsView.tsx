import { useCallback, useEffect, useState } from 'react';
import { AGENTS } from '../../../shared/agents/catalog';
import type { BindingRow } from '../../../shared/ipc';
import { tildePath } from '../../../shared/paths';
import { call } from '../ipc';
import { useApp } from '../stores/app-store';

/** Every folder and file bound to a key (`keytray bindings`), with the stale ones flagged. */
export function BindingsView() {
  const act = useApp((s) => s.act);
  const home = useApp((s) => s.home);
  const [rows, setRows] = useState<BindingRow[] | null>(null);
  const load = useCallback(async () => setRows((await call(window.keytray.listBindings())).bindings), []);
  useEffect(() => {
    void act(load, []);
  }, [act, load]);
  return (
    <section aria-labelledby="bindings-title">
      <h1 id="bindings-title">Bindings</h1>
      <p className="hint">Every agent config file KeyTray wrote, the key it names, and those that no longer work.</p>
      {rows === null ? (
        <p aria-live="polite">Reading…</p>
      ) : rows.length === 0 ? (
        <p className="empty">KeyTray has configured no agent yet.</p>
      ) : (
        <table className="log bindings">
          <thead>
            <tr>
              <th scope="col">Agent</th>
              <th scope="col">Key</th>
              <th scope="col">Mode</th>
              <th scope="col">File</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.agent}:${r.path}`} className={r.stale ? 'failed' : ''} data-testid="binding-row">
                <td>{AGENTS[r.agent].label}</td>
                <td>
                  {r.binding.provider}/{r.binding.label ?? '(active key)'}
                </td>
                <td>{r.binding.mode ?? 'helper'}</td>
                <td>
                  <code title={r.path}>{tildePath(r.path, home)}</code>
                </td>
                <td>
                  {r.stale ? (
                    <>
                      Stale: {r.stale}
                      {(r.stale === 'its folder moved or is gone' || r.stale === 'the file is gone') && (
                        <button
                          type="button"
                          onClick={() =>
                            void act(async () => {
                              setRows((await call(window.keytray.forgetBinding({ agent: r.agent, path: r.path }))).bindings);
                            }, [])
                          }
                        >
                          Forget
                        </button>
                      )}
                    </>
                  ) : (
                    'OK'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
