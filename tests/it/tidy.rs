//! Architecture as a test: the boundaries ARCHITECTURE.md promises, checked on every run.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn sources(krate: &str) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    rust_files(&root().join(krate).join("src"), &mut files);
    files.into_iter().map(|p| (p.clone(), std::fs::read_to_string(&p).unwrap())).collect()
}

#[test]
fn engine_has_no_io_dependencies() {
    let manifest = std::fs::read_to_string(root().join("engine/Cargo.toml")).unwrap();
    for forbidden in ["tokio", "sqlx", "axum", "tracing", "reqwest"] {
        assert!(!manifest.contains(forbidden), "engine must stay pure but depends on {forbidden}");
    }
    for (path, text) in sources("engine") {
        for forbidden in ["Utc::now", "SystemTime::now", "Instant::now", "std::fs", "std::net"] {
            assert!(!text.contains(forbidden), "{} uses {forbidden}", path.display());
        }
    }
}

/// Handlers read `StepContext::now`, the rest a `runtime::Clock`: a simulated clock then drives
/// every deadline, and no code path quietly runs on another time.
#[test]
fn the_wall_clock_is_read_only_in_the_runtime_clock() {
    let mut crates: Vec<String> = std::fs::read_dir(root())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("Cargo.toml").exists() && e.path().join("src").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name != "tests")
        .collect();
    crates.sort();
    assert!(crates.iter().any(|c| c == "realestate"), "crates found: {crates:?}");
    let allowed = root().join("runtime/src/clock.rs");
    for krate in &crates {
        for (path, text) in sources(krate) {
            if path == allowed {
                continue;
            }
            for forbidden in ["Utc::now", "Local::now", "SystemTime::now"] {
                assert!(
                    !text.contains(forbidden),
                    "{} reads the wall clock ({forbidden}); use a runtime::Clock",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn analytics_is_pure() {
    let manifest = std::fs::read_to_string(root().join("analytics/Cargo.toml")).unwrap();
    for forbidden in ["tokio", "sqlx", "axum", "reqwest"] {
        assert!(!manifest.contains(forbidden), "analytics must stay pure but depends on {forbidden}");
    }
    for (path, text) in sources("analytics") {
        for forbidden in ["Utc::now", "SystemTime::now", "Instant::now", "std::fs", "std::net"] {
            assert!(!text.contains(forbidden), "{} uses {forbidden}", path.display());
        }
    }
}

#[test]
fn sql_lives_only_in_the_store() {
    for krate in ["engine", "runtime", "api", "aura", "analytics", "console"] {
        for (path, text) in sources(krate) {
            for forbidden in ["sqlx::query", "query_as(", "query_scalar("] {
                assert!(!text.contains(forbidden), "{} contains SQL ({forbidden})", path.display());
            }
        }
    }
}

#[test]
fn every_source_file_says_what_it_is() {
    for krate in ["engine", "store", "runtime", "api", "aura", "analytics", "console"] {
        for (path, text) in sources(krate) {
            assert!(text.starts_with("//!"), "{} must open with a `//!` module doc", path.display());
        }
    }
}

#[test]
fn the_console_knows_only_the_api_router() {
    // The console gets its data from API calls alone: it cannot depend on the store, the runtime
    // or the API's internals, so it cannot read a record or re-decide who may see it.
    let manifest = std::fs::read_to_string(root().join("console/Cargo.toml")).unwrap();
    let deps = manifest.split("[dependencies]").nth(1).unwrap();
    for line in deps.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
        assert!(!line.contains("path") && !line.contains("sqlx"), "console depends on `{line}`");
    }
    for krate in ["engine", "store", "runtime", "api", "realestate", "analytics"] {
        assert!(!deps.contains(&format!("{krate}.workspace")), "console depends on {krate}");
    }
    for (path, text) in sources("console") {
        for forbidden in ["store::", "runtime::", "api::", "realestate::"] {
            assert!(!text.contains(forbidden), "{} names {forbidden}", path.display());
        }
    }
}

#[test]
fn no_unbounded_channels() {
    for krate in ["engine", "store", "runtime", "api", "aura"] {
        for (path, text) in sources(krate) {
            assert!(!text.contains("unbounded_channel"), "{} uses an unbounded channel", path.display());
        }
    }
}

#[test]
fn migrations_are_in_lockstep() {
    let names = |backend: &str| {
        let mut v: Vec<String> = std::fs::read_dir(root().join("migrations").join(backend))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names("postgres"), names("sqlite"));
}

#[test]
fn shipped_packages_validate() {
    let dir = root().join("packages");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let source = std::fs::read_to_string(&path).unwrap();
            if let Err(d) = engine::Package::parse(&source, &realestate::handler_exists) {
                panic!("{}:\n{d}", path.display());
            }
        }
    }
}
