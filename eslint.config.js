import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'out/', 'node_modules/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // shared/ runs in the main process and in the renderer: no Node and no DOM APIs, nothing of ours.
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:*', '../../receiver/*', '../../electron/*', '../../renderer/*'] }],
    },
  },
  {
    files: ['receiver/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['**/electron/**', '**/renderer/**', 'electron'] }],
    },
  },
  {
    // The renderer sees only shared/: it runs sandboxed, and everything else reaches it through the contract.
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    ignores: ['renderer/vite.config.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:*', 'electron', '**/receiver/**', '**/electron/**'] }],
    },
  },
  {
    // Services run under plain Node and in tests: only the shell files may import Electron itself.
    files: ['electron/main/services/**/*.ts', 'electron/main/web/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['electron', '**/renderer/**'] }],
    },
  },
  {
    files: ['bin/*.js', '**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
);
