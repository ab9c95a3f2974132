//! Damped local-linear-trend model for monthly log price series (exponential smoothing in state-space form, fitted
//! with a Kalman filter that weights each month by its sales volume), with smoothing of sparse months, N-month
//! forecasts with prediction intervals, and a rolling-origin backtest.

use serde::Serialize;

use crate::data::{month_label, Month};

/// One observed month: `value` is a log price level, `weight` the number of sales behind it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    pub month: Month,
    pub value: f64,
    pub weight: f64,
}

/// Model parameters (all on the log scale, per month).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Params {
    /// Trend damping per month (1 = undamped linear trend).
    pub phi: f64,
    pub level_sd: f64,
    pub slope_sd: f64,
    /// Noise of one sale around the month's level; a month with n sales has variance obs_sd² · π/2 / n (median).
    pub obs_sd: f64,
}

/// A forecast month with its 80% prediction interval, in price units (AED/sqft for price series).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ForecastPoint {
    pub month: String,
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

/// N-month forecast with the parameters used.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Forecast {
    pub method: String,
    pub points: Vec<ForecastPoint>,
    pub params: Params,
}

type V2 = [f64; 2];
type M2 = [[f64; 2]; 2];

#[derive(Debug, Clone, Copy)]
struct State {
    x: V2,
    p: M2,
}

/// 80% two-sided normal quantile.
pub const Z80: f64 = 1.2816;

fn predict(s: State, pr: &Params) -> State {
    let f: M2 = [[1.0, pr.phi], [0.0, pr.phi]];
    let x = [s.x[0] + pr.phi * s.x[1], pr.phi * s.x[1]];
    let fp = mul(f, s.p);
    let mut p = mul(fp, transpose(f));
    p[0][0] += pr.level_sd * pr.level_sd;
    p[1][1] += pr.slope_sd * pr.slope_sd;
    State { x, p }
}

fn update(s: State, y: f64, r: f64) -> (State, f64, f64) {
    let innov = y - s.x[0];
    let var = s.p[0][0] + r;
    let k = [s.p[0][0] / var, s.p[1][0] / var];
    let x = [s.x[0] + k[0] * innov, s.x[1] + k[1] * innov];
    let p = [
        [(1.0 - k[0]) * s.p[0][0], (1.0 - k[0]) * s.p[0][1]],
        [s.p[1][0] - k[1] * s.p[0][0], s.p[1][1] - k[1] * s.p[0][1]],
    ];
    (State { x, p }, innov, var)
}

fn mul(a: M2, b: M2) -> M2 {
    [
        [a[0][0] * b[0][0] + a[0][1] * b[1][0], a[0][0] * b[0][1] + a[0][1] * b[1][1]],
        [a[1][0] * b[0][0] + a[1][1] * b[1][0], a[1][0] * b[0][1] + a[1][1] * b[1][1]],
    ]
}

fn transpose(a: M2) -> M2 {
    [[a[0][0], a[1][0]], [a[0][1], a[1][1]]]
}

fn inv(a: M2) -> M2 {
    let det = a[0][0] * a[1][1] - a[0][1] * a[1][0];
    let det = if det.abs() < 1e-18 { 1e-18 } else { det };
    [[a[1][1] / det, -a[0][1] / det], [-a[1][0] / det, a[0][0] / det]]
}

/// A fitted series: filtered states for every month from the first to the last observation, smoothed levels.
#[derive(Debug, Clone)]
pub struct Model {
    pub params: Params,
    first: Month,
    filtered: Vec<State>,
    smoothed_level: Vec<f64>,
    smoothed_level_var: Vec<f64>,
    /// One-step-ahead squared standardized errors and absolute percentage errors (for parameter choice).
    one_step_nll: f64,
}

fn obs_var(pr: &Params, weight: f64) -> f64 {
    pr.obs_sd * pr.obs_sd * std::f64::consts::FRAC_PI_2 / weight.max(0.25)
}

