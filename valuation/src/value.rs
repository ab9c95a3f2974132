//! The valuation itself: input validation, the fallback chain (comparables → wider time → any bedrooms →
//! community index × size → area level), the weighted estimate, a calibrated value range and the confidence score.

use chrono::NaiveDate;
use serde::Serialize;

use crate::adjust::{adjust, bedrooms_or_typical, Adjustment, Target};
use crate::community::{haversine_km, normalize, MatchKind};
use crate::comparables::{similarity, Filter, Probe};
use crate::data::{month_of, PropertyType, Transaction};
use crate::error::ValuationError;
use crate::forecast::Z80;
use crate::hedonic::Facts;
use crate::market::Market;
use crate::stats::{effective_n, weighted_quantile};

/// The property to value.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Subject {
    /// Community name, alias ("JVC") or address ("Dubai Marina, Marina Heights Tower").
    pub community: String,
    pub building: Option<String>,
    pub property_type: PropertyType,
    /// 0 = studio; `None` when unknown.
    pub bedrooms: Option<u8>,
    /// Validated but not used in the estimate: DLD sales do not record bathrooms.
    pub bathrooms: Option<u8>,
    pub size_sqft: f64,
    /// Optional exact position; used for the radius search instead of the community centre.
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub valuation_date: NaiveDate,
    /// Off-plan (not yet handed over) when known.
    pub offplan: Option<bool>,
}

impl Subject {
    /// The property a recorded sale was, valued as at its sale date (what hold-out evaluation asks).
    pub fn of_sale(t: &crate::data::Transaction) -> Subject {
        Subject {
            community: t.community.clone(),
            building: t.building.clone(),
            property_type: t.property_type,
            bedrooms: t.bedrooms,
            bathrooms: None,
            size_sqft: t.size_sqft,
            latitude: None,
            longitude: None,
            valuation_date: t.date,
            offplan: t.offplan,
        }
    }
}

/// Knobs of one valuation.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Options {
    /// How many comparables to use and show.
    pub comparable_count: usize,
    /// Also take comparables from other communities whose centre is within this distance.
    pub radius_km: Option<f64>,
    /// Look-back window for comparables at the first step of the fallback chain.
    pub time_frame_months: u32,
}

impl Default for Options {
    fn default() -> Self {
        Self { comparable_count: 6, radius_km: None, time_frame_months: 24 }
    }
}

/// A comparable with its weight in the estimate and its adjustments.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ComparableUsed {
    pub transaction: Transaction,
    /// 0..1; also the comparable's weight.
    pub similarity: f64,
    pub distance_km: f64,
    pub adjustments: Vec<Adjustment>,
    pub adjusted_price: f64,
}

/// How the estimate was made; `fallback_level` 0 is the best case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Level 0: comparables in the time frame, bedrooms ±1.
    Comparables,
    /// Level 1: comparables from a longer look-back.
    ComparablesWiderTime,
    /// Level 2: any bedroom count, wider size band.
    ComparablesAnyBedrooms,
    /// Level 3: the community × type index level × size (hedonic: size elasticity, bedrooms, building).
    CommunityIndex,
    /// Level 4: comparables or index levels of neighbouring communities.
    AreaLevel,
}

impl Method {
    pub fn fallback_level(self) -> u8 {
        match self {
            Method::Comparables => 0,
            Method::ComparablesWiderTime => 1,
            Method::ComparablesAnyBedrooms => 2,
            Method::CommunityIndex => 3,
            Method::AreaLevel => 4,
        }
    }
}

/// Which estimator produced the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Estimator {
    /// The hedonic regression (`hedonic`) blended with the adjusted comparables; the range is the model's
    /// cross-fitted error for the subject's tier.
    HedonicWithComparables,
    /// The hedonic regression alone (too few comparables).
    Hedonic,
    /// Adjusted comparables alone (the model does not know the community × type).
    Comparables,
    /// Community index level × size terms (no comparables, no model level).
    IndexLevel,
}

