//! Leads and the Lead Nurturing package (`packages/lead_nurturing_package.toml`): a lead record
//! (validated here, stored in `leads`), an explainable score and segment, listings matched from
//! our properties and the market data, a personalised e-mail sequence, and the drip that sends it
//! with durable waits between e-mails, stopping when the lead replies, converts or unsubscribes,
//! and handing the lead to the agent (a call task) when the score crosses the threshold.

mod drip;
pub mod model;
pub mod score;

pub use model::{validate, LeadInput, STATUSES, STOP_STATUSES};

use std::sync::Arc;

use runtime::Registry;

use crate::Services;

pub const HANDLER_NAMES: &[&str] =
    &["lead_scoring", "lead_matching", "lead_sequence", "lead_email", "lead_wait", "lead_summary"];

pub fn register(r: &mut Registry, s: Arc<Services>) {
    r.register("lead_scoring", drip::Scoring(s.clone()));
    r.register("lead_matching", drip::Matching(s.clone()));
    r.register("lead_sequence", drip::Sequence(s.clone()));
    r.register("lead_email", drip::SendEmail(s.clone()));
    r.register("lead_wait", drip::Wait(s.clone()));
    r.register("lead_summary", drip::Summary(s));
}

/// Signals that end the drip (posted by the API when the lead's status changes, or by a channel
/// integration): the lead replied, converted or unsubscribed.
pub const STOP_SIGNALS: [&str; 3] = ["lead_replied", "lead_converted", "lead_unsubscribed"];
/// Engagement signals that raise the score.
pub const ENGAGEMENT_SIGNALS: [&str; 2] = ["email_opened", "email_clicked"];
