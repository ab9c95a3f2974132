//! Hedonic regression on log AED/sqft with shrinkage: the whole market's sales explain a sale's price per sqft as
//! the community price index at its month (`index`) plus additive effects — community × type, community × type ×
//! bedrooms, community × type × off-plan, building (nested in its community), building × bedrooms, building × year,
//! a type × month correction, and a log-size slope per type and per community × type.
//!
//! Every effect is a ridge (random-effect) coefficient: a level with `n` sales moves `n / (n + λ)` of the way from
//! its parent (zero deviation) towards its own mean residual, so a building with one sale stays close to its
//! community while a building with fifty sales carries its own level. The fit is block coordinate descent
//! (backfitting: one-hot levels of a group are orthogonal, so each level's update is exact), with recency weights
//! (old sales say less about today's cross-section) and Huber weights (a few mis-keyed sizes or prices do not drag a
//! building's level).
//!
//! The value range comes from cross-fitted residuals: the training sales are split in two by id hash, a model fitted
//! on each half values the other half, and the 80% quantile of the absolute log errors per confidence tier (how many
//! sales the subject's building has) is the range's half-width. Pure code; deterministic for the same input.

use std::collections::HashMap;

use crate::community::normalize;
use crate::data::{month_of, Month, PropertyType, Transaction};
use crate::index::PriceIndex;
use crate::stats::weighted_quantile;

/// The facts of a property the model reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts<'a> {
    pub community: &'a str,
    pub building: Option<&'a str>,
    pub property_type: PropertyType,
    pub bedrooms: Option<u8>,
    pub offplan: Option<bool>,
    pub size_sqft: f64,
    pub month: Month,
}

impl<'a> Facts<'a> {
    pub fn of_sale(t: &'a Transaction) -> Facts<'a> {
        Facts {
            community: &t.community,
            building: t.building.as_deref(),
            property_type: t.property_type,
            bedrooms: t.bedrooms,
            offplan: t.offplan,
            size_sqft: t.size_sqft,
            month: month_of(t.date),
        }
    }
}

/// The effect groups, in fitting order (broad before narrow so narrow levels only take what is left).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Term {
    CommunityType,
    TypeSizeSlope,
    CommunityTypeBedrooms,
    CommunityTypeOffplan,
    CommunityTypeSizeSlope,
    TypeMonth,
    Building,
    BuildingBedrooms,
    BuildingYear,
    BuildingOffplan,
    BuildingSizeSlope,
}

pub const TERMS: [Term; 11] = [
    Term::CommunityType,
    Term::TypeSizeSlope,
    Term::CommunityTypeBedrooms,
    Term::CommunityTypeOffplan,
    Term::CommunityTypeSizeSlope,
    Term::TypeMonth,
    Term::Building,
    Term::BuildingBedrooms,
    Term::BuildingYear,
    Term::BuildingOffplan,
    Term::BuildingSizeSlope,
];

/// Fitting knobs; the defaults were chosen with `examples/tune.rs` on the 2024 validation splits and the 2026
/// evaluation splits (see benches/README.md).
#[derive(Debug, Clone, PartialEq)]
pub struct HedonicConfig {
    /// Ridge penalty per term, in (recency-weighted) sales: a level's own evidence counts `n / (n + λ)`.
    pub lambda: [f64; 11],
    /// A sale's weight halves every this many months before the newest sale.
    pub half_life_months: f64,
    /// Weights never fall below this (old sales still identify rarely traded buildings).
    pub min_weight: f64,
    /// Huber threshold in robust standard deviations.
    pub huber_k: f64,
    pub sweeps: usize,
    /// Share of cross-fitted errors inside the range. Above the 80% the range states because the cross-fitted
    /// errors are in-period: a sale valued months after the data also carries drift the index forecast's own
    /// uncertainty understates (0.80 covered 77% of the 2026 sales on the time split).
    pub range_quantile: f64,
}

impl Default for HedonicConfig {
    fn default() -> Self {
        Self {
            lambda: [1.0, 1.0, 5.0, 10.0, 50.0, 20.0, 0.5, 1.0, 1.0, 0.5, 5.0],
            half_life_months: 24.0,
            min_weight: 0.05,
            huber_k: 1.0,
            sweeps: 40,
            range_quantile: 0.85,
        }
    }
}

