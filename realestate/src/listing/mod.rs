//! The New Listing package's steps (`packages/new_listing_package.toml`): analyse the property,
//! value it (a CMA report), recommend a price, create the marketing campaign, write the social
//! posts, optimise the portal listing, schedule the photo shoot, and review everything before it
//! goes out. Every handler is idempotent: the records it makes have ids derived from the execution,
//! so a step that runs again after a crash finds them instead of making new ones.

mod analysis;
mod campaign;
mod photography;
pub mod portal;
pub mod pricing;
mod review;

use std::sync::Arc;

use runtime::{Registry, StepContext, StepError};
use serde_json::Value;
use store::domain::PropertyRecord;
use uuid::Uuid;

use crate::campaign::Requester;
use crate::Services;

pub const HANDLER_NAMES: &[&str] = &[
    "listing_property_analysis",
    "listing_cma",
    "listing_pricing",
    "listing_campaign",
    "listing_social",
    "listing_optimization",
    "listing_photography",
    "listing_final_review",
];

pub fn register(r: &mut Registry, s: Arc<Services>) {
    r.register("listing_property_analysis", analysis::PropertyAnalysis(s.clone()));
    r.register("listing_cma", analysis::ListingCma(s.clone()));
    r.register("listing_pricing", pricing::Pricing);
    r.register("listing_campaign", campaign::ListingCampaign(s.clone()));
    r.register("listing_social", campaign::ListingSocial(s.clone()));
    r.register("listing_optimization", portal::ListingOptimization(s.clone()));
    r.register("listing_photography", photography::Photography(s.clone()));
    r.register("listing_final_review", review::FinalReview(s));
}

/// A record id derived from the execution and a label: the same on every attempt.
pub fn derived_id(execution: Uuid, label: &str) -> Uuid {
    crate::artifacts::stable_id(&format!("{execution}:{label}"))
}

/// Who the records of this execution belong to and whose name is on its copy: its creator (an
/// execution started by the CLI or a schedule has none; its records belong to `system`).
pub(crate) async fn requester(s: &Services, ctx: &StepContext) -> Result<Requester, StepError> {
    let user = match ctx.created_by.as_deref().and_then(|id| Uuid::parse_str(id).ok()) {
        Some(id) => s.accounts.user(id).await.map_err(StepError::retryable)?,
        None => None,
    };
    let phone = ctx.params["customizations"]["agent_phone"].as_str().unwrap_or_default().to_string();
    Ok(match user {
        Some(u) => Requester {
            owner_id: u.id.to_string(),
            team_id: u.team_id.map(|t| t.to_string()).or_else(|| ctx.team_id.clone()),
            name: u.name,
            email: u.email,
            phone,
        },
        // No user (the CLI, a schedule): the brokerage's own address is the contact.
        None => Requester {
            owner_id: ctx.created_by.clone().unwrap_or_else(|| "system".into()),
            team_id: ctx.team_id.clone(),
            name: "AURA Real Estate".into(),
            email: mail::Address::parse(&s.mail_from()).map(|a| a.email).unwrap_or_default(),
            phone,
        },
    })
}

/// The property the analysis step settled on (its output carries the id).
pub(crate) async fn analysed_property(s: &Services, ctx: &StepContext) -> Result<PropertyRecord, StepError> {
    let id = ctx
        .outputs
        .get("property_analysis")
        .and_then(|o| o["property_id"].as_str())
        .and_then(|id| Uuid::parse_str(id).ok())
        .ok_or_else(|| StepError::permanent("the property analysis has no property id"))?;
    s.domain
        .property(id)
        .await
        .map_err(StepError::retryable)?
        .ok_or_else(|| StepError::permanent(format!("property {id} no longer exists")))
}

/// The listing price of the execution: the parameter, which the analysis copied onto the property.
pub(crate) fn listing_price(ctx: &StepContext) -> Option<f64> {
    ctx.params["listing_price"].as_f64().filter(|p| p.is_finite() && *p > 0.0)
}

pub(crate) fn output<'a>(ctx: &'a StepContext, step: &str) -> &'a Value {
    ctx.outputs.get(step).unwrap_or(&Value::Null)
}
