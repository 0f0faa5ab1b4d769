import type { NextFunction, Request, RequestHandler, Response } from "express";
import { InvalidVerifierOptionError } from "../errors.ts";
import { verifierReasons } from "../reasons.ts";
import type { NonceMode, Verifier, VerifyResult } from "../types.ts";
import { assertOrigin, verifyNodeRequest } from "./node.ts";
import { BodyTooLargeError, readRawBody } from "./readRawBody.ts";

declare global {
  namespace Express {
    interface Request {
      /** The KeyLedger verdict, set by the `keyledger` middleware. */
      keyledger?: VerifyResult;
    }
  }
}

export type KeyledgerMiddlewareParameters = {
  verifier: Verifier;
  /** Scopes every request through this middleware needs. */
  requiredScopes?: readonly string[] | undefined;
  /** Largest body read, in bytes. Default 1 MiB. */
  limit?: number | undefined;
  /** Public origin clients sign for (see `toVerifyRequest`). */
  origin?: string | undefined;
  /** Replay policy of the routes behind it (see `NonceMode`). Default: the verifier's. */
  nonce?: NonceMode | undefined;
};

/**
 * Express middleware: verifies the request, sets `req.keyledger` to the verdict
 * and calls next() when it is accepted. A rejection answers JSON
 * `{ error: reason, message }` with 401, 403 (insufficient-scope) or 503
 * (stale-chain-state, nonce-store-unavailable); a body over `limit`, 413.
 *
 * Content-Digest needs the exact body bytes: mount it before any parser that
 * consumes the body, or after `express.raw()`. It leaves the bytes in `req.body`
 * as a Buffer when it read them itself.
 */
export function keyledger({ verifier, requiredScopes, limit, origin, nonce }: KeyledgerMiddlewareParameters): RequestHandler {
  if (!verifier || typeof verifier.verify !== "function") throw new InvalidVerifierOptionError("keyledger() needs a verifier from createVerifier().");
  if (nonce !== undefined && nonce !== "required" && nonce !== "window-only") {
    throw new InvalidVerifierOptionError(`keyledger(): nonce must be "required" or "window-only", got ${String(nonce)}.`);
  }
  assertOrigin(origin);
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      let body: Uint8Array;
      if (Buffer.isBuffer(req.body)) body = req.body;
      else if (req.body !== undefined) {
        throw new InvalidVerifierOptionError("The request body was already parsed; KeyLedger needs the raw bytes.", {
          metaMessages: ["Mount keyledger() before express.json()/urlencoded(), or use express.raw() before it."],
        });
      } else {
        body = await readRawBody(req, { limit });
        req.body = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      }
      // Under app.use("/v1", ...) Express strips the mount from req.url; the client signed the full path.
      const verdict = await verifyNodeRequest({ verifier, request: req, target: req.originalUrl, body, origin, requiredScopes, nonce });
      req.keyledger = verdict;
      if (verdict.ok) {
        next();
        return;
      }
      res.status(verifierReasons[verdict.reason].status).set("Cache-Control", "no-store").json({ error: verdict.reason, message: verdict.message });
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        res.status(413).set("Connection", "close").json({ error: "malformed", message: error.shortMessage });
        return;
      }
      next(error);
    }
  };
}
