export type PoolCursor = {
  /** Start index of the next `take` items; `wrapped` is true when it started over at 0. */
  next(): { start: number; wrapped: boolean };
};

/** Walks a pool of `size` items `take` at a time, starting over when fewer than `take` remain. */
export function poolCursor({ size, take }: { size: number; take: number }): PoolCursor {
  if (take > size) throw new Error(`poolCursor: take (${take}) exceeds the pool (${size})`);
  let offset = 0;
  return {
    next() {
      const wrapped = offset + take > size;
      if (wrapped) offset = 0;
      const start = offset;
      offset += take;
      return { start, wrapped };
    },
  };
}
