//! Cron schedules declared in packages: each tick starts one execution, exactly once across all
//! nodes (the store's `schedule_ticks` primary key decides which node wins).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use store::{NewExecution, Store, Timestamp};
use tokio_util::sync::CancellationToken;

use crate::clock::Clock;

/// Checks every active package's schedules every `interval` until `shutdown`.
pub async fn run_schedules(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    interval: Duration,
    shutdown: CancellationToken,
) {
    // Ticks before this process started are not back-filled, except the latest one after the
    // last recorded tick (a node that was down fires what it missed once).
    let started = clock.now();
    let mut checked: HashMap<(String, String), Timestamp> = HashMap::new();
    loop {
        if let Err(e) = check_once(store.as_ref(), clock.as_ref(), started, &mut checked).await {
            tracing::warn!(error = %e, "schedule check failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = shutdown.cancelled() => return,
        }
    }
}

/// One pass over all enabled schedules; returns how many executions this node started.
pub async fn check_once(
    store: &dyn Store,
    clock: &dyn Clock,
    started: Timestamp,
    checked: &mut HashMap<(String, String), Timestamp>,
) -> Result<usize, store::Error> {
    let mut fired = 0;
    let mut packages: HashMap<String, Option<(i32, std::sync::Arc<engine::Package>)>> = HashMap::new();
    for schedule in store.list_schedules().await?.into_iter().filter(|s| s.enabled) {
        if !packages.contains_key(&schedule.package_name) {
            let latest = store.package(&schedule.package_name, None).await?;
            packages.insert(schedule.package_name.clone(), latest);
        }
        // A deactivated package's schedules wait until it is active again.
        let Some(Some((version, package))) = packages.get(&schedule.package_name).cloned() else { continue };
        let cron = match engine::schedule::CronSchedule::parse(&schedule.cron, Some(&schedule.timezone)) {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(package = %schedule.package_name, schedule = %schedule.name, error = %e, "stored schedule does not parse");
                continue;
            }
        };
        let key = (schedule.package_name.clone(), schedule.name.clone());
        let after = match checked.get(&key) {
            Some(t) => *t,
            None => store
                .last_schedule_tick(&schedule.package_name, &schedule.name)
                .await?
                .map_or(started, |t| t.max(started - chrono::Duration::days(1))),
        };
        let now = clock.now();
        if let Some(tick) = cron.due(after, now) {
            match package.validate_params(&schedule.params) {
                Ok(params) => {
                    let new = NewExecution {
                        package: package.clone(),
                        package_version: version,
                        params,
                        priority: 0,
                        idempotency_key: None,
                        created_by: Some(
                            schedule.created_by.clone().unwrap_or_else(|| format!("schedule:{}", schedule.name)),
                        ),
                        team_id: None,
                    };
                    if let Some(id) = store.fire_schedule(&schedule.name, tick, &new, now).await? {
                        tracing::info!(package = %package.name, schedule = %schedule.name, %tick, execution = %id, "schedule fired");
                        fired += 1;
                    }
                }
                Err(errors) => {
                    tracing::error!(package = %package.name, schedule = %schedule.name, ?errors, "schedule parameters no longer fit the package");
                }
            }
        }
        checked.insert(key, now);
    }
    Ok(fired)
}
