// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Flat config: typescript-eslint's type-checked recommended rules (the project
 * service reads tsconfig.json) for every TypeScript folder — src/, entities/,
 * examples/, test/, bench/. The library code (src/, entities/) is held to
 * `no-explicit-any` as an error.
 */
export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.vitest-tmp/**'] },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // The ones that matter most for a workflow engine: a dropped promise is a lost step.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'warn',
      // Steps and workflows are async by contract (the engine awaits them), even when the body is synchronous.
      '@typescript-eslint/require-await': 'off',
      // Caught values are `unknown`; passing them on as rejections or into messages is deliberate.
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Warnings for now: src/ has findings (see the lint report); raise to 'error' once they are fixed.
      '@typescript-eslint/no-unnecessary-type-assertion': 'warn',
      '@typescript-eslint/no-unused-expressions': 'warn',
      'prefer-spread': 'warn',
    },
  },
  {
    files: ['src/**/*.ts', 'entities/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'error' },
  },
  {
    files: ['**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
