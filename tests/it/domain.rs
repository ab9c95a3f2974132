//! The `Domain` store contract on both backends: market data, properties, artefacts, CMA
//! reports and marketing templates.

use chrono::NaiveDate;
use serde_json::json;
use store::domain::{
    Artifact, CmaReportRecord, CommunityRow, PropertyRecord, SnapshotRow, TemplateRecord, TransactionRow,
};
use uuid::Uuid;

fn txn(id: &str, date: &str, price: f64) -> TransactionRow {
    TransactionRow {
        txn_id: id.into(),
        date: NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap(),
        community: "Dubai Marina".into(),
        building: Some("Marina Gate".into()),
        property_type: "apartment".into(),
        bedrooms: Some(2),
        size_sqft: 1200.0,
        price_aed: price,
        offplan: false,
        bulk: false,
        source: "test".into(),
    }
}

fn template(name: &str, source: &str, content: &str) -> TemplateRecord {
    let now = chrono::Utc::now();
    TemplateRecord {
        name: name.into(),
        category: "email".into(),
        channel: "email".into(),
        market: "dubai".into(),
        compliance_status: "passed".into(),
        customizable_fields: json!(["headline"]),
        content: content.into(),
        source: source.into(),
        created_by: None,
        created_at: now,
        updated_at: now,
    }
}

pub mod cases {
    use super::*;

    pub async fn market_data_round_trips(s: store::Stores) {
        let d = s.domain;
        let c = CommunityRow {
            name: "Dubai Marina".into(),
            aliases: vec!["Marina".into(), "MARSA DUBAI".into()],
            latitude: Some(25.08),
            longitude: Some(55.14),
            coord_source: Some("test".into()),
        };
        d.upsert_communities(std::slice::from_ref(&c)).await.unwrap();
        d.upsert_communities(std::slice::from_ref(&c)).await.unwrap();
        assert_eq!(d.communities().await.unwrap(), vec![c]);
        assert_eq!(
            d.insert_transactions(&[txn("a", "2026-01-02", 2e6), txn("b", "2026-01-03", 2.2e6)]).await.unwrap(),
            2
        );
        assert_eq!(d.insert_transactions(&[txn("a", "2026-01-02", 9e9)]).await.unwrap(), 0, "existing ids are skipped");
        let all = d.transactions().await.unwrap();
        assert_eq!((all.len(), all[0].price_aed, all[0].building.as_deref()), (2, 2e6, Some("Marina Gate")));
        let snap = SnapshotRow {
            community: "Dubai Marina".into(),
            property_type: "apartment".into(),
            month: "2026-01".into(),
            median_psf: 1750.0,
            volume: 2,
        };
        d.upsert_snapshots(std::slice::from_ref(&snap)).await.unwrap();
        d.upsert_snapshots(&[SnapshotRow { volume: 3, ..snap.clone() }]).await.unwrap();
        assert_eq!(d.snapshots(Some("Dubai Marina"), None).await.unwrap()[0].volume, 3);
        assert!(d.snapshots(Some("JVC"), None).await.unwrap().is_empty());
    }

    pub async fn properties_reports_artifacts_templates(s: store::Stores) {
        let d = s.domain;
        let now = chrono::Utc::now();
        let p = PropertyRecord {
            id: Uuid::now_v7(),
            owner_id: "u1".into(),
            team_id: Some("t1".into()),
            reference: "ref-1".into(),
            body: json!({ "reference": "ref-1" }),
            created_at: now,
            updated_at: now,
        };
        d.create_property(&p).await.unwrap();
        assert!(matches!(
            d.create_property(&PropertyRecord { id: Uuid::now_v7(), ..p.clone() }).await,
            Err(store::Error::Conflict(_))
        ));
        d.create_property(&PropertyRecord { id: Uuid::now_v7(), owner_id: "u2".into(), ..p.clone() }).await.unwrap();
        assert_eq!(d.properties_by_reference("ref-1", Some("u1")).await.unwrap().len(), 1);
        assert_eq!(d.properties_by_reference("ref-1", None).await.unwrap().len(), 2);
        assert_eq!(d.list_properties(None, Some("t1"), 10).await.unwrap().len(), 2);
        let updated =
            d.update_property(p.id, "ref-2", &json!({ "reference": "ref-2", "bedrooms": 3 }), now).await.unwrap();
        assert_eq!((updated.reference.as_str(), updated.body["bedrooms"].as_i64()), ("ref-2", Some(3)));
        d.delete_property(p.id).await.unwrap();
        assert!(matches!(d.delete_property(p.id).await, Err(store::Error::NotFound(_))));

        let a = Artifact {
            id: Uuid::now_v7(),
            owner_id: Some("u1".into()),
            team_id: None,
            kind: "cma_report_pdf".into(),
            filename: "x.pdf".into(),
            content_type: "application/pdf".into(),
            size_bytes: 4,
            sha256: "ab".into(),
            created_at: now,
        };
        d.put_artifact(&a, b"%PDF").await.unwrap();
        let (got, bytes) = d.artifact(a.id).await.unwrap().unwrap();
        assert_eq!((got.filename.as_str(), bytes.as_slice()), ("x.pdf", b"%PDF".as_slice()));

        let r = CmaReportRecord {
            id: Uuid::now_v7(),
            owner_id: "u1".into(),
            team_id: None,
            property_id: None,
            execution_id: None,
            status: "processing".into(),
            request: json!({ "subject": {} }),
            result: None,
            error: None,
            pdf_artifact_id: None,
            created_at: now,
            updated_at: now,
        };
        d.create_cma_report(&r).await.unwrap();
        let exec = Uuid::now_v7();
        d.set_cma_report_execution(r.id, exec).await.unwrap();
        d.finish_cma_report(r.id, "completed", Some(&json!({ "valuation": 1 })), None, Some(a.id), now).await.unwrap();
        let done = d.cma_report(r.id).await.unwrap().unwrap();
        assert_eq!(
            (done.status.as_str(), done.execution_id, done.pdf_artifact_id),
            ("completed", Some(exec), Some(a.id))
        );
        assert_eq!(d.list_cma_reports(Some("u1"), None, 10).await.unwrap().len(), 1);
        assert!(d.list_cma_reports(Some("u2"), None, 10).await.unwrap().is_empty());
        assert!(matches!(
            d.finish_cma_report(Uuid::now_v7(), "failed", None, Some("x"), None, now).await,
            Err(store::Error::NotFound(_))
        ));

        // Templates: a built-in never overwrites an admin's custom template of the same name.
        d.upsert_template(&template("welcome", "builtin", "v1")).await.unwrap();
        d.upsert_template(&template("welcome", "builtin", "v2")).await.unwrap();
        assert_eq!(d.template("welcome").await.unwrap().unwrap().content, "v2");
        d.upsert_template(&template("welcome", "custom", "mine")).await.unwrap();
        d.upsert_template(&template("welcome", "builtin", "v3")).await.unwrap();
        assert_eq!(d.template("welcome").await.unwrap().unwrap().content, "mine");
        assert_eq!(d.list_templates(Some("email"), Some("dubai")).await.unwrap().len(), 1);
        assert!(d.list_templates(Some("social"), None).await.unwrap().is_empty());
    }
}

crate::accounts_test!(cases::market_data_round_trips);
crate::accounts_test!(cases::properties_reports_artifacts_templates);
