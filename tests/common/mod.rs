//! Shared set-up of the integration tests: the suite compiled once per test binary.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

use poolguard::compile::{Artifacts, SuiteCompiler};
use poolguard::world::{World, WorldConfig};

/// The repository's `contracts/`.
pub fn contracts_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("contracts")
}

/// The compiled suite, compiled once per test binary.
pub fn artifacts() -> &'static Artifacts {
    static ARTIFACTS: OnceLock<Artifacts> = OnceLock::new();
    ARTIFACTS.get_or_init(|| {
        let compiler = SuiteCompiler::new(contracts_root());
        compiler.ensure_toolchain().expect("node/npm set-up");
        compiler
            .compile()
            .unwrap_or_else(|e| panic!("compiling contracts/: {e}"))
    })
}

/// A freshly deployed world with the default configuration (2 pools, 3 stakers).
pub fn world() -> World {
    World::deploy(artifacts(), WorldConfig::default())
        .unwrap_or_else(|e| panic!("deploying the suite: {e}"))
}
