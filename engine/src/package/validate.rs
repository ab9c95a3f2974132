//! From TOML text to a validated `Package`, collecting every diagnostic on the way.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use serde_json::Value;
use sha2::{Digest, Sha256};
use toml::Spanned;

use super::diagnostic::{Diagnostic, Diagnostics, LineIndex};
use super::file::{PackageFile, ParameterFile, RetryFile, StepFile};
use super::params::{check_value, ParamKind, Parameter};
use super::{Deliverable, HandlerCheck, Package, Reference, Schedule, Step};
use crate::condition::Condition;
use crate::dag::{Dag, StepIdx};
use crate::duration::parse_duration;
use crate::limits;
use crate::retry::RetryPolicy;
use crate::schedule::CronSchedule;

const DEFAULT_ESTIMATE: Duration = Duration::from_secs(30);
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

struct Ctx<'a> {
    source: &'a str,
    lines: LineIndex<'a>,
    diagnostics: Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn error(&mut self, offset: usize, code: &'static str, message: impl Into<String>) {
        let d = self.lines.diagnostic(offset, code, message);
        self.diagnostics.push(d);
    }

    fn duration(&mut self, text: &Spanned<String>, max_ms: u64, what: &str) -> Option<Duration> {
        match parse_duration(text.get_ref()) {
            Ok(d) if d.as_millis() as u64 > max_ms => {
                let max = crate::duration::format_duration(Duration::from_millis(max_ms));
                self.error(
                    text.span().start,
                    "bad_duration",
                    format!("{what} `{}` exceeds the limit of {max}", text.get_ref()),
                );
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                self.error(text.span().start, "bad_duration", format!("{what}: {e}"));
                None
            }
        }
    }
}

