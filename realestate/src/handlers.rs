//! Step handlers for the real-estate packages. Each is idempotent: a re-run after a crash finds
//! its work already stored and returns the same output.

use std::sync::Arc;

use runtime::{Handler, Registry, StepContext, StepError};
use serde_json::{json, Value};
use store::domain::Artifact;
use uuid::Uuid;

use crate::cma::{self, AnalysisOptions};
use crate::property::Property;
use crate::Services;

/// Every handler this crate registers, for validating package files without a database.
pub const HANDLER_NAMES: &[&str] = &[
    "cma_generation",
    "cma_report_pdf",
    "marketing_assets",
    "publish_social_post",
    "campaign_email",
    "campaign_social",
];

/// Every handler name: this module's and the packages' modules'.
pub fn all_handler_names() -> impl Iterator<Item = &'static str> {
    HANDLER_NAMES
        .iter()
        .chain(crate::listing::HANDLER_NAMES)
        .chain(crate::leads::HANDLER_NAMES)
        .chain(crate::clients::HANDLER_NAMES)
        .copied()
}

pub fn register(registry: &mut Registry, services: Arc<Services>) {
    let mut own = Registry::default();
    own.register("cma_generation", CmaGeneration(services.clone()));
    own.register("cma_report_pdf", CmaReportPdf(services.clone()));
    own.register("marketing_assets", MarketingAssets(services.clone()));
    own.register("publish_social_post", crate::publish::PublishSocialPost(services.clone()));
    own.register("campaign_email", crate::distribution::CampaignEmail(services.clone()));
    own.register("campaign_social", crate::distribution::CampaignSocial(services.clone()));
    crate::listing::register(&mut own, services.clone());
    crate::leads::register(&mut own, services.clone());
    crate::clients::register(&mut own, services.clone());
    // Every step of ours checks the records it names against the execution's creator first.
    crate::access::register_guarded(registry, &own, &services);
}

fn report_id(input: &Value) -> Result<Uuid, StepError> {
    input
        .get("report_id")
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| StepError::permanent("input.report_id must be a report id"))
}

/// Marks the report failed (so its readers see why) and fails the step for good.
async fn fail(services: &Services, id: Uuid, message: String) -> StepError {
    let now = services.now();
    if let Err(e) = services.domain.finish_cma_report(id, "failed", None, Some(&message), None, now).await {
        tracing::error!(error = %e, report = %id, "could not record the report failure");
    }
    StepError::Permanent(message)
}

/// Values the subject and stores the result on the report (still `processing` until the PDF).
struct CmaGeneration(Arc<Services>);

/// The `cma_generation` step's work, for packages that value a property within a larger run.
pub(crate) async fn run_cma_generation(
    s: &Arc<Services>,
    ctx: &StepContext,
    input: &Value,
) -> Result<Value, StepError> {
    CmaGeneration(s.clone()).run(ctx.clone(), input.clone()).await
}

/// The `cma_report_pdf` step's work.
pub(crate) async fn run_cma_pdf(s: &Arc<Services>, ctx: &StepContext, input: &Value) -> Result<Value, StepError> {
    CmaReportPdf(s.clone()).run(ctx.clone(), input.clone()).await
}

#[async_trait::async_trait]
impl Handler for CmaGeneration {
    async fn run(&self, ctx: StepContext, input: Value) -> Result<Value, StepError> {
        let id = report_id(&input)?;
        let s = &self.0;
        let report = s
            .domain
            .cma_report(id)
            .await
            .map_err(StepError::retryable)?
            .ok_or_else(|| StepError::permanent(format!("CMA report {id} does not exist")))?;
        if let Some(result) = &report.result {
            return Ok(json!({ "report_id": id, "summary": cma::summary(result) }));
        }
        let options: AnalysisOptions =
            serde_json::from_value(report.request["analysis_options"].clone()).unwrap_or_default();
        let date = report.request["valuation_date"]
            .as_str()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .unwrap_or_else(|| report.created_at.date_naive());
        let market = s.market.market();
        let subject = Property::from_body(&report.request["subject"])
            .map_err(|e| StepError::permanent(format!("the report's subject is not a valid property: {e}")))?;
        let result = match tokio::task::spawn_blocking(move || cma::generate(&market, &subject, &options, date)).await {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => return Err(fail(s, id, format!("valuation failed: {e}")).await),
            Err(e) => return Err(StepError::retryable(format!("valuation task failed: {e}"))),
        };
        s.domain
            .finish_cma_report(id, "processing", Some(&result), None, None, ctx.now)
            .await
            .map_err(StepError::retryable)?;
        Ok(json!({ "report_id": id, "summary": cma::summary(&result) }))
    }
}

/// Renders the stored result as a PDF artefact and completes the report.
struct CmaReportPdf(Arc<Services>);

/// The artefact id of a report's PDF: derived from the report, so a re-run finds it.
pub fn pdf_artifact_id(report: Uuid) -> Uuid {
    crate::artifacts::stable_id(&format!("cma-pdf:{report}"))
}

