//! What each route takes and answers, as types.
//!
//! Every route of [`crate::spec::ROUTES`] has one [`Contract`], declared next to its handler (each
//! `routes` module's `CONTRACTS`): its success status, the Rust types of its query, body and
//! answer, which path parameters are UUIDs, and the error statuses it can answer beyond the ones
//! every route of its kind has. [`crate::openapi`] turns them into the OpenAPI document; the
//! integration tests check every real answer against that document, so a type and the JSON a
//! handler writes cannot drift apart unnoticed.

pub mod names;

use schemars::{JsonSchema, Schema, SchemaGenerator};

/// Writes a type's schema (a `$ref` into `components/schemas` for named types).
pub type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

fn schema_of<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

/// What a successful answer carries.
#[derive(Clone, Copy)]
pub enum Answer {
    Json(SchemaFn),
    /// A file, in one of these media types.
    File(&'static [&'static str]),
    /// Text in this media type (metrics, the docs page).
    Text(&'static str),
    /// `text/event-stream`.
    Events,
    /// No body.
    Empty,
}

#[derive(Clone, Copy)]
pub struct Contract {
    pub method: &'static str,
    /// axum syntax, as in [`crate::spec::ROUTES`].
    pub path: &'static str,
    pub ok: u16,
    pub answer: Answer,
    pub body: Option<SchemaFn>,
    pub query: Option<SchemaFn>,
    /// Path parameters that are UUIDs (the others are names or references).
    pub uuid_params: &'static [&'static str],
    /// Statuses beyond 400/404/422 (and 401/403 for signed-in routes), with when they happen.
    pub errors: &'static [(u16, &'static str)],
    /// Other success statuses, with when they happen (202 for a queued export, say).
    pub also: &'static [(u16, &'static str)],
}

impl Contract {
    const fn new(method: &'static str, path: &'static str) -> Contract {
        Contract {
            method,
            path,
            ok: 200,
            answer: Answer::Empty,
            body: None,
            query: None,
            uuid_params: &[],
            errors: &[],
            also: &[],
        }
    }
    pub const fn get(path: &'static str) -> Contract {
        Contract::new("GET", path)
    }
    pub const fn post(path: &'static str) -> Contract {
        Contract::new("POST", path)
    }
    pub const fn put(path: &'static str) -> Contract {
        Contract::new("PUT", path)
    }
    pub const fn patch(path: &'static str) -> Contract {
        Contract::new("PATCH", path)
    }
    pub const fn delete(path: &'static str) -> Contract {
        Contract::new("DELETE", path)
    }

    /// Answers `T` as JSON with status 200.
    pub const fn json<T: JsonSchema>(mut self) -> Contract {
        self.answer = Answer::Json(schema_of::<T>);
        self
    }
    /// Answers `T` as JSON with this status.
    pub const fn json_status<T: JsonSchema>(mut self, status: u16) -> Contract {
        self.ok = status;
        self.answer = Answer::Json(schema_of::<T>);
        self
    }
    pub const fn answer(mut self, status: u16, answer: Answer) -> Contract {
        self.ok = status;
        self.answer = answer;
        self
    }
    /// Takes `T` as its JSON body.
    pub const fn body<T: JsonSchema>(mut self) -> Contract {
        self.body = Some(schema_of::<T>);
        self
    }
    /// Takes `T`'s fields as query parameters.
    pub const fn query<T: JsonSchema>(mut self) -> Contract {
        self.query = Some(schema_of::<T>);
        self
    }
    pub const fn uuids(mut self, names: &'static [&'static str]) -> Contract {
        self.uuid_params = names;
        self
    }
    pub const fn errors(mut self, errors: &'static [(u16, &'static str)]) -> Contract {
        self.errors = errors;
        self
    }
    pub const fn also(mut self, also: &'static [(u16, &'static str)]) -> Contract {
        self.also = also;
        self
    }
}

/// Every route's contract, from every `routes` module.
pub fn all() -> impl Iterator<Item = &'static Contract> {
    crate::routes::CONTRACTS.iter().flat_map(|c| c.iter())
}

/// The contract of a route by method and axum path template.
pub fn find(method: &str, path: &str) -> Option<&'static Contract> {
    all().find(|c| c.method == method && c.path == path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::ROUTES;

    #[test]
    fn every_route_has_one_contract_and_every_contract_a_route() {
        for r in ROUTES {
            let n = all().filter(|c| c.method == r.method && c.path == r.path).count();
            assert_eq!(n, 1, "{} {} has {n} contracts", r.method, r.path);
        }
        for c in all() {
            assert!(
                crate::spec::find(c.method, c.path).is_some(),
                "contract for undeclared route {} {}",
                c.method,
                c.path
            );
            for name in c.uuid_params {
                assert!(c.path.contains(&format!("{{{name}}}")), "{} {}: no path parameter {name}", c.method, c.path);
            }
        }
    }

    #[test]
    fn json_bodies_have_a_schema_and_others_none() {
        for r in ROUTES {
            let c = find(r.method, r.path).expect("contract");
            let json = r.body == crate::spec::Body::Json;
            assert_eq!(c.body.is_some(), json, "{} {}: body schema and route body kind disagree", r.method, r.path);
        }
    }
}