/// The result shown in a CMA.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Valuation {
    pub community: String,
    pub building: Option<String>,
    pub property_type: PropertyType,
    pub size_sqft: f64,
    pub valuation_date: NaiveDate,
    pub estimated_value: f64,
    /// 80% interval (about P10–P90) in AED.
    pub value_range: (f64, f64),
    pub price_per_sqft: f64,
    /// 0..1 from comparable count, similarity, dispersion and fallback level.
    pub confidence: f64,
    pub comparables: Vec<ComparableUsed>,
    pub method: Method,
    pub fallback_level: u8,
    pub estimator: Estimator,
    /// Plain-language notes (fallbacks taken, forecast use, ignored inputs).
    pub notes: Vec<String>,
}

const MIN_COMPS: usize = 3;
/// Fewest community × type sales for the hedonic model to value a subject without comparables.
const MODEL_MIN_COMMUNITY_SALES: usize = 10;
const MAX_SIZE_SQFT: f64 = 100_000.0;
const MAX_ROOMS: u8 = 20;
/// Area-level fallback: neighbouring communities within this distance (or sharing a parent area).
const AREA_KM: f64 = 5.0;

fn validate(s: &Subject, o: &Options) -> Result<(), ValuationError> {
    if !s.size_sqft.is_finite() || s.size_sqft <= 0.0 {
        return Err(ValuationError::invalid("size_sqft", format!("must be > 0, got {}", s.size_sqft)));
    }
    if s.size_sqft > MAX_SIZE_SQFT {
        return Err(ValuationError::invalid("size_sqft", format!("must be ≤ {MAX_SIZE_SQFT}, got {}", s.size_sqft)));
    }
    if s.bedrooms.is_some_and(|b| b > MAX_ROOMS) {
        return Err(ValuationError::invalid("bedrooms", format!("must be ≤ {MAX_ROOMS}")));
    }
    if s.bathrooms.is_some_and(|b| b > MAX_ROOMS) {
        return Err(ValuationError::invalid("bathrooms", format!("must be ≤ {MAX_ROOMS}")));
    }
    match (s.latitude, s.longitude) {
        (Some(lat), Some(lon)) => {
            if !(24.5..=25.6).contains(&lat) {
                return Err(ValuationError::invalid("latitude", format!("{lat} is outside Dubai (24.5–25.6)")));
            }
            if !(54.8..=56.0).contains(&lon) {
                return Err(ValuationError::invalid("longitude", format!("{lon} is outside Dubai (54.8–56.0)")));
            }
        }
        (None, None) => {}
        (Some(_), None) => return Err(ValuationError::invalid("longitude", "latitude given without longitude")),
        (None, Some(_)) => return Err(ValuationError::invalid("latitude", "longitude given without latitude")),
    }
    if o.comparable_count == 0 || o.comparable_count > 50 {
        return Err(ValuationError::invalid("comparable_count", "must be 1..=50"));
    }
    if o.radius_km.is_some_and(|r| !r.is_finite() || r <= 0.0 || r > 50.0) {
        return Err(ValuationError::invalid("radius_km", "must be in (0, 50]"));
    }
    if o.time_frame_months == 0 || o.time_frame_months > 600 {
        return Err(ValuationError::invalid("time_frame_months", "must be 1..=600"));
    }
    Ok(())
}

struct Ctx<'a> {
    community: String,
    building: Option<String>,
    subject: &'a Subject,
    center: Option<(f64, f64)>,
}

