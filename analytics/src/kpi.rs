//! Metric names, the KPI catalogue over them, and the documented time-saved estimates.
//!
//! A *metric* is what the store keeps per day and user (a count or a sum). A *KPI* is what a
//! dashboard shows: a metric as it is, or a ratio of sums (a success rate is never an average of
//! daily rates). Ratios with a zero denominator have no value (`None`), not 0.

use std::collections::BTreeMap;

/// Metric names. The `store::analytics` rollup writes the rolled-up ones with the same text; the
/// recorded ones arrive through `Analytics::record` as things happen.
pub mod metric {
    // Recorded by feature code as it happens.
    pub const LISTING_LAUNCHED: &str = "listing_launched";
    pub const LEAD_HANDLED: &str = "lead_handled";
    pub const LEAD_CONVERTED: &str = "lead_converted";
    pub const CLIENT_ONBOARDED: &str = "client_onboarded";
    // Rolled up from the source tables.
    pub const WORKFLOW_COMPLETED: &str = "workflow_completed";
    pub const WORKFLOW_FAILED: &str = "workflow_failed";
    /// Seconds from start to finish, summed over completed and failed executions.
    pub const WORKFLOW_SECONDS: &str = "workflow_seconds";
    /// Followed by the package name: completed executions of one package.
    pub const PACKAGE_COMPLETED_PREFIX: &str = "package_completed:";
    pub const CMA_PRODUCED: &str = "cma_produced";
    pub const CAMPAIGN_CREATED: &str = "campaign_created";
    pub const CAMPAIGN_APPROVED: &str = "campaign_approved";
    pub const CAMPAIGN_DISTRIBUTED: &str = "campaign_distributed";
    pub const POST_CREATED: &str = "post_created";
    pub const POST_PUBLISHED: &str = "post_published";
    /// Leads reported against campaigns (`campaign_events` of kind `lead`).
    pub const CAMPAIGN_LEAD: &str = "campaign_lead";
}

/// Hours of an agent's manual work one completed execution of a package replaces.
///
/// **These are estimates, not measurements**, and every response that shows time saved says so.
/// The seed promises a New Listing package as a "45-minute workflow" of eight steps and "complete
/// campaign generation in under 15 minutes"; it gives no manual baseline, so the figures below are
/// our stated assumptions of the manual effort for the same deliverables (pulling and adjusting
/// comparables and writing a CMA; writing per-channel copy, a brochure, a postcard and social posts
/// and getting them approved). Packages not listed save nothing.
pub const TIME_SAVED_HOURS: &[(&str, f64)] = &[("cma_report", 3.0), ("marketing_full_package", 4.0)];

/// What [`TIME_SAVED_HOURS`] rests on, shown beside the figure.
pub const TIME_SAVED_BASIS: &str = "Estimate: completed executions x the manual hours each package replaces \
(cma_report 3.0 h, marketing_full_package 4.0 h); an assumption, not a measurement.";

pub fn time_saved_hours(package: &str) -> f64 {
    TIME_SAVED_HOURS.iter().find(|(p, _)| *p == package).map_or(0.0, |(_, h)| *h)
}

/// Sums of metrics over some days (and users).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Totals(pub BTreeMap<String, f64>);

