//! Per-comparable adjustments (time, location, building, size, bedrooms, off-plan), each with a reason and an AED
//! amount, and the calibration of their rates from the market's own transactions (hedonic effects on log AED/sqft).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::community::normalize;
use crate::data::{month_of, PropertyType, Transaction};
use crate::index::PriceIndex;
use crate::stats::median;

/// What an adjustment corrects for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentKind {
    Time,
    Location,
    Building,
    Size,
    Bedrooms,
    Offplan,
}

/// One adjustment of a comparable's price towards the subject.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Adjustment {
    pub kind: AdjustmentKind,
    pub reason: String,
    pub amount_aed: f64,
}

/// Rates estimated from the transactions (log AED/sqft scale).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Calibration {
    /// d log(AED/sqft) / d log(size) within a community, type and bedroom count (negative: big units cost less per
    /// sqft).
    pub size_elasticity: f64,
    /// log AED/sqft change per extra bedroom at equal size.
    pub bedroom_step: f64,
    /// log AED/sqft of off-plan minus ready in the same building, bedrooms and year.
    pub offplan_premium: f64,
    /// Level of each community × type (time-adjusted to the index base, at 1 sqft and 0 bedrooms).
    #[serde(skip)]
    pub community_effect: HashMap<(String, PropertyType), f64>,
    /// Building premium over its community × type, shrunk towards 0 for buildings with few sales.
    #[serde(skip)]
    pub building_effect: HashMap<(String, String), (f64, usize)>,
}

/// Building key: normalized community and building names.
pub fn building_key(community: &str, building: &str) -> (String, String) {
    (normalize(community), normalize(building))
}

fn typical_bedrooms(pt: PropertyType) -> f64 {
    match pt {
        PropertyType::Villa => 3.0,
        _ => 1.0,
    }
}

/// Bedrooms used by the hedonic terms (a typical count when unknown).
pub fn bedrooms_or_typical(b: Option<u8>, pt: PropertyType) -> f64 {
    b.map(f64::from).unwrap_or_else(|| typical_bedrooms(pt))
}

const BUILDING_SHRINK: f64 = 3.0;

/// (community, building, bedrooms, year) for off-plan vs ready pairs.
type PairKey = (String, String, Option<u8>, i32);

