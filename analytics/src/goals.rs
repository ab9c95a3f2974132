//! Goals per agent or team: validation, and progress against the expected pace.
//!
//! A cumulative KPI (a count, hours) is on track when the actual reaches the target times the
//! elapsed fraction of the goal's period (days elapsed, today included, over the period's days).
//! A rate is on track when it is at or above its target. After the period it is achieved or
//! missed; before it, not started.

use chrono::NaiveDate;
use serde_json::{json, Value};

use crate::kpi::Kpi;
use crate::overview::round4;
use crate::period::Window;
use crate::{AnalyticsError, FieldError};

/// Longest goal period: a year (leap years included).
pub const MAX_GOAL_DAYS: i64 = 366;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    User,
    Team,
}

impl Scope {
    pub fn parse(s: &str) -> Option<Scope> {
        match s {
            "user" => Some(Scope::User),
            "team" => Some(Scope::Team),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::User => "user",
            Scope::Team => "team",
        }
    }
}

/// A goal as requested, before the API decides whether the caller may set it.
#[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalRequest {
    pub scope: String,
    /// The user's or team's id; defaults to the caller (or the caller's team).
    pub subject_id: Option<String>,
    pub kpi: String,
    pub target: f64,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
}

/// Checks every field and reports every problem at once.
pub fn validate(req: &GoalRequest) -> Result<(Scope, Kpi, Window), AnalyticsError> {
    let mut errors = Vec::new();
    let scope = Scope::parse(&req.scope);
    if scope.is_none() {
        errors.push(FieldError::new("scope", "must be user or team"));
    }
    let kpi = Kpi::parse(&req.kpi).ok();
    if kpi.is_none() {
        let known: Vec<&str> = Kpi::ALL.iter().map(|k| k.key()).collect();
        errors.push(FieldError::new("kpi", format!("unknown KPI; use one of {}", known.join(", "))));
    }
    if !req.target.is_finite() || req.target <= 0.0 {
        errors.push(FieldError::new("target", "must be a positive number"));
    } else if let Some(k) = kpi.filter(|k| k.unit() == crate::kpi::Unit::Ratio) {
        if req.target > 1.0 {
            errors.push(FieldError::new("target", format!("{} is a fraction: at most 1", k.key())));
        }
    }
    let window = Window::new(req.period_start, req.period_end);
    if req.period_end < req.period_start {
        errors.push(FieldError::new("period_end", "must not be before period_start"));
    } else if window.days() > MAX_GOAL_DAYS {
        errors.push(FieldError::new("period_end", format!("a goal spans at most {MAX_GOAL_DAYS} days")));
    }
    match (scope, kpi) {
        (Some(s), Some(k)) if errors.is_empty() => Ok((s, k, window)),
        _ => Err(AnalyticsError::Invalid(errors)),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub actual: f64,
    /// actual / target.
    pub progress: f64,
    /// Where a cumulative KPI should be by today at an even pace (the target for rates).
    pub expected: f64,
    pub elapsed_fraction: f64,
    /// `not_started`, `on_track`, `behind`, `achieved` or `missed`.
    pub status: &'static str,
}

pub fn progress(kpi: Kpi, target: f64, window: Window, actual: Option<f64>, today: NaiveDate) -> Progress {
    let actual = actual.unwrap_or(0.0);
    let elapsed_days = ((today - window.start).num_days() + 1).clamp(0, window.days());
    let elapsed_fraction = elapsed_days as f64 / window.days() as f64;
    let expected = if kpi.cumulative() { target * elapsed_fraction } else { target };
    let reached = actual >= target;
    let status = if today < window.start {
        "not_started"
    } else if today > window.end {
        if reached {
            "achieved"
        } else {
            "missed"
        }
    } else if reached && kpi.cumulative() {
        "achieved"
    } else if actual >= expected {
        "on_track"
    } else {
        "behind"
    };
    Progress { actual, progress: actual / target, expected, elapsed_fraction, status }
}

/// A goal's [`Progress`] as the API shows it, rounded for display.
#[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct ProgressView {
    pub actual: f64,
    pub progress: f64,
    pub expected_by_now: f64,
    pub elapsed_fraction: f64,
    #[schemars(extend("enum" = ["not_started", "on_track", "behind", "achieved", "missed"]))]
    pub status: &'static str,
}

impl Progress {
    pub fn view(&self) -> ProgressView {
        ProgressView {
            actual: round4(self.actual),
            progress: round4(self.progress),
            expected_by_now: round4(self.expected),
            elapsed_fraction: round4(self.elapsed_fraction),
            status: self.status,
        }
    }

    pub fn to_json(&self) -> Value {
        json!(self.view())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn pace_by_elapsed_fraction() {
        let march = Window::new(d(3, 1), d(3, 31));
        // 10 of 31 days elapsed: 20 CMAs expected 6.4516 by now.
        let p = progress(Kpi::CmasProduced, 20.0, march, Some(7.0), d(3, 10));
        assert_eq!(p.status, "on_track");
        assert!((p.expected - 20.0 * 10.0 / 31.0).abs() < 1e-9);
        assert_eq!(p.progress, 0.35);
        assert_eq!(progress(Kpi::CmasProduced, 20.0, march, Some(6.0), d(3, 10)).status, "behind");
        assert_eq!(progress(Kpi::CmasProduced, 20.0, march, Some(20.0), d(3, 10)).status, "achieved");
        assert_eq!(progress(Kpi::CmasProduced, 20.0, march, Some(19.0), d(4, 1)).status, "missed");
        assert_eq!(progress(Kpi::CmasProduced, 20.0, march, None, d(2, 1)).status, "not_started");
        let rate = progress(Kpi::WorkflowSuccessRate, 0.9, march, Some(0.95), d(3, 2));
        assert_eq!((rate.status, rate.expected), ("on_track", 0.9));
        assert_eq!(progress(Kpi::WorkflowSuccessRate, 0.9, march, Some(0.5), d(3, 2)).status, "behind");
    }

    #[test]
    fn validation_reports_every_field() {
        let req = GoalRequest {
            scope: "company".into(),
            subject_id: None,
            kpi: "revenue".into(),
            target: -1.0,
            period_start: d(3, 31),
            period_end: d(3, 1),
        };
        let AnalyticsError::Invalid(errors) = validate(&req).unwrap_err() else { panic!() };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["scope", "kpi", "target", "period_end"]);
        let ok = GoalRequest {
            scope: "team".into(),
            kpi: "cmas_produced".into(),
            target: 5.0,
            period_start: d(3, 1),
            period_end: d(3, 31),
            ..req
        };
        assert_eq!(validate(&ok).unwrap().0, Scope::Team);
    }
}
