//! Parsed package versions, shared by every execution pinned to them.
//!
//! A version never changes once stored, so an entry never needs invalidating.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use engine::Package;

#[derive(Default)]
pub struct PackageCache {
    entries: RwLock<HashMap<(String, i32), Arc<Package>>>,
}

impl PackageCache {
    pub fn get(&self, name: &str, version: i32) -> Option<Arc<Package>> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        entries.get(&(name.to_string(), version)).cloned()
    }

    pub fn insert(&self, name: &str, version: i32, package: Arc<Package>) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        entries.insert((name.to_string(), version), package);
    }

    /// Parses a stored version. Handlers were checked when it was registered.
    pub fn parse_stored(&self, name: &str, version: i32, source: &str) -> Result<Arc<Package>, crate::Error> {
        if let Some(p) = self.get(name, version) {
            return Ok(p);
        }
        let package = Package::parse(source, &|_| true)
            .map_err(|d| crate::Error::Corrupt(format!("stored package {name} v{version} does not parse: {d}")))?;
        let package = Arc::new(package);
        self.insert(name, version, package.clone());
        Ok(package)
    }
}
