//! The Lead Nurturing steps. The drip is durable: a `lead_wait` step waits with
//! `StepError::Wait` (no worker held, no attempt spent) until its e-mail is due, so a nurture that
//! runs for weeks survives restarts and deploys; a stop signal (reply, conversion, unsubscribe)
//! wakes it, and every later step ends at once with the reason.

use std::sync::Arc;
use std::time::Duration;

use runtime::{Handler, StepContext, StepError};
use serde_json::{json, Value};
use store::domain::PropertyRecord;
use store::records::{Record, Table};
use uuid::Uuid;

use super::score::{self, Engagement, CALL_THRESHOLD};
use super::{ENGAGEMENT_SIGNALS, STOP_SIGNALS, STOP_STATUSES};
use crate::compliance::{self, Channel, Context};
use crate::Services;

fn lead_id(ctx: &StepContext) -> Result<Uuid, StepError> {
    ctx.params["lead_id"]
        .as_str()
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| StepError::permanent("lead_id must be a lead id"))
}

async fn lead(s: &Services, ctx: &StepContext) -> Result<Record, StepError> {
    let id = lead_id(ctx)?;
    s.records
        .get(Table::Leads, id)
        .await
        .map_err(StepError::retryable)?
        .ok_or_else(|| StepError::permanent(format!("lead {id} does not exist")))
}

/// Why the drip must stop, if it must: the lead's status, or a stop signal.
async fn stop_reason(ctx: &StepContext, lead: &Record) -> Result<Option<String>, StepError> {
    if STOP_STATUSES.contains(&lead.status.as_str()) {
        return Ok(Some(format!("lead {}", lead.status)));
    }
    Ok(ctx.signals.latest(&STOP_SIGNALS).await?.map(|s| s.name))
}

/// A previous step already stopped the drip.
fn stopped_before(ctx: &StepContext) -> Option<String> {
    ctx.outputs.values().find_map(|o| o["stopped"].as_str().map(str::to_string))
}

async fn engagement(ctx: &StepContext, lead: &Record) -> Result<Engagement, StepError> {
    let signals = ctx.signals.list().await?;
    let count = |name: &str| signals.iter().filter(|s| s.name == name).count() as u32;
    let last = signals.iter().filter(|s| ENGAGEMENT_SIGNALS.contains(&s.name.as_str())).map(|s| s.created_at).max();
    let since = last.unwrap_or(lead.created_at);
    Ok(Engagement {
        opens: count("email_opened"),
        clicks: count("email_clicked"),
        replies: count("lead_replied"),
        days_since_activity: (ctx.now - since).num_seconds() as f64 / 86_400.0,
    })
}

