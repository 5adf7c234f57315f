//! Driving forge (the npm-pinned `@foundry-rs/forge-linux-amd64`, through the suite's Node solc front) for the
//! peer benchmark: build a suite, run one invariant campaign with a time limit, read its figures.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Errors driving forge.
#[derive(Debug, thiserror::Error)]
pub enum ForgeError {
    /// The pinned forge is not installed in the suite's node_modules.
    #[error("forge not found at {0} (run `npm ci` in contracts/: forge is an optional npm dependency there)")]
    Missing(PathBuf),
    /// forge could not be started.
    #[error("running forge: {0}")]
    Spawn(#[from] std::io::Error),
    /// forge build failed.
    #[error("forge build failed in {suite}:\n{output}")]
    Build {
        /// The suite.
        suite: PathBuf,
        /// forge's output (tail).
        output: String,
    },
    /// forge's output did not say what was needed.
    #[error("could not read forge's result ({what}):\n{output}")]
    Unreadable {
        /// What was missing.
        what: &'static str,
        /// forge's output (tail).
        output: String,
    },
}

/// The pinned forge binary.
#[derive(Debug, Clone)]
pub struct Forge {
    binary: PathBuf,
}

/// One `forge test` of one invariant function.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ForgeRun {
    /// The test passed (no violation within the limits).
    pub passed: bool,
    /// Sequences forge ran.
    pub runs: u64,
    /// Handler calls forge made.
    pub calls: u64,
    /// forge's own "finished in" time of the suite (set-up, campaign, shrinking; compilation excluded).
    pub test_time: Duration,
    /// Wall time of the whole process (compilation cache check included).
    pub wall: Duration,
}

impl ForgeRun {
    /// Calls per second over forge's test time.
    pub fn rate(&self) -> f64 {
        self.calls as f64 / self.test_time.as_secs_f64().max(1e-9)
    }
}

impl Forge {
    /// The forge installed under `contracts_root/node_modules`.
    pub fn from_suite(contracts_root: &Path) -> Result<Self, ForgeError> {
        let binary = contracts_root.join("node_modules/@foundry-rs/forge-linux-amd64/bin/forge");
        if binary.is_file() {
            // Absolute: forge runs with the suite as its working directory.
            let binary = std::fs::canonicalize(&binary).unwrap_or(binary);
            Ok(Self { binary })
        } else {
            Err(ForgeError::Missing(binary))
        }
    }

    /// Compiles `suite` (sources and tests); returns the time it took.
    pub fn build(&self, suite: &Path) -> Result<Duration, ForgeError> {
        let started = Instant::now();
        let out = Command::new(&self.binary)
            .args(["build", "--use", "./solc-front.js", "--offline"])
            .current_dir(suite)
            .output()?;
        if !out.status.success() {
            return Err(ForgeError::Build {
                suite: suite.to_path_buf(),
                output: tail(&out.stdout, &out.stderr),
            });
        }
        Ok(started.elapsed())
    }

    /// Runs invariant function `test` of `contract` in `suite` with fuzz seed `seed` until it fails or
    /// `timeout` passes (forge's `invariant.timeout`), sequences of `depth` calls, without shrinking and without
    /// replaying failures persisted by earlier runs.
    pub fn invariant(
        &self,
        suite: &Path,
        contract: &str,
        test: &str,
        seed: u64,
        timeout: Duration,
        depth: usize,
    ) -> Result<ForgeRun, ForgeError> {
        let persist = std::env::temp_dir().join(format!(
            "poolguard-bench-forge-{}-{seed}-{}",
            std::process::id(),
            test
        ));
        let _ = std::fs::remove_dir_all(&persist);
        let started = Instant::now();
        let out = Command::new(&self.binary)
            .args(["test", "--use", "./solc-front.js", "--offline"])
            .args(["--match-contract", contract])
            .args(["--match-test", test])
            .args(["--fuzz-seed", &seed.to_string()])
            .env("FOUNDRY_INVARIANT_RUNS", "100000000")
            .env("FOUNDRY_INVARIANT_DEPTH", depth.to_string())
            .env(
                "FOUNDRY_INVARIANT_TIMEOUT",
                timeout.as_secs().max(1).to_string(),
            )
            .env("FOUNDRY_INVARIANT_SHRINK_RUN_LIMIT", "0")
            .env("FOUNDRY_INVARIANT_FAILURE_PERSIST_DIR", &persist)
            .current_dir(suite)
            .output()?;
        let wall = started.elapsed();
        let _ = std::fs::remove_dir_all(&persist);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let unreadable = |what| ForgeError::Unreadable {
            what,
            output: tail(&out.stdout, &out.stderr),
        };
        let (runs, calls) = parse_counts(&text).ok_or_else(|| unreadable("runs and calls"))?;
        let test_time = parse_finished(&text).ok_or_else(|| unreadable("finished in"))?;
        let passed = text.contains("[PASS]") && !text.contains("[FAIL");
        Ok(ForgeRun {
            passed,
            runs,
            calls,
            test_time,
            wall,
        })
    }
}

/// `(runs: N, calls: M, reverts: R)` → (N, M).
fn parse_counts(text: &str) -> Option<(u64, u64)> {
    let at = text.find("(runs: ")?;
    let rest = &text[at + "(runs: ".len()..];
    let runs: u64 = rest[..rest.find(',')?].trim().parse().ok()?;
    let rest = &rest[rest.find("calls: ")? + "calls: ".len()..];
    let calls: u64 = rest[..rest.find([',', ')'])?].trim().parse().ok()?;
    Some((runs, calls))
}

/// The duration after "finished in " (Rust's `Debug` of a `Duration`: `1.2s`, `340.5ms`, `12µs`).
fn parse_finished(text: &str) -> Option<Duration> {
    let at = text.find("finished in ")?;
    let rest = &text[at + "finished in ".len()..];
    let token = rest.split_whitespace().next()?;
    let split = token.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = token.split_at(split);
    let value: f64 = number.parse().ok()?;
    let secs = match unit {
        "s" => value,
        "ms" => value / 1e3,
        "µs" | "us" => value / 1e6,
        "ns" => value / 1e9,
        _ => return None,
    };
    Some(Duration::from_secs_f64(secs))
}

fn tail(stdout: &[u8], stderr: &[u8]) -> String {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(stdout),
        String::from_utf8_lossy(stderr)
    );
    let start = text.len().saturating_sub(4000);
    let start = (start..text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    text[start..].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_forge_figures() {
        let text = "[PASS] invariant_all() (runs: 12, calls: 480, reverts: 100)\nSuite result: ok. 1 passed; \
                    0 failed; 0 skipped; finished in 61.02s (60.99s CPU time)";
        assert_eq!(parse_counts(text), Some((12, 480)));
        assert_eq!(parse_finished(text), Some(Duration::from_secs_f64(61.02)));
        assert_eq!(
            parse_finished("finished in 340.5ms (1ms CPU time)"),
            Some(Duration::from_secs_f64(0.3405))
        );
        assert_eq!(parse_counts("no figures"), None);
    }
}
