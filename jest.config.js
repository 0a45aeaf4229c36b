/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  // tests/postgres/ needs a PostgreSQL server: `npm run test:postgres` runs it.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/postgres/'],
  transform: {
    // Type-checking is `npm run typecheck`; jest only strips types.
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tests/tsconfig.json' }],
  },
  testTimeout: 60000,
  maxWorkers: 2,
};
