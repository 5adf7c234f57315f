//! `poolguard`: compile the staking-pool suite, deploy it into revm, fuzz it against the invariant catalog.
//!
//! Exit codes: 0 clean, 1 a violation was found (or reproduced), 2 usage, configuration or compile error.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use poolguard::compile::SuiteCompiler;
use poolguard::engine::corpus::load_sequences;
use poolguard::engine::Finding;
use poolguard::engine::{
    run_campaign, run_sequence, Budget, CampaignConfig, Progress, RunOptions, StopOn,
};
use poolguard::observe::Observer;
use poolguard::variants::{find_variant, load_variants};
use poolguard::world::{World, WorldConfig};
use poolguard_invariants::CATALOG;

#[derive(Parser, Debug)]
#[command(
    name = "poolguard",
    version,
    about = "Security harness for a Berachain-style liquid-staking suite"
)]
struct Cli {
    /// The Solidity project (Foundry layout).
    #[arg(long, global = true, default_value = "contracts")]
    contracts: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a coverage-guided stateful fuzz campaign against every invariant.
    Fuzz(FuzzArgs),
    /// Re-execute a finding (or sequence) file, or a libFuzzer crash file, and print a decoded, step-by-step trace.
    Replay {
        /// Finding or sequence JSON, or a raw libFuzzer input (anything that is not JSON).
        file: PathBuf,
        /// The libFuzzer target a raw input comes from (its alphabet): sequence or oracle.
        #[arg(long, default_value = "sequence")]
        target: poolguard::fuzzinput::Alphabet,
        /// Replay on this broken variant (default: the variant the finding records, else the suite itself).
        #[arg(long)]
        variant: Option<String>,
    },
    /// Convert between libFuzzer inputs and readable sequence JSON (see fuzz/README.md).
    #[command(subcommand)]
    Corpus(CorpusCommand),
    /// Print the invariant catalog.
    Invariants,
    /// Prove the suite's arithmetic with z3 (share conversion, inflation, fees, withdrawals); exit 1 unless all proved.
    Prove {
        /// Also run the negative controls (each must yield a counterexample).
        #[arg(long)]
        controls: bool,
        /// Per-query solver timeout, e.g. 20s.
        #[arg(long, value_parser = parse_duration, default_value = "20s")]
        timeout: Duration,
    },
    /// List the broken variants of the suite (one per invariant).
    Variants,
    /// CI security gate: replay saved findings as regressions, run a bounded campaign (fixed seed), write JUnit,
    /// SARIF, LCOV and an HTML report; exit 1 on any violation.
    Gate(GateArgs),
    /// Turn a finding into a reproducer that runs without poolguard: a Foundry test or a `cast` script for anvil.
    #[command(group(clap::ArgGroup::new("format").required(true)))]
    Export {
        /// Write a Foundry test (`.t.sol`) replaying FINDING.
        #[arg(long, group = "format", value_name = "FINDING")]
        foundry: Option<PathBuf>,
        /// Write a bash script of `cast` commands (and the anvil genesis it starts from) replaying FINDING.
        #[arg(long, group = "format", value_name = "FINDING")]
        cast: Option<PathBuf>,
        /// Output: the `.t.sol` file (default <suite>/test/findings/<ID>.t.sol), or the script's folder (default
        /// poolguard-cast-<ID>/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Plan the transactions on this broken variant (default: the variant the finding records, else the suite
        /// itself).
        #[arg(long)]
        variant: Option<String>,
    },
    /// The peer benchmark (BENCHMARKS.md): calls/s against forge, time to violation on every broken variant
    /// against forge, the harness against a raw revm replay, 1 against 2 workers.
    Bench(BenchArgs),
    /// Deploy the world and print every address (contracts, pools, actors in caller-index order) as JSON.
    World {
        /// Pools created through the factory.
        #[arg(long, default_value_t = 2)]
        pools: usize,
    },
}