pub(super) fn parse(source: &str, handler_exists: HandlerCheck<'_>) -> Result<Package, Diagnostics> {
    let mut cx = Ctx { source, lines: LineIndex::new(source), diagnostics: Vec::new() };
    if source.len() > limits::PACKAGE_BYTES_MAX {
        cx.error(0, "too_large", format!("package file exceeds {} bytes", limits::PACKAGE_BYTES_MAX));
        return Err(Diagnostics(cx.diagnostics));
    }
    let file: PackageFile = match toml::from_str(source) {
        Ok(file) => file,
        Err(e) => {
            let offset = e.span().map_or(0, |s| s.start);
            let message = e.message().trim().to_string();
            let code = if message.contains("unknown field") { "unknown_key" } else { "toml" };
            cx.error(offset, code, message);
            return Err(Diagnostics(cx.diagnostics));
        }
    };

    check_identifier(&mut cx, &file.name, "package name");
    let default_retry = retry_policy(&mut cx, file.retry.as_ref(), &RetryPolicy::default());
    let default_timeout = file
        .timeout
        .as_ref()
        .and_then(|t| cx.duration(t, limits::TIMEOUT_MS_MAX, "timeout"))
        .unwrap_or(DEFAULT_TIMEOUT);
    let parameters = parameters(&mut cx, &file.parameters);

    // Steps: ids first, so that dependencies can refer to later steps.
    if file.steps.is_empty() {
        cx.error(file.name.span().start, "no_steps", "a package needs at least one [[steps]] entry");
    }
    if file.steps.len() > limits::STEPS_PER_PACKAGE_MAX {
        cx.error(0, "too_many_steps", format!("at most {} steps per package", limits::STEPS_PER_PACKAGE_MAX));
        return Err(Diagnostics(cx.diagnostics));
    }
    let mut ids: HashMap<&str, StepIdx> = HashMap::new();
    for (i, step) in file.steps.iter().enumerate() {
        let id = &step.get_ref().id;
        check_identifier(&mut cx, id, "step id");
        if ids.insert(id.get_ref().as_str(), StepIdx::from_index(i)).is_some() {
            cx.error(id.span().start, "duplicate_step", format!("duplicate step id `{}`", id.get_ref()));
        }
    }
    let mut steps = Vec::with_capacity(file.steps.len());
    let mut dependency_errors = false;
    for step in &file.steps {
        let (built, ok) = build_step(&mut cx, step.get_ref(), &ids, handler_exists, &default_retry, default_timeout);
        dependency_errors |= !ok;
        steps.push(built);
    }

    let dag = if dependency_errors || cx.diagnostics.iter().any(|d| d.code == "duplicate_step") {
        None
    } else {
        let edges: Vec<Vec<StepIdx>> = steps.iter().map(|s: &Step| s.depends_on.clone()).collect();
        match Dag::new(&edges) {
            Ok(dag) => Some(dag),
            Err(cycle) => {
                let names: Vec<&str> = cycle.iter().map(|i| steps[i.index()].id.as_str()).collect();
                let first = &file.steps[cycle[0].index()];
                cx.error(first.span().start, "cycle", format!("dependency cycle: {}", names.join(" -> ")));
                None
            }
        }
    };
    if let Some(dag) = &dag {
        check_references(&mut cx, &file.steps, &steps, dag, &parameters);
    }

    let mut schedules = Vec::new();
    for s in &file.schedules {
        let tz = s.timezone.as_ref().map(|t| t.get_ref().as_str());
        let cron = match CronSchedule::parse(s.cron.get_ref(), tz) {
            Ok(c) => Some(c),
            Err(e) => {
                let at = match (&e, &s.timezone) {
                    (crate::schedule::ScheduleError::TimeZone(_), Some(t)) => t.span().start,
                    _ => s.cron.span().start,
                };
                cx.error(at, "bad_cron", e.to_string());
                None
            }
        };
        let params = toml_to_json(&toml::Value::Table(s.parameters.clone()));
        if let Err(errors) = super::params::validate(&parameters, &params) {
            for e in errors {
                cx.error(
                    s.name.span().start,
                    "bad_schedule_parameters",
                    format!("schedule `{}`: {e}", s.name.get_ref()),
                );
            }
        }
        if let Some(cron) = cron {
            schedules.push(Schedule { name: s.name.get_ref().clone(), cron, parameters: params, enabled: s.enabled });
        }
    }
    if file.schedules.len() > limits::SCHEDULES_PER_PACKAGE_MAX {
        cx.error(0, "too_many_schedules", format!("at most {} schedules", limits::SCHEDULES_PER_PACKAGE_MAX));
    }
    let mut schedule_names = HashSet::new();
    for s in &file.schedules {
        if !schedule_names.insert(s.name.get_ref()) {
            cx.error(s.name.span().start, "duplicate_schedule", format!("duplicate schedule `{}`", s.name.get_ref()));
        }
    }

    let mut deliverables = Vec::new();
    for d in &file.deliverables {
        match ids.get(d.step.get_ref().as_str()) {
            Some(&step) => deliverables.push(Deliverable { name: d.name.clone(), kind: d.kind.clone(), step }),
            None => cx.error(
                d.step.span().start,
                "unknown_step",
                format!("deliverable `{}` names unknown step `{}`", d.name, d.step.get_ref()),
            ),
        }
    }

    match dag {
        Some(dag) if cx.diagnostics.is_empty() => Ok(Package {
            name: file.name.get_ref().clone(),
            display_name: file.display_name.unwrap_or_else(|| file.name.get_ref().clone()),
            description: file.description,
            deliverables,
            parameters,
            schedules,
            steps,
            dag,
            content_hash: content_hash(source),
        }),
        _ => Err(Diagnostics(cx.diagnostics)),
    }
}

/// Byte offset in `source` of the `column`-th (1-based) character of the value of the TOML string
/// whose opening delimiter is at `start`: skips the delimiter (and the newline that may follow a
/// `"""`), and counts each escape sequence as the one character it stands for.
fn string_char_offset(source: &str, start: usize, column: usize) -> usize {
    let raw = &source[start..];
    let multi_line = raw.starts_with("\"\"\"") || raw.starts_with("'''");
    let literal = raw.starts_with('\'');
    let mut at = start + if multi_line { 3 } else { 1 };
    if multi_line {
        at += ["\r\n", "\n"].iter().find(|nl| source[at..].starts_with(**nl)).map_or(0, |nl| nl.len());
    }
    let mut chars = source[at..].char_indices().peekable();
    let mut skip = column.saturating_sub(1);
    while let Some(&(i, c)) = chars.peek() {
        if skip == 0 {
            return at + i;
        }
        chars.next();
        if c == '\\' && !literal {
            let escaped_len = match chars.next() {
                Some((_, 'x')) => 2,
                Some((_, 'u')) => 4,
                Some((_, 'U')) => 8,
                // A line-ending backslash and the whitespace after it stand for no character.
                Some((_, w)) if w.is_whitespace() => {
                    while chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
                    continue;
                }
                _ => 0,
            };
            chars.by_ref().take(escaped_len).for_each(drop);
        }
        skip -= 1;
    }
    source.len()
}

