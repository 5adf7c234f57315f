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

/// forge 1.7.1 from npm (`@foundry-rs/forge-linux-amd64`, pinned in contracts/package.json as an optional
/// dependency); installs the suite's npm dependencies when it is missing.
pub fn forge() -> PathBuf {
    foundry_tool("forge")
}

/// `name` (forge, anvil or cast) 1.7.1 from npm (`@foundry-rs/<name>-linux-amd64`, pinned in
/// contracts/package.json as optional dependencies); installs the suite's npm dependencies when it is missing.
#[allow(dead_code)] // each test binary uses some of the helpers
pub fn foundry_tool(name: &str) -> PathBuf {
    let root = contracts_root();
    let forge = root.join(format!(
        "node_modules/@foundry-rs/{name}-linux-amd64/bin/{name}"
    ));
    if !forge.is_file() {
        let status = std::process::Command::new("npm")
            .arg(if root.join("package-lock.json").is_file() {
                "ci"
            } else {
                "install"
            })
            .current_dir(&root)
            .status()
            .expect("running npm");
        assert!(status.success(), "npm could not install {name}");
    }
    assert!(forge.is_file(), "{name} is not at {}", forge.display());
    forge
}

/// Runs `forge test` in `suite` (a Foundry project with node_modules) for the contracts matching `contract`;
/// returns (passed, combined output).
pub fn forge_test(suite: &std::path::Path, contract: &str) -> (bool, String) {
    let out = std::process::Command::new(forge())
        .args([
            "test",
            "--use",
            "./solc-front.js",
            "--offline",
            "--match-contract",
            contract,
            "-vv",
        ])
        .current_dir(suite)
        .output()
        .expect("running forge");
    let text = output_text(&out);
    (out.status.success(), text)
}

/// Runs the poolguard binary in `cwd`; returns (exit code, stdout then stderr).
#[allow(dead_code)] // each test binary uses some of the helpers
pub fn poolguard_in(cwd: &std::path::Path, args: &[&str]) -> (i32, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_poolguard"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("running poolguard");
    (out.status.code().unwrap_or(-1), output_text(&out))
}

/// A finished command's stdout then stderr, as text.
#[allow(dead_code)] // each test binary uses some of the helpers
pub fn output_text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
