import { z } from '@hono/zod-openapi';

/** Every error the API returns, and its status. One body shape everywhere. */
export const errorCodes = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  rate_limited: 429,
  internal_error: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorCodes;
export type ErrorStatus = (typeof errorCodes)[ErrorCode];

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
  get status(): ErrorStatus {
    return errorCodes[this.code];
  }
}

/**
 * Raised by domain functions for input that passed the schema but makes no sense (end before start).
 * Names the parameter so the client can fix it; it knows nothing of HTTP.
 */
export class InvalidParameterError extends Error {
  override name = 'InvalidParameterError';
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(`${parameter}: ${message}`);
  }
}

/** Raised by domain functions for something that does not exist for this tenant (or at all). */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(errorCodes) as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      request_id: z.string(),
    }),
  })
  .openapi('Error');

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: errorBodySchema } },
});

/** Spread into every route's `responses`. */
export const commonErrorResponses = {
  400: errorResponse('A parameter is invalid; the message names it.'),
  401: errorResponse('No API key, or an unknown or revoked one.'),
  403: errorResponse('The key lacks the scope this operation needs.'),
  429: errorResponse('Rate limit exceeded; see Retry-After and RateLimit-* headers.'),
  500: errorResponse('Unexpected failure; quote request_id when reporting it.'),
} as const;

export const notFoundResponse = { 404: errorResponse('Not found for this tenant.') } as const;

export function errorBody(code: ErrorCode, message: string, requestId: string) {
  return { error: { code, message, request_id: requestId } };
}
