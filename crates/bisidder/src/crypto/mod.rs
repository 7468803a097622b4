//! Field-level encryption of sensitive columns (notes, report descriptions, CPR, TOTP
//! secrets) with XChaCha20-Poly1305.
//!
//! A stored value is `enc1:<key id>:<base64(nonce ‖ ciphertext)>`. The associated data is
//! `<table>/<column>/<row id>`, so a value copied into another row or column fails to
//! decrypt instead of silently showing someone else's data. Keys live in a key file
//! (created on first start with mode 0600) that holds every key still in use; rotation
//! adds a new active key and re-encrypts every registered column.

mod keyfile;

use anyhow::{anyhow, bail, Context};
use base64::{engine::general_purpose::STANDARD as B64, Engine};
use chacha20poly1305::{
    aead::{Aead, KeyInit, Payload},
    XChaCha20Poly1305, XNonce,
};
use rand::RngCore;
use std::{collections::BTreeMap, path::Path, sync::Arc};
use zeroize::Zeroizing;

pub use keyfile::KeyFile;

/// Every encrypted column: (table, column, id column). Rotation and the canary tests walk it.
pub const ENCRYPTED_COLUMNS: &[(&str, &str, &str)] = &[
    ("users", "totp_secret_enc", "id"),
    ("users", "totp_pending_enc", "id"),
    ("persons", "cpr_enc", "id"),
    ("reports_of_concern", "description_enc", "id"),
    ("case_notes", "body_enc", "id"),
    ("volunteer_applications", "motivation_enc", "id"),
    ("volunteer_applications", "screen_note_enc", "id"),
    ("reports_of_concern", "cpr_enc", "id"),
    ("reports_of_concern", "followup_enc", "id"),
    ("case_exclusions", "reason_enc", "id"),
    ("network_inquiries", "question_enc", "id"),
    ("network_inquiries", "answer_enc", "id"),
];

#[derive(Clone)]
pub struct FieldCrypto {
    inner: Arc<Keys>,
}

struct Keys {
    active: String,
    keys: BTreeMap<String, Zeroizing<[u8; 32]>>,
}

impl std::fmt::Debug for FieldCrypto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FieldCrypto(active key {})", self.inner.active)
    }
}

impl FieldCrypto {
    /// Loads the key file under `data_dir`, creating it with a fresh key on first start.
    pub fn load_or_create(data_dir: &Path) -> anyhow::Result<Self> {
        let file = KeyFile::load_or_create(data_dir)?;
        Self::from_keyfile(&file)
    }

    pub fn from_keyfile(file: &KeyFile) -> anyhow::Result<Self> {
        let mut keys = BTreeMap::new();
        for (id, k) in &file.keys {
            let raw = Zeroizing::new(B64.decode(k).context("key file: bad base64")?);
            let arr: [u8; 32] = raw
                .as_slice()
                .try_into()
                .map_err(|_| anyhow!("key file: key {id} is not 32 bytes"))?;
            keys.insert(id.clone(), Zeroizing::new(arr));
        }
        if !keys.contains_key(&file.active) {
            bail!("key file: active key {} is missing", file.active);
        }
        Ok(FieldCrypto {
            inner: Arc::new(Keys {
                active: file.active.clone(),
                keys,
            }),
        })
    }

    pub fn active_key_id(&self) -> &str {
        &self.inner.active
    }

    pub fn encrypt(&self, table: &str, column: &str, row_id: &str, plain: &str) -> String {
        let kid = &self.inner.active;
        let key = &self.inner.keys[kid];
        let cipher = XChaCha20Poly1305::new(key.as_ref().into());
        let mut nonce = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut nonce);
        let aad = aad(table, column, row_id);
        // Encryption with a valid key and nonce cannot fail for in-memory data.
        let ct = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .unwrap_or_default();
        let mut blob = Vec::with_capacity(24 + ct.len());
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&ct);
        format!("enc1:{kid}:{}", B64.encode(blob))
    }

    pub fn decrypt(
        &self,
        table: &str,
        column: &str,
        row_id: &str,
        stored: &str,
    ) -> anyhow::Result<String> {
        let mut parts = stored.splitn(3, ':');
        let (Some("enc1"), Some(kid), Some(b64)) = (parts.next(), parts.next(), parts.next())
        else {
            bail!("not an encrypted value");
        };
        let key = self
            .inner
            .keys
            .get(kid)
            .ok_or_else(|| anyhow!("encryption key {kid} is not in the key file"))?;
        let blob = B64.decode(b64).context("encrypted value: bad base64")?;
        if blob.len() < 24 {
            bail!("encrypted value too short");
        }
        let (nonce, ct) = blob.split_at(24);
        let cipher = XChaCha20Poly1305::new(key.as_ref().into());
        let aad = aad(table, column, row_id);
        let plain = cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| anyhow!("decryption failed for {table}.{column}"))?;
        String::from_utf8(plain).context("decrypted value is not UTF-8")
    }

    /// The key id a stored value was encrypted with.
    pub fn key_id_of(stored: &str) -> Option<&str> {
        let mut parts = stored.splitn(3, ':');
        match (parts.next(), parts.next()) {
            (Some("enc1"), Some(kid)) => Some(kid),
            _ => None,
        }
    }
}

