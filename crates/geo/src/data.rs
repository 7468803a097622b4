//! The generated tables (`crates/geo/data/*.rs`, written by `scripts/gen_geo.py`).

use crate::ferry::Port;
use crate::kommune::Kommune;
use crate::landmass::Landmass;
use crate::point::Point;
use crate::postcode::Postcode;
use crate::region::Region;
use crate::town::Town;

include!("../data/kommuner.rs");
include!("../data/towns.rs");
include!("../data/postcodes.rs");
include!("../data/ports.rs");
