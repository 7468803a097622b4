//! CSV templates for organisations moving from spreadsheets (SPEC C12), read into the
//! import format of SPEC §7 so the same checks apply. Three files — persons, cases,
//! reports of concern — each with a header row naming its columns; `;` or `,` separates
//! them (the header decides), fields may be quoted with `"`. Report categories are
//! separated by `|`. Problems are reported by file name and line number.

use std::collections::HashMap;

/// A template: its file name and text (header and one example row).
pub const TEMPLATES: [(&str, &str); 3] = [
    (
        "persons.csv",
        "id;gender;birth_date;kommune\r\np1;girl;2012-03-02;0101\r\n",
    ),
    (
        "cases.csv",
        "id;person;authority;opened_on;closed_on\r\nc1;p1;familieretshuset;2024-02-03;2024-05-01\r\n",
    ),
    (
        "reports.csv",
        "id;case;sent_on;categories\r\nu1;c1;2024-03-01;fysisk_vold|konflikt_i_hjemmet\r\n",
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Persons,
    Cases,
    Reports,
}

impl Kind {
    fn columns(self) -> (&'static [&'static str], &'static [&'static str]) {
        // (required, optional)
        match self {
            Kind::Persons => (&["id"], &["gender", "birth_date", "kommune"]),
            Kind::Cases => (&["id", "person", "authority", "opened_on"], &["closed_on"]),
            Kind::Reports => (&["id", "case"], &["sent_on", "categories"]),
        }
    }

    fn of(header: &[String]) -> Option<Kind> {
        let has = |c: &str| header.iter().any(|h| h == c);
        if has("authority") {
            Some(Kind::Cases)
        } else if has("case") {
            Some(Kind::Reports)
        } else if has("gender") || has("birth_date") || has("kommune") {
            Some(Kind::Persons)
        } else {
            None
        }
    }
}

/// A record of fields with the line it starts on.
type Rec = (usize, Vec<String>);
/// The JSON Lines text and, per line, the file and line it came from.
pub type Converted = (String, Vec<(String, usize)>);

/// Splits CSV text into records of fields (RFC 4180 quoting). Returns each record with
/// the line number it starts on.
fn records(text: &str, sep: char) -> Result<Vec<Rec>, (usize, String)> {
    let mut out = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let (mut line, mut start) = (1, 1);
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut any = false;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push('\n');
                }
                c => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => {
                quoted = true;
                any = true;
            }
            c if c == sep => {
                fields.push(std::mem::take(&mut field));
                any = true;
            }
            '\r' => {}
            '\n' => {
                if any || !field.is_empty() {
                    fields.push(std::mem::take(&mut field));
                    out.push((start, std::mem::take(&mut fields)));
                }
                any = false;
                line += 1;
                start = line;
            }
            c => {
                field.push(c);
                any = true;
            }
        }
    }
    if quoted {
        return Err((start, "a quoted field is not closed".into()));
    }
    if any || !field.is_empty() {
        fields.push(field);
        out.push((start, fields));
    }
    Ok(out)
}

