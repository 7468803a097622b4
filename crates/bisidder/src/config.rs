//! Typed configuration. Read from the environment (`BISIDDER_*`, `DATABASE_URL`) and,
//! optionally, a TOML-like `KEY=VALUE` file named by `BISIDDER_CONFIG`; the environment
//! wins. Every setting is listed in the README's configuration table.

use anyhow::{bail, Context};
use secrecy::SecretString;
use std::{net::SocketAddr, path::PathBuf, time::Duration};

#[derive(Clone, Debug)]
pub struct Config {
    /// `sqlite://path/to/file.db` (default `sqlite://data/bisidder.db`) or `postgres://…`.
    pub database_url: String,
    pub bind: SocketAddr,
    /// The address people use to reach the service; decides cookie flags and the Origin check.
    pub public_url: String,
    /// Holds the field-encryption key file and other local state.
    pub data_dir: PathBuf,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    /// Second factor required for roles that see personal data. Only the demo may turn it off.
    pub require_totp: bool,
    /// Shows the "demo — not for real data" banner.
    pub demo: bool,
    /// `smtp://host:port` (plain, for a local relay or test sink) or `smtps://user:pass@host:port`.
    /// Without it, mail goes to the development outbox shown in the UI.
    pub smtp_url: Option<SecretString>,
    pub mail_from: String,
    /// HTTP endpoint of the SMS gateway (JSON `{"to", "text", "id"}`); without it SMS stay
    /// in the development mailbox.
    pub sms_url: Option<String>,
    pub sms_token: Option<SecretString>,
    pub login_attempts_per_window: u32,
    pub login_window: Duration,
    pub soft_lock_after: u32,
    pub soft_lock_for: Duration,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    /// How long a person's Min sag link keeps working after their case closed.
    pub minsag_days_after_close: i64,
    /// How long the outbox worker holds a message it is sending before another worker (or
    /// the same one after a crash) may try it again. Sends time out well within it.
    pub outbox_lease: Duration,
    /// How long the retention purge waits before looking again after a pass that found
    /// nothing past its cutoff (the cutoff moves by whole days; the look reads every old
    /// closed case, so it does not run every few seconds).
    pub retention_check: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "sqlite://data/bisidder.db".into(),
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: "http://127.0.0.1:8080".into(),
            data_dir: PathBuf::from("data"),
            session_idle: Duration::from_secs(30 * 60),
            session_absolute: Duration::from_secs(12 * 3600),
            require_totp: true,
            demo: false,
            smtp_url: None,
            mail_from: "Bisidder <no-reply@bisidder.invalid>".into(),
            sms_url: None,
            sms_token: None,
            login_attempts_per_window: 10,
            login_window: Duration::from_secs(5 * 60),
            soft_lock_after: 5,
            soft_lock_for: Duration::from_secs(15 * 60),
            max_body_bytes: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            minsag_days_after_close: 30,
            outbox_lease: Duration::from_secs(120),
            retention_check: Duration::from_secs(600),
        }
    }
}

impl Config {
    /// Reads the configuration file (if any) and then the environment.
    pub fn from_env() -> anyhow::Result<Self> {
        let mut vars: Vec<(String, String)> = Vec::new();
        if let Ok(path) = std::env::var("BISIDDER_CONFIG") {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read configuration file {path}"))?;
            for (n, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let Some((k, v)) = line.split_once('=') else {
                    bail!("{path}:{}: expected KEY=VALUE", n + 1);
                };
                vars.push((k.trim().to_string(), v.trim().trim_matches('"').to_string()));
            }
        }
        vars.extend(std::env::vars());
        Self::from_pairs(vars)
    }

