//! The real-estate side of AURA: agents' properties, Dubai market data, the CMA (valuation with
//! the `valuation` engine, rendered to PDF with `documents`), and the step handlers that make
//! them durable executions.
//!
//! **Architecture invariant:** no SQL and no HTTP here: data goes through `store::domain::Domain`,
//! requests come from the `api` crate, work runs as handlers registered with the runtime.

pub mod access;
pub mod approval;
pub mod artifacts;
pub mod brokerage;
pub mod campaign;
pub mod clients;
pub mod cma;
pub mod cma_pdf;
pub mod compliance;
pub mod content;
pub mod distribution;
pub mod handlers;
pub mod leads;
pub mod listing;
pub mod mailer;
pub mod market;
pub mod photos;
pub mod print;
pub mod property;
pub mod publish;
pub mod seed;
pub mod social;
pub mod social_image;

use std::sync::Arc;

use store::domain::Domain;

/// What the handlers and the API share.
pub struct Services {
    pub domain: Arc<dyn Domain>,
    /// Leads, clients, tasks, listings, social campaigns, the outbox, deliveries.
    pub records: Arc<dyn store::records::Records>,
    /// Users: the agent a step works for (name and e-mail on the copy it writes).
    pub accounts: Arc<dyn store::accounts::Accounts>,
    /// Performance metrics, recorded as listings launch, leads move and clients are onboarded.
    pub analytics: Arc<dyn store::analytics::Analytics>,
    /// Where campaign e-mails go: SMTP when configured, the artefact outbox otherwise.
    pub mailer: std::sync::OnceLock<Arc<dyn mailer::Mailer>>,
    /// Where social posts go when their time comes: the outbox (plus a webhook, when configured).
    pub publisher: std::sync::OnceLock<Arc<dyn publish::Publisher>>,
    /// Scales the durable waits of the nurturing and onboarding packages (`AURA_TIME_SCALE`; 1 in
    /// production, small in demos and tests: time is compressed, no step is skipped).
    pub time_scale: std::sync::OnceLock<f64>,
    /// The From address of campaign e-mails (`AURA_MAIL_FROM`).
    pub mail_from: std::sync::OnceLock<String>,
    pub market: market::MarketService,
    /// The brokerage settings: name, registration numbers, disclaimers, rule strictness.
    pub brokerage: brokerage::Brokerage,
    /// An OpenAI-compatible model for copy, when configured; the templates otherwise.
    pub ai: std::sync::OnceLock<Arc<content::OpenAiGenerator>>,
    /// The time outside a step (API calls, start-up); steps read `StepContext::now`.
    pub clock: Arc<dyn runtime::Clock>,
}

/// How the services start.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The operator's settings file (`AURA_COMPLIANCE_CONFIG`), which wins over the database.
    pub settings_file: Option<compliance::Config>,
    /// Create the demo brokerage when no settings were ever saved (development installs).
    pub demo_brokerage: bool,
}

impl Services {
    /// Seeds an empty market, then builds the valuation market from the store.
    pub async fn start(stores: &store::Stores) -> Result<Arc<Services>, store::Error> {
        Self::launch(stores, Options::default()).await
    }

    /// [`start`](Self::start) with a settings file (as `AURA_COMPLIANCE_CONFIG` gives).
    pub async fn start_with(
        stores: &store::Stores,
        settings_file: compliance::Config,
    ) -> Result<Arc<Services>, store::Error> {
        Self::launch(stores, Options { settings_file: Some(settings_file), demo_brokerage: false }).await
    }

    /// Seeds an empty market and, when asked, the demo brokerage; then opens the services.
    pub async fn launch(stores: &store::Stores, options: Options) -> Result<Arc<Services>, store::Error> {
        let seeded = seed::seed_if_empty(stores.domain.as_ref()).await?;
        let demo = options.demo_brokerage && options.settings_file.is_none();
        let services = Self::open_options(stores, options).await?;
        if let Some(report) = seeded {
            tracing::info!(transactions = report.inserted, "loaded the Dubai market seed data");
            services.add_demo_properties().await?;
        }
        if demo && services.brokerage.create_demo(services.domain.as_ref(), services.now()).await? {
            tracing::warn!(
                "created the demo brokerage settings: every asset is marked \"{}\" until an admin saves the real ones (PUT /api/v1/settings/brokerage)",
                brokerage::DEMO_MARK
            );
        }
        Ok(services)
    }