#[async_trait::async_trait]
impl Handler for CmaReportPdf {
    async fn run(&self, ctx: StepContext, input: Value) -> Result<Value, StepError> {
        let id = report_id(&input)?;
        let s = &self.0;
        let report = s
            .domain
            .cma_report(id)
            .await
            .map_err(StepError::retryable)?
            .ok_or_else(|| StepError::permanent(format!("CMA report {id} does not exist")))?;
        let result = report.result.clone().ok_or_else(|| StepError::retryable("the report has no result yet"))?;
        let artifact_id = pdf_artifact_id(id);
        let existing = s.domain.artifact(artifact_id).await.map_err(StepError::retryable)?;
        let (size, sha) = match existing {
            Some((a, _)) => (a.size_bytes, a.sha256),
            None => {
                let meta = crate::cma_pdf::ReportMeta {
                    report_id: id.to_string(),
                    prepared_by: report.request["prepared_by"].as_str().unwrap_or("AURA").to_string(),
                    generated_at: report.created_at,
                };
                let bytes = tokio::task::spawn_blocking(move || crate::cma_pdf::render(&result, &meta))
                    .await
                    .map_err(|e| StepError::retryable(format!("PDF rendering failed: {e}")))?;
                let sha = crate::artifacts::sha256_hex(&bytes);
                let artifact = Artifact {
                    id: artifact_id,
                    owner_id: Some(report.owner_id.clone()),
                    team_id: report.team_id.clone(),
                    kind: "cma_report_pdf".into(),
                    filename: format!("cma-{}.pdf", &id.to_string()[..8]),
                    content_type: "application/pdf".into(),
                    size_bytes: bytes.len() as i64,
                    sha256: sha.clone(),
                    created_at: ctx.now,
                };
                s.domain.put_artifact(&artifact, &bytes).await.map_err(StepError::retryable)?;
                (artifact.size_bytes, sha)
            }
        };
        s.domain
            .finish_cma_report(id, "completed", report.result.as_ref(), None, Some(artifact_id), ctx.now)
            .await
            .map_err(StepError::retryable)?;
        Ok(json!({
            "report_id": id,
            "record_id": id,
            "files": [{ "artifact_id": artifact_id, "url": format!("/api/v1/cma/reports/{id}/pdf"), "content_type": "application/pdf", "size_bytes": size, "sha256": sha }],
        }))
    }
}

/// Generates a full-package campaign's assets and moves it from `processing` to `draft` (or
/// `failed`, with the reason, when the copy cannot be made compliant).
struct MarketingAssets(Arc<Services>);

#[async_trait::async_trait]
impl Handler for MarketingAssets {
    async fn run(&self, ctx: StepContext, input: Value) -> Result<Value, StepError> {
        use crate::campaign::{generate_assets, CampaignError, Requester};
        let id = input
            .get("campaign_id")
            .and_then(Value::as_str)
            .and_then(|s| Uuid::parse_str(s).ok())
            .ok_or_else(|| StepError::permanent("input.campaign_id must be a campaign id"))?;
        let s = &self.0;
        let campaign = s
            .domain
            .campaign(id)
            .await
            .map_err(StepError::retryable)?
            .ok_or_else(|| StepError::permanent(format!("campaign {id} does not exist")))?;
        if campaign.status != "processing" {
            return Ok(
                json!({ "campaign_id": id, "record_id": id, "status": campaign.status, "files": campaign.assets }),
            );
        }
        let property = s
            .domain
            .property(campaign.property_id)
            .await
            .map_err(StepError::retryable)?
            .ok_or_else(|| StepError::permanent("the campaign's property was deleted"))?;
        let requester: Requester = serde_json::from_value(campaign.request["requester"].clone())
            .map_err(|e| StepError::permanent(format!("campaign request: {e}")))?;
        let channels: Vec<String> =
            serde_json::from_value(campaign.request["target_channels"].clone()).unwrap_or_default();
        let style = serde_json::from_value(campaign.request["content_style"].clone()).ok();
        let now = ctx.now;
        match generate_assets(s, &property, &requester, &channels, style, &campaign.request["customizations"], now)
            .await
        {
            Ok(assets) => {
                let assets = Value::Array(assets);
                s.domain
                    .finish_campaign_generation(id, "draft", &assets, None, now)
                    .await
                    .map_err(StepError::retryable)?;
                Ok(json!({ "campaign_id": id, "record_id": id, "status": "draft", "files": assets }))
            }
            Err(CampaignError::Store(e)) => Err(StepError::retryable(e)),
            // Waits (no settings yet) or retries; the campaign stays `processing` meanwhile.
            Err(CampaignError::Settings(e)) => Err(e.into()),
            Err(e) => {
                let message = match &e {
                    CampaignError::NotCompliant { findings, .. } => format!("{e}: {findings}"),
                    _ => e.to_string(),
                };
                if let Err(store_error) =
                    s.domain.finish_campaign_generation(id, "failed", &json!([]), Some(&message), now).await
                {
                    tracing::error!(error = %store_error, campaign = %id, "could not record the campaign failure");
                }
                Err(StepError::Permanent(message))
            }
        }
    }
}
