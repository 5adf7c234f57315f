//! The suite's entry-point policy, `entry-points.toml` at the root of the Solidity project: the entry points
//! anyone may call successfully (each with its reason), and those the default world cannot reach (each with
//! its reason). Read with the artifacts at compile time, so that everything downstream (the world, the
//! access-control oracle, the gate's entry-point coverage) derives from it. An auditor reads this file:
//! every state-changing function **not** listed as permissionless is privileged, and its successful call by
//! an account holding no role, ownership or system address is a violation (ACCESS-006).
//!
//! ```toml
//! [permissionless]
//! "StakingPool.submit(address)" = "anyone may stake"
//!
//! [unreachable]
//! "StakingPool.initialize(bytes,bytes,address)" = "one-time initializer, run by the factory at deployment"
//! ```
//!
//! Keys are `Contract.signature` (the compiled contract's name and the function's canonical signature, or
//! `receive()`), and apply to every deployment of that contract (each pool's proxy, the implementation).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The policy file's name, at the root of the Solidity project.
pub const POLICY_FILE: &str = "entry-points.toml";

/// Why the policy cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// The file exists but cannot be read.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        error: std::io::Error,
    },
    /// The file is not valid TOML of the expected shape.
    #[error("{path}: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// The entry-point policy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryPolicy {
    /// `Contract.signature` → why anyone may call it.
    #[serde(default)]
    pub permissionless: BTreeMap<String, String>,
    /// `Contract.signature` → why the default world never executes it successfully.
    #[serde(default)]
    pub unreachable: BTreeMap<String, String>,
}

impl EntryPolicy {
    /// Reads `root/entry-points.toml`; a project without one has an empty policy (every entry point
    /// privileged, none excused from coverage).
    pub fn load(root: &Path) -> Result<Self, PolicyError> {
        let path = root.join(POLICY_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(error) => return Err(PolicyError::Io { path, error }),
        };
        toml::from_str(&text).map_err(|e| PolicyError::Malformed {
            path,
            message: e.to_string(),
        })
    }

    /// Why `key` (`Contract.signature`) is permissionless, if it is.
    pub fn permissionless(&self, key: &str) -> Option<&str> {
        self.permissionless.get(key).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_sections_and_bad_values_are_errors_naming_the_file() {
        let dir = std::env::temp_dir().join(format!("poolguard-policy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert_eq!(EntryPolicy::load(&dir).unwrap(), EntryPolicy::default());
        std::fs::write(
            dir.join(POLICY_FILE),
            "[permisionless]\n\"A.f()\" = \"x\"\n",
        )
        .unwrap();
        let e = EntryPolicy::load(&dir).unwrap_err().to_string();
        assert!(
            e.contains(POLICY_FILE) && e.contains("permisionless"),
            "{e}"
        );
        std::fs::write(dir.join(POLICY_FILE), "[permissionless]\n\"A.f()\" = 3\n").unwrap();
        assert!(EntryPolicy::load(&dir).is_err());
        std::fs::write(
            dir.join(POLICY_FILE),
            "[permissionless]\n\"A.f()\" = \"anyone\"\n",
        )
        .unwrap();
        assert_eq!(
            EntryPolicy::load(&dir).unwrap().permissionless("A.f()"),
            Some("anyone")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
