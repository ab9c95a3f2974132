//! `listing_photography`: the next golden-hour shoots at the property (real sunrise and sunset for
//! its coordinates and the date, NOAA algorithm in the `calendar` crate), in Asia/Dubai time, with a
//! drone above AED 3M as the seed prescribes, and an `.ics` file with the proposed sessions.

use std::sync::Arc;

use crate::artifacts::{put_once, NewFile};
use runtime::{Handler, StepContext, StepError};
use serde_json::{json, Value};

use super::{analysed_property, derived_id, listing_price, requester};
use crate::Services;

/// Above this price the shoot includes aerial (drone) footage, as the seed's package decides.
pub const DRONE_ABOVE_AED: f64 = 3_000_000.0;
/// Sessions proposed to the agent, and how far ahead to look.
const SLOTS: usize = 3;
const DAYS_AHEAD: u32 = 14;

pub(crate) struct Photography(pub(crate) Arc<Services>);

#[async_trait::async_trait]
impl Handler for Photography {
    async fn run(&self, ctx: StepContext, _input: Value) -> Result<Value, StepError> {
        let s = &self.0;
        let property = analysed_property(s, &ctx).await?;
        let requester = requester(s, &ctx).await?;
        let community = property.body["community"].as_str().unwrap_or_default().to_string();
        let (lat, lon) = match (property.body["latitude"].as_f64(), property.body["longitude"].as_f64()) {
            (Some(a), Some(b)) => (a, b),
            _ => {
                let communities = s.domain.communities().await.map_err(StepError::retryable)?;
                let c = communities.iter().find(|c| c.name == community);
                match c.and_then(|c| c.latitude.zip(c.longitude)) {
                    Some(coords) => coords,
                    // Central Dubai: sun times differ by about a minute across the emirate.
                    None => (calendar::Coordinates::DUBAI.latitude, calendar::Coordinates::DUBAI.longitude),
                }
            }
        };
        let price = listing_price(&ctx).unwrap_or_default();
        let drone = price > DRONE_ABOVE_AED;
        let duration = chrono::Duration::minutes(if drone { 120 } else { 90 });
        let now = ctx.now;
        let slots = calendar::photography_slots(lat, lon, now, chrono_tz::Asia::Dubai, DAYS_AHEAD, SLOTS, duration);
        if slots.is_empty() {
            return Err(StepError::permanent("no golden-hour slot in the next two weeks at these coordinates"));
        }
        let shoot = if drone { "Photography, video and drone" } else { "Photography and video" };
        let events: Vec<calendar::Event> = slots
            .iter()
            .enumerate()
            .map(|(i, slot)| {
                let mut e = calendar::Event::new(
                    format!("{}-{i}@aura", derived_id(ctx.execution_id, "photo")),
                    now,
                    slot.start,
                    slot.end,
                    format!("Option {}: {shoot} – {}", i + 1, property.reference),
                );
                e.description = Some(format!(
                    "{}\n{}{}",
                    slot.reason,
                    if drone { "Drone: book the DCAA permit for the site in advance.\n" } else { "" },
                    "Hold one option; the others are released."
                ));
                e.location = Some(format!(
                    "{}, Dubai",
                    [property.body["building"].as_str().unwrap_or(""), &community]
                        .iter()
                        .filter(|x| !x.is_empty())
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                e.geo = Some((lat, lon));
                e.categories = vec!["Photography".into()];
                e.alarm_minutes_before = Some(60);
                e
            })
            .collect();
        let ics = calendar::Calendar { prod_id: "-//AURA//New Listing//EN".into(), events }.to_ics();
        let bytes = ics.into_bytes();
        let file = NewFile {
            kind: "photography_schedule",
            filename: format!("{}-photography.ics", property.reference),
            content_type: "text/calendar; charset=utf-8",
        };
        let id = derived_id(ctx.execution_id, "photo-ics");
        let artifact = put_once(s, id, &requester, file, &bytes).await.map_err(StepError::retryable)?;
        Ok(json!({
            "record_id": artifact.id, "drone": drone, "coordinates": { "latitude": lat, "longitude": lon },
            "time_zone": "Asia/Dubai",
            "slots": slots.iter().map(|sl| json!({
                "kind": format!("{:?}", sl.kind).to_lowercase(), "start": sl.start, "end": sl.end,
                "local_start": sl.local_start.format("%Y-%m-%d %H:%M").to_string(),
                "local_end": sl.local_end.format("%H:%M").to_string(),
                "sunrise": sl.sunrise, "sunset": sl.sunset, "reason": sl.reason,
            })).collect::<Vec<_>>(),
            "files": [{ "artifact_id": artifact.id, "filename": artifact.filename, "content_type": "text/calendar",
                        "url": format!("/api/v1/marketing/assets/{}", artifact.id) }],
        }))
    }
}
