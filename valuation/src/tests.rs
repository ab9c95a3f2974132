//! Unit tests of the whole flow on constructed markets (adjustment signs and sizes, the fallback chain, input
//! validation, bulk exclusion, pricing, trends) and a smoke test on the real seeds.

use chrono::NaiveDate;

use crate::adjust::{adjust, AdjustmentKind, Calibration, Target};
use crate::data::{month_of, parse_communities, parse_transactions, Community, PropertyType, Transaction};
use crate::{Market, MatchKind, Method, Options, Subject, ValuationError};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn community(name: &str, aliases: &[&str], lat: f64, lon: f64) -> Community {
    Community {
        name: name.into(),
        aliases: aliases.iter().map(|s| s.to_string()).collect(),
        dld_area_aliases: vec![name.to_uppercase()],
        lat: Some(lat),
        lon: Some(lon),
        coord_source: "test".into(),
        parent_area: None,
    }
}

/// Dubai Marina: 2022-01..2023-12, prices +1%/month, AED/sqft elasticity −0.2, "Marina Heights" 10% above
/// "Other Tower", deterministic ±5% noise. JBR next door has no sales; Arjan (far away) has two.
fn market() -> Market {
    let mut v = Vec::new();
    let mut i = 0;
    for k in 0..24 {
        for (building, prem) in [("Marina Heights", 1.10), ("Other Tower", 1.0)] {
            for beds in [1u8, 2, 3] {
                i += 1;
                let size = 600.0 + 450.0 * f64::from(beds) + f64::from((i * 53) % 200);
                let noise = 1.0 + f64::from((i * 37) % 11 - 5) / 100.0;
                let psf = 1500.0 * 1.01f64.powi(k) * (size / 1000.0).powf(-0.2) * prem * noise;
                v.push(Transaction {
                    txn_id: format!("t{i}"),
                    date: d(2022 + k / 12, (k % 12 + 1) as u32, 10),
                    community: "Dubai Marina".into(),
                    building: Some(building.into()),
                    property_type: PropertyType::Apartment,
                    bedrooms: Some(beds),
                    size_sqft: size,
                    price_aed: (psf * size).round(),
                    offplan: Some(k % 3 == 0),
                    bulk: false,
                });
            }
        }
    }
    // a developer bulk registration at an absurd price: must never be a comparable
    for j in 0..5 {
        v.push(Transaction {
            txn_id: format!("bulk{j}"),
            date: d(2023, 12, 1),
            community: "Dubai Marina".into(),
            building: Some("Marina Heights".into()),
            property_type: PropertyType::Apartment,
            bedrooms: Some(2),
            size_sqft: 1400.0,
            price_aed: 100_000.0,
            offplan: Some(true),
            bulk: true,
        });
    }
    for (j, size) in [800.0, 900.0].into_iter().enumerate() {
        v.push(Transaction {
            txn_id: format!("arjan{j}"),
            date: d(2023, 6, 1),
            community: "Arjan".into(),
            building: None,
            property_type: PropertyType::Apartment,
            bedrooms: Some(1),
            size_sqft: size,
            price_aed: size * 1000.0,
            offplan: Some(false),
            bulk: false,
        });
    }
    Market::new(
        v,
        vec![
            community("Dubai Marina", &["Marina"], 25.08286, 55.14475),
            community("Jumeirah Beach Residence (JBR)", &["JBR"], 25.07715, 55.13476),
            community("Arjan", &[], 25.06219, 55.2414),
            community("Palm Jebel Ali", &[], 24.98644, 55.06295),
        ],
    )
}

fn subject(community: &str, beds: Option<u8>, size: f64, date: NaiveDate) -> Subject {
    Subject {
        community: community.into(),
        building: Some("Marina Heights".into()),
        property_type: PropertyType::Apartment,
        bedrooms: beds,
        bathrooms: None,
        size_sqft: size,
        latitude: None,
        longitude: None,
        valuation_date: date,
        offplan: Some(false),
    }
}

