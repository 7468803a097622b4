//! The travel-time model: road estimates and ferries to islands without a bridge.

use geo::travel::{road_km, AVERAGE_SPEED_KMH};
use geo::{
    distance_km, ferry_routes, journey, kommune, landmass_of, postcode, town_by_name,
    travel_minutes, Landmass, Place, Point,
};

fn town(name: &str) -> Place {
    Place::from(town_by_name(name).unwrap_or_else(|| panic!("town {name} missing")))
}

fn at_postcode(code: &str) -> Place {
    Place::from(postcode(code).unwrap_or_else(|| panic!("postcode {code} missing")))
}

/// Minutes to drive between two places as if there were no water in between.
fn driving_only(a: Place, b: Place) -> f64 {
    let (Some(a), Some(b)) = (a.point(), b.point()) else {
        panic!("both places need a point")
    };
    road_km(a, b) / AVERAGE_SPEED_KMH * 60.0
}

#[test]
fn copenhagen_to_aarhus_is_about_155_km_as_the_crow_flies() {
    let (Some(cph), Some(aarhus)) = (town("København").point(), town("Aarhus").point()) else {
        panic!("towns need points")
    };
    let km = distance_km(cph, aarhus);
    assert!((145.0..165.0).contains(&km), "{km}");
}

#[test]
fn aarhus_to_odense_is_plain_road() {
    let (aarhus, odense) = (town("Aarhus"), town("Odense"));
    let j = journey(aarhus, odense).expect("mainland journey");
    assert!(j.ferries.is_empty());
    assert_eq!(f64::from(j.minutes), driving_only(aarhus, odense).round());
    assert!((100..180).contains(&j.minutes), "{}", j.minutes);
    assert_eq!(travel_minutes(odense, aarhus), Some(j.minutes), "symmetric");
}

#[test]
fn copenhagen_to_bornholm_goes_by_ferry_and_takes_longer_than_driving() {
    let (cph, ronne) = (town("København"), town("Rønne"));
    let j = journey(cph, ronne).expect("Bornholm has ferries");
    assert_eq!(j.ferries.len(), 1);
    let ferry = j.ferries[0];
    assert_eq!(ferry.island, Landmass::Bornholm);
    assert!(j.minutes >= ferry.ferry_minutes() + 60, "{}", j.minutes);
    assert!(
        f64::from(j.minutes) > driving_only(cph, ronne),
        "{}",
        j.minutes
    );
    assert!((180..300).contains(&j.minutes), "{}", j.minutes);
}

#[test]
fn laeso_to_frederikshavn_includes_the_ferry() {
    let (laeso, frederikshavn) = (at_postcode("9940"), town("Frederikshavn"));
    let j = journey(laeso, frederikshavn).expect("Læsø has a ferry");
    assert_eq!(
        j.ferries.iter().map(|f| f.name).collect::<Vec<_>>(),
        ["Frederikshavn–Læsø"]
    );
    assert!(j.minutes >= j.ferries[0].ferry_minutes(), "{}", j.minutes);
    assert_eq!(
        travel_minutes(frederikshavn, laeso),
        Some(j.minutes),
        "symmetric"
    );
}

#[test]
fn two_places_on_the_same_island_need_no_ferry() {
    let (ronne, nexo) = (town("Rønne"), town("Nexø"));
    let j = journey(ronne, nexo).expect("same island");
    assert!(j.ferries.is_empty());
    assert!(j.minutes < 60, "{}", j.minutes);
    let (marstal, aeroskobing) = (town("Marstal"), town("Ærøskøbing"));
    assert!(journey(marstal, aeroskobing).is_some_and(|j| j.ferries.is_empty()));
    let anholt = at_postcode("8592");
    assert_eq!(travel_minutes(anholt, anholt), Some(0));
}

#[test]
fn island_to_island_crosses_twice_via_the_mainland() {
    let j = journey(town("Rønne"), at_postcode("9940")).expect("both have ferries");
    let islands: Vec<Landmass> = j.ferries.iter().map(|f| f.island).collect();
    assert_eq!(islands, [Landmass::Bornholm, Landmass::Laeso]);
}

#[test]
fn small_islands_are_reached_from_their_harbour() {
    let anholt = at_postcode("8592");
    assert_eq!(anholt.point(), None);
    let j = journey(town("Grenaa"), anholt).expect("Anholt has a ferry");
    assert_eq!(j.ferries[0].name, "Grenaa–Anholt");
    assert_eq!(j.minutes, j.ferries[0].ferry_minutes());
}

#[test]
fn an_island_without_a_modelled_ferry_is_unreachable() {
    let birkholm = at_postcode("5965");
    assert_eq!(birkholm.landmass(), Landmass::Birkholm);
    assert_eq!(travel_minutes(town("Marstal"), birkholm), None);
    assert_eq!(travel_minutes(birkholm, town("Odense")), None);
}

#[test]
fn the_fastest_route_is_chosen() {
    // Svendborg is Ærø's nearest mainland harbour; Bornholm is quicker via Ystad than Køge.
    let j = journey(town("Svendborg"), town("Ærøskøbing")).expect("Ærø has ferries");
    assert_eq!(j.ferries[0].name, "Svendborg–Ærøskøbing");
    let j = journey(town("Roskilde"), town("Rønne")).expect("Bornholm has ferries");
    assert_eq!(j.ferries[0].name, "Ystad–Rønne");
}

#[test]
fn a_kommune_travels_from_its_seat() {
    let samso = kommune("0741").map(Place::from).expect("Samsø");
    assert_eq!(samso.landmass(), Landmass::Samso);
    assert!(journey(town("Aarhus"), samso).is_some_and(|j| j.ferries.len() == 1));
}

#[test]
fn landmass_of_a_point_follows_the_nearest_town() {
    assert_eq!(landmass_of(Point::new(55.10, 14.70)), Landmass::Bornholm);
    assert_eq!(landmass_of(Point::new(56.16, 10.21)), Landmass::Mainland);
    assert_eq!(landmass_of(Point::new(55.44, 8.40)), Landmass::Fano);
    assert_eq!(
        Place::at(Point::new(57.26, 11.0)).landmass(),
        Landmass::Laeso
    );
}

#[test]
fn every_ferry_route_has_its_harbours_on_the_right_landmass() {
    for route in ferry_routes() {
        assert!(route.island.is_island(), "{}", route.name);
        let mainland = route
            .mainland_port()
            .unwrap_or_else(|| panic!("{}", route.name));
        if route.mainland_port != "ystad" {
            assert_eq!(
                landmass_of(mainland.point),
                Landmass::Mainland,
                "{}",
                route.name
            );
        }
        if let Some(key) = route.island_port {
            let island = geo::ferry::port(key).unwrap_or_else(|| panic!("{}", route.name));
            assert_eq!(landmass_of(island.point), route.island, "{}", route.name);
        }
    }
}

#[test]
fn every_island_with_a_place_in_the_data_but_birkholm_has_a_ferry() {
    for landmass in Landmass::ALL.into_iter().filter(|l| l.is_island()) {
        let has_route = ferry_routes().iter().any(|r| r.island == landmass);
        assert_eq!(has_route, landmass != Landmass::Birkholm, "{landmass:?}");
    }
}
