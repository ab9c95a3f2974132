//! Input types (transactions, communities, property types, months) and CSV parsing of the two seed files,
//! with row-level errors instead of all-or-nothing failure.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// Residential property type as recorded by DLD.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PropertyType {
    Apartment,
    Villa,
    HotelApartment,
}

impl PropertyType {
    /// Accepts the seed spellings plus common agent words ("flat", "townhouse", "hotel apartment").
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().replace(['-', ' '], "_").as_str() {
            "apartment" | "flat" | "unit" | "penthouse" | "studio" => Some(Self::Apartment),
            "villa" | "townhouse" | "town_house" => Some(Self::Villa),
            "hotel_apartment" | "hotel_apt" | "hotel" => Some(Self::HotelApartment),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Apartment => "apartment",
            Self::Villa => "villa",
            Self::HotelApartment => "hotel_apartment",
        }
    }
}

/// One registered sale (a row of `seeds/transactions.csv`).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Transaction {
    pub txn_id: String,
    pub date: NaiveDate,
    pub community: String,
    /// Building / project name where DLD records one.
    pub building: Option<String>,
    pub property_type: PropertyType,
    /// `None` when not recorded (common for villas); 0 = studio.
    pub bedrooms: Option<u8>,
    pub size_sqft: f64,
    pub price_aed: f64,
    /// `None` when the source does not say.
    pub offplan: Option<bool>,
    /// Developer bulk registration (many units, one day, one price): never a comparable.
    pub bulk: bool,
}

impl Transaction {
    pub fn price_per_sqft(&self) -> f64 {
        self.price_aed / self.size_sqft
    }
}

/// One community of `seeds/communities.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Community {
    pub name: String,
    pub aliases: Vec<String>,
    pub dld_area_aliases: Vec<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub coord_source: String,
    /// Dubai Municipality parent community, shared by neighbouring communities (area-level fallback).
    pub parent_area: Option<String>,
}

/// A CSV row that could not be used; `line` is 1-based and counts the header as line 1.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RowError {
    pub line: usize,
    pub message: String,
}

/// Months as a single integer (`year * 12 + month0`) so that differences are month counts.
pub type Month = i32;

pub fn month_of(date: NaiveDate) -> Month {
    date.year() * 12 + date.month0() as i32
}

pub fn month_label(m: Month) -> String {
    format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1)
}

/// Fractional months between two dates (30.44-day months), positive when `to` is later.
pub fn months_between(from: NaiveDate, to: NaiveDate) -> f64 {
    (to - from).num_days() as f64 / 30.4375
}

fn header_index(headers: &csv::StringRecord, name: &str) -> Option<usize> {
    headers.iter().position(|h| h.trim().eq_ignore_ascii_case(name))
}

fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes())
}

struct Columns(Vec<Option<usize>>);

impl Columns {
    fn get<'r>(&self, rec: &'r csv::StringRecord, i: usize) -> &'r str {
        self.0[i].and_then(|c| rec.get(c)).unwrap_or("")
    }
}

fn parse_bool(s: &str) -> Result<Option<bool>, String> {
    match s.to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "true" | "1" | "yes" | "y" => Ok(Some(true)),
        "false" | "0" | "no" | "n" => Ok(Some(false)),
        other => Err(format!("not a boolean: {other:?}")),
    }
}

fn parse_positive(s: &str, field: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("{field}: not a number: {s:?}"))?;
    if !v.is_finite() || v <= 0.0 {
        return Err(format!("{field}: must be > 0, got {s}"));
    }
    Ok(v)
}

const TXN_COLUMNS: [&str; 10] = [
    "txn_id",
    "date",
    "community",
    "building",
    "property_type",
    "bedrooms",
    "size_sqft",
    "price_aed",
    "offplan",
    "bulk",
];

/// Parses `transactions.csv` text. Rows with a bad value are reported, not fatal; a missing required column makes
/// every row an error (reported once, at line 1).
pub fn parse_transactions(text: &str) -> (Vec<Transaction>, Vec<RowError>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut rdr = reader(text);
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => return (out, vec![RowError { line: 1, message: format!("unreadable header: {e}") }]),
    };
    let cols = Columns(TXN_COLUMNS.iter().map(|c| header_index(&headers, c)).collect());
    let missing: Vec<&str> =
        [0usize, 1, 2, 4, 6, 7].iter().filter(|&&i| cols.0[i].is_none()).map(|&i| TXN_COLUMNS[i]).collect();
    if !missing.is_empty() {
        errors.push(RowError { line: 1, message: format!("missing column(s): {}", missing.join(", ")) });
        return (out, errors);
    }
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError { line, message: format!("unreadable row: {e}") });
                continue;
            }
        };
        match parse_txn_row(&cols, &rec) {
            Ok(t) => out.push(t),
            Err(message) => errors.push(RowError { line, message }),
        }
    }
    (out, errors)
}

