//! Loading market data into a store: the shipped seeds (compiled into the binary, so a fresh
//! database gets them wherever the server starts) and transaction CSVs users import.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use store::domain::{CommunityRow, Domain, SnapshotRow, TransactionRow};

const COMMUNITIES_CSV: &str = include_str!("../../seeds/communities.csv");
const TRANSACTIONS_CSV: &str = include_str!("../../seeds/transactions.csv");

/// Rows of an import that could not be read, by CSV line.
#[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct RowError {
    pub line: u64,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct ImportReport {
    pub rows: u64,
    pub inserted: u64,
    pub duplicates: u64,
    pub errors: Vec<RowError>,
}

/// Parses the communities seed (name, aliases, dld_area_aliases, lat, lon, coord_source, …).
pub fn parse_communities(text: &str) -> Result<Vec<CommunityRow>, String> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| e.to_string())?.clone();
    let col = |name: &str| {
        headers.iter().position(|h| h == name).ok_or_else(|| format!("communities.csv has no `{name}` column"))
    };
    let (name, aliases, dld, lat, lon, source) =
        (col("name")?, col("aliases")?, col("dld_area_aliases")?, col("lat")?, col("lon")?, col("coord_source")?);
    let mut out = Vec::new();
    for record in reader.records() {
        let r = record.map_err(|e| e.to_string())?;
        let mut all: Vec<String> = Vec::new();
        for list in [&r[aliases], &r[dld]] {
            for a in list.split(';').map(str::trim).filter(|a| !a.is_empty()) {
                if !all.iter().any(|x| x.eq_ignore_ascii_case(a)) {
                    all.push(a.to_string());
                }
            }
        }
        out.push(CommunityRow {
            name: r[name].trim().to_string(),
            aliases: all,
            latitude: r[lat].trim().parse().ok(),
            longitude: r[lon].trim().parse().ok(),
            coord_source: Some(r[source].to_string()).filter(|s| !s.is_empty()),
        });
    }
    Ok(out)
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Some(true),
        "false" | "0" | "no" | "" => Some(false),
        _ => None,
    }
}

/// Parses a transactions CSV (txn_id, date, community, building, property_type, bedrooms,
/// size_sqft, price_aed[, offplan, bulk]); bad rows are reported with their line, good rows kept.
pub fn parse_transactions(text: &str, source: &str) -> Result<(Vec<TransactionRow>, Vec<RowError>), String> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| format!("header row: {e}"))?.clone();
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    let required = ["txn_id", "date", "community", "property_type", "size_sqft", "price_aed"];
    let missing: Vec<&str> = required.iter().copied().filter(|c| col(c).is_none()).collect();
    if !missing.is_empty() {
        return Err(format!("missing column(s): {}", missing.join(", ")));
    }
    let idx = |name: &str| col(name).expect("checked above");
    let (id, date, community, ptype, size, price) =
        (idx("txn_id"), idx("date"), idx("community"), idx("property_type"), idx("size_sqft"), idx("price_aed"));
    let (building, bedrooms, offplan, bulk) = (col("building"), col("bedrooms"), col("offplan"), col("bulk"));
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i as u64 + 2;
        let r = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError { line, message: e.to_string() });
                continue;
            }
        };
        let get = |c: usize| r.get(c).unwrap_or("").trim();
        let mut problems = Vec::new();
        let parsed_date = NaiveDate::parse_from_str(get(date), "%Y-%m-%d")
            .map_err(|_| problems.push(format!("date `{}` is not YYYY-MM-DD", get(date))))
            .ok();
        let size_v: Option<f64> = get(size).parse().ok().filter(|v: &f64| *v > 50.0 && *v < 200_000.0);
        if size_v.is_none() {
            problems.push(format!("size_sqft `{}` is not a plausible size", get(size)));
        }
        let price_v: Option<f64> = get(price).parse().ok().filter(|v: &f64| *v >= 10_000.0);
        if price_v.is_none() {
            problems.push(format!("price_aed `{}` is not a plausible price", get(price)));
        }
        let ptype_v = get(ptype).to_lowercase();
        if !["apartment", "villa", "townhouse", "hotel_apartment", "penthouse", "duplex"].contains(&ptype_v.as_str()) {
            problems.push(format!("property_type `{}` is unknown", get(ptype)));
        }
        if get(id).is_empty() {
            problems.push("txn_id is empty".into());
        }
        if get(community).is_empty() {
            problems.push("community is empty".into());
        }
        let beds = match bedrooms.map(get) {
            None | Some("") => None,
            Some(b) => match b.parse::<f64>() {
                Ok(v) if (0.0..=20.0).contains(&v) => Some(v as i32),
                _ => {
                    problems.push(format!("bedrooms `{b}` is not 0–20"));
                    None
                }
            },
        };
        let flag = |c: Option<usize>, name: &str, problems: &mut Vec<String>| match c.map(get) {
            None => false,
            Some(v) => parse_bool(v).unwrap_or_else(|| {
                problems.push(format!("{name} `{v}` is not true/false"));
                false
            }),
        };
        let offplan_v = flag(offplan, "offplan", &mut problems);
        let bulk_v = flag(bulk, "bulk", &mut problems);
        if !problems.is_empty() {
            errors.push(RowError { line, message: problems.join("; ") });
            continue;
        }
        rows.push(TransactionRow {
            txn_id: get(id).to_string(),
            date: parsed_date.expect("checked"),
            community: get(community).to_string(),
            building: building.map(get).filter(|b| !b.is_empty()).map(str::to_string),
            property_type: ptype_v,
            bedrooms: beds,
            size_sqft: size_v.expect("checked"),
            price_aed: price_v.expect("checked"),
            offplan: offplan_v,
            bulk: bulk_v,
            source: source.to_string(),
        });
    }
    Ok((rows, errors))
}