fn comp(date: NaiveDate, building: &str, beds: u8, size: f64, offplan: bool) -> Transaction {
    Transaction {
        txn_id: "c".into(),
        date,
        community: "Dubai Marina".into(),
        building: Some(building.into()),
        property_type: PropertyType::Apartment,
        bedrooms: Some(beds),
        size_sqft: size,
        price_aed: 1_500_000.0,
        offplan: Some(offplan),
        bulk: false,
    }
}

#[test]
fn calibration_recovers_the_constructed_rates() {
    let m = market();
    let c = m.calibration();
    assert!((c.size_elasticity + 0.2).abs() < 0.08, "elasticity {}", c.size_elasticity);
    let (heights, _) = c.building_effect("Dubai Marina", Some("Marina Heights"));
    let (other, _) = c.building_effect("Dubai Marina", Some("other tower"));
    assert!((heights - other - 0.095).abs() < 0.04, "{heights} {other}");
}

#[test]
fn adjustment_signs_and_sizes() {
    let m = market();
    let index = m.index().unwrap();
    let cal =
        Calibration { size_elasticity: -0.2, bedroom_step: 0.05, offplan_premium: -0.05, ..m.calibration().clone() };
    let t = Target {
        community: "Dubai Marina",
        building: Some("Marina Heights"),
        property_type: PropertyType::Apartment,
        bedrooms: Some(2),
        size_sqft: 1000.0,
        offplan: Some(false),
        month: month_of(d(2023, 12, 15)),
    };
    let find = |adj: &[crate::Adjustment], k: AdjustmentKind| adj.iter().find(|a| a.kind == k).map(|a| a.amount_aed);

    // a year older in a rising market: time adjustment up by about 12%
    let (adj, price) = adjust(&comp(d(2022, 12, 10), "Marina Heights", 2, 1000.0, false), &t, &cal, index);
    let time = find(&adj, AdjustmentKind::Time).unwrap();
    assert!(time > 0.08 * 1.5e6 && time < 0.17 * 1.5e6, "time {time}");
    assert!(find(&adj, AdjustmentKind::Size).is_none() && find(&adj, AdjustmentKind::Building).is_none());
    assert!((price - 1.5e6 - adj.iter().map(|a| a.amount_aed).sum::<f64>()).abs() < 1e-6, "amounts add up");

    // twice the size: price falls, but by less than linear scaling (AED/sqft is higher for the smaller unit)
    let (adj, price) = adjust(&comp(d(2023, 12, 10), "Marina Heights", 2, 2000.0, false), &t, &cal, index);
    let size = find(&adj, AdjustmentKind::Size).unwrap();
    assert!(size < 0.0);
    assert!((price / 1.5e6 - 0.5f64.powf(0.8)).abs() < 1e-9, "elasticity, not linear: {}", price / 1.5e6);

    // other, cheaper building: adjusted up; fewer bedrooms at equal size: up by the bedroom step; off-plan comp
    // for a ready subject: up by the off-plan discount
    let (adj, _) = adjust(&comp(d(2023, 12, 10), "Other Tower", 1, 1000.0, true), &t, &cal, index);
    assert!(find(&adj, AdjustmentKind::Building).unwrap() > 0.05 * 1.5e6);
    let beds = find(&adj, AdjustmentKind::Bedrooms).unwrap();
    assert!(beds > 0.0);
    let off = find(&adj, AdjustmentKind::Offplan).unwrap();
    assert!(off > 0.0);
    assert!(adj.iter().all(|a| !a.reason.is_empty()));
}

#[test]
fn values_from_same_building_comparables() {
    let m = market();
    let v = m.value(&subject("marina", Some(2), 1400.0, d(2023, 12, 20)), &Options::default()).unwrap();
    assert_eq!(v.community, "Dubai Marina");
    assert_eq!(v.method, Method::Comparables);
    assert_eq!(v.fallback_level, 0);
    assert_eq!(v.comparables.len(), 6);
    // true value: 1500 · 1.01^23 · 1.4^-0.2 · 1.1 · 1400 ≈ 2.68 M
    let truth = 1500.0 * 1.01f64.powi(23) * 1.4f64.powf(-0.2) * 1.1 * 1400.0;
    assert!((v.estimated_value / truth - 1.0).abs() < 0.06, "{} vs {truth}", v.estimated_value);
    assert!(v.value_range.0 < v.estimated_value && v.estimated_value < v.value_range.1);
    assert!(v.confidence > 0.3 && v.confidence <= 1.0, "{}", v.confidence);
    assert!(v.comparables.iter().all(|c| !c.transaction.bulk), "bulk registrations excluded");
    assert!(v.comparables.iter().all(|c| c.transaction.building.as_deref() == Some("Marina Heights")));
}

