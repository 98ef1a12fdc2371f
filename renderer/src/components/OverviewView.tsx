/**
 * The first screen: is everything OK? A card per agent found on this
 * machine (its light, the key it will use, the mode, where requests go), the
 * proxy, and every problem as a one-line headline with a fix where a safe
 * one exists, the whole story behind a disclosure.
 */
import type { AgentId } from '../../../shared/agents/catalog';
import { SERIOUS_WARNINGS } from '../../../shared/agents/light';
import type { AgentPicture, AuthWarning } from '../../../shared/agents/picture';
import type { AgentSummary } from '../../../shared/ipc';
import { tildePath } from '../../../shared/paths';
import type { ProxyHold } from '../../../shared/proxy-types';
import { call } from '../ipc';
import { useApp } from '../stores/app-store';
import { Badge, Light, type Tone } from '../ui/Badge';
import { Button } from '../ui/Button';
import { Card } from '../ui/Card';
import { Disclosure } from '../ui/Disclosure';

const LIGHT: Record<AgentSummary['light'], { tone: Tone; word: string }> = {
  ok: { tone: 'ok', word: 'OK' },
  warning: { tone: 'warn', word: 'Check' },
  error: { tone: 'bad', word: 'Failing' },
};

export function OverviewView() {
  const { agents, proxy, listing } = useApp();
  const found = (agents ?? []).filter((a) => a.installed || a.configured);
  const problems = found.filter((a) => a.light !== 'ok').length + (proxy?.error ? 1 : 0);
  const keys = listing?.providers.reduce((n, p) => n + p.keys.length, 0) ?? 0;
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      <p className="summary-line" data-testid="overview-summary">
        {agents === null ? (
          'Reading each agent’s configuration…'
        ) : problems === 0 ? (
          <Light
            tone="ok"
            label={`Everything is OK: ${found.length} agent${found.length === 1 ? '' : 's'}, ${keys} key${keys === 1 ? '' : 's'} in the keychain`}
          />
        ) : (
          <Light tone="warn" label={`${problems} thing${problems === 1 ? '' : 's'} to look at`} />
        )}
      </p>
      <div className="overview-grid">
        {found.map((agent) => (
          <AgentCard key={agent.id} agent={agent} />
        ))}
        {agents !== null && found.length === 0 && (
          <Card title="No agents found" titleId="no-agents">
            <p className="hint">None of the coding agents KeyTray knows is installed on this machine’s PATH.</p>
          </Card>
        )}
        <ProxyCard />
        <TodayCard />
      </div>
    </section>
  );
}

function AgentCard({ agent }: { agent: AgentSummary }) {
  const { home, setView, select } = useApp();
  const light = LIGHT[agent.light];
  const picture = agent.picture;
  const winner = Object.values(picture.headers).find((h) => h?.source === picture.winner) ?? null;
  const problems = picture.warnings.filter((w) => SERIOUS_WARNINGS.has(w.code));
  const open = () => {
    setView('agents');
    select(agent.id);
  };
  return (
    <Card
      title={agent.label}
      titleId={`overview-${agent.id}`}
      tone={light.tone === 'ok' ? 'ok' : light.tone === 'warn' ? 'warn' : 'bad'}
      testId={`overview-${agent.id}`}
      actions={<Light tone={light.tone} label={light.word} />}
    >
      <dl className="facts">
        <dt>Key</dt>
        <dd>{winner ? <code>{winner.masked ?? winner.source}</code> : <span className="muted">nothing sent</span>}</dd>
        <dt>Mode</dt>
        <dd>{modeOf(agent)}</dd>
        {picture.destination && (
          <>
            <dt>Sends to</dt>
            <dd>
              <code title={picture.destination}>{tildePath(picture.destination, home)}</code>
            </dd>
          </>
        )}
      </dl>
      {problems.map((w) => (
        <Problem key={`${w.code}-${w.message}`} agent={agent.id} picture={picture} warning={w} />
      ))}
      {!agent.configured && agent.installed && (
        <p className="problem">
          <span>Not configured by KeyTray.</span>
          <Button variant="primary" onClick={open}>
            Configure
          </Button>
        </p>
      )}
    </Card>
  );
}

/** "helper", "proxy", "exec" or "native", as the binding in force says, else what the agent does on its own. */
function modeOf(agent: AgentSummary): string {
  const { binding, picture } = agent;
  if (binding) return binding.mode === 'proxy' ? 'proxy' : picture.winner === 'aws-sigv4' ? 'native' : 'helper';
  if (agent.id === 'ant') return 'exec';
  return 'its own';
}

