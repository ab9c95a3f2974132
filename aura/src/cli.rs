//! The command line: every subcommand, its options and their help, declared once (clap derive).
//! `aura help <command>` and `aura <command> --help` print the same text; a bad option names the
//! subcommand's usage.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Configuration comes from AURA_* environment variables (see README.md), optionally over a TOML
file named by AURA_CONFIG. The default database is sqlite://aura-data/aura.db.";

#[derive(Debug, Parser)]
#[command(name = "aura", version, about = "AURA: a durable workflow engine for real-estate teams", after_help = AFTER_HELP)]
pub struct Cli {
    /// With no command: `serve`.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// API + workers + schedules (the default).
    Serve,
    /// Workers + schedules only, no HTTP.
    Worker,
    /// Apply the database migrations and exit.
    Migrate,
    /// Package files: validate them, list the registered ones.
    #[command(subcommand)]
    Packages(PackagesCommand),
    /// Start an execution; --wait follows it with a progress bar.
    Run(RunArgs),
    /// Load the shipped market data, or import a transactions CSV.
    Seed(SeedArgs),
    /// Measure model quality.
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Measure scheduler throughput and latency on a fresh database.
    Bench(BenchCommand),
    /// Print a shell completion script (e.g. `aura completions bash > /etc/bash_completion.d/aura`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
pub enum PackagesCommand {
    /// Check package files (no database needed): line and column for every problem.
    Validate {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// List the registered packages.
    List,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The package to start, e.g. new_listing_package.
    pub package: String,
    /// A parameter as K=V; V is JSON where it parses (numbers, booleans, arrays), else a string.
    #[arg(short = 'p', long = "param", value_name = "K=V", value_parser = parse_param)]
    pub params: Vec<(String, serde_json::Value)>,
    /// Higher runs first.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    pub priority: i32,
    /// Starting twice with the same key starts once.
    #[arg(long, value_name = "KEY")]
    pub idempotency_key: Option<String>,
    /// Follow the execution to its end with a progress bar.
    #[arg(long)]
    pub wait: bool,
    /// Do not run a local worker (another process runs the steps).
    #[arg(long)]
    pub no_worker: bool,
}

fn parse_param(kv: &str) -> Result<(String, serde_json::Value), String> {
    let (k, v) = kv.split_once('=').ok_or_else(|| format!("`{kv}` is not K=V"))?;
    if k.is_empty() {
        return Err(format!("`{kv}` has no name before `=`"));
    }
    let value = serde_json::from_str(v).unwrap_or_else(|_| serde_json::Value::String(v.to_string()));
    Ok((k.to_string(), value))
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// A DLD transactions CSV to import instead of the shipped data.
    #[arg(long, value_name = "FILE")]
    pub transactions: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Valuation accuracy on the shipped DLD sales against a same-building baseline.
    Valuation {
        /// Train before this date, test on every later sale.
        #[arg(long, value_name = "YYYY-MM-DD", default_value = "2026-01-01")]
        test_from: chrono::NaiveDate,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StoreKind {
    Sqlite,
    Postgres,
}

impl std::fmt::Display for StoreKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StoreKind::Sqlite => "sqlite",
            StoreKind::Postgres => "postgres",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shape {
    /// One step per execution.
    Single,
    /// Ten steps in a line.
    Chain10,
    /// The New Listing package's 8-step DAG (fan-out, fan-in) with no-op steps.
    NewListing,
    /// Each of the above.
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// Workers run while executions are triggered in batches (trigger→start latency is meaningful).
    Live,
    /// Every execution is enqueued first, then the workers start and drain the backlog (as River's bench).
    BurnDown,
    /// One execution at a time, each started when the previous one finished: idle step→next step latency.
    Idle,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BenchCommand {
    #[command(subcommand)]
    pub analytics: Option<BenchSub>,
    #[command(flatten)]
    pub args: BenchArgs,
}

#[derive(Debug, Subcommand)]
pub enum BenchSub {
    /// Dashboard latency on a year of executions.
    Analytics(BenchAnalyticsArgs),
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[arg(long, value_enum, default_value_t = StoreKind::Sqlite)]
    pub store: StoreKind,
    /// PostgreSQL server URL (a database is created on it and dropped); default DATABASE_URL.
    #[arg(long)]
    pub url: Option<String>,
    #[arg(long, value_enum, default_value = "all")]
    pub shape: Shape,
    #[arg(long, value_enum, default_value = "live")]
    pub mode: Mode,
    /// Executions per run; a comma list sweeps sizes (`10000,100000,1000000`), one fresh database each.
    /// Default 20000 for `single`, 3000 for the others.
    #[arg(long, value_delimiter = ',', value_name = "N[,N...]")]
    pub executions: Vec<usize>,
    /// In-process workers.
    #[arg(long, default_value_t = 2)]
    pub workers: usize,
    /// Steps each worker runs at once.
    #[arg(long, default_value_t = 256)]
    pub concurrency: usize,
    /// Steps claimed per round trip.
    #[arg(long, default_value_t = 128)]
    pub claim_batch: usize,
    /// Turn off the hand-off of ready successors at completion (to compare).
    #[arg(long)]
    pub no_handoff: bool,
}

#[derive(Debug, Args)]
pub struct BenchAnalyticsArgs {
    #[arg(long, value_enum, default_value_t = StoreKind::Sqlite)]
    pub store: StoreKind,
    /// Executions spread over a year.
    #[arg(long, default_value_t = 100_000)]
    pub executions: usize,
    /// Dashboard requests timed.
    #[arg(long, default_value_t = 200)]
    pub requests: usize,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn run_takes_params_as_json_or_text() {
        let cli = Cli::try_parse_from([
            "aura",
            "run",
            "new_listing_package",
            "-p",
            "listing_price=4950000",
            "--param",
            "property_id=DEMO-1",
            "--wait",
        ])
        .unwrap();
        let Some(Command::Run(run)) = cli.command else { panic!("run") };
        assert_eq!(
            run.params,
            [("listing_price".into(), serde_json::json!(4950000)), ("property_id".into(), serde_json::json!("DEMO-1"))]
        );
        assert!(run.wait && !run.no_worker);
        let err = Cli::try_parse_from(["aura", "run", "x", "--param", "novalue"]).unwrap_err();
        assert!(err.to_string().contains("is not K=V"), "{err}");
    }

    #[test]
    fn bench_sweeps_sizes_and_has_a_subcommand() {
        let cli = Cli::try_parse_from([
            "aura",
            "bench",
            "--store",
            "postgres",
            "--mode",
            "burn-down",
            "--executions",
            "10000,100000",
        ])
        .unwrap();
        let Some(Command::Bench(b)) = cli.command else { panic!("bench") };
        assert_eq!(
            (b.args.store, b.args.mode, b.args.executions.as_slice()),
            (StoreKind::Postgres, Mode::BurnDown, &[10_000, 100_000][..])
        );
        let cli = Cli::try_parse_from(["aura", "bench", "analytics", "--requests", "5"]).unwrap();
        let Some(Command::Bench(BenchCommand { analytics: Some(BenchSub::Analytics(a)), .. })) = cli.command else {
            panic!("analytics")
        };
        assert_eq!(a.requests, 5);
        assert!(Cli::try_parse_from(["aura", "bench", "--shape", "square"]).is_err());
    }

    #[test]
    fn help_is_printed_for_every_subcommand() {
        for args in [
            &["aura", "--help"][..],
            &["aura", "run", "--help"],
            &["aura", "bench", "--help"],
            &["aura", "packages", "validate", "--help"],
        ] {
            let err = Cli::try_parse_from(args).unwrap_err();
            assert_eq!(err.kind(), clap::error::ErrorKind::DisplayHelp, "{args:?}");
        }
    }
}
