//! Package parsing and validation, driven through `Package::parse`.
//!
//! Every source below starts with a newline for readability; `parse` drops it, so line 1 is the
//! first line after the opening `r#"`. Expected diagnostics are `(line, column, code)`, in the
//! order validation reports them.

use std::time::Duration;

use serde_json::{json, Map, Value};

use super::*;
use crate::retry::RetryPolicy;

/// The handlers these tests register; any other name is an `unknown_handler`.
fn handlers(name: &str) -> bool {
    matches!(name, "noop" | "sleep")
}

fn parse(src: &str) -> Result<Package, Diagnostics> {
    Package::parse(src.strip_prefix('\n').unwrap_or(src), &handlers)
}

/// The one function under test: `src` must yield exactly `expected` (empty = the package is
/// valid). Returns the diagnostics so that callers can also look at messages.
#[track_caller]
fn check(src: &str, expected: &[(usize, usize, &str)]) -> Vec<Diagnostic> {
    let diagnostics = match parse(src) {
        Ok(_) => Vec::new(),
        Err(Diagnostics(d)) => d,
    };
    let got: Vec<(usize, usize, &str)> = diagnostics.iter().map(|d| (d.line, d.column, d.code)).collect();
    assert_eq!(got, expected, "diagnostics were:\n{}", Diagnostics(diagnostics.clone()));
    diagnostics
}

#[track_caller]
fn valid(src: &str) -> Package {
    parse(src).unwrap_or_else(|d| panic!("expected a valid package, got:\n{d}"))
}

/// Asserts the message of the only diagnostic.
#[track_caller]
fn assert_message(diagnostics: &[Diagnostic], message: &str) {
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0].message, message);
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

// ---------------------------------------------------------------------------------------------
// A valid package and the model it parses into
// ---------------------------------------------------------------------------------------------

const LISTING: &str = r#"
name = "listing_launch"
display_name = "Listing launch"
description = "Prepare and publish a listing"
timeout = "10m"

[retry]
max_attempts = 5
initial = "2s"
multiplier = 3.0
max = "1m"
jitter = 0.1

[[parameters]]
name = "property_id"
type = "string"
required = true
min_length = 2
max_length = 8
pattern = "^P[0-9]+$"

[[parameters]]
name = "listing_price"
type = "number"
min = 0

[[parameters]]
name = "photo_count"
type = "integer"
default = 10
min = 1
max = 50

[[parameters]]
name = "premium"
type = "boolean"
default = false

[[parameters]]
name = "timeline"
type = "enum"
values = ["1_week", "2_weeks"]
default = "2_weeks"

[[parameters]]
name = "channels"
type = "array"
default = ["web"]

[[parameters]]
name = "owner"
type = "object"

[[schedules]]
name = "nightly"
cron = "0 2 * * *"
timezone = "Europe/London"
parameters = { property_id = "P1", listing_price = 1000 }

[[schedules]]
name = "weekly"
cron = "@weekly"
enabled = false
parameters = { property_id = "P2" }

[[deliverables]]
name = "brochure"
kind = "pdf"
step = "publish"

[[steps]]
id = "fetch"
handler = "noop"
estimated_duration = "1m"

[[steps]]
id = "score"
name = "Score the listing"
handler = "sleep"
depends_on = ["fetch"]
timeout = "30s"
retry = { max_attempts = 2 }
input = { id = "$params.property_id", first = "$steps.fetch.items.0" }

[[steps]]
id = "shoot"
handler = "noop"
depends_on = ["fetch"]
estimated_duration = "2m"
delay = "1h"
when = "params.premium == true || params.photo_count > 5"

[[steps]]
id = "publish"
handler = "sleep"
depends_on = ["score", "shoot"]
when = "steps.score.value >= 70 && steps.fetch.ok"

[steps.retry]
initial = "5s"

[steps.input]
summary = { score = "$steps.score.value", tags = ["$params.timeline", "literal"] }
"#;

fn listing() -> Package {
    valid(LISTING)
}

fn package_retry() -> RetryPolicy {
    RetryPolicy { max_attempts: 5, initial: secs(2), multiplier: 3.0, max: secs(60), jitter: 0.1 }
}

