//! `listing_optimization`: the portal-ready listing (title, description, features, keywords)
//! within the field limits we design to, compliance-checked for the portal channel, with the
//! price's position against the CMA. Stored in `listings` and as a JSON file the agent can
//! upload or paste into a portal.

use std::sync::Arc;

use crate::artifacts::{put_once, NewFile};
use runtime::{Handler, StepContext, StepError};
use serde::Serialize;
use serde_json::{json, Value};
use store::records::{Record, Table};

use super::{analysed_property, derived_id, output, requester};
use crate::compliance::{self, Channel, Context};
use crate::property::{CompletionStatus, Property};
use crate::Services;

/// Field limits of the major Dubai portals as we apply them. Not published as one standard: these
/// follow the tighter of the portals' listing forms as observed (titles around 50 characters,
/// descriptions up to a few thousand with 750+ recommended); change them here if a portal differs.
pub const TITLE_MAX: usize = 50;
pub const DESCRIPTION_MIN: usize = 300;
pub const DESCRIPTION_MAX: usize = 2_000;
pub const KEYWORDS_MAX: usize = 10;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PortalListing {
    pub title: String,
    pub description: String,
    pub features: Vec<String>,
    pub keywords: Vec<String>,
    pub price_aed: f64,
    pub permit_number: String,
}

fn type_label(t: &str) -> String {
    let t = t.replace('_', " ");
    let mut c = t.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// The longest title of the candidate parts that fits [`TITLE_MAX`] (parts dropped from the end).
pub fn title(p: &Property) -> String {
    let beds = match p.bedrooms {
        0 => "Studio".to_string(),
        b => format!("{b} BR"),
    };
    let kind = type_label(p.property_type.as_str());
    let mut parts: Vec<String> = vec![format!("{beds} {kind}").trim().to_string()];
    let view = p.view.as_deref().filter(|v| !v.is_empty()).map(|v| format!("{v} View"));
    let building = p.building.clone().filter(|b| !b.is_empty());
    let community = Some(p.community.clone()).filter(|c| !c.is_empty());
    parts.extend([view, building, community].into_iter().flatten());
    // Keep the community (last) if anything must go: drop from the middle first.
    while parts.join(" | ").chars().count() > TITLE_MAX && parts.len() > 2 {
        parts.remove(1);
    }
    let t = parts.join(" | ");
    if t.chars().count() <= TITLE_MAX {
        t
    } else {
        t.chars().take(TITLE_MAX).collect()
    }
}

/// Cuts at the last sentence end within `max` characters.
pub fn fit_description(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.trim().to_string();
    }
    let cut: String = text.chars().take(max).collect();
    match cut.rfind(['.', '!', '?']) {
        Some(i) if i > max / 2 => cut[..=i].trim().to_string(),
        _ => cut.trim_end().to_string(),
    }
}

pub fn build(p: &Property, copy: &str, compliance_block: &str) -> PortalListing {
    let mut features = p.features.clone();
    if let Some(b) = p.bathrooms {
        features.push(format!("{b} bathrooms"));
    }
    features.push(format!("{:.0} sqft built-up area", p.size_sqft));
    if p.completion_status == CompletionStatus::Ready {
        features.push("Ready to move in".into());
    }
    let mut keywords = Vec::new();
    for k in [
        Some(p.community.clone()),
        p.building.clone(),
        Some(format!("{} for sale Dubai", p.property_type.as_str().replace('_', " "))),
        Some(if p.bedrooms == 0 { "studio".into() } else { format!("{} bedroom", p.bedrooms) }),
        p.view.as_ref().map(|v| format!("{v} view")),
    ]
    .into_iter()
    .flatten()
    {
        if !keywords.contains(&k) && keywords.len() < KEYWORDS_MAX {
            keywords.push(k);
        }
    }
    // The disclosures always survive the cut: the copy is shortened, never the compliance block.
    let room = DESCRIPTION_MAX.saturating_sub(compliance_block.chars().count() + 2);
    let description = format!("{}\n\n{}", fit_description(copy, room), compliance_block).trim().to_string();
    PortalListing {
        title: title(p),
        description,
        features,
        keywords,
        price_aed: p.asking_price.unwrap_or_default(),
        permit_number: p.permit_number.clone().unwrap_or_default(),
    }
}

pub(crate) struct ListingOptimization(pub(crate) Arc<Services>);

