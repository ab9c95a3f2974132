//! The `Accounts` contract. Every test here is a `pub async fn NAME(stores: Stores)` in `cases`,
//! expanded by `accounts_test!` into `NAME::sqlite` and `NAME::postgres`, so both backends are
//! held to exactly the same observable behaviour.
//!
//! As in `conformance`, the clock is read once per test and truncated to microseconds; every other
//! instant is `now + s(n)`.

use chrono::SubsecRound;
use store::accounts::{NewAuditEntry, NewRefreshToken, NewUser, RefreshUse, UserUpdate};
use store::{Error, Timestamp};
use uuid::Uuid;

fn now() -> Timestamp {
    chrono::Utc::now().trunc_subsecs(6)
}

fn s(n: i64) -> chrono::Duration {
    chrono::Duration::seconds(n)
}

fn new_user(email: &str, team_id: Option<Uuid>) -> NewUser {
    NewUser {
        email: email.to_string(),
        name: format!("name of {email}"),
        password_hash: "hash".to_string(),
        role: "agent".to_string(),
        team_id,
    }
}

fn new_token(family_id: Uuid, user_id: Uuid, hash: &str, expires_at: Timestamp) -> NewRefreshToken {
    NewRefreshToken { id: Uuid::now_v7(), family_id, user_id, token_hash: hash.to_string(), expires_at }
}

pub mod cases {
    use std::collections::HashSet;

    use serde_json::json;

    use super::*;
    use store::Stores;

    pub async fn users_create_and_get(stores: Stores) {
        let a = &stores.accounts;
        let t = now();
        let team = a.create_team("ops", t).await.expect("team");
        let user = a.create_user(&new_user("  Alice@Example.COM ", Some(team.id)), t).await.expect("create");
        assert_eq!(user.email, "alice@example.com");
        assert_eq!(user.name, "name of   Alice@Example.COM ");
        assert_eq!(user.password_hash, "hash");
        assert_eq!(user.role, "agent");
        assert_eq!(user.team_id, Some(team.id));
        assert!(user.active);
        assert_eq!(user.created_at, t);
        assert_eq!(user.updated_at, t);

        assert_eq!(a.user(user.id).await.unwrap(), Some(user.clone()));
        assert_eq!(a.user(Uuid::now_v7()).await.unwrap(), None);
        assert_eq!(a.user_by_email("alice@example.com").await.unwrap(), Some(user.clone()));
        assert_eq!(a.user_by_email(" ALICE@example.com").await.unwrap(), Some(user.clone()));
        assert_eq!(a.user_by_email("bob@example.com").await.unwrap(), None);
    }

    pub async fn users_duplicate_email_conflicts(stores: Stores) {
        let a = &stores.accounts;
        let t = now();
        a.create_user(&new_user("alice@example.com", None), t).await.expect("create");
        let err = a.create_user(&new_user("ALICE@example.com", None), t + s(1)).await.unwrap_err();
        assert!(matches!(err, Error::Conflict(_)), "{err:?}");
        assert_eq!(a.count_users().await.unwrap(), 1);
    }

    pub async fn users_list_and_count(stores: Stores) {
        let a = &stores.accounts;
        let t = now();
        assert_eq!(a.count_users().await.unwrap(), 0);
        assert!(a.list_users(None).await.unwrap().is_empty());
        let red = a.create_team("red", t).await.unwrap();
        let blue = a.create_team("blue", t).await.unwrap();
        a.create_user(&new_user("carol@x.io", Some(red.id)), t).await.unwrap();
        a.create_user(&new_user("alice@x.io", Some(red.id)), t).await.unwrap();
        a.create_user(&new_user("bob@x.io", Some(blue.id)), t).await.unwrap();
        a.create_user(&new_user("dave@x.io", None), t).await.unwrap();

        assert_eq!(a.count_users().await.unwrap(), 4);
        let emails = |users: Vec<store::accounts::User>| users.into_iter().map(|u| u.email).collect::<Vec<_>>();
        assert_eq!(emails(a.list_users(None).await.unwrap()), ["alice@x.io", "bob@x.io", "carol@x.io", "dave@x.io"]);
        assert_eq!(emails(a.list_users(Some(red.id)).await.unwrap()), ["alice@x.io", "carol@x.io"]);
        assert_eq!(emails(a.list_users(Some(blue.id)).await.unwrap()), ["bob@x.io"]);
        assert!(a.list_users(Some(Uuid::now_v7())).await.unwrap().is_empty());
    }

