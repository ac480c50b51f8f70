/** One jest config for unit specs (next to the code) and the suites under test/. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/bench/'],
  testMatch: ['**/*.spec.ts', '**/*.test.ts'],
  transform: {
    // Type-checking is `npm run typecheck`'s job; jest only strips types, which keeps the suite fast.
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 30000,
};