#[async_trait::async_trait]
impl Handler for ListingOptimization {
    async fn run(&self, ctx: StepContext, _input: Value) -> Result<Value, StepError> {
        let s = &self.0;
        let property = analysed_property(s, &ctx).await?;
        let listing_property = Property::from_record(&property).map_err(StepError::permanent)?;
        let requester = requester(s, &ctx).await?;
        let settings = s.settings().await?;
        let (orn, brn) = settings.registration()?;
        // The campaign's portal copy is the description's body.
        let campaign = output(&ctx, "marketing_campaign_creation");
        let copy_asset = campaign["files"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|a| a["channel"] == "portal" && a["filename"].as_str().is_some_and(|f| f.ends_with(".txt")));
        let copy = match copy_asset.and_then(|a| a["artifact_id"].as_str()).and_then(|id| id.parse().ok()) {
            Some(id) => s
                .domain
                .artifact(id)
                .await
                .map_err(StepError::retryable)?
                .map(|(_, b)| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default(),
            None => String::new(),
        };
        let copy: String = copy.lines().skip(1).collect::<Vec<_>>().join("\n");
        let block = format!(
            "Trakheesi Permit {} | {}, ORN {orn} | Agent {}, BRN {brn}",
            listing_property.permit_number.as_deref().unwrap_or("-"),
            settings.display_name(),
            requester.name
        );
        let listing = build(&listing_property, &copy, &block);
        let text = format!("{}\n{}", listing.title, listing.description);
        let ctx_c = Context::new(Channel::Portal, &settings.config)
            .with_property(&property.body)
            .with_today(ctx.now.date_naive());
        let report = compliance::check(&text, &ctx_c);
        if !report.compliant {
            return Err(StepError::permanent(format!(
                "the portal listing fails the compliance checker: {}",
                json!(report.findings)
            )));
        }
        let pricing = &output(&ctx, "pricing_recommendation")["recommendation"];
        let body = json!({
            "property_id": property.id, "listing": listing, "price_position": pricing,
            "limits": { "title_max": TITLE_MAX, "description_min": DESCRIPTION_MIN, "description_max": DESCRIPTION_MAX },
            "warnings": if listing.description.chars().count() < DESCRIPTION_MIN { json!(["the description is short; add features and a longer copy"]) } else { json!([]) },
            "compliance": { "compliant": true, "rules_checked": report.findings.len(), "notice": report.notice },
            "demo": settings.demo(),
        });
        let now = ctx.now;
        let bytes = serde_json::to_vec_pretty(&body).unwrap_or_default();
        let file = NewFile {
            kind: "portal_listing",
            filename: format!("{}-portal-listing.json", property.reference),
            content_type: "application/json",
        };
        let id = derived_id(ctx.execution_id, "portal-listing-file");
        let artifact = put_once(s, id, &requester, file, &bytes).await.map_err(StepError::retryable)?;
        let mut record = Record::new("ready", body.clone(), now);
        record.id = derived_id(ctx.execution_id, "portal-listing");
        record.owner_id = Some(requester.owner_id.clone());
        record.team_id = requester.team_id.clone();
        record.ref_id = Some(property.id.to_string());
        record.unique_key = Some(format!("listing:{}", ctx.execution_id));
        let (record, _) = s.records.insert(Table::Listings, &record).await.map_err(StepError::retryable)?;
        Ok(json!({
            "record_id": record.id, "title": body["listing"]["title"], "price_position": pricing["position"],
            "description_characters": body["listing"]["description"].as_str().map_or(0, |d| d.chars().count()),
            "files": [{ "artifact_id": artifact.id, "filename": artifact.filename, "content_type": "application/json",
                        "url": format!("/api/v1/marketing/assets/{}", artifact.id) }],
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn property(body: Value) -> Property {
        Property::from_body(&body).expect("a valid property body")
    }

    #[test]
    fn titles_fit_the_limit_and_keep_the_community() {
        let p = property(json!({ "bedrooms": 3, "property_type": "penthouse", "view": "Full Sea and Palm Jumeirah",
            "building": "The Residences at Marina Gate Tower 2", "community": "Dubai Marina", "size_sqft": 4200.0 }));
        let t = title(&p);
        assert!(t.chars().count() <= TITLE_MAX, "{t}");
        assert!(t.starts_with("3 BR Penthouse") && t.ends_with("Dubai Marina"), "{t}");
        assert_eq!(
            title(&property(
                json!({ "bedrooms": 0, "property_type": "apartment", "community": "JVC", "size_sqft": 410.0 })
            )),
            "Studio Apartment | JVC"
        );
    }

    #[test]
    fn descriptions_keep_the_disclosures_whatever_the_copy() {
        let copy = "A bright home. ".repeat(400);
        let l = build(
            &property(json!({ "bedrooms": 1, "property_type": "apartment", "community": "JVC", "size_sqft": 700.0 })),
            &copy,
            "Permit 123 | ORN 1 | BRN 2",
        );
        assert!(l.description.chars().count() <= DESCRIPTION_MAX);
        assert!(l.description.ends_with("Permit 123 | ORN 1 | BRN 2"));
        assert!(l.description.contains("home.\n\n"), "cut at a sentence end");
    }
}
