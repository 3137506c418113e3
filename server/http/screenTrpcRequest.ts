import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { type TRPC_ERROR_CODE_KEY, TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import { LIMITS } from '../../shared/limits.ts';
import type { Principal } from '../auth/createAuthenticator.ts';
import type { AbuseLimits } from '../config.ts';
import { appendBudgetKey, tooManyEventsMessage } from '../context.ts';
import type { RateLimiter } from '../domain/createRateLimiter.ts';
import { jsonNestingExceeds } from './jsonNestingExceeds.ts';
import { readBody } from './readBody.ts';
import { sendJson } from './sendJson.ts';

/**
 * Deepest nesting a whole request may have: the JSON limit inside `args`/`output` plus room for the
 * envelope around them (batch, input, events array, event). Between the two, zod names the field.
 */
export const MAX_REQUEST_DEPTH = LIMITS.jsonDepth + 8;

/** A refusal answered in tRPC's own error shape, so tRPC clients read it like any other error. */
export interface TrpcRefusal {
  code: TRPC_ERROR_CODE_KEY;
  message: string;
  retryAfterMs?: number;
}

const TOO_DEEP: TrpcRefusal = {
  code: 'BAD_REQUEST',
  message: `input: JSON nested deeper than ${MAX_REQUEST_DEPTH} levels`,
};

export function sendTrpcError(res: ServerResponse, refusal: TrpcRefusal): void {
  const httpStatus = getHTTPStatusCodeFromError({ code: refusal.code } as TRPCError);
  sendJson(res, httpStatus, {
    error: {
      message: refusal.message,
      code: TRPC_ERROR_CODES_BY_KEY[refusal.code],
      data: {
        code: refusal.code,
        httpStatus,
        ...(refusal.retryAfterMs !== undefined && { retryAfterMs: refusal.retryAfterMs }),
      },
    },
  });
}

/** Whether `/trpc/a,b,c?batch=1` names more procedures than allowed, read off the URL alone. */
function batchTooLarge(path: string, url: URL, max: number): boolean {
  if (url.searchParams.get('batch') !== '1') return false;
  let calls = 1;
  for (let i = path.indexOf(','); i !== -1 && calls <= max; i = path.indexOf(',', i + 1)) calls++;
  return calls > max;
}

/** Who a request is, as the door found it. */
interface Door {
  principal: Principal | undefined;
  ip: string;
}

/**
 * Builds the screen every `/trpc/` request passes before tRPC sees it; it answers with a refusal
 * (send it with `sendTrpcError`) or undefined to go on.
 */
export function createTrpcScreen(deps: {
  limits: AbuseLimits;
  appendLimiter: RateLimiter;
  authEnabled: boolean;
}) {
  /**
   * What can be refused about a tRPC request before tRPC reads or parses it: too many batched calls
   * (read off the URL), an empty append budget (before a byte of the body), an oversized body, and
   * hostile nesting (a character scan, where JSON.parse would spend hundreds of milliseconds). A
   * body that passes is handed to tRPC already read.
   */
  return async function screenTrpcRequest(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    url: URL,
    door: Door,
  ): Promise<TrpcRefusal | undefined> {
    if (batchTooLarge(path, url, deps.limits.maxBatchCalls)) {
      res.setHeader('connection', 'close');
      return {
        code: 'BAD_REQUEST',
        message: `at most ${deps.limits.maxBatchCalls} calls in one batched request (LIVETRAIL_MAX_BATCH)`,
      };
    }
    if (req.method !== 'POST') {
      const input = url.searchParams.get('input');
      if (input !== null && jsonNestingExceeds(input, MAX_REQUEST_DEPTH)) return TOO_DEEP;
      return undefined;
    }
    // Every mutation spends the append budget; a caller with none left is not worth reading.
    const left = deps.appendLimiter.available(appendBudgetKey(deps.authEnabled, door.principal, door.ip));
    if (left < 1) {
      const retryAfterMs = Math.ceil(((1 - left) / deps.limits.appendRatePerSec) * 1000);
      res.setHeader('connection', 'close');
      res.setHeader('retry-after', String(Math.ceil(retryAfterMs / 1000)));
      return {
        code: 'TOO_MANY_REQUESTS',
        message: tooManyEventsMessage(deps.limits, retryAfterMs),
        retryAfterMs,
      };
    }
    const body = await readBody(req, LIMITS.bodyBytes);
    if (body === undefined) {
      res.setHeader('connection', 'close');
      return { code: 'PAYLOAD_TOO_LARGE', message: `body: at most ${LIMITS.bodyBytes} bytes` };
    }
    if (jsonNestingExceeds(body, MAX_REQUEST_DEPTH)) return TOO_DEEP;
    // tRPC's Node adapter takes a body that was already read from `req.body`.
    (req as IncomingMessage & { body?: string }).body = body;
    return undefined;
  };
}