impl Calibration {
    /// Estimates every rate from (non-bulk) transactions, with time removed through the index.
    pub fn estimate(txns: &[&Transaction], index: &PriceIndex) -> Calibration {
        // time-adjusted log AED/sqft
        let a: Vec<f64> =
            txns.iter().map(|t| t.price_per_sqft().ln() - index.log_level(&t.community, month_of(t.date)).0).collect();
        let ls: Vec<f64> = txns.iter().map(|t| t.size_sqft.ln()).collect();

        // size elasticity: pooled within-cell slope
        // ordered maps: float sums must not depend on hash order (same input, same output)
        let mut cells: BTreeMap<(&str, PropertyType, Option<u8>), Vec<usize>> = BTreeMap::new();
        for (i, t) in txns.iter().enumerate() {
            cells.entry((t.community.as_str(), t.property_type, t.bedrooms)).or_default().push(i);
        }
        let (mut sxy, mut sxx) = (0.0, 0.0);
        for idx in cells.values().filter(|v| v.len() >= 5) {
            let n = idx.len() as f64;
            let mx = idx.iter().map(|&i| ls[i]).sum::<f64>() / n;
            let my = idx.iter().map(|&i| a[i]).sum::<f64>() / n;
            for &i in idx {
                // clip residuals so a few mis-keyed sizes do not drive the slope
                let dy = (a[i] - my).clamp(-0.7, 0.7);
                sxy += (ls[i] - mx) * dy;
                sxx += (ls[i] - mx).powi(2);
            }
        }
        let size_elasticity = if sxx > 1.0 { (sxy / sxx).clamp(-0.6, 0.0) } else { -0.25 };

        // bedroom step: adjacent bedroom counts within a community × type, at equal size
        let q: Vec<f64> = (0..txns.len()).map(|i| a[i] - size_elasticity * ls[i]).collect();
        let mut by_ct: BTreeMap<(&str, PropertyType), BTreeMap<u8, Vec<f64>>> = BTreeMap::new();
        for (i, t) in txns.iter().enumerate() {
            if let Some(b) = t.bedrooms {
                by_ct.entry((t.community.as_str(), t.property_type)).or_default().entry(b).or_default().push(q[i]);
            }
        }
        let mut steps: Vec<(f64, f64)> = Vec::new();
        for by_b in by_ct.values() {
            for (b, v) in by_b {
                if let Some(w) = by_b.get(&(b + 1)) {
                    if v.len() >= 3 && w.len() >= 3 {
                        steps.push((median(w) - median(v), v.len().min(w.len()) as f64));
                    }
                }
            }
        }
        let sw: f64 = steps.iter().map(|s| s.1).sum();
        let bedroom_step =
            if sw > 0.0 { (steps.iter().map(|s| s.0 * s.1).sum::<f64>() / sw).clamp(-0.15, 0.15) } else { 0.0 };

        // community × type effect
        let r: Vec<f64> = (0..txns.len())
            .map(|i| q[i] - bedroom_step * bedrooms_or_typical(txns[i].bedrooms, txns[i].property_type))
            .collect();
        let mut ct: HashMap<(String, PropertyType), Vec<f64>> = HashMap::new();
        for (i, t) in txns.iter().enumerate() {
            ct.entry((t.community.clone(), t.property_type)).or_default().push(r[i]);
        }
        let community_effect: HashMap<(String, PropertyType), f64> =
            ct.into_iter().map(|(k, v)| (k, median(&v))).collect();

        // building effect, shrunk
        let mut bl: HashMap<(String, String), Vec<f64>> = HashMap::new();
        for (i, t) in txns.iter().enumerate() {
            if let Some(b) = &t.building {
                let ce = community_effect[&(t.community.clone(), t.property_type)];
                bl.entry(building_key(&t.community, b)).or_default().push(r[i] - ce);
            }
        }
        let building_effect = bl
            .into_iter()
            .map(|(k, v)| {
                let n = v.len();
                (k, (median(&v) * n as f64 / (n as f64 + BUILDING_SHRINK), n))
            })
            .collect();

        // off-plan vs ready in the same building, bedrooms and year
        let mut pairs: HashMap<PairKey, [Vec<f64>; 2]> = HashMap::new();
        for (i, t) in txns.iter().enumerate() {
            if let (Some(b), Some(op)) = (&t.building, t.offplan) {
                let (c, bn) = building_key(&t.community, b);
                pairs.entry((c, bn, t.bedrooms, month_of(t.date) / 12)).or_default()[usize::from(op)].push(a[i]);
            }
        }
        let diffs: Vec<f64> = pairs
            .values()
            .filter(|p| !p[0].is_empty() && !p[1].is_empty())
            .map(|p| median(&p[1]) - median(&p[0]))
            .collect();
        let offplan_premium = if diffs.len() >= 5 { median(&diffs).clamp(-0.15, 0.15) } else { 0.0 };

        Calibration { size_elasticity, bedroom_step, offplan_premium, community_effect, building_effect }
    }

    pub fn community_effect(&self, community: &str, pt: PropertyType) -> Option<f64> {
        self.community_effect.get(&(community.to_string(), pt)).copied()
    }

    pub fn building_effect(&self, community: &str, building: Option<&str>) -> (f64, usize) {
        building.and_then(|b| self.building_effect.get(&building_key(community, b)).copied()).unwrap_or((0.0, 0))
    }
}

/// The subject facts the adjustments need.
#[derive(Debug, Clone)]
pub struct Target<'a> {
    pub community: &'a str,
    pub building: Option<&'a str>,
    pub property_type: PropertyType,
    pub bedrooms: Option<u8>,
    pub size_sqft: f64,
    pub offplan: Option<bool>,
    pub month: crate::data::Month,
}

fn pct(x: f64) -> String {
    format!("{:+.1}%", (x.exp() - 1.0) * 100.0)
}