impl Model {
    /// Fits the model to observations (any order, months may repeat or be missing). `None` when empty.
    pub fn fit(obs: &[Observation], params: Params) -> Option<Model> {
        let mut obs: Vec<Observation> = obs.iter().copied().filter(|o| o.value.is_finite() && o.weight > 0.0).collect();
        if obs.is_empty() {
            return None;
        }
        obs.sort_by_key(|o| o.month);
        let first = obs[0].month;
        let last = obs[obs.len() - 1].month;
        // initial level: volume-weighted mean of the first year's observations
        let (mut sw, mut sv) = (0.0, 0.0);
        for o in obs.iter().take_while(|o| o.month < first + 12) {
            sw += o.weight;
            sv += o.weight * o.value;
        }
        let mut state = State { x: [sv / sw, 0.0], p: [[0.05, 0.0], [0.0, 0.0004]] };
        let mut filtered = Vec::with_capacity((last - first + 1) as usize);
        let mut predicted = Vec::with_capacity(filtered.capacity());
        let mut nll = 0.0;
        let mut oi = 0;
        for m in first..=last {
            if m > first {
                state = predict(state, &params);
            }
            predicted.push(state);
            while oi < obs.len() && obs[oi].month == m {
                let (s, innov, var) = update(state, obs[oi].value, obs_var(&params, obs[oi].weight));
                if m >= first + 6 {
                    nll += 0.5 * (var.ln() + innov * innov / var);
                }
                state = s;
                oi += 1;
            }
            filtered.push(state);
        }
        // Rauch–Tung–Striebel smoother for the levels inside the observed range
        let n = filtered.len();
        let mut xs = filtered[n - 1].x;
        let mut ps = filtered[n - 1].p;
        let mut smoothed_level = vec![0.0; n];
        let mut smoothed_level_var = vec![0.0; n];
        smoothed_level[n - 1] = xs[0];
        smoothed_level_var[n - 1] = ps[0][0];
        let f: M2 = [[1.0, params.phi], [0.0, params.phi]];
        for t in (0..n - 1).rev() {
            let fl = filtered[t];
            let pr = predicted[t + 1];
            let c = mul(mul(fl.p, transpose(f)), inv(pr.p));
            let dx = [xs[0] - pr.x[0], xs[1] - pr.x[1]];
            let x = [fl.x[0] + c[0][0] * dx[0] + c[0][1] * dx[1], fl.x[1] + c[1][0] * dx[0] + c[1][1] * dx[1]];
            let dp = [[ps[0][0] - pr.p[0][0], ps[0][1] - pr.p[0][1]], [ps[1][0] - pr.p[1][0], ps[1][1] - pr.p[1][1]]];
            let cdp = mul(mul(c, dp), transpose(c));
            let p =
                [[fl.p[0][0] + cdp[0][0], fl.p[0][1] + cdp[0][1]], [fl.p[1][0] + cdp[1][0], fl.p[1][1] + cdp[1][1]]];
            xs = x;
            ps = p;
            smoothed_level[t] = x[0];
            smoothed_level_var[t] = p[0][0].max(0.0);
        }
        Some(Model { params, first, filtered, smoothed_level, smoothed_level_var, one_step_nll: nll })
    }

    /// Chooses damping and noise levels from a small grid by one-step-ahead likelihood on the series itself
    /// (no look-ahead beyond the series), then fits.
    pub fn fit_auto(obs: &[Observation], obs_sd: f64) -> Option<Model> {
        let mut best: Option<Model> = None;
        for &phi in &[0.85, 0.92, 0.96, 0.98, 1.0] {
            for &level_sd in &[0.005, 0.01, 0.02, 0.04] {
                for &slope_sd in &[0.0005, 0.002] {
                    let m = Model::fit(obs, Params { phi, level_sd, slope_sd, obs_sd })?;
                    if best.as_ref().is_none_or(|b| m.one_step_nll < b.one_step_nll) {
                        best = Some(m);
                    }
                }
            }
        }
        best
    }

    pub fn first_month(&self) -> Month {
        self.first
    }

    pub fn last_month(&self) -> Month {
        self.first + self.filtered.len() as i32 - 1
    }

