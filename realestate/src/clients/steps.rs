//! The Client Onboarding steps. Two of them wait for people, durably and without spending
//! attempts: the KYC step until every required document is uploaded (each upload signals the
//! execution), and the approval step until a team leader approves the file, sending a reminder
//! when the approval is late.

use std::sync::Arc;
use std::time::Duration;

use runtime::{Handler, StepContext, StepError};
use serde_json::{json, Value};
use store::records::{Filter, Record, Table};
use uuid::Uuid;

use super::{required_documents, APPROVED_SIGNAL, REJECTED_SIGNAL};
use crate::artifacts::{file_json, put_once, NewFile};
use crate::listing::{derived_id, requester};
use crate::property::Property;
use crate::Services;

async fn client(s: &Services, ctx: &StepContext) -> Result<Record, StepError> {
    let id = ctx.params["client_id"]
        .as_str()
        .and_then(|x| Uuid::parse_str(x).ok())
        .ok_or_else(|| StepError::permanent("client_id must be a client id"))?;
    s.records
        .get(Table::Clients, id)
        .await
        .map_err(StepError::retryable)?
        .ok_or_else(|| StepError::permanent(format!("client {id} does not exist")))
}

fn scaled(s: &Services, d: Duration) -> Duration {
    d.mul_f64(s.time_scale())
}

pub(crate) struct Kyc(pub(crate) Arc<Services>);

#[async_trait::async_trait]
impl Handler for Kyc {
    async fn run(&self, ctx: StepContext, input: Value) -> Result<Value, StepError> {
        let s = &self.0;
        let c = client(s, &ctx).await?;
        let required =
            required_documents(c.body["client_type"].as_str().unwrap_or(""), c.body["role"].as_str().unwrap_or(""));
        let docs = s
            .records
            .list(Table::ClientDocuments, &Filter { ref_id: Some(c.id.to_string()), limit: 500, ..Default::default() })
            .await
            .map_err(StepError::retryable)?;
        let have = |t: &str| docs.iter().any(|d| d.body["doc_type"] == t);
        let missing: Vec<&str> = required.iter().copied().filter(|t| !have(t)).collect();
        let checklist: Vec<Value> = required.iter().map(|t| json!({ "document": t, "received": have(t) })).collect();
        if !missing.is_empty() {
            // Re-checked on every upload (a signal wakes this step) and daily otherwise.
            let every = Duration::from_secs_f64(input["recheck_hours"].as_f64().unwrap_or(24.0) * 3600.0);
            return Err(StepError::wait(scaled(s, every), format!("waiting for documents: {}", missing.join(", "))));
        }
        Ok(
            json!({ "client_id": c.id, "record_id": c.id, "complete": true, "checklist": checklist, "documents": docs.len() }),
        )
    }
}

pub(crate) struct Agreement(pub(crate) Arc<Services>);

#[async_trait::async_trait]
impl Handler for Agreement {
    async fn run(&self, ctx: StepContext, _input: Value) -> Result<Value, StepError> {
        let s = &self.0;
        let c = client(s, &ctx).await?;
        let owner = requester(s, &ctx).await?;
        let settings = s.settings().await?;
        let (orn, brn) = settings.registration()?;
        let property = match c.body["property_id"].as_str().and_then(|p| Uuid::parse_str(p).ok()) {
            Some(id) => match s.domain.property(id).await.map_err(StepError::retryable)? {
                Some(record) => Some(Property::from_record(&record).map_err(StepError::permanent)?),
                None => None,
            },
            None => None,
        };
        let broker = super::agreement::Broker {
            brokerage: settings.display_name(),
            orn,
            agent: owner.name.clone(),
            brn,
            agent_email: owner.email.clone(),
        };
        let reference = format!("C-{}", &c.id.simple().to_string()[..8]);
        let (client_body, prop, at) = (c.body.clone(), property.clone(), c.created_at);
        let pdf = tokio::task::spawn_blocking(move || {
            super::agreement::render(&client_body, prop.as_ref(), &broker, &reference, at)
        })
        .await
        .map_err(|e| StepError::retryable(format!("rendering the agreement: {e}")))?;
        let form = if c.body["role"] == "seller" { "form-a" } else { "form-b" };
        let file = NewFile {
            kind: "agency_agreement",
            filename: format!("agency-agreement-{form}.pdf"),
            content_type: "application/pdf",
        };
        let id = derived_id(ctx.execution_id, "agreement");
        let a = put_once(s, id, &owner, file, &pdf).await.map_err(StepError::retryable)?;
        Ok(json!({ "client_id": c.id, "record_id": a.id, "form": form, "files": [file_json(&a)] }))
    }
}

