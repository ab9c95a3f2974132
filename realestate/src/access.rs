//! Tenant isolation for executions: a step reaches only the records its execution's creator could
//! open over REST.
//!
//! Package parameters are written by whoever triggers the package, so a record id in them is a
//! claim, not a capability. Every handler this crate registers is wrapped in [`Guarded`], which
//! checks each record reference in the execution's parameters and the step's input against the
//! creator (the same rule as the REST routes, `store::accounts::access::Viewer`) before the
//! handler runs. A reference the creator may not see fails the step permanently with
//! `not_found`, before anything of the record is read into the step's output. The API runs the
//! same check when a package is triggered or scheduled, so such an execution is never created.
//!
//! Executions started by an operator (the CLI, a package file's own schedule: a creator that is
//! not a user id) are not restricted; an execution of a deactivated or deleted user sees nothing.

use std::sync::Arc;

use runtime::{Handler, Registry, StepContext, StepError};
use serde_json::Value;
use store::accounts::access::Viewer;
use store::records::Table;
use uuid::Uuid;

use crate::Services;

/// The kinds of records a package parameter or step input may name, by the key that names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    Property,
    CmaReport,
    Campaign,
    SocialPost,
    Lead,
    Client,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Property => "property",
            RecordKind::CmaReport => "CMA report",
            RecordKind::Campaign => "campaign",
            RecordKind::SocialPost => "social post",
            RecordKind::Lead => "lead",
            RecordKind::Client => "client",
        }
    }
}

/// The keys that carry record ids, in parameters and step inputs alike. A closed table rather than
/// a per-package declaration, so a package file that forgets to declare one is still checked.
pub const REFERENCES: &[(&str, RecordKind)] = &[
    ("property_id", RecordKind::Property),
    ("report_id", RecordKind::CmaReport),
    ("campaign_id", RecordKind::Campaign),
    ("post_id", RecordKind::SocialPost),
    ("lead_id", RecordKind::Lead),
    ("client_id", RecordKind::Client),
];

/// Why a reference was refused.
#[derive(Debug, thiserror::Error)]
pub enum Denied {
    /// Missing and not visible look the same, so nobody learns which ids exist.
    #[error("{} `{id}` not found", kind.as_str())]
    NotFound { kind: RecordKind, id: String },
    #[error(transparent)]
    Store(#[from] store::Error),
}

/// Who an execution acts for: `None` is an operator (no user id), who is not restricted.
pub async fn viewer_of(s: &Services, created_by: Option<&str>) -> Result<Option<Viewer>, store::Error> {
    let Some(id) = created_by.and_then(|c| Uuid::parse_str(c).ok()) else { return Ok(None) };
    let user = s.accounts.user(id).await?;
    // A user who no longer exists or was deactivated sees nothing.
    Ok(Some(user.as_ref().and_then(Viewer::of_user).unwrap_or(Viewer {
        user_id: String::new(),
        team_id: None,
        reach: store::accounts::access::Reach::Own,
    })))
}

/// Checks every record reference in `values` (objects: parameters, a step's input) against `viewer`.
pub async fn check_references(s: &Services, viewer: &Viewer, values: &[&Value]) -> Result<(), Denied> {
    for value in values {
        for (key, kind) in REFERENCES {
            match value.get(*key) {
                Some(Value::String(id)) if !id.trim().is_empty() => check_one(s, viewer, *kind, id.trim()).await?,
                // A present id of another type is not a reference anyone can see.
                Some(v @ (Value::Number(_) | Value::Array(_) | Value::Object(_) | Value::Bool(_))) => {
                    return Err(Denied::NotFound { kind: *kind, id: v.to_string() })
                }
                _ => {}
            }
        }
    }
    Ok(())
}

async fn check_one(s: &Services, viewer: &Viewer, kind: RecordKind, id: &str) -> Result<(), Denied> {
    let denied = || Denied::NotFound { kind, id: id.to_string() };
    let uuid = || Uuid::parse_str(id).map_err(|_| denied());
    let (owner, team) = match kind {
        // Properties are found by id or by reference, among those the viewer may see.
        RecordKind::Property => return find_property(s, Some(viewer), id).await?.map(|_| ()).ok_or_else(denied),
        RecordKind::CmaReport => s.domain.cma_report(uuid()?).await?.map(|r| (Some(r.owner_id), r.team_id)),
        RecordKind::Campaign => s.domain.campaign(uuid()?).await?.map(|r| (Some(r.owner_id), r.team_id)),
        RecordKind::SocialPost => s.domain.social_post(uuid()?).await?.map(|r| (Some(r.owner_id), r.team_id)),
        RecordKind::Lead => s.records.get(Table::Leads, uuid()?).await?.map(|r| (r.owner_id, r.team_id)),
        RecordKind::Client => s.records.get(Table::Clients, uuid()?).await?.map(|r| (r.owner_id, r.team_id)),
    }
    .ok_or_else(denied)?;
    if viewer.can_see(owner.as_deref(), team.as_deref()) {
        Ok(())
    } else {
        Err(denied())
    }
}

/// A property by our id or by the agent's reference, as `viewer` may see it (`None`: an operator,
/// who sees all). The viewer's own reference wins over others' with the same text.
pub async fn find_property(
    s: &Services,
    viewer: Option<&Viewer>,
    id_or_reference: &str,
) -> Result<Option<store::domain::PropertyRecord>, store::Error> {
    let visible =
        |p: &store::domain::PropertyRecord| viewer.is_none_or(|v| v.can_see(Some(&p.owner_id), p.team_id.as_deref()));
    if let Ok(id) = Uuid::parse_str(id_or_reference) {
        if let Some(p) = s.domain.property(id).await?.filter(visible) {
            return Ok(Some(p));
        }
    }
    if let Some(v) = viewer {
        let mine = s.domain.properties_by_reference(id_or_reference, Some(&v.user_id)).await?;
        if let Some(p) = mine.into_iter().next() {
            return Ok(Some(p));
        }
    }
    Ok(s.domain.properties_by_reference(id_or_reference, None).await?.into_iter().find(visible))
}

/// A handler that runs only when the execution's creator may see every record the step names.
struct Guarded {
    inner: Arc<dyn Handler>,
    services: Arc<Services>,
}

#[async_trait::async_trait]
impl Handler for Guarded {
    async fn run(&self, ctx: StepContext, input: Value) -> Result<Value, StepError> {
        let s = &self.services;
        if let Some(viewer) = viewer_of(s, ctx.created_by.as_deref()).await.map_err(StepError::retryable)? {
            match check_references(s, &viewer, &[&ctx.params, &input]).await {
                Ok(()) => {}
                Err(Denied::Store(e)) => return Err(StepError::retryable(e)),
                Err(denied) => return Err(StepError::Permanent(format!("not_found: {denied}"))),
            }
        }
        self.inner.run(ctx, input).await
    }
}

/// Moves every handler of `own` into `registry`, each behind the record check.
pub fn register_guarded(registry: &mut Registry, own: &Registry, services: &Arc<Services>) {
    for name in own.names() {
        let inner = own.get(name).expect("a listed name has a handler");
        registry.register(name, Guarded { inner, services: services.clone() });
    }
}