#[derive(Subcommand, Debug)]
enum CorpusCommand {
    /// A libFuzzer input (or a folder of them) → sequence JSON (or a folder of `<name>.json`).
    Import {
        /// libFuzzer input file or corpus folder.
        from: PathBuf,
        /// Sequence JSON file, or folder.
        to: PathBuf,
        /// The libFuzzer target the inputs belong to: sequence or oracle.
        #[arg(long, default_value = "sequence")]
        target: poolguard::fuzzinput::Alphabet,
    },
    /// A finding or sequence JSON (or a folder of them) → a libFuzzer input (or a folder of inputs).
    Export {
        /// Finding or sequence JSON file, or folder.
        from: PathBuf,
        /// libFuzzer input file, or corpus folder.
        to: PathBuf,
        /// The libFuzzer target the inputs are for: sequence or oracle.
        #[arg(long, default_value = "sequence")]
        target: poolguard::fuzzinput::Alphabet,
    },
}

fn corpus(command: CorpusCommand) -> Result<ExitCode> {
    let (done, verb) = match command {
        CorpusCommand::Import { from, to, target } => (
            poolguard::fuzzinput::import(&from, &to, target)?,
            "imported",
        ),
        CorpusCommand::Export { from, to, target } => (
            poolguard::fuzzinput::export(&from, &to, target)?,
            "exported",
        ),
    };
    for note in &done.skipped {
        eprintln!("note: {note}");
    }
    println!("{verb} {} file(s)", done.written.len());
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args, Debug)]
struct FuzzArgs {
    /// RNG seed (same seed, workers and --runs: same findings).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Worker threads.
    #[arg(long, default_value_t = 1)]
    workers: usize,
    /// Time budget, e.g. 60s, 5m, 1h (default 60s unless --runs is given).
    #[arg(long, value_parser = parse_duration, conflicts_with = "runs")]
    duration: Option<Duration>,
    /// Number of sequences to run.
    #[arg(long)]
    runs: Option<u64>,
    /// Longest sequence.
    #[arg(long, default_value_t = 40)]
    depth: usize,
    /// Pools created through the factory.
    #[arg(long, default_value_t = 2)]
    pools: usize,
    /// Where coverage-increasing sequences are kept and resumed from.
    #[arg(long, default_value = "corpus/coverage")]
    corpus: PathBuf,
    /// Where findings are written (default corpus/findings, or corpus/findings/variants/NAME with --variant, which
    /// the gate does not replay as regressions of the suite).
    #[arg(long)]
    findings: Option<PathBuf>,
    /// Keep nothing on disk.
    #[arg(long)]
    no_save: bool,
    /// Fuzz a broken variant of the suite (see `poolguard variants`) instead of the suite itself.
    #[arg(long)]
    variant: Option<String>,
}

