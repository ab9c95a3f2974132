//! AURA valuation engine: comparative market analysis (CMA) for Dubai residential property from DLD sales.
//!
//! Pure code: no file or network I/O, no clock, no randomness; callers pass CSV text and dates.
//!
//! ```text
//! let (txns, _) = parse_transactions(include_str!("seeds/transactions.csv"));
//! let (comms, _) = parse_communities(include_str!("seeds/communities.csv"));
//! let market = Market::new(txns, comms);
//! let v = market.value(&subject, &Options::default())?;
//! let p = market.pricing(&v, Some(asking));
//! let t = market.trends("JVC", PropertyType::Apartment, 6)?;
//! ```

pub mod adjust;
pub mod community;
pub mod comparables;
pub mod data;
pub mod error;
pub mod eval;
pub mod forecast;
pub mod hedonic;
pub mod index;
pub mod market;
pub mod pricing;
pub mod stats;
pub mod trends;
pub mod value;

pub use adjust::{Adjustment, AdjustmentKind, Calibration};
pub use community::{MatchKind, Resolution};
pub use data::{parse_communities, parse_transactions, Community, PropertyType, RowError, Transaction};
pub use error::ValuationError;
pub use eval::{evaluate, evaluate_with, EvalConfig, EvalReport, Metrics};
pub use forecast::{Forecast, ForecastPoint};
pub use hedonic::{Hedonic, HedonicConfig};
pub use index::MonthPoint;
pub use market::Market;
pub use pricing::{AskingAssessment, PricePoint, PricingRecommendation};
pub use trends::Trends;
pub use value::{ComparableUsed, Estimator, Method, Options, Subject, Valuation};

#[cfg(test)]
mod tests;
