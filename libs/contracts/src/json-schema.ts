import { z } from 'zod';
import {
  accountMetricsSnapshotSchema,
  accountStatusSchema,
  postMetricsSnapshotSchema,
  refreshRequestSchema,
} from './events.js';
import { topics } from './topics.js';

/** The JSON Schema files downstream consumers read, one per topic, generated from the zod schemas. */
export const jsonSchemaFiles: Record<string, z.ZodType> = {
  [`${topics.postMetrics}.schema.json`]: postMetricsSnapshotSchema,
  [`${topics.accountMetrics}.schema.json`]: accountMetricsSnapshotSchema,
  [`${topics.refreshRequests}.schema.json`]: refreshRequestSchema,
  [`${topics.accountStatus}.schema.json`]: accountStatusSchema,
};

export function renderJsonSchema(schema: z.ZodType): string {
  return `${JSON.stringify(z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }), null, 2)}\n`;
}
