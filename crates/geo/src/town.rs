//! Towns with coordinates.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::data::TOWNS;
use crate::kommune::{kommune, kommune_by_name, Kommune};
use crate::landmass::Landmass;
use crate::names::name_key;
use crate::point::{distance_km, Point};

/// A town or village (a GeoNames place with at least 500 inhabitants).
#[derive(Debug, Clone, PartialEq)]
pub struct Town {
    pub name: &'static str,
    /// Code of the kommune the town lies in.
    pub kommune_code: &'static str,
    pub lat: f64,
    pub lon: f64,
    /// Inhabitants as GeoNames records them (rough; used to rank namesakes).
    pub population: u32,
    /// Postcodes named after the town ("Aarhus C", "Viby J"); may be empty.
    pub postcodes: &'static [&'static str],
    pub landmass: Landmass,
    pub geonames_id: u32,
}

impl Town {
    pub fn point(&self) -> Point {
        Point::new(self.lat, self.lon)
    }

    /// The town's kommune (always present in the generated data).
    pub fn kommune(&self) -> Option<&'static Kommune> {
        kommune(self.kommune_code)
    }
}

/// All towns, ordered by name.
pub fn towns() -> &'static [Town] {
    TOWNS
}

/// Towns by [`name_key`], most populous first.
fn index() -> &'static HashMap<String, Vec<&'static Town>> {
    static INDEX: OnceLock<HashMap<String, Vec<&'static Town>>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index: HashMap<String, Vec<&'static Town>> = HashMap::new();
        for town in TOWNS {
            index.entry(name_key(town.name)).or_default().push(town);
        }
        for namesakes in index.values_mut() {
            namesakes.sort_by_key(|t| std::cmp::Reverse(t.population));
        }
        index
    })
}

/// Every town with this name (Denmark has several Vibys and Højbys), most populous first.
pub fn towns_by_name(name: &str) -> &'static [&'static Town] {
    index().get(&name_key(name)).map_or(&[], Vec::as_slice)
}

/// The town with this name, in any spelling [`name_key`] folds together ("Aarhus",
/// "Århus", "ÅLBORG"). Among namesakes the most populous wins. A kommune's name
/// ("Egedal", "Copenhagen") gives the kommune's seat town.
pub fn town_by_name(name: &str) -> Option<&'static Town> {
    towns_by_name(name).first().copied().or_else(|| {
        let kommune = kommune_by_name(name)?;
        kommune.towns().find(|t| t.name == kommune.seat)
    })
}

/// The town nearest to a point (by straight-line distance).
pub fn nearest_town(point: Point) -> Option<&'static Town> {
    TOWNS
        .iter()
        .min_by(|a, b| distance_km(point, a.point()).total_cmp(&distance_km(point, b.point())))
}
