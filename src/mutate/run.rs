//! Running one mutant: materialize it, compile it, compare its code with the suite's, deploy it and run the
//! campaign until an invariant fires or the budget is spent.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::mutant::Mutant;
use crate::compile::{Artifacts, CompileError, SuiteCompiler};
use crate::engine::campaign::{run_campaign, Budget, CampaignConfig};
use crate::world::{World, WorldConfig};

/// What happened to a mutant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Outcome {
    /// An invariant fired (or the world could not even be deployed: `invariant` is then `DEPLOY`).
    Killed {
        /// The invariant violated first.
        invariant: String,
        /// Milliseconds into the campaign when it was first seen.
        elapsed_ms: u64,
        /// Steps of the shrunk finding (0 for a failed deployment).
        shrunk_length: usize,
        /// The violation's message.
        message: String,
        /// The saved finding (`poolguard replay` takes it as it is).
        finding: Option<PathBuf>,
    },
    /// The budget ran out and no invariant fired.
    Survived {
        /// Sequences run.
        runs: u64,
        /// Calls made.
        calls: u64,
    },
    /// The campaign overran its budget by far (calls that burn all their gas, say) and was stopped.
    TimedOut {
        /// Milliseconds it ran.
        elapsed_ms: u64,
    },
    /// Every contract's code (metadata stripped) is the suite's own: nothing to find.
    Equivalent,
    /// solc rejected the mutant.
    NotCompiling {
        /// solc's first error line.
        error: String,
    },
}

impl Outcome {
    /// The status word (`killed`, `survived`, `timed-out`, `equivalent`, `not-compiling`).
    pub fn status(&self) -> &'static str {
        match self {
            Outcome::Killed { .. } => "killed",
            Outcome::Survived { .. } => "survived",
            Outcome::TimedOut { .. } => "timed-out",
            Outcome::Equivalent => "equivalent",
            Outcome::NotCompiling { .. } => "not-compiling",
        }
    }
}

/// The runtime and creation code of every compiled contract, CBOR metadata blanked (it hashes the source text, so
/// it changes with any edit, a comment included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeFingerprint(BTreeMap<String, (Vec<u8>, Vec<u8>)>);

impl CodeFingerprint {
    /// The fingerprint of `artifacts`.
    pub fn of(artifacts: &Artifacts) -> Self {
        Self(
            artifacts
                .iter()
                .map(|a| {
                    (
                        a.id(),
                        (
                            strip_metadata(&a.bytecode),
                            strip_metadata(&a.deployed_bytecode),
                        ),
                    )
                })
                .collect(),
        )
    }
}

/// `code` with every solc metadata blob (`a2 64 "ipfs" 58 22 <hash> 64 "solc" 43 <version>`) zeroed: creation
/// code carries its runtime code's, and a factory carries those of the contracts it creates.
pub fn strip_metadata(code: &[u8]) -> Vec<u8> {
    const MARKER: [u8; 8] = [0xa2, 0x64, b'i', b'p', b'f', b's', 0x58, 0x22];
    const BLOB: usize = MARKER.len() + 34 + 6 + 3;
    let mut out = code.to_vec();
    let mut i = 0;
    while i + BLOB <= out.len() {
        if out[i..i + MARKER.len()] == MARKER {
            out[i..i + BLOB].fill(0);
            i += BLOB;
        } else {
            i += 1;
        }
    }
    out
}

/// How every mutant is run.
#[derive(Debug, Clone)]
pub struct RunSettings {
    /// The suite's root.
    pub root: PathBuf,
    /// The output folder (`work/`, `findings/` under it).
    pub out: PathBuf,
    /// Campaign budget per mutant.
    pub budget: Budget,
    /// Campaign seed.
    pub seed: u64,
    /// Pools in the world.
    pub pools: usize,
    /// Longest sequence.
    pub depth: usize,
}

impl RunSettings {
    /// How long a campaign may run before it is stopped as timed out: three times a time budget plus a minute
    /// (compiles of other jobs slow it down), or ten minutes for a run budget.
    pub fn deadline(&self) -> Duration {
        match self.budget {
            Budget::Duration(d) => d * 3 + Duration::from_secs(60),
            Budget::Runs(_) => Duration::from_secs(600),
        }
    }
}

