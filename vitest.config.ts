import { defineConfig } from 'vitest/config';

// Unit tests need nothing running; integration tests get the real stack from the global setup.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['{libs,services,tools}/*/test/**/*.unit.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['{libs,services,tools}/*/test/**/*.integration.test.ts'],
          globalSetup: ['libs/testing/src/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // Two cores and one Kafka broker: a few files at a time keeps the stack responsive.
          maxWorkers: 2,
        },
      },
    ],
  },
});
