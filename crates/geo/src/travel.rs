//! The travel-time model.
//!
//! A road journey is estimated from the straight-line distance: roads are on average
//! [`ROAD_FACTOR`] times longer than the straight line, driven at [`AVERAGE_SPEED_KMH`].
//! Between different landmasses the journey goes by ferry: drive to the mainland
//! harbour, wait and cross ([`crate::ferry`]), drive on from the island harbour; from
//! one island to another it crosses twice, via the mainland. Each island's fastest
//! route is chosen. An island without a modelled ferry gives no estimate (`None`).
//!
//! The model knows no timetables, rush hours or public transport: it is meant for
//! ranking and filtering ("within 90 minutes"), not for planning a departure.

use crate::ferry::{routes_to, FerryRoute};
use crate::kommune::Kommune;
use crate::landmass::{landmass_of, Landmass};
use crate::point::{distance_km, Point};
use crate::postcode::Postcode;
use crate::town::Town;

/// Road distance per straight-line distance, a common detour index for Danish roads.
pub const ROAD_FACTOR: f64 = 1.34;
/// Average driving speed, mixing towns, country roads and motorways.
pub const AVERAGE_SPEED_KMH: f64 = 65.0;

/// Where a journey starts or ends: a point (if known) on a landmass.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Place {
    point: Option<Point>,
    landmass: Landmass,
}

impl Place {
    /// A point whose landmass is known.
    pub const fn new(point: Point, landmass: Landmass) -> Self {
        Self {
            point: Some(point),
            landmass,
        }
    }

    /// A point whose landmass is judged by [`landmass_of`] (nearest town).
    pub fn at(point: Point) -> Self {
        Self::new(point, landmass_of(point))
    }

    /// The postcode's point and landmass. A small island without a town in the data
    /// has no point: the place is then taken to be at the island's harbour.
    pub const fn from_postcode(postcode: &Postcode) -> Self {
        Self {
            point: postcode.point,
            landmass: postcode.landmass,
        }
    }

    /// `None` only for a postcode on a small island without a town in the data.
    pub const fn point(&self) -> Option<Point> {
        self.point
    }

    pub const fn landmass(&self) -> Landmass {
        self.landmass
    }
}

impl From<&Town> for Place {
    fn from(town: &Town) -> Self {
        Self::new(town.point(), town.landmass)
    }
}

impl From<&Kommune> for Place {
    /// The kommune's seat.
    fn from(kommune: &Kommune) -> Self {
        Self::new(kommune.point(), kommune.landmass)
    }
}

impl From<&Postcode> for Place {
    fn from(postcode: &Postcode) -> Self {
        Self::from_postcode(postcode)
    }
}

/// An estimated journey.
#[derive(Debug, Clone, PartialEq)]
pub struct Journey {
    /// Door-to-door minutes, rounded.
    pub minutes: u32,
    /// Estimated kilometres driven (ferry crossings excluded).
    pub road_km: f64,
    /// The ferries taken, in order (empty for a journey by road).
    pub ferries: Vec<&'static FerryRoute>,
}

/// Estimated road kilometres between two points.
pub fn road_km(a: Point, b: Point) -> f64 {
    distance_km(a, b) * ROAD_FACTOR
}

fn driving_minutes(road_km: f64) -> f64 {
    road_km / AVERAGE_SPEED_KMH * 60.0
}

/// One way between a place and the mainland: to (or from) a mainland point.
struct Leg {
    minutes: f64,
    road_km: f64,
    ferry: Option<&'static FerryRoute>,
    mainland: Point,
}

/// The ways from a place to the mainland road network (the place itself if it is there).
fn legs_to_mainland(place: Place) -> Vec<Leg> {
    if !place.landmass.is_island() {
        return place
            .point
            .map(|p| Leg {
                minutes: 0.0,
                road_km: 0.0,
                ferry: None,
                mainland: p,
            })
            .into_iter()
            .collect();
    }
    routes_to(place.landmass)
        .filter_map(|route| {
            let mainland = route.mainland_port()?.point;
            let on_island_km = match (place.point, route.island_port()) {
                (Some(p), Some(port)) => road_km(p, port.point),
                _ => 0.0,
            };
            Some(Leg {
                minutes: driving_minutes(on_island_km) + f64::from(route.ferry_minutes()),
                road_km: on_island_km,
                ferry: Some(route),
                mainland,
            })
        })
        .collect()
}

/// The fastest estimated journey between two places, or `None` when one of them is on
/// an island without a modelled ferry.
pub fn journey(from: Place, to: Place) -> Option<Journey> {
    if from.landmass == to.landmass {
        let km = match (from.point, to.point) {
            (Some(a), Some(b)) => road_km(a, b),
            // Only postcodes on small islands lack a point: both are at the harbour.
            _ => 0.0,
        };
        return Some(Journey {
            minutes: rounded(driving_minutes(km)),
            road_km: km,
            ferries: Vec::new(),
        });
    }
    let (outward, inward) = (legs_to_mainland(from), legs_to_mainland(to));
    let mut best: Option<(f64, Journey)> = None;
    for a in &outward {
        for b in &inward {
            let between_km = road_km(a.mainland, b.mainland);
            let minutes = a.minutes + driving_minutes(between_km) + b.minutes;
            if best.as_ref().is_none_or(|(m, _)| minutes < *m) {
                let journey = Journey {
                    minutes: rounded(minutes),
                    road_km: a.road_km + between_km + b.road_km,
                    ferries: a.ferry.into_iter().chain(b.ferry).collect(),
                };
                best = Some((minutes, journey));
            }
        }
    }
    best.map(|(_, journey)| journey)
}

/// [`journey`]'s minutes.
pub fn travel_minutes(from: Place, to: Place) -> Option<u32> {
    journey(from, to).map(|j| j.minutes)
}

fn rounded(minutes: f64) -> u32 {
    // Journeys within Denmark are far below u32::MAX minutes; `as` saturates anyway.
    minutes.round() as u32
}