pub(crate) fn value(m: &Market, subject: &Subject, options: &Options) -> Result<Valuation, ValuationError> {
    validate(subject, options)?;
    let res = m.communities.resolve(&subject.community);
    let community = match res.match_kind {
        MatchKind::Exact | MatchKind::CaseInsensitive | MatchKind::Alias => res.community.clone().unwrap_or_default(),
        MatchKind::Ambiguous => {
            return Err(ValuationError::AmbiguousCommunity { input: res.input, candidates: res.suggestions })
        }
        MatchKind::Fuzzy | MatchKind::Unknown => {
            return Err(ValuationError::UnknownCommunity { input: res.input, suggestions: res.suggestions })
        }
    };
    let building = subject.building.clone().filter(|b| !b.trim().is_empty()).or(res.building.clone());
    let center = match (subject.latitude, subject.longitude) {
        (Some(a), Some(b)) => Some((a, b)),
        _ => m.communities.get(&community).and_then(|c| Some((c.lat?, c.lon?))),
    };
    let ctx = Ctx { community, building, subject, center };
    let mut notes = Vec::new();
    if subject.bathrooms.is_some() {
        notes.push("bathrooms are not used: DLD sales records do not include them".to_string());
    }
    let Some(index) = m.index.as_ref() else {
        return Err(insufficient(&ctx));
    };
    if month_of(subject.valuation_date) > index.last_data_month() {
        notes.push(format!(
            "valuation date is past the last sale in the data ({}); time adjustments use the index forecast",
            crate::data::month_label(index.last_data_month())
        ));
    }

    // communities searched at levels 0–2
    let mut home: Vec<(String, f64)> = vec![(ctx.community.clone(), 0.0)];
    if let Some(r) = options.radius_km {
        for (c, d) in m.neighbours(&ctx.community, ctx.center) {
            if d <= r {
                home.push((c, d));
            }
        }
    }
    let wide_time = (options.time_frame_months * 4).max(120);
    let steps = [
        (Method::Comparables, subject.bedrooms, 1.6, options.time_frame_months),
        (Method::ComparablesWiderTime, subject.bedrooms, 1.6, wide_time),
        (Method::ComparablesAnyBedrooms, None, 2.5, wide_time),
    ];
    for (method, beds, band, months) in steps {
        let f = Filter {
            property_type: subject.property_type,
            bedrooms: beds,
            size_band: band,
            valuation_date: subject.valuation_date,
            time_frame_months: months,
        };
        if let Some(v) = from_comparables(m, &ctx, options, &f, &home, method, &mut notes) {
            return Ok(v);
        }
    }
    if let Some(v) = from_index(m, &ctx, &ctx.community, Method::CommunityIndex, &mut notes) {
        return Ok(v);
    }
    // area level: neighbouring communities' comparables, then their index levels
    let area: Vec<(String, f64)> = m
        .neighbours(&ctx.community, ctx.center)
        .into_iter()
        .filter(|(c, d)| *d <= AREA_KM || m.same_parent_area(&ctx.community, c))
        .collect();
    if !area.is_empty() {
        let f = Filter {
            property_type: subject.property_type,
            bedrooms: None,
            size_band: 2.5,
            valuation_date: subject.valuation_date,
            time_frame_months: wide_time,
        };
        if let Some(v) = from_comparables(m, &ctx, options, &f, &area, Method::AreaLevel, &mut notes) {
            return Ok(v);
        }
        for (c, _) in &area {
            if let Some(v) = from_index(m, &ctx, c, Method::AreaLevel, &mut notes) {
                return Ok(v);
            }
        }
    }
    Err(insufficient(&ctx))
}

fn insufficient(ctx: &Ctx<'_>) -> ValuationError {
    ValuationError::InsufficientData {
        community: ctx.community.clone(),
        property_type: ctx.subject.property_type.as_str().to_string(),
    }
}

fn target<'a>(ctx: &'a Ctx<'a>) -> Target<'a> {
    Target {
        community: &ctx.community,
        building: ctx.building.as_deref(),
        property_type: ctx.subject.property_type,
        bedrooms: ctx.subject.bedrooms,
        size_sqft: ctx.subject.size_sqft,
        offplan: ctx.subject.offplan,
        month: month_of(ctx.subject.valuation_date),
    }
}

