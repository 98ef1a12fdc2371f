/**
 * What every picture says about the proxy an agent goes through when it is
 * not KeyTray's proxy answering: nothing listens, or something else does.
 */
import type { AuthWarning } from './picture';

export interface ProxyView {
  url: string;
  running: boolean;
  impostor?: true;
}

/**
 * The warning for an agent whose requests go to the proxy at `proxy.url`, or
 * null when KeyTray's proxy answers there. `holder`: where the agent's token
 * comes from (KeyTray's helper, which checks the listener first, or a file).
 */
export function proxyWarning(agent: string, proxy: ProxyView, holder: 'helper' | 'file'): AuthWarning | null {
  const port = /:(\d+)\//.exec(`${proxy.url}/`)?.[1] ?? '<port>';
  if (proxy.impostor) {
    return {
      code: 'proxy-impostor',
      message: `Something that is not KeyTray's proxy is listening at ${proxy.url}: it cannot prove it holds KeyTray's token. ${
        holder === 'helper'
          ? `KeyTray's helper will not hand ${agent} a proxy token while it is there, so ${agent}'s requests fail.`
          : `${agent} would send it the route token it keeps in its file, with every prompt.`
      }`,
      fix: `Stop that program (\`ss -ltnp 'sport = :${port}'\` names it), or move KeyTray's proxy with \`keytray proxy port <n>\`.`,
    };
  }
  if (!proxy.running) {
    return {
      code: 'proxy-not-running',
      message: `${agent} sends its requests to KeyTray's proxy at ${proxy.url}, and nothing is listening there.`,
      fix: 'Start the KeyTray app, or run `keytray proxy`.',
    };
  }
  return null;
}
