//! `GET /workflows/analytics`: per package, how executions went, from the stored steps.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::{Extension, Json};
use engine::{ExecutionStatus, StepStatus};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
#[cfg(test)]
use serde_json::json;
use store::{ExecutionFilter, StepRecord};

use crate::auth::Caller;
use crate::{ApiError, AppState};

/// Executions read per request; analytics over more use the performance metrics (issue of its own).
const EXECUTIONS_MAX: u32 = 10_000;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AnalyticsQuery {
    /// 30d when absent.
    #[schemars(extend("enum" = ["7d", "30d", "90d", "365d", "all"]))]
    period: Option<String>,
    package: Option<String>,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct WorkflowAnalytics {
    period: String,
    packages: Vec<PackageSummary>,
}

/// How a package's executions in the period went; rates and durations are null without data.
#[derive(Serialize, JsonSchema)]
pub(crate) struct PackageSummary {
    package_name: String,
    runs: usize,
    completed: usize,
    failed: usize,
    cancelled: usize,
    in_progress: usize,
    /// Completed over finished.
    success_rate: Option<f64>,
    mean_duration_seconds: Option<f64>,
    p95_duration_seconds: Option<f64>,
    steps: Vec<StepSummary>,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct StepSummary {
    step_id: String,
    succeeded: usize,
    mean_duration_seconds: Option<f64>,
    failures: usize,
    /// Most frequent first.
    failure_reasons: Vec<FailureReason>,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct FailureReason {
    reason: String,
    count: usize,
}

fn period_days(p: &str) -> Option<Option<i64>> {
    match p {
        "7d" => Some(Some(7)),
        "30d" => Some(Some(30)),
        "90d" => Some(Some(90)),
        "365d" => Some(Some(365)),
        "all" => Some(None),
        _ => None,
    }
}

pub(crate) async fn analytics(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    q: Result<Query<AnalyticsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<WorkflowAnalytics>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    let period = q.period.unwrap_or_else(|| "30d".into());
    let days = period_days(&period)
        .ok_or_else(|| ApiError::bad_request("invalid_query", "period must be 7d, 30d, 90d, 365d or all"))?;
    let (created_by, team_id) = caller.scope();
    let filter = ExecutionFilter {
        package_name: q.package,
        created_by,
        team_id,
        created_after: days.map(|d| s.rt.clock.now() - chrono::Duration::days(d)),
        limit: EXECUTIONS_MAX,
        ..ExecutionFilter::default()
    };
    let records = s.rt.store.step_records(&filter).await?;
    Ok(Json(WorkflowAnalytics { period, packages: summarize(&records) }))
}

fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((sorted.len() as f64) * q).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Pure aggregation: per package, then per step.
pub(crate) fn summarize(records: &[StepRecord]) -> Vec<PackageSummary> {
    let mut by_package: BTreeMap<&str, Vec<&StepRecord>> = BTreeMap::new();
    for r in records {
        by_package.entry(r.package_name.as_str()).or_default().push(r);
    }
    by_package
        .into_iter()
        .map(|(package, rows)| {
            let mut executions: BTreeMap<uuid::Uuid, &StepRecord> = BTreeMap::new();
            for r in &rows {
                executions.entry(r.execution_id).or_insert(r);
            }
            let count = |st: ExecutionStatus| executions.values().filter(|r| r.execution_status == st).count();
            let (completed, failed, cancelled) =
                (count(ExecutionStatus::Completed), count(ExecutionStatus::Failed), count(ExecutionStatus::Cancelled));
            let finished = completed + failed + cancelled;
            let mut durations: Vec<f64> = executions
                .values()
                .filter(|r| r.execution_status == ExecutionStatus::Completed)
                .filter_map(|r| {
                    r.execution_finished_at.map(|f| (f - r.execution_created_at).num_milliseconds() as f64 / 1000.0)
                })
                .collect();
            durations.sort_by(|a, b| a.total_cmp(b));
            let mean = (!durations.is_empty()).then(|| durations.iter().sum::<f64>() / durations.len() as f64);

            // Per step: durations, failures, and failures per reason.
            #[allow(clippy::type_complexity)]
            let mut steps: BTreeMap<&str, (Vec<f64>, usize, BTreeMap<String, usize>)> = BTreeMap::new();
            for r in &rows {
                let entry = steps.entry(r.step_id.as_str()).or_default();
                if let (StepStatus::Succeeded, Some(a), Some(b)) = (r.status, r.started_at, r.finished_at) {
                    entry.0.push((b - a).num_milliseconds() as f64 / 1000.0);
                }
                if r.status == StepStatus::Failed {
                    entry.1 += 1;
                    let reason = r.error.clone().unwrap_or_else(|| "unknown".into());
                    *entry.2.entry(reason.chars().take(200).collect()).or_default() += 1;
                }
            }
            PackageSummary {
                package_name: package.to_string(),
                runs: executions.len(),
                completed,
                failed,
                cancelled,
                in_progress: executions.len() - finished,
                success_rate: if finished == 0 { None } else { Some(round(completed as f64 / finished as f64)) },
                mean_duration_seconds: mean.map(round),
                p95_duration_seconds: percentile(&durations, 0.95).map(round),
                steps: steps
                    .into_iter()
                    .map(|(step, (d, failures, reasons))| {
                        let mut reasons: Vec<(String, usize)> = reasons.into_iter().collect();
                        reasons.sort_by_key(|r| std::cmp::Reverse(r.1));
                        StepSummary {
                            step_id: step.to_string(),
                            succeeded: d.len(),
                            mean_duration_seconds: (!d.is_empty())
                                .then(|| round(d.iter().sum::<f64>() / d.len() as f64)),
                            failures,
                            failure_reasons: reasons
                                .into_iter()
                                .map(|(reason, count)| FailureReason { reason, count })
                                .collect(),
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn rec(
        exec: u128,
        status: ExecutionStatus,
        secs: i64,
        step: &str,
        st: StepStatus,
        err: Option<&str>,
    ) -> StepRecord {
        let t0 = chrono::Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        StepRecord {
            execution_id: uuid::Uuid::from_u128(exec),
            package_name: "p".into(),
            execution_status: status,
            execution_created_at: t0,
            execution_finished_at: Some(t0 + chrono::Duration::seconds(secs)),
            step_id: step.into(),
            status: st,
            attempt: 1,
            started_at: Some(t0),
            finished_at: Some(t0 + chrono::Duration::seconds(secs)),
            error: err.map(str::to_string),
        }
    }

    #[test]
    fn success_rate_durations_and_failure_reasons() {
        use ExecutionStatus::*;
        let rows = vec![
            rec(1, Completed, 10, "a", StepStatus::Succeeded, None),
            rec(2, Completed, 20, "a", StepStatus::Succeeded, None),
            rec(3, Failed, 5, "a", StepStatus::Failed, Some("portal down")),
            rec(4, Failed, 5, "a", StepStatus::Failed, Some("portal down")),
        ];
        let out = json!(summarize(&rows));
        let p = &out[0];
        assert_eq!(p["runs"], 4);
        assert_eq!(p["success_rate"], 0.5);
        assert_eq!(p["mean_duration_seconds"], 15.0);
        assert_eq!(p["p95_duration_seconds"], 20.0);
        assert_eq!(p["steps"][0]["failures"], 2);
        assert_eq!(p["steps"][0]["failure_reasons"][0], json!({ "reason": "portal down", "count": 2 }));
    }
}