impl Totals {
    pub fn get(&self, metric: &str) -> f64 {
        self.0.get(metric).copied().unwrap_or(0.0)
    }
    pub fn add(&mut self, metric: &str, value: f64) {
        // Summing a year of days calls this often: allocate a key only for a new metric.
        match self.0.get_mut(metric) {
            Some(v) => *v += value,
            None => {
                self.0.insert(metric.to_string(), value);
            }
        }
    }
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, f64)>) -> Totals {
        let mut t = Totals::default();
        for (m, v) in pairs {
            t.add(m, v);
        }
        t
    }
    /// Hours saved: each package's completed executions times its estimate.
    pub fn time_saved_hours(&self) -> f64 {
        self.0
            .iter()
            .filter_map(|(m, v)| m.strip_prefix(metric::PACKAGE_COMPLETED_PREFIX).map(|p| v * time_saved_hours(p)))
            .sum()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    /// A fraction in [0, 1].
    Ratio,
    Hours,
    Minutes,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Count => "count",
            Unit::Ratio => "ratio",
            Unit::Hours => "hours",
            Unit::Minutes => "minutes",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kpi {
    ListingsLaunched,
    CmasProduced,
    CampaignsCreated,
    CampaignsApproved,
    CampaignsDistributed,
    SocialPostsCreated,
    SocialPostsPublished,
    LeadsHandled,
    LeadsConverted,
    CampaignLeads,
    LeadConversionRate,
    ClientsOnboarded,
    WorkflowsCompleted,
    WorkflowsFailed,
    WorkflowSuccessRate,
    AverageWorkflowMinutes,
    TimeSavedHours,
}

impl Kpi {
    pub const ALL: [Kpi; 17] = [
        Kpi::ListingsLaunched,
        Kpi::CmasProduced,
        Kpi::CampaignsCreated,
        Kpi::CampaignsApproved,
        Kpi::CampaignsDistributed,
        Kpi::SocialPostsCreated,
        Kpi::SocialPostsPublished,
        Kpi::LeadsHandled,
        Kpi::LeadsConverted,
        Kpi::CampaignLeads,
        Kpi::LeadConversionRate,
        Kpi::ClientsOnboarded,
        Kpi::WorkflowsCompleted,
        Kpi::WorkflowsFailed,
        Kpi::WorkflowSuccessRate,
        Kpi::AverageWorkflowMinutes,
        Kpi::TimeSavedHours,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Kpi::ListingsLaunched => "listings_launched",
            Kpi::CmasProduced => "cmas_produced",
            Kpi::CampaignsCreated => "campaigns_created",
            Kpi::CampaignsApproved => "campaigns_approved",
            Kpi::CampaignsDistributed => "campaigns_distributed",
            Kpi::SocialPostsCreated => "social_posts_created",
            Kpi::SocialPostsPublished => "social_posts_published",
            Kpi::LeadsHandled => "leads_handled",
            Kpi::LeadsConverted => "leads_converted",
            Kpi::CampaignLeads => "campaign_leads",
            Kpi::LeadConversionRate => "lead_conversion_rate",
            Kpi::ClientsOnboarded => "clients_onboarded",
            Kpi::WorkflowsCompleted => "workflows_completed",
            Kpi::WorkflowsFailed => "workflows_failed",
            Kpi::WorkflowSuccessRate => "workflow_success_rate",
            Kpi::AverageWorkflowMinutes => "average_workflow_minutes",
            Kpi::TimeSavedHours => "time_saved_hours",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kpi::ListingsLaunched => "Listings launched",
            Kpi::CmasProduced => "CMA reports produced",
            Kpi::CampaignsCreated => "Campaigns created",
            Kpi::CampaignsApproved => "Campaigns approved",
            Kpi::CampaignsDistributed => "Campaigns distributed",
            Kpi::SocialPostsCreated => "Social posts created",
            Kpi::SocialPostsPublished => "Social posts published",
            Kpi::LeadsHandled => "Leads handled",
            Kpi::LeadsConverted => "Leads converted",
            Kpi::CampaignLeads => "Leads from campaigns",
            Kpi::LeadConversionRate => "Lead conversion rate",
            Kpi::ClientsOnboarded => "Clients onboarded",
            Kpi::WorkflowsCompleted => "Workflows completed",
            Kpi::WorkflowsFailed => "Workflows failed",
            Kpi::WorkflowSuccessRate => "Workflow success rate",
            Kpi::AverageWorkflowMinutes => "Average workflow duration",
            Kpi::TimeSavedHours => "Time saved (estimate)",
        }
    }

    pub fn parse(key: &str) -> Result<Kpi, crate::AnalyticsError> {
        Kpi::ALL.into_iter().find(|k| k.key() == key).ok_or_else(|| crate::AnalyticsError::UnknownKpi(key.into()))
    }

    pub fn unit(self) -> Unit {
        match self {
            Kpi::LeadConversionRate | Kpi::WorkflowSuccessRate => Unit::Ratio,
            Kpi::AverageWorkflowMinutes => Unit::Minutes,
            Kpi::TimeSavedHours => Unit::Hours,
            _ => Unit::Count,
        }
    }

    /// Whether the KPI accumulates over a period (a goal's expected pace grows with time);
    /// rates and averages do not.
    pub fn cumulative(self) -> bool {
        matches!(self.unit(), Unit::Count | Unit::Hours)
    }

    /// The KPI over some totals; `None` for a ratio or average of nothing.
    pub fn value(self, t: &Totals) -> Option<f64> {
        use metric as m;
        let ratio = |num: f64, den: f64| if den > 0.0 { Some(num / den) } else { None };
        let finished = t.get(m::WORKFLOW_COMPLETED) + t.get(m::WORKFLOW_FAILED);
        Some(match self {
            Kpi::ListingsLaunched => t.get(m::LISTING_LAUNCHED),
            Kpi::CmasProduced => t.get(m::CMA_PRODUCED),
            Kpi::CampaignsCreated => t.get(m::CAMPAIGN_CREATED),
            Kpi::CampaignsApproved => t.get(m::CAMPAIGN_APPROVED),
            Kpi::CampaignsDistributed => t.get(m::CAMPAIGN_DISTRIBUTED),
            Kpi::SocialPostsCreated => t.get(m::POST_CREATED),
            Kpi::SocialPostsPublished => t.get(m::POST_PUBLISHED),
            Kpi::LeadsHandled => t.get(m::LEAD_HANDLED),
            Kpi::LeadsConverted => t.get(m::LEAD_CONVERTED),
            Kpi::CampaignLeads => t.get(m::CAMPAIGN_LEAD),
            Kpi::LeadConversionRate => return ratio(t.get(m::LEAD_CONVERTED), t.get(m::LEAD_HANDLED)),
            Kpi::ClientsOnboarded => t.get(m::CLIENT_ONBOARDED),
            Kpi::WorkflowsCompleted => t.get(m::WORKFLOW_COMPLETED),
            Kpi::WorkflowsFailed => t.get(m::WORKFLOW_FAILED),
            Kpi::WorkflowSuccessRate => return ratio(t.get(m::WORKFLOW_COMPLETED), finished),
            Kpi::AverageWorkflowMinutes => return ratio(t.get(m::WORKFLOW_SECONDS) / 60.0, finished),
            Kpi::TimeSavedHours => t.time_saved_hours(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_are_ratios_of_sums_and_empty_ratios_have_no_value() {
        let t = Totals::from_pairs([
            (metric::WORKFLOW_COMPLETED, 9.0),
            (metric::WORKFLOW_FAILED, 1.0),
            (metric::WORKFLOW_SECONDS, 1200.0),
            ("package_completed:cma_report", 4.0),
            ("package_completed:marketing_full_package", 2.0),
            ("package_completed:engine_selftest", 3.0),
        ]);
        assert_eq!(Kpi::WorkflowSuccessRate.value(&t), Some(0.9));
        assert_eq!(Kpi::AverageWorkflowMinutes.value(&t), Some(2.0));
        assert_eq!(Kpi::TimeSavedHours.value(&t), Some(4.0 * 3.0 + 2.0 * 4.0));
        assert_eq!(Kpi::LeadConversionRate.value(&t), None);
        assert_eq!(Kpi::CmasProduced.value(&t), Some(0.0));
        for k in Kpi::ALL {
            assert_eq!(Kpi::parse(k.key()).unwrap(), k);
        }
        assert!(Kpi::parse("revenue").is_err());
    }
}
