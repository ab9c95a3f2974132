//! `listing_property_analysis` (validate and normalise the property, score its data quality,
//! measure comparable supply) and `listing_cma` (a CMA report of it, with its PDF).

use std::sync::Arc;

use runtime::{Handler, StepContext, StepError};
use serde_json::{json, Value};
use store::domain::{CmaReportRecord, PropertyRecord};

use super::{derived_id, listing_price, requester};
use crate::property::{self, PropertyInput};
use crate::Services;

/// The fields a portal-ready listing needs, with their weight in the data-quality score and what
/// to tell the agent when one is missing.
const QUALITY: &[(&str, f64, &str)] = &[
    ("community", 1.0, "community"),
    ("property_type", 1.0, "property type"),
    ("bedrooms", 1.0, "bedrooms"),
    ("size_sqft", 1.0, "size"),
    ("asking_price", 1.0, "price"),
    ("permit_number", 1.5, "Trakheesi permit number (required to advertise)"),
    ("building", 0.5, "building or project name"),
    ("bathrooms", 0.5, "bathrooms"),
    ("features", 0.75, "at least three features"),
    ("photos", 0.75, "at least five photos"),
    ("view", 0.25, "view"),
    ("completion_status", 0.5, "ready or off-plan"),
];

/// Score in [0, 1] and the missing items, most important first.
pub fn data_quality(body: &Value) -> (f64, Vec<Value>) {
    let total: f64 = QUALITY.iter().map(|(_, w, _)| w).sum();
    let mut have = 0.0;
    let mut missing: Vec<(f64, Value)> = Vec::new();
    for (field, weight, label) in QUALITY {
        let present = match *field {
            "features" => body[field].as_array().is_some_and(|a| a.len() >= 3),
            "photos" => body[field].as_array().is_some_and(|a| a.len() >= 5),
            f => !body[f].is_null() && body[f].as_str() != Some(""),
        };
        if present {
            have += weight;
        } else {
            missing.push((*weight, json!({ "field": field, "message": format!("add the {label}") })));
        }
    }
    missing.sort_by(|a, b| b.0.total_cmp(&a.0));
    (((have / total) * 1000.0).round() / 1000.0, missing.into_iter().map(|(_, m)| m).collect())
}

pub(crate) struct PropertyAnalysis(pub(crate) Arc<Services>);

#[async_trait::async_trait]
impl Handler for PropertyAnalysis {
    async fn run(&self, ctx: StepContext, input: Value) -> Result<Value, StepError> {
        let s = &self.0;
        let price =
            listing_price(&ctx).ok_or_else(|| StepError::permanent("listing_price must be a positive amount"))?;
        let requester = requester(s, &ctx).await?;
        let record = match (
            input["property_id"].as_str().filter(|p| !p.is_empty()),
            input.get("property").filter(|p| p.is_object()),
        ) {
            (Some(reference), _) => {
                // An agent's run sees what the agent may see; an operator's (CLI, schedule) sees all.
                let viewer =
                    crate::access::viewer_of(s, ctx.created_by.as_deref()).await.map_err(StepError::retryable)?;
                crate::access::find_property(s, viewer.as_ref(), reference)
                    .await
                    .map_err(StepError::retryable)?
                    .ok_or_else(|| StepError::permanent(format!("not_found: property `{reference}` not found")))?
            }
            (None, Some(inline)) => create_inline(s, &ctx, inline, &requester).await?,
            (None, None) => return Err(StepError::permanent("give property_id or an inline property")),
        };
        // The listing price is the price the campaign advertises.
        let mut body = record.body.clone();
        if body["asking_price"].as_f64() != Some(price) {
            body["asking_price"] = json!(price);
            s.domain
                .update_property(record.id, &record.reference, &body, ctx.now)
                .await
                .map_err(StepError::retryable)?;
        }
        let (score, missing) = data_quality(&body);
        let community = body["community"].as_str().unwrap_or_default().to_string();
        let ptype = body["property_type"].as_str().unwrap_or_default().to_string();
        let snapshots = s.domain.snapshots(Some(&community), Some(&ptype)).await.map_err(StepError::retryable)?;
        let recent: Vec<_> = snapshots.iter().rev().take(12).collect();
        let supply: i64 = recent.iter().map(|r| i64::from(r.volume)).sum();
        let median_psf = recent.first().map(|r| r.median_psf);
        Ok(json!({
            "property_id": record.id, "reference": record.reference, "community": community, "property_type": ptype,
            "listing_price": price,
            "data_quality": { "score": score, "missing": missing },
            "comparable_supply": {
                "transactions_last_12_months": supply, "months_with_data": recent.len(),
                "latest_median_price_per_sqft": median_psf,
                "latest_month": recent.first().map(|r| r.month.clone()),
                "source": "Dubai Land Department sales (seeded market snapshots)",
            },
            "price_per_sqft": body["size_sqft"].as_f64().filter(|s| *s > 0.0).map(|s| (price / s).round()),
        }))
    }
}

