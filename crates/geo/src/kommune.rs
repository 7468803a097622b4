//! The 98 kommuner.

use crate::data::KOMMUNER;
use crate::landmass::Landmass;
use crate::names::name_key;
use crate::point::Point;
use crate::postcode::{postcodes, Postcode};
use crate::region::Region;
use crate::town::{towns, Town};

/// A kommune with its official code and a representative point: its seat, the town it
/// is named after or, for kommuner not named after a town, the town of its town hall.
#[derive(Debug, Clone, PartialEq)]
pub struct Kommune {
    /// Official kommune code as four digits, e.g. "0101" (København), "0860" (Hjørring).
    pub code: &'static str,
    /// Official short name as used in "`name` Kommune", e.g. "Lyngby-Taarbæk".
    pub name: &'static str,
    pub region: Region,
    /// Name of the seat town (a [`Town`] of this kommune).
    pub seat: &'static str,
    pub lat: f64,
    pub lon: f64,
    /// The landmass of the seat. A kommune can also hold small islands (Norddjurs holds
    /// Anholt); use a postcode or town for places there.
    pub landmass: Landmass,
}

impl Kommune {
    /// The seat's coordinate.
    pub fn point(&self) -> Point {
        Point::new(self.lat, self.lon)
    }

    /// The towns of the data that lie in this kommune.
    pub fn towns(&self) -> impl Iterator<Item = &'static Town> + '_ {
        towns().iter().filter(move |t| t.kommune_code == self.code)
    }

    /// The postcodes whose area lies (mainly) in this kommune.
    pub fn postcodes(&self) -> impl Iterator<Item = &'static Postcode> + '_ {
        postcodes()
            .iter()
            .filter(move |p| p.kommune_codes.contains(&self.code))
    }
}

/// All 98 kommuner, in order of their codes.
pub fn kommuner() -> &'static [Kommune] {
    KOMMUNER
}

/// The kommune with this code; three-digit codes ("101") are accepted too.
pub fn kommune(code: &str) -> Option<&'static Kommune> {
    let code = code.trim();
    let padded;
    let code = if code.len() == 3 {
        padded = format!("0{code}");
        padded.as_str()
    } else {
        code
    };
    KOMMUNER.iter().find(|k| k.code == code)
}

/// Names in use for a kommune besides its official short name (matched by [`name_key`]).
const ALIASES: &[(&str, &str)] = &[
    ("copenhagen", "0101"),
    ("kobenhavns", "0101"),
    ("bornholms", "0400"),
    ("bornholms regionskommune", "0400"),
    ("nordfyn", "0480"),
    ("vesthimmerland", "0820"),
];

/// The kommune with this name, in any of the spellings [`name_key`] folds together
/// ("Aarhus", "Århus", "Aarhus Kommune", "Lyngby-Tårbæk") or a common alias
/// ("Copenhagen", "Københavns Kommune", "Vesthimmerland").
pub fn kommune_by_name(name: &str) -> Option<&'static Kommune> {
    let key = name_key(name);
    KOMMUNER
        .iter()
        .find(|k| name_key(k.name) == key)
        .or_else(|| {
            let (_, code) = ALIASES.iter().find(|(alias, _)| *alias == key)?;
            kommune(code)
        })
}