pub(crate) struct Welcome(pub(crate) Arc<Services>);

#[async_trait::async_trait]
impl Handler for Welcome {
    async fn run(&self, ctx: StepContext, _input: Value) -> Result<Value, StepError> {
        let s = &self.0;
        let c = client(s, &ctx).await?;
        let owner = requester(s, &ctx).await?;
        let to = c.body["email"].as_str().ok_or_else(|| StepError::permanent("the client has no e-mail"))?;
        let now = ctx.now;
        let mut delivery =
            Record::new("pending", json!({ "channel": "email", "recipient": to, "kind": "welcome_pack" }), now);
        delivery.owner_id = c.owner_id.clone();
        delivery.team_id = c.team_id.clone();
        delivery.ref_id = Some(c.id.to_string());
        delivery.unique_key = Some(format!("client:{}:welcome", c.id));
        let (delivery, _) =
            s.records.insert(Table::CampaignDeliveries, &delivery).await.map_err(StepError::retryable)?;
        if delivery.status == "sent" {
            return Ok(json!({ "client_id": c.id, "record_id": delivery.id, "already_sent": true }));
        }
        let agreement = ctx
            .outputs
            .get("agency_agreement")
            .and_then(|o| o["files"][0]["artifact_id"].as_str())
            .and_then(|a| Uuid::parse_str(a).ok());
        let mut attachments = Vec::new();
        if let Some(id) = agreement {
            if let Some((a, bytes)) = s.domain.artifact(id).await.map_err(StepError::retryable)? {
                attachments.push(mail::Attachment::new(a.filename, "application/pdf", bytes));
            }
        }
        let settings = s.settings().await?;
        let (orn, brn) = settings.registration()?;
        let brokerage = settings.display_name();
        let name = c.body["name"].as_str().unwrap_or("");
        let seller = c.body["role"] == "seller";
        let text = format!(
            "{}Dear {name},\n\nWelcome to {brokerage}. Attached is your agency agreement draft ({}) for review; we will sign the official form together in the RERA system.\n\nWhat happens next:\n1. We check your documents (KYC) - done.\n2. We meet to walk through the agreement and {}.\n3. Your file is reviewed by a team leader.\n\nYour agent: {} ({}), BRN {}.\n{brokerage}, ORN {}.",
            settings.demo_banner(),
            if seller { "Form A" } else { "Form B" },
            if seller { "the plan to market your property" } else { "your search" },
            owner.name,
            owner.email,
            brn,
            orn,
        );
        let message = mail::Message {
            from: mail::Address::parse(&s.mail_from()).map_err(StepError::permanent)?,
            to: vec![mail::Address::parse(to).map_err(StepError::permanent)?],
            reply_to: mail::Address::parse(&owner.email).ok(),
            subject: format!("Welcome to {brokerage}"),
            html: Some(crate::mailer::text_to_html(&text)),
            text,
            attachments,
            date: now,
            message_id: format!("<{}.welcome@aura>", c.id),
            headers: Vec::new(),
        };
        let receipt = s.mailer().send(&message, c.owner_id.as_deref().map(|o| (o, c.team_id.as_deref()))).await?;
        let mut body = delivery.body.clone();
        body["transport"] = json!(receipt.transport);
        body["reference"] = json!(receipt.reference);
        s.records
            .update(Table::CampaignDeliveries, delivery.id, None, "sent", Some(&body), now)
            .await
            .map_err(StepError::retryable)?;
        Ok(
            json!({ "client_id": c.id, "record_id": delivery.id, "sent_to": to, "transport": receipt.transport, "attachments": message.attachments.len() }),
        )
    }
}

pub(crate) struct Meeting(pub(crate) Arc<Services>);

