//! LIX, the Scandinavian readability index (Björnsson 1968), used to keep every text a child
//! sees at LIX ≤ 30 ("easy"; SPEC C7):
//!
//! LIX = words / sentences + 100 × long words / words,
//!
//! where a word is a run of letters (digits alone, like a phone number, are not words), a
//! long word has more than six letters, and a sentence ends at `.`, `!`, `?` or `:` — or
//! at the end of a heading, list item, paragraph, label or button, which is how short
//! texts on a page end without a full stop.

/// The LIX of a plain text in which `\n` ends a block (a heading, item, paragraph).
pub fn lix(text: &str) -> f64 {
    let mut words = 0usize;
    let mut long = 0usize;
    let mut sentences = 0usize;
    let mut in_sentence = false;
    for block in text.split('\n') {
        let mut letters = 0usize;
        for ch in block.chars().chain(std::iter::once(' ')) {
            if ch.is_alphabetic() {
                letters += 1;
                continue;
            }
            if letters > 0 {
                words += 1;
                in_sentence = true;
                if letters > 6 {
                    long += 1;
                }
                letters = 0;
            }
            if matches!(ch, '.' | '!' | '?' | ':') && in_sentence {
                sentences += 1;
                in_sentence = false;
            }
        }
        if in_sentence {
            sentences += 1;
            in_sentence = false;
        }
    }
    if words == 0 {
        return 0.0;
    }
    words as f64 / sentences.max(1) as f64 + 100.0 * long as f64 / words as f64
}

/// The visible text of the `<main>` element of an HTML page, one block per line: tags that
/// end a block become line breaks, scripts and styles are dropped.
pub fn page_text(html: &str) -> String {
    let main = match (html.find("<main"), html.rfind("</main>")) {
        (Some(a), Some(b)) if a < b => &html[a..b],
        _ => html,
    };
    let mut out = String::new();
    let mut rest = main;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let Some(gt) = rest[lt..].find('>') else {
            break;
        };
        let tag = rest[lt + 1..lt + gt]
            .trim_start_matches('/')
            .to_ascii_lowercase();
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        rest = &rest[lt + gt + 1..];
        if name == "script" || name == "style" {
            if let Some(end) = rest.find("</") {
                rest = &rest[end..];
            }
            continue;
        }
        if matches!(
            name.as_str(),
            "p" | "li"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "dt"
                | "dd"
                | "label"
                | "button"
                | "a"
                | "td"
                | "th"
                | "div"
                | "section"
                | "legend"
                | "br"
                | "summary"
                | "option"
        ) {
            out.push('\n');
        } else {
            out.push(' ');
        }
    }
    out.push_str(rest);
    out.replace("&amp;", "&")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&nbsp;", " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lix_of_a_known_text() {
        // 10 words, 2 sentences, 2 long words ("bisidder", "hjælper"): 10/2 + 100*2/10 = 25.
        let t = "Din bisidder hjælper dig. Du kan altid sige stop nu.";
        assert!((lix(t) - 25.0).abs() < 1e-9, "{}", lix(t));
    }

    #[test]
    fn blocks_end_sentences_and_numbers_are_not_words() {
        assert!((lix("Ring 116 111\nDet er gratis") - 2.0).abs() < 1e-9);
        assert_eq!(lix(""), 0.0);
    }

    #[test]
    fn page_text_reads_main_only_and_breaks_blocks() {
        let html = "<html><title>Skjult overskrift</title><main><h1>Hej</h1><p>Du er <b>god</b>.</p><script>var x</script></main></html>";
        let t = page_text(html);
        assert!(!t.contains("Skjult") && !t.contains("var x"), "{t}");
        assert!(t.contains("Hej\n") && t.contains("Du er  god"), "{t:?}");
    }
}
