/**
 * The situation agents start in, as the app sees it. A tray app started by
 * the desktop does not see what the user's shell exports; an agent in a
 * terminal does, so the login shell's environment is probed, and probed
 * again when a shell startup file changes.
 */
import { projectRootOf, type Situation } from '../core/agents/situation';
import { loginShellEnvironment } from '../core/env/login-shell';

export interface SituationSource {
  situation(cwd?: string): Promise<Situation>;
  /** Probes the login shell again. */
  refresh(): Promise<void>;
}

export async function createSituationSource(home: string): Promise<SituationSource> {
  let shellEnv = await loginShellEnvironment({ home });
  return {
    async situation(cwd) {
      return {
        cwd: cwd ?? home,
        env: shellEnv.env,
        envOrigin: shellEnv.problem ? 'env:process' : 'env:login-shell',
        home,
        platform: process.platform,
        ...projectRootOf(cwd ?? home, shellEnv.env),
      };
    },
    async refresh() {
      shellEnv = await loginShellEnvironment({ home });
    },
  };
}
