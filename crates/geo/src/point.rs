//! Coordinates and straight-line distance.

/// Mean Earth radius (IUGG), in kilometres.
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// A WGS84 coordinate in decimal degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub lat: f64,
    pub lon: f64,
}

impl Point {
    pub const fn new(lat: f64, lon: f64) -> Self {
        Self { lat, lon }
    }
}

/// Great-circle (haversine) distance between two points, in kilometres.
pub fn distance_km(a: Point, b: Point) -> f64 {
    let (lat1, lat2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_is_zero_to_itself_and_symmetric() {
        let a = Point::new(55.676, 12.566);
        let b = Point::new(56.157, 10.211);
        assert_eq!(distance_km(a, a), 0.0);
        assert!((distance_km(a, b) - distance_km(b, a)).abs() < 1e-9);
    }

    #[test]
    fn one_degree_of_latitude_is_about_111_km() {
        let d = distance_km(Point::new(55.0, 10.0), Point::new(56.0, 10.0));
        assert!((d - 111.2).abs() < 0.2, "{d}");
    }
}
