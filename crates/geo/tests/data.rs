//! The generated data: kommuner, regions, towns and postcodes.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use geo::{
    kommune, kommune_by_name, kommuner, postcode, postcodes, town_by_name, towns, towns_by_name,
    Landmass, Region,
};

/// The project's reference list of kommune names (shared/data/kommuner.txt).
fn reference_kommune_names() -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/kommuner.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the reference list {} is needed to check the kommuner and could not be read: {e}",
            path.display()
        )
    });
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

#[test]
fn kommuner_are_exactly_the_98_of_the_reference_list() {
    let reference = reference_kommune_names();
    let ours: BTreeSet<String> = kommuner().iter().map(|k| k.name.to_string()).collect();
    assert_eq!(
        reference.len(),
        98,
        "reference list should name 98 kommuner"
    );
    assert_eq!(kommuner().len(), 98);
    assert_eq!(ours, reference);
}

#[test]
fn kommune_codes_are_unique_four_digit_strings() {
    let codes: HashSet<&str> = kommuner().iter().map(|k| k.code).collect();
    assert_eq!(codes.len(), 98);
    for k in kommuner() {
        assert!(
            k.code.len() == 4 && k.code.bytes().all(|b| b.is_ascii_digit()),
            "{}: {}",
            k.name,
            k.code
        );
    }
}

#[test]
fn official_kommune_codes() {
    for (code, name) in [
        ("0101", "København"),
        ("0147", "Frederiksberg"),
        ("0860", "Hjørring"),
        ("0400", "Bornholm"),
        ("0825", "Læsø"),
        ("0741", "Samsø"),
        ("0492", "Ærø"),
        ("0563", "Fanø"),
        ("0751", "Aarhus"),
        ("0461", "Odense"),
        ("0851", "Aalborg"),
    ] {
        assert_eq!(kommune(code).map(|k| k.name), Some(name), "{code}");
    }
    assert_eq!(kommune("101").map(|k| k.name), Some("København"));
    assert!(kommune("0411").is_none(), "Christiansø is no kommune");
}

#[test]
fn five_regions_with_official_codes_cover_all_kommuner() {
    let codes: Vec<&str> = Region::ALL.iter().map(|r| r.code()).collect();
    assert_eq!(codes, ["1081", "1082", "1083", "1084", "1085"]);
    assert_eq!(Region::from_code("1084"), Some(Region::Hovedstaden));
    let total: usize = Region::ALL.iter().map(|r| r.kommuner().count()).sum();
    assert_eq!(total, 98);
    assert_eq!(Region::Hovedstaden.kommuner().count(), 29);
    assert_eq!(Region::Sjaelland.kommuner().count(), 17);
    assert_eq!(Region::Syddanmark.kommuner().count(), 22);
    assert_eq!(Region::Midtjylland.kommuner().count(), 19);
    assert_eq!(Region::Nordjylland.kommuner().count(), 11);
}

#[test]
fn kommuner_lie_in_their_regions() {
    for (name, region) in [
        ("Bornholm", Region::Hovedstaden),
        ("København", Region::Hovedstaden),
        ("Roskilde", Region::Sjaelland),
        ("Køge", Region::Sjaelland),
        ("Lolland", Region::Sjaelland),
        ("Samsø", Region::Midtjylland),
        ("Skive", Region::Midtjylland),
        ("Morsø", Region::Nordjylland),
        ("Læsø", Region::Nordjylland),
        ("Fanø", Region::Syddanmark),
        ("Ærø", Region::Syddanmark),
        ("Odense", Region::Syddanmark),
    ] {
        assert_eq!(
            kommune_by_name(name).map(|k| k.region),
            Some(region),
            "{name}"
        );
    }
}

#[test]
fn kommune_names_in_any_common_spelling() {
    let code = |name| kommune_by_name(name).map(|k| k.code);
    assert_eq!(code("Aarhus"), Some("0751"));
    assert_eq!(code("århus kommune"), Some("0751"));
    assert_eq!(code("Ålborg"), Some("0851"));
    assert_eq!(code("Lyngby-Tårbæk"), Some("0173"));
    assert_eq!(code("Copenhagen"), Some("0101"));
    assert_eq!(code("Københavns Kommune"), Some("0101"));
    assert_eq!(code("Vesthimmerland"), Some("0820"));
    assert_eq!(code("Atlantis"), None);
}

#[test]
fn every_kommune_seat_is_one_of_its_towns() {
    for k in kommuner() {
        let seat = k.towns().find(|t| t.name == k.seat);
        let seat =
            seat.unwrap_or_else(|| panic!("{}: seat {} not among its towns", k.name, k.seat));
        assert_eq!(
            (seat.lat, seat.lon, seat.landmass),
            (k.lat, k.lon, k.landmass)
        );
    }
}