    pub fn from_pairs(vars: impl IntoIterator<Item = (String, String)>) -> anyhow::Result<Self> {
        let mut c = Config::default();
        let mut public_url_set = false;
        for (k, v) in vars {
            match k.as_str() {
                "DATABASE_URL" => c.database_url = v,
                "BISIDDER_BIND" => {
                    c.bind = v
                        .parse()
                        .with_context(|| format!("BISIDDER_BIND: not an address: {v}"))?
                }
                "BISIDDER_PUBLIC_URL" => {
                    c.public_url = v.trim_end_matches('/').to_string();
                    public_url_set = true;
                }
                "BISIDDER_DATA_DIR" => c.data_dir = PathBuf::from(v),
                "BISIDDER_SESSION_IDLE_MINUTES" => {
                    c.session_idle = Duration::from_secs(60 * parse_num(&k, &v)?)
                }
                "BISIDDER_SESSION_ABSOLUTE_HOURS" => {
                    c.session_absolute = Duration::from_secs(3600 * parse_num(&k, &v)?)
                }
                "BISIDDER_SMTP_URL" if !v.is_empty() => c.smtp_url = Some(SecretString::from(v)),
                "BISIDDER_MAIL_FROM" => c.mail_from = v,
                "BISIDDER_SMS_URL" if !v.is_empty() => c.sms_url = Some(v),
                "BISIDDER_SMS_TOKEN" if !v.is_empty() => c.sms_token = Some(SecretString::from(v)),
                "BISIDDER_LOGIN_ATTEMPTS" => {
                    c.login_attempts_per_window = parse_num(&k, &v)? as u32
                }
                "BISIDDER_MINSAG_DAYS_AFTER_CLOSE" => {
                    c.minsag_days_after_close = parse_num(&k, &v)? as i64
                }
                "BISIDDER_OUTBOX_LEASE_SECONDS" => {
                    let secs = parse_num(&k, &v)?;
                    if secs < 2 {
                        bail!("{k}: at least 2 seconds");
                    }
                    c.outbox_lease = Duration::from_secs(secs)
                }
                "BISIDDER_RETENTION_CHECK_SECONDS" => {
                    c.retention_check = Duration::from_secs(parse_num(&k, &v)?.max(1))
                }
                "BISIDDER_SOFT_LOCK_AFTER" => c.soft_lock_after = parse_num(&k, &v)? as u32,
                "BISIDDER_SOFT_LOCK_MINUTES" => {
                    c.soft_lock_for = Duration::from_secs(60 * parse_num(&k, &v)?)
                }
                _ => {}
            }
        }
        if !public_url_set {
            c.public_url = format!("http://{}", c.bind);
        }
        if !(c.public_url.starts_with("http://") || c.public_url.starts_with("https://")) {
            bail!("BISIDDER_PUBLIC_URL must start with http:// or https://");
        }
        if !(c.database_url.starts_with("sqlite:")
            || c.database_url.starts_with("postgres://")
            || c.database_url.starts_with("postgresql://"))
        {
            bail!("DATABASE_URL must start with sqlite: or postgres://");
        }
        Ok(c)
    }

    /// Cookies get `Secure` and the `__Host-` prefix whenever the service is reached over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// scheme://host[:port] of the public URL, compared with the Origin header.
    pub fn public_origin(&self) -> &str {
        let after_scheme = self.public_url.find("://").map(|i| i + 3).unwrap_or(0);
        match self.public_url[after_scheme..].find('/') {
            Some(i) => &self.public_url[..after_scheme + i],
            None => &self.public_url,
        }
    }
}

fn parse_num(key: &str, v: &str) -> anyhow::Result<u64> {
    v.parse()
        .with_context(|| format!("{key}: expected a whole number, got {v:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(pairs: &[(&str, &str)]) -> anyhow::Result<Config> {
        Config::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    #[test]
    fn public_url_defaults_to_bind_address() {
        let c = cfg(&[("BISIDDER_BIND", "127.0.0.1:9000")]).unwrap();
        assert_eq!(c.public_url, "http://127.0.0.1:9000");
        assert!(!c.secure_cookies());
    }

    #[test]
    fn https_public_url_means_secure_cookies_and_origin_without_path() {
        let c = cfg(&[("BISIDDER_PUBLIC_URL", "https://bisidder.example.dk/app/")]).unwrap();
        assert!(c.secure_cookies());
        assert_eq!(c.public_origin(), "https://bisidder.example.dk");
    }

    #[test]
    fn bad_values_are_explained() {
        let e = cfg(&[("BISIDDER_BIND", "nowhere")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("BISIDDER_BIND"), "{e}");
        let e = cfg(&[("DATABASE_URL", "mysql://x")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("DATABASE_URL"), "{e}");
        let e = cfg(&[("BISIDDER_SESSION_IDLE_MINUTES", "ten")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("whole number"), "{e}");
    }
}
