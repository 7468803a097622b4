// TOTP as the app's authenticator apps compute it: RFC 6238 over RFC 4226 HOTP,
// HMAC-SHA-1, 30-second steps, 6 digits, base32 (RFC 4648) secrets.
const crypto = require('node:crypto');

const STEP_SECONDS = 30;
const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Decodes base32, ignoring case, spaces, dashes and '=' padding. */
function base32Decode(text) {
  const clean = text.toUpperCase().replace(/[\s=-]/g, '');
  let bits = 0;
  let value = 0;
  const bytes = [];
  for (const char of clean) {
    const index = BASE32_ALPHABET.indexOf(char);
    if (index < 0) throw new Error(`not a base32 character: ${JSON.stringify(char)}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

/** RFC 4226 HOTP value for a counter (a time step for TOTP). */
function hotp(key, counter, digits = 6) {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = crypto.createHmac('sha1', key).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The time step that contains the instant `ms` (milliseconds since the epoch). */
function stepAt(ms = Date.now()) {
  return Math.floor(ms / 1000 / STEP_SECONDS);
}

/** Milliseconds left in the current time step. */
function msLeftInStep(ms = Date.now()) {
  return (stepAt(ms) + 1) * STEP_SECONDS * 1000 - ms;
}

/** The 6-digit code for a base32 secret at a time step. */
function totpForStep(secretBase32, step) {
  return hotp(base32Decode(secretBase32), step);
}

module.exports = { STEP_SECONDS, base32Decode, hotp, stepAt, msLeftInStep, totpForStep };