    pub async fn users_update(stores: Stores) {
        let a = &stores.accounts;
        let t = now();
        let red = a.create_team("red", t).await.unwrap();
        let blue = a.create_team("blue", t).await.unwrap();
        let user = a.create_user(&new_user("alice@x.io", Some(red.id)), t).await.unwrap();

        // An empty update changes only updated_at.
        let same = a.update_user(user.id, &UserUpdate::default(), t + s(1)).await.unwrap();
        assert_eq!(same, store::accounts::User { updated_at: t + s(1), ..user.clone() });

        let renamed = a
            .update_user(
                user.id,
                &UserUpdate { name: Some("Alice".into()), role: Some("admin".into()), ..Default::default() },
                t + s(2),
            )
            .await
            .unwrap();
        assert_eq!(renamed.name, "Alice");
        assert_eq!(renamed.role, "admin");
        assert_eq!(renamed.team_id, Some(red.id));
        assert!(renamed.active);
        assert_eq!(renamed.created_at, t);
        assert_eq!(renamed.updated_at, t + s(2));
        assert_eq!(a.user(user.id).await.unwrap(), Some(renamed.clone()));

        let moved =
            a.update_user(user.id, &UserUpdate { team_id: Some(Some(blue.id)), ..Default::default() }, t + s(3)).await;
        assert_eq!(moved.unwrap().team_id, Some(blue.id));

        let removed =
            a.update_user(user.id, &UserUpdate { team_id: Some(None), ..Default::default() }, t + s(4)).await.unwrap();
        assert_eq!(removed.team_id, None);
        assert_eq!(removed.name, "Alice");
        assert!(a.list_users(Some(blue.id)).await.unwrap().is_empty());

        let inactive =
            a.update_user(user.id, &UserUpdate { active: Some(false), ..Default::default() }, t + s(5)).await.unwrap();
        assert!(!inactive.active);
        assert!(!a.user(user.id).await.unwrap().unwrap().active);

        let rehashed = a
            .update_user(
                user.id,
                &UserUpdate { password_hash: Some("new-hash".into()), active: Some(true), ..Default::default() },
                t + s(6),
            )
            .await
            .unwrap();
        assert_eq!(rehashed.password_hash, "new-hash");
        assert!(rehashed.active);
        assert_eq!(rehashed.team_id, None);
        assert_eq!(rehashed.role, "admin");
        assert_eq!(a.user_by_email("alice@x.io").await.unwrap(), Some(rehashed));

        let err = a.update_user(Uuid::now_v7(), &UserUpdate::default(), t).await.unwrap_err();
        assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    }

    pub async fn teams(stores: Stores) {
        let a = &stores.accounts;
        let t = now();
        assert!(a.list_teams().await.unwrap().is_empty());
        let ops = a.create_team("ops", t).await.unwrap();
        assert_eq!(ops.name, "ops");
        assert_eq!(ops.created_at, t);
        let dev = a.create_team("dev", t + s(1)).await.unwrap();
        assert_ne!(ops.id, dev.id);

        let err = a.create_team("ops", t + s(2)).await.unwrap_err();
        assert!(matches!(err, Error::Conflict(_)), "{err:?}");

        let mut teams = a.list_teams().await.unwrap();
        teams.sort_by(|x, y| x.name.cmp(&y.name));
        assert_eq!(teams, vec![dev.clone(), ops.clone()]);
        assert_eq!(a.team(ops.id).await.unwrap(), Some(ops));
        assert_eq!(a.team(Uuid::now_v7()).await.unwrap(), None);
    }

