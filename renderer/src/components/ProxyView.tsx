import { useEffect, useState } from 'react';
import type { ProxyHold } from '../../../shared/proxy-types';
import { call } from '../ipc';
import { useApp } from '../stores/app-store';

export function ProxyView() {
  const { proxy, log, refreshProxy, act } = useApp();
  useEffect(() => {
    void refreshProxy();
    const timer = setInterval(() => void refreshProxy(), 2000);
    return () => clearInterval(timer);
  }, [refreshProxy]);
  const hold = (held: ProxyHold) => act(() => call(window.keytray.proxyHold({ held })), ['proxy']);
  const [rotated, setRotated] = useState<string | null>(null);
  const rotate = () =>
    act(async () => {
      const { files, proxy: running } = await call(window.keytray.rotateProxyToken());
      const rewritten = files.filter((f) => !f.error).length;
      setRotated(
        `Replaced: every token made from the old one is refused from now on.${rewritten ? ` ${rewritten} file${rewritten === 1 ? '' : 's'} got a new route token.` : ''}${running === 'keytray' ? ' The running proxy took the new token.' : ''}`,
      );
    }, ['proxy', 'agents']);
  return (
    <section aria-labelledby="proxy-title">
      <h1 id="proxy-title">Proxy</h1>
      <p data-testid="proxy-status">
        {proxy
          ? proxy.running
            ? `Running on http://127.0.0.1:${proxy.port}`
            : `Not running${proxy.error ? `: ${proxy.error}` : ''}`
          : 'Reading…'}
      </p>
      {proxy && (
        <>
          <p className="hint" data-testid="proxy-why">
            {whyText(proxy.held, proxy.needed)}
          </p>
          <div className="actions">
            {proxy.running ? (
              <button type="button" onClick={() => void hold('stopped')}>
                Stop proxy
              </button>
            ) : (
              <button type="button" onClick={() => void hold('started')}>
                Start proxy
              </button>
            )}
            {proxy.held !== 'auto' && (
              <button type="button" onClick={() => void hold('auto')}>
                Let KeyTray decide
              </button>
            )}
            <button
              type="button"
              title="Agents get the new token from their helper on their next start; a copied or leaked token stops working."
              onClick={() => void rotate()}
            >
              Replace the proxy token
            </button>
          </div>
          {rotated && (
            <p role="status" className="ok" data-testid="proxy-rotated">
              {rotated}
            </p>
          )}
        </>
      )}
      {log.length === 0 ? (
        <p className="empty">No requests yet.</p>
      ) : (
        <table className="log">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Request</th>
              <th scope="col">Status</th>
              <th scope="col">Latency</th>
              <th scope="col">Key</th>
            </tr>
          </thead>
          <tbody>
            {[...log].reverse().map((e) => {
              const at = new Date(e.time);
              return (
                <tr
                  key={`${e.time}-${e.path}-${e.latencyMs}`}
                  className={e.note ? 'note' : e.status >= 400 ? 'failed' : ''}
                  data-testid="proxy-log-row"
                >
                  <td>
                    {/* The user's own clock: the log keeps UTC, the window shows local time. */}
                    <time dateTime={e.time} title={at.toLocaleString()}>
                      {at.toLocaleTimeString()}
                    </time>
                  </td>
                  <td>
                    {e.method} {e.path}
                    {e.note && <span className="muted"> — {e.note}</span>}
                  </td>
                  <td title={e.error}>{e.status}</td>
                  <td>{e.latencyMs} ms</td>
                  <td>{e.provider ? `${e.provider}/${e.label}` : '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

function whyText(held: ProxyHold, needed: boolean): string {
  if (held === 'started') return 'Started by you: it runs until you stop it or let KeyTray decide.';
  if (held === 'stopped')
    return needed
      ? 'Stopped by you: agents configured in proxy mode cannot reach their provider until it runs again.'
      : 'Stopped by you.';
  return needed
    ? 'KeyTray runs it because an agent is configured in proxy mode.'
    : 'KeyTray starts it when an agent is configured in proxy mode.';
}
