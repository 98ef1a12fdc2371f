import { useApp } from '../stores/app-store';
import { AuthLadder } from './AuthLadder';

/** Configure Claude Code: choose how and where, see the diff, confirm, undo. */
export function ClaudeView() {
  const { claude, setClaude, plan, result, previewClaude, applyClaude, undoClaude, listing } = useApp();
  const keys = listing?.providers.find((p) => p.id === claude.provider)?.keys ?? [];
  return (
    <section aria-labelledby="claude-title">
      <h1 id="claude-title">Claude Code</h1>
      <form
        className="card fields"
        onSubmit={(e) => {
          e.preventDefault();
          void previewClaude();
        }}
      >
        <label>
          Provider
          <select
            value={claude.provider}
            onChange={(e) => setClaude({ provider: e.target.value as typeof claude.provider, label: '' })}
          >
            <option value="anthropic">Anthropic API</option>
            <option value="anthropic-aws">Claude Platform on AWS (AWS mode)</option>
            <option value="bedrock">Amazon Bedrock (AWS mode)</option>
          </select>
        </label>
        <label>
          Key
          <select aria-label="Key for Claude Code" value={claude.label} onChange={(e) => setClaude({ label: e.target.value })}>
            <option value="">The active key</option>
            {keys.map((k) => (
              <option key={k.label} value={k.label}>
                {k.label}
              </option>
            ))}
          </select>
        </label>
        {claude.provider === 'anthropic' && (
          <fieldset>
            <legend>Mode</legend>
            <label>
              <input type="radio" name="mode" checked={claude.mode === 'helper'} onChange={() => setClaude({ mode: 'helper' })} />{' '}
              Helper (Claude Code reads the key)
            </label>
            <label>
              <input type="radio" name="mode" checked={claude.mode === 'proxy'} onChange={() => setClaude({ mode: 'proxy' })} />{' '}
              Proxy (Claude Code never holds the key)
            </label>
          </fieldset>
        )}
        <fieldset>
          <legend>Scope</legend>
          <label>
            <input type="radio" name="scope" checked={claude.scope === 'user'} onChange={() => setClaude({ scope: 'user' })} />{' '}
            All projects
          </label>
          <label>
            <input type="radio" name="scope" checked={claude.scope === 'local'} onChange={() => setClaude({ scope: 'local' })} />{' '}
            This project only
          </label>
        </fieldset>
        {claude.scope !== 'user' && (
          <label className="wide">
            Project directory
            <input value={claude.cwd} placeholder="/path/to/project" onChange={(e) => setClaude({ cwd: e.target.value })} />
          </label>
        )}
        <label className="check">
          <input
            type="checkbox"
            checked={claude.neutralizeEnv}
            onChange={(e) => setClaude({ neutralizeEnv: e.target.checked })}
          />{' '}
          Ignore exported keys
        </label>
        <div className="row">
          <button type="submit">Preview</button>
          <button type="button" onClick={() => void undoClaude()}>
            Undo last change
          </button>
        </div>
      </form>
      {result && (
        <p role="status" className="ok" data-testid="claude-result">
          {result}
        </p>
      )}
      {plan && (
        <div className="card">
          <h2>{plan.changed ? `Changes to ${plan.path}` : `${plan.path} is already set up`}</h2>
          {plan.changed && (
            <pre className="diff" data-testid="diff">
              {plan.diff}
            </pre>
          )}
          <h3>Claude Code will then use</h3>
          <AuthLadder picture={plan.after} />
          {plan.changed && (
            <button type="button" className="primary" onClick={() => void applyClaude()}>
              Configure Claude Code
            </button>
          )}
        </div>
      )}
    </section>
  );
}
