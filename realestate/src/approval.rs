//! The approval workflow of a marketing campaign, as pure code:
//! `draft → in_review → approved | changes_requested`, `changes_requested → in_review`,
//! `approved → distributed`. Agents submit; team leaders and admins approve or ask for changes;
//! nobody approves their own campaign; only approved campaigns are distributed.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignStatus {
    Draft,
    InReview,
    Approved,
    ChangesRequested,
    Distributed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalAction {
    Submit,
    Approve,
    RequestChanges,
    Distribute,
}

/// Who acts, as far as the rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// Holds `marketing:approve_campaigns`.
    pub can_approve: bool,
    /// Created the campaign.
    pub is_owner: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApprovalError {
    #[error("cannot {action} a campaign that is {status}")]
    IllegalTransition { action: &'static str, status: &'static str },
    #[error("only team leaders and admins may {0} campaigns")]
    NotAnApprover(&'static str),
    #[error("nobody approves or rejects their own campaign")]
    OwnCampaign,
}

impl CampaignStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CampaignStatus::Draft => "draft",
            CampaignStatus::InReview => "in_review",
            CampaignStatus::Approved => "approved",
            CampaignStatus::ChangesRequested => "changes_requested",
            CampaignStatus::Distributed => "distributed",
        }
    }

    pub fn parse(s: &str) -> Option<CampaignStatus> {
        [
            CampaignStatus::Draft,
            CampaignStatus::InReview,
            CampaignStatus::Approved,
            CampaignStatus::ChangesRequested,
            CampaignStatus::Distributed,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }
}

impl ApprovalAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalAction::Submit => "submit",
            ApprovalAction::Approve => "approve",
            ApprovalAction::RequestChanges => "request_changes",
            ApprovalAction::Distribute => "distribute",
        }
    }

    pub fn parse(s: &str) -> Option<ApprovalAction> {
        [ApprovalAction::Submit, ApprovalAction::Approve, ApprovalAction::RequestChanges, ApprovalAction::Distribute]
            .into_iter()
            .find(|a| a.as_str() == s)
    }
}

/// The status after `action`, or why it is not allowed.
pub fn transition(
    status: CampaignStatus,
    action: ApprovalAction,
    actor: Actor,
) -> Result<CampaignStatus, ApprovalError> {
    use ApprovalAction as A;
    use CampaignStatus as S;
    let illegal = || ApprovalError::IllegalTransition { action: action.as_str(), status: status.as_str() };
    match action {
        A::Submit => match status {
            S::Draft | S::ChangesRequested => Ok(S::InReview),
            _ => Err(illegal()),
        },
        A::Approve | A::RequestChanges => {
            if status != S::InReview {
                return Err(illegal());
            }
            if !actor.can_approve {
                return Err(ApprovalError::NotAnApprover(if action == A::Approve {
                    "approve"
                } else {
                    "request changes to"
                }));
            }
            if actor.is_owner {
                return Err(ApprovalError::OwnCampaign);
            }
            Ok(if action == A::Approve { S::Approved } else { S::ChangesRequested })
        }
        A::Distribute => match status {
            S::Approved => Ok(S::Distributed),
            _ => Err(illegal()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ApprovalAction as A;
    use CampaignStatus as S;

    const AGENT: Actor = Actor { can_approve: false, is_owner: true };
    const LEADER: Actor = Actor { can_approve: true, is_owner: false };
    const SELF_APPROVER: Actor = Actor { can_approve: true, is_owner: true };

    #[test]
    fn happy_path_and_rework() {
        let s = transition(S::Draft, A::Submit, AGENT).unwrap();
        let s = transition(s, A::RequestChanges, LEADER).unwrap();
        assert_eq!(s, S::ChangesRequested);
        let s = transition(s, A::Submit, AGENT).unwrap();
        let s = transition(s, A::Approve, LEADER).unwrap();
        assert_eq!(transition(s, A::Distribute, AGENT).unwrap(), S::Distributed);
    }

    #[test]
    fn roles_and_ownership_are_enforced() {
        assert_eq!(transition(S::InReview, A::Approve, AGENT), Err(ApprovalError::NotAnApprover("approve")));
        assert_eq!(transition(S::InReview, A::Approve, SELF_APPROVER), Err(ApprovalError::OwnCampaign));
        assert_eq!(transition(S::InReview, A::RequestChanges, SELF_APPROVER), Err(ApprovalError::OwnCampaign));
    }

    #[test]
    fn every_illegal_pair_is_refused() {
        let all_s = [S::Draft, S::InReview, S::Approved, S::ChangesRequested, S::Distributed];
        let all_a = [A::Submit, A::Approve, A::RequestChanges, A::Distribute];
        let legal = [
            (S::Draft, A::Submit),
            (S::ChangesRequested, A::Submit),
            (S::InReview, A::Approve),
            (S::InReview, A::RequestChanges),
            (S::Approved, A::Distribute),
        ];
        for s in all_s {
            for a in all_a {
                let ok = transition(s, a, LEADER).is_ok();
                assert_eq!(ok, legal.contains(&(s, a)), "{s:?} {a:?}");
            }
        }
        assert_eq!(
            transition(S::Draft, A::Distribute, LEADER),
            Err(ApprovalError::IllegalTransition { action: "distribute", status: "draft" })
        );
    }

    #[test]
    fn names_round_trip() {
        for s in [S::Draft, S::InReview, S::Approved, S::ChangesRequested, S::Distributed] {
            assert_eq!(CampaignStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(ApprovalAction::parse("request_changes"), Some(A::RequestChanges));
        assert_eq!(ApprovalAction::parse("ship"), None);
    }
}