/// Monthly median AED/sqft and volume per community and property type (bulk rows excluded).
pub fn snapshots(rows: &[TransactionRow]) -> Vec<SnapshotRow> {
    let mut groups: BTreeMap<(String, String, String), Vec<f64>> = BTreeMap::new();
    for t in rows.iter().filter(|t| !t.bulk) {
        let month = t.date.format("%Y-%m").to_string();
        groups
            .entry((t.community.clone(), t.property_type.clone(), month))
            .or_default()
            .push(t.price_aed / t.size_sqft);
    }
    groups
        .into_iter()
        .map(|((community, property_type, month), mut psf)| {
            psf.sort_by(|a, b| a.total_cmp(b));
            let n = psf.len();
            let median = if n % 2 == 1 { psf[n / 2] } else { (psf[n / 2 - 1] + psf[n / 2]) / 2.0 };
            SnapshotRow {
                community,
                property_type,
                month,
                median_psf: (median * 100.0).round() / 100.0,
                volume: n as i32,
            }
        })
        .collect()
}

/// Loads the shipped seeds into an empty market (no transactions yet); returns what it loaded.
pub async fn seed_if_empty(domain: &dyn Domain) -> Result<Option<ImportReport>, store::Error> {
    if domain.count_transactions().await? > 0 {
        return Ok(None);
    }
    seed(domain).await.map(Some)
}

const DEMO_PROPERTIES_CSV: &str = include_str!("../../seeds/demo_properties.csv");

/// The demo listings (`seeds/demo_properties.csv`) as property inputs, for an empty install.
pub fn demo_properties() -> Vec<crate::property::PropertyInput> {
    let mut reader = csv::Reader::from_reader(DEMO_PROPERTIES_CSV.as_bytes());
    reader
        .deserialize::<std::collections::HashMap<String, String>>()
        .filter_map(Result::ok)
        .map(|r| {
            let get = |k: &str| r.get(k).filter(|v| !v.is_empty()).cloned();
            let num = |k: &str| get(k).and_then(|v| v.parse::<f64>().ok());
            crate::property::PropertyInput {
                reference: get("reference"),
                community: get("community"),
                property_type: get("property_type"),
                bedrooms: num("bedrooms").map(|b| b as i64),
                bathrooms: num("bathrooms"),
                size_sqft: num("size_sqft"),
                asking_price: num("asking_price"),
                latitude: num("latitude"),
                longitude: num("longitude"),
                features: get("features").map(|f| f.split(';').map(str::to_string).collect()),
                permit_number: get("permit_number"),
                completion_status: Some("ready".into()),
                ..Default::default()
            }
        })
        .collect()
}

/// Loads (or refreshes) the shipped communities and transactions and recomputes snapshots.
pub async fn seed(domain: &dyn Domain) -> Result<ImportReport, store::Error> {
    let communities = parse_communities(COMMUNITIES_CSV).map_err(store::Error::Corrupt)?;
    domain.upsert_communities(&communities).await?;
    let (rows, errors) = parse_transactions(TRANSACTIONS_CSV, "seed").map_err(store::Error::Corrupt)?;
    import(domain, rows, errors).await
}

/// Inserts parsed rows, then recomputes the monthly snapshots over all transactions.
pub async fn import(
    domain: &dyn Domain,
    rows: Vec<TransactionRow>,
    errors: Vec<RowError>,
) -> Result<ImportReport, store::Error> {
    let total = rows.len() as u64 + errors.len() as u64;
    let inserted = domain.insert_transactions(&rows).await?;
    let all = domain.transactions().await?;
    domain.upsert_snapshots(&snapshots(&all)).await?;
    Ok(ImportReport { rows: total, inserted, duplicates: rows.len() as u64 - inserted, errors })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_seeds_parse_cleanly() {
        let communities = parse_communities(COMMUNITIES_CSV).unwrap();
        assert!(communities.len() >= 60);
        let jvc = communities.iter().find(|c| c.aliases.iter().any(|a| a == "JVC")).unwrap();
        assert_eq!(jvc.name, "Jumeirah Village Circle (JVC)");
        let (rows, errors) = parse_transactions(TRANSACTIONS_CSV, "seed").unwrap();
        assert!(rows.len() > 13_000, "{}", rows.len());
        assert!(errors.is_empty(), "{:?}", &errors[..errors.len().min(5)]);
        assert!(rows.iter().any(|r| r.bulk));
    }

    #[test]
    fn bad_rows_are_reported_with_their_line() {
        let csv = "txn_id,date,community,property_type,size_sqft,price_aed,bedrooms\n\
                   a,2026-01-05,Dubai Marina,apartment,800,1500000,1\n\
                   b,05/01/2026,Dubai Marina,castle,-3,12,40\n";
        let (rows, errors) = parse_transactions(csv, "upload.csv").unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 3);
        for needle in ["date", "size_sqft", "price_aed", "property_type", "bedrooms"] {
            assert!(errors[0].message.contains(needle), "{}", errors[0].message);
        }
        assert!(parse_transactions("a,b\n1,2\n", "x").unwrap_err().contains("missing column"));
    }

    #[test]
    fn snapshots_take_monthly_medians_without_bulk() {
        let (rows, _) = parse_transactions(
            "txn_id,date,community,property_type,size_sqft,price_aed,bulk\n\
             a,2026-01-05,M,apartment,1000,1000000,false\n\
             b,2026-01-09,M,apartment,1000,3000000,false\n\
             c,2026-01-10,M,apartment,1000,9000000,true\n",
            "t",
        )
        .unwrap();
        let s = snapshots(&rows);
        assert_eq!(s.len(), 1);
        assert_eq!((s[0].median_psf, s[0].volume), (2000.0, 2));
    }
}
