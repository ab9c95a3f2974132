//! A campaign's assets: copy per channel (generated, compliance-checked) and print PDFs, stored as
//! artefacts. Used by the synchronous campaign endpoint and by the `marketing_assets` step of the
//! full-package execution, so both produce the same files.

use serde_json::{json, Value};
use store::domain::{Artifact, PropertyRecord};
use uuid::Uuid;

use crate::compliance::{self, Channel, Context};
use crate::content::{Agent, ContentError, ContentKind, ContentRequest, ContentStyle, Platform};
use crate::property::Property;
use crate::Services;

/// Who the campaign is for, as captured when it was requested.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Requester {
    pub owner_id: String,
    pub team_id: Option<String>,
    pub name: String,
    pub email: String,
    pub phone: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CampaignError {
    #[error("{0}")]
    InvalidRequest(String),
    #[error("the {channel} copy fails the compliance checker")]
    NotCompliant { channel: String, findings: Value },
    #[error(transparent)]
    Settings(#[from] crate::brokerage::SettingsError),
    #[error(transparent)]
    Store(#[from] store::Error),
    #[error("content generation failed: {0}")]
    Internal(String),
}

/// The content kinds the target channels ask for (`social` means every network), deduplicated.
pub fn kinds_for(channels: &[String]) -> Result<Vec<ContentKind>, CampaignError> {
    let mut kinds = Vec::new();
    for channel in channels {
        let add: Vec<ContentKind> = match channel.as_str() {
            "listing" | "portal" => vec![ContentKind::Listing],
            "email" => vec![ContentKind::Email],
            "postcard" => vec![ContentKind::Postcard],
            "brochure" => vec![ContentKind::Brochure],
            "social" => Platform::ALL.iter().map(|p| ContentKind::Social(*p)).collect(),
            "instagram" => vec![ContentKind::Social(Platform::Instagram)],
            "facebook" => vec![ContentKind::Social(Platform::Facebook)],
            "linkedin" => vec![ContentKind::Social(Platform::Linkedin)],
            "x" | "twitter" => vec![ContentKind::Social(Platform::X)],
            other => {
                return Err(CampaignError::InvalidRequest(format!(
                    "unknown channel `{other}` (listing, email, postcard, brochure, social, instagram, facebook, linkedin, x)"
                )))
            }
        };
        for k in add {
            if !kinds.contains(&k) {
                kinds.push(k);
            }
        }
    }
    if kinds.is_empty() {
        return Err(CampaignError::InvalidRequest("name at least one channel".into()));
    }
    Ok(kinds)
}

/// Generates and checks every asset first (a campaign with one non-compliant asset gets none),
/// then stores them; returns their descriptions.
pub async fn generate_assets(
    s: &Services,
    property: &PropertyRecord,
    requester: &Requester,
    channels: &[String],
    style: Option<ContentStyle>,
    customizations: &Value,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<Value>, CampaignError> {
    let kinds = kinds_for(channels)?;
    let settings = s.settings().await?;
    let (orn, brn) = settings.registration()?;
    let brokerage_name = settings.display_name();
    let listing = Property::from_record(property).map_err(CampaignError::Internal)?;
    let style = style.unwrap_or_else(|| ContentStyle::for_price(listing.asking_price));
    let generator = s.generator().await?;
    let mut files: Vec<(String, String, &'static str, Vec<u8>)> = Vec::new();
    let contact = crate::print::Contact {
        agent: requester.name.clone(),
        brn: brn.clone(),
        phone: requester.phone.clone(),
        email: requester.email.clone(),
        brokerage: brokerage_name.clone(),
        orn: orn.clone(),
    };
    // The listing's photos, decoded once: the first is the social images' hero, the brochure shows
    // as many as it has room for.
    let photos =
        crate::photos::listing_photos(s.domain.as_ref(), property.id, crate::print::BROCHURE_PHOTOS_MAX).await?;
    let info = |what: &str| crate::print::PrintInfo {
        title: format!("{what} \u{2013} {}", property.reference),
        author: requester.name.clone(),
        created: now,
    };
    for kind in kinds {
        let request = ContentRequest {
            kind,
            property: listing.clone(),
            content_style: style,
            agent: Agent {
                name: requester.name.clone(),
                brn: brn.clone(),
                phone: requester.phone.clone(),
                email: requester.email.clone(),
            },
            brokerage: settings.content_brokerage(),
            customizations: customizations.clone(),
        };
        let generated = s.write_content(&generator, &request).await.map_err(|e| match e {
            ContentError::InvalidRequest(m) => CampaignError::InvalidRequest(m),
            ContentError::ProhibitedClaim(m) => CampaignError::NotCompliant {
                channel: format!("{kind:?}"),
                findings: json!([{ "rule": "prohibited_claim", "message": m }]),
            },
            other => CampaignError::Internal(other.to_string()),
        })?;
        let channel: Channel = generated.channel.parse().unwrap_or(Channel::Portal);
        let text = format!("{}\n{}\n{}", generated.title, generated.body, generated.hashtags.join(" "));
        let ctx = Context::new(channel, &settings.config)
            .with_property(&property.body)
            .with_qr_code(true)
            .with_today(now.date_naive());
        let report = compliance::check(&text, &ctx);
        if !report.compliant {
            return Err(CampaignError::NotCompliant {
                channel: generated.channel.clone(),
                findings: json!(report.findings),
            });
        }
        let stem = generated.channel.replace(':', "_");
        let plain = format!(
            "{}{}\n\n{}\n\n{}",
            settings.demo_banner(),
            generated.title,
            generated.body,
            generated.hashtags.join(" ")
        );
        files.push((
            generated.channel.clone(),
            format!("{stem}.txt"),
            "text/plain; charset=utf-8",
            plain.trim().as_bytes().to_vec(),
        ));
        if let Some(html) = &generated.html {
            files.push((
                generated.channel.clone(),
                format!("{stem}.html"),
                "text/html; charset=utf-8",
                html.as_bytes().to_vec(),
            ));
        }
        // Print assets: the permit number is printed and encoded as a QR code on each.
        match kind {
            ContentKind::Postcard => {
                let pdf = crate::print::postcard_pdf(&listing, &contact, &generated, &generated, "", info("Postcard"));
                files.push((generated.channel.clone(), format!("{stem}.pdf"), "application/pdf", pdf));
            }
            ContentKind::Brochure => {
                let pdf = crate::print::brochure_pdf(&listing, &contact, &generated, "", &photos, info("Brochure"));
                files.push((generated.channel.clone(), format!("{stem}.pdf"), "application/pdf", pdf));
            }
            // Each network gets its feed image, with the same permit QR as the print assets.
            ContentKind::Social(platform) => {
                let size = crate::social_image::size_for(platform);
                let (w, h) = size.dimensions();
                let png = crate::social_image::listing_image_png(
                    &listing,
                    &generated.title,
                    &advertiser(requester, &brn, &orn, &brokerage_name),
                    "",
                    photos.first(),
                    size,
                );
                files.push((generated.channel.clone(), format!("{stem}_{w}x{h}.png"), "image/png", png));
            }
            _ => {}
        }
    }
    let mut assets = Vec::new();
    for (channel, filename, content_type, bytes) in files {
        let sha = crate::artifacts::sha256_hex(&bytes);
        let artifact = Artifact {
            id: Uuid::now_v7(),
            owner_id: Some(requester.owner_id.clone()),
            team_id: requester.team_id.clone(),
            kind: format!("campaign_copy:{channel}"),
            filename,
            content_type: content_type.into(),
            size_bytes: bytes.len() as i64,
            sha256: sha.clone(),
            created_at: now,
        };
        s.domain.put_artifact(&artifact, &bytes).await?;
        assets.push(json!({
            "artifact_id": artifact.id, "channel": channel, "filename": artifact.filename, "content_type": artifact.content_type,
            "size_bytes": artifact.size_bytes, "sha256": sha, "url": format!("/api/v1/marketing/assets/{}", artifact.id),
        }));
    }
    Ok(assets)
}

/// The advertiser block of images: the requesting agent and the configured brokerage.
pub fn advertiser(requester: &Requester, brn: &str, orn: &str, brokerage: &str) -> crate::social_image::Advertiser {
    crate::social_image::Advertiser {
        agent_name: requester.name.clone(),
        agent_brn: brn.to_string(),
        agent_phone: requester.phone.clone(),
        brokerage_name: brokerage.to_string(),
        brokerage_orn: orn.to_string(),
    }
}
