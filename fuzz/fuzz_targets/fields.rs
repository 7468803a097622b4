//! Every other parser of outside input: the first byte picks the parser, the rest is the
//! text a person or client typed. Each asserts what its callers rely on, not only "no
//! panic".
#![cfg_attr(fuzzing, no_main)]

use bisidder::{
    auth::totp,
    cases::domain::{parse_date, parse_hours, parse_km},
    concerns::domain::{parse_cpr, validate, CATEGORIES},
    directory::{profile::kommuner_of, service::SearchParams},
    minsag::lix::{lix, page_text},
    web::{
        cookies, csrf,
        form::{FormData, FormDataExt},
        i18n::Lang,
    },
};
use http::{header, HeaderMap, HeaderValue};
use jiff::civil::{date, Date};

const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

fn target(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Ok(s) = std::str::from_utf8(rest) else {
        return;
    };
    match which % 12 {
        // Dates typed in forms and query strings (cases, reports, calendars).
        0 => {
            if let Some(d) = parse_date(s) {
                assert_eq!(d.to_string().parse::<Date>().ok(), Some(d));
                assert_eq!(parse_date(&d.to_string()), Some(d));
            }
        }
        // Hours and kilometres of a case's work log.
        1 => {
            if let Some(m) = parse_hours(s) {
                assert!((0..=24 * 60).contains(&m), "{m} minutes");
            }
            if let Some(k) = parse_km(s) {
                assert!((0..=2000).contains(&k), "{k} km");
            }
        }
        // Kommuner given as codes or names; place names and postcodes.
        2 => {
            if let Ok(codes) = kommuner_of(s) {
                assert!(codes.iter().all(|c| geo::kommune(c).is_some()));
            }
            if let Some(k) = geo::kommune(s).or_else(|| geo::kommune_by_name(s)) {
                assert_eq!(geo::kommune(k.code).map(|x| x.code), Some(k.code));
            }
            if let Some(p) = geo::postcode(s) {
                assert_eq!(geo::postcode(p.code).map(|x| x.code), Some(p.code));
            }
            if let Some(t) = geo::town_by_name(s) {
                assert!(t.point().lat.is_finite());
            }
            let _ = geo::name_key(s);
        }
        // The directory search's query string.
        3 => {
            if let Ok(p) = serde_urlencoded::from_str::<SearchParams>(s) {
                if let Ok(q) = p.to_query() {
                    assert!(geo::kommune(&q.kommune).is_some(), "{:?}", q.kommune);
                }
            }
        }
        // TOTP codes as typed at sign-in, and secrets as stored.
        4 => {
            let now = 1_795_000_000;
            if let Some(step) = totp::matching_step(SECRET, s, now) {
                let code: String = s.chars().filter(|c| !c.is_whitespace()).collect();
                assert_eq!(totp::code_at(SECRET, step as u64 * 30), Some(code));
            }
            let _ = totp::matching_step(s, "123456", now);
        }
        // The language switch and readability of page text.
        5 => {
            if let Some(l) = Lang::parse(s) {
                assert_eq!(Lang::parse(l.code()), Some(l));
            }
            let v = lix(s);
            assert!(v.is_finite() && v >= 0.0, "lix {v}");
            let v = lix(&page_text(s));
            assert!(v.is_finite() && v >= 0.0, "lix {v}");
        }
        // A form body (urlencoded) as the report-of-concern form receives it.
        6 | 7 => {
            let Ok(pairs) = serde_urlencoded::from_str::<Vec<(String, String)>>(s) else {
                return;
            };
            let form = FormData(pairs);
            let back = form.safe_return_path("return_to");
            assert!(back.starts_with('/') && !back.starts_with("//") && !back.contains("://"));
            if let Ok(r) = validate(&form, date(2026, 11, 22)) {
                let n = r.child_name.chars().count();
                assert!((1..=100).contains(&n));
                assert!(r.child_birth_date <= date(2026, 11, 22));
                assert!(geo::kommune(&r.kommune_code).is_some());
                assert!(!r.categories.is_empty());
                assert!(r
                    .categories
                    .iter()
                    .all(|c| CATEGORIES.contains(&c.as_str())));
                if let Some(c) = &r.cpr {
                    let parsed = parse_cpr(c).expect("a stored CPR parses");
                    assert_eq!(parsed.birth_date, r.child_birth_date);
                }
            }
        }
        // A JSON API body read as form fields.
        8 => {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(s) {
                if let Ok(form) = FormData::from_json(&v) {
                    assert!(v.is_object());
                    for (k, _) in &form.0 {
                        assert!(v.get(k).is_some());
                    }
                }
            }
        }
        // Cookie and Origin/Referer headers.
        _ => {
            let Ok(value) = HeaderValue::from_str(s) else {
                return;
            };
            let mut h = HeaderMap::new();
            h.insert(header::COOKIE, value.clone());
            if let Some(v) = cookies::get(&h, "sid", false) {
                assert!(!v.contains(';'));
            }
            let ours = "http://localhost:18080";
            let mut o = HeaderMap::new();
            o.insert(header::ORIGIN, value.clone());
            assert_eq!(csrf::origin_ok(&o, ours), s == ours);
            let mut r = HeaderMap::new();
            r.insert(header::REFERER, value);
            if csrf::origin_ok(&r, ours) {
                assert!(s == ours || s.starts_with("http://localhost:18080/"));
            }
        }
    }
}

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| target(data));

/// Without libFuzzer (`cargo run --bin fields -- SEEDS SECONDS`): the seeds, then mutated
/// seeds for a while — the quick run of every CI build (see `src/lib.rs`).
#[cfg(not(fuzzing))]
fn main() {
    bisidder_fuzz::replay("fields", target);
}
