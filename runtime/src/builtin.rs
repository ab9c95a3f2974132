//! Handlers every AURA process has: `noop` (benchmarks, joins in a DAG) and `sleep` (a
//! cancellable wait, for tests and for modelling slow work).

use std::time::Duration;

use serde_json::{json, Value};

use crate::handler::{Registry, StepContext, StepError};

/// Longest `sleep` a step may ask for; longer waits belong in a step's durable `delay`.
const SLEEP_MS_MAX: u64 = 3_600_000;

pub(crate) fn register(r: &mut Registry) {
    r.register_fn("noop", |_ctx, _input| async { Ok(Value::Null) });
    r.register_fn("sleep", sleep);
}

async fn sleep(ctx: StepContext, input: Value) -> Result<Value, StepError> {
    let ms = input.get("ms").and_then(Value::as_u64).unwrap_or(0);
    if ms > SLEEP_MS_MAX {
        return Err(StepError::permanent(format!("sleep: ms must be at most {SLEEP_MS_MAX}")));
    }
    tokio::select! {
        _ = tokio::time::sleep(Duration::from_millis(ms)) => Ok(json!({ "slept_ms": ms })),
        _ = ctx.cancel.cancelled() => Err(StepError::retryable("sleep cancelled")),
    }
}
