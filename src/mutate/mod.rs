//! `poolguard mutate`: the mutation score of the invariant catalog. Mutants of the suite's Solidity are
//! generated from solc's AST ([`operators`]), each written as a variant of the suite ([`mutant`]), compiled,
//! compared with the suite's code and fuzzed within a budget ([`run`]); the report ([`report`]) says which
//! invariant killed each mutant and where the survivors are.
//!
//! Results are kept per mutant under `OUT/results/`, keyed by everything that decides them (the suite's
//! sources, the poolguard executable, the mutant, the budget, the seed), so an interrupted run continues where
//! it stopped.

pub mod mutant;
pub mod operators;
pub mod report;
pub mod run;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};

use crate::compile::{contracts_root, SuiteCompiler};
use crate::engine::campaign::Budget;
use mutant::{changed_lines, mutants_of, variant_path, Mutant};
use report::{write_atomic, MutantResult, MutationReport};
use run::{run_mutant, CodeFingerprint, Outcome, RunSettings};

/// Folders under `src/` left out unless `--files` names them: chain stand-ins, harness-only code, interfaces.
pub const EXCLUDED_BY_DEFAULT: [&str; 3] = ["src/chain/", "src/harness/", "src/interfaces/"];

/// The mutate command's settings.
#[derive(Debug, Clone)]
pub struct MutateOptions {
    /// Globs of files to mutate, relative to the suite's root (default: `src/**/*.sol` but
    /// [`EXCLUDED_BY_DEFAULT`]).
    pub files: Vec<String>,
    /// Only lines changed since this git revision.
    pub since: Option<String>,
    /// Only mutants whose id contains one of these (applied after `limit` sampled the selection).
    pub filter: Vec<String>,
    /// Campaign budget per mutant.
    pub budget: Budget,
    /// Mutants run at once.
    pub jobs: usize,
    /// Campaign seed.
    pub seed: u64,
    /// Output folder.
    pub out: PathBuf,
    /// At most this many mutants, spread evenly over the files (and `since`) selection.
    pub limit: Option<usize>,
    /// Exit 1 below this score (percent).
    pub min_score: Option<f64>,
    /// Pools in the world.
    pub pools: usize,
    /// Longest sequence.
    pub depth: usize,
    /// Print the mutants and stop.
    pub list: bool,
    /// Run survivors (and timeouts) again, and keep every other earlier result of the same suite, mutant,
    /// budget and seed even when poolguard changed since: after an invariant was added or strengthened.
    pub rerun_survivors: bool,
}

/// A result kept on disk, with the keys that say it still applies.
#[derive(Debug, Serialize, Deserialize)]
struct Saved {
    /// The suite's sources, the mutant, the budget, the seed, pools and depth.
    key: String,
    /// The poolguard executable that ran it.
    harness: String,
    result: MutantResult,
}

