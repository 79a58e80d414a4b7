// @lezer/python, loaded with the first Alembic revision read rather than at start-up: its
// module decodes its parse tables when it is required (LRParser.deserialize and styleTags,
// about 2-3 ms of every command line start in the profile), and most commands (a plan of a
// repository without Alembic, --help, status) parse no Python at all.
import type { Tree } from '@lezer/common';
import type { parser as lezerPython } from '@lezer/python';

let loaded: typeof lezerPython | undefined;

export function parsePython(text: string): Tree {
  // A require in the function, not an import: the bundler then loads the module on this first call.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= (require('@lezer/python') as typeof import('@lezer/python')).parser;
  return loaded.parse(text);
}
