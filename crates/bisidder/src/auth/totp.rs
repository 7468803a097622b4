//! TOTP second factor (RFC 6238: SHA-1, 6 digits, 30-second steps, one step of clock skew
//! either way). A code is accepted only for a time step later than the last one used, so
//! an observed code cannot be replayed; the store enforces that with a conditional UPDATE.

use rand::RngCore;
use totp_rs::{Algorithm, Secret, TOTP};

pub const STEP_SECONDS: u64 = 30;

/// A fresh 160-bit secret, base32 without padding (what authenticator apps expect).
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::thread_rng().fill_bytes(&mut bytes);
    Secret::Raw(bytes.to_vec()).to_encoded().to_string()
}

fn totp(secret_b32: &str, account: &str) -> Option<TOTP> {
    let raw = Secret::Encoded(secret_b32.to_string()).to_bytes().ok()?;
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        STEP_SECONDS,
        raw,
        Some("Bisidder".to_string()),
        account.to_string(),
    )
    .ok()
}

/// The code for a given Unix time (used by tests and the demo's printed hints).
pub fn code_at(secret_b32: &str, unix_seconds: u64) -> Option<String> {
    totp(secret_b32, "x").map(|t| t.generate(unix_seconds))
}

/// If `code` is valid at `unix_seconds` (± one step), the time step it belongs to.
pub fn matching_step(secret_b32: &str, code: &str, unix_seconds: u64) -> Option<i64> {
    let code = code.trim().replace(' ', "");
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let t = totp(secret_b32, "x")?;
    let step = unix_seconds / STEP_SECONDS;
    [step.saturating_sub(1), step, step + 1]
        .into_iter()
        .find_map(|s| {
            let candidate = t.generate(s * STEP_SECONDS);
            let equal: bool =
                subtle::ConstantTimeEq::ct_eq(candidate.as_bytes(), code.as_bytes()).into();
            equal.then_some(s as i64)
        })
}

/// `otpauth://` URI for the enrolment QR code.
pub fn provisioning_uri(secret_b32: &str, account: &str) -> Option<String> {
    totp(secret_b32, account).map(|t| t.get_url())
}

/// The QR code of `uri` as an SVG document.
pub fn qr_svg(uri: &str) -> Option<String> {
    let code = qrcode::QrCode::new(uri.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_test_vector() {
        // RFC 6238 appendix B, SHA-1 secret "12345678901234567890" at T = 59 → 94287082 (8 digits);
        // the 6-digit code is its last six digits.
        let secret = Secret::Raw(b"12345678901234567890".to_vec())
            .to_encoded()
            .to_string();
        assert_eq!(code_at(&secret, 59).unwrap(), "287082");
        assert_eq!(code_at(&secret, 1111111109).unwrap(), "081804");
    }

    #[test]
    fn codes_match_their_step_with_one_step_of_skew() {
        let s = new_secret();
        let now = 1_700_000_000;
        let code = code_at(&s, now).unwrap();
        assert_eq!(matching_step(&s, &code, now), Some((now / 30) as i64));
        assert!(matching_step(&s, &code, now + 30).is_some());
        assert!(matching_step(&s, &code, now + 90).is_none());
        assert!(matching_step(&s, "12345", now).is_none());
        assert!(matching_step(&s, "abcdef", now).is_none());
    }

    #[test]
    fn provisioning_uri_and_qr_are_made() {
        let s = new_secret();
        let uri = provisioning_uri(&s, "hanne@example.org").unwrap();
        assert!(
            uri.starts_with("otpauth://totp/Bisidder:hanne%40example.org?secret="),
            "{uri}"
        );
        assert!(qr_svg(&uri).unwrap().contains("<svg"));
    }
}