#[test]
fn valid_package_header_and_steps() {
    let p = listing();
    assert_eq!(p.name, "listing_launch");
    assert_eq!(p.display_name, "Listing launch");
    assert_eq!(p.description, "Prepare and publish a listing");

    let ids: Vec<&str> = p.steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["fetch", "score", "shoot", "publish"]);
    assert_eq!(p.dag.len(), 4);
    let deps: Vec<Vec<usize>> = p.steps.iter().map(|s| s.depends_on.iter().map(|d| d.index()).collect()).collect();
    assert_eq!(deps, [vec![], vec![0], vec![0], vec![1, 2]]);
    assert_eq!(p.step_by_id("shoot"), Some(StepIdx::from_index(2)));
    assert_eq!(p.step_by_id("nope"), None);

    // A missing name is the id with spaces; handlers are kept as written.
    assert_eq!(p.step(StepIdx::from_index(0)).name, "fetch");
    assert_eq!(p.steps[1].name, "Score the listing");
    assert_eq!(p.steps[1].handler, "sleep");
}

#[test]
fn valid_package_durations_fall_back_to_package_defaults() {
    let p = listing();
    let [fetch, score, shoot, publish] = &p.steps[..] else { panic!("four steps") };
    // (estimated_duration, timeout, delay); the package timeout is 10m, the default estimate 30s.
    let durations = |s: &Step| (s.estimated_duration, s.timeout, s.delay);
    assert_eq!(durations(fetch), (secs(60), secs(600), Duration::ZERO));
    assert_eq!(durations(score), (secs(30), secs(30), Duration::ZERO));
    assert_eq!(durations(shoot), (secs(120), secs(600), secs(3600)));
    assert_eq!(durations(publish), (secs(30), secs(600), Duration::ZERO));
}

#[test]
fn step_retry_overrides_only_the_fields_it_sets() {
    let p = listing();
    assert_eq!(p.steps[0].retry, package_retry());
    assert_eq!(p.steps[1].retry, RetryPolicy { max_attempts: 2, ..package_retry() });
    assert_eq!(p.steps[2].retry, package_retry());
    assert_eq!(p.steps[3].retry, RetryPolicy { initial: secs(5), ..package_retry() });
}

#[test]
fn without_package_defaults_steps_use_engine_defaults() {
    let p = valid(
        r#"
name = "tiny"
[[steps]]
id = "only_step"
handler = "noop"
retry = { jitter = 0.0 }
"#,
    );
    let step = &p.steps[0];
    assert_eq!(p.display_name, "tiny");
    assert_eq!(step.name, "only step");
    assert_eq!(step.retry, RetryPolicy { jitter: 0.0, ..RetryPolicy::default() });
    assert_eq!((step.estimated_duration, step.timeout, step.delay), (secs(30), secs(300), Duration::ZERO));
    assert!(step.when.is_none());
    assert_eq!(step.input, json!({}));
    assert!(p.parameters.is_empty() && p.schedules.is_empty() && p.deliverables.is_empty());
}

#[test]
fn valid_package_when_and_input() {
    let p = listing();
    assert!(p.steps[0].when.is_none());
    assert_eq!(p.steps[2].when.as_ref().map(|c| c.source()), Some("params.premium == true || params.photo_count > 5"));
    assert_eq!(p.steps[1].input, json!({"id": "$params.property_id", "first": "$steps.fetch.items.0"}));
    assert_eq!(
        p.steps[3].input,
        json!({"summary": {"score": "$steps.score.value", "tags": ["$params.timeline", "literal"]}})
    );
}