#[test]
fn every_town_and_postcode_names_an_existing_kommune() {
    for t in towns() {
        assert!(t.kommune().is_some(), "{}: {}", t.name, t.kommune_code);
        for code in t.postcodes {
            let p = postcode(code).unwrap_or_else(|| panic!("{}: unknown postcode {code}", t.name));
            assert!(
                p.kommune_codes.contains(&t.kommune_code),
                "{} {code}",
                t.name
            );
        }
    }
    for p in postcodes() {
        assert!(!p.kommune_codes.is_empty());
        assert_eq!(p.kommuner().count(), p.kommune_codes.len(), "{}", p.code);
    }
}

#[test]
fn coordinates_lie_in_denmark() {
    for t in towns() {
        assert!(
            (54.5..57.8).contains(&t.lat) && (8.0..15.2).contains(&t.lon),
            "{}",
            t.name
        );
    }
}

#[test]
fn postcodes_are_sorted_and_unique_for_lookup() {
    let codes: Vec<&str> = postcodes().iter().map(|p| p.code).collect();
    assert!(codes.windows(2).all(|w| w[0] < w[1]));
    assert!(codes.iter().all(|c| c.len() == 4));
}

#[test]
fn known_postcodes() {
    for (code, name, kommune_code) in [
        ("8000", "Aarhus C", "0751"),
        ("5000", "Odense C", "0461"),
        ("3700", "Rønne", "0400"),
        ("9940", "Læsø", "0825"),
        ("6720", "Fanø", "0563"),
        ("2000", "Frederiksberg", "0147"),
        ("9000", "Aalborg", "0851"),
        ("8592", "Anholt", "0707"),
    ] {
        let p = postcode(code).unwrap_or_else(|| panic!("{code} missing"));
        assert_eq!(
            (p.name, p.kommune_codes),
            (name, &[kommune_code][..]),
            "{code}"
        );
    }
    assert_eq!(postcode(" DK-8000 ").map(|p| p.code), Some("8000"));
    assert!(postcode("0000").is_none());
    assert!(postcode("").is_none());
}

#[test]
fn island_postcodes_know_their_island() {
    for (code, landmass) in [
        ("3700", Landmass::Bornholm),
        ("9940", Landmass::Laeso),
        ("8305", Landmass::Samso),
        ("5970", Landmass::Aero),
        ("6720", Landmass::Fano),
        ("8592", Landmass::Anholt),
        ("4245", Landmass::Omo),
        ("8000", Landmass::Mainland),
        ("5900", Landmass::Mainland), // Rudkøbing, Langeland: bridged
    ] {
        assert_eq!(postcode(code).map(|p| p.landmass), Some(landmass), "{code}");
    }
}

#[test]
fn towns_by_name_in_any_common_spelling() {
    let kommune_of = |name| town_by_name(name).map(|t| t.kommune_code);
    assert_eq!(kommune_of("Aarhus"), Some("0751"));
    assert_eq!(kommune_of("Århus"), Some("0751"));
    assert_eq!(kommune_of("Aalborg"), Some("0851"));
    assert_eq!(kommune_of("ÅLBORG"), Some("0851"));
    assert_eq!(kommune_of("København"), Some("0101"));
    assert_eq!(kommune_of("Copenhagen"), Some("0101"));
    assert_eq!(kommune_of("Koge"), Some("0259"));
    assert_eq!(kommune_of("Rønne"), Some("0400"));
    assert_eq!(kommune_of("Nowhere"), None);
}

#[test]
fn namesake_towns_are_all_found_most_populous_first() {
    let vibys = towns_by_name("Viby");
    let kommuner: Vec<&str> = vibys.iter().map(|t| t.kommune_code).collect();
    assert_eq!(kommuner, ["0751", "0265"]); // Viby J (Aarhus), Viby Sj. (Roskilde)
    assert_eq!(
        town_by_name("Viby").map(|t| t.postcodes),
        Some(&["8260"][..])
    );
}

#[test]
fn towns_on_island_kommuner_are_on_the_island() {
    for (kommune_code, landmass) in [
        ("0400", Landmass::Bornholm),
        ("0825", Landmass::Laeso),
        ("0741", Landmass::Samso),
        ("0492", Landmass::Aero),
        ("0563", Landmass::Fano),
    ] {
        let k = kommune(kommune_code).unwrap_or_else(|| panic!("{kommune_code}"));
        assert!(k.towns().count() > 0, "{}", k.name);
        assert!(k.towns().all(|t| t.landmass == landmass), "{}", k.name);
    }
}

#[test]
fn only_postcodes_on_small_islands_lack_a_point() {
    for p in postcodes().iter().filter(|p| p.point.is_none()) {
        let seat_landmass = kommune(p.kommune_codes[0]).map(|k| k.landmass);
        assert!(p.landmass.is_island(), "{} {}", p.code, p.name);
        assert_ne!(seat_landmass, Some(p.landmass), "{} {}", p.code, p.name);
    }
}