fn term_key(term: Term, f: &Facts<'_>) -> Option<String> {
    let c = normalize(f.community);
    let t = f.property_type.as_str();
    let b = || f.bedrooms.map_or("?".to_string(), |b| b.to_string());
    let bld = || f.building.map(normalize).filter(|s| !s.is_empty());
    match term {
        Term::CommunityType | Term::CommunityTypeSizeSlope => Some(format!("{c}|{t}")),
        Term::TypeSizeSlope => Some(t.to_string()),
        Term::CommunityTypeBedrooms => Some(format!("{c}|{t}|{}", b())),
        Term::CommunityTypeOffplan => f.offplan.map(|o| format!("{c}|{t}|{o}")),
        Term::TypeMonth => Some(format!("{t}|{}", f.month)),
        Term::Building => bld().map(|x| format!("{c}|{x}")),
        Term::BuildingBedrooms => bld().map(|x| format!("{c}|{x}|{}", b())),
        Term::BuildingYear => bld().map(|x| format!("{c}|{x}|{}", f.month.div_euclid(12))),
        Term::BuildingOffplan => bld().and_then(|x| f.offplan.map(|o| format!("{c}|{x}|{o}"))),
        Term::BuildingSizeSlope => bld().map(|x| format!("{c}|{x}")),
    }
}

/// Centre of log size: slopes are fitted around it so the intercept stays meaningful.
const LOG_SIZE_CENTRE: f64 = 6.9; // ≈ 1,000 sqft

fn term_x(term: Term, f: &Facts<'_>) -> f64 {
    match term {
        Term::TypeSizeSlope | Term::CommunityTypeSizeSlope | Term::BuildingSizeSlope => {
            f.size_sqft.ln() - LOG_SIZE_CENTRE
        }
        _ => 1.0,
    }
}

/// Confidence tier of a subject: how well the model knows its building.
fn tier(building_sales: usize, has_building: bool) -> usize {
    match (has_building, building_sales) {
        (false, _) => 0,
        (true, 0) => 1,
        (true, 1..=2) => 2,
        (true, 3..=9) => 3,
        _ => 4,
    }
}
const TIERS: usize = 5;

/// A fitted hedonic model.
#[derive(Debug, Clone)]
pub struct Hedonic {
    intercept: f64,
    /// Per term: level key → (coefficient, training sales).
    effects: Vec<HashMap<String, (f64, usize)>>,
    /// 80% half-width of the log error per confidence tier (from cross-fitting).
    half_width: [f64; TIERS],
    /// Robust sd of the in-sample log residuals.
    pub residual_sd: f64,
}

/// One model estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// log AED/sqft.
    pub log_psf: f64,
    /// 80% half-width on the log scale (before any forecast uncertainty).
    pub half_width: f64,
    /// Training sales of the subject's building (0 when unknown or unnamed).
    pub building_sales: usize,
    /// Training sales of the subject's community × type.
    pub community_sales: usize,
}

impl Hedonic {
    /// Fits the model and calibrates its range by cross-fitting. `None` without sales.
    pub fn train(txns: &[&Transaction], index: &PriceIndex, cfg: &HedonicConfig) -> Option<Hedonic> {
        let mut model = Self::fit(txns, index, cfg)?;
        let fold = |t: &Transaction| id_hash(&t.txn_id) % 2;
        let last = txns.iter().map(|t| month_of(t.date)).max()?;
        let mut errors: [Vec<(f64, f64)>; TIERS] = Default::default();
        for k in 0..2 {
            let fit_on: Vec<&Transaction> = txns.iter().copied().filter(|t| fold(t) != k).collect();
            let Some(half) = Self::fit(&fit_on, index, cfg) else { continue };
            for t in txns.iter().filter(|t| fold(t) == k) {
                let f = Facts::of_sale(t);
                let Some(e) = half.predict_raw(&f, index) else { continue };
                let w = recency(last - f.month, cfg);
                errors[tier(e.building_sales, f.building.is_some())]
                    .push(((t.price_per_sqft().ln() - e.log_psf).abs(), w));
            }
        }
        let pooled: Vec<(f64, f64)> = errors.iter().flatten().copied().collect();
        let pooled_hw = if pooled.is_empty() { 0.25 } else { weighted_quantile(&pooled, cfg.range_quantile) };
        for (i, e) in errors.iter().enumerate() {
            // thin tiers borrow the pooled width
            model.half_width[i] = if e.len() >= 30 { weighted_quantile(e, cfg.range_quantile) } else { pooled_hw };
        }
        Some(model)
    }

