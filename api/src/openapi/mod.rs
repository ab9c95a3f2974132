//! The OpenAPI 3.1 document, generated from the route table ([`crate::spec::ROUTES`]: access,
//! tag, summary, body kind) and the routes' contracts ([`crate::contract`]: the types they take
//! and answer), and an offline docs page.

use std::collections::BTreeSet;

use schemars::generate::{Contract as SerdeContract, SchemaSettings};
use schemars::SchemaGenerator;
use serde_json::{json, Map, Value};

use crate::contract::{Answer, Contract};
use crate::spec::{Access, Body, RouteSpec, ROUTES};

/// A self-contained page (no CDN): lists the operations from /openapi.json and lets you call
/// them with a bearer token.
pub const DOCS_HTML: &str = include_str!("docs.html");

/// Where named schemas live in an OpenAPI document.
const COMPONENTS: &str = "/components/schemas";

fn generator(contract: SerdeContract, inline: bool) -> SchemaGenerator {
    SchemaSettings::draft2020_12()
        .with(|s| {
            s.definitions_path = COMPONENTS.into();
            s.contract = contract;
            s.inline_subschemas = inline;
            s.meta_schema = None;
        })
        .into_generator()
}

/// The three generators a document needs: request types are read (serde's deserialize view:
/// defaults make fields optional), answers are written (the serialize view), and query types
/// are inlined so their fields can become parameters.
struct Generators {
    requests: SchemaGenerator,
    answers: SchemaGenerator,
    queries: SchemaGenerator,
}

fn path_parameters(path: &str, contract: &Contract) -> Vec<Value> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| {
            let schema = if contract.uuid_params.contains(&name) {
                json!({ "type": "string", "format": "uuid" })
            } else {
                json!({ "type": "string" })
            };
            json!({ "name": name, "in": "path", "required": true, "schema": schema })
        })
        .collect()
}

/// A query type's fields, each a parameter (required unless it has a default or is optional).
fn query_parameters(g: &mut SchemaGenerator, contract: &Contract) -> Vec<Value> {
    let Some(query) = contract.query else { return Vec::new() };
    let schema = query(g).to_value();
    let required: BTreeSet<&str> =
        schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    let Some(fields) = schema["properties"].as_object() else {
        panic!("{} {}: the query type is not a struct", contract.method, contract.path)
    };
    fields
        .iter()
        .map(|(name, field)| {
            let mut field = field.clone();
            let description = field.as_object_mut().and_then(|f| f.remove("description"));
            let mut p =
                json!({ "name": name, "in": "query", "required": required.contains(name.as_str()), "schema": field });
            if let Some(d) = description {
                p["description"] = d;
            }
            p
        })
        .collect()
}

