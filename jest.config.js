/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  // tests/multi-process/ needs a database server (`npm run test:postgres` and `npm run test:mysql` run it),
  // tests/redis/ a redis-server (`npm run test:redis`).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/multi-process/', '<rootDir>/tests/redis/'],
  transform: {
    // Type-checking is `npm run typecheck`; jest only strips types.
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tests/tsconfig.json' }],
  },
  testTimeout: 60000,
  maxWorkers: 2,
};
