/** 0x1234…cdef: enough to tell ids apart at a glance; the full value goes in a title/copy. */
export function shortHex(value: string, chars = 4): string {
  if (value.length <= 2 + chars * 2 + 1) return value;
  return `${value.slice(0, 2 + chars)}…${value.slice(-chars)}`;
}
