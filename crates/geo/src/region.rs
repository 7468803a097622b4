//! The five regions.

use crate::kommune::{kommuner, Kommune};

/// A Danish region, with its official code (Danmarks Statistik / DAGI regionskode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Region {
    Nordjylland,
    Midtjylland,
    Syddanmark,
    Hovedstaden,
    Sjaelland,
}

impl Region {
    /// All regions in order of their codes.
    pub const ALL: [Region; 5] = [
        Region::Nordjylland,
        Region::Midtjylland,
        Region::Syddanmark,
        Region::Hovedstaden,
        Region::Sjaelland,
    ];

    /// The official four-digit code, e.g. "1084" for Region Hovedstaden.
    pub const fn code(self) -> &'static str {
        match self {
            Region::Nordjylland => "1081",
            Region::Midtjylland => "1082",
            Region::Syddanmark => "1083",
            Region::Hovedstaden => "1084",
            Region::Sjaelland => "1085",
        }
    }

    pub const fn name_da(self) -> &'static str {
        match self {
            Region::Nordjylland => "Region Nordjylland",
            Region::Midtjylland => "Region Midtjylland",
            Region::Syddanmark => "Region Syddanmark",
            Region::Hovedstaden => "Region Hovedstaden",
            Region::Sjaelland => "Region Sjælland",
        }
    }

    pub const fn name_en(self) -> &'static str {
        match self {
            Region::Nordjylland => "North Denmark Region",
            Region::Midtjylland => "Central Denmark Region",
            Region::Syddanmark => "Region of Southern Denmark",
            Region::Hovedstaden => "Capital Region of Denmark",
            Region::Sjaelland => "Region Zealand",
        }
    }

    /// The region with this official code ("1081"–"1085").
    pub fn from_code(code: &str) -> Option<Region> {
        Region::ALL.into_iter().find(|r| r.code() == code.trim())
    }

    /// The kommuner of this region, in order of their codes.
    pub fn kommuner(self) -> impl Iterator<Item = &'static Kommune> {
        kommuner().iter().filter(move |k| k.region == self)
    }
}

#[cfg(test)]
mod tests {
    use super::Region;

    #[test]
    fn codes_round_trip() {
        for region in Region::ALL {
            assert_eq!(Region::from_code(region.code()), Some(region));
        }
        assert_eq!(Region::from_code("1086"), None);
    }
}
