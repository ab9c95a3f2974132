//! Comparable selection: the candidate filter (community or radius, property type, bedrooms ±1, size band, time
//! window) and the similarity score that ranks and weights candidates.

use chrono::NaiveDate;

use crate::community::normalize;
use crate::data::{months_between, PropertyType, Transaction};

/// Hard limits a candidate must meet (one step of the fallback chain).
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub property_type: PropertyType,
    /// `None`: any bedroom count; `Some(b)`: within ±1 of b (candidates with unknown bedrooms pass).
    pub bedrooms: Option<u8>,
    /// Allowed size ratio candidate / subject: 1/size_band ..= size_band.
    pub size_band: f64,
    pub valuation_date: NaiveDate,
    pub time_frame_months: u32,
}

impl Filter {
    pub fn accepts(&self, t: &Transaction, subject_size: f64) -> bool {
        if t.bulk || t.property_type != self.property_type {
            return false;
        }
        if t.date > self.valuation_date {
            return false;
        }
        let age = months_between(t.date, self.valuation_date);
        if age > f64::from(self.time_frame_months) {
            return false;
        }
        if let (Some(want), Some(have)) = (self.bedrooms, t.bedrooms) {
            if want.abs_diff(have) > 1 {
                return false;
            }
        }
        let ratio = t.size_sqft / subject_size;
        ratio <= self.size_band && ratio >= 1.0 / self.size_band
    }
}

/// The subject facts similarity needs.
#[derive(Debug, Clone)]
pub struct Probe<'a> {
    pub building: Option<&'a str>,
    pub bedrooms: Option<u8>,
    pub size_sqft: f64,
    pub valuation_date: NaiveDate,
}

/// Weights of the similarity score (chosen on the pre-2024 validation split, see seeds/README.md).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimilarityWeights {
    pub per_log_size: f64,
    pub per_bedroom: f64,
    pub unknown_bedrooms: f64,
    pub per_year: f64,
    pub per_km: f64,
    /// Factor for a comparable in another building when the subject's building is known.
    pub other_building: f64,
}

impl Default for SimilarityWeights {
    fn default() -> Self {
        Self {
            per_log_size: 1.0,
            per_bedroom: 0.5,
            unknown_bedrooms: 0.5,
            per_year: 0.2,
            per_km: 0.3,
            other_building: 0.1,
        }
    }
}

/// Similarity in 0..=1: 1 for a same-building sale of the same size and bedrooms on the valuation date.
pub fn similarity(p: &Probe<'_>, t: &Transaction, distance_km: f64, w: &SimilarityWeights) -> f64 {
    let size = (t.size_sqft / p.size_sqft).ln().abs() * w.per_log_size;
    let years = months_between(t.date, p.valuation_date).max(0.0) / 12.0 * w.per_year;
    let beds = match (p.bedrooms, t.bedrooms) {
        (Some(a), Some(b)) => f64::from(a.abs_diff(b)) * w.per_bedroom,
        (Some(_), None) | (None, Some(_)) => -w.unknown_bedrooms.ln(),
        (None, None) => 0.0,
    };
    let dist = distance_km * w.per_km;
    let building = match (p.building, t.building.as_deref()) {
        (Some(a), Some(b)) if normalize(a) == normalize(b) => 1.0,
        (Some(_), _) => w.other_building,
        (None, _) => 1.0,
    };
    (-(size + years + beds + dist)).exp() * building
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(date: (i32, u32), beds: Option<u8>, size: f64, building: Option<&str>) -> Transaction {
        Transaction {
            txn_id: "x".into(),
            date: NaiveDate::from_ymd_opt(date.0, date.1, 1).unwrap(),
            community: "Dubai Marina".into(),
            building: building.map(String::from),
            property_type: PropertyType::Apartment,
            bedrooms: beds,
            size_sqft: size,
            price_aed: 1e6,
            offplan: None,
            bulk: false,
        }
    }

    #[test]
    fn filter_limits() {
        let f = Filter {
            property_type: PropertyType::Apartment,
            bedrooms: Some(2),
            size_band: 1.5,
            valuation_date: NaiveDate::from_ymd_opt(2024, 6, 1).unwrap(),
            time_frame_months: 12,
        };
        assert!(f.accepts(&t((2024, 1), Some(3), 1000.0, None), 1000.0));
        assert!(f.accepts(&t((2024, 1), None, 1000.0, None), 1000.0));
        assert!(!f.accepts(&t((2024, 1), Some(4), 1000.0, None), 1000.0), "bedrooms ±1");
        assert!(!f.accepts(&t((2022, 1), Some(2), 1000.0, None), 1000.0), "too old");
        assert!(!f.accepts(&t((2024, 7), Some(2), 1000.0, None), 1000.0), "after the valuation date");
        assert!(!f.accepts(&t((2024, 1), Some(2), 1600.0, None), 1000.0), "size band");
        let mut bulk = t((2024, 1), Some(2), 1000.0, None);
        bulk.bulk = true;
        assert!(!f.accepts(&bulk, 1000.0), "bulk registrations are never comparables");
    }

    #[test]
    fn similarity_orders_sensibly() {
        let w = SimilarityWeights::default();
        let p = Probe {
            building: Some("Marina Heights"),
            bedrooms: Some(2),
            size_sqft: 1000.0,
            valuation_date: NaiveDate::from_ymd_opt(2024, 6, 1).unwrap(),
        };
        let best = similarity(&p, &t((2024, 6), Some(2), 1000.0, Some("MARINA HEIGHTS")), 0.0, &w);
        assert!((best - 1.0).abs() < 1e-9);
        let other_bldg = similarity(&p, &t((2024, 6), Some(2), 1000.0, Some("Other")), 0.0, &w);
        let older = similarity(&p, &t((2022, 6), Some(2), 1000.0, Some("Marina Heights")), 0.0, &w);
        let bigger = similarity(&p, &t((2024, 6), Some(2), 1400.0, Some("Marina Heights")), 0.0, &w);
        let farther = similarity(&p, &t((2024, 6), Some(2), 1000.0, Some("Marina Heights")), 3.0, &w);
        for s in [other_bldg, older, bigger, farther] {
            assert!(s < best && s > 0.0);
        }
    }
}
