//! Reference data from the `geo` crate, shaped for the API and forms.

use crate::api::KommuneOut;

pub fn kommuner_out() -> Vec<KommuneOut> {
    geo::kommuner()
        .iter()
        .map(|k| KommuneOut {
            code: k.code.to_string(),
            name: k.name.to_string(),
            region_code: k.region.code().to_string(),
            region: k.region.name_da().to_string(),
        })
        .collect()
}
