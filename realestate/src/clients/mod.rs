//! Clients and the Client Onboarding package (`packages/client_onboarding_package.toml`): the KYC
//! checklist by client type (waits for the uploads), the agency agreement as a PDF (RERA Form A for
//! a seller, Form B for a buyer), the welcome pack e-mail, a first meeting in Asia/Dubai business
//! hours, and a team leader's approval of the file (waits, with a reminder after a delay).

pub mod agreement;
pub mod model;
mod steps;

pub use model::{required_documents, validate, ClientInput, DOC_TYPES};

use std::sync::Arc;

use runtime::Registry;

use crate::Services;

pub const HANDLER_NAMES: &[&str] =
    &["client_kyc", "client_agreement", "client_welcome", "client_meeting", "client_approval"];

pub fn register(r: &mut Registry, s: Arc<Services>) {
    r.register("client_kyc", steps::Kyc(s.clone()));
    r.register("client_agreement", steps::Agreement(s.clone()));
    r.register("client_welcome", steps::Welcome(s.clone()));
    r.register("client_meeting", steps::Meeting(s.clone()));
    r.register("client_approval", steps::Approval(s));
}

/// Signals the onboarding execution listens to.
pub const DOCUMENT_SIGNAL: &str = "document_uploaded";
pub const APPROVED_SIGNAL: &str = "file_approved";
pub const REJECTED_SIGNAL: &str = "file_rejected";
