import { readdir, readFile, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { brotliCompress, constants, gzip } from "node:zlib";
import { promisify } from "node:util";

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

export type ContentEncoding = "br" | "gzip";

/** The encoding to answer with for an `Accept-Encoding` header: brotli, else gzip, else none (q=0 refuses). */
export function chooseEncoding(acceptEncoding: string | string[] | undefined): ContentEncoding | undefined {
  const header = Array.isArray(acceptEncoding) ? acceptEncoding.join(",") : (acceptEncoding ?? "");
  const accepted = new Map<string, number>();
  for (const part of header.split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    if (!name) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    accepted.set(name, q ? Number(q.slice(2)) : 1);
  }
  const ok = (name: string) => (accepted.get(name) ?? accepted.get("*") ?? 0) > 0;
  if (ok("br")) return "br";
  if (ok("gzip")) return "gzip";
  return undefined;
}

export function compress(body: Buffer | string, encoding: ContentEncoding): Promise<Buffer> {
  return encoding === "br"
    ? brotli(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_SIZE_HINT]: Buffer.byteLength(body) } })
    : gz(body, { level: 9 });
}

/** Sends `body` compressed when the client accepts it (and it is worth it), else as is. */
export async function sendCompressed(req: IncomingMessage, res: ServerResponse, body: Buffer | string): Promise<void> {
  const encoding = Buffer.byteLength(body) >= 1024 ? chooseEncoding(req.headers["accept-encoding"]) : undefined;
  res.setHeader("Vary", "Accept-Encoding");
  const out = encoding ? await compress(body, encoding) : Buffer.from(body);
  if (encoding) res.setHeader("Content-Encoding", encoding);
  res.setHeader("Content-Length", out.length);
  res.end(req.method === "HEAD" ? undefined : out);
}

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json",
};

/**
 * Serves the built bundle's text assets (JS, CSS, HTML, SVG, JSON) compressed with
 * brotli or gzip when the request accepts it, compressed once per file version and
 * kept in memory. Other requests (images, proxies, no Accept-Encoding) fall through
 * to Vite's static server.
 */
export function compressedStatic({ root }: { root: string }) {
  const cache = new Map<string, { mtimeMs: number; br?: Buffer; gzip?: Buffer }>();
  const base = normalize(root) + sep;
  const compressed = async (file: string, mtimeMs: number, encoding: ContentEncoding): Promise<Buffer> => {
    let entry = cache.get(file);
    if (!entry || entry.mtimeMs !== mtimeMs) {
      entry = { mtimeMs };
      cache.set(file, entry);
    }
    return (entry[encoding] ??= await compress(await readFile(file), encoding));
  };
  /** Compresses every text asset ahead of the first visit (brotli at quality 9 costs ~0.1 s per 100 kB). */
  const warm = async (): Promise<void> => {
    const files = await readdir(root, { recursive: true }).catch(() => [] as string[]);
    for (const name of files) {
      const file = join(root, String(name));
      if (!types[extname(file)]) continue;
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) continue;
      for (const encoding of ["br", "gzip"] as const) await compressed(file, info.mtimeMs, encoding);
    }
  };
  const middleware = async (req: IncomingMessage, res: ServerResponse, next: () => void): Promise<void> => {
    if (req.method !== "GET" && req.method !== "HEAD") return next();
    const encoding = chooseEncoding(req.headers["accept-encoding"]);
    if (!encoding) return next();
    let path: string;
    try {
      path = decodeURIComponent((req.url ?? "/").split("?")[0]!);
    } catch {
      return next();
    }
    if (path.endsWith("/")) path += "index.html";
    const type = types[extname(path)];
    const file = normalize(join(root, path));
    if (!type || !file.startsWith(base)) return next();
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return next();
    const body = await compressed(file, info.mtimeMs, encoding);
    res.statusCode = 200;
    res.setHeader("Content-Type", type);
    res.setHeader("Content-Encoding", encoding);
    res.setHeader("Vary", "Accept-Encoding");
    res.setHeader("Content-Length", body.length);
    // Hashed file names under assets/ never change; the page and the rest are revalidated.
    res.setHeader("Cache-Control", path.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
    res.end(req.method === "HEAD" ? undefined : body);
  };
  return Object.assign(middleware, { warm });
}
