/**
 * Argument parsing on top of node:util's parseArgs, turning its errors into
 * usage errors that name the command's help.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { KeyTrayError } from '../../shared/errors';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parse<O extends Options>(args: string[], options: O, usage: string, positionals: { min: number; max: number }) {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new KeyTrayError('usage', `${(error as Error).message.split('\n')[0]}`, { fix: `Usage: ${usage}` });
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
