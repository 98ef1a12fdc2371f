/**
 * The file formats the one writer knows, by id. JSON, JSON5 and TOML editors are
 * pure (shared/formats); dotenv's parser needs Node, so its editor lives here.
 */
import type { FileFormat, FormatId } from '../../../shared/formats/file-format';
import {
  editSettingsText,
  type JsonValue,
  parseJsoncText,
  parseSettingsText,
  redactSettingsText,
} from '../../../shared/formats/json-edit';
import { editWithElements, parseLenientJsonText } from '../../../shared/formats/json-elements';
import { editJson5Text, parseJson5Text, redactJson5Text } from '../../../shared/formats/json5-edit';
import { editTomlText, parseTomlText, redactTomlText } from '../../../shared/formats/toml-edit';
import { redactShellText } from '../import/shell-text';
import { editDotenvText, parseDotenvText, redactDotenvText } from './dotenv-edit';

export const FORMATS: Readonly<Record<FormatId, FileFormat>> = {
  json: {
    id: 'json',
    name: 'JSON',
    parse: parseSettingsText,
    edit: (text, changes) => editSettingsText(text, changes as { path: string[]; value: JsonValue | undefined }[]),
    redact: redactSettingsText,
  },
  jsonc: {
    id: 'jsonc',
    name: 'JSON (with comments)',
    parse: parseJsoncText,
    edit: (text, changes) => editSettingsText(text, changes as { path: string[]; value: JsonValue | undefined }[]),
    redact: redactSettingsText,
  },
  'json-lists': {
    id: 'json-lists',
    name: 'JSON (with comments)',
    parse: parseLenientJsonText,
    edit: (text, changes) => editWithElements(text, changes as { path: string[]; value: JsonValue | undefined }[]),
    redact: redactSettingsText,
  },
  'jsonc-commas': {
    id: 'jsonc-commas',
    name: 'JSON (with comments and trailing commas)',
    parse: (text) => parseJsoncText(text, true),
    edit: (text, changes) => editSettingsText(text, changes as { path: string[]; value: JsonValue | undefined }[]),
    redact: redactSettingsText,
  },
  json5: { id: 'json5', name: 'JSON5', parse: parseJson5Text, edit: editJson5Text, redact: redactJson5Text },
  toml: { id: 'toml', name: 'TOML', parse: parseTomlText, edit: editTomlText, redact: redactTomlText },
  dotenv: { id: 'dotenv', name: 'dotenv', parse: parseDotenvText, edit: editDotenvText, redact: redactDotenvText },
  opaque: {
    id: 'opaque',
    name: 'an encrypted store',
    parse: () => ({ ok: true, value: {} }),
    edit: () => {
      throw new Error('an encrypted store is replaced whole, never edited');
    },
    // Never shown, and always treated as holding a credential (its backup is sealed).
    redact: () => '(encrypted content)\n',
  },
  owned: {
    id: 'owned',
    name: "a file of KeyTray's own",
    parse: () => ({ ok: true, value: {} }),
    edit: () => {
      throw new Error("a file of KeyTray's own is written whole, never edited");
    },
    // It holds no secret (its writer makes sure), so the diff shows it as it is.
    redact: (text) => text,
  },
  shell: {
    id: 'shell',
    name: 'a shell startup file',
    parse: () => ({ ok: true, value: {} }),
    edit: () => {
      throw new Error('a shell startup file is planned whole by keytray import, never edited by path');
    },
    // Key-looking assignments masked: the diff shows the line went, and the backup is sealed.
    redact: redactShellText,
  },
};
