//! Password hashing (argon2id, OWASP parameters m = 19 MiB, t = 2, p = 1) and the password
//! rule: at least 12 characters, at most 256, and not a common, breached or guessable
//! password (zxcvbn's frequency lists of leaked passwords, names and words; score ≥ 3).
//! Hashing runs off the async threads; an unknown user costs the same time as a known one.

use crate::error::{AppError, AppResult};
use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};
use secrecy::{ExposeSecret, SecretString};
use std::sync::OnceLock;

pub const MIN_LEN: usize = 12;
pub const MAX_LEN: usize = 256;

fn argon2() -> Argon2<'static> {
    // m = 19 MiB, t = 2, p = 1: OWASP's argon2id recommendation; the values are constants
    // and valid, so Params::new cannot fail.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Checks the password rule; the error names an i18n key for the form.
pub fn check_rule(password: &str, user_inputs: &[&str]) -> AppResult<()> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(AppError::invalid("password", "password.too_short"));
    }
    if n > MAX_LEN {
        return Err(AppError::invalid("password", "password.too_long"));
    }
    let estimate = zxcvbn::zxcvbn(password, user_inputs);
    if (estimate.score() as u8) < 3 {
        return Err(AppError::invalid("password", "password.too_common"));
    }
    Ok(())
}

pub async fn hash(password: SecretString) -> AppResult<String> {
    tokio::task::spawn_blocking(move || hash_blocking(password.expose_secret()))
        .await
        .map_err(AppError::internal)?
}

pub fn hash_blocking(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(anyhow::anyhow!("hashing failed: {e}")))
}

/// Verifies `password` against `stored`, or against a dummy hash when the user is unknown
/// (so response time does not reveal which e-mail addresses exist).
pub async fn verify(password: SecretString, stored: Option<String>) -> AppResult<bool> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| dummy_hash().to_string());
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return Ok(false);
        };
        let ok = argon2()
            .verify_password(password.expose_secret().as_bytes(), &parsed)
            .is_ok();
        Ok(ok && known)
    })
    .await
    .map_err(AppError::internal)?
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking("not a real password, only for timing").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_and_short_passwords_are_refused() {
        for p in [
            "password1234",
            "qwertyuiopas",
            "123456789012",
            "Password1234!",
            "kortkode",
        ] {
            assert!(check_rule(p, &[]).is_err(), "{p} should be refused");
        }
    }

    #[test]
    fn a_password_made_of_the_users_own_email_is_refused() {
        assert!(check_rule("hanne.jensen@kommune.dk", &["hanne.jensen@kommune.dk"]).is_err());
    }

    #[test]
    fn long_passphrases_are_accepted_up_to_256_characters() {
        let p64 = "grøn cykel hopper over syv blå vandpytter i Odense hver tirsdag!";
        assert_eq!(p64.chars().count(), 64);
        assert!(check_rule(p64, &[]).is_ok());
        assert!(check_rule(&"tre æbler og en pære ".repeat(12), &[]).is_ok());
        assert!(check_rule(&"x".repeat(257), &[]).is_err());
    }

    #[tokio::test]
    async fn hash_is_argon2id_with_owasp_parameters_and_verifies() {
        let pw = "grøn cykel hopper over syv blå vandpytter i Odense hver tirsdag!";
        let h = hash(SecretString::from(pw)).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify(SecretString::from(pw), Some(h.clone()))
            .await
            .unwrap());
        assert!(!verify(SecretString::from("forkert"), Some(h))
            .await
            .unwrap());
        assert!(!verify(SecretString::from(pw), None).await.unwrap());
    }
}
