//! The dashboard overview from stored daily metrics: `performance_overview`, `kpi_trends` (each
//! KPI per bucket with its change against the previous period) and the per-agent breakdown.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Serialize, Serializer};
use serde_json::{json, Value};

use crate::kpi::{Kpi, Totals, TIME_SAVED_BASIS};
use crate::period::{buckets, Period, Window};

/// One stored sum: a metric on a day (over whatever users the query covered).
#[derive(Debug, Clone, PartialEq)]
pub struct DayRow {
    pub day: NaiveDate,
    pub metric: String,
    pub value: f64,
}

/// Daily totals, queried once and summed over any window.
#[derive(Debug, Clone, Default)]
pub struct Daily(BTreeMap<NaiveDate, Totals>);

impl Daily {
    pub fn from_rows(rows: &[DayRow]) -> Daily {
        let mut by_day: BTreeMap<NaiveDate, Totals> = BTreeMap::new();
        for r in rows {
            by_day.entry(r.day).or_default().add(&r.metric, r.value);
        }
        Daily(by_day)
    }

    pub fn totals(&self, w: Window) -> Totals {
        let mut t = Totals::default();
        for (_, day) in self.0.range(w.start..=w.end) {
            for (m, v) in &day.0 {
                t.add(m, *v);
            }
        }
        t
    }
}

/// Rounds for display: four decimals keep a rate exact to 0.01 percentage points.
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn num(v: Option<f64>) -> Value {
    match v {
        Some(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => json!(x as i64),
        Some(x) => json!(round4(x)),
        None => Value::Null,
    }
}

/// A figure as the dashboard shows it: a whole number as an integer (`3`, not `3.0`), any other
/// to four decimals, null when the KPI is undefined (a rate over nothing).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure(pub Option<f64>);

impl Serialize for Figure {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        num(self.0).serialize(s)
    }
}

impl JsonSchema for Figure {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Figure".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": ["number", "null"] })
    }
}

/// The change from `previous` to `current`: absolute, relative (`None` when there was nothing
/// before) and its direction.
pub fn change(current: Option<f64>, previous: Option<f64>) -> (Option<f64>, Option<f64>, &'static str) {
    match (current, previous) {
        (Some(c), Some(p)) => {
            let abs = c - p;
            let pct = if p != 0.0 { Some(abs / p.abs()) } else { None };
            let dir = if abs > 1e-12 {
                "up"
            } else if abs < -1e-12 {
                "down"
            } else {
                "flat"
            };
            (Some(abs), pct, dir)
        }
        _ => (None, None, "flat"),
    }
}

