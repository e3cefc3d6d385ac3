import { createRequire } from 'node:module';
import { expect, it } from 'vitest';

// kafkajs 2.2.4's request queue re-armed a 1 ms timer forever once it had checked for waiting requests,
// even with none waiting: every process holding a Kafka connection woke a thousand times a second
// (an idle query-api used 4.5 % of a core; 0.7 % with the fix). patches/kafkajs+2.2.4.patch fixes it at
// install (postinstall: patch-package); this fails if the patch is not applied.
const require = createRequire(import.meta.url);
interface RequestQueue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}
const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as new (options: {
  maxInFlightRequests: number;
  requestTimeout: number;
  enforceRequestTimeout: boolean;
  clientId: string;
  broker: string;
  logger: Record<'debug' | 'info' | 'warn' | 'error', () => void>;
}) => RequestQueue;

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

it('arms no timer when no request waits, and still one for a request held back by throttling', () => {
  const queue = new RequestQueue({
    maxInFlightRequests: 1,
    requestTimeout: 1000,
    enforceRequestTimeout: false,
    clientId: 'test',
    broker: 'localhost:9092',
    logger: quiet,
  });
  queue.checkPendingRequests();
  expect(queue.throttleCheckTimeoutId).toBeNull();

  queue.throttledUntil = Date.now() + 60_000;
  queue.pending.push({});
  queue.scheduleCheckPendingRequests();
  expect(queue.throttleCheckTimeoutId).not.toBeNull();
  clearTimeout(queue.throttleCheckTimeoutId ?? undefined);
});
