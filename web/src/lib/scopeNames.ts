/** The names of the bits set in a scope mask; an unnamed bit shows as "bit N". */
export function scopeNames(mask: number, names: readonly string[]): string[] {
  const out: string[] = [];
  for (let bit = 0; bit < 8; bit++) {
    if (mask & (1 << bit)) out.push(names[bit] || `bit ${bit}`);
  }
  return out;
}