/// The seed's `performance_overview` over one window's totals.
/// The seed's performance overview: the period's KPIs, grouped.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct PerformanceOverview {
    pub listings_launched: Figure,
    pub cma_reports_produced: Figure,
    pub campaigns: CampaignFigures,
    pub social_posts: SocialFigures,
    pub leads: LeadFigures,
    pub clients_onboarded: Figure,
    pub workflows: WorkflowFigures,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CampaignFigures {
    pub created: Figure,
    pub approved: Figure,
    pub distributed: Figure,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SocialFigures {
    pub created: Figure,
    pub published: Figure,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct LeadFigures {
    pub handled: Figure,
    pub converted: Figure,
    pub from_campaigns: Figure,
    pub conversion_rate: Figure,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct WorkflowFigures {
    pub completed: Figure,
    pub failed: Figure,
    pub success_rate: Figure,
    pub average_duration_minutes: Figure,
    pub time_saved_hours: Figure,
    /// How the time saved is estimated.
    pub time_saved_basis: &'static str,
}

pub fn overview_figures(t: &Totals) -> PerformanceOverview {
    let k = |kpi: Kpi| Figure(kpi.value(t));
    PerformanceOverview {
        listings_launched: k(Kpi::ListingsLaunched),
        cma_reports_produced: k(Kpi::CmasProduced),
        campaigns: CampaignFigures {
            created: k(Kpi::CampaignsCreated),
            approved: k(Kpi::CampaignsApproved),
            distributed: k(Kpi::CampaignsDistributed),
        },
        social_posts: SocialFigures { created: k(Kpi::SocialPostsCreated), published: k(Kpi::SocialPostsPublished) },
        leads: LeadFigures {
            handled: k(Kpi::LeadsHandled),
            converted: k(Kpi::LeadsConverted),
            from_campaigns: k(Kpi::CampaignLeads),
            conversion_rate: k(Kpi::LeadConversionRate),
        },
        clients_onboarded: k(Kpi::ClientsOnboarded),
        workflows: WorkflowFigures {
            completed: k(Kpi::WorkflowsCompleted),
            failed: k(Kpi::WorkflowsFailed),
            success_rate: k(Kpi::WorkflowSuccessRate),
            average_duration_minutes: k(Kpi::AverageWorkflowMinutes),
            time_saved_hours: k(Kpi::TimeSavedHours),
            time_saved_basis: TIME_SAVED_BASIS,
        },
    }
}

pub fn performance_overview(t: &Totals) -> Value {
    json!(overview_figures(t))
}

/// One KPI over the period: its value now and before, the change, and its points per bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct Trend {
    pub kpi: Kpi,
    pub current: Option<f64>,
    pub previous: Option<f64>,
    pub change: Option<f64>,
    pub change_pct: Option<f64>,
    pub direction: &'static str,
    pub points: Vec<(Window, Option<f64>)>,
}

/// A [`Trend`] as the dashboard shows it.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct TrendView {
    pub kpi: &'static str,
    pub label: &'static str,
    #[schemars(extend("enum" = ["count", "ratio", "hours", "minutes"]))]
    pub unit: &'static str,
    pub current: Figure,
    pub previous: Figure,
    pub change: Figure,
    pub change_pct: Figure,
    #[schemars(extend("enum" = ["up", "down", "flat"]))]
    pub direction: &'static str,
    /// `day`, `week` or `month`: what one point of `series` covers.
    pub bucket: String,
    pub series: Vec<TrendPoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct TrendPoint {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub value: Figure,
}

impl Trend {
    pub fn view(&self, bucket: &str) -> TrendView {
        TrendView {
            kpi: self.kpi.key(),
            label: self.kpi.label(),
            unit: self.kpi.unit().as_str(),
            current: Figure(self.current),
            previous: Figure(self.previous),
            change: Figure(self.change),
            change_pct: Figure(self.change_pct),
            direction: self.direction,
            bucket: bucket.to_string(),
            series: self
                .points
                .iter()
                .map(|(w, v)| TrendPoint { start: w.start, end: w.end, value: Figure(*v) })
                .collect(),
        }
    }

    pub fn to_json(&self, bucket: &str) -> Value {
        json!(self.view(bucket))
    }
}

pub fn trend(daily: &Daily, kpi: Kpi, period: Period, today: NaiveDate) -> Trend {
    trends(daily, &[kpi], period, today).remove(0)
}

/// The KPIs a dashboard trends by default (the seed's performance overview).
pub const TRENDED: [Kpi; 10] = [
    Kpi::ListingsLaunched,
    Kpi::CmasProduced,
    Kpi::CampaignsApproved,
    Kpi::CampaignsDistributed,
    Kpi::LeadsHandled,
    Kpi::LeadsConverted,
    Kpi::SocialPostsCreated,
    Kpi::WorkflowsCompleted,
    Kpi::WorkflowSuccessRate,
    Kpi::TimeSavedHours,
];

/// Each KPI's trend; the windows are summed once for all of them.
pub fn trends(daily: &Daily, kpis: &[Kpi], period: Period, today: NaiveDate) -> Vec<Trend> {
    let current = daily.totals(period.window(today));
    let previous = daily.totals(period.previous(today));
    let points: Vec<(Window, Totals)> =
        buckets(period.window(today), period.bucket()).into_iter().map(|w| (w, daily.totals(w))).collect();
    kpis.iter()
        .map(|&kpi| {
            let (now, before) = (kpi.value(&current), kpi.value(&previous));
            let (change, change_pct, direction) = change(now, before);
            Trend {
                kpi,
                current: now,
                previous: before,
                change,
                change_pct,
                direction,
                points: points.iter().map(|(w, t)| (*w, kpi.value(t))).collect(),
            }
        })
        .collect()
}

/// Totals per user from `(user_id, metric, value)` rows.
pub fn per_user(rows: &[(String, String, f64)]) -> BTreeMap<String, Totals> {
    let mut out: BTreeMap<String, Totals> = BTreeMap::new();
    for (u, m, v) in rows {
        out.entry(u.clone()).or_default().add(m, *v);
    }
    out
}

/// One agent's figures for a team leader's breakdown.
/// Every KPI of one agent, by key.
pub fn agent_kpis(t: &Totals) -> BTreeMap<&'static str, Figure> {
    Kpi::ALL.iter().map(|k| (k.key(), Figure(k.value(t)))).collect()
}

pub fn agent_figures(t: &Totals) -> Value {
    json!(agent_kpis(t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kpi::metric;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn row(day: NaiveDate, metric: &str, value: f64) -> DayRow {
        DayRow { day, metric: metric.into(), value }
    }

    #[test]
    fn seven_day_trend_by_hand() {
        let today = d(3, 10);
        // Current window 4-10 March, previous 25 Feb - 3 March.
        let daily = Daily::from_rows(&[
            row(d(3, 4), metric::CMA_PRODUCED, 2.0),
            row(d(3, 10), metric::CMA_PRODUCED, 1.0),
            row(d(3, 3), metric::CMA_PRODUCED, 1.0),
            row(d(2, 24), metric::CMA_PRODUCED, 5.0), // outside both windows
            row(d(3, 9), metric::WORKFLOW_COMPLETED, 3.0),
            row(d(3, 9), metric::WORKFLOW_FAILED, 1.0),
            row(d(2, 28), metric::WORKFLOW_COMPLETED, 1.0),
            row(d(2, 28), metric::WORKFLOW_FAILED, 1.0),
        ]);
        let t = trend(&daily, Kpi::CmasProduced, Period::Days7, today);
        assert_eq!((t.current, t.previous), (Some(3.0), Some(1.0)));
        assert_eq!((t.change, t.change_pct, t.direction), (Some(2.0), Some(2.0), "up"));
        assert_eq!(t.points.len(), 7);
        assert_eq!(t.points[0], (Window::new(d(3, 4), d(3, 4)), Some(2.0)));
        assert_eq!(t.points[6].1, Some(1.0));
        let s = trend(&daily, Kpi::WorkflowSuccessRate, Period::Days7, today);
        assert_eq!((s.current, s.previous), (Some(0.75), Some(0.5)));
        assert_eq!(s.change_pct, Some(0.5));
        assert_eq!(s.points[5].1, Some(0.75));
        assert_eq!(s.points[0].1, None);
        let o = performance_overview(&daily.totals(Period::Days7.window(today)));
        assert_eq!(o["cma_reports_produced"], 3);
        assert_eq!(o["workflows"]["success_rate"], 0.75);
        assert_eq!(o["leads"]["conversion_rate"], Value::Null);
    }

    #[test]
    fn change_without_a_previous_value() {
        assert_eq!(change(Some(3.0), Some(0.0)), (Some(3.0), None, "up"));
        assert_eq!(change(None, Some(1.0)), (None, None, "flat"));
        assert_eq!(change(Some(1.0), Some(4.0)), (Some(-3.0), Some(-0.75), "down"));
    }
}
