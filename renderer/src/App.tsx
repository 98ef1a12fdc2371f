import { useEffect } from 'react';
import { KeyList } from './components/KeyList';
import { useKeysStore } from './stores/keys-store';

export function App() {
  const { status, listing, error, refresh } = useKeysStore();
  useEffect(() => {
    void refresh();
  }, [refresh]);
  return (
    <main>
      <header>
        <h1>KeyTray</h1>
        {listing && (
          <p className={listing.store.kind === 'file' ? 'store plaintext' : 'store'} data-testid="store">
            Keys kept in the {listing.store.description}
          </p>
        )}
      </header>
      {status === 'loading' && !listing && <p aria-live="polite">Loading keys…</p>}
      {error && (
        <div role="alert" className="error">
          <p>{error.message}</p>
          {error.fix && <p>{error.fix}</p>}
        </div>
      )}
      {listing?.storeError && (
        <div role="alert" className="error">
          <p>{listing.storeError.message}</p>
          {listing.storeError.fix && <p>{listing.storeError.fix}</p>}
        </div>
      )}
      {listing && <KeyList providers={listing.providers} />}
    </main>
  );
}