fn from_comparables(
    m: &Market,
    ctx: &Ctx<'_>,
    options: &Options,
    filter: &Filter,
    communities: &[(String, f64)],
    method: Method,
    notes: &mut Vec<String>,
) -> Option<Valuation> {
    let s = ctx.subject;
    let probe = Probe {
        building: ctx.building.as_deref(),
        bedrooms: s.bedrooms,
        size_sqft: s.size_sqft,
        valuation_date: s.valuation_date,
    };
    let mut cands: Vec<(&Transaction, f64, f64)> = Vec::new();
    for (c, dist) in communities {
        for t in m.sales(c, s.property_type) {
            if filter.accepts(t, s.size_sqft) {
                cands.push((t, similarity(&probe, t, *dist, &m.weights), *dist));
            }
        }
    }
    if cands.len() < MIN_COMPS {
        return None;
    }
    cands.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| b.0.date.cmp(&a.0.date)));
    cands.truncate(options.comparable_count.max(MIN_COMPS));
    let index = m.index.as_ref()?;
    let tg = target(ctx);
    let mut used = Vec::with_capacity(cands.len());
    let mut pairs = Vec::with_capacity(cands.len());
    let mut time_sd: f64 = 0.0;
    for (t, sim, dist) in cands {
        let (adjustments, adjusted) = adjust(t, &tg, &m.calibration, index);
        let (_, sd) = index.log_change(&t.community, &t.community, month_of(t.date), tg.month);
        time_sd = time_sd.max(sd);
        pairs.push((adjusted.ln(), sim));
        used.push(ComparableUsed {
            transaction: t.clone(),
            similarity: sim,
            distance_km: dist,
            adjustments,
            adjusted_price: adjusted,
        });
    }
    // the community index level acts as one extra, lightly weighted comparable (shrinks outlying comparable sets)
    let mut with_prior = pairs.clone();
    if m.tuning.prior_weight > 0.0 {
        if let Some((h, _)) = hedonic_log_price(m, ctx, &ctx.community) {
            with_prior.push((h, m.tuning.prior_weight));
        }
    }
    let comp_est = weighted_quantile(&with_prior, 0.5);
    let spread = (weighted_quantile(&pairs, 0.9) - weighted_quantile(&pairs, 0.1)) / (2.0 * Z80);
    let weights: Vec<f64> = pairs.iter().map(|p| p.1).collect();
    let k_eff = effective_n(&weights);
    let s_comp = spread.max(m.tuning.min_spread);
    let s_total = (s_comp * s_comp * (1.0 + 1.0 / k_eff.max(1.0)) + time_sd * time_sd).sqrt();
    let mean_sim = weights.iter().sum::<f64>() / weights.len() as f64;
    let level = method.fallback_level();
    let confidence =
        (1.0 - (-k_eff / 2.5).exp()) * mean_sim.sqrt().min(1.0) * (-2.5 * s_total).exp() * fallback_factor(level);
    match method {
        Method::Comparables => {}
        Method::ComparablesWiderTime => notes.push(format!(
            "fewer than {MIN_COMPS} comparables in the last {} months: look-back widened to {} months",
            options.time_frame_months, filter.time_frame_months
        )),
        Method::ComparablesAnyBedrooms => {
            notes.push("too few sales with ±1 bedrooms: any bedroom count, wider size band".to_string())
        }
        _ => notes.push(format!("too few sales in {}: neighbouring communities used", ctx.community)),
    }
    // the hedonic model sees every sale of the market; the comparables carry what it cannot (the unit itself)
    let (est, half_width, estimator) = match model_estimate(m, ctx) {
        Some((h, hw)) => {
            let a = m.tuning.hedonic_weight;
            (a * h + (1.0 - a) * comp_est, hw, Estimator::HedonicWithComparables)
        }
        None => (comp_est, Z80 * s_total, Estimator::Comparables),
    };
    let value = est.exp();
    Some(Valuation {
        community: ctx.community.clone(),
        building: ctx.building.clone(),
        property_type: s.property_type,
        size_sqft: s.size_sqft,
        valuation_date: s.valuation_date,
        estimated_value: round_aed(value),
        value_range: (round_aed((est - half_width).exp()), round_aed((est + half_width).exp())),
        price_per_sqft: (value / s.size_sqft * 100.0).round() / 100.0,
        confidence: confidence.clamp(0.0, 1.0),
        comparables: used,
        method,
        fallback_level: level,
        estimator,
        notes: std::mem::take(notes),
    })
}

fn fallback_factor(level: u8) -> f64 {
    [1.0, 0.85, 0.7, 0.5, 0.35][usize::from(level.min(4))]
}

fn round_aed(v: f64) -> f64 {
    (v / 1000.0).round() * 1000.0
}