    pub async fn refresh_token_reuse_revokes_family(stores: Stores) {
        let a = &stores.accounts;
        let t = now();
        let user = a.create_user(&new_user("alice@x.io", None), t).await.unwrap();
        let family = Uuid::now_v7();
        let first = new_token(family, user.id, "h1", t + s(3600));
        a.insert_refresh_token(&first, t).await.unwrap();

        let used = a.use_refresh_token("h1", t + s(1)).await.unwrap();
        assert_eq!(
            used,
            RefreshUse::Valid(store::accounts::RefreshToken {
                id: first.id,
                family_id: family,
                user_id: user.id,
                expires_at: t + s(3600),
            })
        );
        // The successor, issued after the first use.
        a.insert_refresh_token(&new_token(family, user.id, "h2", t + s(3601)), t + s(1)).await.unwrap();
        // An unrelated login of the same user, in another family.
        a.insert_refresh_token(&new_token(Uuid::now_v7(), user.id, "other", t + s(3600)), t).await.unwrap();

        // The first token is presented again: stolen. The whole family goes.
        let reused = a.use_refresh_token("h1", t + s(2)).await.unwrap();
        assert_eq!(reused, RefreshUse::Reused { user_id: user.id, family_id: family });
        let successor = a.use_refresh_token("h2", t + s(3)).await.unwrap();
        assert_eq!(successor, RefreshUse::Reused { user_id: user.id, family_id: family });

        // Other families are untouched.
        assert!(matches!(a.use_refresh_token("other", t + s(4)).await.unwrap(), RefreshUse::Valid(_)));
    }

    pub async fn refresh_token_expired_and_unknown(stores: Stores) {
        let a = &stores.accounts;
        let t = now();
        let user = a.create_user(&new_user("alice@x.io", None), t).await.unwrap();
        a.insert_refresh_token(&new_token(Uuid::now_v7(), user.id, "h1", t + s(60)), t).await.unwrap();
        assert_eq!(a.use_refresh_token("h1", t + s(61)).await.unwrap(), RefreshUse::Expired);
        // An expired token is not used up by the attempt.
        assert_eq!(a.use_refresh_token("h1", t + s(62)).await.unwrap(), RefreshUse::Expired);
        assert_eq!(a.use_refresh_token("nope", t).await.unwrap(), RefreshUse::Unknown);
    }

    pub async fn refresh_token_revoke_family(stores: Stores) {
        let a = &stores.accounts;
        let t = now();
        let user = a.create_user(&new_user("alice@x.io", None), t).await.unwrap();
        let family = Uuid::now_v7();
        a.insert_refresh_token(&new_token(family, user.id, "h1", t + s(3600)), t).await.unwrap();
        assert!(matches!(a.use_refresh_token("h1", t + s(1)).await.unwrap(), RefreshUse::Valid(_)));
        a.insert_refresh_token(&new_token(family, user.id, "h2", t + s(3600)), t + s(1)).await.unwrap();
        a.insert_refresh_token(&new_token(Uuid::now_v7(), user.id, "other", t + s(3600)), t).await.unwrap();

        // Logout presents the first (already used) token's hash: its family is revoked.
        a.revoke_refresh_token("h1", t + s(2)).await.unwrap();
        assert_eq!(
            a.use_refresh_token("h2", t + s(3)).await.unwrap(),
            RefreshUse::Reused { user_id: user.id, family_id: family }
        );
        assert!(matches!(a.use_refresh_token("other", t + s(3)).await.unwrap(), RefreshUse::Valid(_)));
        // Unknown hashes are ignored.
        a.revoke_refresh_token("nope", t + s(4)).await.unwrap();
    }

    pub async fn refresh_token_revoke_user(stores: Stores) {
        let a = &stores.accounts;
        let t = now();
        let alice = a.create_user(&new_user("alice@x.io", None), t).await.unwrap();
        let bob = a.create_user(&new_user("bob@x.io", None), t).await.unwrap();
        a.insert_refresh_token(&new_token(Uuid::now_v7(), alice.id, "a1", t + s(3600)), t).await.unwrap();
        a.insert_refresh_token(&new_token(Uuid::now_v7(), alice.id, "a2", t + s(3600)), t).await.unwrap();
        a.insert_refresh_token(&new_token(Uuid::now_v7(), bob.id, "b1", t + s(3600)), t).await.unwrap();

        a.revoke_user_tokens(alice.id, t + s(1)).await.unwrap();
        for hash in ["a1", "a2"] {
            let used = a.use_refresh_token(hash, t + s(2)).await.unwrap();
            assert!(matches!(used, RefreshUse::Reused { user_id, .. } if user_id == alice.id), "{hash}: {used:?}");
        }
        assert!(matches!(a.use_refresh_token("b1", t + s(2)).await.unwrap(), RefreshUse::Valid(_)));
    }

