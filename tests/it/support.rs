//! Test fixtures: a fresh database per test on each backend, and small helpers.

use std::sync::Arc;

use store::Store;

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server tests create their databases on.
pub fn pg_admin_url() -> String {
    std::env::var("DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A database of its own for one test, removed when the test finishes successfully.
pub struct TestDb {
    pub url: String,
    pg_name: Option<String>,
    sqlite_dir: Option<std::path::PathBuf>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        let unique = format!("{}_{:08x}", std::process::id(), fastrand::u32(..));
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("aura_test_{unique}"));
                std::fs::create_dir_all(&dir).expect("temp dir");
                let url = format!("sqlite://{}", dir.join("aura.db").display());
                TestDb { url, pg_name: None, sqlite_dir: Some(dir) }
            }
            Backend::Postgres => {
                let name = format!("aura_test_{unique}");
                let admin = pg_admin_url();
                let url = store::postgres::create_database(&admin, &name).await.unwrap_or_else(|e| {
                    panic!(
                        "PostgreSQL is required for this test and was not reachable at {admin} ({e}). \
                         Start it (e.g. `pg_ctlcluster 15 main start`) or set DATABASE_URL."
                    )
                });
                TestDb { url, pg_name: Some(name), sqlite_dir: None }
            }
        }
    }

    /// Opens (and migrates) a store on this database; several may be open at once.
    pub async fn store(&self) -> Arc<dyn Store> {
        let store = store::connect(&self.url).await.expect("connect");
        store.migrate().await.expect("migrate");
        store
    }

    pub async fn cleanup(self) {
        if let Some(name) = &self.pg_name {
            let _ = store::postgres::drop_database(&pg_admin_url(), name).await;
        }
        if let Some(dir) = &self.sqlite_dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Runs `body` against a fresh store of `backend`, then removes the database.
pub async fn with_store<F, Fut>(backend: Backend, body: F)
where
    F: FnOnce(Arc<dyn Store>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    body(store.clone()).await;
    drop(store);
    db.cleanup().await;
}

/// Expands `store_test!(module::name)` into `name::sqlite` and `name::postgres` tests that run the
/// same body on each backend (ripgrep's trick for its two regex engines).
#[macro_export]
macro_rules! store_test {
    ($module:ident :: $name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::support::with_store($crate::support::Backend::Sqlite, |s| super::$module::$name(s)).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::support::with_store($crate::support::Backend::Postgres, |s| super::$module::$name(s)).await;
            }
        }
    };
}

/// Runs `body` against every store of a fresh database of `backend`, then removes the database.
pub async fn with_stores<F, Fut>(backend: Backend, body: F)
where
    F: FnOnce(store::Stores) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let db = TestDb::new(backend).await;
    let stores = store::open(&db.url).await.expect("open");
    stores.engine.migrate().await.expect("migrate");
    body(stores.clone()).await;
    drop(stores);
    db.cleanup().await;
}

/// Like `store_test!`, for tests that take every store (`store::Stores`) of one database.
#[macro_export]
macro_rules! accounts_test {
    ($module:ident :: $name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::support::with_stores($crate::support::Backend::Sqlite, |s| super::$module::$name(s)).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::support::with_stores($crate::support::Backend::Postgres, |s| super::$module::$name(s)).await;
            }
        }
    };
}

/// Parses a package that uses only the handlers the tests register.
pub fn package(source: &str) -> engine::Package {
    engine::Package::parse(source, &|_| true).unwrap_or_else(|d| panic!("test package invalid:\n{d}"))
}

/// The real-estate services with a test brokerage (ORN 12345, BRN 67890), and a runtime with
/// their handlers and the shipped packages registered.
pub async fn estate_runtime(stores: &store::Stores) -> (Arc<realestate::Services>, runtime::Runtime) {
    let config =
        realestate::compliance::Config { orn: Some("12345".into()), brn: Some("67890".into()), ..Default::default() };
    let estate = realestate::Services::open_with(stores, config).await.unwrap();
    let mut registry = runtime::Registry::with_builtins();
    realestate::handlers::register(&mut registry, estate.clone());
    let rt = runtime::Runtime::new(stores.engine.clone(), registry);
    rt.register_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../packages")).await.unwrap();
    (estate, rt)
}
