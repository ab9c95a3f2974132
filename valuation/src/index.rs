//! Monthly price indexes built from the transactions: the raw median AED/sqft and volume per month for each
//! community × property type (for trends), and a mix-adjusted log index (market level plus a smoothed per-community
//! deviation) that moves comparables through time. Sparse months are smoothed by the Kalman model in `forecast`.

use std::collections::HashMap;

use serde::Serialize;

use crate::data::{month_label, month_of, Month, PropertyType, Transaction};
use crate::forecast::{Model, Observation, Params};
use crate::stats::{mad_sd, median};

/// One month of a community × type series.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct MonthPoint {
    pub month: String,
    #[serde(skip)]
    pub month_index: Month,
    pub median_psf: f64,
    pub volume: usize,
}

/// Key of a mix-adjustment cell: transactions in one cell are assumed alike apart from size and time.
type CellKey = (String, PropertyType, Option<u8>);

/// All indexes of one market snapshot.
#[derive(Debug, Clone)]
pub struct PriceIndex {
    market: Model,
    market_obs: Vec<Observation>,
    /// Per community: local-level model of its deviation from the market index.
    deviation: HashMap<String, Model>,
    series: HashMap<(String, PropertyType), Vec<MonthPoint>>,
    /// Per-sale noise of log AED/sqft within a cell and month (robust sd).
    pub obs_sd: f64,
    last_data_month: Month,
}

impl PriceIndex {
    /// Builds every index from the given (non-bulk) transactions. `None` when there are none.
    pub fn build(txns: &[&Transaction]) -> Option<PriceIndex> {
        if txns.is_empty() {
            return None;
        }
        let months: Vec<Month> = txns.iter().map(|t| month_of(t.date)).collect();
        let lp: Vec<f64> = txns.iter().map(|t| t.price_per_sqft().ln()).collect();
        let mut cells: HashMap<CellKey, Vec<usize>> = HashMap::new();
        for (i, t) in txns.iter().enumerate() {
            cells.entry((t.community.clone(), t.property_type, t.bedrooms)).or_default().push(i);
        }
        // alternating medians: cell effect = median(lp - month effect), month effect = median(lp - cell effect)
        let mut month_eff: HashMap<Month, f64> = HashMap::new();
        let mut cell_eff: Vec<f64> = vec![0.0; txns.len()];
        for _ in 0..6 {
            for idx in cells.values() {
                let e =
                    median(&idx.iter().map(|&i| lp[i] - month_eff.get(&months[i]).unwrap_or(&0.0)).collect::<Vec<_>>());
                for &i in idx {
                    cell_eff[i] = e;
                }
            }
            let mut by_month: HashMap<Month, Vec<f64>> = HashMap::new();
            for idx in cells.values().filter(|v| v.len() >= 2) {
                for &i in idx {
                    by_month.entry(months[i]).or_default().push(lp[i] - cell_eff[i]);
                }
            }
            month_eff = by_month.iter().map(|(m, v)| (*m, median(v))).collect();
        }
        // residuals of sales in cells with at least two sales (a singleton's residual is zero by construction)
        let informative: Vec<usize> = cells.values().filter(|v| v.len() >= 2).flatten().copied().collect();
        let resid: Vec<f64> =
            informative.iter().map(|&i| lp[i] - cell_eff[i] - month_eff.get(&months[i]).unwrap_or(&0.0)).collect();
        let obs_sd = mad_sd(&resid).clamp(0.05, 1.0);
        let mut by_month: HashMap<Month, Vec<f64>> = HashMap::new();
        for &i in &informative {
            by_month.entry(months[i]).or_default().push(lp[i] - cell_eff[i]);
        }
        let obs: Vec<Observation> =
            by_month.iter().map(|(m, v)| Observation { month: *m, value: median(v), weight: v.len() as f64 }).collect();
        let market = Model::fit_auto(&obs, obs_sd).or_else(|| {
            // every cell is a singleton: a flat index
            Model::fit(
                &[Observation { month: months[0], value: 0.0, weight: 1.0 }],
                Params { phi: 0.9, level_sd: 0.01, slope_sd: 0.001, obs_sd },
            )
        })?;
        // per-community deviation from the market level (local level, no trend: forecasts hold it flat)
        let mut dev_obs: HashMap<&str, HashMap<Month, Vec<f64>>> = HashMap::new();
        for &i in &informative {
            let d = lp[i] - cell_eff[i] - market.level(months[i]).0;
            dev_obs.entry(txns[i].community.as_str()).or_default().entry(months[i]).or_default().push(d);
        }
        let dev_params = Params { phi: 0.0, level_sd: 0.01, slope_sd: 0.0, obs_sd };
        let deviation = dev_obs
            .into_iter()
            .filter_map(|(c, by_m)| {
                let mut o: Vec<Observation> = by_m
                    .iter()
                    .map(|(m, v)| Observation { month: *m, value: median(v), weight: v.len() as f64 })
                    .collect();
                // anchor at zero (the cell effects already carry the community's average level)
                let first = o.iter().map(|x| x.month).min()?;
                o.push(Observation { month: first, value: 0.0, weight: 10.0 });
                Model::fit(&o, dev_params).map(|m| (c.to_string(), m))
            })
            .collect();
        // raw monthly medians per community × type
        let mut raw: HashMap<(String, PropertyType), HashMap<Month, Vec<f64>>> = HashMap::new();
        for (i, t) in txns.iter().enumerate() {
            raw.entry((t.community.clone(), t.property_type)).or_default().entry(months[i]).or_default().push(lp[i]);
        }
        let series = raw
            .into_iter()
            .map(|(k, by_m)| {
                let mut pts: Vec<MonthPoint> = by_m
                    .into_iter()
                    .map(|(m, v)| MonthPoint {
                        month: month_label(m),
                        month_index: m,
                        median_psf: median(&v).exp(),
                        volume: v.len(),
                    })
                    .collect();
                pts.sort_by_key(|p| p.month_index);
                (k, pts)
            })
            .collect();
        let last_data_month = *months.iter().max()?;
        Some(PriceIndex { market, market_obs: obs, deviation, series, obs_sd, last_data_month })
    }

