//! `listing_final_review`: the seed's checklist (compliance, quality, branding) over every
//! deliverable before the listing goes to market. Compliance runs the checker over each text the
//! package produced (campaign copy, social posts, the portal listing); quality looks at the data
//! score, the price position and the photo plan; branding checks that the brokerage (ORN), the
//! agent (BRN) and the permit appear on every advert. A failed review fails the step with its
//! findings; the agent fixes what it names and retries the step.

use std::sync::Arc;

use crate::artifacts::{put_once, NewFile};
use runtime::{Handler, StepContext, StepError};
use serde_json::{json, Value};
use uuid::Uuid;

use super::{analysed_property, derived_id, output, requester};
use crate::compliance::{self, Channel, Context};
use crate::Services;

/// Below this data-quality score the listing is not ready for the portals.
pub const QUALITY_MIN: f64 = 0.6;

pub(crate) struct FinalReview(pub(crate) Arc<Services>);

struct Item {
    name: String,
    channel: Channel,
    text: String,
    has_qr: bool,
}

#[async_trait::async_trait]
impl Handler for FinalReview {
    async fn run(&self, ctx: StepContext, input: Value) -> Result<Value, StepError> {
        let s = &self.0;
        let property = analysed_property(s, &ctx).await?;
        let requester = requester(s, &ctx).await?;
        let mut items: Vec<Item> = Vec::new();
        // Campaign copy (text files), social posts, the portal listing.
        for f in output(&ctx, "marketing_campaign_creation")["files"].as_array().into_iter().flatten() {
            if !f["filename"].as_str().is_some_and(|n| n.ends_with(".txt")) {
                continue;
            }
            if let Some(text) = artifact_text(s, &f["artifact_id"]).await? {
                let channel = f["channel"].as_str().unwrap_or("portal");
                let has_qr = matches!(channel, "postcard" | "brochure") || crate::social::platform(channel).is_ok();
                items.push(Item {
                    name: format!("campaign {channel} copy"),
                    channel: channel.parse().unwrap_or(Channel::Portal),
                    text,
                    has_qr,
                });
            }
        }
        for p in output(&ctx, "social_media_content")["posts"].as_array().into_iter().flatten() {
            let Some(id) = p["post_id"].as_str().and_then(|x| Uuid::parse_str(x).ok()) else { continue };
            if let Some(post) = s.domain.social_post(id).await.map_err(StepError::retryable)? {
                items.push(Item {
                    name: format!("{} post", post.platform),
                    channel: post.platform.parse().unwrap_or(Channel::Portal),
                    text: post.text,
                    has_qr: post.image_artifact_id.is_some(),
                });
            }
        }
        for f in output(&ctx, "listing_optimization")["files"].as_array().into_iter().flatten() {
            if let Some(text) = artifact_text(s, &f["artifact_id"]).await? {
                let listing: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                items.push(Item {
                    name: "portal listing".into(),
                    channel: Channel::Portal,
                    text: format!(
                        "{}\n{}",
                        listing["listing"]["title"].as_str().unwrap_or(""),
                        listing["listing"]["description"].as_str().unwrap_or("")
                    ),
                    has_qr: false,
                });
            }
        }

        let settings = s.settings().await?;
        let today = ctx.now.date_naive();
        let mut findings: Vec<Value> = Vec::new();
        let mut compliance_checked = Vec::new();
        let mut warnings: Vec<Value> = Vec::new();
        for item in &items {
            // Print assets and social images carry the permit's QR code (drawn by this package).
            let c = Context::new(item.channel, &settings.config)
                .with_property(&property.body)
                .with_qr_code(item.has_qr)
                .with_today(today);
            let report = compliance::check(&item.text, &c);
            compliance_checked.push(json!({ "deliverable": item.name, "compliant": report.compliant }));
            for f in &report.findings {
                let entry = json!({ "check": "compliance", "deliverable": item.name, "finding": f });
                if report.compliant {
                    warnings.push(entry);
                } else {
                    findings.push(entry);
                }
            }
        }
        if items.is_empty() {
            findings.push(json!({ "check": "quality", "message": "no deliverable to review" }));
        }

        // Scored on the property as it is now, not as the analysis saw it: an agent who fixes the
        // property and retries this step gets a fresh verdict.
        let (score, missing) = super::analysis::data_quality(&property.body);
        let quality_min = input["quality_min"].as_f64().unwrap_or(QUALITY_MIN);
        let mut quality = vec![
            json!({ "item": "data quality", "score": score, "minimum": quality_min, "passed": score >= quality_min }),
        ];
        if score < quality_min {
            findings.push(json!({ "check": "quality", "message": format!("data quality {score:.2} is below {quality_min}"), "missing": missing }));
        }
        let position = output(&ctx, "pricing_recommendation")["recommendation"]["position"]
            .as_str()
            .unwrap_or("unknown")
            .to_string();
        quality.push(json!({ "item": "price position", "position": position, "passed": true,
            "note": if position == "within_range" { "priced within the comparable range" } else { "priced outside the comparable range: the agent should confirm with the seller" } }));
        let slots = output(&ctx, "photography_scheduling")["slots"].as_array().map_or(0, Vec::len);
        quality.push(json!({ "item": "photography planned", "slots": slots, "passed": slots > 0 }));
        if slots == 0 {
            findings.push(json!({ "check": "quality", "message": "no photography slot planned" }));
        }

        let (orn, brn) = settings.registration()?;
        let permit = property.body["permit_number"].as_str().unwrap_or_default().to_string();
        let mut branding = Vec::new();
        for item in &items {
            let has = |needle: &str| !needle.is_empty() && item.text.contains(needle);
            let ok = has(&orn) && has(&brn) && has(&permit);
            branding.push(json!({ "deliverable": item.name, "orn": has(&orn), "brn": has(&brn), "permit": has(&permit), "passed": ok }));
            if !ok {
                findings.push(json!({ "check": "branding", "deliverable": item.name, "message": "the ORN, BRN and permit number must all appear" }));
            }
        }

        let passed = findings.is_empty();
        let report = json!({
            "property_id": property.id, "reference": property.reference, "reviewed_at": ctx.now,
            "passed": passed, "deliverables_reviewed": items.len(),
            "checklist": { "compliance": compliance_checked, "quality": quality, "branding": branding },
            "findings": findings, "warnings": warnings,
            "demo": settings.demo(),
            "notice": settings.demo().then(|| format!("{}: reviewed against the demo brokerage settings", crate::brokerage::DEMO_MARK)),
        });
        let bytes = serde_json::to_vec_pretty(&report).unwrap_or_default();
        let file = NewFile {
            kind: "listing_review",
            filename: format!("{}-final-review.json", property.reference),
            content_type: "application/json",
        };
        let id = derived_id(ctx.execution_id, &format!("review-{}", ctx.attempt));
        let artifact = put_once(s, id, &requester, file, &bytes).await.map_err(StepError::retryable)?;
        if !passed {
            return Err(StepError::permanent(format!(
                "final review failed ({} finding(s); report {}): {}",
                findings.len(),
                artifact.id,
                Value::Array(findings)
            )));
        }
        // The listing is launched once: the portal listing moves from ready to launched, and only
        // the step run that moved it counts the launch.
        let listing = derived_id(ctx.execution_id, "portal-listing");
        let now = ctx.now;
        match s.records.update(store::records::Table::Listings, listing, Some("ready"), "launched", None, now).await {
            Ok(_) => {
                let metric = analytics::kpi::metric::LISTING_LAUNCHED;
                s.record_metric(metric, Some(&requester.owner_id), requester.team_id.as_deref()).await;
            }
            Err(store::Error::Conflict(_) | store::Error::NotFound(_)) => {}
            Err(e) => return Err(StepError::retryable(e)),
        }
        Ok(json!({
            "record_id": artifact.id, "passed": true, "deliverables_reviewed": items.len(),
            "checklist": report["checklist"], "warnings": report["warnings"],
            "files": [{ "artifact_id": artifact.id, "filename": artifact.filename, "content_type": "application/json",
                        "url": format!("/api/v1/marketing/assets/{}", artifact.id) }],
        }))
    }
}

async fn artifact_text(s: &Services, id: &Value) -> Result<Option<String>, StepError> {
    let Some(id) = id.as_str().and_then(|x| Uuid::parse_str(x).ok()) else { return Ok(None) };
    Ok(s.domain
        .artifact(id)
        .await
        .map_err(StepError::retryable)?
        .map(|(_, b)| String::from_utf8_lossy(&b).into_owned()))
}
