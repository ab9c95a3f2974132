//! Roles and permissions, exactly the seed's RBAC table, with inheritance:
//! `team_leader` has every `agent` permission, `admin` every `team_leader` one.
//! Two admin permissions the seed does not name cover what it has no word for:
//! `system:manage_users` (users and teams) and `system:view_audit_log`.

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Agent,
    TeamLeader,
    Admin,
}

const AGENT: &[&str] = &[
    "marketing:create_campaign",
    "marketing:view_templates",
    "cma:generate_report",
    "cma:quick_valuation",
    "social:create_posts",
    "workflows:execute_package",
    "analytics:view_personal",
];
const TEAM_LEADER: &[&str] = &["marketing:approve_campaigns", "analytics:view_team", "workflows:manage_team_workflows"];
const ADMIN: &[&str] = &[
    "marketing:manage_templates",
    "analytics:view_all",
    "system:health_monitoring",
    "workflows:system_management",
    "system:manage_users",
    "system:view_audit_log",
];

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "agent" => Some(Role::Agent),
            "team_leader" => Some(Role::TeamLeader),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::TeamLeader => "team_leader",
            Role::Admin => "admin",
        }
    }

    /// The role's own permissions and everything it inherits.
    pub fn permissions(self) -> impl Iterator<Item = &'static str> {
        let own: [&[&str]; 3] = [AGENT, TEAM_LEADER, ADMIN];
        let levels = match self {
            Role::Agent => 1,
            Role::TeamLeader => 2,
            Role::Admin => 3,
        };
        own.into_iter().take(levels).flatten().copied()
    }

    pub fn has(self, permission: &str) -> bool {
        self.permissions().any(|p| p == permission)
    }
}

/// Every permission some role has; a route may only declare one of these.
pub fn all_permissions() -> impl Iterator<Item = &'static str> {
    Role::Admin.permissions()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inheritance_matches_the_seed() {
        assert!(Role::Agent.has("workflows:execute_package"));
        assert!(!Role::Agent.has("marketing:approve_campaigns"));
        assert!(Role::TeamLeader.has("workflows:execute_package"));
        assert!(Role::TeamLeader.has("marketing:approve_campaigns"));
        assert!(!Role::TeamLeader.has("workflows:system_management"));
        assert!(Role::Admin.has("cma:quick_valuation") && Role::Admin.has("analytics:view_all"));
        assert_eq!(Role::Agent.permissions().count(), 7);
        assert_eq!(Role::TeamLeader.permissions().count(), 10);
    }
}