/// Our listings that fit the lead: preferred community, type, bedrooms ±1, price within 10 % of
/// the budget; closest to the budget's middle first.
pub async fn matches(s: &Services, lead: &Value) -> Result<Vec<PropertyRecord>, store::Error> {
    let all = s.domain.list_properties(None, None, 1000).await?;
    let communities: Vec<&str> =
        lead["preferred_communities"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    let (lo, hi) = (lead["budget_min"].as_f64().unwrap_or(0.0), lead["budget_max"].as_f64().unwrap_or(f64::MAX));
    let mid = if hi < f64::MAX { (lo + hi) / 2.0 } else { lo };
    let mut found: Vec<PropertyRecord> = all
        .into_iter()
        .filter(|p| {
            let b = &p.body;
            let price = b["asking_price"].as_f64().unwrap_or(0.0);
            (communities.is_empty() || b["community"].as_str().is_some_and(|c| communities.contains(&c)))
                && lead["property_type"].as_str().is_none_or(|t| b["property_type"].as_str() == Some(t))
                && lead["bedrooms"]
                    .as_i64()
                    .is_none_or(|want| b["bedrooms"].as_i64().is_some_and(|have| (have - want).abs() <= 1))
                && price >= lo * 0.9
                && price <= hi * 1.1
                && b["permit_number"].is_string()
        })
        .collect();
    found.sort_by(|a, b| {
        let d = |p: &PropertyRecord| (p.body["asking_price"].as_f64().unwrap_or(0.0) - mid).abs();
        d(a).total_cmp(&d(b))
    });
    found.truncate(5);
    Ok(found)
}

pub(crate) struct Scoring(pub(crate) Arc<Services>);

#[async_trait::async_trait]
impl Handler for Scoring {
    async fn run(&self, ctx: StepContext, _input: Value) -> Result<Value, StepError> {
        let s = &self.0;
        let lead = lead(s, &ctx).await?;
        if lead.status == "new" {
            let mut body = lead.body.clone();
            body["execution_id"] = json!(ctx.execution_id);
            match s.records.update(Table::Leads, lead.id, Some("new"), "nurturing", Some(&body), ctx.now).await {
                Ok(_) => {
                    let metric = analytics::kpi::metric::LEAD_HANDLED;
                    s.record_metric(metric, lead.owner_id.as_deref(), lead.team_id.as_deref()).await;
                }
                Err(store::Error::Conflict(_)) => {}
                Err(e) => return Err(StepError::retryable(e)),
            }
        }
        let prices: Vec<f64> = matches(s, &lead.body)
            .await
            .map_err(StepError::retryable)?
            .iter()
            .filter_map(|p| p.body["asking_price"].as_f64())
            .collect();
        let scored = score::score(&lead.body, &prices, engagement(&ctx, &lead).await?);
        let task = call_task(s, &lead, &scored).await?;
        Ok(json!({
            "lead_id": lead.id, "record_id": lead.id, "score": scored.score, "segment": scored.segment,
            "components": scored.components, "call_task": task, "contact_consent": lead.body["contact_consent"],
        }))
    }
}

/// Creates the agent's call task once, when the score reaches the threshold.
async fn call_task(s: &Services, lead: &Record, scored: &score::Score) -> Result<Option<Uuid>, StepError> {
    if scored.score < CALL_THRESHOLD {
        return Ok(None);
    }
    let now = s.now();
    let mut task = Record::new(
        "open",
        json!({
            "kind": "call", "lead_id": lead.id, "lead_name": lead.body["name"], "phone": lead.body["phone"],
            "email": lead.body["email"], "score": scored.score, "segment": scored.segment,
            "reason": format!("score {} reached {CALL_THRESHOLD}: call while the lead is engaged", scored.score),
            "due_at": now + chrono::Duration::hours(24),
        }),
        now,
    );
    task.owner_id = lead.owner_id.clone();
    task.team_id = lead.team_id.clone();
    task.ref_id = Some(lead.id.to_string());
    task.unique_key = Some(format!("call:{}", lead.id));
    let (task, _) = s.records.insert(Table::AgentTasks, &task).await.map_err(StepError::retryable)?;
    Ok(Some(task.id))
}

pub(crate) struct Matching(pub(crate) Arc<Services>);

#[async_trait::async_trait]
impl Handler for Matching {
    async fn run(&self, ctx: StepContext, _input: Value) -> Result<Value, StepError> {
        let s = &self.0;
        let lead = lead(s, &ctx).await?;
        let found = matches(s, &lead.body).await.map_err(StepError::retryable)?;
        let mut market = Vec::new();
        let ptype = lead.body["property_type"].as_str().unwrap_or("apartment");
        for c in lead.body["preferred_communities"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            let snaps = s.domain.snapshots(Some(c), Some(ptype)).await.map_err(StepError::retryable)?;
            let latest = snaps.last();
            let year_ago = snaps.iter().rev().nth(12);
            market.push(json!({
                "community": c, "property_type": ptype, "latest_month": latest.map(|x| x.month.clone()),
                "median_price_per_sqft": latest.map(|x| x.median_psf.round()),
                "change_12m_pct": latest.zip(year_ago).map(|(a, b)| ((a.median_psf / b.median_psf - 1.0) * 1000.0).round() / 10.0),
                "sales_last_month": latest.map(|x| x.volume),
            }));
        }
        Ok(json!({
            "lead_id": lead.id,
            "matches": found.iter().map(|p| json!({
                "property_id": p.id, "reference": p.reference, "community": p.body["community"], "building": p.body["building"],
                "property_type": p.body["property_type"], "bedrooms": p.body["bedrooms"], "size_sqft": p.body["size_sqft"],
                "asking_price": p.body["asking_price"], "permit_number": p.body["permit_number"],
            })).collect::<Vec<_>>(),
            "market": market,
        }))
    }
}

fn aed(v: &Value) -> String {
    documents::format::aed(v.as_f64().unwrap_or(0.0).round())
}

/// The e-mails of the sequence: subject and plain text (HTML is derived when sent).
pub fn write_sequence(
    lead: &Value,
    matched: &Value,
    agent: &str,
    brokerage: &str,
    orn: &str,
    brn: &str,
) -> Vec<(String, String)> {
    let name = lead["name"].as_str().unwrap_or("there").split_whitespace().next().unwrap_or("there").to_string();
    let listings: Vec<&Value> = matched["matches"].as_array().map(|a| a.iter().collect()).unwrap_or_default();
    let market: Vec<&Value> = matched["market"].as_array().map(|a| a.iter().collect()).unwrap_or_default();
    let area = market.first().and_then(|m| m["community"].as_str()).unwrap_or("Dubai").to_string();
    let line = |p: &Value| {
        format!(
            "- {} {} in {}{}, {} sqft: {} (Trakheesi Permit {})",
            match p["bedrooms"].as_i64() {
                Some(0) => "Studio".to_string(),
                Some(b) => format!("{b}-bedroom"),
                None => String::new(),
            },
            p["property_type"].as_str().unwrap_or("home").replace('_', " "),
            p["community"].as_str().unwrap_or(""),
            p["building"].as_str().map(|b| format!(", {b}")).unwrap_or_default(),
            p["size_sqft"].as_f64().map_or("-".into(), |s| format!("{s:.0}")),
            aed(&p["asking_price"]),
            p["permit_number"].as_str().unwrap_or("-"),
        )
    };
    let footer = format!(
        "\n\n{agent}, BRN {brn}\n{brokerage}, ORN {orn}\nPrices are asking prices and subject to change. Reply STOP to unsubscribe."
    );
    let mut emails = Vec::new();
    let first = if listings.is_empty() {
        format!("Hi {name},\n\nThank you for your interest in {area}. Nothing on our books fits your brief today; we will write as soon as something does.")
    } else {
        format!(
            "Hi {name},\n\nHere are the homes on our books that fit what you are looking for:\n\n{}\n\nReply to this e-mail to arrange a viewing.",
            listings.iter().take(3).map(|p| line(p)).collect::<Vec<_>>().join("\n")
        )
    };
    emails.push((format!("Homes in {area} for you"), first + &footer));
    let market_lines: Vec<String> = market
        .iter()
        .filter_map(|m| {
            Some(format!(
                "- {}: median AED {:.0} per sqft in {}{} ({} sales that month, Dubai Land Department data)",
                m["community"].as_str()?,
                m["median_price_per_sqft"].as_f64()?,
                m["latest_month"].as_str()?,
                m["change_12m_pct"].as_f64().map(|c| format!(", {c:+.1}% over 12 months")).unwrap_or_default(),
                m["sales_last_month"].as_i64().unwrap_or(0),
            ))
        })
        .collect();
    // Prices in an e-mail make it an advert: with them goes a listing and its permit. Without a
    // listing to show, the update keeps to movement and volume.
    let second = match (market_lines.is_empty(), listings.first()) {
        (false, Some(p)) => format!(
            "Hi {name},\n\nHow the market you are watching is moving:\n\n{}\n\nAnd the home on our books that fits your brief best:\n\n{}",
            market_lines.join("\n"),
            line(p)
        ),
        (false, None) => format!(
            "Hi {name},\n\nHow the market you are watching is moving:\n\n{}",
            market.iter().filter_map(|m| Some(format!(
                "- {}: {} sales registered in {}{}",
                m["community"].as_str()?,
                m["sales_last_month"].as_i64().unwrap_or(0),
                m["latest_month"].as_str()?,
                m["change_12m_pct"].as_f64().map(|c| format!(", prices per sqft {c:+.1}% over 12 months")).unwrap_or_default(),
            ))).collect::<Vec<_>>().join("\n")
        ),
        (true, _) => format!("Hi {name},\n\nA quick note from the market: we track every registered sale in Dubai and will share what matters for your search."),
    };
    emails.push((format!("{area} market update"), second + &footer));
    let third = match listings.first() {
        Some(p) => format!("Hi {name},\n\nAre you still looking? This one is still available:\n\n{}\n\nI can arrange a viewing at a time that suits you.", line(p)),
        None => format!("Hi {name},\n\nAre you still looking in {area}? Tell me what has changed in your brief and I will search again."),
    };
    emails.push((format!("Still looking in {area}?"), third + &footer));
    emails
}

pub(crate) struct Sequence(pub(crate) Arc<Services>);

#[async_trait::async_trait]
impl Handler for Sequence {
    async fn run(&self, ctx: StepContext, _input: Value) -> Result<Value, StepError> {
        let s = &self.0;
        let lead = lead(s, &ctx).await?;
        let settings = s.settings().await?;
        let (orn, brn) = settings.registration()?;
        let agent = crate::listing::requester(s, &ctx).await?;
        let matched = ctx.outputs.get("match_listings").cloned().unwrap_or(Value::Null);
        let mut emails = write_sequence(&lead.body, &matched, &agent.name, &settings.display_name(), &orn, &brn);
        if settings.demo() {
            for (subject, text) in &mut emails {
                *subject = format!("[{}] {subject}", crate::brokerage::DEMO_MARK);
                *text = format!("{}{text}", settings.demo_banner());
            }
        }
        let today = ctx.now.date_naive();
        for (i, (subject, text)) in emails.iter().enumerate() {
            let report = compliance::check(
                &format!("{subject}\n{text}"),
                &Context::new(Channel::Email, &settings.config).with_today(today),
            );
            if !report.compliant {
                return Err(StepError::permanent(format!(
                    "e-mail {} fails the compliance checker: {}",
                    i + 1,
                    json!(report.findings)
                )));
            }
        }
        Ok(json!({
            "lead_id": lead.id,
            "emails": emails.iter().map(|(subject, text)| json!({ "subject": subject, "text": text })).collect::<Vec<_>>(),
        }))
    }
}

pub(crate) struct SendEmail(pub(crate) Arc<Services>);

#[async_trait::async_trait]
impl Handler for SendEmail {
    async fn run(&self, ctx: StepContext, input: Value) -> Result<Value, StepError> {
        let s = &self.0;
        if let Some(reason) = stopped_before(&ctx) {
            return Ok(json!({ "stopped": reason }));
        }
        let lead = lead(s, &ctx).await?;
        if let Some(reason) = stop_reason(&ctx, &lead).await? {
            return Ok(json!({ "stopped": reason }));
        }
        let index = input["index"].as_u64().unwrap_or(0) as usize;
        let now = ctx.now;
        let email = ctx
            .outputs
            .get("email_sequence")
            .and_then(|o| o["emails"].get(index))
            .cloned()
            .ok_or_else(|| StepError::permanent(format!("the sequence has no e-mail {}", index + 1)))?;
        let agent = crate::listing::requester(s, &ctx).await?;
        let sent = if !lead.body["contact_consent"].as_bool().unwrap_or(false) {
            json!({ "skipped": "the lead has not consented to e-mail" })
        } else if let Some(to) = lead.body["email"].as_str() {
            let mut delivery =
                Record::new("pending", json!({ "channel": "email", "recipient": to, "index": index }), now);
            delivery.owner_id = lead.owner_id.clone();
            delivery.team_id = lead.team_id.clone();
            delivery.ref_id = Some(lead.id.to_string());
            delivery.unique_key = Some(format!("lead:{}:email:{index}", lead.id));
            let (delivery, _) =
                s.records.insert(Table::CampaignDeliveries, &delivery).await.map_err(StepError::retryable)?;
            if delivery.status == "sent" {
                json!({ "already_sent": true, "delivery_id": delivery.id })
            } else {
                let text = email["text"].as_str().unwrap_or_default().to_string();
                let html = crate::mailer::text_to_html(&text);
                let message = mail::Message {
                    from: mail::Address::parse(&s.mail_from()).map_err(StepError::permanent)?,
                    to: vec![mail::Address::parse(to).map_err(StepError::permanent)?],
                    reply_to: mail::Address::parse(&agent.email).ok(),
                    subject: email["subject"].as_str().unwrap_or_default().to_string(),
                    text,
                    html: Some(html),
                    attachments: Vec::new(),
                    date: now,
                    message_id: format!("<{}.{}@aura>", lead.id, delivery.id),
                    headers: vec![("X-AURA-Lead".into(), lead.id.to_string())],
                };
                let receipt =
                    s.mailer().send(&message, lead.owner_id.as_deref().map(|o| (o, lead.team_id.as_deref()))).await?;
                let mut body = delivery.body.clone();
                body["transport"] = json!(receipt.transport);
                body["reference"] = json!(receipt.reference);
                s.records
                    .update(Table::CampaignDeliveries, delivery.id, None, "sent", Some(&body), now)
                    .await
                    .map_err(StepError::retryable)?;
                json!({ "delivery_id": delivery.id, "transport": receipt.transport })
            }
        } else {
            json!({ "skipped": "the lead has no e-mail address" })
        };
        // Re-score with what the lead has done since; a hot lead goes to the agent.
        let prices: Vec<f64> = ctx
            .outputs
            .get("match_listings")
            .and_then(|m| m["matches"].as_array())
            .into_iter()
            .flatten()
            .filter_map(|p| p["asking_price"].as_f64())
            .collect();
        let scored = score::score(&lead.body, &prices, engagement(&ctx, &lead).await?);
        let task = call_task(s, &lead, &scored).await?;
        Ok(
            json!({ "index": index, "sent_at": now, "delivery": sent, "score": scored.score, "segment": scored.segment, "call_task": task }),
        )
    }
}

pub(crate) struct Wait(pub(crate) Arc<Services>);

#[async_trait::async_trait]
impl Handler for Wait {
    async fn run(&self, ctx: StepContext, input: Value) -> Result<Value, StepError> {
        let s = &self.0;
        if let Some(reason) = stopped_before(&ctx) {
            return Ok(json!({ "stopped": reason }));
        }
        let lead = lead(s, &ctx).await?;
        if let Some(reason) = stop_reason(&ctx, &lead).await? {
            return Ok(json!({ "stopped": reason }));
        }
        let days = input["days"]
            .as_f64()
            .filter(|d| *d >= 0.0)
            .ok_or_else(|| StepError::permanent("input.days must be a number of days"))?;
        let after = input["after"].as_str().unwrap_or_default();
        let since = ctx
            .outputs
            .get(after)
            .and_then(|o| o["sent_at"].as_str())
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&chrono::Utc))
            .ok_or_else(|| StepError::permanent(format!("input.after must name a sent e-mail step, not `{after}`")))?;
        let wait = Duration::from_secs_f64(days * 86_400.0 * s.time_scale());
        let due = since + chrono::Duration::from_std(wait).unwrap_or_default();
        let now = ctx.now;
        if now < due {
            return Err(StepError::wait(
                (due - now).to_std().unwrap_or_default(),
                format!("next e-mail due {}", due.to_rfc3339()),
            ));
        }
        Ok(json!({ "waited_days": days, "due": due }))
    }
}

pub(crate) struct Summary(pub(crate) Arc<Services>);

#[async_trait::async_trait]
impl Handler for Summary {
    async fn run(&self, ctx: StepContext, _input: Value) -> Result<Value, StepError> {
        let s = &self.0;
        let lead = lead(s, &ctx).await?;
        let stopped = stopped_before(&ctx);
        let sent = ctx.outputs.values().filter(|o| o["delivery"]["delivery_id"].is_string()).count();
        let last_score = ctx.outputs.values().filter_map(|o| o["score"].as_u64()).next_back();
        let task = ctx.outputs.values().find_map(|o| o["call_task"].as_str().map(str::to_string));
        Ok(json!({
            "lead_id": lead.id, "record_id": lead.id, "lead_status": lead.status, "emails_sent": sent,
            "stopped": stopped, "score": last_score, "call_task": task,
        }))
    }
}
