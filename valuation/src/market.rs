//! `Market`: one immutable snapshot of transactions and communities with its indexes and calibration built once,
//! and the public entry points (resolve, value, pricing, trends).

use std::collections::HashMap;

use crate::adjust::Calibration;
use crate::community::{normalize, CommunityIndex, Resolution};
use crate::comparables::SimilarityWeights;
use crate::data::{Community, PropertyType, Transaction};
use crate::error::ValuationError;
use crate::hedonic::{Hedonic, HedonicConfig};
use crate::index::PriceIndex;
use crate::pricing::PricingRecommendation;
use crate::trends::Trends;
use crate::value::{distance_from, same_name, Options, Subject, Valuation};

/// Engine constants that are not per-call options.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tuning {
    /// Floor of the comparables' log spread used for the value range.
    pub min_spread: f64,
    /// Weight of the community index level as an extra comparable (similarities are 0..1).
    pub prior_weight: f64,
    /// Share of the hedonic model in the log estimate when comparables are found (the rest is the comparables').
    pub hedonic_weight: f64,
}

impl Default for Tuning {
    fn default() -> Self {
        Self { min_spread: 0.14, prior_weight: 1.0, hedonic_weight: 0.85 }
    }
}

/// Transactions, communities, indexes and calibrated rates. Build once, query many times; no I/O.
#[derive(Debug, Clone)]
pub struct Market {
    pub(crate) txns: Vec<Transaction>,
    /// Non-bulk transactions by (normalized community, type).
    pub(crate) by_ct: HashMap<(String, PropertyType), Vec<usize>>,
    pub(crate) communities: CommunityIndex,
    pub(crate) index: Option<PriceIndex>,
    pub(crate) calibration: Calibration,
    pub(crate) hedonic: Option<Hedonic>,
    pub(crate) weights: SimilarityWeights,
    pub(crate) tuning: Tuning,
}

impl Market {
    /// Builds the indexes and calibration. Bulk registrations are kept but never used as comparables or in the
    /// indexes. Communities that appear only in the transactions are added (without coordinates or aliases).
    pub fn new(transactions: Vec<Transaction>, communities: Vec<Community>) -> Market {
        Self::new_with(transactions, communities, &HedonicConfig::default())
    }

    /// `new` with other hedonic model settings (for validation experiments).
    pub fn new_with(transactions: Vec<Transaction>, communities: Vec<Community>, hedonic: &HedonicConfig) -> Market {
        let mut communities = communities;
        let known = CommunityIndex::new(communities.clone());
        let mut extra: Vec<&str> = Vec::new();
        for t in &transactions {
            if known.get(&t.community).is_none() && !extra.iter().any(|e| same_name(e, &t.community)) {
                extra.push(&t.community);
            }
        }
        for name in extra {
            communities.push(Community {
                name: name.to_string(),
                aliases: Vec::new(),
                dld_area_aliases: Vec::new(),
                lat: None,
                lon: None,
                coord_source: "none (community only seen in transactions)".into(),
                parent_area: None,
            });
        }
        let communities = CommunityIndex::new(communities);
        let mut by_ct: HashMap<(String, PropertyType), Vec<usize>> = HashMap::new();
        for (i, t) in transactions.iter().enumerate() {
            if !t.bulk {
                by_ct.entry((normalize(&t.community), t.property_type)).or_default().push(i);
            }
        }
        let usable: Vec<&Transaction> = transactions.iter().filter(|t| !t.bulk).collect();
        let index = PriceIndex::build(&usable);
        let calibration = match &index {
            Some(ix) => Calibration::estimate(&usable, ix),
            None => Calibration {
                size_elasticity: -0.25,
                bedroom_step: 0.0,
                offplan_premium: 0.0,
                community_effect: HashMap::new(),
                building_effect: HashMap::new(),
            },
        };
        let hedonic = index.as_ref().and_then(|ix| Hedonic::train(&usable, ix, hedonic));
        Market {
            txns: transactions,
            by_ct,
            communities,
            index,
            calibration,
            hedonic,
            weights: SimilarityWeights::default(),
            tuning: Tuning::default(),
        }
    }

    /// Same market with other similarity weights / tuning (for validation experiments).
    pub fn with_tuning(mut self, weights: SimilarityWeights, tuning: Tuning) -> Market {
        self.weights = weights;
        self.tuning = tuning;
        self
    }

    /// Resolves a community name, alias, DLD spelling or address; unknown names come with suggestions.
    pub fn resolve(&self, text: &str) -> Resolution {
        self.communities.resolve(text)
    }

    /// Values a property from comparable sales (with the fallback chain when they are thin).
    pub fn value(&self, subject: &Subject, options: &Options) -> Result<Valuation, ValuationError> {
        crate::value::value(self, subject, options)
    }

    /// Quick-sale / market / premium list prices from a valuation, with an assessment of the seller's asking price.
    pub fn pricing(&self, valuation: &Valuation, asking: Option<f64>) -> PricingRecommendation {
        crate::pricing::recommend(valuation, asking)
    }

    /// Monthly history (median AED/sqft, volume), year-on-year change, an `forecast_months` forecast and the
    /// forecaster's backtest error for a community × type.
    pub fn trends(
        &self,
        community: &str,
        property_type: PropertyType,
        forecast_months: usize,
    ) -> Result<Trends, ValuationError> {
        crate::trends::trends(self, community, property_type, forecast_months)
    }

    /// Calibrated rates (size elasticity, bedroom step, off-plan premium).
    pub fn calibration(&self) -> &Calibration {
        &self.calibration
    }

    /// The fitted hedonic model (`None` without sales).
    pub fn hedonic(&self) -> Option<&Hedonic> {
        self.hedonic.as_ref()
    }

    pub fn transactions(&self) -> &[Transaction] {
        &self.txns
    }

    /// The price index (diagnostics and experiments).
    pub fn index_for_diagnostics(&self) -> Option<&PriceIndex> {
        self.index.as_ref()
    }

    pub(crate) fn index(&self) -> Option<&PriceIndex> {
        self.index.as_ref()
    }

    /// Non-bulk sales of a community × type.
    pub(crate) fn sales<'a>(&'a self, community: &str, pt: PropertyType) -> impl Iterator<Item = &'a Transaction> + 'a {
        self.by_ct.get(&(normalize(community), pt)).into_iter().flatten().map(move |&i| &self.txns[i])
    }

    /// Other communities with coordinates, nearest first, with their distance from `center`.
    pub(crate) fn neighbours(&self, community: &str, center: Option<(f64, f64)>) -> Vec<(String, f64)> {
        let mut v: Vec<(String, f64)> = self
            .communities
            .communities()
            .iter()
            .filter(|c| !same_name(&c.name, community))
            .filter_map(|c| {
                let d = distance_from(center, c.lat, c.lon);
                let shares_parent = self.same_parent_area(community, &c.name);
                match d {
                    Some(d) => Some((c.name.clone(), d)),
                    // no coordinates, but the same municipal parent area: count it as nearby
                    None if shares_parent => Some((c.name.clone(), 3.0)),
                    None => None,
                }
            })
            .collect();
        v.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        v
    }

    pub(crate) fn same_parent_area(&self, a: &str, b: &str) -> bool {
        match (self.communities.get(a), self.communities.get(b)) {
            (Some(x), Some(y)) => match (&x.parent_area, &y.parent_area) {
                (Some(p), Some(q)) => same_name(p, q),
                _ => false,
            },
            _ => false,
        }
    }
}
