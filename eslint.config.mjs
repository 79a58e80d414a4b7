// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.tools/**', '.test-work/**', 'demo-workspace/**', 'test/fixtures/sql/**', '**/*.js'] },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'webview-ui/src/**/*.ts'],
    extends: [...tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's test()/describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }],
      }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // The launchers, harnesses and benchmarks: the same rules without type information.
    files: ['**/*.mjs'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    // Node scripts; the UI tests also pass functions to the page (page.evaluate), which run in the browser.
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // The core is pure: it must test in plain Node, so it never sees the editor API.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'src/core stays free of the vscode API; put this in src/vscode (or behind a port that src/infra implements).' }],
        // The dependency rule: core ← app ← (vscode | cli); infra implements core's ports and is built only in the composition roots.
        patterns: [{ group: ['**/app/**', '**/app', '**/vscode/**', '**/cli/**', '**/infra/**', '**/extension'], message: 'src/core imports nothing above it (app, vscode, cli) and no adapter (infra): depend on a port in src/core instead.' }],
      }],
    },
  },
  {
    // The application layer drives both front ends (VS Code, the CLI), so it sees neither; adapters
    // reach it by constructor from the composition roots (extension.ts, cli/main.ts): it may name
    // their types, never build them.
    files: ['src/app/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'src/app has no UI: ask through the Prompter and show through the Presenter (src/app/ui.ts); src/vscode implements them.' }],
        patterns: [
          { group: ['**/vscode/**', '**/vscode', '**/cli/**', '**/cli', '**/extension'], message: 'src/app imports nothing above it (vscode, cli, the composition roots): take what you need by an interface in src/app.' },
          { group: ['**/infra/**', '**/infra'], allowTypeImports: true, message: 'src/app does not build adapters: take them by constructor (built in extension.ts or cli/main.ts); a type import is fine.' },
        ],
      }],
    },
  },
  {
    // The command line is the second front end and composition root: it drives src/app and builds adapters, never the editor's side.
    files: ['src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'rollback-pilot runs without VS Code: no vscode import in src/cli.' }],
        patterns: [{ group: ['**/vscode/**', '**/vscode', '**/extension'], message: 'src/cli drives src/app; what it shares with the extension belongs there, not in src/vscode.' }],
      }],
    },
  },
  {
    // Adapters implement core's ports and nothing else: no flow, no UI.
    files: ['src/infra/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'src/infra adapts the outside world to core\'s ports; the editor API belongs in src/vscode.' }],
        patterns: [{ group: ['**/app/**', '**/app', '**/vscode/**', '**/cli/**', '**/cli', '**/extension'], message: 'src/infra imports only src/core (the ports it implements) and other adapters.' }],
      }],
    },
  },
  {
    // One registry applies the folder and trust guards and parses the arguments (src/vscode/commandRegistry.ts).
    files: ['src/**/*.ts'],
    ignores: ['src/vscode/commandRegistry.ts'],
    rules: {
      'no-restricted-syntax': ['error', {
        selector: "CallExpression[callee.property.name='registerCommand']",
        message: 'Register commands through the CommandRegistry (src/vscode/commandRegistry.ts), which applies the guards once.',
      }],
    },
  },
);