#[test]
fn valid_package_parameters_of_every_type() {
    let p = listing();
    let summary: Vec<(&str, &str, bool, Option<Value>)> = p
        .parameters
        .iter()
        .map(|prm| (prm.name.as_str(), prm.kind.type_name(), prm.required, prm.default.clone()))
        .collect();
    assert_eq!(
        summary,
        [
            ("property_id", "string", true, None),
            ("listing_price", "number", false, None),
            ("photo_count", "integer", false, Some(json!(10))),
            ("premium", "boolean", false, Some(json!(false))),
            ("timeline", "enum", false, Some(json!("2_weeks"))),
            ("channels", "array", false, Some(json!(["web"]))),
            ("owner", "object", false, None),
        ]
    );
    match &p.parameters[0].kind {
        ParamKind::String { min_length, max_length, pattern } => {
            assert_eq!((*min_length, *max_length), (Some(2), Some(8)));
            assert_eq!(pattern.as_ref().map(|r| r.as_str()), Some("^P[0-9]+$"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(p.parameters[2].kind, ParamKind::Integer { min: Some(1.0), max: Some(50.0) }));
    assert!(matches!(&p.parameters[4].kind, ParamKind::Enum { values } if values == &["1_week", "2_weeks"]));
}

#[test]
fn valid_package_schedules_and_deliverables() {
    let p = listing();
    let schedules: Vec<(&str, &str, String, bool)> = p
        .schedules
        .iter()
        .map(|s| (s.name.as_str(), s.cron.expression(), s.cron.timezone().to_string(), s.enabled))
        .collect();
    assert_eq!(
        schedules,
        [
            ("nightly", "0 2 * * *", "Europe/London".to_string(), true),
            ("weekly", "@weekly", crate::schedule::DEFAULT_TIMEZONE.to_string(), false),
        ]
    );
    assert_eq!(p.schedules[0].parameters, json!({"property_id": "P1", "listing_price": 1000}));

    assert_eq!(p.deliverables.len(), 1);
    let d = &p.deliverables[0];
    assert_eq!((d.name.as_str(), d.kind.as_str(), d.step), ("brochure", "pdf", StepIdx::from_index(3)));
}

#[test]
fn content_hash_is_stable_hex_sha256_of_the_text() {
    let a = listing().content_hash;
    assert_eq!(a.len(), 64);
    assert!(a.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')), "{a}");
    assert_eq!(listing().content_hash, a, "same text, same version");
    // A comment changes nothing in the model but is a different text, hence a different version.
    let commented = format!("{LISTING}# a comment\n");
    assert_ne!(valid(&commented).content_hash, a);
    // Known vector: SHA-256 of the empty string.
    assert_eq!(validate::content_hash(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

#[test]
fn estimated_duration_is_the_longest_path_including_delays() {
    // fetch 1m, then shoot 2m after a 1h delay, then publish 30s; score (30s) is off the critical path.
    assert_eq!(listing().estimated_duration(), secs(60 + 3600 + 120 + 30));

    let parallel = valid(
        r#"
name = "p"
[[steps]]
id = "a"
handler = "noop"
estimated_duration = "10s"
[[steps]]
id = "b"
handler = "noop"
estimated_duration = "5m"
[[steps]]
id = "c"
handler = "noop"
depends_on = ["a"]
delay = "6m"
"#,
    );
    // Two branches: b alone (5m) and a then c (10s + 6m delay + 30s default estimate).
    assert_eq!(parallel.estimated_duration(), secs(10 + 360 + 30));
}

// ---------------------------------------------------------------------------------------------
// Parameters given at trigger time, and input references
// ---------------------------------------------------------------------------------------------

#[test]
fn validate_params_fills_defaults_and_normalises_integers() {
    let p = listing();
    let out = p.validate_params(&json!({"property_id": "P42", "photo_count": 3.0, "owner": {"id": 1}})).unwrap();
    assert_eq!(
        out,
        json!({
            "property_id": "P42",
            "photo_count": 3,
            "premium": false,
            "timeline": "2_weeks",
            "channels": ["web"],
            "owner": {"id": 1},
        })
    );
    // An explicit null counts as absent: the default applies.
    let out = p.validate_params(&json!({"property_id": "P1", "premium": null})).unwrap();
    assert_eq!(out["premium"], json!(false));
}

#[test]
fn validate_params_reports_every_bad_field() {
    let p = listing();
    let errors = p
        .validate_params(&json!({
            "property_id": "X1",
            "listing_price": "1000",
            "photo_count": 51,
            "premium": "yes",
            "timeline": "someday",
            "channels": "web",
            "owner": [1],
            "color": "red",
        }))
        .unwrap_err();
    let got: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.message.as_str())).collect();
    assert_eq!(
        got,
        [
            ("color", "unknown parameter"),
            ("property_id", "must match the pattern ^P[0-9]+$"),
            ("listing_price", "must be a number"),
            ("photo_count", "must be at most 50"),
            ("premium", "must be true or false"),
            ("timeline", "must be one of: 1_week, 2_weeks"),
            ("channels", "must be an array"),
            ("owner", "must be an object"),
        ]
    );
}

#[test]
fn validate_params_requires_required_and_rejects_non_objects() {
    let p = listing();
    let missing = p.validate_params(&Value::Null).unwrap_err();
    assert_eq!(missing, [ParamError { field: "property_id".into(), message: "is required".into() }]);
    let too_long = p.validate_params(&json!({"property_id": "P123456789"})).unwrap_err();
    assert_eq!(too_long[0].message, "must be at most 8 characters");
    let not_object = p.validate_params(&json!("P1")).unwrap_err();
    assert_eq!(not_object[0].field, "parameters");
}

/// A step whose input is `input`; everything else is irrelevant to `resolve_input`.
fn step_with_input(input: Value) -> Step {
    let mut p = valid("name = \"p\"\n[[steps]]\nid = \"a\"\nhandler = \"noop\"\n");
    let mut step = p.steps.remove(0);
    step.input = input;
    step
}

fn outputs(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

#[test]
fn resolve_input_replaces_references_anywhere() {
    let step = step_with_input(json!({
        "price": "$params.listing_price",
        "city": "$params.address.city",
        "score": "$steps.score.value",
        "first_photo": "$steps.fetch.photos.1",
        "whole_output": "$steps.score",
        "nested": {"list": ["$params.listing_price", "plain", 7, {"deep": "$steps.fetch.ok"}]},
        "literal": "params.listing_price",
        "dollar": "$5 off",
        "bare_params": "$params",
        "number": 1.5,
        "flag": true,
    }));
    let params = json!({"listing_price": 1000, "address": {"city": "Dubai"}});
    let outs = outputs(json!({"score": {"value": 88}, "fetch": {"photos": ["a.jpg", "b.jpg"], "ok": true}}));
    assert_eq!(
        resolve_input(&step, &params, &outs),
        json!({
            "price": 1000,
            "city": "Dubai",
            "score": 88,
            "first_photo": "b.jpg",
            "whole_output": {"value": 88},
            "nested": {"list": [1000, "plain", 7, {"deep": true}]},
            "literal": "params.listing_price",
            "dollar": "$5 off",
            "bare_params": "$params",
            "number": 1.5,
            "flag": true,
        })
    );
}

#[test]
fn resolve_input_missing_references_are_null() {
    let step = step_with_input(json!({
        "no_param": "$params.nope",
        "no_field": "$params.address.zip",
        "through_scalar": "$params.listing_price.x",
        "bad_index": "$steps.fetch.photos.9",
        "not_an_index": "$steps.fetch.photos.first",
        "skipped_step": "$steps.skipped.value",
    }));
    let params = json!({"listing_price": 1000, "address": {"city": "Dubai"}});
    let outs = outputs(json!({"fetch": {"photos": ["a.jpg"]}}));
    let resolved = resolve_input(&step, &params, &outs);
    let Value::Object(map) = &resolved else { panic!("{resolved}") };
    assert_eq!(map.len(), 6);
    for (key, value) in map {
        assert_eq!(value, &Value::Null, "{key}");
    }
}

#[test]
fn condition_context_shape() {
    let ctx = condition_context(&json!({"a": 1}), &outputs(json!({"s": {"v": 2}})));
    assert_eq!(ctx, json!({"params": {"a": 1}, "steps": {"s": {"v": 2}}}));
    let p = listing();
    let when = p.steps[3].when.as_ref().unwrap();
    let ctx =
        |score: i64| condition_context(&json!({}), &outputs(json!({"score": {"value": score}, "fetch": {"ok": true}})));
    assert!(when.eval(&ctx(70)));
    assert!(!when.eval(&ctx(69)));
}

// ---------------------------------------------------------------------------------------------
// Rejections: code and exact line:column
// ---------------------------------------------------------------------------------------------

#[test]
fn toml_syntax_error_stops_parsing() {
    let d = check(
        r#"
name = "p"
timeout = 30s
[[steps]]
id = "a"
handler = "nope"
"#,
        &[(2, 11, "toml")],
    );
    assert!(!d[0].message.is_empty());
    // An unterminated string is reported where the line ends.
    check("\nname = \"p\n", &[(1, 10, "toml")]);
}

#[test]
fn unknown_keys_at_every_level() {
    let d = check(
        r#"
name = "p"
colour = "blue"
[[steps]]
id = "a"
handler = "noop"
"#,
        &[(2, 1, "unknown_key")],
    );
    assert!(d[0].message.starts_with("unknown field `colour`"), "{}", d[0].message);

    let d = check(
        r#"
name = "p"
[[steps]]
id = "a"
handler = "noop"
  handlr = "sleep"
"#,
        &[(5, 3, "unknown_key")],
    );
    assert!(d[0].message.starts_with("unknown field `handlr`"), "{}", d[0].message);

    check(
        r#"
name = "p"
[[steps]]
id = "a"
handler = "noop"
retry = { max_attempts = 2, backoff = "1s" }
"#,
        &[(5, 29, "unknown_key")],
    );
    check(
        r#"
name = "p"
[[parameters]]
name = "x"
type = "string"
optional = true
[[steps]]
id = "a"
handler = "noop"
"#,
        &[(5, 1, "unknown_key")],
    );
}

#[test]
fn missing_required_key_is_a_toml_error() {
    let d = check(
        r#"
name = "p"
[[steps]]
id = "a"
"#,
        &[(2, 1, "toml")],
    );
    assert!(d[0].message.contains("handler"), "{}", d[0].message);
}

#[test]
fn unknown_handler() {
    let d = check(
        r#"
name = "p"
[[steps]]
id = "a"
handler = "send_email"
[[steps]]
id = "b"
handler = "sleep"
"#,
        &[(4, 11, "unknown_handler")],
    );
    assert_message(&d, "unknown handler `send_email`");
}

#[test]
fn unknown_dependency() {
    let d = check(
        r#"
name = "p"
[[steps]]
id = "a"
handler = "noop"
[[steps]]
id = "b"
handler = "noop"
depends_on = ["a", "ghost"]
"#,
        &[(8, 20, "unknown_dependency")],
    );
    assert_message(&d, "step `b` depends on unknown step `ghost`");
}

#[test]
fn duplicate_step_id_and_dependency() {
    check(
        r#"
name = "p"
[[steps]]
id = "a"
handler = "noop"
[[steps]]
id = "a"
handler = "noop"
"#,
        &[(6, 6, "duplicate_step")],
    );
    check(
        r#"
name = "p"
[[steps]]
id = "a"
handler = "noop"
[[steps]]
id = "b"
handler = "noop"
depends_on = ["a", "a"]
"#,
        &[(8, 20, "duplicate_dependency")],
    );
}

#[test]
fn dependency_cycle_names_its_steps() {
    let d = check(
        r#"
name = "p"
[[steps]]
id = "a"
handler = "noop"
depends_on = ["c"]
[[steps]]
id = "b"
handler = "noop"
depends_on = ["a"]
[[steps]]
id = "c"
handler = "noop"
depends_on = ["b"]
"#,
        &[(10, 1, "cycle")],
    );
    // Edges point from a dependency to its dependent; the diagnostic sits on the cycle's first step.
    assert_message(&d, "dependency cycle: c -> a -> b -> c");

    let d = check(
        r#"
name = "p"
[[steps]]
id = "a"
handler = "noop"
depends_on = ["a"]
"#,
        &[(2, 1, "cycle")],
    );
    assert_message(&d, "dependency cycle: a -> a");
}

#[test]
fn bad_cron_and_time_zone() {
    let d = check(
        r#"
name = "p"
[[schedules]]
name = "s"
cron = "61 * * * *"
[[schedules]]
name = "t"
cron = "0 * * * *"
timezone = "Mars/Olympus"
[[steps]]
id = "a"
handler = "noop"
"#,
        &[(4, 8, "bad_cron"), (8, 12, "bad_cron")],
    );
    assert!(d[0].message.contains("61 * * * *"), "{}", d[0].message);
    assert_eq!(d[1].message, "unknown time zone `Mars/Olympus` (use an IANA name such as Asia/Dubai)");
}

#[test]
fn bad_durations() {
    check(
        r#"
name = "p"
timeout = "5 minutes"
retry = { initial = "1.5s" }
[[steps]]
id = "a"
handler = "noop"
timeout = "2d"
delay = "-1s"
estimated_duration = "soon"
retry = { initial = "3", max = "1x" }
"#,
        &[
            (3, 21, "bad_duration"),
            (2, 11, "bad_duration"),
            (9, 22, "bad_duration"),
            (10, 21, "bad_duration"),
            (10, 32, "bad_duration"),
            (7, 11, "bad_duration"),
            (8, 9, "bad_duration"),
        ],
    );
    let d = check(
        "\nname = \"p\"\ntimeout = \"2d\"\n[[steps]]\nid = \"a\"\nhandler = \"noop\"\n",
        &[(2, 11, "bad_duration")],
    );
    assert_message(&d, "timeout `2d` exceeds the limit of 1d");
}

#[test]
fn bad_when_syntax_points_into_the_expression() {
    let d = check(
        r#"
name = "p"
[[steps]]
id = "a"
handler = "noop"
when = "params.x ==="
"#,
        //       the third `=` is column 12 of the expression; the expression starts at column 9
        &[(5, 20, "bad_condition")],
    );
    assert!(d[0].message.starts_with("when: "), "{}", d[0].message);
}

#[test]
fn bad_when_column_survives_quoting_styles_and_non_ascii() {
    // Each `when` has its error on the third `&`, marked by the column in the comment.
    check(
        r#"
name = "p"
[[steps]]
id = "a"
handler = "noop"
when = 'params.x == "é" &&& 1'
[[steps]]
id = "b"
handler = "noop"
when = "params.x == 'é' &&& 1"
[[steps]]
id = "c"
handler = "noop"
when = "params.x == \"a\" &&& 1"
[[steps]]
id = "d"
handler = "noop"
when = """params.x == 'a' &&& 1"""
[[steps]]
id = "e"
handler = "noop"
when = """
params.x == 'a' &&& 1"""
[[steps]]
id = "f"
handler = "noop"
when = "params.x == '\u00e9' &&& 1"
[[steps]]
id = "g"
handler = "noop"
when = """params.x == \
    'a' &&& 1"""
"#,
        &[
            (5, 27, "bad_condition"),  // literal string: no escapes, `é` is one character
            (9, 27, "bad_condition"),  // basic string with `é`
            (13, 29, "bad_condition"), // `\"` is two characters in the file, one in the expression
            (17, 29, "bad_condition"), // `"""` is three characters of delimiter
            (22, 19, "bad_condition"), // the newline after `"""` is not part of the expression
            (26, 32, "bad_condition"), // `\u00e9` is six characters in the file
            (31, 11, "bad_condition"), // a line-ending backslash swallows the indentation
        ],
    );
}

#[test]
fn when_and_input_may_only_read_declared_parameters_and_ancestors() {
    check(
        r#"
name = "p"
[[parameters]]
name = "x"
type = "integer"
[[steps]]
id = "a"
handler = "noop"
[[steps]]
id = "b"
handler = "noop"
depends_on = ["a"]
[[steps]]
id = "c"
handler = "noop"
depends_on = ["b"]
when = "params.x > 1 && steps.a.ok"
input = { x = "$params.x", from_a = "$steps.a.v", from_b = "$steps.b" }
"#,
        &[],
    );

    let d = check(
        r#"
name = "p"
[[steps]]
id = "a"
handler = "noop"
when = "params.missing == 1"
"#,
        &[(5, 8, "unknown_parameter")],
    );
    assert_message(&d, "when reads unknown parameter `missing`");

    let d = check(
        r#"
name = "p"
[[steps]]
id = "a"
handler = "noop"
[[steps]]
id = "b"
handler = "noop"
when = "steps.a.ok"
"#,
        &[(8, 8, "not_a_dependency")],
    );
    assert_message(&d, "when reads step `a`, which is not among the dependencies of `b`");

    // Input references are reported at the step's `[[steps]]` header (tables keep no spans).
    let d = check(
        r#"
name = "p"
[[steps]]
id = "a"
handler = "noop"
depends_on = ["b"]
[[steps]]
id = "b"
handler = "noop"
[[steps]]
id = "c"
handler = "noop"
[steps.input]
nested = { list = ["$steps.a.out"] }
"#,
        &[(9, 1, "not_a_dependency")],
    );
    assert_message(&d, "input reads step `a`, which is not among the dependencies of `c`");

    check(
        r#"
name = "p"
[[steps]]
id = "a"
handler = "noop"
when = "steps.ghost.ok || things.x"
input = { p = "$params.nope", s = "$steps.a.x" }
"#,
        &[(5, 8, "unknown_step"), (5, 8, "bad_reference"), (2, 1, "unknown_parameter"), (2, 1, "not_a_dependency")],
    );
}

#[test]
fn bad_parameters() {
    let d = check(
        r#"
name = "p"
[[parameters]]
name = "a"
type = "text"
[[parameters]]
name = "b"
type = "enum"
[[parameters]]
name = "c"
type = "enum"
values = []
[[parameters]]
name = "d"
type = "integer"
default = "ten"
[[parameters]]
name = "e"
type = "integer"
max = 5
default = 6
[[parameters]]
name = "f"
type = "enum"
values = ["x"]
default = "y"
[[parameters]]
name = "g"
type = "string"
pattern = "(["
[[parameters]]
name = "a"
type = "boolean"
[[parameters]]
name = "9lives"
type = "boolean"
[[steps]]
id = "s"
handler = "noop"
"#,
        &[
            (4, 8, "bad_parameter"),
            (7, 8, "bad_parameter"),
            (10, 8, "bad_parameter"),
            (15, 11, "bad_default"),
            (20, 11, "bad_default"),
            (25, 11, "bad_default"),
            (29, 11, "bad_pattern"),
            (31, 8, "duplicate_parameter"),
            (34, 8, "bad_identifier"),
        ],
    );
    assert_eq!(d[0].message, "unknown parameter type `text` (string, integer, number, boolean, enum, array, object)");
    assert_eq!(d[1].message, "enum parameter `b` needs a non-empty `values` list");
    assert_eq!(d[3].message, "default of `d` must be an integer");
    assert_eq!(d[4].message, "default of `e` must be at most 5");
    assert_eq!(d[5].message, "default of `f` must be one of: x");
}

#[test]
fn bad_retry_values() {
    let d = check(
        r#"
name = "p"
[retry]
max_attempts = 0
multiplier = 0.5
jitter = 1.5
[[steps]]
id = "a"
handler = "noop"
retry = { max_attempts = 101, multiplier = 10.5, jitter = -0.1 }
"#,
        &[
            (3, 16, "bad_retry"),
            (4, 14, "bad_retry"),
            (5, 10, "bad_retry"),
            (9, 26, "bad_retry"),
            (9, 44, "bad_retry"),
            (9, 59, "bad_retry"),
        ],
    );
    assert_eq!(d[0].message, "max_attempts must be between 1 and 100");
    assert_eq!(d[1].message, "multiplier must be between 1.0 and 10.0");
    assert_eq!(d[2].message, "jitter must be between 0.0 and 1.0");
    // The bounds themselves are allowed.
    check(
        r#"
name = "p"
retry = { max_attempts = 100, multiplier = 1.0, jitter = 0.0 }
[[steps]]
id = "a"
handler = "noop"
retry = { max_attempts = 1, multiplier = 10.0, jitter = 1.0 }
"#,
        &[],
    );
}

#[test]
fn schedules_deliverables_and_identifiers() {
    check(
        r#"
name = "bad-name"
[[parameters]]
name = "n"
type = "integer"
required = true
[[schedules]]
name = "s"
cron = "@daily"
parameters = { m = 1 }
[[schedules]]
name = "s"
cron = "@hourly"
parameters = { n = 1 }
[[deliverables]]
name = "report"
kind = "pdf"
step = "ghost"
[[steps]]
id = "a b"
handler = "noop"
"#,
        &[
            (1, 8, "bad_identifier"),
            (19, 6, "bad_identifier"),
            (7, 8, "bad_schedule_parameters"),
            (7, 8, "bad_schedule_parameters"),
            (11, 8, "duplicate_schedule"),
            (17, 8, "unknown_step"),
        ],
    );
    check("\nname = \"p\"\n", &[(1, 8, "no_steps")]);
}

#[test]
fn every_independent_error_is_reported_in_one_call() {
    let d = check(
        r#"
name = "p"
timeout = "forever"
[[parameters]]
name = "x"
type = "float"
[[schedules]]
name = "s"
cron = "every day"
[[steps]]
id = "a"
handler = "send_email"
delay = "1y"
when = "params.x >"
retry = { max_attempts = 0 }
[[steps]]
id = "a"
handler = "noop"
"#,
        &[
            (2, 11, "bad_duration"),
            (5, 8, "bad_parameter"),
            (16, 6, "duplicate_step"),
            (11, 11, "unknown_handler"),
            (13, 19, "bad_condition"),
            (14, 26, "bad_retry"),
            (12, 9, "bad_duration"),
            (8, 8, "bad_cron"),
        ],
    );
    assert_eq!(d.len(), 8);
}

#[test]
fn diagnostics_display_as_line_column_message_code() {
    let err = parse("\nname = \"p\"\n[[steps]]\nid = \"a\"\nhandler = \"x\"\n").unwrap_err();
    assert_eq!(err.to_string(), "4:11: unknown handler `x` [unknown_handler]");
}