/// Index-based value: community level × hedonic terms (size elasticity, bedrooms, building) × size.
fn from_index(
    m: &Market,
    ctx: &Ctx<'_>,
    level_community: &str,
    method: Method,
    notes: &mut Vec<String>,
) -> Option<Valuation> {
    let s = ctx.subject;
    let index = m.index.as_ref()?;
    let n = m.sales(level_community, s.property_type).count();
    // a community with a handful of sales keeps only part of its own level in the model (shrinkage towards the
    // market); its own index level is the better estimate there
    let model =
        if level_community == ctx.community && n >= MODEL_MIN_COMMUNITY_SALES { model_estimate(m, ctx) } else { None };
    let (est, half_width, sd, estimator) = match model {
        Some((h, hw)) => (h, hw, hw / Z80, Estimator::Hedonic),
        None => {
            let (est, time_sd) = hedonic_log_price(m, ctx, level_community)?;
            let sd = (index.obs_sd * index.obs_sd * 1.5 + time_sd * time_sd).sqrt();
            (est, Z80 * sd, sd, Estimator::IndexLevel)
        }
    };
    let level = method.fallback_level();
    let confidence = (1.0 - (-(n as f64) / 30.0).exp()) * (-2.5 * sd).exp() * fallback_factor(level);
    notes.push(if level_community == ctx.community {
        format!("too few comparables: {} × type index level ({n} sales) × size", ctx.community)
    } else {
        format!("no usable sales in {}: level of neighbouring {level_community} ({n} sales) × size", ctx.community)
    });
    let value = est.exp();
    Some(Valuation {
        community: ctx.community.clone(),
        building: ctx.building.clone(),
        property_type: s.property_type,
        size_sqft: s.size_sqft,
        valuation_date: s.valuation_date,
        estimated_value: round_aed(value),
        value_range: (round_aed((est - half_width).exp()), round_aed((est + half_width).exp())),
        price_per_sqft: (value / s.size_sqft * 100.0).round() / 100.0,
        confidence: confidence.clamp(0.0, 1.0),
        comparables: Vec::new(),
        method,
        fallback_level: level,
        estimator,
        notes: std::mem::take(notes),
    })
}

/// The hedonic model's log price for the subject and the range half-width (log scale): the model's cross-fitted
/// error for the subject's tier, widened by the index's forecast uncertainty past the last sale month.
fn model_estimate(m: &Market, ctx: &Ctx<'_>) -> Option<(f64, f64)> {
    let s = ctx.subject;
    let index = m.index.as_ref()?;
    let facts = Facts {
        community: &ctx.community,
        building: ctx.building.as_deref(),
        property_type: s.property_type,
        bedrooms: s.bedrooms,
        offplan: s.offplan,
        size_sqft: s.size_sqft,
        month: month_of(s.valuation_date),
    };
    let e = m.hedonic.as_ref()?.predict(&facts, index)?;
    let last = index.last_data_month();
    let (_, forecast_sd) = if facts.month > last {
        index.log_change(&ctx.community, &ctx.community, last, facts.month)
    } else {
        (0.0, 0.0)
    };
    let half_width = (e.half_width * e.half_width + (Z80 * forecast_sd).powi(2)).sqrt();
    Some((e.log_psf + s.size_sqft.ln(), half_width))
}

/// Log price from the calibrated hedonic terms: community × type index level at the valuation month, building
/// premium, size elasticity, bedrooms; with the index's time uncertainty.
fn hedonic_log_price(m: &Market, ctx: &Ctx<'_>, level_community: &str) -> Option<(f64, f64)> {
    let s = ctx.subject;
    let index = m.index.as_ref()?;
    let cal = &m.calibration;
    let ce = cal.community_effect(level_community, s.property_type)?;
    let (lvl, time_sd) = index.log_level(level_community, month_of(s.valuation_date));
    let (be, _) = if level_community == ctx.community {
        cal.building_effect(&ctx.community, ctx.building.as_deref())
    } else {
        (0.0, 0)
    };
    let lpsf = lvl
        + ce
        + be
        + cal.size_elasticity * s.size_sqft.ln()
        + cal.bedroom_step * bedrooms_or_typical(s.bedrooms, s.property_type);
    Some((lpsf + s.size_sqft.ln(), time_sd))
}

/// Distance in km from a point to a community's reference point (`None` without coordinates).
pub(crate) fn distance_from(center: Option<(f64, f64)>, lat: Option<f64>, lon: Option<f64>) -> Option<f64> {
    let (a, b) = center?;
    Some(haversine_km(a, b, lat?, lon?))
}

pub(crate) fn same_name(a: &str, b: &str) -> bool {
    normalize(a) == normalize(b)
}
