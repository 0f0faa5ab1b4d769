import type { IncomingMessage } from "node:http";
import { BaseError } from "../../errors/BaseError.ts";

export type ReadRawBodyParameters = {
  /** Largest body accepted, in bytes. Default 1 MiB. */
  limit?: number | undefined;
};

/** The body is larger than the limit (answer 413 and close the connection). */
export class BodyTooLargeError extends BaseError {
  override name = "BodyTooLargeError";
}

/** The body could not be read (client aborted, stream error, already consumed). */
export class BodyReadError extends BaseError {
  override name = "BodyReadError";
}

/**
 * Reads a request's raw body (the exact bytes Content-Digest covers), refusing
 * more than `limit` bytes: early from Content-Length, otherwise as soon as the
 * running total passes it.
 */
export function readRawBody(request: IncomingMessage, { limit = 1024 * 1024 }: ReadRawBodyParameters = {}): Promise<Uint8Array> {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new BodyReadError("readRawBody: limit must be a non-negative integer.");
  return new Promise((resolve, reject) => {
    if (request.readableEnded) {
      reject(new BodyReadError("The request body was already read.", { metaMessages: ["Mount the KeyLedger adapter before any body parser, or use express.raw()."] }));
      return;
    }
    const declared = request.headers["content-length"];
    if (declared !== undefined && Number(declared) > limit) {
      request.pause();
      reject(new BodyTooLargeError(`The request body exceeds ${limit} bytes.`));
      return;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    const cleanup = () => {
      request.off("data", onData);
      request.off("end", onEnd);
      request.off("error", onError);
      request.off("aborted", onAborted);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > limit) {
        cleanup();
        request.pause();
        reject(new BodyTooLargeError(`The request body exceeds ${limit} bytes.`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
    };
    const onError = (cause: Error) => {
      cleanup();
      reject(new BodyReadError("Reading the request body failed.", { cause }));
    };
    const onAborted = () => {
      cleanup();
      reject(new BodyReadError("The client aborted the request body."));
    };
    request.on("data", onData);
    request.on("end", onEnd);
    request.on("error", onError);
    request.on("aborted", onAborted);
  });
}
