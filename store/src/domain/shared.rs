//! `Domain`'s implementation, for PostgreSQL and SQLite alike.
//!
//! Written once for both backends: `$db` picks the SQL dialect (each statement goes through
//! [`crate::sql!`], so SQLite's text is made at compile time), `$store` and `$row` the types,
//! `$read` and `$write` the pools (PostgreSQL has one; SQLite reads from a pool and writes
//! through its single writer connection).

macro_rules! domain_impl {
    ($db:ident, $store:ty, $row:ty, $read:ident, $write:ident) => {
        use serde_json::Value;
        use sqlx::types::Json;
        use sqlx::Row;
        use uuid::Uuid;

        use super::*;
        use crate::types::{from_us, to_us};

        super::rows::row_decoders!($row);

        #[async_trait::async_trait]
        impl Domain for $store {
            async fn upsert_communities(&self, rows: &[CommunityRow]) -> Result<(), Error> {
                let mut tx = self.begin_write().await?;
                for c in rows {
                    sqlx::query(crate::sql!($db, "INSERT INTO communities (name, aliases, latitude, longitude, coord_source) VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (name) DO UPDATE SET aliases = excluded.aliases, latitude = excluded.latitude, \
                         longitude = excluded.longitude, coord_source = excluded.coord_source"))
                        .bind(&c.name)
                        .bind(c.aliases.join("; "))
                        .bind(c.latitude)
                        .bind(c.longitude)
                        .bind(&c.coord_source)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn communities(&self) -> Result<Vec<CommunityRow>, Error> {
                let rows =
                    sqlx::query(crate::sql!($db, "SELECT name, aliases, latitude, longitude, coord_source FROM communities ORDER BY name"))
                        .fetch_all(&self.$read)
                        .await?;
                rows.iter().map(community).collect()
            }

            async fn insert_transactions(&self, rows: &[TransactionRow]) -> Result<u64, Error> {
                let mut tx = self.begin_write().await?;
                let mut inserted = 0;
                for t in rows {
                    let done = sqlx::query(
                        crate::sql!($db, "INSERT INTO transactions (txn_id, date, community, building, property_type, bedrooms, size_sqft, price_aed, offplan, bulk, source) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (txn_id) DO NOTHING"),
                    )
                    .bind(&t.txn_id)
                    .bind(t.date.format("%Y-%m-%d").to_string())
                    .bind(&t.community)
                    .bind(&t.building)
                    .bind(&t.property_type)
                    .bind(t.bedrooms)
                    .bind(t.size_sqft)
                    .bind(t.price_aed)
                    .bind(t.offplan)
                    .bind(t.bulk)
                    .bind(&t.source)
                    .execute(&mut *tx)
                    .await?;
                    inserted += done.rows_affected();
                }
                tx.commit().await?;
                Ok(inserted)
            }

            async fn transactions(&self) -> Result<Vec<TransactionRow>, Error> {
                let rows = sqlx::query(
                    crate::sql!($db, "SELECT txn_id, date, community, building, property_type, bedrooms, size_sqft, price_aed, offplan, bulk, source FROM transactions ORDER BY date, txn_id"),
                )
                .fetch_all(&self.$read)
                .await?;
                rows.iter().map(transaction).collect()
            }

            async fn count_transactions(&self) -> Result<u64, Error> {
                let n: i64 = sqlx::query_scalar(crate::sql!($db, "SELECT COUNT(*) FROM transactions")).fetch_one(&self.$read).await?;
                Ok(n as u64)
            }

            async fn upsert_snapshots(&self, rows: &[SnapshotRow]) -> Result<(), Error> {
                let mut tx = self.begin_write().await?;
                for s in rows {
                    sqlx::query(crate::sql!($db, "INSERT INTO market_snapshots (community, property_type, month, median_psf, volume) VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (community, property_type, month) DO UPDATE SET median_psf = excluded.median_psf, volume = excluded.volume"))
                        .bind(&s.community)
                        .bind(&s.property_type)
                        .bind(&s.month)
                        .bind(s.median_psf)
                        .bind(s.volume)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn snapshots(&self, community: Option<&str>, property_type: Option<&str>) -> Result<Vec<SnapshotRow>, Error> {
                let rows: Vec<(String, String, String, f64, i32)> = sqlx::query_as(
                    crate::sql!($db, "SELECT community, property_type, month, median_psf, volume FROM market_snapshots \
                     WHERE ($1::text IS NULL OR community = $1) AND ($2::text IS NULL OR property_type = $2) ORDER BY community, property_type, month"),
                )
                .bind(community)
                .bind(property_type)
                .fetch_all(&self.$read)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(community, property_type, month, median_psf, volume)| SnapshotRow {
                        community,
                        property_type,
                        month,
                        median_psf,
                        volume,
                    })
                    .collect())
            }

            async fn create_property(&self, p: &PropertyRecord) -> Result<(), Error> {
                sqlx::query(crate::sql!($db, "INSERT INTO properties (", PROPERTY_COLUMNS, ") VALUES ($1, $2, $3, $4, $5, $6, $7)"))
                    .bind(p.id)
                    .bind(&p.owner_id)
                    .bind(&p.team_id)
                    .bind(&p.reference)
                    .bind(Json(&p.body))
                    .bind(to_us(p.created_at))
                    .bind(to_us(p.updated_at))
                    .execute(&self.$write)
                    .await
                    .map_err(|e| unique(e, || format!("you already have a property with reference `{}`", p.reference)))?;
                Ok(())
            }

            async fn property(&self, id: Uuid) -> Result<Option<PropertyRecord>, Error> {
                let row = sqlx::query(crate::sql!($db, "SELECT ", PROPERTY_COLUMNS, " FROM properties WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&self.$read)
                    .await?;
                row.as_ref().map(property).transpose()
            }

            async fn properties_by_reference(
                &self,
                reference: &str,
                owner_id: Option<&str>,
            ) -> Result<Vec<PropertyRecord>, Error> {
                let rows = sqlx::query(crate::sql!($db, "SELECT ", PROPERTY_COLUMNS, " FROM properties WHERE reference = $1 AND ($2::text IS NULL OR owner_id = $2) ORDER BY created_at_us"))
                .bind(reference)
                .bind(owner_id)
                .fetch_all(&self.$read)
                .await?;
                rows.iter().map(property).collect()
            }

            async fn list_properties(
                &self,
                owner_id: Option<&str>,
                team_id: Option<&str>,
                limit: u32,
            ) -> Result<Vec<PropertyRecord>, Error> {
                let rows = sqlx::query(crate::sql!($db, "SELECT ", PROPERTY_COLUMNS, " FROM properties WHERE ($1::text IS NULL OR owner_id = $1) AND ($2::text IS NULL OR team_id = $2) \
                     ORDER BY created_at_us DESC LIMIT $3"))
                .bind(owner_id)
                .bind(team_id)
                .bind(limit.clamp(1, 1000) as i64)
                .fetch_all(&self.$read)
                .await?;
                rows.iter().map(property).collect()
            }

            async fn update_property(
                &self,
                id: Uuid,
                reference: &str,
                body: &Value,
                now: Timestamp,
            ) -> Result<PropertyRecord, Error> {
                let row = sqlx::query(crate::sql!($db, "UPDATE properties SET reference = $1, body = $2, updated_at_us = $3 WHERE id = $4 RETURNING ", PROPERTY_COLUMNS))
                .bind(reference)
                .bind(Json(body))
                .bind(to_us(now))
                .bind(id)
                .fetch_optional(&self.$write)
                .await
                .map_err(|e| unique(e, || format!("you already have a property with reference `{reference}`")))?
                .ok_or_else(|| Error::NotFound(format!("property {id}")))?;
                property(&row)
            }

            async fn delete_property(&self, id: Uuid) -> Result<(), Error> {
                let done = sqlx::query(crate::sql!($db, "DELETE FROM properties WHERE id = $1")).bind(id).execute(&self.$write).await?;
                if done.rows_affected() == 0 {
                    return Err(Error::NotFound(format!("property {id}")));
                }
                Ok(())
            }

            async fn add_property_photo(
                &self,
                p: &PropertyPhoto,
                bytes: &[u8],
                max_photos: u32,
            ) -> Result<PhotoAdded, Error> {
                let mut tx = self.begin_write().await?;
                // Holding the property's row serialises uploads to one property on PostgreSQL (SQLite
                // has one writer), so the count below cannot be passed by a concurrent upload.
                let found: Option<Uuid> = sqlx::query_scalar(crate::sql!($db, "SELECT id FROM properties WHERE id = $1 FOR UPDATE"))
                    .bind(p.property_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                if found.is_none() {
                    return Err(Error::NotFound(format!("property {}", p.property_id)));
                }
                let (count, last): (i64, Option<i32>) =
                    sqlx::query_as(crate::sql!($db, "SELECT COUNT(*), MAX(position) FROM property_photos WHERE property_id = $1"))
                        .bind(p.property_id)
                        .fetch_one(&mut *tx)
                        .await?;
                if count >= i64::from(max_photos) {
                    return Ok(PhotoAdded::Full);
                }
                // Returned as it will be read back: the time at the stored (microsecond) precision.
                let stored =
                    PropertyPhoto { position: last.unwrap_or(0) + 1, created_at: from_us(to_us(p.created_at)), ..p.clone() };
                sqlx::query(crate::sql!($db, "INSERT INTO property_photos (", PHOTO_COLUMNS, ", bytes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"))
                    .bind(stored.id)
                    .bind(stored.property_id)
                    .bind(stored.position)
                    .bind(&stored.content_type)
                    .bind(stored.width)
                    .bind(stored.height)
                    .bind(stored.size_bytes)
                    .bind(&stored.sha256)
                    .bind(&stored.caption)
                    .bind(&stored.uploaded_by)
                    .bind(to_us(stored.created_at))
                    .bind(bytes)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(PhotoAdded::Added(stored))
            }

            async fn property_photos(&self, property_id: Uuid) -> Result<Vec<PropertyPhoto>, Error> {
                let rows = sqlx::query(crate::sql!($db, "SELECT ", PHOTO_COLUMNS, " FROM property_photos WHERE property_id = $1 ORDER BY position"))
                    .bind(property_id)
                    .fetch_all(&self.$read)
                    .await?;
                rows.iter().map(photo).collect()
            }

            async fn property_photo(&self, property_id: Uuid, id: Uuid) -> Result<Option<(PropertyPhoto, Vec<u8>)>, Error> {
                let row = sqlx::query(crate::sql!($db, "SELECT ", PHOTO_COLUMNS, ", bytes FROM property_photos WHERE property_id = $1 AND id = $2"))
                    .bind(property_id)
                    .bind(id)
                    .fetch_optional(&self.$read)
                    .await?;
                let Some(r) = row else { return Ok(None) };
                Ok(Some((photo(&r)?, r.try_get("bytes")?)))
            }

            async fn delete_property_photo(&self, property_id: Uuid, id: Uuid) -> Result<(), Error> {
                let done = sqlx::query(crate::sql!($db, "DELETE FROM property_photos WHERE property_id = $1 AND id = $2"))
                    .bind(property_id)
                    .bind(id)
                    .execute(&self.$write)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err(Error::NotFound(format!("photo {id}")));
                }
                Ok(())
            }

            async fn put_artifact(&self, a: &Artifact, bytes: &[u8]) -> Result<(), Error> {
                sqlx::query(
                    crate::sql!($db, "INSERT INTO artifacts (id, owner_id, team_id, kind, filename, content_type, size_bytes, sha256, bytes, created_at_us) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"),
                )
                .bind(a.id)
                .bind(&a.owner_id)
                .bind(&a.team_id)
                .bind(&a.kind)
                .bind(&a.filename)
                .bind(&a.content_type)
                .bind(a.size_bytes)
                .bind(&a.sha256)
                .bind(bytes)
                .bind(to_us(a.created_at))
                .execute(&self.$write)
                .await?;
                Ok(())
            }

            async fn artifact(&self, id: Uuid) -> Result<Option<(Artifact, Vec<u8>)>, Error> {
                let Some(r) = sqlx::query(
                    crate::sql!($db, "SELECT id, owner_id, team_id, kind, filename, content_type, size_bytes, sha256, bytes, created_at_us FROM artifacts WHERE id = $1"),
                )
                .bind(id)
                .fetch_optional(&self.$read)
                .await?
                else {
                    return Ok(None);
                };
                let a = Artifact {
                    id: r.try_get("id")?,
                    owner_id: r.try_get("owner_id")?,
                    team_id: r.try_get("team_id")?,
                    kind: r.try_get("kind")?,
                    filename: r.try_get("filename")?,
                    content_type: r.try_get("content_type")?,
                    size_bytes: r.try_get("size_bytes")?,
                    sha256: r.try_get("sha256")?,
                    created_at: from_us(r.try_get("created_at_us")?),
                };
                Ok(Some((a, r.try_get("bytes")?)))
            }

            async fn create_cma_report(&self, r: &CmaReportRecord) -> Result<(), Error> {
                sqlx::query(crate::sql!($db, "INSERT INTO cma_reports (", REPORT_COLUMNS, ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"))
                .bind(r.id)
                .bind(&r.owner_id)
                .bind(&r.team_id)
                .bind(r.property_id)
                .bind(r.execution_id)
                .bind(&r.status)
                .bind(Json(&r.request))
                .bind(r.result.as_ref().map(Json))
                .bind(&r.error)
                .bind(r.pdf_artifact_id)
                .bind(to_us(r.created_at))
                .bind(to_us(r.updated_at))
                .execute(&self.$write)
                .await?;
                Ok(())
            }

            async fn finish_cma_report(
                &self,
                id: Uuid,
                status: &str,
                result: Option<&Value>,
                error: Option<&str>,
                pdf: Option<Uuid>,
                now: Timestamp,
            ) -> Result<(), Error> {
                let done = sqlx::query(crate::sql!($db, "UPDATE cma_reports SET status = $1, result = $2, error = $3, pdf_artifact_id = $4, updated_at_us = $5 WHERE id = $6"))
                    .bind(status)
                    .bind(result.map(Json))
                    .bind(error)
                    .bind(pdf)
                    .bind(to_us(now))
                    .bind(id)
                    .execute(&self.$write)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err(Error::NotFound(format!("CMA report {id}")));
                }
                Ok(())
            }

            async fn set_cma_report_execution(&self, id: Uuid, execution_id: Uuid) -> Result<(), Error> {
                sqlx::query(crate::sql!($db, "UPDATE cma_reports SET execution_id = $1 WHERE id = $2"))
                    .bind(execution_id)
                    .bind(id)
                    .execute(&self.$write)
                    .await?;
                Ok(())
            }

            async fn cma_report(&self, id: Uuid) -> Result<Option<CmaReportRecord>, Error> {
                let row = sqlx::query(crate::sql!($db, "SELECT ", REPORT_COLUMNS, " FROM cma_reports WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&self.$read)
                    .await?;
                row.as_ref().map(report).transpose()
            }

            async fn upsert_template(&self, t: &TemplateRecord) -> Result<(), Error> {
                sqlx::query(
                    crate::sql!($db, "INSERT INTO marketing_templates (name, category, channel, market, compliance_status, customizable_fields, content, source, created_by, created_at_us, updated_at_us) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (name) DO UPDATE SET category = excluded.category, channel = excluded.channel, \
                     market = excluded.market, compliance_status = excluded.compliance_status, customizable_fields = excluded.customizable_fields, \
                     content = excluded.content, source = excluded.source, created_by = excluded.created_by, updated_at_us = excluded.updated_at_us \
                     WHERE marketing_templates.source = 'builtin' OR excluded.source = 'custom'"),
                )
                .bind(&t.name)
                .bind(&t.category)
                .bind(&t.channel)
                .bind(&t.market)
                .bind(&t.compliance_status)
                .bind(Json(&t.customizable_fields))
                .bind(&t.content)
                .bind(&t.source)
                .bind(&t.created_by)
                .bind(to_us(t.created_at))
                .bind(to_us(t.updated_at))
                .execute(&self.$write)
                .await?;
                Ok(())
            }

            async fn template(&self, name: &str) -> Result<Option<TemplateRecord>, Error> {
                let row = sqlx::query(crate::sql!($db, "SELECT ", TEMPLATE_COLUMNS, " FROM marketing_templates WHERE name = $1"))
                    .bind(name)
                    .fetch_optional(&self.$read)
                    .await?;
                row.as_ref().map(template).transpose()
            }

            async fn list_templates(&self, category: Option<&str>, market: Option<&str>) -> Result<Vec<TemplateRecord>, Error> {
                let rows = sqlx::query(crate::sql!($db, "SELECT ", TEMPLATE_COLUMNS, " FROM marketing_templates WHERE ($1::text IS NULL OR category = $1) AND ($2::text IS NULL OR market = $2) ORDER BY name"))
                    .bind(category)
                    .bind(market)
                    .fetch_all(&self.$read)
                    .await?;
                rows.iter().map(template).collect()
            }

            async fn create_campaign(&self, c: &CampaignRecord) -> Result<(), Error> {
                sqlx::query(crate::sql!($db, "INSERT INTO campaigns (", CAMPAIGN_COLUMNS, ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"))
                .bind(c.id)
                .bind(&c.owner_id)
                .bind(&c.team_id)
                .bind(c.property_id)
                .bind(&c.campaign_type)
                .bind(&c.status)
                .bind(Json(&c.request))
                .bind(Json(&c.assets))
                .bind(&c.execution_id)
                .bind(&c.error)
                .bind(to_us(c.created_at))
                .bind(to_us(c.updated_at))
                .execute(&self.$write)
                .await?;
                Ok(())
            }

            async fn campaign(&self, id: Uuid) -> Result<Option<CampaignRecord>, Error> {
                let row = sqlx::query(crate::sql!($db, "SELECT ", CAMPAIGN_COLUMNS, " FROM campaigns WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&self.$read)
                    .await?;
                row.as_ref().map(campaign).transpose()
            }

            async fn finish_campaign_generation(
                &self,
                id: Uuid,
                status: &str,
                assets: &Value,
                error: Option<&str>,
                now: Timestamp,
            ) -> Result<(), Error> {
                sqlx::query(crate::sql!($db, "UPDATE campaigns SET status = $1, assets = $2, error = $3, updated_at_us = $4 WHERE id = $5 AND status = 'processing'"))
                    .bind(status)
                    .bind(Json(assets))
                    .bind(error)
                    .bind(to_us(now))
                    .bind(id)
                    .execute(&self.$write)
                    .await?;
                Ok(())
            }

            async fn set_campaign_execution(&self, id: Uuid, execution_id: &str) -> Result<(), Error> {
                sqlx::query(crate::sql!($db, "UPDATE campaigns SET execution_id = $1 WHERE id = $2"))
                    .bind(execution_id)
                    .bind(id)
                    .execute(&self.$write)
                    .await?;
                Ok(())
            }

            async fn add_campaign_event(&self, e: &CampaignEvent) -> Result<(), Error> {
                sqlx::query(crate::sql!($db, "INSERT INTO campaign_events (campaign_id, at_us, kind, channel, count, detail) VALUES ($1, $2, $3, $4, $5, $6)"))
                    .bind(e.campaign_id)
                    .bind(to_us(e.at))
                    .bind(&e.kind)
                    .bind(&e.channel)
                    .bind(e.count)
                    .bind(e.detail.as_ref().map(Json))
                    .execute(&self.$write)
                    .await?;
                Ok(())
            }

            async fn campaign_event_totals(&self, campaign_id: Uuid) -> Result<Vec<(String, Option<String>, i64)>, Error> {
                Ok(sqlx::query_as(crate::sql!($db, "SELECT kind, channel, SUM(count)::int8 FROM campaign_events WHERE campaign_id = $1 GROUP BY kind, channel ORDER BY kind, channel"))
                    .bind(campaign_id)
                    .fetch_all(&self.$read)
                    .await?)
            }

            async fn list_campaigns(
                &self,
                owner_id: Option<&str>,
                team_id: Option<&str>,
                limit: u32,
            ) -> Result<Vec<CampaignRecord>, Error> {
                let rows = sqlx::query(crate::sql!($db, "SELECT ", CAMPAIGN_COLUMNS, " FROM campaigns WHERE ($1::text IS NULL OR owner_id = $1) AND ($2::text IS NULL OR team_id = $2) ORDER BY created_at_us DESC LIMIT $3"))
                    .bind(owner_id)
                    .bind(team_id)
                    .bind(limit.clamp(1, 1000) as i64)
                    .fetch_all(&self.$read)
                    .await?;
                rows.iter().map(campaign).collect()
            }

            async fn transition_campaign(
                &self,
                id: Uuid,
                from: &str,
                to: &str,
                actor_id: &str,
                action: &str,
                notes: Option<&str>,
                now: Timestamp,
            ) -> Result<(), Error> {
                let mut tx = self.begin_write().await?;
                let done = sqlx::query(crate::sql!($db, "UPDATE campaigns SET status = $1, updated_at_us = $2 WHERE id = $3 AND status = $4"))
                    .bind(to)
                    .bind(to_us(now))
                    .bind(id)
                    .bind(from)
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err(Error::Conflict(format!("campaign {id} is no longer {from}")));
                }
                sqlx::query(crate::sql!($db, "INSERT INTO marketing_approvals (campaign_id, at_us, actor_id, action, from_status, to_status, notes) VALUES ($1, $2, $3, $4, $5, $6, $7)"))
                    .bind(id)
                    .bind(to_us(now))
                    .bind(actor_id)
                    .bind(action)
                    .bind(from)
                    .bind(to)
                    .bind(notes)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn approvals(&self, campaign_id: Uuid) -> Result<Vec<ApprovalRecord>, Error> {
                let rows = sqlx::query(crate::sql!($db, "SELECT id, campaign_id, at_us, actor_id, action, from_status, to_status, notes FROM marketing_approvals WHERE campaign_id = $1 ORDER BY id"))
                    .bind(campaign_id)
                    .fetch_all(&self.$read)
                    .await?;
                rows.iter()
                    .map(|r| {
                        Ok(ApprovalRecord {
                            id: r.try_get("id")?,
                            campaign_id: r.try_get("campaign_id")?,
                            at: from_us(r.try_get("at_us")?),
                            actor_id: r.try_get("actor_id")?,
                            action: r.try_get("action")?,
                            from_status: r.try_get("from_status")?,
                            to_status: r.try_get("to_status")?,
                            notes: r.try_get("notes")?,
                        })
                    })
                    .collect()
            }

            async fn create_social_posts(&self, posts: &[SocialPostRecord]) -> Result<(), Error> {
                let mut tx = self.begin_write().await?;
                for p in posts {
                    sqlx::query(crate::sql!($db, "INSERT INTO social_posts (", POST_COLUMNS, ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"))
                    .bind(p.id)
                    .bind(&p.owner_id)
                    .bind(&p.team_id)
                    .bind(p.property_id)
                    .bind(&p.platform)
                    .bind(&p.post_type)
                    .bind(&p.status)
                    .bind(&p.text)
                    .bind(Json(&p.hashtags))
                    .bind(p.scheduled_at.map(to_us))
                    .bind(to_us(p.created_at))
                    .bind(to_us(p.updated_at))
                    .bind(p.image_artifact_id)
                    .bind(p.social_campaign_id)
                    .bind(&p.theme)
                    .bind(p.execution_id)
                    .bind(p.published_at.map(to_us))
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn social_post(&self, id: Uuid) -> Result<Option<SocialPostRecord>, Error> {
                let row = sqlx::query(crate::sql!($db, "SELECT ", POST_COLUMNS, " FROM social_posts WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&self.$read)
                    .await?;
                row.as_ref().map(social_post).transpose()
            }

            async fn list_social_posts(
                &self,
                owner_id: Option<&str>,
                team_id: Option<&str>,
                limit: u32,
            ) -> Result<Vec<SocialPostRecord>, Error> {
                let rows = sqlx::query(crate::sql!($db, "SELECT ", POST_COLUMNS, " FROM social_posts WHERE ($1::text IS NULL OR owner_id = $1) AND ($2::text IS NULL OR team_id = $2) ORDER BY created_at_us DESC LIMIT $3"))
                    .bind(owner_id)
                    .bind(team_id)
                    .bind(limit.clamp(1, 1000) as i64)
                    .fetch_all(&self.$read)
                    .await?;
                rows.iter().map(social_post).collect()
            }

            async fn schedule_social_post(
                &self,
                id: Uuid,
                expected_status: &str,
                at: Timestamp,
                now: Timestamp,
            ) -> Result<SocialPostRecord, Error> {
                let row = sqlx::query(crate::sql!($db, "UPDATE social_posts SET status = 'scheduled', scheduled_at_us = $1, updated_at_us = $2 \
                     WHERE id = $3 AND status = $4 RETURNING ", POST_COLUMNS))
                .bind(to_us(at))
                .bind(to_us(now))
                .bind(id)
                .bind(expected_status)
                .fetch_optional(&self.$write)
                .await?
                .ok_or_else(|| Error::Conflict(format!("post {id} is no longer {expected_status}")))?;
                social_post(&row)
            }

            async fn set_social_post_execution(&self, id: Uuid, execution_id: Uuid) -> Result<(), Error> {
                sqlx::query(crate::sql!($db, "UPDATE social_posts SET execution_id = $1 WHERE id = $2"))
                    .bind(execution_id)
                    .bind(id)
                    .execute(&self.$write)
                    .await?;
                Ok(())
            }

            async fn publish_social_post(&self, id: Uuid, now: Timestamp) -> Result<SocialPostRecord, Error> {
                let row = sqlx::query(crate::sql!($db, "UPDATE social_posts SET status = 'published', published_at_us = $1, updated_at_us = $2 \
                     WHERE id = $3 AND status = 'scheduled' RETURNING ", POST_COLUMNS))
                .bind(to_us(now))
                .bind(to_us(now))
                .bind(id)
                .fetch_optional(&self.$write)
                .await?
                .ok_or_else(|| Error::Conflict(format!("post {id} is not scheduled")))?;
                social_post(&row)
            }

            async fn social_calendar(
                &self,
                owner_id: Option<&str>,
                team_id: Option<&str>,
                from: Timestamp,
                to: Timestamp,
            ) -> Result<Vec<SocialPostRecord>, Error> {
                let rows = sqlx::query(crate::sql!($db, "SELECT ", POST_COLUMNS, " FROM social_posts WHERE ($1::text IS NULL OR owner_id = $1) \
                     AND ($2::text IS NULL OR team_id = $2) AND status IN ('scheduled', 'published') \
                     AND scheduled_at_us >= $3 AND scheduled_at_us < $4 ORDER BY scheduled_at_us LIMIT 2000"))
                .bind(owner_id)
                .bind(team_id)
                .bind(to_us(from))
                .bind(to_us(to))
                .fetch_all(&self.$read)
                .await?;
                rows.iter().map(social_post).collect()
            }

            async fn update_social_post(
                &self,
                id: Uuid,
                expected_status: &str,
                text: &str,
                hashtags: &Value,
                status: &str,
                now: Timestamp,
            ) -> Result<SocialPostRecord, Error> {
                let row = sqlx::query(crate::sql!($db, "UPDATE social_posts SET text = $1, hashtags = $2, status = $3, updated_at_us = $4 WHERE id = $5 AND status = $6 RETURNING ", POST_COLUMNS))
                .bind(text)
                .bind(Json(hashtags))
                .bind(status)
                .bind(to_us(now))
                .bind(id)
                .bind(expected_status)
                .fetch_optional(&self.$write)
                .await?
                .ok_or_else(|| Error::Conflict(format!("post {id} is no longer {expected_status}")))?;
                social_post(&row)
            }

            async fn list_cma_reports(
                &self,
                owner_id: Option<&str>,
                team_id: Option<&str>,
                limit: u32,
            ) -> Result<Vec<CmaReportRecord>, Error> {
                let rows = sqlx::query(crate::sql!($db, "SELECT ", REPORT_COLUMNS, " FROM cma_reports WHERE ($1::text IS NULL OR owner_id = $1) AND ($2::text IS NULL OR team_id = $2) \
                     ORDER BY created_at_us DESC LIMIT $3"))
                .bind(owner_id)
                .bind(team_id)
                .bind(limit.clamp(1, 1000) as i64)
                .fetch_all(&self.$read)
                .await?;
                rows.iter().map(report).collect()
            }

            async fn brokerage_settings(&self) -> Result<Option<BrokerageSettingsRecord>, Error> {
                let row =
                    sqlx::query(crate::sql!($db, "SELECT body, demo, version, updated_by, updated_at_us FROM brokerage_settings WHERE id = 1"))
                        .fetch_optional(&self.$read)
                        .await?;
                let Some(r) = row else { return Ok(None) };
                let body: Json<Value> = r.try_get("body")?;
                Ok(Some(BrokerageSettingsRecord {
                    body: body.0,
                    demo: r.try_get("demo")?,
                    version: r.try_get("version")?,
                    updated_by: r.try_get("updated_by")?,
                    updated_at: from_us(r.try_get("updated_at_us")?),
                }))
            }

            async fn save_brokerage_settings(
                &self,
                body: &Value,
                demo: bool,
                expected: Option<i64>,
                updated_by: Option<&str>,
                now: Timestamp,
            ) -> Result<BrokerageSettingsRecord, Error> {
                let result = match expected {
                    None => sqlx::query(crate::sql!($db, "INSERT INTO brokerage_settings (id, body, demo, version, updated_by, updated_at_us) VALUES (1, $1, $2, 1, $3, $4) ON CONFLICT (id) DO NOTHING"))
                        .bind(Json(body))
                        .bind(demo)
                        .bind(updated_by)
                        .bind(to_us(now))
                        .execute(&self.$write)
                        .await?,
                    Some(v) => sqlx::query(crate::sql!($db, "UPDATE brokerage_settings SET body = $1, demo = $2, version = version + 1, updated_by = $3, updated_at_us = $4 WHERE id = 1 AND version = $5"))
                        .bind(Json(body))
                        .bind(demo)
                        .bind(updated_by)
                        .bind(to_us(now))
                        .bind(v)
                        .execute(&self.$write)
                        .await?,
                };
                if result.rows_affected() == 0 {
                    return Err(Error::Conflict("the brokerage settings were changed by another save".into()));
                }
                Ok(BrokerageSettingsRecord {
                    body: body.clone(),
                    demo,
                    version: expected.map_or(1, |v| v + 1),
                    updated_by: updated_by.map(str::to_string),
                    updated_at: now,
                })
            }
        }
    };
}
pub(super) use domain_impl;
