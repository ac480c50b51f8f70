/** One jest config for unit specs (next to the code) and the suites under test/. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/bench/'],
  testMatch: ['**/*.spec.ts', '**/*.test.ts'],
  transform: {
    // Type-checking is `npm run typecheck`'s job; jest only strips types, with swc (as ts-node does,
    // see tsconfig.json's "ts-node"), which keeps the suite fast. Decorators are TypeScript's legacy
    // ones with their design-time metadata, which NestJS's dependency injection reads.
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
          keepClassNames: true,
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 30000,
};
