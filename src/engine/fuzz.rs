//! The fuzz command: a campaign on the suite (or one of its broken variants) with a progress line, resumed
//! from and saved to the on-disk corpus, its findings written, and a summary printed at the end (figures,
//! calls and reverts per action, each invariant's result, line coverage of the final corpus, how to replay each
//! finding).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::bail;
use indicatif::{ProgressBar, ProgressStyle};
use poolguard_invariants::CATALOG;

use super::campaign::{run_campaign, Budget, CampaignConfig, Progress};
use super::corpus::load_sequences;
use super::finding::Finding;
use crate::actions::OpKind;
use crate::compile::{contracts_root, poolguard_command, suite_root};
use crate::coverage;
use crate::observe::ObserveMode;
use crate::sourcemap::SourceIndex;
use crate::world::World;

/// The fuzz command's settings.
#[derive(Debug, Clone)]
pub struct FuzzOptions {
    /// RNG seed.
    pub seed: u64,
    /// Worker threads.
    pub workers: usize,
    /// Time budget (default 60 s unless `runs` is given).
    pub duration: Option<Duration>,
    /// Number of sequences to run.
    pub runs: Option<u64>,
    /// Longest sequence.
    pub depth: usize,
    /// Pools created through the factory.
    pub pools: usize,
    /// Where coverage-increasing sequences are kept and resumed from.
    pub corpus: PathBuf,
    /// Where findings are written (default `corpus/findings`, or `corpus/findings/variants/NAME` for a variant).
    pub findings: Option<PathBuf>,
    /// Keep no corpus on disk, and no finding unless `findings` names where.
    pub no_save: bool,
    /// Fuzz this broken variant of the suite instead of the suite itself.
    pub variant: Option<String>,
    /// Check the incremental observation against the full one at every step ([`ObserveMode::Paranoid`]).
    pub paranoid: bool,
}