/// Converts the CSV files (name, text) of organisation `org` (its import id) into JSON
/// Lines, persons first, then cases, then reports. With it comes, for every JSON line,
/// the file and line it came from. Every problem is returned as "file line n: message".
pub fn to_jsonl(org: &str, files: &[(String, String)]) -> Result<Converted, Vec<String>> {
    let mut errors = Vec::new();
    let mut parsed: Vec<(Kind, &str, Vec<String>, Vec<Rec>)> = Vec::new();
    for (name, text) in files {
        let text = text.trim_start_matches('\u{feff}');
        let first = text.lines().next().unwrap_or("");
        let sep = if first.contains(';') { ';' } else { ',' };
        let mut rows = match records(text, sep) {
            Ok(r) => r,
            Err((n, m)) => {
                errors.push(format!("{name} line {n}: {m}"));
                continue;
            }
        };
        if rows.is_empty() {
            errors.push(format!("{name}: the file is empty"));
            continue;
        }
        let (_, header) = rows.remove(0);
        let header: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
        let Some(kind) = Kind::of(&header) else {
            errors.push(format!(
                "{name} line 1: the header names no known template (persons, cases, reports): {}",
                header.join(&sep.to_string())
            ));
            continue;
        };
        let (required, optional) = kind.columns();
        for h in &header {
            if !required.contains(&h.as_str()) && !optional.contains(&h.as_str()) {
                errors.push(format!("{name} line 1: unknown column {h:?}"));
            }
        }
        for r in required {
            if !header.iter().any(|h| h == r) {
                errors.push(format!("{name} line 1: column {r:?} is missing"));
            }
        }
        parsed.push((kind, name, header, rows));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    parsed.sort_by_key(|p| p.0);
    let mut text = String::new();
    let mut origin = Vec::new();
    for (kind, name, header, rows) in parsed {
        for (n, fields) in rows {
            if fields.len() != header.len() {
                errors.push(format!(
                    "{name} line {n}: {} fields, the header has {}",
                    fields.len(),
                    header.len()
                ));
                continue;
            }
            let get: HashMap<&str, &str> = header
                .iter()
                .map(String::as_str)
                .zip(fields.iter().map(|f| f.trim()))
                .collect();
            let opt = |k: &str| get.get(k).copied().filter(|v| !v.is_empty());
            let mut v = serde_json::json!({"id": get["id"]});
            match kind {
                Kind::Persons => {
                    v["type"] = "person".into();
                    v["org"] = org.into();
                    for k in ["gender", "birth_date", "kommune"] {
                        if let Some(x) = opt(k) {
                            v[k] = x.into();
                        }
                    }
                }
                Kind::Cases => {
                    v["type"] = "case".into();
                    v["org"] = org.into();
                    for k in ["person", "authority", "opened_on", "closed_on"] {
                        if let Some(x) = opt(k) {
                            v[k] = x.into();
                        }
                    }
                }
                Kind::Reports => {
                    v["type"] = "report_of_concern".into();
                    for k in ["case", "sent_on"] {
                        if let Some(x) = opt(k) {
                            v[k] = x.into();
                        }
                    }
                    let cats: Vec<&str> = opt("categories")
                        .unwrap_or("")
                        .split('|')
                        .map(str::trim)
                        .filter(|c| !c.is_empty())
                        .collect();
                    v["categories"] = cats.into();
                }
            }
            text.push_str(&v.to_string());
            text.push('\n');
            origin.push((name.to_string(), n));
        }
    }
    if errors.is_empty() {
        Ok((text, origin))
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect()
    }

    #[test]
    fn the_templates_convert_to_the_import_format_in_dependency_order() {
        // Given in the "wrong" order: reports, cases, persons.
        let f = files(&[TEMPLATES[2], TEMPLATES[1], TEMPLATES[0]]);
        let (text, origin) = to_jsonl("bv", &f).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[0]["type"], "person");
        assert_eq!(lines[0]["kommune"], "0101");
        assert_eq!(lines[1]["type"], "case");
        assert_eq!(lines[1]["closed_on"], "2024-05-01");
        assert_eq!(
            lines[2]["categories"],
            serde_json::json!(["fysisk_vold", "konflikt_i_hjemmet"])
        );
        assert_eq!(origin[2], ("reports.csv".to_string(), 2));
        // And the import's own checks accept it.
        let known = std::collections::HashSet::from(["bv".to_string()]);
        assert_eq!(
            crate::import::domain::parse(&text, &known).unwrap().len(),
            3
        );
    }

    #[test]
    fn commas_quotes_a_byte_order_mark_and_empty_fields_are_read_as_spreadsheets_write_them() {
        let f = files(&[(
            "p.csv",
            "\u{feff}id,gender,birth_date,kommune\r\n\"p,1\",girl,,0461\r\n\"p \"\"2\"\"\",boy,2010-01-01,\r\n",
        )]);
        let (text, origin) = to_jsonl("o", &f).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[0]["id"], "p,1");
        assert!(lines[0].get("birth_date").is_none());
        assert_eq!(lines[1]["id"], "p \"2\"");
        assert_eq!(origin, vec![("p.csv".into(), 2), ("p.csv".into(), 3)]);
    }

    #[test]
    fn problems_name_the_file_and_line() {
        let bad_header = to_jsonl("o", &files(&[("x.csv", "id;colour\n1;red\n")])).unwrap_err();
        assert!(bad_header[0].starts_with("x.csv line 1:"), "{bad_header:?}");
        let short = to_jsonl(
            "o",
            &files(&[(
                "cases.csv",
                "id;person;authority;opened_on\nc1;p1;kommune\n",
            )]),
        )
        .unwrap_err();
        assert_eq!(short, vec!["cases.csv line 2: 3 fields, the header has 4"]);
        let unclosed = to_jsonl("o", &files(&[("p.csv", "id;gender\n\"p1;girl\n")])).unwrap_err();
        assert!(
            unclosed[0].contains("line 2: a quoted field is not closed"),
            "{unclosed:?}"
        );
    }
}
