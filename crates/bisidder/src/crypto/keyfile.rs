//! The key file: `<data dir>/keys/field-keys.json`, mode 0600, never logged.

use anyhow::Context;
use base64::{engine::general_purpose::STANDARD as B64, Engine};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::{
    collections::BTreeMap,
    io::Write,
    os::unix::fs::{OpenOptionsExt, PermissionsExt},
    path::{Path, PathBuf},
};

#[derive(Serialize, Deserialize)]
pub struct KeyFile {
    pub active: String,
    pub keys: BTreeMap<String, String>,
}

impl KeyFile {
    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join("keys").join("field-keys.json")
    }

    pub fn load_or_create(data_dir: &Path) -> anyhow::Result<KeyFile> {
        let path = Self::path(data_dir);
        if path.exists() {
            let mode = std::fs::metadata(&path)?.permissions().mode();
            if mode & 0o077 != 0 {
                anyhow::bail!(
                    "key file {} is readable by others (mode {:o}); run chmod 600 on it",
                    path.display(),
                    mode & 0o777
                );
            }
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read key file {}", path.display()))?;
            return serde_json::from_str(&text).context("key file is not valid JSON");
        }
        let mut file = KeyFile {
            active: String::new(),
            keys: BTreeMap::new(),
        };
        file.add_active_key();
        file.save(data_dir)?;
        Ok(file)
    }

    /// Adds a fresh random key and makes it the active one; returns its id.
    pub fn add_active_key(&mut self) -> String {
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        let id = format!("k{}", self.keys.len() + 1);
        self.keys.insert(id.clone(), B64.encode(key));
        self.active = id.clone();
        id
    }

    /// Writes atomically: a private temporary file, fsync, rename.
    pub fn save(&self, data_dir: &Path) -> anyhow::Result<()> {
        let path = Self::path(data_dir);
        let dir = path.parent().context("key path has no folder")?;
        std::fs::create_dir_all(dir)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        let tmp = dir.join(".field-keys.json.tmp");
        let _ = std::fs::remove_file(&tmp);
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(serde_json::to_string_pretty(self)?.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        std::fs::File::open(dir)?.sync_all()?;
        Ok(())
    }
}
