/**
 * Encodes one value as one frame: its JSON on a single line, ending in `\n`. JSON escapes every
 * control character inside strings, so the only newline in a frame is the one that ends it.
 * Throws a `TypeError` for a value JSON cannot represent (`undefined`, a function, a symbol, a
 * bigint, a cycle).
 * @example socket.write(encodeFrame({ id: 1, kind: 'ping' })); // '{"id":1,"kind":"ping"}\n'
 */
export function encodeFrame(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) {
    throw new TypeError(`encodeFrame cannot encode a value of type ${typeof value}`);
  }
  return `${json}\n`;
}