fn aad(table: &str, column: &str, row_id: &str) -> String {
    format!("{table}/{column}/{row_id}")
}

/// Adds a new active key to the key file and re-encrypts every registered column with it.
/// Returns the number of values re-encrypted. Old keys stay in the file so a backup taken
/// before the rotation can still be read.
pub async fn rotate(db: &crate::store::Db, data_dir: &Path) -> anyhow::Result<(String, u64)> {
    let old = FieldCrypto::load_or_create(data_dir)?;
    let mut file = KeyFile::load_or_create(data_dir)?;
    let new_id = file.add_active_key();
    let new = FieldCrypto::from_keyfile(&file)?;
    let mut tx = db.begin().await?;
    let mut n = 0u64;
    for (table, column, idcol) in ENCRYPTED_COLUMNS {
        let rows: Vec<(String, String)> = sqlx::query_as(&format!(
            "SELECT {idcol}, {column} FROM {table} WHERE {column} IS NOT NULL"
        ))
        .fetch_all(&mut *tx)
        .await?;
        for (id, stored) in rows {
            let plain = Zeroizing::new(old.decrypt(table, column, &id, &stored)?);
            let again = new.encrypt(table, column, &id, &plain);
            sqlx::query(&format!(
                "UPDATE {table} SET {column} = $1 WHERE {idcol} = $2"
            ))
            .bind(again)
            .bind(&id)
            .execute(&mut *tx)
            .await?;
            n += 1;
        }
    }
    // The key file is written before the commit: if the commit fails, the old key is still
    // in the file and the old values still decrypt.
    file.save(data_dir)?;
    tx.commit().await?;
    Ok((new_id, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crypto() -> (tempfile::TempDir, FieldCrypto) {
        let dir = tempfile::tempdir().unwrap();
        let c = FieldCrypto::load_or_create(dir.path()).unwrap();
        (dir, c)
    }

    #[test]
    fn round_trip_and_ciphertext_hides_the_text() {
        let (_d, c) = crypto();
        let stored = c.encrypt("case_notes", "body_enc", "n1", "Barnet er bange for far");
        assert!(!stored.contains("bange"));
        assert_eq!(FieldCrypto::key_id_of(&stored), Some(c.active_key_id()));
        assert_eq!(
            c.decrypt("case_notes", "body_enc", "n1", &stored).unwrap(),
            "Barnet er bange for far"
        );
    }

    #[test]
    fn a_value_moved_to_another_row_or_column_does_not_decrypt() {
        let (_d, c) = crypto();
        let stored = c.encrypt("persons", "cpr_enc", "p1", "0101011234");
        assert!(c.decrypt("persons", "cpr_enc", "p2", &stored).is_err());
        assert!(c.decrypt("case_notes", "body_enc", "p1", &stored).is_err());
    }

    #[test]
    fn key_file_is_private_and_reloads_the_same_key() {
        use std::os::unix::fs::PermissionsExt;
        let (d, c) = crypto();
        let stored = c.encrypt("t", "c", "1", "x");
        let mode = std::fs::metadata(KeyFile::path(d.path()))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let again = FieldCrypto::load_or_create(d.path()).unwrap();
        assert_eq!(again.decrypt("t", "c", "1", &stored).unwrap(), "x");
    }

    #[test]
    fn tampered_values_are_rejected() {
        let (_d, c) = crypto();
        let stored = c.encrypt("t", "c", "1", "hemmelig");
        let mut bytes = stored.into_bytes();
        let last = bytes.len() - 3;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).unwrap();
        assert!(c.decrypt("t", "c", "1", &tampered).is_err());
    }
}