#[test]
fn fallback_chain() {
    let m = market();
    let o = Options { time_frame_months: 6, ..Options::default() };
    // level 0 within six months
    assert_eq!(m.value(&subject("Dubai Marina", Some(2), 1400.0, d(2024, 1, 15)), &o).unwrap().fallback_level, 0);
    // two years later nothing is within six months: the look-back widens
    let v = m.value(&subject("Dubai Marina", Some(2), 1400.0, d(2026, 1, 15)), &o).unwrap();
    assert_eq!((v.method, v.fallback_level), (Method::ComparablesWiderTime, 1));
    assert!(v.notes.iter().any(|n| n.contains("look-back")));
    // 6 bedrooms: nobody within ±1 bedroom, any bedroom count is used
    let v = m.value(&subject("Dubai Marina", Some(6), 2000.0, d(2024, 1, 15)), &o).unwrap();
    assert_eq!(v.fallback_level, 2);
    // Arjan has two sales: below the comparable minimum, the community index × size is used
    let mut s = subject("Arjan", Some(1), 850.0, d(2023, 7, 1));
    s.building = None;
    let v = m.value(&s, &o).unwrap();
    assert_eq!((v.method, v.fallback_level), (Method::CommunityIndex, 3));
    assert!(v.comparables.is_empty());
    assert!((v.price_per_sqft / 1000.0 - 1.0).abs() < 0.1, "{}", v.price_per_sqft);
    // JBR has no sales at all: area level from the Marina next door
    let v = m.value(&subject("JBR", Some(2), 1400.0, d(2024, 1, 15)), &o).unwrap();
    assert_eq!((v.method, v.fallback_level), (Method::AreaLevel, 4));
    assert!(v.comparables.iter().all(|c| c.transaction.community == "Dubai Marina"));
    assert!(v.confidence < m.value(&subject("Dubai Marina", Some(2), 1400.0, d(2024, 1, 15)), &o).unwrap().confidence);
    // nothing anywhere near Palm Jebel Ali
    let err = m.value(&subject("Palm Jebel Ali", Some(2), 1400.0, d(2024, 1, 15)), &o).unwrap_err();
    assert!(matches!(err, ValuationError::InsufficientData { .. }), "{err:?}");
}

#[test]
fn radius_brings_in_neighbours() {
    let m = market();
    let o = Options { radius_km: Some(2.0), ..Options::default() };
    let v = m.value(&subject("JBR", Some(2), 1400.0, d(2024, 1, 15)), &o).unwrap();
    assert_eq!(v.fallback_level, 0);
    assert!(v.comparables.iter().all(|c| c.distance_km > 0.5 && c.distance_km < 2.0));
    assert!(v.comparables[0].adjustments.iter().any(|a| a.kind == AdjustmentKind::Time));
}