    /// The demo listings of `seeds/demo_properties.csv`, owned by `system` (CLI runs find them).
    async fn add_demo_properties(&self) -> Result<(), store::Error> {
        let now = self.now();
        for input in seed::demo_properties() {
            let listing = match property::validate(&input, &|c| self.market.resolve(c), true) {
                Ok(p) => p,
                Err(e) => return Err(store::Error::Corrupt(format!("demo property: {e:?}"))),
            };
            let record = store::domain::PropertyRecord {
                id: uuid::Uuid::now_v7(),
                owner_id: "system".into(),
                team_id: None,
                reference: listing.reference().to_string(),
                body: listing.to_body(),
                created_at: now,
                updated_at: now,
            };
            match self.domain.create_property(&record).await {
                Ok(()) | Err(store::Error::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Builds the valuation market from whatever the store holds (no seeding).
    pub async fn open(stores: &store::Stores) -> Result<Arc<Services>, store::Error> {
        Self::open_options(stores, Options::default()).await
    }

    /// [`open`](Self::open) with a settings file.
    pub async fn open_with(
        stores: &store::Stores,
        settings_file: compliance::Config,
    ) -> Result<Arc<Services>, store::Error> {
        Self::open_options(stores, Options { settings_file: Some(settings_file), demo_brokerage: false }).await
    }

    async fn open_options(stores: &store::Stores, options: Options) -> Result<Arc<Services>, store::Error> {
        let domain = stores.domain.clone();
        seed_templates(domain.as_ref(), runtime::SystemClock.now()).await?;
        let market = market::MarketService::load(domain.clone()).await?;
        Ok(Arc::new(Services {
            domain,
            records: stores.records.clone(),
            accounts: stores.accounts.clone(),
            analytics: stores.analytics.clone(),
            mailer: std::sync::OnceLock::new(),
            publisher: std::sync::OnceLock::new(),
            mail_from: std::sync::OnceLock::new(),
            time_scale: std::sync::OnceLock::new(),
            market,
            brokerage: brokerage::Brokerage::new(options.settings_file),
            ai: std::sync::OnceLock::new(),
            clock: Arc::new(runtime::SystemClock),
        }))
    }

    /// The brokerage settings in force (read when asked: a save reaches every worker at once).
    pub async fn settings(&self) -> Result<brokerage::Settings, brokerage::SettingsError> {
        self.brokerage.current(self.domain.as_ref()).await
    }

    /// The configured mailer, or the outbox mailer that keeps each message as a `.eml` artefact.
    pub fn mailer(&self) -> Arc<dyn mailer::Mailer> {
        self.mailer.get_or_init(|| Arc::new(mailer::ArtifactMailer::new(self.domain.clone()))).clone()
    }

    /// Counts one `metric` for the user (a dashboard figure). Callers record once per business
    /// event (after a compare-and-set on the record's status), so a retried step does not count twice.
    /// A failure is logged, not returned: a missed count must not fail the work it counts.
    pub async fn record_metric(&self, metric: &str, user_id: Option<&str>, team_id: Option<&str>) {
        let Some(user) = user_id else { return };
        let event = store::analytics::MetricEvent::new(metric, user, team_id, 1.0, self.now());
        if let Err(e) = self.analytics.record(&event).await {
            tracing::warn!(error = %e, metric, "could not record a performance metric");
        }
    }

    /// The current time by the services' clock.
    pub fn now(&self) -> store::Timestamp {
        self.clock.now()
    }

    pub fn time_scale(&self) -> f64 {
        self.time_scale.get().copied().filter(|s| s.is_finite() && *s > 0.0).unwrap_or(1.0)
    }

    pub fn mail_from(&self) -> String {
        self.mail_from.get().cloned().unwrap_or_else(|| "AURA <no-reply@aura.localhost>".to_string())
    }

    /// The configured publisher, or the outbox without a webhook.
    pub fn publisher(&self) -> Arc<dyn publish::Publisher> {
        self.publisher.get_or_init(|| Arc::new(publish::OutboxPublisher::new(self.records.clone(), None))).clone()
    }

    /// Copy for one request: the configured model first (the seed's `ai_request_with_fallback`),
    /// the deterministic templates when no model is configured or every model failed. Either
    /// way the caller still runs the compliance checker on the result.
    pub async fn write_content(
        &self,
        templates: &content::TemplateGenerator,
        req: &content::ContentRequest,
    ) -> Result<content::GeneratedContent, content::ContentError> {
        use content::ContentGenerator;
        if let Some(ai) = self.ai.get() {
            match ai.generate(req).await {
                Ok(out) => return Ok(out),
                Err(e @ (content::ContentError::InvalidRequest(_) | content::ContentError::ProhibitedClaim(_))) => {
                    return Err(e)
                }
                Err(e) => tracing::warn!(error = %e, "AI copy failed; using the templates"),
            }
        }
        templates.write(req)
    }

    /// The template generator with the admins' templates over the built-in ones.
    pub async fn generator(&self) -> Result<content::TemplateGenerator, store::Error> {
        let custom: Vec<content::Template> = self
            .domain
            .list_templates(None, None)
            .await?
            .into_iter()
            .filter(|t| t.source == "custom")
            .filter_map(|t| {
                let category = serde_json::from_value(serde_json::json!(t.category)).ok()?;
                let fields = serde_json::from_value(t.customizable_fields).unwrap_or_default();
                Some(content::Template {
                    name: t.name,
                    category,
                    channel: t.channel,
                    market: t.market,
                    customizable_fields: fields,
                    content: t.content,
                })
            })
            .collect();
        content::TemplateGenerator::with_overrides(custom)
            .map_err(|e| store::Error::Corrupt(format!("stored template: {e}")))
    }
}

/// Keeps the built-in templates in the store in step with this build (custom ones win).
async fn seed_templates(domain: &dyn Domain, now: store::Timestamp) -> Result<(), store::Error> {
    for t in content::builtin_templates() {
        let record = store::domain::TemplateRecord {
            name: t.name.clone(),
            category: serde_json::to_value(t.category)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            channel: t.channel.clone(),
            market: t.market.clone(),
            compliance_status: "passed".into(),
            customizable_fields: serde_json::json!(t.customizable_fields),
            content: t.content.clone(),
            source: "builtin".into(),
            created_by: None,
            created_at: now,
            updated_at: now,
        };
        domain.upsert_template(&record).await?;
    }
    Ok(())
}

/// Handlers of the shipped packages, with the built-ins: the check `aura packages validate` uses.
pub fn handler_exists(name: &str) -> bool {
    handlers::all_handler_names().any(|h| h == name) || runtime::Registry::with_builtins().contains(name)
}