#[derive(clap::Args, Debug)]
struct BenchArgs {
    /// Time budget of each throughput run (poolguard 1 and 2 workers, forge).
    #[arg(long, value_parser = parse_duration, default_value = "30s")]
    duration: Duration,
    /// Time budget per variant and seed for the time-to-violation runs.
    #[arg(long, value_parser = parse_duration, default_value = "120s")]
    budget: Duration,
    /// Seeds per variant (medians are taken over them).
    #[arg(long, default_value_t = 3)]
    seeds: u64,
    /// Only these variants (comma-separated names); default all.
    #[arg(long, value_delimiter = ',')]
    variants: Vec<String>,
    /// Sequences in the harness-versus-raw-revm stream.
    #[arg(long, default_value_t = 300)]
    replay_sequences: usize,
    /// Leave forge out (poolguard's figures only).
    #[arg(long)]
    skip_forge: bool,
    /// Leave the time-to-violation part out.
    #[arg(long)]
    skip_variants: bool,
    /// Also write every figure as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
struct GateArgs {
    /// RNG seed (fixed by default, so the gate is reproducible).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Worker threads.
    #[arg(long, default_value_t = 1)]
    workers: usize,
    /// Time budget of the campaign, e.g. 60s, 5m (instead of --runs).
    #[arg(long, value_parser = parse_duration, conflicts_with = "runs")]
    duration: Option<Duration>,
    /// Sequences the campaign runs (default 1000 unless --duration is given).
    #[arg(long)]
    runs: Option<u64>,
    /// Longest sequence.
    #[arg(long, default_value_t = 40)]
    depth: usize,
    /// Folders of saved findings / regressions replayed before the campaign; a folder given here must exist.
    /// Default: corpus/findings and corpus/regressions, each skipped when missing (a fresh clone has no findings).
    #[arg(long = "regressions")]
    regressions: Vec<PathBuf>,
    /// Where the reports go: junit.xml, results.sarif, lcov.info, report.html, findings/.
    #[arg(long, default_value = "poolguard-report")]
    out: PathBuf,
    /// Skip the per-line coverage replay (no lcov.info; the HTML report has no coverage section).
    #[arg(long)]
    no_coverage: bool,
    /// Also fail when a state-changing function of the suite's `src/` never executed successfully in the
    /// campaign, unless entry-points.toml lists it as unreachable (entry-points.json lists them either way)
    #[arg(long)]
    require_entry_coverage: bool,
    /// Gate a broken variant of the suite (see `poolguard variants`) instead of the suite itself.
    #[arg(long)]
    variant: Option<String>,
}

fn parse_duration(text: &str) -> std::result::Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("not a duration: {text:?} (try 60s, 5m, 1h)"))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        _ => return Err(format!("unknown unit {unit:?} in {text:?} (use s, m or h)")),
    };
    Ok(Duration::from_secs(secs))
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Prove { controls, timeout } => prove(controls, timeout),
        Command::Invariants => {
            print_catalog();
            Ok(ExitCode::SUCCESS)
        }
        Command::Variants => {
            let root = contracts_root(&cli.contracts);
            for v in load_variants(&root.join("variants"))? {
                println!("{:<40} {:<11} {}", v.name, v.invariant, v.description);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Fuzz(args) => {
            let contracts = suite_root(&cli.contracts, args.variant.as_deref())?;
            fuzz(&contracts, args)
        }
        Command::Gate(args) => gate(&cli.contracts, args),
        Command::Bench(args) => bench(&cli.contracts, args),
        Command::Export {
            foundry,
            cast,
            out,
            variant,
        } => export(&cli.contracts, foundry, cast, out, variant.as_deref()),
        Command::World { pools } => {
            let world = build_world(&cli.contracts, pools)?;
            println!("{}", serde_json::to_string_pretty(&world.manifest())?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Replay {
            file,
            target,
            variant,
        } => replay(&cli.contracts, &file, target, variant.as_deref()),
        Command::Corpus(command) => corpus(command),
    }
}

fn contracts_root(given: &Path) -> PathBuf {
    if given.exists() || given.is_absolute() {
        return given.to_path_buf();
    }
    let fallback = Path::new(env!("CARGO_MANIFEST_DIR")).join(given);
    if fallback.exists() {
        fallback
    } else {
        given.to_path_buf()
    }
}

fn build_world(contracts: &Path, pools: usize) -> Result<World> {
    Ok(build_world_with_artifacts(contracts, pools)?.0)
}

fn build_world_with_artifacts(
    contracts: &Path,
    pools: usize,
) -> Result<(World, poolguard::compile::Artifacts)> {
    if pools == 0 {
        bail!("--pools must be at least 1");
    }
    let root = contracts_root(contracts);
    let started = Instant::now();
    let compiler = SuiteCompiler::new(&root);
    let artifacts = compiler
        .compile()
        .with_context(|| format!("compiling {}", root.display()))?;
    eprintln!(
        "compiled {} ({}) in {:.1?}",
        root.display(),
        if artifacts.compiled_fresh() {
            "solc ran"
        } else {
            "cached"
        },
        started.elapsed()
    );
    let world = World::deploy(
        &artifacts,
        WorldConfig {
            pools,
            ..WorldConfig::default()
        },
    )
    .context("deploying the suite")?;
    let actors = world.actors.all().len();
    if actors > usize::from(u8::MAX) + 1 {
        bail!(
            "--pools {pools} gives {actors} actors, but a step names its caller in one byte (at most 256): use fewer pools"
        );
    }
    Ok((world, artifacts))
}

/// The suite to work on: `contracts`, or the materialized broken variant `variant` of it.
fn suite_root(contracts: &Path, variant: Option<&str>) -> Result<PathBuf> {
    let Some(name) = variant else {
        return Ok(contracts_root(contracts));
    };
    let root = contracts_root(contracts);
    // A variant links the suite's node_modules: install them first (a fresh clone has none yet).
    SuiteCompiler::new(&root)
        .ensure_toolchain()
        .with_context(|| format!("preparing {}", root.display()))?;
    let variant = find_variant(&root.join("variants"), name)?;
    eprintln!(
        "variant {name}: {} (breaks {})",
        variant.description, variant.invariant
    );
    Ok(variant.materialize(&root, &root.join(".poolguard").join("variants"))?)
}

/// A flag that the first SIGINT (Ctrl-C) sets, so that a campaign stops after its run in progress and reports;
/// a second SIGINT exits at once (130). Without a handler (none could be installed) the flag never sets.
fn interrupt_flag() -> std::sync::Arc<std::sync::atomic::AtomicBool> {
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

/// The variant to rebuild for `finding`: the one asked for, else the one the finding records. Says so when both are
/// given and differ.
fn finding_variant<'a>(finding: &'a Finding, asked: Option<&'a str>) -> Option<&'a str> {
    if let (Some(asked), Some(recorded)) = (asked, finding.variant.as_deref()) {
        if asked != recorded {
            eprintln!("warning: the finding was made on variant {recorded}; using --variant {asked} as asked");
        }
    }
    asked.or(finding.variant.as_deref())
}

/// Warns when the world's bytecode is not the one `finding` was made on (its `suite` hash).
fn warn_if_other_suite(finding: &Finding, world: &World) {
    let here = world.suite_hash();
    if !finding.suite.is_empty() && finding.suite != here {
        eprintln!(
            "warning: the finding was made on suite {} but this suite's bytecode hashes to {here}: the contracts \
             changed since (or another variant is needed); the replay may differ",
            finding.suite
        );
    }
}

fn bench(contracts: &Path, args: BenchArgs) -> Result<ExitCode> {
    use poolguard::bench::forge::Forge;
    use poolguard::bench::{campaign_throughput, median, replay_comparison, time_to_violation};
    let root = contracts_root(contracts);
    let world = build_world(&root, 2)?;
    let forge = if args.skip_forge {
        None
    } else {
        Some(Forge::from_suite(&root)?)
    };
    let mut json = serde_json::Map::new();
    let secs = |d: Duration| d.as_secs_f64();
    let started = Instant::now();
    println!("# poolguard peer benchmark\n");
    println!(
        "poolguard {}, {} logical CPUs, {}\n",
        env!("CARGO_PKG_VERSION"),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::env::consts::ARCH
    );

    eprintln!("[bench] poolguard, 1 worker, {:?}", args.duration);
    let one = campaign_throughput(&world, 1, args.duration, 1);
    eprintln!("[bench] poolguard, 2 workers, {:?}", args.duration);
    let two = campaign_throughput(&world, 2, args.duration, 1);
    eprintln!(
        "[bench] harness vs raw revm, {} sequences",
        args.replay_sequences
    );
    let replay = replay_comparison(&world, args.replay_sequences, 40, 7, 3);
    let forge_run = match &forge {
        Some(forge) => {
            eprintln!("[bench] forge build");
            let build = forge.build(&root)?;
            eprintln!(
                "[bench] forge invariant_all, {:?} (built in {build:.1?})",
                args.duration
            );
            Some(forge.invariant(
                &root,
                "PoolguardAllInvariants",
                "invariant_all",
                1,
                args.duration,
                40,
            )?)
        }
        None => None,
    };
    println!(
        "## Throughput (correct suite, {} s each)\n",
        secs(args.duration)
    );
    println!("| run | calls | time (s) | calls/s | ratio |\n| --- | ---: | ---: | ---: | ---: |");
    println!(
        "| poolguard, 1 worker | {} | {:.1} | {:.0} | 1.00 |",
        one.calls,
        secs(one.elapsed),
        one.rate()
    );
    println!(
        "| poolguard, 2 workers | {} | {:.1} | {:.0} | {:.2} (goal ≥ 1.8) |",
        two.calls,
        secs(two.elapsed),
        two.rate(),
        two.rate() / one.rate()
    );
    if let Some(f) = &forge_run {
        println!(
            "| forge invariant_all (all 29 checks per call), 1 thread | {} | {:.1} | {:.0} | poolguard/forge = {:.1} (goal ≥ 5) |",
            f.calls,
            secs(f.test_time),
            f.rate(),
            one.rate() / f.rate().max(1e-9)
        );
    }
    let raw_rate = replay.calls as f64 / secs(replay.raw).max(1e-9);
    let harness_rate = replay.calls as f64 / secs(replay.harness).max(1e-9);
    println!(
        "\n## Harness against raw revm ({} calls, same stream, best of 3)\n\n| | time (s) | calls/s |\n| --- | ---: | ---: |\n\
         | raw revm replay (roll + commit) | {:.2} | {:.0} |\n| poolguard harness (coverage, events, observation, 29 checks) | {:.2} | {:.0} |\n\
         | ratio harness/raw | | {:.2} (goal ≥ 0.5) |",
        replay.calls,
        secs(replay.raw),
        raw_rate,
        secs(replay.harness),
        harness_rate,
        replay.ratio()
    );
    json.insert("poolguard_1_worker".into(), serde_json::to_value(one)?);
    json.insert("poolguard_2_workers".into(), serde_json::to_value(two)?);
    json.insert("replay".into(), serde_json::to_value(replay)?);
    json.insert("forge_throughput".into(), serde_json::to_value(&forge_run)?);

    if !args.skip_variants {
        let mut rows = Vec::new();
        let variants = load_variants(&root.join("variants"))?;
        let chosen: Vec<_> = variants
            .into_iter()
            .filter(|v| args.variants.is_empty() || args.variants.contains(&v.name))
            .collect();
        println!(
            "\n## Time to first violation ({} s budget per run, seeds 1..={}, medians; forge without shrinking)\n",
            secs(args.budget),
            args.seeds
        );
        println!("| variant | invariant | poolguard runs (s) | poolguard median | forge runs (s) | forge median | forge/poolguard (goal ≥ 10) |");
        println!("| --- | --- | --- | ---: | --- | ---: | ---: |");
        for variant in &chosen {
            let suite = variant.materialize(&root, &root.join(".poolguard").join("variants"))?;
            let vworld = build_world(&suite, 2)?;
            let mut ours = Vec::new();
            for seed in 1..=args.seeds {
                eprintln!("[bench] {} seed {seed}: poolguard", variant.name);
                ours.push(time_to_violation(
                    &vworld,
                    &variant.invariant,
                    seed,
                    args.budget,
                ));
            }
            let mut theirs = Vec::new();
            if let Some(forge) = &forge {
                forge.build(&suite)?;
                let test = format!("invariant_{}", variant.invariant.replace('-', "_"));
                for seed in 1..=args.seeds {
                    eprintln!("[bench] {} seed {seed}: forge", variant.name);
                    let run = forge.invariant(
                        &suite,
                        "PoolguardInvariantTest",
                        &test,
                        seed,
                        args.budget,
                        40,
                    )?;
                    theirs.push((!run.passed).then_some(run.test_time));
                }
            }
            let show = |times: &[Option<Duration>]| {
                times
                    .iter()
                    .map(|t| t.map_or("miss".to_string(), |d| format!("{:.2}", secs(d))))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let (m_ours, m_theirs) = (median(&ours), median(&theirs));
            let ratio = match (m_ours, m_theirs) {
                (Some(a), Some(b)) => format!("{:.2}", secs(b) / secs(a).max(1e-3)),
                (Some(_), None) if forge.is_some() => "forge missed".into(),
                _ => "-".into(),
            };
            println!(
                "| {} | {} | {} | {} | {} | {} | {ratio} |",
                variant.name,
                variant.invariant,
                show(&ours),
                m_ours.map_or("miss".into(), |d| format!("{:.2}", secs(d))),
                if forge.is_some() {
                    show(&theirs)
                } else {
                    "-".into()
                },
                m_theirs.map_or(
                    if forge.is_some() {
                        "miss".into()
                    } else {
                        "-".into()
                    },
                    |d| format!("{:.2}", secs(d))
                ),
            );
            rows.push(serde_json::json!({
                "variant": variant.name,
                "invariant": variant.invariant,
                "poolguard_s": ours.iter().map(|t| t.map(secs)).collect::<Vec<_>>(),
                "forge_s": theirs.iter().map(|t| t.map(secs)).collect::<Vec<_>>(),
            }));
        }
        json.insert("time_to_violation".into(), rows.into());
    }
    println!("\nbench finished in {:.0} s", secs(started.elapsed()));
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_vec_pretty(&json)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn export(
    contracts: &Path,
    foundry: Option<PathBuf>,
    cast: Option<PathBuf>,
    out: Option<PathBuf>,
    variant: Option<&str>,
) -> Result<ExitCode> {
    use poolguard::report::calldata::CalldataDecoder;
    use poolguard::report::{cast as cast_script, foundry as foundry_test, plan_sequence};
    let file = foundry
        .as_ref()
        .or(cast.as_ref())
        .context("nothing to export")?;
    // The error names the file already.
    let finding = Finding::load(file)?;
    let root = suite_root(contracts, finding_variant(&finding, variant))?;
    let (mut world, artifacts) = build_world_with_artifacts(&root, finding.pools.max(1))?;
    warn_if_other_suite(&finding, &world);
    finding
        .check_indices(&world)
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    // A reproducer of a suite on which the finding does not reproduce would pass for the wrong reason.
    if !finding.invariant.is_empty() {
        let observer = Observer::new(&world);
        let result = run_sequence(
            &mut world,
            &observer,
            &finding.sequence,
            &StopOn::Never,
            RunOptions::BARE,
        );
        if !result
            .violations
            .iter()
            .any(|v| v.invariant == finding.invariant)
        {
            bail!(
                "{} does not reproduce on {} (the finding was made on {}); nothing exported. Pass --variant NAME \
                 for the suite it was found on",
                finding.invariant,
                root.display(),
                finding.variant.as_deref().map_or("the suite itself".to_string(), |v| format!("variant {v}"))
            );
        }
    }
    let decoder = CalldataDecoder::new(&artifacts);
    let (steps, _) = plan_sequence(&mut world, &finding.sequence, None);
    let id = if finding.invariant.is_empty() {
        "sequence".to_string()
    } else {
        finding.invariant.clone()
    };
    if foundry.is_some() {
        let path = out.unwrap_or_else(|| {
            root.join(foundry_test::EXPORT_DIR)
                .join(format!("{}.t.sol", foundry_test::contract_name(&finding)))
        });
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let text = foundry_test::render(&finding, &steps, &world, &decoder);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
        println!(
            "run it: cd {} && npx --no-install forge test --use ./solc-front.js --offline --match-contract {} -vv",
            root.display(),
            foundry_test::contract_name(&finding)
        );
    } else {
        let dir = out.unwrap_or_else(|| PathBuf::from(format!("poolguard-cast-{id}")));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let genesis = dir.join("genesis.json");
        std::fs::write(
            &genesis,
            serde_json::to_vec_pretty(&cast_script::genesis(&world))?,
        )
        .with_context(|| format!("writing {}", genesis.display()))?;
        let script = dir.join("replay.sh");
        let tools = root.join("node_modules").join(".bin");
        let tools = std::fs::canonicalize(&tools).unwrap_or(tools);
        let text = cast_script::render(&finding, &steps, &world, &decoder, "genesis.json", &tools);
        std::fs::write(&script, text).with_context(|| format!("writing {}", script.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
                .with_context(|| format!("making {} executable", script.display()))?;
        }
        println!("wrote {} and {}", script.display(), genesis.display());
        println!(
            "review it, then run: {} (--keep leaves anvil running for inspection)",
            script.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn gate(contracts: &Path, args: GateArgs) -> Result<ExitCode> {
    use poolguard::gate::{run_gate, GateConfig};
    use poolguard::report::{html, junit, sarif};
    if args.workers == 0 || args.depth == 0 || args.runs == Some(0) {
        bail!("--workers, --depth and --runs must be at least 1");
    }
    let regression_dirs = if args.regressions.is_empty() {
        ["corpus/findings", "corpus/regressions"]
            .into_iter()
            .map(PathBuf::from)
            .filter(|dir| dir.is_dir())
            .collect()
    } else {
        if let Some(missing) = args.regressions.iter().find(|dir| !dir.is_dir()) {
            bail!("--regressions {}: no such folder", missing.display());
        }
        args.regressions.clone()
    };
    let root = suite_root(contracts, args.variant.as_deref())?;
    let (world, artifacts) = build_world_with_artifacts(&root, 2)?;
    let findings_dir = args.out.join("findings");
    std::fs::create_dir_all(&findings_dir)
        .with_context(|| format!("creating {}", findings_dir.display()))?;
    let config = GateConfig {
        campaign: CampaignConfig {
            seed: args.seed,
            workers: args.workers,
            budget: match (args.runs, args.duration) {
                (Some(runs), _) => Budget::Runs(runs),
                (None, Some(d)) => Budget::Duration(d),
                (None, None) => Budget::Runs(1000),
            },
            depth: args.depth,
            findings_dir: Some(findings_dir),
            variant: args.variant.clone(),
            ..CampaignConfig::default()
        },
        regression_dirs,
        coverage: !args.no_coverage,
        suite_root: root.clone(),
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
    let summary = run_gate(&world, &artifacts, &config, &on_progress);

    let cwd = std::env::current_dir().context("current directory")?;
    let base = std::fs::canonicalize(&cwd).unwrap_or(cwd);
    let mut summary = summary;
    summary.suite_root = std::fs::canonicalize(&summary.suite_root).unwrap_or(summary.suite_root);
    let write = |name: &str, text: &str| -> Result<()> {
        let path = args.out.join(name);
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
    let title = args.variant.as_deref().unwrap_or("the staking-pool suite");
    write("report.html", &html::render(&summary, title))?;
    let entries = &summary.campaign.entries;
    write(
        "entry-points.json",
        &serde_json::to_string_pretty(&poolguard::report::entries::json(entries))
            .context("rendering entry points")?,
    )?;
    let never = poolguard::report::entries::never_succeeded(entries);

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
    for key in &never {
        println!("never executed successfully: {key} (entry-points.toml does not list it as unreachable)");
    }
    let uncovered = args.require_entry_coverage && !never.is_empty();
    Ok(if summary.failed() || uncovered {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn prove(controls: bool, timeout: Duration) -> Result<ExitCode> {
    use poolguard_invariants::smt::{negative_controls, prove_all, render_table, ProofResult};
    let started = Instant::now();
    let reports = prove_all(timeout);
    println!("{}", render_table(&reports));
    println!("{} properties in {:.1?}", reports.len(), started.elapsed());
    let mut ok = reports
        .iter()
        .all(|r| matches!(r.result, ProofResult::Proved));
    if controls {
        let controls = negative_controls(timeout);
        println!(
            "\nnegative controls (each must give a counterexample):\n{}",
            render_table(&controls)
        );
        ok &= controls
            .iter()
            .all(|r| matches!(r.result, ProofResult::Counterexample(_)));
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn print_catalog() {
    println!(
        "{:<11} {:<14} {:<36} statement",
        "id", "category", "broken variant"
    );
    for inv in CATALOG {
        println!(
            "{:<11} {:<14} {:<36} {}",
            inv.id,
            inv.category.to_string(),
            inv.broken_variant,
            inv.statement
        );
    }
}

fn fuzz(contracts: &Path, args: FuzzArgs) -> Result<ExitCode> {
    if args.workers == 0 {
        bail!("--workers must be at least 1");
    }
    if args.runs == Some(0) {
        bail!("--runs must be at least 1");
    }
    if args.depth == 0 {
        bail!("--depth must be at least 1");
    }
    let (world, artifacts) = build_world_with_artifacts(contracts, args.pools)?;
    let findings_dir = args.findings.clone().unwrap_or_else(|| {
        let base = PathBuf::from("corpus/findings");
        match &args.variant {
            Some(name) => base.join("variants").join(name),
            None => base,
        }
    });
    let budget = match (args.runs, args.duration) {
        (Some(runs), _) => Budget::Runs(runs),
        (None, Some(d)) => Budget::Duration(d),
        (None, None) => Budget::Duration(Duration::from_secs(60)),
    };
    let (seeds, bad) = if args.no_save {
        (Vec::new(), Vec::new())
    } else {
        load_sequences(&args.corpus)
    };
    for e in &bad {
        eprintln!("warning: skipping corpus file: {e}");
    }
    if !seeds.is_empty() {
        eprintln!(
            "resuming from {} corpus sequences in {}",
            seeds.len(),
            args.corpus.display()
        );
    }
    let config = CampaignConfig {
        seed: args.seed,
        workers: args.workers,
        budget,
        depth: args.depth,
        corpus_dir: (!args.no_save).then(|| args.corpus.clone()),
        findings_dir: (!args.no_save).then(|| findings_dir.clone()),
        seeds,
        variant: args.variant.clone(),
        interrupt: Some(interrupt_flag()),
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
                "{} runs, {} calls ({:.0} calls/s), {} edges, corpus {}, {} violations",
                p.runs,
                p.calls,
                p.calls as f64 / p.elapsed.as_secs_f64().max(1e-9),
                p.edges,
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

    let p = &report.progress;
    println!(
        "\n{} runs, {} calls in {:.1?}: {:.0} calls/s, {} edges, corpus {}, {} invariants violated",
        p.runs,
        p.calls,
        p.elapsed,
        p.calls as f64 / p.elapsed.as_secs_f64().max(1e-9),
        p.edges,
        p.corpus,
        report.findings.len()
    );
    println!("\n{:<26} {:>9} {:>9}", "action", "calls", "reverts");
    for (op, s) in &report.ops {
        println!("{op:<26} {:>9} {:>9}", s.calls, s.reverts);
    }
    println!("\n{}", poolguard::report::entries::table(&report.entries));
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
        println!("{:<11} {:>9}  {result}", inv.id, p.calls);
    }
    // Line coverage of the suite's sources by the final corpus (a replay under a pc tracer: about a second).
    let mut index = poolguard::sourcemap::SourceIndex::new(&artifacts, &contracts_root(contracts));
    let coverage = poolguard::coverage::collect(&mut world.clone(), &mut index, &report.corpus);
    let (lines, hit) = coverage.totals();
    println!(
        "\nline coverage of the suite: {hit} of {lines} lines ({:.1}%)",
        100.0 * hit as f64 / lines.max(1) as f64
    );
    for e in &report.write_errors {
        eprintln!("warning: {e}");
    }
    if report.findings.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        println!();
        for f in report.findings.values() {
            println!("{}: {}", f.invariant, f.message);
            let path = findings_dir.join(Finding::file_name(&f.invariant));
            if args.no_save {
                continue;
            }
            // Only a hint that works: the file must have been written (write errors were printed above).
            if path.is_file() {
                println!("    reproduce: poolguard replay {}", path.display());
            } else {
                println!("    not saved to {}: see the warning above", path.display());
            }
        }
        Ok(ExitCode::from(1))
    }
}

fn replay(
    contracts: &Path,
    file: &Path,
    target: poolguard::fuzzinput::Alphabet,
    variant: Option<&str>,
) -> Result<ExitCode> {
    // The error names the file already.
    let (finding, source) = poolguard::fuzzinput::load_replayable(file, target)?;
    if source == poolguard::fuzzinput::Source::LibFuzzer {
        eprintln!(
            "{}: a libFuzzer input ({target} target): {} actions",
            file.display(),
            finding.sequence.len()
        );
    }
    let root = suite_root(contracts, finding_variant(&finding, variant))?;
    let mut world = build_world(&root, finding.pools.max(1))?;
    warn_if_other_suite(&finding, &world);
    // libFuzzer bytes address actors and pools modulo their counts by design; a JSON file names them exactly.
    if source != poolguard::fuzzinput::Source::LibFuzzer {
        finding
            .check_indices(&world)
            .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    }
    let observer = Observer::new(&world);
    let result = run_sequence(
        &mut world,
        &observer,
        &finding.sequence,
        &StopOn::Never,
        RunOptions {
            collect_coverage: false,
            keep_trace: true,
        },
    );
    if !finding.invariant.is_empty() {
        println!("finding: {} — {}", finding.invariant, finding.statement);
    }
    for line in &result.trace {
        println!("{line}");
    }
    let reproduced = if finding.invariant.is_empty() {
        !result.violations.is_empty()
    } else {
        result
            .violations
            .iter()
            .any(|v| v.invariant == finding.invariant)
    };
    if result.violations.is_empty() {
        println!("\nno invariant violated");
    } else {
        println!();
        for v in &result.violations {
            println!("violated {} at step {}: {}", v.invariant, v.step, v.message);
        }
    }
    if !finding.invariant.is_empty() && !reproduced {
        println!("{} did NOT reproduce", finding.invariant);
    }
    Ok(if reproduced {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