/// An inline property becomes a property record of the requester (id derived from the execution).
async fn create_inline(
    s: &Services,
    ctx: &StepContext,
    inline: &Value,
    requester: &crate::campaign::Requester,
) -> Result<PropertyRecord, StepError> {
    let id = derived_id(ctx.execution_id, "property");
    if let Some(p) = s.domain.property(id).await.map_err(StepError::retryable)? {
        return Ok(p);
    }
    let mut inline = inline.clone();
    if inline.get("reference").is_none() {
        inline["reference"] = json!(format!("NL-{}", &ctx.execution_id.simple().to_string()[..8]));
    }
    let input: PropertyInput =
        serde_json::from_value(inline).map_err(|e| StepError::permanent(format!("property: {e}")))?;
    let listing = property::validate(&input, &|t| s.market.resolve(t), true).map_err(|errors| {
        StepError::permanent(format!(
            "property: {}",
            errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
        ))
    })?;
    let now = ctx.now;
    let record = PropertyRecord {
        id,
        owner_id: requester.owner_id.clone(),
        team_id: requester.team_id.clone(),
        reference: listing.reference().to_string(),
        body: listing.to_body(),
        created_at: now,
        updated_at: now,
    };
    s.domain.create_property(&record).await.map_err(StepError::retryable)?;
    Ok(record)
}

/// A CMA report of the analysed property, produced by the same code as `POST /cma/reports`.
pub(crate) struct ListingCma(pub(crate) Arc<Services>);

#[async_trait::async_trait]
impl Handler for ListingCma {
    async fn run(&self, ctx: StepContext, _input: Value) -> Result<Value, StepError> {
        let s = &self.0;
        let property = super::analysed_property(s, &ctx).await?;
        let id = derived_id(ctx.execution_id, "cma");
        if s.domain.cma_report(id).await.map_err(StepError::retryable)?.is_none() {
            let requester = requester(s, &ctx).await?;
            let now = ctx.now;
            let record = CmaReportRecord {
                id,
                owner_id: requester.owner_id.clone(),
                team_id: requester.team_id.clone(),
                property_id: Some(property.id),
                execution_id: Some(ctx.execution_id),
                status: "processing".into(),
                request: json!({
                    "subject": property.body, "analysis_options": crate::cma::AnalysisOptions::default(),
                    "valuation_date": now.date_naive(), "prepared_by": requester.name,
                }),
                result: None,
                error: None,
                pdf_artifact_id: None,
                created_at: now,
                updated_at: now,
            };
            s.domain.create_cma_report(&record).await.map_err(StepError::retryable)?;
        }
        let input = json!({ "report_id": id });
        let valued = crate::handlers::run_cma_generation(s, &ctx, &input).await?;
        let mut out = crate::handlers::run_cma_pdf(s, &ctx, &input).await?;
        out["summary"] = valued["summary"].clone();
        out["cma_report_id"] = json!(id);
        Ok(out)
    }
}
