//! Postcodes.

use crate::data::POSTCODES;
use crate::kommune::{kommune, Kommune};
use crate::landmass::Landmass;
use crate::point::Point;

/// A postcode with its postal name and the kommune it lies in.
///
/// The source (GeoNames) gives one kommune per postcode, the one holding most of its
/// area; `kommune_codes` is a list so that a fuller source can name every kommune a
/// postcode crosses.
#[derive(Debug, Clone, PartialEq)]
pub struct Postcode {
    pub code: &'static str,
    /// Postal name ("Aarhus C", "Viby J", "Læsø").
    pub name: &'static str,
    pub kommune_codes: &'static [&'static str],
    pub landmass: Landmass,
    /// The postcode's town or, failing that, its kommune's seat on the same landmass;
    /// `None` for small islands without a town in the data.
    pub point: Option<Point>,
}

impl Postcode {
    /// The kommuner of this postcode.
    pub fn kommuner(&self) -> impl Iterator<Item = &'static Kommune> + '_ {
        self.kommune_codes.iter().filter_map(|code| kommune(code))
    }
}

/// All postcodes in ascending order.
pub fn postcodes() -> &'static [Postcode] {
    POSTCODES
}

/// Look up a postcode: "8000", " 8000 " and "DK-8000" all work.
pub fn postcode(code: &str) -> Option<&'static Postcode> {
    let code = code.trim();
    let code = code
        .strip_prefix("DK-")
        .or_else(|| code.strip_prefix("dk-"))
        .unwrap_or(code)
        .trim();
    POSTCODES
        .binary_search_by(|p| p.code.cmp(code))
        .ok()
        .and_then(|i| POSTCODES.get(i))
}
