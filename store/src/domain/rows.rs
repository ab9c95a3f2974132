//! Row decoding and column lists shared by both backends' `Domain` implementations: the code is
//! the same text for `SqliteRow` and `PgRow`, so it is written once and instantiated per row type.

/// Expands to the decoders (`community`, `transaction`, `property`, `report`, `template`,
/// `campaign`, `social_post`, `photo`), the `unique` error mapping and the column lists for one row type.
macro_rules! row_decoders {
    ($row:ty) => {
        fn unique(e: sqlx::Error, what: impl FnOnce() -> String) -> Error {
            match e {
                sqlx::Error::Database(db) if db.is_unique_violation() => Error::Conflict(what()),
                other => Error::Database(other),
            }
        }

        fn community(r: &$row) -> Result<CommunityRow, Error> {
            let aliases: String = r.try_get("aliases")?;
            Ok(CommunityRow {
                name: r.try_get("name")?,
                aliases: aliases.split(';').map(str::trim).filter(|a| !a.is_empty()).map(str::to_string).collect(),
                latitude: r.try_get("latitude")?,
                longitude: r.try_get("longitude")?,
                coord_source: r.try_get("coord_source")?,
            })
        }

        fn transaction(r: &$row) -> Result<TransactionRow, Error> {
            let date: String = r.try_get("date")?;
            Ok(TransactionRow {
                txn_id: r.try_get("txn_id")?,
                date: NaiveDate::parse_from_str(&date, "%Y-%m-%d")
                    .map_err(|e| Error::Corrupt(format!("transaction date `{date}`: {e}")))?,
                community: r.try_get("community")?,
                building: r.try_get("building")?,
                property_type: r.try_get("property_type")?,
                bedrooms: r.try_get("bedrooms")?,
                size_sqft: r.try_get("size_sqft")?,
                price_aed: r.try_get("price_aed")?,
                offplan: r.try_get("offplan")?,
                bulk: r.try_get("bulk")?,
                source: r.try_get("source")?,
            })
        }

        fn property(r: &$row) -> Result<PropertyRecord, Error> {
            Ok(PropertyRecord {
                id: r.try_get("id")?,
                owner_id: r.try_get("owner_id")?,
                team_id: r.try_get("team_id")?,
                reference: r.try_get("reference")?,
                body: r.try_get::<Json<Value>, _>("body")?.0,
                created_at: from_us(r.try_get("created_at_us")?),
                updated_at: from_us(r.try_get("updated_at_us")?),
            })
        }

        fn report(r: &$row) -> Result<CmaReportRecord, Error> {
            Ok(CmaReportRecord {
                id: r.try_get("id")?,
                owner_id: r.try_get("owner_id")?,
                team_id: r.try_get("team_id")?,
                property_id: r.try_get("property_id")?,
                execution_id: r.try_get("execution_id")?,
                status: r.try_get("status")?,
                request: r.try_get::<Json<Value>, _>("request")?.0,
                result: r.try_get::<Option<Json<Value>>, _>("result")?.map(|j| j.0),
                error: r.try_get("error")?,
                pdf_artifact_id: r.try_get("pdf_artifact_id")?,
                created_at: from_us(r.try_get("created_at_us")?),
                updated_at: from_us(r.try_get("updated_at_us")?),
            })
        }

        fn photo(r: &$row) -> Result<PropertyPhoto, Error> {
            Ok(PropertyPhoto {
                id: r.try_get("id")?,
                property_id: r.try_get("property_id")?,
                position: r.try_get("position")?,
                content_type: r.try_get("content_type")?,
                width: r.try_get("width")?,
                height: r.try_get("height")?,
                size_bytes: r.try_get("size_bytes")?,
                sha256: r.try_get("sha256")?,
                caption: r.try_get("caption")?,
                uploaded_by: r.try_get("uploaded_by")?,
                created_at: from_us(r.try_get("created_at_us")?),
            })
        }

        const PHOTO_COLUMNS: &str =
            "id, property_id, position, content_type, width, height, size_bytes, sha256, caption, uploaded_by, created_at_us";

        const REPORT_COLUMNS: &str = "id, owner_id, team_id, property_id, execution_id, status, request, result, error, pdf_artifact_id, created_at_us, updated_at_us";

        const TEMPLATE_COLUMNS: &str = "name, category, channel, market, compliance_status, customizable_fields, content, source, created_by, created_at_us, updated_at_us";

        const CAMPAIGN_COLUMNS: &str =
            "id, owner_id, team_id, property_id, campaign_type, status, request, assets, execution_id, error, created_at_us, updated_at_us";

        const POST_COLUMNS: &str = "id, owner_id, team_id, property_id, platform, post_type, status, text, hashtags, scheduled_at_us, created_at_us, updated_at_us, image_artifact_id, social_campaign_id, theme, execution_id, published_at_us";

        const PROPERTY_COLUMNS: &str = "id, owner_id, team_id, reference, body, created_at_us, updated_at_us";

        fn template(r: &$row) -> Result<TemplateRecord, Error> {
            Ok(TemplateRecord {
                name: r.try_get("name")?,
                category: r.try_get("category")?,
                channel: r.try_get("channel")?,
                market: r.try_get("market")?,
                compliance_status: r.try_get("compliance_status")?,
                customizable_fields: r.try_get::<Json<Value>, _>("customizable_fields")?.0,
                content: r.try_get("content")?,
                source: r.try_get("source")?,
                created_by: r.try_get("created_by")?,
                created_at: from_us(r.try_get("created_at_us")?),
                updated_at: from_us(r.try_get("updated_at_us")?),
            })
        }

        fn campaign(r: &$row) -> Result<CampaignRecord, Error> {
            Ok(CampaignRecord {
                id: r.try_get("id")?,
                owner_id: r.try_get("owner_id")?,
                team_id: r.try_get("team_id")?,
                property_id: r.try_get("property_id")?,
                campaign_type: r.try_get("campaign_type")?,
                status: r.try_get("status")?,
                request: r.try_get::<Json<Value>, _>("request")?.0,
                assets: r.try_get::<Json<Value>, _>("assets")?.0,
                execution_id: r.try_get("execution_id")?,
                error: r.try_get("error")?,
                created_at: from_us(r.try_get("created_at_us")?),
                updated_at: from_us(r.try_get("updated_at_us")?),
            })
        }

        fn social_post(r: &$row) -> Result<SocialPostRecord, Error> {
            Ok(SocialPostRecord {
                id: r.try_get("id")?,
                owner_id: r.try_get("owner_id")?,
                team_id: r.try_get("team_id")?,
                property_id: r.try_get("property_id")?,
                platform: r.try_get("platform")?,
                post_type: r.try_get("post_type")?,
                status: r.try_get("status")?,
                text: r.try_get("text")?,
                hashtags: r.try_get::<Json<Value>, _>("hashtags")?.0,
                scheduled_at: r.try_get::<Option<i64>, _>("scheduled_at_us")?.map(from_us),
                created_at: from_us(r.try_get("created_at_us")?),
                updated_at: from_us(r.try_get("updated_at_us")?),
                image_artifact_id: r.try_get("image_artifact_id")?,
                social_campaign_id: r.try_get("social_campaign_id")?,
                theme: r.try_get("theme")?,
                execution_id: r.try_get("execution_id")?,
                published_at: r.try_get::<Option<i64>, _>("published_at_us")?.map(from_us),
            })
        }
    };
}

pub(super) use row_decoders;
