// /openapi/v2 and /openapi/v3: not served yet (placeholder while kubectl's needs are measured).
import type { RequestContext } from './handler-context.js';
import { writePageNotFound } from './http-io.js';

/** Answers OpenAPI paths. */
export function handleOpenApi(ctx: RequestContext): void {
  writePageNotFound(ctx.res);
}
