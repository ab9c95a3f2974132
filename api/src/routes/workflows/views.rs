//! The workflows API's answers: packages, executions and their steps, as the wire shows them.

use chrono::{DateTime, Utc};
use engine::package::{ParamKind, Parameter};
use engine::Package;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::contract::names::{ControlAction, ExecutionStatus, StepStatus};

type Time = DateTime<Utc>;

pub(crate) fn secs(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 10.0).round() / 10.0
}

/// A typed package parameter; the bounds present depend on `type`.
#[derive(Serialize, JsonSchema)]
pub(crate) struct ParameterView {
    name: String,
    #[serde(rename = "type")]
    #[schemars(extend("enum" = ["string", "integer", "number", "boolean", "enum", "array", "object"]))]
    kind: &'static str,
    required: bool,
    default: Option<Value>,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    min: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    min_length: Option<Option<u32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_length: Option<Option<u32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pattern: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    values: Option<Vec<String>>,
}

impl From<&Parameter> for ParameterView {
    fn from(p: &Parameter) -> ParameterView {
        let mut v = ParameterView {
            name: p.name.clone(),
            kind: p.kind.type_name(),
            required: p.required,
            default: p.default.clone(),
            description: p.description.clone(),
            min: None,
            max: None,
            min_length: None,
            max_length: None,
            pattern: None,
            values: None,
        };
        match &p.kind {
            // Integer bounds are stored as f64; whole ones are rendered as integers (`0`, not `0.0`).
            ParamKind::Integer { min, max } => {
                let whole = |b: &Option<f64>| match *b {
                    Some(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => json!(x as i64),
                    other => json!(other),
                };
                v.min = Some(whole(min));
                v.max = Some(whole(max));
            }
            ParamKind::Number { min, max } => {
                v.min = Some(json!(min));
                v.max = Some(json!(max));
            }
            ParamKind::String { min_length, max_length, pattern } => {
                v.min_length = Some(*min_length);
                v.max_length = Some(*max_length);
                v.pattern = Some(pattern.as_ref().map(|r| r.as_str().to_string()));
            }
            ParamKind::Enum { values } => v.values = Some(values.clone()),
            _ => {}
        }
        v
    }
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct DeliverableView {
    name: String,
    kind: String,
    step: String,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct PackageScheduleView {
    name: String,
    cron: String,
    timezone: String,
    enabled: bool,
}

/// A package version as listed.
#[derive(Serialize, JsonSchema)]
pub(crate) struct PackageView {
    name: String,
    display_name: String,
    description: String,
    version: i32,
    active: bool,
    content_hash: String,
    estimated_duration_seconds: f64,
    parameters: Vec<ParameterView>,
    required_parameters: Vec<String>,
    optional_parameters: Vec<String>,
    deliverables: Vec<DeliverableView>,
    schedules: Vec<PackageScheduleView>,
    step_count: usize,
}

impl PackageView {
    pub(crate) fn new(p: &Package, version: i32, active: bool) -> PackageView {
        PackageView {
            name: p.name.clone(),
            display_name: p.display_name.clone(),
            description: p.description.clone(),
            version,
            active,
            content_hash: p.content_hash.clone(),
            estimated_duration_seconds: secs(p.estimated_duration()),
            parameters: p.parameters.iter().map(ParameterView::from).collect(),
            required_parameters: p.parameters.iter().filter(|x| x.required).map(|x| x.name.clone()).collect(),
            optional_parameters: p.parameters.iter().filter(|x| !x.required).map(|x| x.name.clone()).collect(),
            deliverables: p
                .deliverables
                .iter()
                .map(|d| DeliverableView {
                    name: d.name.clone(),
                    kind: d.kind.clone(),
                    step: p.step(d.step).id.clone(),
                })
                .collect(),
            schedules: p
                .schedules
                .iter()
                .map(|s| PackageScheduleView {
                    name: s.name.clone(),
                    cron: s.cron.expression().to_string(),
                    timezone: s.cron.timezone().name().to_string(),
                    enabled: s.enabled,
                })
                .collect(),
            step_count: p.steps.len(),
        }
    }
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct PackageList {
    pub packages: Vec<PackageView>,
    pub total: usize,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct StepDefinitionView {
    id: String,
    name: String,
    handler: String,
    depends_on: Vec<String>,
    estimated_duration_seconds: f64,
    timeout_seconds: f64,
    delay_seconds: f64,
    max_attempts: u32,
    /// The step's `when` condition as written, if any.
    when: Option<String>,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct GraphNode {
    id: String,
    label: String,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct GraphEdge {
    from: String,
    to: String,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct Graph {
    nodes: Vec<GraphNode>,
    edges: Vec<GraphEdge>,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct VersionView {
    pub version: i32,
    pub content_hash: String,
    pub created_at: Time,
}

/// One package version in full: its steps, graph, TOML source and the list of versions.
#[derive(Serialize, JsonSchema)]
pub(crate) struct PackageDetail {
    #[serde(flatten)]
    pub package: PackageView,
    pub latest_version: i32,
    pub source: Option<String>,
    pub steps: Vec<StepDefinitionView>,
    pub graph: Graph,
    pub versions: Vec<VersionView>,
}

impl PackageDetail {
    pub(crate) fn steps(p: &Package) -> (Vec<StepDefinitionView>, Graph) {
        let steps = p
            .steps
            .iter()
            .map(|st| StepDefinitionView {
                id: st.id.clone(),
                name: st.name.clone(),
                handler: st.handler.clone(),
                depends_on: st.depends_on.iter().map(|d| p.step(*d).id.clone()).collect(),
                estimated_duration_seconds: secs(st.estimated_duration),
                timeout_seconds: secs(st.timeout),
                delay_seconds: secs(st.delay),
                max_attempts: st.retry.max_attempts,
                when: st.when.as_ref().map(|w| w.source().to_string()),
            })
            .collect();
        let graph = Graph {
            nodes: p.steps.iter().map(|st| GraphNode { id: st.id.clone(), label: st.name.clone() }).collect(),
            edges: p
                .steps
                .iter()
                .flat_map(|st| {
                    st.depends_on.iter().map(|d| GraphEdge { from: p.step(*d).id.clone(), to: st.id.clone() })
                })
                .collect(),
        };
        (steps, graph)
    }
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct Validated {
    pub valid: bool,
    pub package: PackageView,
}

/// 201 when this content is a new version, 200 when it equals the latest.
#[derive(Serialize, JsonSchema)]
pub(crate) struct Registered {
    pub name: String,
    pub version: i32,
    pub content_hash: String,
    pub created: bool,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct Deactivated {
    pub name: String,
    pub active: bool,
}

/// The answer to a trigger: 202, the execution runs in the background.
#[derive(Serialize, JsonSchema)]
pub(crate) struct Started {
    pub execution_id: Uuid,
    pub package_name: String,
    pub status: ExecutionStatus,
    /// False when the Idempotency-Key named an execution started before.
    pub created: bool,
    pub estimated_completion: Option<Time>,
    pub estimated_duration_seconds: f64,
    pub status_url: String,
}

#[derive(Serialize, JsonSchema, Clone)]
pub(crate) struct CurrentStep {
    step_id: String,
    step_name: String,
    started_at: Option<Time>,
    attempt: i32,
    estimated_completion: Option<Time>,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct StepRunView {
    step_id: String,
    step_name: String,
    handler: String,
    status: StepStatus,
    attempts: i32,
    max_attempts: i32,
    started_at: Option<Time>,
    completed_at: Option<Time>,
    /// When a step waiting to retry (or waiting for something) looks again.
    next_attempt_at: Option<Time>,
    duration_seconds: Option<f64>,
    error: Option<String>,
    /// Ready but waiting (for a signal, a setting, a date): `waiting_for` says for what.
    waiting: bool,
    waiting_for: Option<String>,
    /// The worker running it.
    worker: Option<String>,
    /// Scalars of the output as they are, collections by size.
    output_summary: Option<Value>,
}

/// An execution's progress, current steps and ETA.
#[derive(Serialize, JsonSchema)]
pub(crate) struct StatusReport {
    execution_id: Uuid,
    package_name: String,
    package_version: i32,
    status: ExecutionStatus,
    progress_percentage: f64,
    current_step: Option<CurrentStep>,
    current_steps: Vec<CurrentStep>,
    total_steps: usize,
    completed_steps: usize,
    running_steps: usize,
    failed_steps: usize,
    skipped_steps: usize,
    /// Seconds.
    estimated_time_remaining: f64,
    estimated_completion: Option<Time>,
    created_at: Time,
    started_at: Option<Time>,
    completed_at: Option<Time>,
    error: Option<String>,
    steps: Vec<StepRunView>,
}

impl From<&runtime::StatusView> for StatusReport {
    fn from(v: &runtime::StatusView) -> StatusReport {
        let e = &v.execution;
        let current: Vec<CurrentStep> = e
            .steps
            .iter()
            .enumerate()
            .filter(|(_, st)| st.status == engine::StepStatus::Running)
            .map(|(i, st)| {
                let def = &v.package.steps[i];
                CurrentStep {
                    step_id: def.id.clone(),
                    step_name: def.name.clone(),
                    started_at: st.started_at,
                    attempt: st.attempt,
                    estimated_completion: st
                        .started_at
                        .map(|t| t + chrono::Duration::from_std(v.estimates[i]).unwrap_or_default()),
                }
            })
            .collect();
        let steps = e
            .steps
            .iter()
            .enumerate()
            .map(|(i, st)| {
                let def = &v.package.steps[i];
                StepRunView {
                    step_id: def.id.clone(),
                    step_name: def.name.clone(),
                    handler: def.handler.clone(),
                    status: st.status.into(),
                    attempts: st.attempt,
                    max_attempts: st.max_attempts,
                    started_at: st.started_at,
                    completed_at: st.finished_at,
                    next_attempt_at: if st.status == engine::StepStatus::Ready { st.ready_at } else { None },
                    duration_seconds: match (st.started_at, st.finished_at) {
                        (Some(a), Some(b)) => Some(((b - a).num_milliseconds() as f64) / 1000.0),
                        _ => None,
                    },
                    error: if st.waiting { None } else { st.error.clone() },
                    waiting: st.waiting,
                    waiting_for: if st.waiting { st.error.clone() } else { None },
                    worker: st.lease_owner.clone(),
                    output_summary: st.output.as_ref().map(summarize),
                }
            })
            .collect();
        StatusReport {
            execution_id: e.id,
            package_name: e.package_name.clone(),
            package_version: e.package_version,
            status: e.status.into(),
            progress_percentage: (v.progress.percentage * 10.0).round() / 10.0,
            current_step: current.first().cloned(),
            current_steps: current,
            total_steps: v.progress.total,
            completed_steps: v.progress.completed,
            running_steps: v.progress.running,
            failed_steps: v.progress.failed,
            skipped_steps: v.progress.skipped,
            estimated_time_remaining: secs(v.estimated_remaining),
            estimated_completion: v.estimated_completion,
            created_at: e.created_at,
            started_at: e.started_at,
            completed_at: e.finished_at,
            error: e.error.clone(),
            steps,
        }
    }
}

/// A short view of a step output: scalars as they are, collections by size.
fn summarize(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .take(12)
                .map(|(k, v)| {
                    let s = match v {
                        Value::Array(a) => json!(format!("[{} items]", a.len())),
                        Value::Object(o) => json!(format!("{{{} fields}}", o.len())),
                        Value::String(s) if s.chars().count() > 120 => {
                            json!(format!("{}…", s.chars().take(120).collect::<String>()))
                        }
                        other => other.clone(),
                    };
                    (k.clone(), s)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct ExecutionDeliverable {
    name: String,
    kind: String,
    step_id: String,
    status: StepStatus,
    output: Option<Value>,
}

/// An execution in full: its status report, parameters, each reached step's input and output,
/// and its deliverables.
#[derive(Serialize, JsonSchema)]
pub(crate) struct ExecutionDetail {
    #[serde(flatten)]
    status: StatusReport,
    parameters: Value,
    priority: i32,
    created_by: Option<String>,
    /// By step id, for steps that have been reached.
    inputs: Map<String, Value>,
    /// By step id, for steps that produced one.
    outputs: Map<String, Value>,
    deliverables: Vec<ExecutionDeliverable>,
}

impl From<&runtime::StatusView> for ExecutionDetail {
    fn from(view: &runtime::StatusView) -> ExecutionDetail {
        let outputs: Map<String, Value> = view
            .execution
            .steps
            .iter()
            .filter_map(|st| st.output.as_ref().map(|o| (st.step_id.clone(), o.clone())))
            .collect();
        // Each step's input as its handler gets it (the package's `input` with parameters and earlier
        // outputs filled in); only for steps that have been reached: a pending step's is not known yet.
        let inputs = view
            .package
            .steps
            .iter()
            .zip(&view.execution.steps)
            .filter(|(_, st)| st.status != engine::StepStatus::Pending)
            .map(|(def, st)| {
                (st.step_id.clone(), engine::package::resolve_input(def, &view.execution.params, &outputs))
            })
            .collect();
        let deliverables = view
            .package
            .deliverables
            .iter()
            .map(|d| {
                let st = &view.execution.steps[d.step.index()];
                ExecutionDeliverable {
                    name: d.name.clone(),
                    kind: d.kind.clone(),
                    step_id: st.step_id.clone(),
                    status: st.status.into(),
                    output: st.output.clone(),
                }
            })
            .collect();
        ExecutionDetail {
            status: view.into(),
            parameters: view.execution.params.clone(),
            priority: view.execution.priority,
            created_by: view.execution.created_by.clone(),
            inputs,
            outputs,
            deliverables,
        }
    }
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct Controlled {
    pub execution_id: Uuid,
    pub action: ControlAction,
    /// The state after the command.
    pub status: ExecutionStatus,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct ExecutionRow {
    execution_id: Uuid,
    package_name: String,
    package_version: i32,
    status: ExecutionStatus,
    created_by: Option<String>,
    created_at: Time,
    completed_at: Option<Time>,
}

impl From<&store::ExecutionSummary> for ExecutionRow {
    fn from(r: &store::ExecutionSummary) -> ExecutionRow {
        ExecutionRow {
            execution_id: r.id,
            package_name: r.package_name.clone(),
            package_version: r.package_version,
            status: r.status.into(),
            created_by: r.created_by.clone(),
            created_at: r.created_at,
            completed_at: r.finished_at,
        }
    }
}

/// Newest first; pass `next_cursor` as `cursor` for the next page (null on the last).
#[derive(Serialize, JsonSchema)]
pub(crate) struct ExecutionPage {
    pub executions: Vec<ExecutionRow>,
    pub next_cursor: Option<Uuid>,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct EventView {
    id: i64,
    at: Time,
    kind: String,
    step_id: Option<String>,
    attempt: Option<i32>,
    detail: Option<Value>,
}

impl From<&store::EventRecord> for EventView {
    fn from(e: &store::EventRecord) -> EventView {
        EventView {
            id: e.id,
            at: e.at,
            kind: e.kind.clone(),
            step_id: e.step_id.clone(),
            attempt: e.attempt,
            detail: e.detail.clone(),
        }
    }
}

/// Oldest first; pass the last `id` as `after` for more.
#[derive(Serialize, JsonSchema)]
pub(crate) struct EventPage {
    pub execution_id: Uuid,
    pub events: Vec<EventView>,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct StepRetried {
    pub execution_id: Uuid,
    pub step_id: String,
    pub status: ExecutionStatus,
}

/// 202: the signal is stored; waiting steps wake up.
#[derive(Serialize, JsonSchema)]
pub(crate) struct SignalAccepted {
    pub execution_id: Uuid,
    pub signal_id: i64,
    pub name: String,
}
