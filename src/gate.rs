//! The CI security gate: replays every saved finding and regression file, runs a bounded campaign, locates each
//! violation in the Solidity source and collects line coverage, producing one [`RunSummary`] for the report
//! writers ([`run_gate`]); the gate command ([`gate`]) writes them and prints a summary. The caller decides the exit
//! code from [`RunSummary::failed`].

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};

use crate::compile::{contracts_root, suite_root, Artifacts};
use crate::coverage;
use crate::engine::campaign::make_finding;
use crate::engine::Finding;
use crate::engine::{
    run_campaign, run_sequence, Budget, CampaignConfig, Progress, RunOptions, StopOn,
};
use crate::observe::Observer;
use crate::report::{html, junit, sarif};
use crate::report::{plan_sequence, Origin, RegressionCheck, ReportedViolation, RunSummary};
use crate::sourcemap::SourceIndex;
use crate::world::World;

/// The gate command's settings.
#[derive(Debug, Clone)]
pub struct GateOptions {
    /// RNG seed.
    pub seed: u64,
    /// Worker threads.
    pub workers: usize,
    /// Time budget of the campaign (instead of `runs`).
    pub duration: Option<Duration>,
    /// Sequences the campaign runs (default 1000 unless `duration` is given).
    pub runs: Option<u64>,
    /// Longest sequence.
    pub depth: usize,
    /// Folders of saved findings / regressions, each of which must exist; empty: `corpus/findings` and
    /// `corpus/regressions`, each skipped when missing.
    pub regressions: Vec<PathBuf>,
    /// Where the reports go: junit.xml, results.sarif, lcov.info, report.html, findings/.
    pub out: PathBuf,
    /// Skip the per-line coverage replay.
    pub no_coverage: bool,
    /// Also fail when a state-changing function of the suite's `src/` never executed successfully, unless
    /// entry-points.toml lists it as unreachable.
    pub require_entry_coverage: bool,
    /// Gate this broken variant of the suite instead of the suite itself.
    pub variant: Option<String>,
}

