import type { AuthPicture, HeaderValue } from '../../../shared/agents/claude-code/auth-picture';
import { providerName } from '../../../shared/agents/claude-code/auth-picture';
import { useApp } from '../stores/app-store';

/** The auth picture drawn: who wins each header, the ladder of sources, warnings with their fixes. */
export function AuthLadder({ picture }: { picture: AuthPicture }) {
  const { setClaude, setView, previewClaude } = useApp();
  return (
    <div className="ladder" data-testid="auth-picture">
      <p className="provider-line">
        Claude Code in <code>{picture.cwd}</code> → <strong>{providerName(picture.provider)}</strong>
      </p>
      <div className="headers">
        <Header name="x-api-key" value={picture.headers['x-api-key']} />
        <Header name="Authorization" value={picture.headers.authorization} />
      </div>
      <ol className="tiers" aria-label="Credential sources, highest precedence first">
        {picture.tiers.map((tier) => (
          <li key={tier.source} className={`tier ${tier.state}`} data-testid={`tier-${tier.source}`}>
            <span className="source">{tier.source}</span>
            <span className="state">{tier.state}</span>
            {tier.masked && <code>{tier.masked}</code>}
            {tier.origin && <span className="origin">{tier.origin}</span>}
            {tier.detail && <span className="detail">{tier.detail}</span>}
            {tier.reason && <span className="reason">{tier.reason}</span>}
          </li>
        ))}
      </ol>
      {picture.warnings.length > 0 && (
        <ul className="warnings" aria-label="Warnings">
          {picture.warnings.map((w) => (
            <li key={`${w.code}-${w.message}`} className="warning" data-testid={`warning-${w.code}`}>
              <p>{w.message}</p>
              {w.fix && <p className="fix">{w.fix}</p>}
              {(w.code === 'shell-export-shadows-keychain' || w.code === 'env-shadows-keychain') && (
                <button
                  type="button"
                  onClick={() => {
                    setClaude({ neutralizeEnv: true });
                    setView('claude');
                    void previewClaude();
                  }}
                >
                  Fix: make Claude Code ignore it
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Header({ name, value }: { name: string; value: HeaderValue | null }) {
  return (
    <div className={value ? 'header sent' : 'header none'} data-testid={`header-${name.toLowerCase()}`}>
      <span className="name">{name}</span>
      {value ? (
        <>
          <span className="source">{value.source}</span>
          <code>{value.masked ?? 'value unknown to KeyTray'}</code>
          <span className="origin">{value.origin}</span>
          {value.detail && <span className="detail">{value.detail}</span>}
        </>
      ) : (
        <span className="muted">nothing sent</span>
      )}
    </div>
  );
}
