//! The real-estate side of AURA: agents' properties, Dubai market data, the CMA (valuation with
//! the `valuation` engine, rendered to PDF with `documents`), and the step handlers that make
//! them durable executions.
//!
//! **Architecture invariant:** no SQL and no HTTP here: data goes through `store::domain::Domain`,
//! requests come from the `api` crate, work runs as handlers registered with the runtime.

pub mod cma;
pub mod cma_pdf;
pub mod handlers;
pub mod market;
pub mod property;
pub mod seed;

use std::sync::Arc;

use store::domain::Domain;

/// What the handlers and the API share.
pub struct Services {
    pub domain: Arc<dyn Domain>,
    pub market: market::MarketService,
}

impl Services {
    /// Seeds an empty market, then builds the valuation market from the store.
    pub async fn start(domain: Arc<dyn Domain>) -> Result<Arc<Services>, store::Error> {
        if let Some(report) = seed::seed_if_empty(domain.as_ref()).await? {
            tracing::info!(transactions = report.inserted, "loaded the Dubai market seed data");
        }
        Self::open(domain).await
    }

    /// Builds the valuation market from whatever the store holds (no seeding).
    pub async fn open(domain: Arc<dyn Domain>) -> Result<Arc<Services>, store::Error> {
        let market = market::MarketService::load(domain.clone()).await?;
        Ok(Arc::new(Services { domain, market }))
    }
}

/// Handlers of the shipped packages, with the built-ins: the check `aura packages validate` uses.
pub fn handler_exists(name: &str) -> bool {
    handlers::HANDLER_NAMES.contains(&name) || runtime::Registry::with_builtins().contains(name)
}
