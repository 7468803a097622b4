//! Matching of place names as people type them.
//!
//! Danish place names have several accepted spellings: "Aarhus"/"Århus",
//! "Aalborg"/"Ålborg", "Lyngby-Taarbæk"/"Lyngby-Tårbæk", and people without a Danish
//! keyboard write "Koge" for "Køge". [`name_key`] folds all of these to one key.
//! `scripts/gen_geo.py` uses the same folding (`fold`) to match the source data.

/// The matching key of a place name: lower case; æ → ae, ø/ö → o, å/ä → a, aa → a;
/// other accents dropped; hyphens as spaces; a trailing "kommune"/"municipality" removed.
pub fn name_key(name: &str) -> String {
    let mut folded = String::with_capacity(name.len());
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        match c {
            'æ' => folded.push_str("ae"),
            'ø' | 'ö' | 'ó' | 'ò' | 'ô' => folded.push('o'),
            'å' | 'ä' | 'á' | 'à' | 'â' => folded.push('a'),
            'é' | 'è' | 'ê' | 'ë' => folded.push('e'),
            'ü' | 'ú' | 'ù' | 'û' => folded.push('u'),
            'í' | 'ì' | 'î' | 'ï' => folded.push('i'),
            '-' | '\u{2010}' | '\u{2013}' => folded.push(' '),
            c if c.is_whitespace() => folded.push(' '),
            c => folded.push(c),
        }
    }
    let folded = folded.replace("aa", "a");
    let mut words: Vec<&str> = folded.split_whitespace().collect();
    if words.len() > 1 && matches!(words.last(), Some(&("kommune" | "municipality"))) {
        words.pop();
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::name_key;

    #[test]
    fn spelling_variants_share_a_key() {
        assert_eq!(name_key("Aarhus"), name_key("Århus"));
        assert_eq!(name_key("AALBORG"), name_key("ålborg"));
        assert_eq!(name_key("Lyngby-Taarbæk"), name_key("lyngby tårbæk"));
        assert_eq!(name_key("Køge"), name_key("Koge"));
        assert_eq!(
            name_key("  Høje-Taastrup  Kommune "),
            name_key("Høje Tåstrup")
        );
    }

    #[test]
    fn different_names_keep_different_keys() {
        assert_ne!(name_key("Ærø"), name_key("Aarø"));
        assert_ne!(name_key("Viborg"), name_key("Vejle"));
        assert_eq!(name_key("Kommune"), "kommune");
    }
}