/// The mutate command on the suite at `contracts`. Returns whether the run fails (a score below `min_score`).
pub fn mutate(contracts: &Path, options: &MutateOptions) -> anyhow::Result<bool> {
    let started = Instant::now();
    if options.jobs == 0 {
        bail!("--jobs must be at least 1");
    }
    if options.depth == 0 {
        bail!("--depth must be at least 1");
    }
    if let Some(score) = options.min_score {
        if !(0.0..=100.0).contains(&score) {
            bail!("--min-score is a percentage (0 to 100), got {score}");
        }
    }
    let root = fs::canonicalize(contracts_root(contracts))
        .with_context(|| format!("the suite {} does not exist", contracts.display()))?;
    let compiler = SuiteCompiler::new(&root);
    let mutants = select(&root, &compiler, options)?;
    if options.list {
        for m in &mutants {
            println!("{}\t{}", m.id, m.to_variant().description);
        }
        eprintln!("{} mutants", mutants.len());
        return Ok(false);
    }
    if mutants.is_empty() {
        bail!(
            "no mutant to run: the selection (--files, --since, --filter) matches no mutable code"
        );
    }
    fs::create_dir_all(&options.out)
        .with_context(|| format!("creating {}", options.out.display()))?;
    // A run that was killed leaves its copies behind.
    let _ = fs::remove_dir_all(options.out.join("work"));
    for m in &mutants {
        let path = variant_path(&options.out, m);
        let json = serde_json::to_vec_pretty(&m.to_variant())?;
        if fs::read(&path).ok().as_deref() != Some(&json[..]) {
            write_atomic(&path, &json).with_context(|| format!("writing {}", path.display()))?;
        }
    }

    eprintln!("compiling the suite and checking that the campaign is clean on it");
    let artifacts = compiler.compile().context("compiling the suite")?;
    let fingerprint = CodeFingerprint::of(&artifacts);
    let settings = RunSettings {
        root: root.clone(),
        out: options.out.clone(),
        budget: options.budget,
        seed: options.seed,
        pools: options.pools,
        depth: options.depth,
    };
    let sources_key = sources_key(&root)?;
    // The harness itself decides results too: a rebuilt poolguard (a new invariant, say) runs them again.
    let harness_key = std::env::current_exe()
        .and_then(fs::read)
        .map(|bytes| alloy_primitives::keccak256(bytes).to_string())
        .unwrap_or_default();
    let key_of = |m: &Mutant| {
        let text = format!(
            "{sources_key}\n{:?}\n{}\n{}\n{}\n{}\n{}",
            settings.budget,
            settings.seed,
            settings.pools,
            settings.depth,
            serde_json::to_string(&m.edit).unwrap_or_default(),
            env!("CARGO_PKG_VERSION")
        );
        alloy_primitives::keccak256(text.as_bytes()).to_string()
    };
    let mut results: BTreeMap<String, MutantResult> = BTreeMap::new();
    let mut todo = Vec::new();
    for m in &mutants {
        let reusable = load_saved(&options.out, m).filter(|saved| {
            let survivor = matches!(
                saved.result.outcome,
                Outcome::Survived { .. } | Outcome::TimedOut { .. }
            );
            saved.key == key_of(m)
                && if options.rerun_survivors {
                    !survivor
                } else {
                    saved.harness == harness_key
                }
        });
        match reusable {
            Some(saved) => {
                results.insert(m.id.clone(), saved.result);
            }
            None => todo.push(m),
        }
    }
    if !results.is_empty() {
        eprintln!(
            "{} of {} mutants already have results in {} (same suite, poolguard, budget and seed); running the other {}",
            results.len(),
            mutants.len(),
            options.out.join("results").display(),
            todo.len()
        );
    }
    if !todo.is_empty() {
        baseline_is_clean(contracts, &artifacts, &settings)?;
    }

    let stop = crate::engine::fuzz::interrupt_flag();
    let next = AtomicUsize::new(0);
    let results = Mutex::new(results);
    let errors = Mutex::new(Vec::new());
    let bar = ProgressBar::new(todo.len() as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} mutants, eta {eta} {msg}",
        )
        .expect("template"),
    );
    let announce = |line: String| {
        if bar.is_hidden() {
            eprintln!("{line}");
        } else {
            bar.println(line);
        }
    };
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.min(todo.len().max(1)) {
            scope.spawn(|| loop {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(m) = todo.get(i) else {
                    break;
                };
                let began = Instant::now();
                let variant = variant_path(&options.out, m);
                match run_mutant(&settings, &fingerprint, m, &variant, &stop) {
                    Ok(Some(outcome)) => {
                        let result =
                            MutantResult::new(m, variant, began.elapsed().as_secs_f64(), outcome);
                        announce(format!(
                            "[{}/{}] {} {}",
                            i + 1,
                            todo.len(),
                            m.id,
                            describe(&result.outcome)
                        ));
                        let saved = Saved {
                            key: key_of(m),
                            harness: harness_key.clone(),
                            result: result.clone(),
                        };
                        let path = result_path(&options.out, m);
                        if let Err(e) = serde_json::to_vec_pretty(&saved)
                            .map_err(std::io::Error::other)
                            .and_then(|json| write_atomic(&path, &json))
                        {
                            errors
                                .lock()
                                .expect("errors")
                                .push(format!("{}: {e}", path.display()));
                        }
                        let mut all = results.lock().expect("results");
                        all.insert(m.id.clone(), result);
                        let counts = MutationReport::build(
                            root.clone(),
                            String::new(),
                            0,
                            &mutants,
                            &all,
                            0.0,
                        )
                        .totals;
                        bar.set_message(format!(
                            "· {} killed, {} survived, {} equivalent, {} not compiling",
                            counts.killed, counts.survived, counts.equivalent, counts.not_compiling
                        ));
                        bar.inc(1);
                    }
                    Ok(None) => break,
                    // Ctrl-C reaches solc too, so a compile it cut short fails: that mutant did not run (it stays
                    // pending, and the same command runs it next time) rather than fail.
                    Err(e) if stop.load(Ordering::SeqCst) => {
                        tracing::debug!(target: "poolguard::mutate", mutant = %m.id, "cut short by the interrupt: {e:#}");
                        break;
                    }
                    Err(e) => {
                        errors
                            .lock()
                            .expect("errors")
                            .push(format!("{}: {e:#}", m.id));
                        bar.inc(1);
                    }
                }
            });
        }
    });
    bar.finish_and_clear();
    let results = results.into_inner().expect("results");
    let errors = errors.into_inner().expect("errors");
    let report = MutationReport::build(
        root.clone(),
        budget_text(&options.budget),
        options.seed,
        &mutants,
        &results,
        started.elapsed().as_secs_f64(),
    );
    let base = std::env::current_dir().unwrap_or_default();
    report
        .write(&options.out, &base)
        .with_context(|| format!("writing the report into {}", options.out.display()))?;
    print!("{}", report.summary_text());
    println!(
        "\nmutation score: {} · report: {} (and mutants.html, mutants.sarif) · {:.0} s",
        report
            .score
            .map_or("no mutant ran".to_owned(), |s| format!("{s:.1}%")),
        options.out.join("mutants.json").display(),
        started.elapsed().as_secs_f64()
    );
    let survivors: Vec<&MutantResult> = report
        .mutants
        .iter()
        .filter(|m| {
            matches!(
                m.outcome,
                Outcome::Survived { .. } | Outcome::TimedOut { .. }
            )
        })
        .collect();
    if !survivors.is_empty() {
        println!("survivors (each with the command that runs the campaign on it):");
        for m in survivors {
            println!("  {}  {}", m.id, report.reproduce(m));
        }
    }
    for e in &errors {
        eprintln!("error: {e}");
    }
    if report.totals.pending > 0 {
        eprintln!(
            "interrupted: {} mutants did not run; the same command continues where this one stopped",
            report.totals.pending
        );
    }
    if !errors.is_empty() {
        bail!("{} mutants could not be run", errors.len());
    }
    Ok(options
        .min_score
        .is_some_and(|min| report.score.is_some_and(|s| s < min)))
}

