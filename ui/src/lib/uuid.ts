//! UUIDv7 ids for new records, minted in the UI (commands carry every id they create,
//! so a retried command never creates a second record). RFC 9562: 48-bit Unix time in
//! milliseconds, version 7, variant 10, the rest random.

export function uuidv7(now = Date.now(), random: (buf: Uint8Array) => void = fillRandom): string {
  const b = new Uint8Array(16);
  random(b);
  let ms = BigInt(now);
  for (let i = 5; i >= 0; i--) {
    b[i] = Number(ms & 0xffn);
    ms >>= 8n;
  }
  b[6] = 0x70 | (b[6]! & 0x0f);
  b[8] = 0x80 | (b[8]! & 0x3f);
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function fillRandom(buf: Uint8Array): void {
  crypto.getRandomValues(buf);
}
