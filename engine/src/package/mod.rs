//! Packages: TOML definitions of a DAG of steps, parsed and validated into an immutable model.
//!
//! `Package::parse` never stops at the first problem it can recover from: it returns every
//! diagnostic with its line and column. TOML syntax errors and unknown keys stop parsing early
//! because nothing after them can be trusted.

mod diagnostic;
mod file;
mod params;
mod validate;

use std::time::Duration;

use serde_json::Value;

pub use diagnostic::{Diagnostic, Diagnostics};
pub use params::{ParamError, ParamKind, Parameter};

use crate::condition::Condition;
use crate::dag::{Dag, StepIdx};
use crate::retry::RetryPolicy;
use crate::schedule::CronSchedule;

/// A validated package version. Immutable; shared behind `Arc` by the store and the workers.
#[derive(Debug)]
pub struct Package {
    pub name: String,
    pub display_name: String,
    pub description: String,
    pub deliverables: Vec<Deliverable>,
    pub parameters: Vec<Parameter>,
    pub schedules: Vec<Schedule>,
    /// Indexed by `StepIdx`: the order of `[[steps]]` in the file.
    pub steps: Vec<Step>,
    pub dag: Dag,
    /// Hex SHA-256 of the source text: identical files are the same version.
    pub content_hash: String,
}

#[derive(Debug, Clone)]
pub struct Deliverable {
    pub name: String,
    pub kind: String,
    /// The step whose output describes this deliverable.
    pub step: StepIdx,
}

#[derive(Debug)]
pub struct Schedule {
    pub name: String,
    pub cron: CronSchedule,
    pub parameters: Value,
    pub enabled: bool,
}

#[derive(Debug)]
pub struct Step {
    pub id: String,
    pub name: String,
    pub handler: String,
    pub depends_on: Vec<StepIdx>,
    pub estimated_duration: Duration,
    pub retry: RetryPolicy,
    pub timeout: Duration,
    /// Durable sleep between becoming runnable and running.
    pub delay: Duration,
    pub when: Option<Condition>,
    /// JSON object; string values of the form `$params.x` or `$steps.id.path` are references.
    pub input: Value,
}

/// Answers whether a handler name is registered. Stored versions were checked when they were
/// registered, so reloading them passes `&|_| true`.
pub type HandlerCheck<'a> = &'a dyn Fn(&str) -> bool;

impl Package {
    /// Parses and validates a package file.
    pub fn parse(source: &str, handler_exists: HandlerCheck<'_>) -> Result<Package, Diagnostics> {
        validate::parse(source, handler_exists)
    }

    pub fn step(&self, idx: StepIdx) -> &Step {
        &self.steps[idx.index()]
    }

    pub fn step_by_id(&self, id: &str) -> Option<StepIdx> {
        self.steps.iter().position(|s| s.id == id).map(StepIdx::from_index)
    }

    /// Sum of estimated step durations along the longest path: the expected wall time of a run.
    pub fn estimated_duration(&self) -> Duration {
        let estimates: Vec<Duration> = self.steps.iter().map(|s| s.estimated_duration + s.delay).collect();
        self.dag.longest_path(&estimates, |_| true)
    }

    /// Validates trigger parameters against the declared types and fills defaults.
    pub fn validate_params(&self, params: &Value) -> Result<Value, Vec<ParamError>> {
        params::validate(&self.parameters, params)
    }
}

/// The input a handler receives: references resolved against parameters and dependency outputs.
pub fn resolve_input(step: &Step, params: &Value, outputs: &serde_json::Map<String, Value>) -> Value {
    fn resolve(value: &Value, params: &Value, outputs: &serde_json::Map<String, Value>) -> Value {
        match value {
            Value::String(s) => match Reference::parse(s) {
                Some(Reference::Param(path)) => lookup(params, &path).cloned().unwrap_or(Value::Null),
                Some(Reference::Step(id, path)) => {
                    outputs.get(&id).and_then(|out| lookup(out, &path)).cloned().unwrap_or(Value::Null)
                }
                None => value.clone(),
            },
            Value::Array(items) => Value::Array(items.iter().map(|v| resolve(v, params, outputs)).collect()),
            Value::Object(map) => {
                Value::Object(map.iter().map(|(k, v)| (k.clone(), resolve(v, params, outputs))).collect())
            }
            other => other.clone(),
        }
    }
    resolve(&step.input, params, outputs)
}

/// The context a `when` condition is evaluated in: `{"params": …, "steps": {id: output}}`.
pub fn condition_context(params: &Value, outputs: &serde_json::Map<String, Value>) -> Value {
    serde_json::json!({ "params": params, "steps": outputs })
}

fn lookup<'v>(mut value: &'v Value, path: &[String]) -> Option<&'v Value> {
    for segment in path {
        value = match value {
            Value::Object(map) => map.get(segment)?,
            Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(value)
}

/// A reference inside a step's `input`.
#[derive(Debug, PartialEq)]
pub(crate) enum Reference {
    Param(Vec<String>),
    Step(String, Vec<String>),
}

impl Reference {
    /// `$params.a.b` or `$steps.id.a.b`; anything else is a literal string.
    pub(crate) fn parse(s: &str) -> Option<Reference> {
        let rest = s.strip_prefix('$')?;
        let mut parts = rest.split('.').map(str::to_string);
        match parts.next()?.as_str() {
            "params" => {
                let path: Vec<String> = parts.collect();
                (!path.is_empty()).then_some(Reference::Param(path))
            }
            "steps" => {
                let id = parts.next()?;
                Some(Reference::Step(id, parts.collect()))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
