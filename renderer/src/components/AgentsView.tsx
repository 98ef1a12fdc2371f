import { FolderOpen } from 'lucide-react';
import { AGENTS, type AgentId, providersFor } from '../../../shared/agents/catalog';
import type { AgentSummary } from '../../../shared/ipc';
import { tildePath } from '../../../shared/paths';
import { providerInfo } from '../../../shared/providers';
import { call } from '../ipc';
import { isRegional, useApp } from '../stores/app-store';
import { Light, type Tone } from '../ui/Badge';
import { Button } from '../ui/Button';
import { AuthLadder } from './AuthLadder';

const LIGHT: Record<AgentSummary['light'], { tone: Tone; word: string }> = {
  ok: { tone: 'ok', word: 'OK' },
  warning: { tone: 'warn', word: 'Needs attention' },
  error: { tone: 'bad', word: 'Not working' },
};
const SCOPE_WORDS: Record<string, string> = { user: 'All projects', local: 'This project only', project: 'This project, shared' };

/** Every agent on this machine: its state, its mode and its key; configure, undo and remove. */
export function AgentsView() {
  const { agents, selected } = useApp();
  return (
    <section aria-labelledby="agents-title">
      <h1 id="agents-title">Agents</h1>
      {!agents && <p aria-live="polite">Looking for agents…</p>}
      <div className="agents">
        {agents?.map((agent) => (
          <AgentCard key={agent.id} agent={agent} open={selected === agent.id} />
        ))}
      </div>
    </section>
  );
}

function AgentCard({ agent, open }: { agent: AgentSummary; open: boolean }) {
  const { select, home } = useApp();
  const info = AGENTS[agent.id];
  const binding = agent.binding;
  const mode = binding ? (binding.mode ?? (isRegional(binding.provider) ? 'native' : 'helper')) : null;
  return (
    <article
      className={`card agent agent-${agent.light}`}
      data-testid={`agent-${agent.id}`}
      aria-labelledby={`agent-${agent.id}-title`}
    >
      <header className="row">
        <h2 id={`agent-${agent.id}-title`}>{agent.label}</h2>
        <Light tone={LIGHT[agent.light].tone} label={LIGHT[agent.light].word} />
        {!agent.installed && <span className="tag">not on PATH</span>}
        <span className="muted" data-testid="agent-state">
          {binding
            ? `${mode} mode · ${binding.provider}/${binding.label ?? 'active key'}`
            : agent.configured
              ? 'configured'
              : info.configurableModes.length === 0
                ? 'keytray exec'
                : 'not configured by KeyTray'}
        </span>
        {info.configurableModes.length > 0 && (
          <Button aria-expanded={open} onClick={() => select(open ? null : agent.id)}>
            {open ? 'Close' : 'Configure…'}
          </Button>
        )}
      </header>
      {info.configurableModes.length === 0 && (
        <p className="hint">
          {info.label} has no key command and no settings KeyTray writes. Run it with a key from the keychain in its environment
          only:{' '}
          <code>
            keytray exec --agent {agent.id} -- {info.command} …
          </code>
        </p>
      )}
      {agent.picture.destination && (
        <p className="muted">
          Requests go to <code title={agent.picture.destination}>{tildePath(agent.picture.destination, home)}</code>
        </p>
      )}
      {open && <AgentForm id={agent.id} />}
    </article>
  );
}

