//! The `Records` contract (the CRM entity tables), on SQLite and on PostgreSQL.

use serde_json::json;
use store::records::{Filter, Record, Table};

pub mod cases {
    use super::*;

    pub async fn records_insert_once_update_by_status_and_filter(stores: store::Stores) {
        let r = stores.records.clone();
        let now = chrono::Utc::now();
        for table in Table::ALL {
            let mut a = Record::new("new", json!({ "n": 1 }), now);
            a.owner_id = Some("agent-1".into());
            a.team_id = Some("team-1".into());
            a.ref_id = Some("parent-1".into());
            a.unique_key = Some(format!("{}:a", table.name()));
            let (stored, inserted) = r.insert(table, &a).await.unwrap();
            assert!(inserted, "{table:?}");
            assert_eq!(stored.body, json!({ "n": 1 }));
            // The same key again: the first record comes back, nothing new is written.
            let mut again = a.clone();
            again.id = uuid::Uuid::now_v7();
            again.body = json!({ "n": 2 });
            let (existing, inserted) = r.insert(table, &again).await.unwrap();
            assert!(!inserted);
            assert_eq!(existing.id, a.id);
            // No key: always a new row.
            let mut b = Record::new("new", json!({}), now + chrono::Duration::seconds(1));
            b.owner_id = Some("agent-2".into());
            r.insert(table, &b).await.unwrap();

            let mine = r
                .list(table, &Filter { owner_id: Some("agent-1".into()), limit: 10, ..Default::default() })
                .await
                .unwrap();
            assert_eq!(mine.len(), 1);
            let all = r.list(table, &Filter { limit: 10, ..Default::default() }).await.unwrap();
            assert_eq!(all.iter().map(|x| x.id).collect::<Vec<_>>(), vec![b.id, a.id], "newest first");
            let by_ref = r
                .list(table, &Filter { ref_id: Some("parent-1".into()), limit: 10, ..Default::default() })
                .await
                .unwrap();
            assert_eq!(by_ref.len(), 1);

            // Compare-and-set on status; body replaced only when given.
            let updated = r.update(table, a.id, Some("new"), "done", Some(&json!({ "n": 3 })), now).await.unwrap();
            assert_eq!((updated.status.as_str(), updated.body["n"].as_i64()), ("done", Some(3)));
            assert!(matches!(r.update(table, a.id, Some("new"), "x", None, now).await, Err(store::Error::Conflict(_))));
            let kept = r.update(table, a.id, None, "archived", None, now).await.unwrap();
            assert_eq!(kept.body["n"], 3);
            assert!(matches!(
                r.update(table, uuid::Uuid::now_v7(), None, "x", None, now).await,
                Err(store::Error::NotFound(_))
            ));
            let counts = r.count_by_status(table, &Filter::default()).await.unwrap();
            assert_eq!(counts, vec![("archived".to_string(), 1), ("new".to_string(), 1)]);
            assert_eq!(r.get(table, b.id).await.unwrap().unwrap().owner_id.as_deref(), Some("agent-2"));
        }
    }
}

crate::accounts_test!(cases::records_insert_once_update_by_status_and_filter);
