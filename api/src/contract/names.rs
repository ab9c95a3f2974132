//! Closed sets of names the API writes, as schema enums taken from the engine's own lists, so the
//! document names every value and no other.

use std::borrow::Cow;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::Serialize;

macro_rules! name_set {
    ($(#[$doc:meta])* $name:ident, $schema:literal, $names:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Serialize)]
        #[serde(transparent)]
        pub struct $name(pub &'static str);

        impl JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                $schema.into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({ "type": "string", "enum": $names })
            }
        }
    };
}

name_set!(
    /// An execution's state.
    ExecutionStatus, "ExecutionStatus", engine::ExecutionStatus::NAMES
);
name_set!(
    /// A step's state.
    StepStatus, "StepStatus", engine::StepStatus::NAMES
);
name_set!(
    /// An operator's command on an execution.
    ControlAction, "ControlAction", engine::Control::NAMES
);

impl From<engine::ExecutionStatus> for ExecutionStatus {
    fn from(s: engine::ExecutionStatus) -> Self {
        ExecutionStatus(s.as_str())
    }
}
impl From<engine::StepStatus> for StepStatus {
    fn from(s: engine::StepStatus) -> Self {
        StepStatus(s.as_str())
    }
}
impl From<engine::Control> for ControlAction {
    fn from(c: engine::Control) -> Self {
        ControlAction(c.as_str())
    }
}

/// An execution state as a query names it (checked by the handler, which answers 400 for others).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(transparent)]
pub struct ExecutionStatusQuery(pub String);

impl JsonSchema for ExecutionStatusQuery {
    fn schema_name() -> Cow<'static, str> {
        "ExecutionStatus".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "enum": engine::ExecutionStatus::NAMES })
    }
}