#[async_trait::async_trait]
impl Handler for Meeting {
    async fn run(&self, ctx: StepContext, _input: Value) -> Result<Value, StepError> {
        let s = &self.0;
        let c = client(s, &ctx).await?;
        let owner = requester(s, &ctx).await?;
        let now = ctx.now;
        let slots = calendar::business_hours_slots(
            now,
            chrono_tz::Asia::Dubai,
            1,
            chrono::Duration::minutes(60),
            &calendar::WorkWeek::dubai(),
            chrono::Duration::hours(24),
        );
        let (start, end) = *slots.first().ok_or_else(|| StepError::permanent("no business-hours slot found"))?;
        let mut event = calendar::Event::new(
            format!("{}@aura", derived_id(ctx.execution_id, "meeting")),
            now,
            start,
            end,
            format!("First meeting: {}", c.body["name"].as_str().unwrap_or("client")),
        );
        event.description = Some("Walk through the agency agreement, the documents and the next steps.".into());
        event.location = Some("AURA Real Estate office, Dubai".into());
        event.alarm_minutes_before = Some(30);
        if let Some(email) = c.body["email"].as_str() {
            event
                .attendees
                .push(calendar::Person { email: email.into(), name: c.body["name"].as_str().map(str::to_string) });
        }
        let ics = calendar::Calendar { prod_id: "-//AURA//Client Onboarding//EN".into(), events: vec![event] }.to_ics();
        let file = NewFile {
            kind: "client_meeting",
            filename: "first-meeting.ics".into(),
            content_type: "text/calendar; charset=utf-8",
        };
        let id = derived_id(ctx.execution_id, "meeting-ics");
        let a = put_once(s, id, &owner, file, ics.as_bytes()).await.map_err(StepError::retryable)?;
        let local = start.with_timezone(&chrono_tz::Asia::Dubai);
        Ok(json!({
            "client_id": c.id, "record_id": a.id, "start": start, "end": end,
            "local_time": local.format("%A %-d %B %Y, %H:%M").to_string(), "time_zone": "Asia/Dubai",
            "done_at": now, "files": [file_json(&a)],
        }))
    }
}

pub(crate) struct Approval(pub(crate) Arc<Services>);

#[async_trait::async_trait]
impl Handler for Approval {
    async fn run(&self, ctx: StepContext, input: Value) -> Result<Value, StepError> {
        let s = &self.0;
        let c = client(s, &ctx).await?;
        if let Some(decision) = ctx.signals.latest(&[APPROVED_SIGNAL, REJECTED_SIGNAL]).await? {
            if decision.name == REJECTED_SIGNAL {
                return Err(StepError::permanent(format!(
                    "the team leader sent the file back: {}",
                    decision.payload["notes"].as_str().unwrap_or("no notes")
                )));
            }
            return Ok(
                json!({ "client_id": c.id, "record_id": c.id, "approved_by": decision.payload["by"], "approved_at": decision.created_at, "notes": decision.payload["notes"] }),
            );
        }
        let now = ctx.now;
        let since = ctx
            .outputs
            .values()
            .filter_map(|o| o["done_at"].as_str())
            .filter_map(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&chrono::Utc))
            .max()
            .unwrap_or(now);
        let remind_after =
            scaled(s, Duration::from_secs_f64(input["remind_after_hours"].as_f64().unwrap_or(24.0) * 3600.0));
        let due = since + chrono::Duration::from_std(remind_after).unwrap_or_default();
        if now < due {
            return Err(StepError::wait(
                (due - now).to_std().unwrap_or_default(),
                "waiting for a team leader's approval",
            ));
        }
        // Late: remind once (a task for the team), then keep waiting.
        let mut task = Record::new(
            "open",
            json!({
                "kind": "approve_client_file", "client_id": c.id, "client_name": c.body["name"],
                "reason": "the client's onboarding file is complete and waits for a team leader's approval",
                "approve_url": format!("/api/v1/clients/{}/approval", c.id),
            }),
            now,
        );
        task.owner_id = c.owner_id.clone();
        task.team_id = c.team_id.clone();
        task.ref_id = Some(c.id.to_string());
        task.unique_key = Some(format!("approve:{}", c.id));
        s.records.insert(Table::AgentTasks, &task).await.map_err(StepError::retryable)?;
        Err(StepError::wait(
            scaled(s, Duration::from_secs(7 * 24 * 3600)),
            "waiting for a team leader's approval (reminder sent)",
        ))
    }
}