#[test]
fn input_validation_names_the_field() {
    let m = market();
    let o = Options::default();
    let field = |s: &Subject, o: &Options| match m.value(s, o) {
        Err(ValuationError::InvalidInput { field, .. }) => field,
        other => panic!("{other:?}"),
    };
    let base = subject("Dubai Marina", Some(2), 1400.0, d(2024, 1, 15));
    for size in [0.0, -5.0, 100_001.0, f64::NAN] {
        assert_eq!(field(&Subject { size_sqft: size, ..base.clone() }, &o), "size_sqft");
    }
    assert_eq!(field(&Subject { bedrooms: Some(21), ..base.clone() }, &o), "bedrooms");
    assert_eq!(field(&Subject { bathrooms: Some(30), ..base.clone() }, &o), "bathrooms");
    assert_eq!(field(&Subject { latitude: Some(25.1), ..base.clone() }, &o), "longitude");
    assert_eq!(field(&Subject { latitude: Some(40.0), longitude: Some(55.1), ..base.clone() }, &o), "latitude");
    assert_eq!(field(&base, &Options { comparable_count: 0, ..o.clone() }), "comparable_count");
    assert_eq!(field(&base, &Options { radius_km: Some(-1.0), ..o.clone() }), "radius_km");
    match m.value(&Subject { community: "Dubai Marnia".into(), ..base.clone() }, &o) {
        Err(ValuationError::UnknownCommunity { suggestions, .. }) => assert_eq!(suggestions[0], "Dubai Marina"),
        other => panic!("{other:?}"),
    }
    assert!(m.value(&Subject { size_sqft: 100_000.0, ..base }, &o).is_ok());
}

#[test]
fn pricing_orders_prices_and_judges_asking() {
    let m = market();
    let v = m.value(&subject("Dubai Marina", Some(2), 1400.0, d(2023, 12, 20)), &Options::default()).unwrap();
    let p = m.pricing(&v, Some(v.value_range.1 * 1.2));
    assert!(p.quick_sale.price_aed < p.market.price_aed && p.market.price_aed < p.premium.price_aed);
    assert_eq!(p.asking.as_ref().unwrap().position, "above_range");
    assert!(p.evidence.len() >= 3);
    let p = m.pricing(&v, Some(v.estimated_value));
    assert_eq!(p.asking.unwrap().position, "within_range");
}

#[test]
fn trends_with_forecast() {
    let m = market();
    let t = m.trends("marina", PropertyType::Apartment, 6).unwrap();
    assert_eq!(t.points.len(), 24);
    assert_eq!(t.forecast.points.len(), 6);
    assert_eq!(t.forecast.points[0].month, "2024-01");
    let yoy = t.yoy_change.unwrap();
    assert!((yoy - 0.127).abs() < 0.04, "{yoy}");
    let f = &t.forecast.points[5];
    assert!(f.low < f.value && f.value < f.high);
    assert!(t.backtest_mape.unwrap() < 0.1);
    assert!(matches!(
        m.trends("Nowhere Land", PropertyType::Apartment, 6),
        Err(ValuationError::UnknownCommunity { .. })
    ));
}

#[test]
fn real_seeds_resolve_and_value() {
    let (t, te) = parse_transactions(include_str!("../../seeds/transactions.csv"));
    let (c, ce) = parse_communities(include_str!("../../seeds/communities.csv"));
    assert!(te.is_empty() && ce.is_empty());
    assert_eq!(t.len(), 13_224);
    assert_eq!(c.len(), 64);
    let m = Market::new(t, c);
    let r = m.resolve("JVC");
    assert_eq!((r.community.as_deref(), r.match_kind), (Some("Jumeirah Village Circle (JVC)"), MatchKind::Alias));
    assert_eq!(m.resolve("jumeirah lakes towers").community.as_deref(), Some("Jumeirah Lake Towers (JLT)"));
    assert_eq!(m.resolve("MARSA DUBAI").community.as_deref(), Some("Dubai Marina"));
    assert_eq!(m.resolve("Villanova").community.as_deref(), Some("Villanova"), "transaction-only community");
    let r = m.resolve("Dubai Marina, Marina Heights Tower");
    assert_eq!((r.community.as_deref(), r.building.as_deref()), (Some("Dubai Marina"), Some("Marina Heights Tower")));
    let mut s = subject("JVC", Some(1), 750.0, d(2026, 3, 20));
    s.building = Some("Binghatti Phoenix".into());
    s.offplan = None;
    let v = m.value(&s, &Options::default()).unwrap();
    assert_eq!(v.fallback_level, 0);
    assert!(v.price_per_sqft > 900.0 && v.price_per_sqft < 2500.0, "{}", v.price_per_sqft);
    let tr = m.trends("JVC", PropertyType::Apartment, 12).unwrap();
    assert_eq!(tr.forecast.points.len(), 12);
}