/** A warning as one line, its safe fix as a button, the rest behind a disclosure. */
function Problem({ agent, picture, warning }: { agent: AgentId; picture: AgentPicture; warning: AuthWarning }) {
  const { setView, select, setForm, preview, importKey } = useApp();
  const fix = fixFor(agent, warning.code);
  return (
    <div className="problem" data-testid={`problem-${agent}-${warning.code}`}>
      <span>{headline(warning.message)}</span>
      {fix === 'neutralize' && (
        <Button
          variant="primary"
          onClick={() => {
            setView('agents');
            select('claude-code');
            setForm('claude-code', { neutralizeEnv: true });
            void preview('claude-code');
          }}
        >
          Fix…
        </Button>
      )}
      {fix === 'import' && (
        <Button variant="primary" onClick={() => void importKey(agent as 'codex' | 'gemini-cli' | 'opencode')}>
          Move it into the keychain
        </Button>
      )}
      {fix === 'open' && (
        <Button
          onClick={() => {
            setView('agents');
            select(picture.tool);
          }}
        >
          Open
        </Button>
      )}
      <Disclosure summary="Details">
        <p>{warning.message}</p>
        {warning.fix && <p className="fix">{warning.fix}</p>}
      </Disclosure>
    </div>
  );
}

function fixFor(agent: AgentId, code: string): 'neutralize' | 'import' | 'open' {
  if (agent === 'claude-code' && (code === 'shell-export-shadows-keychain' || code === 'env-shadows-keychain'))
    return 'neutralize';
  if ((agent === 'codex' || agent === 'opencode') && code === 'plaintext-key-in-auth-json') return 'import';
  if (agent === 'gemini-cli' && code === 'plaintext-credentials-file') return 'import';
  return 'open';
}

/** A warning's first sentence: the headline; the rest is in the details. */
export function headline(message: string): string {
  const end = message.search(/[.:;](\s|$)/);
  return end > 0 ? message.slice(0, end + 1) : message;
}

/** Today's usage through the proxy, and the keys past their daily budget. */
function TodayCard() {
  const { usageToday, setView } = useApp();
  if (!usageToday) return null;
  const { total, pricesAsOf } = usageToday.summary;
  const over = usageToday.overBudget;
  const tokens = total.input + total.output + total.cacheRead + total.cacheWrite;
  return (
    <Card
      title="Today"
      titleId="overview-today"
      tone={over.length > 0 ? 'warn' : undefined}
      testId="overview-today"
      actions={<Button onClick={() => setView('usage')}>Usage</Button>}
    >
      <dl className="facts">
        <dt>Requests</dt>
        <dd>{total.requests.toLocaleString('en-US')}</dd>
        <dt>Tokens</dt>
        <dd>{tokens.toLocaleString('en-US')}</dd>
        <dt>Estimated</dt>
        <dd>{total.costUsd === null ? 'unknown (a model without a price)' : `$${total.costUsd.toFixed(2)}`}</dd>
      </dl>
      {over.map((o) => (
        <p key={`${o.provider}/${o.label}`} className="problem">
          <span>
            {o.provider}/{o.label} is past its daily budget: ${o.spentUsd.toFixed(2)} of ${o.budgetUsd.toFixed(2)}.
          </span>
        </p>
      ))}
      <p className="hint">Through the proxy only; prices as of {pricesAsOf}.</p>
    </Card>
  );
}

function ProxyCard() {
  const { proxy, act } = useApp();
  const hold = (held: ProxyHold) => act(() => call(window.keytray.proxyHold({ held })), ['proxy']);
  if (!proxy) return null;
  const tone: Tone = proxy.error ? 'bad' : proxy.running ? 'ok' : proxy.needed ? 'warn' : 'neutral';
  return (
    <Card
      title="Proxy"
      titleId="overview-proxy"
      tone={tone === 'ok' ? 'ok' : tone === 'neutral' ? undefined : tone === 'warn' ? 'warn' : 'bad'}
      testId="overview-proxy"
      actions={<Light tone={tone} label={proxy.running ? 'Running' : 'Stopped'} />}
    >
      <p>
        {proxy.running ? (
          <>
            On <code>127.0.0.1:{proxy.port}</code>
          </>
        ) : proxy.needed ? (
          'A configuration sends requests through it, and it is not running.'
        ) : (
          'No configuration needs it.'
        )}
      </p>
      {proxy.error && <p className="problem">{headline(proxy.error)}</p>}
      <div className="card-actions">
        {proxy.running ? (
          <Button onClick={() => void hold('stopped')}>Stop</Button>
        ) : (
          <Button variant={proxy.needed ? 'primary' : 'plain'} onClick={() => void hold('started')}>
            Start
          </Button>
        )}
        {proxy.held !== 'auto' && <Badge tone="neutral">held {proxy.held} by you</Badge>}
      </div>
    </Card>
  );
}
