//! The API's answers checked against its own OpenAPI document.
//!
//! [`checked`] wraps the application router used by the HTTP API tests: every answer to a
//! documented route must have a documented status, and its body must match the schema the
//! document gives for that status (problem+json for errors). A handler whose JSON drifts from its
//! declared type fails the test that called it, with the route, status and the schema's findings.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use http_body_util::BodyExt;
use serde_json::{json, Value};

fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(api::openapi::document)
}

/// The router with every answer checked against the document.
pub fn checked(router: Router) -> Router {
    router.layer(axum::middleware::from_fn(check))
}

/// The documented path template `path` falls under: the one with the most literal segments
/// (`/packages/status/{id}` before `/packages/{name}`).
fn template(path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let paths = document()["paths"].as_object().expect("paths");
    paths
        .keys()
        .filter_map(|t| {
            let ts: Vec<&str> = t.split('/').collect();
            if ts.len() != segments.len() {
                return None;
            }
            let mut literal = 0;
            for (a, b) in ts.iter().zip(&segments) {
                if a.starts_with('{') {
                    if b.is_empty() {
                        return None;
                    }
                } else if a == b {
                    literal += 1;
                } else {
                    return None;
                }
            }
            Some((literal, t.as_str()))
        })
        .max_by_key(|(literal, _)| *literal)
        .map(|(_, t)| t)
}

fn validator(key: String, schema: &Value) -> &'static jsonschema::Validator {
    static CACHE: OnceLock<Mutex<HashMap<String, &'static jsonschema::Validator>>> = OnceLock::new();
    let mut cache = CACHE.get_or_init(Default::default).lock().unwrap();
    cache.entry(key).or_insert_with(|| {
        let mut root = schema.clone();
        if let Some(obj) = root.as_object_mut() {
            obj.insert("components".into(), document()["components"].clone());
        } else {
            root = json!({ "allOf": [schema], "components": document()["components"] });
        }
        Box::leak(Box::new(jsonschema::validator_for(&root).expect("the document's schemas compile")))
    })
}

async fn check(req: Request, next: Next) -> Response {
    let method = req.method().as_str().to_lowercase();
    let path = req.uri().path().to_string();
    let response = next.run(req).await;
    let Some(template) = template(&path) else { return response };
    let Some(op) = document()["paths"][template].get(&method) else { return response };
    let status = response.status().as_u16();
    let route = format!("{} {template} ({path})", method.to_uppercase());
    let Some(answer) = op["responses"].get(status.to_string()) else {
        panic!("{route} answered {status}, which the OpenAPI document does not list");
    };
    let media = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_string())
        .unwrap_or_default();
    if media == "text/event-stream" {
        assert!(answer["content"].get("text/event-stream").is_some(), "{route}: undocumented event stream");
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.expect("body").to_bytes();
    match answer.get("content").and_then(Value::as_object) {
        None => {
            assert!(bytes.is_empty(), "{route} {status}: documented without a body, answered {} bytes", bytes.len())
        }
        Some(content) => {
            let Some(declared) = content.get(&media) else {
                panic!(
                    "{route} {status}: answered {media}, the document lists {:?}",
                    content.keys().collect::<Vec<_>>()
                );
            };
            if media.ends_with("json") {
                let value: Value = serde_json::from_slice(&bytes)
                    .unwrap_or_else(|e| panic!("{route} {status}: answered {media} that is not JSON: {e}"));
                let v = validator(format!("{method} {template} {status} {media}"), &declared["schema"]);
                let findings: Vec<String> =
                    v.iter_errors(&value).map(|e| format!("{} at {}", e, e.instance_path())).collect();
                assert!(
                    findings.is_empty(),
                    "{route} {status}: the answer does not match the document:\n  {}\nanswer: {}",
                    findings.join("\n  "),
                    serde_json::to_string(&value).unwrap().chars().take(2000).collect::<String>()
                );
            }
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}