    /// Log index level of a community at a month (market level + the community's smoothed deviation) and the
    /// standard deviation of the market level there (grows once the month is past the data).
    pub fn log_level(&self, community: &str, month: Month) -> (f64, f64) {
        let (m, sd) = self.market.level(month);
        let d = self.deviation.get(community).map(|d| d.level(month).0).unwrap_or(0.0);
        (m + d, sd)
    }

    /// Log change of the community index from `from` to `to`, and the extra uncertainty of `to` when it lies past
    /// the data (forecast).
    pub fn log_change(&self, from_community: &str, to_community: &str, from: Month, to: Month) -> (f64, f64) {
        let (a, sd_a) = self.log_level(from_community, from);
        let (b, sd_b) = self.log_level(to_community, to);
        (b - a, (sd_b * sd_b - sd_a * sd_a).max(0.0).sqrt())
    }

    /// Monthly observations (median mix-adjusted log AED/sqft, sales) behind the market index.
    pub fn market_observations(&self) -> &[Observation] {
        &self.market_obs
    }

    pub fn market_model(&self) -> &Model {
        &self.market
    }

    pub fn last_data_month(&self) -> Month {
        self.last_data_month
    }

    /// Raw monthly median AED/sqft and volume of a community × type, oldest first.
    pub fn series(&self, community: &str, property_type: PropertyType) -> Option<&[MonthPoint]> {
        self.series.get(&(community.to_string(), property_type)).map(|v| v.as_slice())
    }

    /// Observations (log median, volume) of a community × type series for the forecaster.
    pub fn series_observations(&self, community: &str, property_type: PropertyType) -> Vec<Observation> {
        self.series(community, property_type)
            .unwrap_or(&[])
            .iter()
            .map(|p| Observation { month: p.month_index, value: p.median_psf.ln(), weight: p.volume as f64 })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn t(c: &str, y: i32, m: u32, beds: u8, psf: f64) -> Transaction {
        Transaction {
            txn_id: format!("{c}{y}{m}{beds}{psf}"),
            date: NaiveDate::from_ymd_opt(y, m, 10).unwrap(),
            community: c.into(),
            building: None,
            property_type: PropertyType::Apartment,
            bedrooms: Some(beds),
            size_sqft: 1000.0,
            price_aed: psf * 1000.0,
            offplan: Some(false),
            bulk: false,
        }
    }

    #[test]
    fn mix_adjusted_index_ignores_composition() {
        // prices rise 1% a month in both communities; the expensive one only trades late
        let mut v = Vec::new();
        for k in 0..36 {
            let (y, m) = (2020 + k / 12, (k % 12 + 1) as u32);
            let g = 1.01f64.powi(k);
            v.push(t("Cheap", y, m, 1, 800.0 * g));
            v.push(t("Cheap", y, m, 2, 780.0 * g));
            if k >= 24 {
                v.push(t("Dear", y, m, 1, 2500.0 * g));
                v.push(t("Dear", y, m, 1, 2500.0 * g));
            }
        }
        let refs: Vec<&Transaction> = v.iter().collect();
        let ix = PriceIndex::build(&refs).unwrap();
        let from = month_of(NaiveDate::from_ymd_opt(2020, 6, 1).unwrap());
        let to = month_of(NaiveDate::from_ymd_opt(2022, 6, 1).unwrap());
        let (chg, _) = ix.log_change("Cheap", "Cheap", from, to);
        assert!((chg - 24.0 * 1.01f64.ln()).abs() < 0.04, "{chg}");
        // past the data the change keeps rising (damped) and carries forecast uncertainty
        let (fwd, sd) = ix.log_change("Cheap", "Cheap", to, to + 24);
        assert!(fwd > 0.0 && sd > 0.0, "{fwd} {sd}");
        let s = ix.series("Dear", PropertyType::Apartment).unwrap();
        assert_eq!(s.len(), 12);
        assert_eq!(s[0].month, "2022-01");
        assert_eq!(s[0].volume, 2);
    }
}
