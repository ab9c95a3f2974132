//! Records (leads, tasks, clients, documents, …) as the wire shows them: the body's fields beside
//! the store's, the id under a name saying which kind of record it is (`lead_id`, `client_id`).

use serde_json::{Map, Value};
use store::records::Record;

/// The body's fields without the ones the store's values replace on the wire.
pub(crate) fn body_fields(r: &Record, id_field: &str) -> Map<String, Value> {
    let mut fields = match &r.body {
        Value::Object(m) => m.clone(),
        _ => Map::new(),
    };
    for k in [id_field, "status", "owner_id", "created_at", "updated_at"] {
        fields.remove(k);
    }
    fields
}

/// Declares a record view: `record_view!(LeadView, "lead_id")`. The body is the record's own
/// document, whose fields depend on the package or form that wrote it, so it stays free-form.
macro_rules! record_view {
    ($(#[$doc:meta])* $name:ident, $id:literal) => {
        $(#[$doc])*
        #[derive(serde::Serialize, schemars::JsonSchema)]
        pub(crate) struct $name {
            #[serde(rename = $id)]
            pub(crate) id: uuid::Uuid,
            pub(crate) status: String,
            pub(crate) owner_id: Option<String>,
            pub(crate) created_at: chrono::DateTime<chrono::Utc>,
            pub(crate) updated_at: chrono::DateTime<chrono::Utc>,
            #[serde(flatten)]
            pub(crate) fields: serde_json::Map<String, serde_json::Value>,
        }

        impl From<&store::records::Record> for $name {
            fn from(r: &store::records::Record) -> $name {
                $name {
                    id: r.id,
                    status: r.status.clone(),
                    owner_id: r.owner_id.clone(),
                    created_at: r.created_at,
                    updated_at: r.updated_at,
                    fields: crate::routes::records::body_fields(r, $id),
                }
            }
        }
    };
}
