// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**', '*.js', '*.mjs', 'test/support/*.js'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Production code only: tests and benches push arrays they built themselves.
    files: ['src/**/*.ts', 'projections/**/*.ts'],
    rules: {
      // A spread argument is one call argument per element: past ~120,000 (V8's limit) push(...items)
      // throws RangeError, so a client's array spread into push() was a 500 (issue 10). Loop or concat.
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.property.name=/^(push|unshift)$/] > SpreadElement',
          message: 'push(...items) throws RangeError on large arrays: push in a loop, or use concat.',
        },
      ],
    },
  },
);
