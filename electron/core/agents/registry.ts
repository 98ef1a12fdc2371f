/**
 * Every agent integration, by id: the one list the CLI, the IPC handlers,
 * the tray and the window read. Adding an agent is a folder under agents/
 * and an entry here (and its data in shared/agents/catalog.ts).
 */
import { AGENT_IDS, AGENTS, type AgentId, isAgentId } from '../../../shared/agents/catalog';
import type { AgentPicture, StatusReport } from '../../../shared/agents/picture';
import { KeyTrayError } from '../../../shared/errors';
import { problems } from '../../../shared/problems';
import type { AgentIntegration } from './agent';
import type { AgentDeps } from './agent-deps';
import { AntAgent } from './ant/agent';
import { ClaudeCodeAgent } from './claude-code/agent';
import { ClaudeCodeRouterAgent } from './claude-code-router/agent';
import { CodexAgent } from './codex/agent';
import { GeminiCliAgent } from './gemini-cli/agent';
import { OpenClawAgent } from './openclaw/agent';
import { OpenCodeAgent } from './opencode/agent';
import type { Situation } from './situation';

export function createAgents(deps: AgentDeps) {
  return {
    'claude-code': new ClaudeCodeAgent(deps),
    codex: new CodexAgent(deps),
    'gemini-cli': new GeminiCliAgent(deps),
    opencode: new OpenCodeAgent(deps),
    openclaw: new OpenClawAgent(deps),
    'claude-code-router': new ClaudeCodeRouterAgent(deps),
    ant: new AntAgent(deps),
  } as const satisfies Record<AgentId, AgentIntegration>;
}

/** Every integration by id; each keeps its own type (Codex's importKey), and all are AgentIntegrations. */
export type AgentRegistry = ReturnType<typeof createAgents>;

/** The integration for an id a person typed, or a usage error listing the known ones. */
export function agentFor(agents: AgentRegistry, id: string | undefined): AgentIntegration {
  if (id === undefined) {
    throw new KeyTrayError('usage', 'Missing the agent to configure.', { fix: `Name one of: ${AGENT_IDS.join(', ')}.` });
  }
  if (!isAgentId(id)) {
    throw new KeyTrayError('usage', problems.unknownAgent(id));
  }
  return agents[id];
}

/** The agents whose detection passes `keep`, in the registry's order. */
async function agentsWhere(
  agents: AgentRegistry,
  situation: Situation,
  keep: (id: AgentId, found: { installed: boolean; configured: boolean }) => boolean,
): Promise<AgentIntegration[]> {
  const chosen = await Promise.all(
    AGENT_IDS.map(async (id): Promise<AgentIntegration | null> => {
      const agent: AgentIntegration = agents[id];
      return keep(id, await agent.detect(situation)) ? agent : null;
    }),
  );
  return chosen.filter((a) => a !== null);
}

/** The agents worth showing for a folder: installed or configured, Claude Code always. */
export function agentsFound(agents: AgentRegistry, situation: Situation): Promise<AgentIntegration[]> {
  return agentsWhere(agents, situation, (id, found) => id === 'claude-code' || found.installed || found.configured);
}

/** The agents KeyTray has configured, but for those named in `except`. */
export function agentsConfigured(
  agents: AgentRegistry,
  situation: Situation,
  except: AgentId[] = [],
): Promise<AgentIntegration[]> {
  return agentsWhere(agents, situation, (id, found) => found.configured && !except.includes(id));
}

/** Every found agent's picture for a folder (`keytray status` without --agent). */
export async function statusReport(agents: AgentRegistry, situation: Situation): Promise<StatusReport> {
  const found = await agentsFound(agents, situation);
  const pictures: AgentPicture[] = await Promise.all(found.map((a) => a.picture(situation)));
  return { cwd: situation.cwd, agents: pictures };
}

export { AGENTS };