/// The gate command: runs the gate ([`run_gate`]) on the suite at `contracts` (or its variant), writes JUnit,
/// SARIF, LCOV and HTML reports to `options.out`, and prints a summary on stdout (progress every 10 s on
/// stderr). Returns whether anything failed ([`RunSummary::failed`]).
pub fn gate(contracts: &Path, options: &GateOptions) -> anyhow::Result<bool> {
    if options.workers == 0 || options.depth == 0 || options.runs == Some(0) {
        bail!("--workers, --depth and --runs must be at least 1");
    }
    let regression_dirs = if options.regressions.is_empty() {
        ["corpus/findings", "corpus/regressions"]
            .into_iter()
            .map(PathBuf::from)
            .filter(|dir| dir.is_dir())
            .collect()
    } else {
        if let Some(missing) = options.regressions.iter().find(|dir| !dir.is_dir()) {
            bail!("--regressions {}: no such folder", missing.display());
        }
        options.regressions.clone()
    };
    let root = suite_root(contracts, options.variant.as_deref())?;
    let (world, artifacts) = World::build(&root, 2)?;
    let findings_dir = options.out.join("findings");
    std::fs::create_dir_all(&findings_dir)
        .with_context(|| format!("creating {}", findings_dir.display()))?;
    let config = GateConfig {
        campaign: CampaignConfig {
            seed: options.seed,
            workers: options.workers,
            budget: match (options.runs, options.duration) {
                (Some(runs), _) => Budget::Runs(runs),
                (None, Some(d)) => Budget::Duration(d),
                (None, None) => Budget::Runs(1000),
            },
            depth: options.depth,
            findings_dir: Some(findings_dir),
            variant: options.variant.clone(),
            ..CampaignConfig::default()
        },
        regression_dirs,
        coverage: !options.no_coverage,
        suite_root: root.clone(),
        contracts: contracts.to_path_buf(),
    };
    let last = Mutex::new(Instant::now());
    let on_progress = |p: &Progress| {
        let mut last = last.lock().expect("progress clock");
        if p.shrinking.is_none() && last.elapsed() >= Duration::from_secs(10) {
            eprintln!(
                "gate: {} runs, {} calls, {} edges, {} violations",
                p.runs, p.calls, p.edges, p.violations
            );
            *last = Instant::now();
        }
    };
    let mut summary = run_gate(&world, &artifacts, &config, &on_progress);
    // The baseline belongs to the suite as released, whichever variant is gated.
    summary.layout = match crate::layout::read_baseline(&contracts_root(contracts)) {
        Ok(baseline) => {
            let asts = crate::compile::SuiteCompiler::new(&root)
                .all_source_asts()
                .context("reading the syntax trees (solc) for the ERC-7201 namespaces")?;
            Some(crate::layout::compare(&baseline, &artifacts, &asts))
        }
        Err(crate::layout::LayoutError::Missing(path)) => {
            println!(
                "storage layout: not checked, {} is missing (`{}` writes it)",
                path.display(),
                crate::compile::poolguard_command(contracts, &["layout", "--write"])
            );
            None
        }
        Err(e) => bail!("{e}"),
    };

    let cwd = std::env::current_dir().context("current directory")?;
    let base = std::fs::canonicalize(&cwd).unwrap_or(cwd);
    summary.suite_root = std::fs::canonicalize(&summary.suite_root).unwrap_or(summary.suite_root);
    let write = |name: &str, text: &str| -> anyhow::Result<()> {
        let path = options.out.join(name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
        Ok(())
    };
    write(
        "junit.xml",
        &junit::render(&summary).context("rendering JUnit")?,
    )?;
    write(
        "results.sarif",
        &sarif::render(&summary, &base).context("rendering SARIF")?,
    )?;
    if let Some(coverage) = &summary.coverage {
        write("lcov.info", &coverage.to_lcov())?;
    }
    let title = options
        .variant
        .as_deref()
        .unwrap_or("the staking-pool suite");
    write("report.html", &html::render(&summary, title))?;
    let entries = &summary.campaign.entries;
    write(
        "entry-points.json",
        &serde_json::to_string_pretty(&crate::engine::entries::json(entries))
            .context("rendering entry points")?,
    )?;
    let never = crate::engine::entries::never_succeeded(entries);

    let p = &summary.campaign.progress;
    println!(
        "gate: {} regression file(s) replayed, {} could not be; campaign {} runs, {} calls in {:.1?}; {} violation(s)",
        summary.regressions.len(),
        summary
            .regressions
            .iter()
            .filter(|r| r.error.is_some())
            .count(),
        p.runs,
        p.calls,
        p.elapsed,
        summary.violations.len()
    );
    for r in &summary.regressions {
        if let Some(e) = &r.error {
            println!("regression {}: could not replay: {e}", r.path.display());
        } else if !r.violated.is_empty() {
            println!(
                "regression {}: still violates {}",
                r.path.display(),
                r.violated.join(", ")
            );
        }
    }
    for v in &summary.violations {
        let at = v
            .location
            .as_ref()
            .and_then(|l| l.entry.as_ref())
            .map(|e| format!(" (failing call: {}:{})", e.path.display(), e.line))
            .unwrap_or_default();
        println!(
            "VIOLATED {}: {}{at}",
            v.finding.invariant, v.finding.message
        );
    }
    if let Some(layout) = &summary.layout {
        print!(
            "storage layout:\n{}",
            layout.render(&crate::compile::poolguard_command(
                contracts,
                &["layout", "--write"]
            ))
        );
    }
    for key in &never {
        println!(
            "never executed successfully: {key} (entry-points.toml does not list it as unreachable)"
        );
    }
    Ok(summary.failed() || (options.require_entry_coverage && !never.is_empty()))
}

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
    /// The suite as given (`--contracts`), for the commands the gate prints.
    pub contracts: PathBuf,
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
            &config.contracts,
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
    contracts: &Path,
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
        let on =
            |v: Option<&str>| v.map_or("the suite itself".to_string(), |v| format!("variant {v}"));
        // The gate that replays it where it was made: its own variant, its folder alone.
        let folder = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_string_lossy();
        let mut args = vec!["gate"];
        if let Some(v) = finding.variant.as_deref() {
            args.extend(["--variant", v]);
        }
        args.extend(["--regressions", &folder]);
        check.error = Some(format!(
            "made on {}, not on {}: gate it with `{}`, or move it out",
            on(finding.variant.as_deref()),
            on(variant),
            crate::compile::poolguard_command(contracts, &args),
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
