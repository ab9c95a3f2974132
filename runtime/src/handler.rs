//! Step handlers: the code a step's `handler = "…"` names, and the registry that maps names to it.
//!
//! Handlers run at least once per step (a crashed worker's step runs again elsewhere); their
//! result is checkpointed exactly once. A handler with side effects uses
//! [`StepContext::idempotency_key`] to make a repeated run harmless.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;

use serde_json::Value;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// How a handler failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    /// Worth another attempt (network, rate limit, a dependency that is down).
    #[error("{0}")]
    Retryable(String),
    /// Another attempt cannot help (invalid input, a business rule said no).
    #[error("{0}")]
    Permanent(String),
    /// Not done yet: a person, a signal or a date is awaited. The step is looked at again after
    /// `after` (or as soon as a signal reaches the execution) without spending an attempt; the
    /// reason is shown on the step while it waits.
    #[error("waiting: {reason}")]
    Wait { after: std::time::Duration, reason: String },
}

impl StepError {
    pub fn retryable(e: impl std::fmt::Display) -> StepError {
        StepError::Retryable(e.to_string())
    }
    pub fn permanent(e: impl std::fmt::Display) -> StepError {
        StepError::Permanent(e.to_string())
    }
    pub fn wait(after: std::time::Duration, reason: impl std::fmt::Display) -> StepError {
        StepError::Wait { after, reason: reason.to_string() }
    }
}

/// What a handler knows about the attempt it runs.
#[derive(Debug, Clone)]
pub struct StepContext {
    pub execution_id: Uuid,
    pub step_id: String,
    pub attempt: i32,
    /// Execution parameters (validated, defaults filled).
    pub params: Value,
    /// Outputs of the execution's succeeded steps so far, by step id.
    pub outputs: serde_json::Map<String, Value>,
    /// Cancelled when the execution is cancelled, the lease is lost, or the worker shuts down.
    pub cancel: CancellationToken,
    /// The signals posted to this execution, read on demand.
    pub signals: Signals,
    /// Who started the execution (a user id) and their team, when known.
    pub created_by: Option<String>,
    pub team_id: Option<String>,
    /// The runtime clock's time when this attempt started. Handlers read the time here, never
    /// from the wall clock, so a simulated clock drives them as it drives the store.
    pub now: store::Timestamp,
}

/// Reads the signals of one execution (`POST /executions/{id}/signal`). A handle rather than a
/// loaded list: only the steps that wait for something pay for the query.
#[derive(Clone)]
pub struct Signals {
    store: Option<Arc<dyn store::Store>>,
    execution_id: Uuid,
}

impl Signals {
    pub fn new(store: Arc<dyn store::Store>, execution_id: Uuid) -> Signals {
        Signals { store: Some(store), execution_id }
    }

    /// No signals at all: for running a handler outside a worker (tests, tools).
    pub fn none(execution_id: Uuid) -> Signals {
        Signals { store: None, execution_id }
    }

    /// Every signal of the execution, oldest first.
    pub async fn list(&self) -> Result<Vec<store::SignalRecord>, StepError> {
        match &self.store {
            Some(store) => store.signals(self.execution_id).await.map_err(StepError::retryable),
            None => Ok(Vec::new()),
        }
    }

    /// The latest signal with one of `names`, if any.
    pub async fn latest(&self, names: &[&str]) -> Result<Option<store::SignalRecord>, StepError> {
        Ok(self.list().await?.into_iter().rev().find(|s| names.contains(&s.name.as_str())))
    }
}

impl std::fmt::Debug for Signals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signals").field("execution_id", &self.execution_id).finish()
    }
}

impl StepContext {
    /// Stable across attempts of the same step of the same execution: the key for side effects.
    pub fn idempotency_key(&self) -> String {
        format!("{}:{}", self.execution_id, self.step_id)
    }
}

#[async_trait::async_trait]
pub trait Handler: Send + Sync + 'static {
    async fn run(&self, ctx: StepContext, input: Value) -> Result<Value, StepError>;
}

/// Adapts an async closure into a handler.
struct FnHandler<F>(F);

#[async_trait::async_trait]
impl<F, Fut> Handler for FnHandler<F>
where
    F: Fn(StepContext, Value) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Value, StepError>> + Send + 'static,
{
    async fn run(&self, ctx: StepContext, input: Value) -> Result<Value, StepError> {
        (self.0)(ctx, input).await
    }
}

/// Handler names to handlers. Built once at start-up, then shared read-only.
#[derive(Default, Clone)]
pub struct Registry {
    handlers: BTreeMap<String, Arc<dyn Handler>>,
}

impl Registry {
    /// A registry with the engine's built-in handlers (`noop`, `sleep`).
    pub fn with_builtins() -> Registry {
        let mut r = Registry::default();
        crate::builtin::register(&mut r);
        r
    }

    pub fn register(&mut self, name: &str, handler: impl Handler) -> &mut Self {
        self.handlers.insert(name.to_string(), Arc::new(handler));
        self
    }

    pub fn register_fn<F, Fut>(&mut self, name: &str, f: F) -> &mut Self
    where
        F: Fn(StepContext, Value) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Value, StepError>> + Send + 'static,
    {
        self.register(name, FnHandler(f))
    }

    pub fn get(&self, name: &str) -> Option<Arc<dyn Handler>> {
        self.handlers.get(name).cloned()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.handlers.contains_key(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.handlers.keys().map(String::as_str)
    }
}