    pub async fn refresh_token_concurrent_use(stores: Stores) {
        let a = &stores.accounts;
        let t = now();
        let user = a.create_user(&new_user("alice@x.io", None), t).await.unwrap();
        let family = Uuid::now_v7();
        a.insert_refresh_token(&new_token(family, user.id, "h1", t + s(3600)), t).await.unwrap();

        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(8));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let accounts = stores.accounts.clone();
                let barrier = barrier.clone();
                tokio::spawn(async move {
                    barrier.wait().await;
                    accounts.use_refresh_token("h1", t + s(1)).await.expect("use")
                })
            })
            .collect();
        let mut valid = 0;
        for task in tasks {
            match task.await.unwrap() {
                RefreshUse::Valid(token) => {
                    assert_eq!(token.family_id, family);
                    valid += 1;
                }
                RefreshUse::Reused { user_id, family_id } => {
                    assert_eq!((user_id, family_id), (user.id, family));
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(valid, 1);
    }

    pub async fn audit_log_pages_newest_first(stores: Stores) {
        let a = &stores.accounts;
        let t = now();
        assert!(a.audit_log(None, 10).await.unwrap().is_empty());
        let actor = Uuid::now_v7();
        for i in 0..5 {
            let entry = NewAuditEntry {
                actor_id: (i % 2 == 0).then_some(actor),
                action: format!("action.{i}"),
                target: (i != 1).then(|| format!("target-{i}")),
                detail: (i == 2).then(|| json!({ "n": i, "nested": { "ok": true } })),
                ip: (i == 3).then(|| "10.0.0.1".to_string()),
            };
            a.append_audit(&entry, t + s(i)).await.unwrap();
        }

        let all = a.audit_log(None, 100).await.unwrap();
        let actions: Vec<&str> = all.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["action.4", "action.3", "action.2", "action.1", "action.0"]);
        assert!(all.windows(2).all(|w| w[0].id > w[1].id));
        assert_eq!(all.iter().map(|e| e.id).collect::<HashSet<_>>().len(), 5);

        let e2 = &all[2];
        assert_eq!(e2.at, t + s(2));
        assert_eq!(e2.actor_id, Some(actor));
        assert_eq!(e2.target.as_deref(), Some("target-2"));
        assert_eq!(e2.detail, Some(json!({ "n": 2, "nested": { "ok": true } })));
        assert_eq!(e2.ip, None);
        let e3 = &all[1];
        assert_eq!(e3.actor_id, None);
        assert_eq!(e3.detail, None);
        assert_eq!(e3.ip.as_deref(), Some("10.0.0.1"));
        assert_eq!(all[3].target, None);

        let page1 = a.audit_log(None, 2).await.unwrap();
        assert_eq!(page1, all[..2]);
        let page2 = a.audit_log(Some(page1[1].id), 2).await.unwrap();
        assert_eq!(page2, all[2..4]);
        let page3 = a.audit_log(Some(page2[1].id), 2).await.unwrap();
        assert_eq!(page3, all[4..]);
        assert!(a.audit_log(Some(page3[0].id), 2).await.unwrap().is_empty());
    }
}

crate::accounts_test!(cases::users_create_and_get);
crate::accounts_test!(cases::users_duplicate_email_conflicts);
crate::accounts_test!(cases::users_list_and_count);
crate::accounts_test!(cases::users_update);
crate::accounts_test!(cases::teams);
crate::accounts_test!(cases::refresh_token_reuse_revokes_family);
crate::accounts_test!(cases::refresh_token_expired_and_unknown);
crate::accounts_test!(cases::refresh_token_revoke_family);
crate::accounts_test!(cases::refresh_token_revoke_user);
crate::accounts_test!(cases::refresh_token_concurrent_use);
crate::accounts_test!(cases::audit_log_pages_newest_first);
