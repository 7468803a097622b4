//! The CPR number parser of the report-of-concern form. Properties: never a panic; an
//! accepted number is ten digits whose date exists and matches DDMMYY, with the century
//! of the seventh digit; its canonical forms (DDMMYYSSSS, DDMMYY-SSSS) parse to the same;
//! numbers for births before 1 October 2007 pass the modulus-11 check.
#![cfg_attr(fuzzing, no_main)]

use bisidder::concerns::domain::parse_cpr;
use jiff::civil::date;

fn target(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(cpr) = parse_cpr(text) else {
        return;
    };
    let d = cpr.digits.as_bytes();
    assert!(
        d.len() == 10 && d.iter().all(u8::is_ascii_digit),
        "{:?}",
        cpr.digits
    );
    let n = |i: usize| i32::from(d[i] - b'0') * 10 + i32::from(d[i + 1] - b'0');
    let b = cpr.birth_date;
    assert_eq!(i32::from(b.day()), n(0));
    assert_eq!(i32::from(b.month()), n(2));
    assert_eq!(i32::from(b.year()) % 100, n(4));
    assert!((1858..=2057).contains(&b.year()), "{b}");
    assert_eq!(parse_cpr(&cpr.digits), Ok(cpr.clone()));
    let dashed = format!("{}-{}", &cpr.digits[..6], &cpr.digits[6..]);
    assert_eq!(parse_cpr(&dashed), Ok(cpr.clone()));
    if b < date(2007, 10, 1) {
        let w = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1];
        let sum: u32 = d.iter().zip(w).map(|(x, w)| u32::from(x - b'0') * w).sum();
        assert_eq!(sum % 11, 0, "modulus 11 for {b}");
    }
}

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| target(data));

/// Without libFuzzer (`cargo run --bin cpr -- SEEDS SECONDS`): the seeds, then mutated
/// seeds for a while — the quick run of every CI build (see `src/lib.rs`).
#[cfg(not(fuzzing))]
fn main() {
    bisidder_fuzz::replay("cpr", target);
}
