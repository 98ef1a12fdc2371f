/**
 * Argument parsing on top of node:util's parseArgs, turning its errors into
 * usage errors that name the command's help.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { KeyTrayError } from '../../shared/errors';
import { closest } from './did-you-mean';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parse<O extends Options>(args: string[], options: O, usage: string, positionals: { min: number; max: number }) {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new KeyTrayError('usage', parseProblem(error, Object.keys(options)), { fix: `Usage: ${usage}` });
  }
  const count = parsed.positionals.length;
  if (count < positionals.min || count > positionals.max) {
    throw new KeyTrayError(
      'usage',
      count < positionals.min ? 'Missing argument.' : `Unexpected argument "${parsed.positionals[positionals.max]}".`,
      {
        fix: `Usage: ${usage}`,
      },
    );
  }
  return parsed;
}

export const JSON_OPTION = { json: { type: 'boolean' } } as const;

/** node:util's parse error in KeyTray's words (its own sentences mention internals), with a did-you-mean. */
function parseProblem(error: unknown, known: string[]): string {
  const code = (error as { code?: string }).code;
  const option = /'(-{1,2}[^'\s]*)/.exec((error as Error).message)?.[1] ?? '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const guess = closest(option.replace(/^-+/, ''), known);
      return `Unknown option "${option}".${guess ? ` Did you mean --${guess}?` : ''}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing/.test((error as Error).message)
        ? `The option "${option.split(' ')[0]}" needs a value.`
        : `The option "${option.split(' ')[0]}" takes no value.`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return 'Unexpected argument.';
    default:
      return 'The arguments could not be read.';
  }
}
