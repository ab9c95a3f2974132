//! Background upkeep: failing steps whose worker vanished on their last attempt, and deleting
//! finished executions past the retention age, in small batches.

use std::sync::Arc;
use std::time::Duration;

use store::Store;
use tokio_util::sync::CancellationToken;

use crate::clock::Clock;

/// Executions deleted per transaction, so retention never holds long locks.
pub const RETENTION_BATCH: u32 = 500;

#[derive(Debug, Clone)]
pub struct MaintenanceConfig {
    pub interval: Duration,
    /// Finished executions older than this are deleted; `None` keeps everything.
    pub retention: Option<Duration>,
}

pub async fn run_maintenance(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    cfg: MaintenanceConfig,
    shutdown: CancellationToken,
) {
    loop {
        match store.fail_exhausted(clock.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::warn!(steps = n, "failed steps whose lease expired on their last attempt"),
            Err(e) => tracing::warn!(error = %e, "lease sweep failed"),
        }
        if let Some(age) = cfg.retention {
            let cutoff = clock.now() - chrono::Duration::from_std(age).unwrap_or(chrono::Duration::MAX);
            match delete_expired(store.as_ref(), cutoff).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(executions = n, "retention deleted finished executions"),
                Err(e) => tracing::warn!(error = %e, "retention failed"),
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(cfg.interval) => {}
            _ = shutdown.cancelled() => return,
        }
    }
}

/// Deletes in batches until a batch comes back short.
pub async fn delete_expired(store: &dyn Store, cutoff: store::Timestamp) -> Result<u64, store::Error> {
    let mut total = 0;
    loop {
        let n = store.delete_finished_before(cutoff, RETENTION_BATCH).await?;
        total += n;
        if n < RETENTION_BATCH as u64 {
            return Ok(total);
        }
    }
}
