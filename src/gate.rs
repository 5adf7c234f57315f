//! The CI security gate: replays every saved finding and regression file, runs a bounded campaign, locates each
//! violation in the Solidity source and collects line coverage, producing one [`RunSummary`] for the report
//! writers. The caller decides the exit code from [`RunSummary::failed`].

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::compile::Artifacts;
use crate::coverage;
use crate::engine::campaign::make_finding;
use crate::engine::Finding;
use crate::engine::{run_campaign, run_sequence, CampaignConfig, Progress, RunOptions, StopOn};
use crate::observe::Observer;
use crate::report::{plan_sequence, Origin, RegressionCheck, ReportedViolation, RunSummary};
use crate::sourcemap::SourceIndex;
use crate::world::World;

/// What the gate runs.
#[derive(Debug, Clone)]
pub struct GateConfig {
    /// The campaign (seed, workers, budget; its corpus and findings folders, if any).
    pub campaign: CampaignConfig,
    /// Folders whose `*.json` finding or sequence files are replayed as regression checks.
    pub regression_dirs: Vec<PathBuf>,
    /// Replay the final corpus for per-line coverage.
    pub coverage: bool,
    /// The suite's root (for source files).
    pub suite_root: PathBuf,
}

/// Runs the gate on `world` (compiled from `artifacts`).
pub fn run_gate(
    world: &World,
    artifacts: &Artifacts,
    config: &GateConfig,
    on_progress: &(dyn Fn(&Progress) + Sync),
) -> RunSummary {
    let started = Instant::now();
    let mut world = world.clone();
    let observer = Observer::new(&world);
    let suite = world.suite_hash();
    let mut summary = RunSummary {
        suite_root: config.suite_root.clone(),
        seed: config.campaign.seed,
        workers: config.campaign.workers,
        ..RunSummary::default()
    };

    for path in regression_files(&config.regression_dirs) {
        let (check, violation) = replay_regression(
            &mut world,
            &observer,
            &path,
            &suite,
            config.campaign.variant.as_deref(),
        );
        summary.regressions.push(check);
        summary.violations.extend(violation);
    }

    let report = run_campaign(&world, &config.campaign, on_progress);
    let mut found: Vec<ReportedViolation> = report
        .findings
        .values()
        .map(|f| ReportedViolation {
            finding: f.clone(),
            origin: Origin::Campaign,
            location: None,
        })
        .collect();
    found.append(&mut summary.violations);
    summary.violations = found;
    summary.campaign = report;

    let mut index = SourceIndex::new(artifacts, &config.suite_root);
    for v in &mut summary.violations {
        let step = v
            .finding
            .step
            .min(v.finding.sequence.len().saturating_sub(1));
        let (_, location) =
            plan_sequence(&mut world, &v.finding.sequence, Some((step, &mut index)));
        v.location = location;
    }
    if config.coverage {
        summary.coverage = Some(coverage::collect(
            &mut world,
            &mut index,
            &summary.campaign.corpus,
        ));
    }
    summary.elapsed = started.elapsed();
    summary
}

/// Every `*.json` file directly in `dirs` (missing folders are skipped), sorted.
pub fn regression_files(dirs: &[PathBuf]) -> Vec<PathBuf> {
    let mut files = BTreeSet::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "json") && path.is_file() {
                files.insert(path);
            }
        }
    }
    files.into_iter().collect()
}

fn replay_regression(
    world: &mut World,
    observer: &Observer,
    path: &Path,
    suite: &str,
    variant: Option<&str>,
) -> (RegressionCheck, Option<ReportedViolation>) {
    let mut check = RegressionCheck {
        path: path.to_path_buf(),
        invariant: String::new(),
        violated: Vec::new(),
        error: None,
    };
    let finding = match Finding::load(path) {
        Ok(f) => f,
        Err(e) => {
            check.error = Some(e.to_string());
            return (check, None);
        }
    };
    check.invariant = finding.invariant.clone();
    // A finding of a broken variant says nothing about this suite: replayed here it would pass for the wrong reason.
    if finding.variant.as_deref() != variant {
        check.error = Some(format!(
            "made on {}, not on {}: gate it with `poolguard gate --variant NAME --regressions DIR`, or move it out",
            finding
                .variant
                .as_deref()
                .map_or("the suite itself".to_string(), |v| format!("variant {v}")),
            variant.map_or("the suite itself".to_string(), |v| format!("variant {v}")),
        ));
        return (check, None);
    }
    if let Err(e) = finding.check_indices(world) {
        check.error = Some(e);
        return (check, None);
    }
    if finding.pools > world.pools.len() {
        check.error = Some(format!(
            "needs {} pools, the gate's world has {}",
            finding.pools,
            world.pools.len()
        ));
        return (check, None);
    }
    let result = run_sequence(
        world,
        observer,
        &finding.sequence,
        &StopOn::Never,
        RunOptions::BARE,
    );
    check.violated = result
        .violations
        .iter()
        .map(|v| v.invariant.clone())
        .collect();
    check.violated.dedup();
    let first = result
        .violations
        .iter()
        .find(|v| v.invariant == finding.invariant)
        .or(result.violations.first());
    let violation = first.map(|v| ReportedViolation {
        finding: make_finding(
            world,
            observer,
            &finding.sequence[..=v.step.min(finding.sequence.len() - 1)],
            v,
            finding.seed,
            finding.worker,
            finding.original_length,
            suite,
        ),
        origin: Origin::Regression(path.to_path_buf()),
        location: None,
    });
    (check, violation)
}
