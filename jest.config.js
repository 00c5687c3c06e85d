// @ts-check
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  setupFiles: ['reflect-metadata'],
  // argon2 at production strength and real databases: integration files take seconds, not milliseconds.
  testTimeout: 30_000,
  // Two cores: more workers only queue argon2 hashes behind each other.
  maxWorkers: 2,
};