function AgentForm({ id }: { id: AgentId }) {
  const { forms, setForm, plan, result, preview, apply, undo, listing, act } = useApp();
  const info = AGENTS[id];
  const form = forms[id];
  const keys = listing?.providers.find((p) => p.id === form.provider)?.keys ?? [];
  const cloud = isRegional(form.provider);
  const shownPlan = plan?.agent === id ? plan : null;
  return (
    <>
      <form
        className="fields"
        onSubmit={(e) => {
          e.preventDefault();
          void preview(id);
        }}
      >
        {providersFor(info).length > 1 && (
          <label>
            Provider
            <select value={form.provider} onChange={(e) => setForm(id, { provider: e.target.value, label: '' })}>
              {providersFor(info).map((p) => (
                <option key={p} value={p}>
                  {providerInfo(p).label}
                  {providerInfo(p).regional ? ' (AWS mode)' : ''}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          Key
          <select
            aria-label={`Key for ${info.label}`}
            value={form.label}
            onChange={(e) => setForm(id, { label: e.target.value })}
          >
            <option value="">The active key</option>
            {keys.map((k) => (
              <option key={k.label} value={k.label}>
                {k.label}
              </option>
            ))}
          </select>
        </label>
        {info.configurableModes.length > 1 && !cloud && (
          <fieldset>
            <legend>Mode</legend>
            <label>
              <input
                type="radio"
                name={`${id}-mode`}
                checked={form.mode === 'helper'}
                onChange={() => setForm(id, { mode: 'helper' })}
              />{' '}
              Helper ({info.label} reads the key)
            </label>
            <label>
              <input
                type="radio"
                name={`${id}-mode`}
                checked={form.mode === 'proxy'}
                onChange={() => setForm(id, { mode: 'proxy' })}
              />{' '}
              Proxy ({info.label} never holds the key)
            </label>
          </fieldset>
        )}
        {info.configurableModes.length === 1 && info.configurableModes[0] === 'proxy' && (
          <p className="hint wide">
            {info.label} has no key command: it gets a token that works only on KeyTray's{' '}
            {providerInfo(form.provider as 'gemini')?.label ?? ''} route on this machine, and stops working when you remove this
            configuration. For no token on disk at all, run it with{' '}
            <code>
              keytray exec --provider {form.provider} -- {info.command}
            </code>
            .
          </p>
        )}
        {info.scopes.length > 1 && (
          <fieldset>
            <legend>Scope</legend>
            {info.scopes
              .filter((s) => s !== 'project')
              .map((scope) => (
                <label key={scope}>
                  <input
                    type="radio"
                    name={`${id}-scope`}
                    checked={form.scope === scope}
                    onChange={() => setForm(id, { scope })}
                  />{' '}
                  {SCOPE_WORDS[scope] ?? scope}
                </label>
              ))}
          </fieldset>
        )}
        {form.scope !== 'user' && (
          <div className="wide folder-field">
            <label>
              Project folder
              <input value={form.cwd} placeholder="/path/to/project" onChange={(e) => setForm(id, { cwd: e.target.value })} />
            </label>
            <Button
              onClick={() =>
                void act(async () => {
                  const { path } = await call(
                    window.keytray.pickFolder({ title: `The project ${info.label} should use this key in` }),
                  );
                  if (path) setForm(id, { cwd: path });
                }, [])
              }
            >
              <FolderOpen aria-hidden="true" size={16} /> Choose…
            </Button>
          </div>
        )}
        {info.options.includes('neutralizeEnv') && (
          <label className="check">
            <input
              type="checkbox"
              checked={form.neutralizeEnv}
              onChange={(e) => setForm(id, { neutralizeEnv: e.target.checked })}
            />{' '}
            Ignore exported keys
          </label>
        )}
        <div className="row">
          <Button type="submit" variant="primary">
            Preview
          </Button>
          <Button onClick={() => void undo(id)}>Undo last change</Button>
          <Button variant="danger" onClick={() => void preview(id, 'remove')}>
            Remove KeyTray's settings…
          </Button>
        </div>
      </form>
      {result && (
        <p role="status" className="ok" data-testid="agent-result">
          {result}
        </p>
      )}
      {shownPlan && (
        <div className="plan">
          <h3>
            {shownPlan.changed
              ? `${shownPlan.action === 'remove' ? 'Removing from' : 'Changes to'} ${shownPlan.files
                  .filter((f) => f.diff !== '')
                  .map((f) => (f.target ? `${f.path} (a link to ${f.target})` : f.path))
                  .join(' and ')}`
              : shownPlan.action === 'remove'
                ? `${shownPlan.path} holds nothing of KeyTray's`
                : `${shownPlan.path} is already set up`}
          </h3>
          {shownPlan.changed && (
            <pre className="diff" data-testid="diff">
              {shownPlan.diff}
            </pre>
          )}
          <h3>{info.label} will then use</h3>
          <AuthLadder picture={shownPlan.after} />
          {shownPlan.changed && (
            <button type="button" className="primary" onClick={() => void apply()}>
              {shownPlan.action === 'remove' ? `Remove from ${info.label}` : `Configure ${info.label}`}
            </button>
          )}
        </div>
      )}
    </>
  );
}