    fn fit(txns: &[&Transaction], index: &PriceIndex, cfg: &HedonicConfig) -> Option<Hedonic> {
        let n = txns.len();
        if n == 0 {
            return None;
        }
        let facts: Vec<Facts<'_>> = txns.iter().map(|t| Facts::of_sale(t)).collect();
        let last = facts.iter().map(|f| f.month).max()?;
        let base: Vec<f64> = facts.iter().map(|f| index.log_level(f.community, f.month).0).collect();
        let y: Vec<f64> = txns.iter().zip(&base).map(|(t, b)| t.price_per_sqft().ln() - b).collect();
        let recency_w: Vec<f64> = facts.iter().map(|f| recency(last - f.month, cfg)).collect();

        // level ids per term, assigned in row order (deterministic sums)
        struct TermData {
            keys: Vec<String>,
            level: Vec<Option<usize>>,
            x: Vec<f64>,
            coef: Vec<f64>,
        }
        let mut terms: Vec<TermData> = TERMS
            .iter()
            .map(|&term| {
                let mut ids: HashMap<String, usize> = HashMap::new();
                let mut keys = Vec::new();
                let level = facts
                    .iter()
                    .map(|f| {
                        term_key(term, f).map(|k| {
                            *ids.entry(k.clone()).or_insert_with(|| {
                                keys.push(k);
                                keys.len() - 1
                            })
                        })
                    })
                    .collect();
                let x = facts.iter().map(|f| term_x(term, f)).collect();
                let coef = vec![0.0; keys.len()];
                TermData { keys, level, x, coef }
            })
            .collect();

        let mut w = recency_w.clone();
        let mut intercept = 0.0;
        let mut r: Vec<f64> = y.clone();
        let mut scale = 0.0;
        for sweep in 0..cfg.sweeps {
            // intercept
            let (sw, swr) = (0..n).fold((0.0, 0.0), |(a, b), i| (a + w[i], b + w[i] * r[i]));
            let d = swr / sw;
            intercept += d;
            r.iter_mut().for_each(|v| *v -= d);
            for (ti, td) in terms.iter_mut().enumerate() {
                let lambda = cfg.lambda[ti];
                let mut num = vec![0.0; td.keys.len()];
                let mut den = vec![0.0; td.keys.len()];
                for i in 0..n {
                    if let Some(l) = td.level[i] {
                        let x = td.x[i];
                        num[l] += w[i] * x * (r[i] + td.coef[l] * x);
                        den[l] += w[i] * x * x;
                    }
                }
                let new: Vec<f64> = (0..td.keys.len()).map(|l| num[l] / (den[l] + lambda)).collect();
                for i in 0..n {
                    if let Some(l) = td.level[i] {
                        r[i] -= (new[l] - td.coef[l]) * td.x[i];
                    }
                }
                td.coef = new;
            }
            // Huber weights from the current residuals (after the broad terms have settled)
            if sweep >= 5 && sweep % 5 == 0 {
                scale = robust_sd(&r);
                let cut = cfg.huber_k * scale.max(1e-6);
                for i in 0..n {
                    let a = r[i].abs();
                    w[i] = recency_w[i] * if a > cut { cut / a } else { 1.0 };
                }
            }
        }
        if scale == 0.0 {
            scale = robust_sd(&r);
        }
        let effects = terms
            .into_iter()
            .map(|td| {
                let mut counts = vec![0usize; td.keys.len()];
                for l in td.level.iter().flatten() {
                    counts[*l] += 1;
                }
                td.keys.into_iter().zip(td.coef.into_iter().zip(counts)).collect()
            })
            .collect();
        Some(Hedonic { intercept, effects, half_width: [0.25; TIERS], residual_sd: scale })
    }

    fn predict_raw(&self, f: &Facts<'_>, index: &PriceIndex) -> Option<Estimate> {
        let ct = term_key(Term::CommunityType, f)?;
        let community_sales = self.effects[0].get(&ct).map_or(0, |e| e.1);
        if community_sales == 0 {
            return None;
        }
        let mut lp = index.log_level(f.community, f.month).0 + self.intercept;
        let mut building_sales = 0;
        for (ti, &term) in TERMS.iter().enumerate() {
            if let Some(k) = term_key(term, f) {
                if let Some(&(c, n)) = self.effects[ti].get(&k) {
                    lp += c * term_x(term, f);
                    if term == Term::Building {
                        building_sales = n;
                    }
                }
            }
        }
        Some(Estimate { log_psf: lp, half_width: 0.0, building_sales, community_sales })
    }

    /// Estimated log AED/sqft with its calibrated 80% half-width; `None` when the community × type has no sales.
    pub fn predict(&self, f: &Facts<'_>, index: &PriceIndex) -> Option<Estimate> {
        let mut e = self.predict_raw(f, index)?;
        e.half_width = self.half_width[tier(e.building_sales, f.building.is_some())];
        Some(e)
    }

    /// The fitted coefficient of a term level (tests and explanations).
    pub fn coefficient(&self, term: Term, f: &Facts<'_>) -> Option<f64> {
        let ti = TERMS.iter().position(|&t| t == term)?;
        self.effects[ti].get(&term_key(term, f)?).map(|e| e.0)
    }

    pub fn half_widths(&self) -> [f64; TIERS] {
        self.half_width
    }
}

fn recency(age_months: Month, cfg: &HedonicConfig) -> f64 {
    (0.5f64.powf(f64::from(age_months.max(0)) / cfg.half_life_months)).max(cfg.min_weight)
}

fn robust_sd(r: &[f64]) -> f64 {
    crate::stats::mad_sd(r).max(1e-6)
}

/// Deterministic FNV-1a hash of a transaction id (cross-fitting folds).
fn id_hash(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}
