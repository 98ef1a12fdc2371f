import { useEffect } from 'react';
import { useApp } from '../stores/app-store';

export function ProxyView() {
  const { proxy, log, refreshProxy } = useApp();
  useEffect(() => {
    void refreshProxy();
    const timer = setInterval(() => void refreshProxy(), 2000);
    return () => clearInterval(timer);
  }, [refreshProxy]);
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
            {[...log].reverse().map((e) => (
              <tr key={`${e.time}-${e.path}-${e.latencyMs}`} className={e.status >= 400 ? 'failed' : ''}>
                <td>{e.time.slice(11, 19)}</td>
                <td>
                  {e.method} {e.path}
                </td>
                <td title={e.error}>{e.status}</td>
                <td>{e.latencyMs} ms</td>
                <td>{e.provider ? `${e.provider}/${e.label}` : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
