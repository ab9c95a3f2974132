//! `/workflows/schedules`: cron schedules of packages — those declared in package files (which
//! may be enabled or disabled here) and those created through the API.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use store::ScheduleRow;

use crate::auth::Caller;
use crate::{json as body, ApiError, AppState};

/// How many upcoming runs a schedule shows.
const NEXT_RUNS: usize = 3;

/// A schedule with its next runs.
#[derive(Serialize, JsonSchema)]
pub(crate) struct ScheduleView {
    package_name: String,
    name: String,
    /// Five fields.
    cron: String,
    /// IANA name (Asia/Dubai by default).
    timezone: String,
    parameters: Value,
    enabled: bool,
    /// `package`: declared in the package file; `api`: created here.
    #[schemars(extend("enum" = ["package", "api"]))]
    source: String,
    created_by: Option<String>,
    /// UTC; null when disabled.
    next_run_at: Option<DateTime<Utc>>,
    /// The next three, in the schedule's own time zone (RFC 3339 with offset).
    next_runs: Vec<String>,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct ScheduleList {
    schedules: Vec<ScheduleView>,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct ScheduleDeleted {
    deleted: bool,
    package_name: String,
    name: String,
}

fn schedule_view(s: &ScheduleRow, now: DateTime<Utc>) -> ScheduleView {
    let cron = engine::schedule::CronSchedule::parse(&s.cron, Some(&s.timezone)).ok();
    // The next ticks, in the schedule's own time zone (Asia/Dubai unless it says otherwise), so a
    // reader sees "09:00+04:00" rather than the UTC hour; disabled schedules have none.
    let next_runs: Vec<String> = match (&cron, s.enabled) {
        (Some(c), true) => std::iter::successors(c.next_after(now), |t| c.next_after(*t))
            .take(NEXT_RUNS)
            .map(|t| t.with_timezone(&c.timezone()).to_rfc3339())
            .collect(),
        _ => Vec::new(),
    };
    let next = cron.as_ref().and_then(|c| c.next_after(now));
    ScheduleView {
        package_name: s.package_name.clone(),
        name: s.name.clone(),
        cron: s.cron.clone(),
        timezone: s.timezone.clone(),
        parameters: s.params.clone(),
        enabled: s.enabled,
        source: s.source.clone(),
        created_by: s.created_by.clone(),
        next_run_at: if s.enabled { next } else { None },
        next_runs,
    }
}

pub(crate) async fn list(State(s): State<AppState>) -> Result<Json<ScheduleList>, ApiError> {
    let now = s.rt.clock.now();
    let rows = s.rt.store.list_schedules().await?;
    Ok(Json(ScheduleList { schedules: rows.iter().map(|r| schedule_view(r, now)).collect() }))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateSchedule {
    package_name: String,
    name: String,
    /// Five fields: minute hour day-of-month month day-of-week.
    cron: String,
    /// IANA name; Asia/Dubai when absent.
    timezone: Option<String>,
    #[serde(default)]
    #[schemars(with = "Option<Map<String, Value>>")]
    parameters: Value,
    #[serde(default = "enabled_default")]
    enabled: bool,
}

fn enabled_default() -> bool {
    true
}

pub(crate) async fn create(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<ScheduleView>), ApiError> {
    let req: CreateSchedule = body::parse(&bytes)?;
    realestate::access::check_references(&s.estate, &caller.viewer(), &[&req.parameters]).await?;
    let row = ScheduleRow {
        package_name: req.package_name,
        name: req.name,
        cron: req.cron,
        timezone: req.timezone.unwrap_or_else(|| engine::schedule::DEFAULT_TIMEZONE.to_string()),
        params: req.parameters,
        enabled: req.enabled,
        source: "api".into(),
        created_by: Some(caller.id().to_string()),
    };
    let row = s.rt.create_schedule(row).await?;
    s.audit(
        Some(caller.id()),
        "schedule.create",
        Some(format!("{}/{}", row.package_name, row.name)),
        Some(json!({ "cron": row.cron })),
        None,
    )
    .await;
    Ok((StatusCode::CREATED, Json(schedule_view(&row, s.rt.clock.now()))))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PatchSchedule {
    enabled: bool,
}

pub(crate) async fn patch(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((package, name)): Path<(String, String)>,
    bytes: Bytes,
) -> Result<Json<ScheduleView>, ApiError> {
    let req: PatchSchedule = body::parse(&bytes)?;
    let now = s.rt.clock.now();
    let row = s.rt.store.set_schedule_enabled(&package, &name, req.enabled, now).await?;
    s.audit(
        Some(caller.id()),
        if req.enabled { "schedule.enable" } else { "schedule.disable" },
        Some(format!("{package}/{name}")),
        None,
        None,
    )
    .await;
    Ok(Json(schedule_view(&row, now)))
}

pub(crate) async fn delete(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((package, name)): Path<(String, String)>,
) -> Result<Json<ScheduleDeleted>, ApiError> {
    let existing = s.rt.store.list_schedules().await?.into_iter().find(|r| r.package_name == package && r.name == name);
    match existing {
        None => return Err(ApiError::not_found(format!("schedule `{package}/{name}`"))),
        Some(r) if r.source == "package" => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "declared_in_package",
                "this schedule is declared in the package file; disable it, or remove it from the file",
            ));
        }
        Some(_) => {}
    }
    let row = s.rt.store.delete_schedule(&package, &name).await?;
    s.audit(Some(caller.id()), "schedule.delete", Some(format!("{package}/{name}")), None, None).await;
    Ok(Json(ScheduleDeleted { deleted: true, package_name: row.package_name, name: row.name }))
}
