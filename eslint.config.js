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
    files: ['bin/*.js', '**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
);
