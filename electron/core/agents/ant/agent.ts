/**
 * Anthropic's `ant` CLI behind the agent seam, for its picture only. ant has
 * no key command and KeyTray writes none of its files: a key reaches it
 * through one process's environment (`keytray exec --agent ant`), so there
 * is nothing to configure, undo or remove. Its picture reads the
 * environment and, without their secrets, its profiles.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type AntProfile, computeAntPicture } from '../../../../shared/agents/ant/picture';
import { AGENTS } from '../../../../shared/agents/catalog';
import type { AgentPicture } from '../../../../shared/agents/picture';
import { KeyTrayError } from '../../../../shared/errors';
import { asRecord } from '../../../../shared/formats/file-format';
import type { AgentIntegration, AgentPlan, ConfigFile, UndoResult } from '../agent';
import type { AgentDeps } from '../agent-deps';
import { detectAgent } from '../bindings';
import type { Situation } from '../situation';

const info = AGENTS.ant;

/** `ANTHROPIC_CONFIG_DIR`, else `~/.config/anthropic`. */
export function antConfigDir(situation: Situation): string {
  return situation.env.ANTHROPIC_CONFIG_DIR || join(situation.home, '.config', 'anthropic');
}

function nothingToConfigure(): KeyTrayError {
  return new KeyTrayError('usage', 'ant has no key command and no settings KeyTray writes.', {
    fix: 'Run it with a key from the keychain in its environment only: `keytray exec --agent ant [--provider anthropic|anthropic-aws] -- ant …`.',
  });
}

export class AntAgent implements AgentIntegration {
  readonly info = info;

  constructor(private readonly deps: AgentDeps) {}

  configFiles(): ConfigFile[] {
    return [];
  }

  detect(situation: Situation): Promise<{ installed: boolean; configured: boolean }> {
    return detectAgent(info, this.deps.vault, situation);
  }

  async picture(situation: Situation): Promise<AgentPicture> {
    const configDir = antConfigDir(situation);
    return computeAntPicture({
      cwd: situation.cwd,
      env: situation.env,
      envOrigin: situation.envOrigin,
      configDir,
      profile: await readProfile(configDir, situation.env.ANTHROPIC_PROFILE),
    });
  }

  plan(): Promise<AgentPlan> {
    return Promise.reject(nothingToConfigure());
  }

  planRemove(): Promise<AgentPlan> {
    return Promise.reject(nothingToConfigure());
  }

  apply(): Promise<void> {
    return Promise.reject(nothingToConfigure());
  }

  undo(): Promise<UndoResult> {
    return Promise.reject(nothingToConfigure());
  }

  watchPaths(situation: Situation): string[] {
    return [antConfigDir(situation)];
  }
}

/** The profile ant would load (the named one, else `active_config`'s, else `default`), read without its secret. */
async function readProfile(configDir: string, named: string | undefined): Promise<AntProfile> {
  const active = (await readFile(join(configDir, 'active_config'), 'utf8').catch(() => '')).trim();
  const name = named || active || 'default';
  const configPath = join(configDir, 'configs', `${name}.json`);
  let config: Record<string, unknown> | null = null;
  try {
    config = asRecord(JSON.parse(await readFile(configPath, 'utf8')));
  } catch {
    config = null;
  }
  const authType = asRecord(config?.authentication).type;
  const credentialsPath = join(configDir, 'credentials', `${name}.json`);
  const credentials = await stat(credentialsPath).then(
    (s) => ({ path: credentialsPath, mode: s.mode }),
    () => null,
  );
  return {
    name,
    configPath: config ? configPath : null,
    ...(typeof authType === 'string' ? { authType } : {}),
    credentials,
  };
}