/// The mutants the options select, in id order.
fn select(
    root: &Path,
    compiler: &SuiteCompiler,
    options: &MutateOptions,
) -> anyhow::Result<Vec<Mutant>> {
    let patterns = options
        .files
        .iter()
        .map(|g| glob::Pattern::new(g).with_context(|| format!("--files {g:?} is not a glob")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let wanted = |file: &str| {
        if patterns.is_empty() {
            file.starts_with("src/") && !EXCLUDED_BY_DEFAULT.iter().any(|d| file.starts_with(d))
        } else {
            patterns.iter().any(|p| p.matches(file))
        }
    };
    let changed = options
        .since
        .as_deref()
        .map(|rev| changed_lines(root, rev))
        .transpose()?;
    let asts = compiler
        .source_asts()
        .context("reading the suite's syntax trees (solc)")?;
    let mut mutants = Vec::new();
    for (path, ast) in &asts {
        let file = path.to_string_lossy().replace('\\', "/");
        if !wanted(&file) {
            continue;
        }
        let text = fs::read_to_string(root.join(path))
            .with_context(|| format!("reading {}", root.join(path).display()))?;
        for m in mutants_of(&file, &text, ast) {
            if let Some(changed) = &changed {
                let last = m.line + m.original.matches('\n').count();
                let touched = changed
                    .get(&file)
                    .is_some_and(|lines| lines.range(m.line..=last).next().is_some());
                if !touched {
                    continue;
                }
            }
            mutants.push(m);
        }
    }
    if let Some(limit) = options.limit {
        if mutants.len() > limit {
            // Evenly spaced, so that a sample covers every file and operator.
            let n = mutants.len();
            mutants = (0..limit).map(|i| mutants[i * n / limit].clone()).collect();
        }
    }
    // After the sample, so that some of a sampled run's mutants can be run again by id.
    if !options.filter.is_empty() {
        mutants.retain(|m| options.filter.iter().any(|f| m.id.contains(f.as_str())));
    }
    Ok(mutants)
}

/// The campaign must be clean on the suite itself (at `contracts`, as given), or every mutant would look killed.
fn baseline_is_clean(
    contracts: &Path,
    artifacts: &crate::compile::Artifacts,
    settings: &RunSettings,
) -> anyhow::Result<()> {
    use crate::engine::campaign::{run_campaign, CampaignConfig};
    use crate::world::{World, WorldConfig};
    let world = World::deploy(
        artifacts,
        WorldConfig {
            pools: settings.pools,
            ..WorldConfig::default()
        },
    )
    .context("deploying the suite")?;
    let report = run_campaign(
        &world,
        &CampaignConfig {
            seed: settings.seed,
            budget: settings.budget,
            depth: settings.depth,
            stop_on_first_violation: true,
            ..CampaignConfig::default()
        },
        &|_| {},
    );
    if let Some(f) = report.findings.values().next() {
        bail!(
            "the campaign violates {} on the suite itself ({}), so it cannot judge mutants; run `{}` and fix that \
             first",
            f.invariant,
            f.message,
            crate::compile::poolguard_command(contracts, &["fuzz"])
        );
    }
    Ok(())
}

/// A hash of every file under `root/src`.
fn sources_key(root: &Path) -> anyhow::Result<String> {
    fn collect(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) -> std::io::Result<()> {
        for entry in fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                collect(&path, out)?;
            } else {
                out.push((path.clone(), fs::read(&path)?));
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    collect(&root.join("src"), &mut files).context("reading the suite's sources")?;
    files.sort();
    let mut all = Vec::new();
    for (path, bytes) in files {
        all.extend(
            path.strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .as_bytes(),
        );
        all.push(0);
        all.extend(bytes);
        all.push(0);
    }
    Ok(alloy_primitives::keccak256(&all).to_string())
}

fn result_path(out: &Path, m: &Mutant) -> PathBuf {
    out.join("results").join(format!("{}.json", m.slug()))
}

fn load_saved(out: &Path, m: &Mutant) -> Option<Saved> {
    serde_json::from_slice(&fs::read(result_path(out, m)).ok()?).ok()
}

fn budget_text(budget: &Budget) -> String {
    match budget {
        Budget::Runs(n) => format!("{n} runs"),
        Budget::Duration(d) => format!("{}s", d.as_secs_f64()),
    }
}

fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Killed {
            invariant,
            elapsed_ms,
            shrunk_length,
            ..
        } => format!(
            "killed by {invariant} after {:.1} s ({shrunk_length} steps)",
            Duration::from_millis(*elapsed_ms).as_secs_f64()
        ),
        Outcome::Survived { runs, .. } => format!("survived {runs} runs"),
        Outcome::TimedOut { elapsed_ms } => {
            format!("timed out after {:.0} s", *elapsed_ms as f64 / 1000.0)
        }
        Outcome::Equivalent => "equivalent (same code)".to_owned(),
        Outcome::NotCompiling { error } => format!("does not compile: {error}"),
    }
}
