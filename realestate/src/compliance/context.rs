//! The situation an ad is checked in: channel, asset kind, the listing it advertises (a
//! normalised property, see `property.rs`), whether the artwork carries the DLD QR code, the
//! brokerage config and today's date (a parameter, so checks stay pure and repeatable).

use chrono::NaiveDate;
use serde_json::Value;

use super::channel::{Asset, Channel};
use super::config::Config;

#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub channel: Channel,
    /// Text or visual; [`Context::new`] takes the channel's usual asset ([`Asset::default_for`]).
    pub asset: Asset,
    /// The normalised listing the ad is about: `permit_number`, `asking_price`, `size_sqft`,
    /// `bedrooms`, `community`, `building`, `completion_status`, and optionally `permit_expiry`
    /// (YYYY-MM-DD), `developer`, `project_name`, `project_no`, `escrow_account_no`, `status`,
    /// `documented_guarantee`, `transfer_registered`.
    pub property: Option<&'a Value>,
    pub has_qr_code: bool,
    pub config: &'a Config,
    /// Today in Dubai; without it, date rules (permit expiry, expired offers) are not checked.
    pub today: Option<NaiveDate>,
}

impl<'a> Context<'a> {
    /// A context with no listing, no QR code, no date and the channel's usual asset.
    pub fn new(channel: Channel, config: &'a Config) -> Context<'a> {
        Context { channel, asset: Asset::default_for(channel), property: None, has_qr_code: false, config, today: None }
    }

    pub fn with_property(mut self, property: &'a Value) -> Context<'a> {
        self.property = Some(property);
        self
    }

    pub fn with_asset(mut self, asset: Asset) -> Context<'a> {
        self.asset = asset;
        self
    }

    pub fn with_qr_code(mut self, has_qr_code: bool) -> Context<'a> {
        self.has_qr_code = has_qr_code;
        self
    }

    pub fn with_today(mut self, today: NaiveDate) -> Context<'a> {
        self.today = Some(today);
        self
    }

    fn field(&self, key: &str) -> Option<&'a Value> {
        self.property?.get(key).filter(|v| !v.is_null())
    }

    /// A non-empty string field (numbers are accepted and written out).
    pub(crate) fn text_field(&self, key: &str) -> Option<String> {
        match self.field(key)? {
            Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// A numeric field (numeric strings are accepted).
    pub(crate) fn number_field(&self, key: &str) -> Option<f64> {
        match self.field(key)? {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().replace(',', "").parse().ok(),
            _ => None,
        }
    }

    /// A boolean field that is exactly `true`.
    pub(crate) fn flag(&self, key: &str) -> bool {
        self.field(key).and_then(Value::as_bool).unwrap_or(false)
    }

    pub(crate) fn is_off_plan(&self) -> bool {
        self.text_field("completion_status").is_some_and(|s| s.eq_ignore_ascii_case("off_plan"))
    }
}
