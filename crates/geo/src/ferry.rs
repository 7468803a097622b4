//! The ferry routes of the travel model.
//!
//! Crossing times are approximate, rounded from the operators' published timetables
//! (Bornholmslinjen, Læsø Færgen, Samsø Rederi, Ærøfærgerne, FanøFærgen,
//! Anholtfærgen and the kommuners' small-island ferries). `wait_minutes` is a typical
//! allowance for check-in and waiting for the departure: 30 minutes on long routes
//! with booking and check-in, 15–20 on short, frequent ones. Update a route here.
//!
//! Birkholm (5965) is reached only by a small passenger boat from Marstal whose
//! timetable is not modelled, so journeys there have no estimate.

use crate::data::PORTS;
use crate::landmass::Landmass;
use crate::point::Point;

/// A harbour, at the position of a town of the data (see `scripts/gen_geo.py`).
#[derive(Debug, Clone, PartialEq)]
pub struct Port {
    pub key: &'static str,
    /// The town whose coordinates stand for the harbour.
    pub town: &'static str,
    /// Which harbour it is.
    pub note: &'static str,
    pub point: Point,
}

/// A ferry between an island and the mainland.
#[derive(Debug, Clone, PartialEq)]
pub struct FerryRoute {
    pub island: Landmass,
    /// E.g. "Frederikshavn–Læsø".
    pub name: &'static str,
    /// Key of the mainland harbour ([`port`]).
    pub mainland_port: &'static str,
    /// Key of the island harbour; `None` for small islands without a town in the data,
    /// where the drive on the island is taken as nil (they are a few km across).
    pub island_port: Option<&'static str>,
    pub crossing_minutes: u32,
    pub wait_minutes: u32,
}

const fn route(
    island: Landmass,
    name: &'static str,
    mainland_port: &'static str,
    island_port: Option<&'static str>,
    crossing_minutes: u32,
    wait_minutes: u32,
) -> FerryRoute {
    FerryRoute {
        island,
        name,
        mainland_port,
        island_port,
        crossing_minutes,
        wait_minutes,
    }
}

use Landmass as L;

#[rustfmt::skip]
static ROUTES: &[FerryRoute] = &[
    route(L::Bornholm, "Ystad–Rønne", "ystad", Some("ronne"), 80, 30),
    route(L::Bornholm, "Køge–Rønne", "koge", Some("ronne"), 330, 30),
    route(L::Laeso, "Frederikshavn–Læsø", "frederikshavn", Some("vestero_havn"), 90, 30),
    route(L::Samso, "Hou–Sælvig", "hou", Some("saelvig"), 60, 30),
    route(L::Samso, "Kalundborg–Ballen", "kalundborg", Some("ballen"), 75, 30),
    route(L::Aero, "Svendborg–Ærøskøbing", "svendborg", Some("aeroskobing"), 75, 20),
    route(L::Aero, "Rudkøbing–Marstal", "rudkobing", Some("marstal"), 60, 20),
    route(L::Fano, "Esbjerg–Nordby", "esbjerg", Some("nordby"), 12, 15),
    route(L::Anholt, "Grenaa–Anholt", "grenaa", None, 160, 30),
    route(L::Endelave, "Snaptun–Endelave", "snaptun", None, 60, 20),
    route(L::Tuno, "Hou–Tunø", "hou", None, 60, 20),
    route(L::Fur, "Branden–Fur", "branden", None, 5, 15),
    route(L::Oro, "Holbæk–Orø", "holbaek", None, 40, 20),
    route(L::Sejero, "Havnsø–Sejerø", "havnso", None, 60, 20),
    route(L::Agerso, "Stigsnæs–Agersø", "stigsnaes", None, 15, 15),
    route(L::Omo, "Stigsnæs–Omø", "stigsnaes", None, 40, 20),
    route(L::Asko, "Bandholm–Askø", "bandholm", None, 35, 20),
    route(L::Fejo, "Kragenæs–Fejø", "kragenaes", None, 15, 15),
    route(L::Femo, "Kragenæs–Femø", "kragenaes", None, 50, 20),
    route(L::Lyo, "Faaborg–Lyø", "faaborg", None, 50, 20),
    route(L::Avernako, "Faaborg–Avernakø", "faaborg", None, 35, 20),
    route(L::Bjorno, "Faaborg–Bjørnø", "faaborg", None, 20, 15),
    route(L::Stryno, "Rudkøbing–Strynø", "rudkobing", None, 35, 20),
    route(L::Barso, "Barsø Landing–Barsø", "barso_landing", None, 10, 15),
];

/// Every modelled ferry route.
pub fn ferry_routes() -> &'static [FerryRoute] {
    ROUTES
}

/// The routes serving an island (none for the mainland or an unmodelled island).
pub fn routes_to(island: Landmass) -> impl Iterator<Item = &'static FerryRoute> {
    ROUTES.iter().filter(move |r| r.island == island)
}

/// The harbour with this key.
pub fn port(key: &str) -> Option<&'static Port> {
    PORTS.iter().find(|p| p.key == key)
}

impl FerryRoute {
    pub fn mainland_port(&self) -> Option<&'static Port> {
        port(self.mainland_port)
    }

    /// `None` when the island has no town in the data to place its harbour.
    pub fn island_port(&self) -> Option<&'static Port> {
        self.island_port.and_then(port)
    }

    /// Waiting plus crossing.
    pub const fn ferry_minutes(&self) -> u32 {
        self.wait_minutes + self.crossing_minutes
    }
}
