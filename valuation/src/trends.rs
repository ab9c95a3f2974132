//! Community × type market trends: monthly median AED/sqft and volume, year-on-year change from the mix-adjusted
//! index, an N-month forecast with prediction intervals and the forecaster's rolling-origin backtest error.

use serde::Serialize;

use crate::community::MatchKind;
use crate::data::{month_label, PropertyType};
use crate::error::ValuationError;
use crate::forecast::{backtest_mape, Forecast, ForecastPoint, Model};
use crate::index::MonthPoint;
use crate::market::Market;

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Trends {
    pub community: String,
    pub property_type: PropertyType,
    /// Every month with sales, oldest first.
    pub points: Vec<MonthPoint>,
    /// Change of the mix-adjusted community index over the 12 months to the last month with data.
    pub yoy_change: Option<f64>,
    pub forecast: Forecast,
    /// Mean absolute % error of 1–3-month-ahead forecasts in a rolling-origin backtest on this series
    /// (months with ≥ 3 sales); `None` when the series is too short.
    pub backtest_mape: Option<f64>,
    /// What the forecast was fitted on.
    pub forecast_basis: String,
}

const MIN_MONTHS: usize = 6;
const MIN_SALES: usize = 30;

pub(crate) fn trends(m: &Market, community: &str, pt: PropertyType, n: usize) -> Result<Trends, ValuationError> {
    let res = m.resolve(community);
    let name = match res.match_kind {
        MatchKind::Exact | MatchKind::CaseInsensitive | MatchKind::Alias => res.community.unwrap_or_default(),
        MatchKind::Ambiguous => {
            return Err(ValuationError::AmbiguousCommunity { input: res.input, candidates: res.suggestions })
        }
        _ => return Err(ValuationError::UnknownCommunity { input: res.input, suggestions: res.suggestions }),
    };
    if n == 0 || n > 60 {
        return Err(ValuationError::invalid("months", "forecast horizon must be 1..=60"));
    }
    let insufficient =
        || ValuationError::InsufficientData { community: name.clone(), property_type: pt.as_str().to_string() };
    let index = m.index().ok_or_else(insufficient)?;
    let points: Vec<MonthPoint> = index.series(&name, pt).map(|s| s.to_vec()).unwrap_or_default();
    let last = points.last().ok_or_else(insufficient)?.month_index;
    let (l1, _) = index.log_level(&name, last);
    let (l0, _) = index.log_level(&name, last - 12);
    let yoy_change = (points.first().is_some_and(|p| p.month_index <= last - 12)).then(|| (l1 - l0).exp() - 1.0);
    let obs = index.series_observations(&name, pt);
    let sales: usize = points.iter().map(|p| p.volume).sum();
    // raw monthly medians mix unit types, so their noise is larger than the within-cell noise
    let obs_sd = index.obs_sd * 1.5;
    let (forecast, basis) = if points.len() >= MIN_MONTHS && sales >= MIN_SALES {
        let model = Model::fit_auto(&obs, obs_sd).ok_or_else(insufficient)?;
        (model.forecast(n), format!("{name} {} monthly medians ({sales} sales)", pt.as_str()))
    } else {
        // thin series: the market index's forecast path, anchored on the community's smoothed level
        let mk = index.market_model();
        let anchor = points.iter().rev().take(6).map(|p| p.median_psf.ln()).sum::<f64>() / points.len().min(6) as f64;
        let (base, _) = mk.level(last);
        let pts = (1..=n as i32)
            .map(|h| {
                let (mu, sd) = mk.level(last + h);
                let c = anchor + mu - base;
                ForecastPoint {
                    month: month_label(last + h),
                    value: c.exp(),
                    low: (c - crate::forecast::Z80 * sd).exp(),
                    high: (c + crate::forecast::Z80 * sd).exp(),
                }
            })
            .collect();
        (
            Forecast {
                method: "market index forecast path on the community level".into(),
                points: pts,
                params: mk.params,
            },
            format!("market index (only {sales} {} sales in {name})", pt.as_str()),
        )
    };
    let backtest_mape = backtest_mape(&obs, obs_sd, 3, 12, 3.0);
    Ok(Trends {
        community: name,
        property_type: pt,
        points,
        yoy_change,
        forecast,
        backtest_mape,
        forecast_basis: basis,
    })
}
