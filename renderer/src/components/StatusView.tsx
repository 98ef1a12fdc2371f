import { useApp } from '../stores/app-store';
import { AuthLadder } from './AuthLadder';

/** Every agent's auth picture for a folder. */
export function StatusView() {
  const { agents, pictureCwd, setPictureCwd, refreshAgents } = useApp();
  return (
    <section aria-labelledby="status-title">
      <h1 id="status-title">Auth status</h1>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void refreshAgents();
        }}
      >
        <label>
          Project directory (empty: your home)
          <input value={pictureCwd} placeholder="/path/to/project" onChange={(e) => setPictureCwd(e.target.value)} />
        </label>
        <button type="submit">Show</button>
      </form>
      {agents ? (
        agents.map((agent) => <AuthLadder key={agent.id} picture={agent.picture} />)
      ) : (
        <p aria-live="polite">Reading each agent's configuration…</p>
      )}
    </section>
  );
}
