//! Same report as `aura eval valuation` (kept in step with `aura/src/eval.rs`) without building the whole
//! workspace: `cargo run -p valuation --release --example eval`.
//!
//! Original: `aura eval valuation`: the valuation engine against two baselines on the shipped transactions, on a time
//! split (train before the cutoff, test on every later non-bulk sale) and a random split within the test period.

use valuation::{EvalConfig, EvalReport, Metrics};

/// Share of the test period's non-bulk sales held out by the random split.
const RANDOM_TEST_PERCENT: u32 = 20;

fn main() {
    let test_from = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let (txns, _) = valuation::parse_transactions(include_str!("../../seeds/transactions.csv"));
    let (communities, _) = valuation::parse_communities(include_str!("../../seeds/communities.csv"));

    let time = valuation::evaluate_with(&txns, &communities, &EvalConfig::new(test_from));
    println!("time split: train before {test_from}, test on every later non-bulk sale");
    print_report(&time);

    let mut cfg = EvalConfig::new(test_from);
    cfg.random_test_percent = Some(RANDOM_TEST_PERCENT);
    let random = valuation::evaluate_with(&txns, &communities, &cfg);
    println!();
    println!(
        "random split: {RANDOM_TEST_PERCENT}% of the non-bulk sales from {test_from} (by id hash) held out, \
         trained on everything else"
    );
    print_report(&random);

    // quick valuation latency: the market built from every row, each held-out sale of the random split valued once
    let market = valuation::Market::new(txns.clone(), communities.clone());
    let mut micros: Vec<f64> = Vec::new();
    for t in txns.iter().filter(|t| !t.bulk && t.date >= test_from).step_by(5) {
        let subject = valuation::Subject::of_sale(t);
        let start = std::time::Instant::now();
        let _ = std::hint::black_box(market.value(&subject, &valuation::Options::default()));
        micros.push(start.elapsed().as_secs_f64() * 1e6);
    }
    micros.sort_by(f64::total_cmp);
    if !micros.is_empty() {
        let q = |p: f64| micros[((micros.len() - 1) as f64 * p).round() as usize] / 1000.0;
        println!();
        println!(
            "quick valuation latency over {} calls: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (goal p99 < 50 ms)",
            micros.len(),
            q(0.5),
            q(0.99),
            q(1.0)
        );
    }
}

fn print_report(r: &EvalReport) {
    let row = |name: &str, m: &Metrics| {
        println!(
            "{name:<18} {:>7.1}% {:>10.1}% {:>10.1}% {:>15.1}% {:>7}",
            m.mdape * 100.0,
            m.within_10 * 100.0,
            m.within_20 * 100.0,
            m.range_coverage * 100.0,
            m.n
        )
    };
    println!(
        "train {} rows, test {} rows, scored {} (engine only {}, baselines only {}, neither {})",
        r.train_rows, r.test_rows, r.scored_rows, r.engine_only_rows, r.baseline_only_rows, r.neither_rows
    );
    println!("{:<18} {:>8} {:>11} {:>11} {:>16} {:>7}", "", "MdAPE", "within 10%", "within 20%", "range coverage", "n");
    row("engine", &r.engine);
    row("building-first", &r.building_baseline);
    row("community median", &r.baseline);
    println!(
        "building-first used the building on {} of {} rows (>= {} sales in 12 months)",
        r.building_baseline_own,
        r.scored_rows,
        valuation::eval::BUILDING_MIN_SALES
    );
    println!(
        "ratio engine / building-first MdAPE: {:.2} (goal <= 0.85); engine / community median: {:.2}",
        r.engine.mdape / r.building_baseline.mdape,
        r.engine.mdape / r.baseline.mdape
    );
}
