// Lint: typescript-eslint's recommended rules plus the boundaries that keep functions thin.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // Only transport layers may see the Functions runtime (STYLE.md "Boundaries worth keeping").
    files: ['src/**/*.ts'],
    ignores: ['src/functions/**', 'src/http/**', 'src/index.ts', 'src/devhost/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: '@azure/functions', message: 'Only functions/, http/, index.ts and devhost/ may import @azure/functions.' }] }],
    },
  },
);
