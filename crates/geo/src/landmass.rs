//! Landmasses: the bridged mainland and the islands reached only by ferry.

use crate::point::Point;
use crate::town::nearest_town;

/// A piece of land within which one can drive.
///
/// `Mainland` is everything joined by bridges, tunnels or causeways: Jutland, Funen,
/// Zealand, Lolland-Falster, Møn, Als, Langeland, Tåsinge, Mors, Amager, Rømø and the
/// other bridged islands. Every other variant is an island without a fixed link that
/// the data can place (a whole kommune, or a postcode of its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Landmass {
    Mainland,
    Bornholm,
    Laeso,
    Samso,
    Aero,
    Fano,
    Anholt,
    Endelave,
    Tuno,
    Fur,
    Oro,
    Sejero,
    Agerso,
    Omo,
    Asko,
    Fejo,
    Femo,
    Lyo,
    Avernako,
    Bjorno,
    Stryno,
    Birkholm,
    Barso,
}

impl Landmass {
    pub const ALL: [Landmass; 23] = [
        Landmass::Mainland,
        Landmass::Bornholm,
        Landmass::Laeso,
        Landmass::Samso,
        Landmass::Aero,
        Landmass::Fano,
        Landmass::Anholt,
        Landmass::Endelave,
        Landmass::Tuno,
        Landmass::Fur,
        Landmass::Oro,
        Landmass::Sejero,
        Landmass::Agerso,
        Landmass::Omo,
        Landmass::Asko,
        Landmass::Fejo,
        Landmass::Femo,
        Landmass::Lyo,
        Landmass::Avernako,
        Landmass::Bjorno,
        Landmass::Stryno,
        Landmass::Birkholm,
        Landmass::Barso,
    ];

    /// The Danish name ("fastlandet" for the mainland).
    pub const fn name_da(self) -> &'static str {
        match self {
            Landmass::Mainland => "fastlandet",
            Landmass::Bornholm => "Bornholm",
            Landmass::Laeso => "Læsø",
            Landmass::Samso => "Samsø",
            Landmass::Aero => "Ærø",
            Landmass::Fano => "Fanø",
            Landmass::Anholt => "Anholt",
            Landmass::Endelave => "Endelave",
            Landmass::Tuno => "Tunø",
            Landmass::Fur => "Fur",
            Landmass::Oro => "Orø",
            Landmass::Sejero => "Sejerø",
            Landmass::Agerso => "Agersø",
            Landmass::Omo => "Omø",
            Landmass::Asko => "Askø",
            Landmass::Fejo => "Fejø",
            Landmass::Femo => "Femø",
            Landmass::Lyo => "Lyø",
            Landmass::Avernako => "Avernakø",
            Landmass::Bjorno => "Bjørnø",
            Landmass::Stryno => "Strynø",
            Landmass::Birkholm => "Birkholm",
            Landmass::Barso => "Barsø",
        }
    }

    pub const fn is_island(self) -> bool {
        !matches!(self, Landmass::Mainland)
    }
}

/// The landmass a coordinate lies on, judged by the nearest town of the data.
///
/// Reliable for the mainland and for the islands with towns in the data (Bornholm,
/// Læsø, Samsø, Ærø, Fanø). The small islands have no town in the data, so a point on
/// them is judged to be on the mainland: build such places from their postcode instead
/// ([`crate::Place::from_postcode`]).
pub fn landmass_of(point: Point) -> Landmass {
    nearest_town(point).map_or(Landmass::Mainland, |t| t.landmass)
}
