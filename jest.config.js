/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  // tests/postgres/ needs a PostgreSQL server, tests/redis/ a redis-server: `npm run test:postgres` and
  // `npm run test:redis` run them.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/postgres/', '<rootDir>/tests/redis/'],
  transform: {
    // Type-checking is `npm run typecheck`; jest only strips types.
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tests/tsconfig.json' }],
  },
  testTimeout: 60000,
  maxWorkers: 2,
};
