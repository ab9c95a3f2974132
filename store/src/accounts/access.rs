//! Who may see a record: the one visibility rule the REST routes and the step handlers share.
//!
//! An agent sees their own records, a team leader their team's, an admin everything. Routes
//! build a [`Viewer`] from the signed-in caller; steps build one from the execution's creator, so
//! an execution can never reach a record its creator could not open over REST.

use super::rbac::Role;
use super::User;

/// How far a viewer's sight reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Own,
    Team,
    All,
}

impl Reach {
    /// What a role sees: team leaders manage their team's workflows, admins the whole system.
    pub fn of(role: Role) -> Reach {
        if role.has("workflows:system_management") {
            Reach::All
        } else if role.has("workflows:manage_team_workflows") {
            Reach::Team
        } else {
            Reach::Own
        }
    }
}

/// Someone looking at records owned by a user and a team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: String,
    pub team_id: Option<String>,
    pub reach: Reach,
}

impl Viewer {
    /// The viewer an active user is; `None` for a deactivated user or an unknown role (who sees nothing).
    pub fn of_user(user: &User) -> Option<Viewer> {
        let role = Role::parse(&user.role).filter(|_| user.active)?;
        Some(Viewer {
            user_id: user.id.to_string(),
            team_id: user.team_id.map(|t| t.to_string()),
            reach: Reach::of(role),
        })
    }

    pub fn can_see(&self, owner: Option<&str>, team: Option<&str>) -> bool {
        match self.reach {
            Reach::All => true,
            Reach::Team if team.is_some() && team == self.team_id.as_deref() => true,
            _ => owner == Some(self.user_id.as_str()),
        }
    }

    /// The (owner, team) filter a listing applies for this viewer.
    pub fn scope(&self) -> (Option<String>, Option<String>) {
        match (self.reach, &self.team_id) {
            (Reach::All, _) => (None, None),
            (Reach::Team, Some(team)) => (None, Some(team.clone())),
            _ => (Some(self.user_id.clone()), None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer(reach: Reach) -> Viewer {
        Viewer { user_id: "u1".into(), team_id: Some("t1".into()), reach }
    }

    #[test]
    fn agents_see_their_own_leaders_their_team_admins_all() {
        let cases = [
            (Reach::Own, Some("u1"), None, true),
            (Reach::Own, Some("u2"), Some("t1"), false),
            (Reach::Team, Some("u2"), Some("t1"), true),
            (Reach::Team, Some("u2"), Some("t2"), false),
            (Reach::Team, Some("u1"), Some("t2"), true),
            (Reach::Team, None, None, false),
            (Reach::All, Some("u9"), Some("t9"), true),
            (Reach::All, None, None, true),
        ];
        for (reach, owner, team, expected) in cases {
            assert_eq!(viewer(reach).can_see(owner, team), expected, "{reach:?} {owner:?} {team:?}");
        }
    }

    #[test]
    fn a_team_leader_without_a_team_sees_only_their_own() {
        let v = Viewer { team_id: None, ..viewer(Reach::Team) };
        assert!(!v.can_see(Some("u2"), None));
        assert_eq!(v.scope(), (Some("u1".into()), None));
    }
}