fn problem(description: &str) -> Value {
    json!({ "description": description, "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } })
}

fn success(g: &mut SchemaGenerator, answer: Answer) -> Value {
    match answer {
        Answer::Json(schema) => {
            json!({ "description": "Success", "content": { "application/json": { "schema": schema(g).to_value() } } })
        }
        Answer::File(media) => {
            let content: Map<String, Value> = media
                .iter()
                .map(|m| (m.to_string(), json!({ "schema": { "type": "string", "format": "binary" } })))
                .collect();
            json!({ "description": "A file", "content": content })
        }
        Answer::Text(media) => {
            json!({ "description": "Success", "content": { media: { "schema": { "type": "string" } } } })
        }
        Answer::Events => {
            json!({ "description": "Server-Sent Events", "content": { "text/event-stream": { "schema": { "type": "string" } } } })
        }
        Answer::Empty => json!({ "description": "Success, no body" }),
    }
}

fn operation_id(spec: &RouteSpec) -> String {
    // `GET /api/v1/users/{id}` → `get_users_id`; the seed's `/auth/...` twins get a `seed_` prefix.
    let path = spec.path.strip_prefix("/api/v1").map(|p| p.to_string()).unwrap_or_else(|| {
        if spec.path.starts_with("/auth") {
            format!("/seed{}", spec.path)
        } else {
            spec.path.to_string()
        }
    });
    let words: Vec<String> = path
        .split(['/', '-', '.'])
        .filter(|w| !w.is_empty())
        .map(|w| w.trim_start_matches('{').trim_end_matches('}').to_string())
        .collect();
    format!("{}_{}", spec.method.to_lowercase(), words.join("_"))
}

fn operation(g: &mut Generators, spec: &RouteSpec, contract: &Contract) -> Value {
    let mut parameters = path_parameters(spec.path, contract);
    parameters.extend(query_parameters(&mut g.queries, contract));
    let mut responses = Map::new();
    responses.insert(contract.ok.to_string(), success(&mut g.answers, contract.answer));
    for (status, when) in contract.also {
        let mut other = success(&mut g.answers, contract.answer);
        other["description"] = json!(when);
        responses.insert(status.to_string(), other);
    }
    responses.insert("400".into(), problem("The request is malformed (body, query or header)."));
    responses.insert("404".into(), problem("The route, or what it names, does not exist (or is not yours to see)."));
    responses.insert("422".into(), problem("The request is well-formed but its values are invalid."));
    if spec.body != Body::None {
        responses.insert("413".into(), problem("body_too_large: the body is over the limit (1 MiB)."));
    }
    responses.insert("500".into(), problem("internal: the cause is logged, never sent."));
    match spec.access {
        Access::Public => {}
        Access::Authenticated => {
            responses.insert("401".into(), problem("No valid access token."));
        }
        Access::Permission(_) => {
            responses.insert("401".into(), problem("No valid access token."));
            responses.insert("403".into(), problem("The caller's role lacks the permission."));
        }
    }
    for (status, when) in contract.errors {
        responses.insert(status.to_string(), problem(when));
    }
    let mut op = json!({
        "operationId": operation_id(spec),
        "summary": spec.summary,
        "tags": [spec.tag],
        "parameters": parameters,
        "responses": responses,
    });
    match spec.body {
        Body::Json => {
            let schema = contract.body.map(|s| s(&mut g.requests).to_value()).unwrap_or(json!({}));
            op["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": schema } } })
        }
        Body::Toml => {
            op["requestBody"] =
                json!({ "required": true, "content": { "application/toml": { "schema": { "type": "string" } } } })
        }
        Body::Csv => {
            op["requestBody"] =
                json!({ "required": true, "content": { "text/csv": { "schema": { "type": "string" } } } })
        }
        Body::Binary => {
            let file = json!({ "schema": { "type": "string", "format": "binary" } });
            op["requestBody"] = json!({ "required": true, "content": {
                "application/pdf": file.clone(), "image/jpeg": file.clone(), "image/png": file } })
        }
        Body::Image => {
            let file = json!({ "schema": { "type": "string", "format": "binary" } });
            op["requestBody"] =
                json!({ "required": true, "content": { "image/jpeg": file.clone(), "image/png": file } })
        }
        Body::None => {}
    }
    match spec.access {
        Access::Public => op["security"] = json!([]),
        Access::Authenticated => {}
        Access::Permission(p) => {
            op["x-permission"] = json!(p);
            op["description"] = json!(format!("Requires permission `{p}`."));
        }
    }
    op
}

/// The named schemas of both generators. A name both define must mean the same schema: a type
/// that reads and writes differently needs two names.
fn components(g: &mut Generators) -> Map<String, Value> {
    let mut all = g.requests.take_definitions(true);
    for (name, schema) in g.answers.take_definitions(true) {
        if let Some(existing) = all.get(&name) {
            assert_eq!(existing, &schema, "schema `{name}` differs between requests and answers");
        }
        all.insert(name, schema);
    }
    all.insert("Problem".into(), problem_schema());
    all
}

fn problem_schema() -> Value {
    json!({
        "type": "object",
        "description": "RFC 9457 problem details with a stable `code`.",
        "required": ["type", "title", "status", "code", "detail"],
        "properties": {
            "type": { "type": "string" }, "title": { "type": "string" }, "status": { "type": "integer" },
            "code": { "type": "string", "description": "Stable machine-readable error code." },
            "detail": { "type": "string" },
            "errors": { "type": "array", "description": "Per-field or per-line findings." },
        },
    })
}

pub fn document() -> Value {
    let mut g = Generators {
        requests: generator(SerdeContract::Deserialize, false),
        answers: generator(SerdeContract::Serialize, false),
        queries: generator(SerdeContract::Deserialize, true),
    };
    let mut paths = Map::new();
    for spec in ROUTES {
        let contract = crate::contract::find(spec.method, spec.path)
            .unwrap_or_else(|| panic!("{} {} has no contract", spec.method, spec.path));
        let entry = paths.entry(spec.path.to_string()).or_insert_with(|| json!({}));
        entry[spec.method.to_lowercase()] = operation(&mut g, spec, contract);
    }
    json!({
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "AURA API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Durable workflow engine for real-estate teams. Errors are application/problem+json with a stable `code`.",
        },
        "security": [{ "bearer": [] }],
        "paths": paths,
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer", "bearerFormat": "JWT" } },
            "schemas": components(&mut g),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_ids_are_unique() {
        let mut seen = BTreeSet::new();
        for spec in ROUTES {
            assert!(
                seen.insert(operation_id(spec)),
                "{} {}: operationId {} repeats",
                spec.method,
                spec.path,
                operation_id(spec)
            );
        }
    }

    #[test]
    fn every_reference_resolves() {
        let doc = document();
        let text = doc.to_string();
        for piece in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
            let name = &piece[..piece.find('"').unwrap()];
            assert!(doc["components"]["schemas"].get(name).is_some(), "dangling $ref to {name}");
        }
    }
}
