// @babel/parser, loaded with the first JS or TS migration read rather than at start-up: its
// module builds its tables when it is required, about 3 ms of every command line start in the
// profile, and most commands (a plan, --help, status) read no JS migration at all.
import type { parse as babelParse } from '@babel/parser';

let loaded: typeof babelParse | undefined;

export function parseWithBabel(...args: Parameters<typeof babelParse>): ReturnType<typeof babelParse> {
  // A require in the function, not an import: the bundler then loads the module on this first call.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= (require('@babel/parser') as typeof import('@babel/parser')).parse;
  return loaded(...args);
}
