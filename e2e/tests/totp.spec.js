// The TOTP helper the journeys use must agree with the RFCs, or a failed sign-in
// would blame the app for the test's own arithmetic.
const { test, expect } = require('@playwright/test');
const { base32Decode, hotp, stepAt, totpForStep } = require('./totp');

// The RFCs' shared secret, the ASCII string "12345678901234567890".
const RFC_SECRET_BASE32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

test('base32 decodes the RFC test secret', () => {
  expect(base32Decode(RFC_SECRET_BASE32).toString('ascii')).toBe('12345678901234567890');
  expect(base32Decode('gezd gnbv gy3t qojq gezd gnbv gy3t qojq')).toEqual(base32Decode(RFC_SECRET_BASE32));
});

test('HOTP matches RFC 4226 appendix D', () => {
  const key = Buffer.from('12345678901234567890', 'ascii');
  const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
  expect(expected.map((_, counter) => hotp(key, counter))).toEqual(expected);
});

test('TOTP matches RFC 6238 appendix B (SHA-1)', () => {
  const key = base32Decode(RFC_SECRET_BASE32);
  const vectors = [
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ];
  for (const [seconds, code] of vectors) {
    expect(hotp(key, stepAt(seconds * 1000), 8), `T=${seconds}`).toBe(code);
  }
  // Six digits are the last six of the same value.
  expect(totpForStep(RFC_SECRET_BASE32, stepAt(59_000))).toBe('287082');
});
