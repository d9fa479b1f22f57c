// One-time codes as an authenticator app computes them, independently of the server: the browser
// tests decode the seed a page shows and compute the codes here.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";

// RFC 4648 Base32, as authenticator apps decode the seed.
export function base32Decode(s) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0, value = 0;
  const out = [];
  for (const ch of s.replace(/=+$/, "").toUpperCase()) {
    const i = alphabet.indexOf(ch);
    assert.ok(i >= 0, `not Base32: ${ch}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

// RFC 6238 TOTP with SHA-1, 30-second steps, six digits (RFC 4226 §5.3 dynamic truncation).
export function totp(seed, when = Date.now()) {
  const step = Math.floor(when / 1000 / 30);
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", base32Decode(seed)).update(msg).digest();
  const off = mac[mac.length - 1] & 0x0f;
  const n = (mac.readUInt32BE(off) & 0x7fffffff) % 1_000_000;
  return String(n).padStart(6, "0");
}
