//! The route table's handlers. Each module owns one router of the seed's API; access control is
//! applied to all of them by `auth::authorize` from `spec::ROUTES`.

#[macro_use]
mod records;

mod analytics;
pub(crate) mod auth;
mod campaigns;
mod clients;
mod cma;
mod health;
pub(crate) mod leads;
mod marketing;
pub(crate) mod properties;
mod property_photos;
mod settings;
mod social;
mod system;
mod users;
mod workflows;

use axum::Router;

use crate::contract::Contract;
use crate::AppState;

/// Every module's contracts (see [`crate::contract`]).
pub(crate) static CONTRACTS: &[&[Contract]] = &[
    health::CONTRACTS,
    system::CONTRACTS,
    auth::CONTRACTS,
    users::CONTRACTS,
    settings::CONTRACTS,
    properties::CONTRACTS,
    property_photos::CONTRACTS,
    cma::CONTRACTS,
    analytics::CONTRACTS,
    marketing::CONTRACTS,
    campaigns::CONTRACTS,
    social::CONTRACTS,
    leads::CONTRACTS,
    clients::CONTRACTS,
    workflows::CONTRACTS,
];

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .merge(health::router())
        .merge(system::router())
        .nest("/auth", auth::router())
        .nest("/api/v1/auth", auth::router())
        .nest("/api/v1", users::router())
        .nest("/api/v1", settings::router())
        .nest("/api/v1", properties::router())
        .nest("/api/v1", property_photos::router())
        .nest("/api/v1", cma::router())
        .nest("/api/v1", analytics::router())
        .nest("/api/v1", marketing::router())
        .nest("/api/v1", marketing::templates_router())
        .nest("/api/v1", campaigns::router())
        .nest("/api/v1", social::router())
        .nest("/api/v1", leads::router())
        .nest("/api/v1", clients::router())
        .nest("/api/v1/workflows", workflows::router())
        .fallback(|| async { crate::ApiError::not_found("route") })
}