/// Adjusts one comparable to the subject. Returns the adjustments (applied in order, each amount on the running
/// price) and the adjusted price; amounts sum to adjusted − sale price.
pub fn adjust(
    comp: &Transaction,
    target: &Target<'_>,
    cal: &Calibration,
    index: &PriceIndex,
) -> (Vec<Adjustment>, f64) {
    let mut out = Vec::new();
    let mut price = comp.price_aed;
    let mut apply = |kind: AdjustmentKind, log_change: f64, reason: String, out: &mut Vec<Adjustment>| {
        if log_change.abs() < 1e-9 {
            return;
        }
        let new = price * log_change.exp();
        out.push(Adjustment { kind, reason, amount_aed: new - price });
        price = new;
    };

    // time: the comparable's own community index from its sale month to the valuation month
    let cm = month_of(comp.date);
    let (dt, _) = index.log_change(&comp.community, &comp.community, cm, target.month);
    if cm != target.month {
        let past =
            if target.month > index.last_data_month() { " (index forecast past the last sale data)" } else { "" };
        apply(
            AdjustmentKind::Time,
            dt,
            format!(
                "{} index moved {} from {} to {}{past}",
                comp.community,
                pct(dt),
                crate::data::month_label(cm),
                crate::data::month_label(target.month)
            ),
            &mut out,
        );
    }

    // location: community level difference (only for comparables from another community)
    if normalize(&comp.community) != normalize(target.community) {
        if let (Some(cs), Some(cc)) = (
            cal.community_effect(target.community, target.property_type),
            cal.community_effect(&comp.community, comp.property_type),
        ) {
            let ds =
                index.log_level(target.community, target.month).0 - index.log_level(&comp.community, target.month).0;
            let d = cs - cc + ds;
            apply(
                AdjustmentKind::Location,
                d,
                format!("{} trades {} against {} (same type, size, time)", target.community, pct(d), comp.community),
                &mut out,
            );
        }
    }

    // building premium: subject building vs comparable building
    let same_building = match (target.building, comp.building.as_deref()) {
        (Some(s), Some(c)) => normalize(s) == normalize(c),
        _ => false,
    };
    if !same_building && target.building.is_some() {
        let (es, ns) = cal.building_effect(target.community, target.building);
        let (ec, nc) = cal.building_effect(&comp.community, comp.building.as_deref());
        let d = es - ec;
        let sb = target.building.unwrap_or("");
        let cb = comp.building.as_deref().unwrap_or("an unnamed building");
        apply(
            AdjustmentKind::Building,
            d,
            format!("{sb} ({ns} sales) vs {cb} ({nc} sales): building premium {}", pct(d)),
            &mut out,
        );
    }

    // size: price per sqft falls with size (elasticity), then scale to the subject's area
    let lr = (target.size_sqft / comp.size_sqft).ln();
    if lr.abs() > 1e-9 {
        let d = (1.0 + cal.size_elasticity) * lr;
        apply(
            AdjustmentKind::Size,
            d,
            format!(
                "{:.0} vs {:.0} sqft: AED/sqft elasticity {:.2} gives {} AED/sqft, {} price",
                target.size_sqft,
                comp.size_sqft,
                cal.size_elasticity,
                pct(cal.size_elasticity * lr),
                pct(d)
            ),
            &mut out,
        );
    }

    // bedrooms at equal size
    if let (Some(sb), Some(cb)) = (target.bedrooms, comp.bedrooms) {
        if sb != cb {
            let d = cal.bedroom_step * (f64::from(sb) - f64::from(cb));
            apply(AdjustmentKind::Bedrooms, d, format!("{sb} vs {cb} bedrooms at equal size: {}", pct(d)), &mut out);
        }
    }

    // off-plan vs ready
    if let (Some(so), Some(co)) = (target.offplan, comp.offplan) {
        if so != co {
            let d = if so { cal.offplan_premium } else { -cal.offplan_premium };
            let what = if co { "off-plan sale, subject ready" } else { "ready sale, subject off-plan" };
            apply(AdjustmentKind::Offplan, d, format!("{what}: {}", pct(d)), &mut out);
        }
    }
    (out, price)
}
