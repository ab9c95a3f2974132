//! Validation errors for the social content planner.

use super::platform::Platform;

/// Why a plan request was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    #[error("campaign duration must be 1 to 365 days, got {0}")]
    Duration(u32),
    #[error("at least one platform is required")]
    NoPlatforms,
    #[error("platform {0} is listed more than once")]
    DuplicatePlatform(Platform),
    #[error("posts_per_week has {got} entries but {expected} platforms were given")]
    PostsPerWeekLength { expected: usize, got: usize },
    #[error("posts per week for {platform} must be 1 to {max}, got {got}")]
    PostsPerWeek { platform: Platform, got: u32, max: u32 },
    #[error("budget must be a finite amount from 0 to {max} AED, got {got}")]
    Budget { got: f64, max: f64 },
}
