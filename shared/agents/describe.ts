/**
 * How a picture is put into words, the same in the CLI, the tray and the
 * window. Pure.
 */
import { type ApiProvider, providerName } from './claude-code/auth-picture';
import type { AgentPicture } from './picture';

const HEADER_LABELS: Record<string, string> = { authorization: 'Authorization' };

/** A header's name as people write it. */
export function headerLabel(name: string): string {
  return HEADER_LABELS[name] ?? name;
}

/** Where the agent sends requests, in words: Claude Code's provider by name, another agent's by its own id. */
export function providerWords(picture: AgentPicture): string {
  return picture.tool === 'claude-code' ? providerName(picture.provider as ApiProvider) : `provider ${picture.provider}`;
}