pub(crate) fn content_hash(source: &str) -> String {
    Sha256::digest(source.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn check_identifier(cx: &mut Ctx<'_>, text: &Spanned<String>, what: &str) {
    let s = text.get_ref();
    let ok = s.len() <= 64
        && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ok {
        cx.error(
            text.span().start,
            "bad_identifier",
            format!("{what} `{s}` must be 1–64 letters, digits or `_`, starting with a letter"),
        );
    }
}

fn retry_policy(cx: &mut Ctx<'_>, file: Option<&RetryFile>, base: &RetryPolicy) -> RetryPolicy {
    let mut policy = base.clone();
    let Some(file) = file else { return policy };
    if let Some(n) = &file.max_attempts {
        if (1..=limits::ATTEMPTS_MAX as i64).contains(n.get_ref()) {
            policy.max_attempts = *n.get_ref() as u32;
        } else {
            cx.error(
                n.span().start,
                "bad_retry",
                format!("max_attempts must be between 1 and {}", limits::ATTEMPTS_MAX),
            );
        }
    }
    if let Some(d) = file.initial.as_ref().and_then(|t| cx.duration(t, limits::BACKOFF_MS_MAX, "retry.initial")) {
        policy.initial = d;
    }
    if let Some(d) = file.max.as_ref().and_then(|t| cx.duration(t, limits::BACKOFF_MS_MAX, "retry.max")) {
        policy.max = d;
    }
    if let Some(m) = &file.multiplier {
        if (1.0..=10.0).contains(m.get_ref()) {
            policy.multiplier = *m.get_ref();
        } else {
            cx.error(m.span().start, "bad_retry", "multiplier must be between 1.0 and 10.0");
        }
    }
    if let Some(j) = &file.jitter {
        if (0.0..=1.0).contains(j.get_ref()) {
            policy.jitter = *j.get_ref();
        } else {
            cx.error(j.span().start, "bad_retry", "jitter must be between 0.0 and 1.0");
        }
    }
    policy
}

fn parameters(cx: &mut Ctx<'_>, files: &[ParameterFile]) -> Vec<Parameter> {
    if files.len() > limits::PARAMETERS_PER_PACKAGE_MAX {
        cx.error(0, "too_many_parameters", format!("at most {} parameters", limits::PARAMETERS_PER_PACKAGE_MAX));
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for p in files {
        check_identifier(cx, &p.name, "parameter name");
        if !seen.insert(p.name.get_ref().clone()) {
            cx.error(p.name.span().start, "duplicate_parameter", format!("duplicate parameter `{}`", p.name.get_ref()));
        }
        let kind = match p.kind.get_ref().as_str() {
            "string" => {
                let pattern = match &p.pattern {
                    Some(pat) => match regex::Regex::new(pat.get_ref()) {
                        Ok(re) => Some(re),
                        Err(e) => {
                            cx.error(pat.span().start, "bad_pattern", format!("invalid pattern: {e}"));
                            None
                        }
                    },
                    None => None,
                };
                ParamKind::String { min_length: p.min_length, max_length: p.max_length, pattern }
            }
            "integer" => ParamKind::Integer { min: p.min, max: p.max },
            "number" => ParamKind::Number { min: p.min, max: p.max },
            "boolean" => ParamKind::Boolean,
            "array" => ParamKind::Array,
            "object" => ParamKind::Object,
            "enum" => match &p.values {
                Some(values) if !values.is_empty() => ParamKind::Enum { values: values.clone() },
                _ => {
                    cx.error(
                        p.kind.span().start,
                        "bad_parameter",
                        format!("enum parameter `{}` needs a non-empty `values` list", p.name.get_ref()),
                    );
                    continue;
                }
            },
            other => {
                cx.error(
                    p.kind.span().start,
                    "bad_parameter",
                    format!("unknown parameter type `{other}` (string, integer, number, boolean, enum, array, object)"),
                );
                continue;
            }
        };
        let default = match &p.default {
            Some(d) => match check_value(&kind, &toml_to_json(d.get_ref())) {
                Ok(v) => Some(v),
                Err(e) => {
                    cx.error(d.span().start, "bad_default", format!("default of `{}` {e}", p.name.get_ref()));
                    None
                }
            },
            None => None,
        };
        out.push(Parameter {
            name: p.name.get_ref().clone(),
            kind,
            required: p.required,
            default,
            description: p.description.clone(),
        });
    }
    out
}

/// Builds one step; the bool is false when a dependency could not be resolved.
fn build_step(
    cx: &mut Ctx<'_>,
    file: &StepFile,
    ids: &HashMap<&str, StepIdx>,
    handler_exists: HandlerCheck<'_>,
    default_retry: &RetryPolicy,
    default_timeout: Duration,
) -> (Step, bool) {
    if !handler_exists(file.handler.get_ref()) {
        cx.error(file.handler.span().start, "unknown_handler", format!("unknown handler `{}`", file.handler.get_ref()));
    }
    let mut deps_ok = true;
    let mut depends_on = Vec::new();
    for dep in &file.depends_on {
        match ids.get(dep.get_ref().as_str()) {
            Some(idx) if !depends_on.contains(idx) => depends_on.push(*idx),
            Some(_) => {
                cx.error(dep.span().start, "duplicate_dependency", format!("`{}` is listed twice", dep.get_ref()))
            }
            None => {
                deps_ok = false;
                cx.error(
                    dep.span().start,
                    "unknown_dependency",
                    format!("step `{}` depends on unknown step `{}`", file.id.get_ref(), dep.get_ref()),
                );
            }
        }
    }
    let when = file.when.as_ref().and_then(|w| match Condition::parse(w.get_ref()) {
        Ok(c) => Some(c),
        Err(e) => {
            let at = string_char_offset(cx.source, w.span().start, e.column);
            cx.error(at, "bad_condition", format!("when: {}", e.message));
            None
        }
    });
    let input = toml_to_json(&toml::Value::Table(file.input.clone()));
    let step = Step {
        id: file.id.get_ref().clone(),
        name: file.name.clone().unwrap_or_else(|| file.id.get_ref().replace('_', " ")),
        handler: file.handler.get_ref().clone(),
        depends_on,
        estimated_duration: file
            .estimated_duration
            .as_ref()
            .and_then(|t| cx.duration(t, limits::DELAY_MS_MAX, "estimated_duration"))
            .unwrap_or(DEFAULT_ESTIMATE),
        retry: retry_policy(cx, file.retry.as_ref(), default_retry),
        timeout: file
            .timeout
            .as_ref()
            .and_then(|t| cx.duration(t, limits::TIMEOUT_MS_MAX, "timeout"))
            .unwrap_or(default_timeout),
        delay: file.delay.as_ref().and_then(|t| cx.duration(t, limits::DELAY_MS_MAX, "delay")).unwrap_or_default(),
        when,
        input,
    };
    (step, deps_ok)
}

/// `when` and `input` may read parameters that exist and outputs of steps that run before.
fn check_references(cx: &mut Ctx<'_>, files: &[Spanned<StepFile>], steps: &[Step], dag: &Dag, params: &[Parameter]) {
    for (i, (file, step)) in files.iter().zip(steps).enumerate() {
        let me = StepIdx::from_index(i);
        let ancestors = dag.ancestors(me);
        let check = |cx: &mut Ctx<'_>, offset: usize, root: &str, first: Option<&str>, what: &str| match (root, first) {
            ("params", Some(name)) if !params.iter().any(|p| p.name == name) => {
                cx.error(offset, "unknown_parameter", format!("{what} reads unknown parameter `{name}`"));
            }
            ("steps", Some(id)) => match steps.iter().position(|s| s.id == id) {
                None => cx.error(offset, "unknown_step", format!("{what} reads unknown step `{id}`")),
                Some(j) if !ancestors.contains(&StepIdx::from_index(j)) => cx.error(
                    offset,
                    "not_a_dependency",
                    format!("{what} reads step `{id}`, which is not among the dependencies of `{}`", step.id),
                ),
                Some(_) => {}
            },
            ("params" | "steps", _) => {}
            (other, _) => cx.error(
                offset,
                "bad_reference",
                format!("{what} reads `{other}`; use params.<name> or steps.<id>.<field>"),
            ),
        };
        if let (Some(cond), Some(w)) = (&step.when, &file.get_ref().when) {
            for path in cond.paths() {
                let root = path.first().map(String::as_str).unwrap_or("");
                check(cx, w.span().start, root, path.get(1).map(String::as_str), "when");
            }
        }
        let mut refs = Vec::new();
        collect_references(&step.input, &mut refs);
        for r in refs {
            let at = file.span().start;
            match r {
                Reference::Param(path) => check(cx, at, "params", path.first().map(String::as_str), "input"),
                Reference::Step(id, _) => check(cx, at, "steps", Some(&id), "input"),
            }
        }
    }
}

fn collect_references(value: &Value, out: &mut Vec<Reference>) {
    match value {
        Value::String(s) => out.extend(Reference::parse(s)),
        Value::Array(items) => items.iter().for_each(|v| collect_references(v, out)),
        Value::Object(map) => map.values().for_each(|v| collect_references(v, out)),
        _ => {}
    }
}

pub(crate) fn toml_to_json(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => Value::Object(t.iter().map(|(k, v)| (k.clone(), toml_to_json(v))).collect()),
    }
}
