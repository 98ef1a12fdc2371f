import { useApp } from '../stores/app-store';
import { AuthLadder } from './AuthLadder';

export function StatusView() {
  const { picture, pictureCwd, setPictureCwd, refreshPicture } = useApp();
  return (
    <section aria-labelledby="status-title">
      <h1 id="status-title">Auth status</h1>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void refreshPicture();
        }}
      >
        <label>
          Project directory (empty: your home)
          <input value={pictureCwd} placeholder="/path/to/project" onChange={(e) => setPictureCwd(e.target.value)} />
        </label>
        <button type="submit">Show</button>
      </form>
      {picture ? <AuthLadder picture={picture} /> : <p aria-live="polite">Reading Claude Code's configuration…</p>}
    </section>
  );
}
