//! Every user-visible string comes from `i18n/da.json` or `i18n/en.json` (flat key → text
//! maps, compiled into the binary). Danish is the default. A test checks that both files
//! have the same keys and that every key used in code and templates exists.

use std::{collections::HashMap, sync::OnceLock};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Da,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Da => "da",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "da" => Some(Lang::Da),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Da => Lang::En,
            Lang::En => Lang::Da,
        }
    }
}

pub const DA_JSON: &str = include_str!("../../i18n/da.json");
pub const EN_JSON: &str = include_str!("../../i18n/en.json");

type Table = HashMap<String, String>;

fn tables() -> &'static (Table, Table) {
    static T: OnceLock<(Table, Table)> = OnceLock::new();
    T.get_or_init(|| {
        // The files are compiled in and checked by tests; a broken file shows keys instead.
        let da = serde_json::from_str(DA_JSON).unwrap_or_default();
        let en = serde_json::from_str(EN_JSON).unwrap_or_default();
        (da, en)
    })
}

/// The text for `key` in `lang`; the key itself when missing (tests keep that from happening).
pub fn t(lang: Lang, key: &str) -> &'static str {
    let (da, en) = tables();
    let table = match lang {
        Lang::Da => da,
        Lang::En => en,
    };
    match table.get(key) {
        Some(v) => v.as_str(),
        None => {
            tracing::warn!(key, "missing translation");
            // Leaking is bounded: only keys that slipped past the tests reach here.
            Box::leak(key.to_string().into_boxed_str())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(json: &str) -> BTreeSet<String> {
        let m: HashMap<String, String> = serde_json::from_str(json).expect("valid i18n JSON");
        m.into_keys().collect()
    }

    #[test]
    fn danish_and_english_have_the_same_keys() {
        let da = keys(DA_JSON);
        let en = keys(EN_JSON);
        let only_da: Vec<_> = da.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&da).collect();
        assert!(
            only_da.is_empty() && only_en.is_empty(),
            "only in da: {only_da:?}; only in en: {only_en:?}"
        );
    }

    #[test]
    fn no_text_is_empty() {
        for json in [DA_JSON, EN_JSON] {
            let m: HashMap<String, String> = serde_json::from_str(json).unwrap();
            for (k, v) in m {
                assert!(!v.trim().is_empty(), "{k} is empty");
            }
        }
    }

    /// Every string literal in code and templates that looks like an i18n key (dotted,
    /// lower-case, starting with a prefix the Danish file uses) must exist in it.
    #[test]
    fn every_key_used_exists() {
        let da = keys(DA_JSON);
        let prefixes: BTreeSet<&str> = da.iter().filter_map(|k| k.split('.').next()).collect();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        collect(&root.join("templates"), &mut files);
        collect(&root.join("src"), &mut files);
        let mut missing = Vec::new();
        let mut seen = 0;
        // Audit action codes are stable machine codes stored in the log, not UI text; the
        // demo seed holds e-mail domains.
        files.retain(|f| !f.ends_with("audit/mod.rs") && !f.ends_with("demo/seed.rs"));
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for (i, literal) in text.split('"').enumerate() {
                let looks_like_key = i % 2 == 1
                    && literal.contains('.')
                    && !literal.ends_with(".html")
                    && !literal.ends_with(".csv")
                    && literal.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.'
                    })
                    && literal
                        .split('.')
                        .next()
                        .is_some_and(|p| prefixes.contains(p));
                if looks_like_key {
                    seen += 1;
                    if !da.contains(literal) {
                        missing.push(format!("{}: {literal}", f.display()));
                    }
                }
            }
        }
        assert!(
            seen > 50,
            "the scan found only {seen} keys; is it still reading the files?"
        );
        assert!(missing.is_empty(), "missing keys:\n{}", missing.join("\n"));
    }

    fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                collect(&p, out);
            } else if p.extension().is_some_and(|x| x == "html" || x == "rs") {
                out.push(p);
            }
        }
    }
}
