import { Check, Copy, Eye, EyeOff, PlugZap } from 'lucide-react';
import { useEffect, useState } from 'react';
import type { KeyView } from '../../../shared/vault-types';
import { call } from '../ipc';
import { useApp } from '../stores/app-store';
import { Badge } from '../ui/Badge';
import { Button, IconButton } from '../ui/Button';
import { Menu } from '../ui/Menu';
import { Sparkline } from '../ui/Sparkline';

const STATE_NOTES: Record<KeyView['state'], string | null> = {
  ok: null,
  missing: 'secret missing from the store',
  changed: 'changed outside KeyTray',
  unknown: 'store unavailable',
};

/** One key: label, mask, state, and what can be done with it. A revealed secret lives here only, briefly. */
export function KeyRow({ keyView }: { keyView: KeyView }) {
  const act = useApp((s) => s.act);
  const toast = useApp((s) => s.toast);
  const week = useApp((s) => s.usageWeek?.byKey.lines.find((l) => l.group === `${keyView.provider}/${keyView.label}`));
  const [revealed, setRevealed] = useState<string | null>(null);
  const [renaming, setRenaming] = useState(false);
  const [newLabel, setNewLabel] = useState(keyView.label);
  const [copied, setCopied] = useState(false);
  const [test, setTest] = useState<{ ok: boolean; message: string } | null>(null);
  const ref = { provider: keyView.provider, label: keyView.label };

  useEffect(() => {
    if (!revealed) return;
    // The secret leaves the screen by itself.
    const timer = setTimeout(() => setRevealed(null), 20_000);
    return () => clearTimeout(timer);
  }, [revealed]);

  const note = STATE_NOTES[keyView.state];
  const canShow = keyView.auth !== 'sigv4-profile';
  const reveal = async () => {
    if (revealed) return setRevealed(null);
    await act(async () => setRevealed((await call(window.keytray.revealKey(ref))).secret), []);
  };
  const copy = () =>
    act(async () => {
      const { clearsAfterMs } = await call(window.keytray.copyKey(ref));
      setCopied(true);
      toast(`Copied ${keyView.provider}/${keyView.label}; the clipboard is cleared in ${Math.round(clearsAfterMs / 1000)} s.`);
      setTimeout(() => setCopied(false), 2000);
    }, []);
  const runTest = () => {
    setTest({ ok: true, message: 'Testing…' });
    void act(async () => setTest(await call(window.keytray.testKey(ref))), []).then((ok) => !ok && setTest(null));
  };
  const remove = () => {
    if (window.confirm(`Remove ${keyView.provider}/${keyView.label} from the keychain?`))
      void act(() => call(window.keytray.removeKey(ref)));
  };
  return (
    // Keyboard: with the row or one of its buttons focused, C copies, R reveals or hides, T tests.
    <li
      className={keyView.active ? 'key active' : 'key'}
      data-testid={`key-${keyView.provider}-${keyView.label}`}
      onKeyDown={(e) => {
        if (renaming || e.altKey || e.ctrlKey || e.metaKey || e.target instanceof HTMLInputElement) return;
        const key = e.key.toLowerCase();
        if (key === 'c' && canShow) void copy();
        else if (key === 'r' && canShow) void reveal();
        else if (key === 't') runTest();
        else return;
        e.preventDefault();
      }}
    >
      {renaming ? (
        <form
          className="rename"
          onSubmit={(e) => {
            e.preventDefault();
            void act(() => call(window.keytray.renameKey({ ...ref, newLabel }))).then((ok) => ok && setRenaming(false));
          }}
        >
          <input aria-label={`New label for ${keyView.label}`} value={newLabel} onChange={(e) => setNewLabel(e.target.value)} />
          <Button type="submit">Save</Button>
          <Button onClick={() => setRenaming(false)}>Cancel</Button>
        </form>
      ) : (
        <span className="label">{keyView.label}</span>
      )}
      <code className="masked" data-testid="masked">
        {revealed ?? keyView.masked}
      </code>
      {keyView.active && (
        <Badge tone="ok" testId="active-badge">
          active
        </Badge>
      )}
      {keyView.auth && keyView.auth !== 'api-key' && (
        <span className="tag">{keyView.auth === 'sigv4-profile' ? `profile ${keyView.profile}` : 'SigV4 keys'}</span>
      )}
      {note && <span className="warning">{note}</span>}
      {week && <Sparkline values={week.tokens} label={`${keyView.label} through the proxy`} />}
      {keyView.lastUsedAt && (
        <span className="muted" title={`through the KeyTray proxy, ${new Date(keyView.lastUsedAt).toLocaleString()}`}>
          used {new Date(keyView.lastUsedAt).toLocaleString()}
        </span>
      )}
      <span className="actions">
        {canShow && (
          <>
            <IconButton
              icon={copied ? Check : Copy}
              label={copied ? 'Copied' : 'Copy'}
              shortcut="C"
              onClick={() => void copy()}
            />
            <IconButton
              icon={revealed ? EyeOff : Eye}
              label={revealed ? 'Hide' : 'Reveal'}
              shortcut="R"
              pressed={revealed !== null}
              onClick={() => void reveal()}
            />
          </>
        )}
        <IconButton icon={PlugZap} label="Test" shortcut="T" onClick={runTest} />
        <Menu
          label={`More for ${keyView.label}`}
          items={[
            ...(keyView.active
              ? []
              : [{ label: 'Make active', onSelect: () => void act(() => call(window.keytray.activateKey(ref))) }]),
            { label: 'Rename…', onSelect: () => setRenaming(true) },
            { label: 'Remove…', onSelect: remove, danger: true },
          ]}
        />
      </span>
      {test && (
        <p className={test.ok ? 'ok test-result' : 'warning test-result'} role="status" data-testid="test-result">
          {test.message}
        </p>
      )}
    </li>
  );
}
