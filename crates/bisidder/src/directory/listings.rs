//! The 92 schemes of the 2018 survey (Rådet for Socialt Udsatte) as *unverified*
//! listings: the name, and the type and place only where the name makes them evident
//! (SPEC C9). Never any contact details: an organisation claims its listing and completes
//! the profile. [`infer`] is pure; [`ensure`] inserts the listings that are missing, so it
//! can run at every migration.

use crate::store::{new_id, row::bind_f64, Db};

/// One name per line, as published.
pub const NAMES_2018: &str = include_str!("bisidderordninger-2018.txt");

/// What a listing's name makes evident.
#[derive(Clone, Debug, PartialEq)]
pub struct Listing {
    pub name: String,
    pub kind: Option<&'static str>,
    pub kommune_code: Option<&'static str>,
    /// A town, when the name names one (not only a kommune).
    pub town: Option<&'static str>,
}

/// Words in a name that make the type evident, checked in this order.
const KIND_WORDS: &[(&str, &[&str])] = &[
    ("citizens_adviser", &["borgerrådgiver"]),
    ("volunteer_network", &["bisidder"]),
    (
        "drop_in",
        &[
            "café",
            "cafe",
            "værested",
            "varmestue",
            "mødested",
            "folkekøkken",
            "aktivitetshus",
        ],
    ),
    ("advice", &["rådgivning", "retshjælp", "kontaktcenter"]),
    ("user_organisation", &["bedre psykiatri", "landsforening"]),
];

pub fn kind_of(name: &str) -> Option<&'static str> {
    let lower = name.to_lowercase();
    KIND_WORDS
        .iter()
        .find(|(_, words)| words.iter().any(|w| lower.contains(w)))
        .map(|(kind, _)| *kind)
}

/// The place a name ends with: the last words of one of its parts (split at commas and
/// dashes; the part after " i " first), with trailing one- or two-letter postal district
/// letters dropped ("København N"). A kommune's name gives the kommune (and its seat
/// town when the name is also a town's); otherwise a town gives its kommune.
pub fn place_of(name: &str) -> (Option<&'static str>, Option<&'static str>) {
    let parts: Vec<&str> = name
        .split([',', '–', '-'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    // The whole name first, so hyphenated kommune names ("Fåborg-Midtfyn") stay whole.
    let mut candidates: Vec<String> = Vec::new();
    for part in std::iter::once(name).chain(parts.into_iter().rev()) {
        let part = part.rsplit(" i ").next().unwrap_or(part);
        let mut words: Vec<&str> = part.split_whitespace().collect();
        while words
            .last()
            .is_some_and(|w| w.chars().count() <= 2 && words.len() > 1)
        {
            words.pop();
        }
        for n in [2, 1] {
            if words.len() >= n {
                candidates.push(words[words.len() - n..].join(" "));
            }
        }
    }
    for c in candidates {
        if let Some(k) = geo::kommune_by_name(&c) {
            let town = geo::towns_by_name(&c)
                .first()
                .filter(|t| t.kommune_code == k.code)
                .map(|t| t.name);
            return (Some(k.code), town);
        }
        if let Some(t) = geo::towns_by_name(&c).first() {
            return (Some(t.kommune_code), Some(t.name));
        }
    }
    (None, None)
}

pub fn infer(name: &str) -> Listing {
    let (kommune_code, town) = place_of(name);
    Listing {
        name: name.trim().to_string(),
        kind: kind_of(name),
        kommune_code,
        town,
    }
}

pub fn listings_2018() -> Vec<Listing> {
    NAMES_2018
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(infer)
        .collect()
}

/// Inserts the 2018 listings that are not there yet (by source id `survey2018:NN`).
pub async fn ensure(db: &Db, now: i64) -> anyhow::Result<()> {
    let listings = listings_2018();
    let present: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM schemes WHERE origin = 'survey2018'")
            .fetch_one(&db.pool)
            .await?;
    if present as usize >= listings.len() {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    for (i, l) in listings.iter().enumerate() {
        let source = format!("survey2018:{:02}", i + 1);
        let point = l
            .town
            .and_then(geo::town_by_name)
            .map(|t| t.point())
            .or_else(|| l.kommune_code.and_then(geo::kommune).map(|k| k.point()));
        let q = sqlx::query(
            "INSERT INTO schemes (id, source_id, origin, name, kind, base_town, kommune_code, created_at, updated_at, lat, lon) \
             SELECT $1, $2, 'survey2018', $3, $4, $5, $6, $7, $7, $8, $9 WHERE NOT EXISTS (SELECT 1 FROM schemes WHERE source_id = $2)",
        )
        .bind(new_id())
        .bind(source.clone())
        .bind(l.name.clone())
        .bind(l.kind)
        .bind(l.town)
        .bind(l.kommune_code)
        .bind(now);
        let q = bind_f64(q, point.map(|p| p.lat));
        bind_f64(q, point.map(|p| p.lon)).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_and_place_only_where_the_name_makes_them_evident() {
        let cases: &[(&str, Option<&str>, Option<&str>)] = &[
            (
                "Bisiddergruppen Odense",
                Some("volunteer_network"),
                Some("0461"),
            ),
            ("Baglandet i Ålborg", None, Some("0851")),
            (
                "Bedre Psykiatri, Skive",
                Some("user_organisation"),
                Some("0779"),
            ),
            (
                "Bedre Psykiatri Norddjurs",
                Some("user_organisation"),
                Some("0707"),
            ),
            (
                "Borgerrådgiveren i Sorø",
                Some("citizens_adviser"),
                Some("0340"),
            ),
            (
                "Bisidderne Fåborg-Midtfyn",
                Some("volunteer_network"),
                Some("0430"),
            ),
            ("Blå Kors – Det Blå Sted, Århus", None, Some("0751")),
            (
                "Kirkens Korshær, Esbjerg, varmestuen Exnersgade",
                Some("drop_in"),
                Some("0561"),
            ),
            (
                "Frivilligcenter SR-bistand, København N",
                None,
                Some("0101"),
            ),
            (
                "Det grønlandske hus Aalborg – åben rådgivning",
                Some("advice"),
                Some("0851"),
            ),
            (
                "KFUMs Sociale Arbejde – Café Stevnen, Store Heddinge",
                Some("drop_in"),
                Some("0336"),
            ),
            ("Kræftrådgivningen i Herning", Some("advice"), Some("0657")),
            ("Behandl os ordentligt", None, None),
            ("Mødrehjælpen", None, None),
            ("SANDs bisidderkorps", Some("volunteer_network"), None),
        ];
        for (name, kind, kommune) in cases {
            let l = infer(name);
            assert_eq!(l.kind, *kind, "{name}");
            assert_eq!(l.kommune_code, *kommune, "{name}");
        }
        assert_eq!(
            infer("Bisidderordningen FrivilligCenter Give").town,
            Some("Give")
        );
    }

    #[test]
    fn all_92_names_are_listed_once() {
        let all = listings_2018();
        assert_eq!(all.len(), 92);
        let names: std::collections::HashSet<_> = all.iter().map(|l| &l.name).collect();
        assert_eq!(names.len(), 92);
        for l in &all {
            eprintln!(
                "{:60} {:20} {:6} {:?}",
                l.name,
                l.kind.unwrap_or("-"),
                l.kommune_code.unwrap_or("-"),
                l.town
            );
        }
    }
}