/// The fuzz command on the suite at `given` (`--contracts`), or its variant: progress on stderr (a spinner on a
/// terminal, a line every 10 s otherwise), the summary on stdout; the first SIGINT stops after the run in progress
/// and still summarises. Returns whether an invariant was violated.
pub fn fuzz(given: &Path, options: &FuzzOptions) -> anyhow::Result<bool> {
    let contracts = &suite_root(given, options.variant.as_deref())?;
    if options.workers == 0 {
        bail!("--workers must be at least 1");
    }
    if options.runs == Some(0) {
        bail!("--runs must be at least 1");
    }
    if options.depth == 0 {
        bail!("--depth must be at least 1");
    }
    let (world, artifacts) = World::build(contracts, options.pools)?;
    let findings_dir = options.findings.clone().unwrap_or_else(|| {
        let base = PathBuf::from("corpus/findings");
        match &options.variant {
            Some(name) => base.join("variants").join(name),
            None => base,
        }
    });
    // A folder named with --no-save still receives the findings: a long run that found something keeps it.
    let save_findings = !options.no_save || options.findings.is_some();
    let budget = match (options.runs, options.duration) {
        (Some(runs), _) => Budget::Runs(runs),
        (None, Some(d)) => Budget::Duration(d),
        (None, None) => Budget::Duration(Duration::from_secs(60)),
    };
    let (seeds, bad) = if options.no_save {
        (Vec::new(), Vec::new())
    } else {
        load_sequences(&options.corpus)
    };
    for e in &bad {
        eprintln!("warning: skipping corpus file: {e}");
    }
    if !seeds.is_empty() {
        eprintln!(
            "resuming from {} corpus sequences in {}",
            seeds.len(),
            options.corpus.display()
        );
    }
    let config = CampaignConfig {
        seed: options.seed,
        workers: options.workers,
        budget,
        depth: options.depth,
        corpus_dir: (!options.no_save).then(|| options.corpus.clone()),
        findings_dir: save_findings.then(|| findings_dir.clone()),
        seeds,
        variant: options.variant.clone(),
        interrupt: Some(interrupt_flag()),
        observe: if options.paranoid {
            ObserveMode::Paranoid
        } else {
            ObserveMode::Incremental
        },
        ..CampaignConfig::default()
    };
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}").expect("template"),
    );
    let last_line = Mutex::new(Instant::now());
    let on_progress = |p: &Progress| {
        let msg = match &p.shrinking {
            Some((id, attempts, len)) => {
                format!("shrinking {id}: {attempts} attempts, length {len}")
            }
            None => format!(
                "{} runs, {} calls ({:.0} calls/s), {} edges, {} behaviours, corpus {}, {} violations",
                p.runs,
                p.calls,
                p.calls as f64 / p.elapsed.as_secs_f64().max(1e-9),
                p.edges,
                p.behaviours,
                p.corpus,
                p.violations
            ),
        };
        if bar.is_hidden() {
            let mut last = last_line.lock().expect("progress clock");
            if last.elapsed() >= Duration::from_secs(10) {
                eprintln!("{msg}");
                *last = Instant::now();
            }
        } else {
            bar.set_message(msg);
            bar.tick();
        }
    };
    let report = run_campaign(&world, &config, &on_progress);
    bar.finish_and_clear();
    if report.interrupted {
        eprintln!(
            "interrupted: stopped after the run in progress; the summary below covers what ran"
        );
    }

    if !report.observation_mismatches.is_empty() {
        bail!(
            "paranoid observation: a kept view's answer differs from the chain's (in an observation or a plan: a \
             poolguard bug, please report it):\n  {}",
            report.observation_mismatches.join("\n  ")
        );
    }
    let p = &report.progress;
    let cache = report.view_cache;
    println!(
        "\nviews reused: {} of {} ({:.1}%); sub-calls of the views run reused: {} of {} ({:.1}%){}",
        cache.hits,
        cache.hits + cache.misses,
        100.0 * cache.hits as f64 / (cache.hits + cache.misses).max(1) as f64,
        cache.subcall_hits,
        cache.subcall_hits + cache.subcall_misses,
        100.0 * cache.subcall_hits as f64
            / (cache.subcall_hits + cache.subcall_misses).max(1) as f64,
        if options.paranoid {
            "; paranoid: every observation matched the full one, and every plan's view the chain's"
        } else {
            ""
        }
    );
    println!(
        "\n{} runs, {} steps, {} calls in {:.1?}: {:.0} calls/s, {} edges, {} behaviours, corpus {}, {} invariants violated",
        p.runs,
        p.steps,
        p.calls,
        p.elapsed,
        p.calls as f64 / p.elapsed.as_secs_f64().max(1e-9),
        p.edges,
        p.behaviours,
        p.corpus,
        report.findings.len()
    );
    if config.workers > 1 {
        let capacity = config.workers as f64 * p.elapsed.as_secs_f64();
        println!(
            "{} workers, running sequences {:.1}% of the time (the rest went to epoch boundaries and set-up)",
            config.workers,
            100.0 * report.worker_busy.as_secs_f64() / capacity.max(1e-9)
        );
    }
    println!(
        "\n{:<26} {:>9} {:>9} {:>9} {:>6} {:>8}  most frequent revert",
        "action", "steps", "calls", "reverts", "ok %", "weight×"
    );
    for (op, s) in &report.ops {
        let boost = OpKind::ALL
            .iter()
            .find(|k| k.name() == op)
            .and_then(|k| report.kind_boosts.get(*k as usize));
        let top = s
            .top_revert()
            .map(|(reason, n)| format!("{reason} ({n})"))
            .unwrap_or_default();
        println!(
            "{op:<26} {:>9} {:>9} {:>9} {:>6} {:>8}  {top}",
            s.steps,
            s.calls,
            s.reverts,
            s.success_rate()
                .map_or("-".to_string(), |r| format!("{:.1}", 100.0 * r)),
            boost.map_or(String::new(), |b| format!("{b:.2}"))
        );
    }
    println!(
        "(steps: including those whose plan sent nothing in that state; ok %: of the calls sent; weight×: the \
         factor each op kind's weight was last drawn with, from the new edges its steps found; {} corpus entries \
         faded from the schedule)",
        report.dead_entries
    );
    println!("\n{}", super::entries::table(&report.entries));
    println!("\n{:<11} {:>9}  result", "invariant", "checked");
    for inv in CATALOG {
        let result = match report.findings.get(inv.id) {
            Some(f) => format!(
                "VIOLATED at step {} of {} (shrunk from {}){}",
                f.step,
                f.sequence.len(),
                f.original_length,
                f.first_seen.map_or(String::new(), |seen| format!(
                    "; first seen at run {} after {:.2} s",
                    seen.run,
                    seen.elapsed_ms as f64 / 1000.0
                ))
            ),
            None => "held".to_string(),
        };
        println!("{:<11} {:>9}  {result}", inv.id, p.steps);
    }
    // Line coverage of the suite's sources by the final corpus (a replay under a pc tracer: about a second).
    let mut index = SourceIndex::new(&artifacts, &contracts_root(contracts));
    let coverage = coverage::collect(&mut world.clone(), &mut index, &report.corpus);
    let (lines, hit) = coverage.totals();
    println!(
        "\nline coverage of the suite: {hit} of {lines} lines ({:.1}%)",
        100.0 * hit as f64 / lines.max(1) as f64
    );
    for e in &report.write_errors {
        eprintln!("warning: {e}");
    }
    if report.findings.is_empty() {
        Ok(false)
    } else {
        println!();
        for f in report.findings.values() {
            println!("{}: {}", f.invariant, f.message);
            let path = findings_dir.join(Finding::file_name(&f.invariant));
            if !save_findings {
                continue;
            }
            // Only a hint that works: the file must have been written (write errors were printed above).
            if path.is_file() {
                println!(
                    "    reproduce: {}",
                    // The suite as the user gave it: the finding names the variant, which replay applies to it.
                    poolguard_command(given, &["replay", &path.to_string_lossy()])
                );
            } else {
                println!("    not saved to {}: see the warning above", path.display());
            }
        }
        Ok(true)
    }
}

/// A flag that the first SIGINT (Ctrl-C) sets, so that a campaign stops after its run in progress and reports;
/// a second SIGINT exits at once (130). Without a handler (none could be installed) the flag never sets.
pub fn interrupt_flag() -> std::sync::Arc<std::sync::atomic::AtomicBool> {
    use std::sync::atomic::{AtomicBool, Ordering};
    let flag = std::sync::Arc::new(AtomicBool::new(false));
    let set = std::sync::Arc::clone(&flag);
    let installed = ctrlc::set_handler(move || {
        if set.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("\ninterrupt: finishing the run in progress (Ctrl-C again to quit at once)");
    });
    if let Err(e) = installed {
        eprintln!("warning: no SIGINT handler ({e}): Ctrl-C will stop without a summary");
    }
    flag
}
