export interface SignerOptions {
  /** Length of a signing window. @default 60 */
  windowSeconds?: number;
  /** The clock (milliseconds). @default Date.now */
  now?: () => number;
}

/**
 * A signature header for the current time window, computed once per window instead of per request (an HMAC per
 * subgraph fetch showed in the router's profile). `sign` gets the window's start as the timestamp, so a header is
 * at most `windowSeconds` old when sent; keep that well under the callee's `maxSkewSeconds` (300), which must also
 * cover the clock skew between hosts.
 */
export function windowedSigner(
  sign: (timestampSeconds: number) => string,
  { windowSeconds = 60, now = Date.now }: SignerOptions = {},
): () => string {
  let window = Number.NaN;
  let header = "";
  return () => {
    const current = Math.floor(now() / 1000 / windowSeconds);
    if (current !== window) {
      window = current;
      header = sign(current * windowSeconds);
    }
    return header;
  };
}
