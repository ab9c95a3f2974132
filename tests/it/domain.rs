//! The `Domain` store contract on both backends: market data, properties, artefacts, CMA
//! reports and marketing templates.

use chrono::NaiveDate;
use serde_json::json;
use store::domain::{
    Artifact, CmaReportRecord, CommunityRow, PhotoAdded, PropertyPhoto, PropertyRecord, SnapshotRow, TemplateRecord,
    TransactionRow,
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

    pub async fn property_photos_keep_order_limit_and_follow_their_property(s: store::Stores) {
        let d = s.domain;
        let now = chrono::Utc::now();
        let property = |owner: &str| PropertyRecord {
            id: Uuid::now_v7(),
            owner_id: owner.into(),
            team_id: None,
            reference: format!("ref-{owner}"),
            body: json!({}),
            created_at: now,
            updated_at: now,
        };
        let (p, other) = (property("u1"), property("u2"));
        d.create_property(&p).await.unwrap();
        d.create_property(&other).await.unwrap();
        let photo = |property_id: Uuid, caption: Option<&str>| PropertyPhoto {
            id: Uuid::now_v7(),
            property_id,
            position: 0,
            content_type: "image/png".into(),
            width: 4,
            height: 3,
            size_bytes: 5,
            sha256: "ab".into(),
            caption: caption.map(str::to_string),
            uploaded_by: "u1".into(),
            created_at: now,
        };
        let add = |ph: PropertyPhoto, bytes: &'static [u8]| {
            let d = d.clone();
            async move { d.add_property_photo(&ph, bytes, 3).await.unwrap() }
        };
        let PhotoAdded::Added(first) = add(photo(p.id, Some("Living room")), b"\x89PNG1").await else { panic!("full") };
        let PhotoAdded::Added(second) = add(photo(p.id, None), b"\x89PNG2").await else { panic!("full") };
        assert_eq!((first.position, second.position), (1, 2), "positions follow upload order");
        let (got, bytes) = d.property_photo(p.id, first.id).await.unwrap().unwrap();
        assert_eq!((got, bytes.as_slice()), (first.clone(), b"\x89PNG1".as_slice()), "metadata and bytes round-trip");
        assert!(d.property_photo(other.id, first.id).await.unwrap().is_none(), "a photo belongs to one property");

        // Deleting leaves a gap; the next upload goes after the last, never into the gap.
        d.delete_property_photo(p.id, first.id).await.unwrap();
        assert!(matches!(d.delete_property_photo(p.id, first.id).await, Err(store::Error::NotFound(_))));
        let PhotoAdded::Added(third) = add(photo(p.id, None), b"3").await else { panic!("full") };
        let PhotoAdded::Added(_) = add(photo(p.id, None), b"4").await else { panic!("full") };
        assert_eq!(third.position, 3);
        assert_eq!(add(photo(p.id, None), b"5").await, PhotoAdded::Full, "at most 3 photos here");
        let listed: Vec<i32> = d.property_photos(p.id).await.unwrap().iter().map(|ph| ph.position).collect();
        assert_eq!(listed, vec![2, 3, 4]);
        assert!(matches!(
            d.add_property_photo(&photo(Uuid::now_v7(), None), b"x", 3).await,
            Err(store::Error::NotFound(_))
        ));

        // A property's photos go with it; another property's stay.
        let PhotoAdded::Added(kept) = add(photo(other.id, None), b"k").await else { panic!("full") };
        d.delete_property(p.id).await.unwrap();
        assert!(d.property_photos(p.id).await.unwrap().is_empty());
        assert!(d.property_photo(p.id, second.id).await.unwrap().is_none());
        assert_eq!(d.property_photos(other.id).await.unwrap(), vec![kept]);
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
crate::accounts_test!(cases::property_photos_keep_order_limit_and_follow_their_property);
crate::accounts_test!(cases::properties_reports_artifacts_templates);
