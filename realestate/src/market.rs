//! The market the valuation engine works on: communities shipped with the product plus every
//! transaction in the store (seeds and imports), built once and rebuilt after an import.

use std::sync::{Arc, RwLock};

use store::domain::{Domain, TransactionRow};
use valuation::{Community, Market, MatchKind, PropertyType, Transaction};

use crate::property::CommunityMatch;

const COMMUNITIES_CSV: &str = include_str!("../../seeds/communities.csv");

pub struct MarketService {
    domain: Arc<dyn Domain>,
    market: RwLock<Arc<Market>>,
}

fn communities() -> Vec<Community> {
    let (communities, errors) = valuation::parse_communities(COMMUNITIES_CSV);
    debug_assert!(errors.is_empty(), "shipped communities must parse: {errors:?}");
    communities
}

/// Store rows to the engine's type; rows of a type the engine does not value are left out.
fn to_engine(rows: &[TransactionRow]) -> Vec<Transaction> {
    rows.iter()
        .filter_map(|r| {
            Some(Transaction {
                txn_id: r.txn_id.clone(),
                date: r.date,
                community: r.community.clone(),
                building: r.building.clone(),
                property_type: PropertyType::parse(&r.property_type)?,
                bedrooms: r.bedrooms.and_then(|b| u8::try_from(b).ok()),
                size_sqft: r.size_sqft,
                price_aed: r.price_aed,
                offplan: Some(r.offplan),
                bulk: r.bulk,
            })
        })
        .collect()
}

impl MarketService {
    /// Loads the market from the store (seed it first on an empty database).
    pub async fn load(domain: Arc<dyn Domain>) -> Result<MarketService, store::Error> {
        let market = Self::build(domain.as_ref()).await?;
        Ok(MarketService { domain, market: RwLock::new(Arc::new(market)) })
    }

    async fn build(domain: &dyn Domain) -> Result<Market, store::Error> {
        let rows = domain.transactions().await?;
        let txns = to_engine(&rows);
        // Building indexes and calibration is CPU work: keep it off the async threads.
        tokio::task::spawn_blocking(move || Market::new(txns, communities()))
            .await
            .map_err(|e| store::Error::Corrupt(format!("market build panicked: {e}")))
    }

    /// Rebuilds after new transactions were imported.
    pub async fn reload(&self) -> Result<(), store::Error> {
        let market = Self::build(self.domain.as_ref()).await?;
        *self.market.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(market);
        Ok(())
    }

    pub fn market(&self) -> Arc<Market> {
        self.market.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn domain(&self) -> &Arc<dyn Domain> {
        &self.domain
    }

    /// Community resolution as property validation needs it: only confident matches count.
    pub fn resolve(&self, text: &str) -> CommunityMatch {
        let r = self.market().resolve(text);
        match (r.match_kind, r.community) {
            (MatchKind::Exact | MatchKind::CaseInsensitive | MatchKind::Alias, Some(c)) => CommunityMatch::Found(c),
            (_, best) => {
                let mut suggestions = r.suggestions;
                if let Some(b) = best {
                    if !suggestions.contains(&b) {
                        suggestions.insert(0, b);
                    }
                }
                suggestions.truncate(5);
                CommunityMatch::Unknown { suggestions }
            }
        }
    }
}
