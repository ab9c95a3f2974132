//! Tuning harness for the hedonic model: `cargo run -p valuation --release --example tune -- WEIGHT HALF_LIFE
//! L1,L2,... [QUANTILE [CG_ITERATIONS [HUBER_K]]]`; `SPLIT_FROM=2024-01-01` tests on that
//! year instead (validation) prints one line per split (MdAPE, within 10%, within 20%, coverage, n).

use valuation::{EvalConfig, HedonicConfig};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let test_from = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let (txns, _) = valuation::parse_transactions(include_str!("../../seeds/transactions.csv"));
    let (communities, _) = valuation::parse_communities(include_str!("../../seeds/communities.csv"));
    let mut hedonic = HedonicConfig::default();
    let mut cfg = EvalConfig::new(test_from);
    if let Some(w) = args.first() {
        cfg.tuning.hedonic_weight = w.parse().unwrap();
    }
    if let Some(h) = args.get(1) {
        hedonic.half_life_months = h.parse().unwrap();
    }
    if let Some(l) = args.get(2) {
        for (i, v) in l.split(',').enumerate() {
            hedonic.lambda[i] = v.parse().unwrap();
        }
    }
    if let Some(q) = args.get(3) {
        hedonic.range_quantile = q.parse().unwrap();
    }
    if let Some(v) = args.get(4) {
        hedonic.max_iterations = v.parse().unwrap();
    }
    if let Some(v) = args.get(5) {
        hedonic.huber_k = v.parse().unwrap();
    }
    if let Ok(v) = std::env::var("SPLIT_FROM") {
        // validation: an earlier period as the test period
        cfg.test_from = chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d").unwrap();
        cfg.test_until = cfg.test_from.checked_add_months(chrono::Months::new(12));
    }
    if std::env::var("DIAG").is_ok() {
        by_tier(&txns, &communities, &hedonic);
    }
    cfg.hedonic = hedonic;
    for random in [None, Some(20)] {
        let mut c = cfg.clone();
        c.random_test_percent = random;
        let r = valuation::evaluate_with(&txns, &communities, &c);
        let (e, b) = (&r.engine, &r.building_baseline);
        println!(
            "{:<6} engine {:.1}% w10 {:.1}% w20 {:.1}% cov {:.1}% n {} | bfirst {:.1}% ratio {:.2}",
            if random.is_some() { "random" } else { "time" },
            e.mdape * 100.0,
            e.within_10 * 100.0,
            e.within_20 * 100.0,
            e.range_coverage * 100.0,
            e.n,
            b.mdape * 100.0,
            e.mdape / b.mdape
        );
    }
}

/// Within-10% and MdAPE of the random split by the subject building's training sales (diagnostics).
#[allow(dead_code)]
pub fn by_tier(txns: &[valuation::Transaction], communities: &[valuation::Community], hedonic: &HedonicConfig) {
    let hash = |id: &str| {
        id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
    };
    let from = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let is_test = |t: &valuation::Transaction| !t.bulk && t.date >= from && hash(&t.txn_id) % 100 < 20;
    let train: Vec<_> = txns.iter().filter(|t| !is_test(t)).cloned().collect();
    let market = valuation::Market::new_with(train, communities.to_vec(), hedonic);
    let mut rows: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
    for t in txns.iter().filter(|t| is_test(t)) {
        let Ok(v) = market.value(&valuation::Subject::of_sale(t), &valuation::Options::default()) else { continue };
        let f = valuation::hedonic::Facts::of_sale(t);
        let bs = market
            .hedonic()
            .and_then(|h| h.predict(&f, market.index_for_diagnostics()?))
            .map_or(0, |e| e.building_sales);
        let tier = match (t.building.is_some(), bs) {
            (false, _) => "no building",
            (true, 0) => "0",
            (true, 1..=2) => "1-2",
            (true, 3..=9) => "3-9",
            (true, 10..=29) => "10-29",
            _ => "30+",
        };
        rows.entry(format!("{tier} {}", t.property_type.as_str()))
            .or_default()
            .push((v.estimated_value / t.price_aed - 1.0).abs());
    }
    for (k, mut v) in rows {
        v.sort_by(f64::total_cmp);
        let w10 = v.iter().filter(|&&e| e <= 0.1).count() as f64 / v.len() as f64;
        println!("{k:<28} n {:>4} mdape {:.1}% w10 {:.1}%", v.len(), v[v.len() / 2] * 100.0, w10 * 100.0);
    }
}