    /// Log level and its standard deviation at a month: smoothed inside the data, damped-trend forecast after it,
    /// the first level held flat before it.
    pub fn level(&self, month: Month) -> (f64, f64) {
        if month <= self.first {
            return (self.smoothed_level[0], self.smoothed_level_var[0].sqrt());
        }
        let last = self.last_month();
        if month <= last {
            let i = (month - self.first) as usize;
            return (self.smoothed_level[i], self.smoothed_level_var[i].sqrt());
        }
        let mut s = *self.filtered.last().expect("non-empty");
        for _ in last..month {
            s = predict(s, &self.params);
        }
        (s.x[0], s.p[0][0].max(0.0).sqrt())
    }

    /// Filtered state at `origin` projected `h` months ahead (what a forecaster standing at `origin` would say).
    fn forecast_from(&self, origin: Month, h: i32) -> (f64, f64) {
        let mut s = self.filtered[(origin - self.first) as usize];
        for _ in 0..h {
            s = predict(s, &self.params);
        }
        (s.x[0], s.p[0][0].max(0.0).sqrt())
    }

    /// `n` months after the last observed month, in price units (exp of the log level), 80% intervals.
    pub fn forecast(&self, n: usize) -> Forecast {
        let last = self.last_month();
        let points = (1..=n as i32)
            .map(|h| {
                let (mu, sd) = self.level(last + h);
                ForecastPoint {
                    month: month_label(last + h),
                    value: mu.exp(),
                    low: (mu - Z80 * sd).exp(),
                    high: (mu + Z80 * sd).exp(),
                }
            })
            .collect();
        Forecast { method: "damped local linear trend on log prices (Kalman)".into(), points, params: self.params }
    }
}

/// Rolling-origin backtest: from every origin with at least `min_history` months of data before it, forecast each
/// later observed month up to `horizon` months ahead that has at least `min_weight` sales, and average the
/// absolute percentage error of exp(forecast) against exp(observed). Parameters are chosen on the full series once.
pub fn backtest_mape(obs: &[Observation], obs_sd: f64, horizon: i32, min_history: i32, min_weight: f64) -> Option<f64> {
    let model = Model::fit_auto(obs, obs_sd)?;
    let mut errs = Vec::new();
    let first = model.first_month();
    let last = model.last_month();
    let observed: Vec<&Observation> = obs.iter().filter(|o| o.weight >= min_weight).collect();
    for origin in (first + min_history)..last {
        for o in &observed {
            let h = o.month - origin;
            if (1..=horizon).contains(&h) {
                let (mu, _) = model.forecast_from(origin, h);
                errs.push(((mu - o.value).exp() - 1.0).abs());
            }
        }
    }
    if errs.is_empty() {
        None
    } else {
        Some(errs.iter().sum::<f64>() / errs.len() as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(slope: f64, months: i32, gap: std::ops::Range<i32>) -> Vec<Observation> {
        (0..months)
            .filter(|m| !gap.contains(m))
            .map(|m| Observation { month: 24_000 + m, value: 7.0 + slope * m as f64, weight: 20.0 })
            .collect()
    }

    #[test]
    fn follows_a_trend_and_damps_it() {
        let obs = series(0.01, 48, 0..0);
        let m = Model::fit(&obs, Params { phi: 0.97, level_sd: 0.01, slope_sd: 0.001, obs_sd: 0.2 }).unwrap();
        let (l, _) = m.level(24_000 + 47);
        assert!((l - 7.47).abs() < 0.03, "{l}");
        let f = m.forecast(24);
        assert_eq!(f.points.len(), 24);
        // damped: the 24-month rise is well below the undamped 0.24
        let rise = f.points[23].value.ln() - l;
        assert!(rise > 0.02 && rise < 0.15, "{rise}");
        assert!(f.points[23].high - f.points[23].low > f.points[0].high - f.points[0].low);
    }

    #[test]
    fn smooths_through_sparse_months() {
        let obs = series(0.0, 36, 10..20);
        let m = Model::fit_auto(&obs, 0.2).unwrap();
        let (l, sd_gap) = m.level(24_015);
        assert!((l - 7.0).abs() < 0.02);
        let (_, sd_dense) = m.level(24_030);
        assert!(sd_gap > sd_dense);
    }

    #[test]
    fn backtest_of_flat_series_is_small() {
        let obs = series(0.0, 60, 0..0);
        let mape = backtest_mape(&obs, 0.2, 3, 12, 1.0).unwrap();
        assert!(mape < 0.01, "{mape}");
    }
}