/// Runs `mutant` (its variant file at `variant_file`); `None` when `stop` was set before it finished (nothing
/// is known, it must run again).
pub fn run_mutant(
    settings: &RunSettings,
    suite: &CodeFingerprint,
    mutant: &Mutant,
    variant_file: &Path,
    stop: &AtomicBool,
) -> anyhow::Result<Option<Outcome>> {
    use anyhow::Context as _;
    let variant = mutant.to_variant();
    let work = settings.out.join("work");
    let dir = variant
        .materialize(&settings.root, &work)
        .with_context(|| format!("materializing {}", mutant.id))?;
    let outcome = (|| -> anyhow::Result<Option<Outcome>> {
        let artifacts = match SuiteCompiler::new(&dir).compile() {
            Ok(a) => a,
            Err(CompileError::Solc { errors }) => {
                let error = errors
                    .lines()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("solc error")
                    .trim()
                    .to_owned();
                return Ok(Some(Outcome::NotCompiling { error }));
            }
            Err(e @ CompileError::UnlinkedBytecode { .. }) => {
                return Ok(Some(Outcome::NotCompiling {
                    error: e.to_string(),
                }));
            }
            Err(e) => return Err(e).with_context(|| format!("compiling {}", mutant.id)),
        };
        if CodeFingerprint::of(&artifacts) == *suite {
            return Ok(Some(Outcome::Equivalent));
        }
        if stop.load(Ordering::SeqCst) {
            return Ok(None);
        }
        let world = match World::deploy(
            &artifacts,
            WorldConfig {
                pools: settings.pools,
                ..WorldConfig::default()
            },
        ) {
            Ok(w) => w,
            Err(e) => {
                return Ok(Some(Outcome::Killed {
                    invariant: "DEPLOY".to_owned(),
                    elapsed_ms: 0,
                    shrunk_length: 0,
                    message: format!("the world cannot be deployed: {e}"),
                    finding: None,
                }))
            }
        };
        Ok(campaign(settings, &world, mutant, variant_file, stop))
    })();
    // The copy is large (compile output); only results are kept.
    let _ = fs::remove_dir_all(&dir);
    outcome
}

/// The campaign on a mutant's world, stopped at its first violation, at the budget, at the deadline or by `stop`.
fn campaign(
    settings: &RunSettings,
    world: &World,
    mutant: &Mutant,
    variant_file: &Path,
    stop: &AtomicBool,
) -> Option<Outcome> {
    let interrupt = Arc::new(AtomicBool::new(false));
    let done = AtomicBool::new(false);
    let started = Instant::now();
    let deadline = settings.deadline();
    let timed_out = AtomicBool::new(false);
    let report = std::thread::scope(|scope| {
        scope.spawn(|| {
            while !done.load(Ordering::SeqCst) {
                if stop.load(Ordering::SeqCst) {
                    interrupt.store(true, Ordering::SeqCst);
                }
                if started.elapsed() > deadline {
                    timed_out.store(true, Ordering::SeqCst);
                    interrupt.store(true, Ordering::SeqCst);
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        let config = CampaignConfig {
            seed: settings.seed,
            workers: 1,
            budget: settings.budget,
            depth: settings.depth,
            stop_on_first_violation: true,
            variant: Some(variant_file.display().to_string()),
            interrupt: Some(Arc::clone(&interrupt)),
            ..CampaignConfig::default()
        };
        let report = run_campaign(world, &config, &|_| {});
        done.store(true, Ordering::SeqCst);
        report
    });
    let first = report
        .findings
        .values()
        .min_by_key(|f| f.first_seen.as_ref().map_or(u64::MAX, |s| s.elapsed_ms));
    if let Some(finding) = first {
        let dir = settings.out.join("findings").join(mutant.slug());
        let saved = finding.save(&dir).ok();
        return Some(Outcome::Killed {
            invariant: finding.invariant.clone(),
            elapsed_ms: finding.first_seen.as_ref().map_or(0, |s| s.elapsed_ms),
            shrunk_length: finding.sequence.len(),
            message: finding.message.clone(),
            finding: saved,
        });
    }
    if timed_out.load(Ordering::SeqCst) {
        return Some(Outcome::TimedOut {
            elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        });
    }
    if report.interrupted {
        return None;
    }
    Some(Outcome::Survived {
        runs: report.progress.runs,
        calls: report.progress.calls,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_is_blanked_wherever_it_is() {
        let mut blob = vec![0xa2, 0x64, b'i', b'p', b'f', b's', 0x58, 0x22];
        blob.extend([7u8; 34]);
        blob.extend([0x64, b's', b'o', b'l', b'c', 0x43, 0, 8, 28]);
        let mut code = vec![0x60, 0x80];
        code.extend(&blob);
        code.extend([0x00, 0x33, 0x60]);
        code.extend(&blob);
        let stripped = strip_metadata(&code);
        assert_eq!(&stripped[..2], &[0x60, 0x80]);
        assert!(stripped[2..2 + blob.len()].iter().all(|b| *b == 0));
        assert_eq!(
            &stripped[2 + blob.len()..5 + blob.len()],
            &[0x00, 0x33, 0x60]
        );
        assert!(stripped[5 + blob.len()..].iter().all(|b| *b == 0));
        let mut other = code.clone();
        other[10] = 1;
        assert_eq!(
            strip_metadata(&other),
            stripped,
            "hashes differ, code does not"
        );
    }
}