fn parse_txn_row(cols: &Columns, rec: &csv::StringRecord) -> Result<Transaction, String> {
    let txn_id = cols.get(rec, 0).to_string();
    if txn_id.is_empty() {
        return Err("txn_id: empty".into());
    }
    let date_s = cols.get(rec, 1);
    let date =
        NaiveDate::parse_from_str(date_s, "%Y-%m-%d").map_err(|_| format!("date: not YYYY-MM-DD: {date_s:?}"))?;
    let community = cols.get(rec, 2).to_string();
    if community.is_empty() {
        return Err("community: empty".into());
    }
    let building = Some(cols.get(rec, 3).to_string()).filter(|b| !b.is_empty());
    let pt = cols.get(rec, 4);
    let property_type = PropertyType::parse(pt).ok_or_else(|| format!("property_type: unknown {pt:?}"))?;
    let bed_s = cols.get(rec, 5);
    let bedrooms = if bed_s.is_empty() {
        None
    } else {
        let b: f64 = bed_s.parse().map_err(|_| format!("bedrooms: not a number: {bed_s:?}"))?;
        if !(0.0..=20.0).contains(&b) || b.fract() != 0.0 {
            return Err(format!("bedrooms: out of range: {bed_s}"));
        }
        Some(b as u8)
    };
    let size_sqft = parse_positive(cols.get(rec, 6), "size_sqft")?;
    let price_aed = parse_positive(cols.get(rec, 7), "price_aed")?;
    let offplan = parse_bool(cols.get(rec, 8)).map_err(|e| format!("offplan: {e}"))?;
    let bulk = parse_bool(cols.get(rec, 9)).map_err(|e| format!("bulk: {e}"))?.unwrap_or(false);
    Ok(Transaction { txn_id, date, community, building, property_type, bedrooms, size_sqft, price_aed, offplan, bulk })
}

fn split_list(s: &str) -> Vec<String> {
    s.split([';', '|']).map(str::trim).filter(|a| !a.is_empty()).map(String::from).collect()
}

fn parse_coord(s: &str, field: &str, range: std::ops::RangeInclusive<f64>) -> Result<Option<f64>, String> {
    if s.is_empty() {
        return Ok(None);
    }
    let v: f64 = s.parse().map_err(|_| format!("{field}: not a number: {s:?}"))?;
    if !range.contains(&v) {
        return Err(format!("{field}: out of range: {s}"));
    }
    Ok(Some(v))
}

const COMMUNITY_COLUMNS: [&str; 7] =
    ["name", "aliases", "dld_area_aliases", "lat", "lon", "coord_source", "parent_area"];

/// Parses `communities.csv` text (aliases separated by `;`).
pub fn parse_communities(text: &str) -> (Vec<Community>, Vec<RowError>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut rdr = reader(text);
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => return (out, vec![RowError { line: 1, message: format!("unreadable header: {e}") }]),
    };
    let cols = Columns(COMMUNITY_COLUMNS.iter().map(|c| header_index(&headers, c)).collect());
    if cols.0[0].is_none() {
        return (out, vec![RowError { line: 1, message: "missing column(s): name".into() }]);
    }
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError { line, message: format!("unreadable row: {e}") });
                continue;
            }
        };
        let name = cols.get(&rec, 0).to_string();
        if name.is_empty() {
            errors.push(RowError { line, message: "name: empty".into() });
            continue;
        }
        let coords = parse_coord(cols.get(&rec, 3), "lat", -90.0..=90.0)
            .and_then(|lat| parse_coord(cols.get(&rec, 4), "lon", -180.0..=180.0).map(|lon| (lat, lon)));
        let (lat, lon) = match coords {
            Ok(c) => c,
            Err(message) => {
                errors.push(RowError { line, message });
                continue;
            }
        };
        let (lat, lon) = if lat.is_some() && lon.is_some() { (lat, lon) } else { (None, None) };
        out.push(Community {
            name,
            aliases: split_list(cols.get(&rec, 1)),
            dld_area_aliases: split_list(cols.get(&rec, 2)),
            lat,
            lon,
            coord_source: cols.get(&rec, 5).to_string(),
            parent_area: Some(cols.get(&rec, 6).to_string()).filter(|p| !p.is_empty()),
        });
    }
    (out, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rows_and_reports_bad_ones() {
        let text = "txn_id,date,community,building,property_type,bedrooms,size_sqft,price_aed,offplan,bulk\n\
                    a,2024-01-05,Dubai Marina,Marina Heights,apartment,2,1200,2400000,false,false\n\
                    b,2024-13-05,Dubai Marina,,apartment,2,1200,2400000,false,false\n\
                    c,2024-01-05,Dubai Marina,,castle,2,1200,2400000,false,false\n\
                    d,2024-01-05,Dubai Marina,,villa,,-3,2400000,,true\n\
                    e,2024-01-06,Arjan,,villa,,3000,2400000,,true\n";
        let (rows, errs) = parse_transactions(text);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].building.as_deref(), Some("Marina Heights"));
        assert_eq!(rows[1].bedrooms, None);
        assert!(rows[1].bulk && rows[1].offplan.is_none());
        assert_eq!(errs.iter().map(|e| e.line).collect::<Vec<_>>(), vec![3, 4, 5]);
        assert!(errs[0].message.starts_with("date"));
        assert!(errs[2].message.starts_with("size_sqft"));
    }

    #[test]
    fn missing_column_is_one_error() {
        let (rows, errs) = parse_transactions("txn_id,date\nx,2024-01-01\n");
        assert!(rows.is_empty());
        assert_eq!(errs.len(), 1);
        assert!(errs[0].message.contains("community"));
    }

    #[test]
    fn parses_communities() {
        let text = "name,aliases,dld_area_aliases,lat,lon,coord_source,parent_area\n\
                    Jumeirah Village Circle (JVC),JVC; Jumeirah Village Circle,JUMEIRAH VILLAGE CIRCLE,25.04897,55.20869,x,\n\
                    Bad,,,95,55,x,\n";
        let (rows, errs) = parse_communities(text);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].aliases, vec!["JVC", "Jumeirah Village Circle"]);
        assert_eq!(rows[0].lat, Some(25.04897));
        assert_eq!(errs[0].line, 3);
    }

    #[test]
    fn months() {
        let d = NaiveDate::from_ymd_opt(2026, 2, 14).unwrap();
        assert_eq!(month_label(month_of(d)), "2026-02");
        assert_eq!(month_of(d) - month_of(NaiveDate::from_ymd_opt(2025, 2, 1).unwrap()), 12);
    }
}
