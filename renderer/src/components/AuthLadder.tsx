import { AGENTS } from '../../../shared/agents/catalog';
import { headerLabel, providerWords } from '../../../shared/agents/describe';
import { pictureLight } from '../../../shared/agents/light';
import type { AgentPicture, PictureHeader } from '../../../shared/agents/picture';
import { tildePath } from '../../../shared/paths';
import { useApp } from '../stores/app-store';

/** An agent's auth picture drawn: who wins each header, the ladder of sources, warnings with their fixes. */
export function AuthLadder({ picture }: { picture: AgentPicture }) {
  const { setForm, setView, select, preview, importKey, home } = useApp();
  const label = AGENTS[picture.tool].label;
  const short = (text: string) => tildeText(text, home);
  return (
    <div className="ladder" data-testid={`auth-picture-${picture.tool}`}>
      <p className="provider-line">
        {label} in <Path text={picture.cwd} home={home} /> → <strong>{providerWords(picture)}</strong>
        {picture.destination && (
          <>
            {' '}
            at <Path text={picture.destination} home={home} />
          </>
        )}
      </p>
      {picture.models && (
        <p className="models-line" data-testid="picture-models">
          {Object.entries(picture.models).map(([name, value]) => (
            <span key={name}>
              {name} <code>{value}</code>{' '}
            </span>
          ))}
        </p>
      )}
      <div className="headers">
        {Object.entries(picture.headers).map(([name, value]) => (
          <Header key={name} name={headerLabel(name)} value={value} verdict={verdictOf(picture, value)} home={home} />
        ))}
      </div>
      <ol className="tiers" aria-label="Credential sources, highest precedence first">
        {picture.tiers.map((tier) => (
          <li
            key={`${tier.source}-${tier.origin ?? ''}-${tier.detail ?? ''}`}
            className={`tier ${tier.state}`}
            data-testid={`tier-${tier.source}`}
          >
            <span className="source">{tier.source}</span>
            <span className="state">{tier.state}</span>
            {tier.masked && <code>{tier.masked}</code>}
            {tier.origin && <span className="origin">{tier.origin}</span>}
            {tier.detail && (
              <span className="detail" title={tier.detail}>
                {short(tier.detail)}
              </span>
            )}
            {tier.reason && <span className="reason">{tier.reason}</span>}
          </li>
        ))}
      </ol>
      {picture.warnings.length > 0 && (
        <ul className="warnings" aria-label="Warnings">
          {picture.warnings.map((w) => (
            <li key={`${w.code}-${w.message}`} className="warning" data-testid={`warning-${w.code}`}>
              <p title={w.message}>{short(w.message)}</p>
              {w.fix && <p className="fix">{short(w.fix)}</p>}
              {picture.tool === 'claude-code' &&
                (w.code === 'shell-export-shadows-keychain' || w.code === 'env-shadows-keychain') && (
                  <button
                    type="button"
                    onClick={() => {
                      setView('agents');
                      // Opening the form loads the configuration in force; the fix goes on top of it.
                      select('claude-code');
                      setForm('claude-code', { neutralizeEnv: true });
                      void preview('claude-code');
                    }}
                  >
                    Fix: make Claude Code ignore it
                  </button>
                )}
              {(((picture.tool === 'codex' || picture.tool === 'opencode') && w.code === 'plaintext-key-in-auth-json') ||
                (picture.tool === 'gemini-cli' && w.code === 'plaintext-credentials-file')) && (
                <button type="button" onClick={() => void importKey(picture.tool as 'codex' | 'gemini-cli' | 'opencode')}>
                  Move it into the keychain
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * A header box's colour is its verdict: KeyTray's key (right), another
 * credential shadowing it or unknown to KeyTray (other), a picture that
 * cannot work (failing), nothing sent (none).
 */
type Verdict = 'right' | 'other' | 'failing' | 'none';

function verdictOf(picture: AgentPicture, value: PictureHeader | null): Verdict {
  if (pictureLight(picture) === 'error') return 'failing';
  if (!value) return 'none';
  return value.detail?.startsWith('keytray') ? 'right' : 'other';
}

const VERDICT_WORDS: Record<Verdict, string> = {
  right: "KeyTray's key",
  other: 'another credential',
  failing: 'failing',
  none: 'nothing',
};

function Header({ name, value, verdict, home }: { name: string; value: PictureHeader | null; verdict: Verdict; home: string }) {
  return (
    <div className={`header ${verdict}`} data-testid={`header-${name.toLowerCase()}`} data-verdict={verdict}>
      <span className="name">{name}</span>
      <span className="verdict">{VERDICT_WORDS[verdict]}</span>
      {value ? (
        <>
          <span className="source">{value.source}</span>
          <code>{value.masked ?? 'value unknown to KeyTray'}</code>
          <span className="origin">{value.origin}</span>
          {value.detail && (
            <span className="detail" title={value.detail}>
              {tildeText(value.detail, home)}
            </span>
          )}
        </>
      ) : (
        <span className="muted">nothing sent</span>
      )}
    </div>
  );
}

/** Every mention of the home folder shortened to `~` (the full text stays on hover). */
function tildeText(text: string, home: string): string {
  return home ? text.split(`${home}/`).join('~/') : text;
}

function Path({ text, home }: { text: string; home: string }) {
  return <code title={text}>{home && text === home ? '~' : tildePath(text, home)}</code>;
}
