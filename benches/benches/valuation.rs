//! Latency of the valuation engine on the shipped data: one quick valuation (the work behind
//! `POST /api/v1/cma/valuation/quick`), and building the market at start-up.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use valuation::{Market, Options, PropertyType, Subject};

fn market() -> Market {
    let (txns, _) = valuation::parse_transactions(include_str!("../../seeds/transactions.csv"));
    let (communities, _) = valuation::parse_communities(include_str!("../../seeds/communities.csv"));
    Market::new(txns, communities)
}

fn benches(c: &mut Criterion) {
    let m = market();
    let subject = |community: &str, bedrooms: u8, size: f64| Subject {
        community: community.into(),
        building: None,
        property_type: PropertyType::Apartment,
        bedrooms: Some(bedrooms),
        bathrooms: None,
        size_sqft: size,
        latitude: None,
        longitude: None,
        valuation_date: chrono::NaiveDate::from_ymd_opt(2026, 3, 1).expect("date"),
        offplan: None,
    };
    let jvc = subject("JVC", 1, 750.0);
    c.bench_function("quick_valuation_jvc_1br", |b| b.iter(|| m.value(black_box(&jvc), &Options::default()).unwrap()));
    let marina = subject("Dubai Marina, Marina Heights Tower", 2, 1250.0);
    c.bench_function("quick_valuation_marina_2br_by_address", |b| {
        b.iter(|| m.value(black_box(&marina), &Options::default()).unwrap())
    });
    let mut group = c.benchmark_group("startup");
    group.sample_size(10);
    group.bench_function("build_market_13k_sales", |b| b.iter(market));
    group.finish();
}

criterion_group!(valuation_benches, benches);
criterion_main!(valuation_benches);
