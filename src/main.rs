//! `poolguard`: compile the staking-pool suite, deploy it into revm, fuzz it against the invariant catalog.
//!
//! Exit codes: 0 clean, 1 a violation was found (or reproduced), 2 usage, configuration or compile error.
//!
//! This file only parses the arguments and dispatches: each command's body lives with its stage (see the
//! library's modules).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Result};
use clap::{Parser, Subcommand};
use poolguard::bench::BenchOptions;
use poolguard::compile::contracts_root;
use poolguard::engine::fuzz::FuzzOptions;
use poolguard::fuzzcorpus::Direction;
use poolguard::gate::GateOptions;
use poolguard::report::export::ExportFormat;
use poolguard::world::World;

/// mimalloc: a campaign allocates and frees many small values per call (calldata, logs, observations), and glibc's
/// allocator took about a tenth of a campaign's time (BENCHMARKS.md §38).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser, Debug)]
#[command(
    name = "poolguard",
    version,
    about = "Security harness for a Berachain-style liquid-staking suite"
)]
struct Cli {
    /// The Solidity project (Foundry layout).
    #[arg(long, global = true, default_value = poolguard::compile::DEFAULT_CONTRACTS)]
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
    #[cfg(feature = "smt")]
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
    /// An interactive session on the deployed world: run ops and ABI calls by any actor, check every invariant
    /// after each step, step through a finding, save what was done as a finding file.
    Console {
        /// A finding or sequence file to load and step through.
        file: Option<PathBuf>,
        /// Run on this broken variant (default: the loaded file's, else the suite itself).
        #[arg(long)]
        variant: Option<String>,
        /// Pools created through the factory (a loaded file says its own).
        #[arg(long, default_value_t = 2)]
        pools: usize,
        /// Run the commands in this file (one per line, `#` comments) instead of reading the terminal; stops
        /// at the first command that fails (exit 2).
        #[arg(long)]
        script: Option<PathBuf>,
    },
    /// The mutation score of the invariant catalog: generate mutants of the suite's Solidity from solc's AST, run
    /// the campaign on each within a budget, report which invariant killed each and where the survivors are
    /// (OUT/mutants.json, mutants.html, mutants.sarif); exit 1 below --min-score.
    Mutate(MutateArgs),
    /// Check the storage layout of every upgradeable implementation against the committed baseline
    /// (`storage-layout.json` in the suite's root): exit 1 when a variable moved, changed type or disappeared.
    Layout {
        /// Write the baseline from the suite as it is now instead of checking.
        #[arg(long)]
        write: bool,
        /// Check this variant of the suite (see `poolguard variants`) against the suite's baseline.
        #[arg(long)]
        variant: Option<String>,
    },
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

#[derive(clap::Args, Debug)]
struct FuzzArgs {
    /// RNG seed (same seed, workers and --runs: same findings).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Worker threads (default: one per available core).
    #[arg(long)]
    workers: Option<usize>,
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
    /// Keep no corpus on disk, and no finding unless --findings names where.
    #[arg(long)]
    no_save: bool,
    /// Fuzz a broken variant of the suite (see `poolguard variants`) instead of the suite itself.
    #[arg(long)]
    variant: Option<String>,
    /// Also run the full observation at every step, and every view a plan reads on the chain, and stop (exit 2) if
    /// either differs from what the view cache answered (it reuses views whose inputs did not change): a self-check
    /// of the harness, several times slower.
    #[arg(long)]
    paranoid: bool,
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
struct MutateArgs {
    /// Files to mutate, as globs relative to the suite's root (repeatable; default every file under src/ but
    /// src/chain/, src/harness/ and src/interfaces/), e.g. 'src/core/*.sol'.
    #[arg(long = "files", value_name = "GLOB")]
    files: Vec<String>,
    /// Mutate only lines changed since this git revision (for pull requests).
    #[arg(long, value_name = "GIT_REV")]
    since: Option<String>,
    /// Only mutants whose id (FILE:LINE:OPERATOR:N) contains this text (repeatable); applied after --limit, so a
    /// sampled run's mutants can be picked again by id.
    #[arg(long)]
    filter: Vec<String>,
    /// Campaign time budget per mutant, e.g. 20s (instead of --runs).
    #[arg(long, value_parser = parse_duration, conflicts_with = "runs")]
    budget: Option<Duration>,
    /// Sequences the campaign runs per mutant (deterministic; default: a 20s --budget).
    #[arg(long)]
    runs: Option<u64>,
    /// Mutants run at once (default: every core).
    #[arg(long)]
    jobs: Option<usize>,
    /// Campaign seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Output folder: variants/ (each mutant as a variant file), results/ (kept for resuming), findings/,
    /// mutants.json, mutants.html, mutants.sarif.
    #[arg(long, default_value = "poolguard-mutants")]
    out: PathBuf,
    /// Run at most this many mutants, spread evenly over the selection.
    #[arg(long)]
    limit: Option<usize>,
    /// Exit 1 when the mutation score (percent) is below this.
    #[arg(long)]
    min_score: Option<f64>,
    /// Pools created through the factory.
    #[arg(long, default_value_t = 2)]
    pools: usize,
    /// Longest sequence.
    #[arg(long, default_value_t = 40)]
    depth: usize,
    /// Print the selected mutants (id and change) and stop.
    #[arg(long)]
    list: bool,
    /// Run the survivors (and timeouts) of an earlier run in OUT again, keeping its other results even though
    /// poolguard changed since (after adding or strengthening an invariant).
    #[arg(long)]
    rerun_survivors: bool,
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

/// 1 when `failed` (a violation found or reproduced, a proof missing), else 0.
fn exit_code(failed: bool) -> ExitCode {
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        #[cfg(feature = "smt")]
        Command::Prove { controls, timeout } => {
            let proved = poolguard::report::prove::prove(controls, timeout);
            Ok(exit_code(!proved))
        }
        Command::Invariants => {
            poolguard::report::catalog::print();
            Ok(ExitCode::SUCCESS)
        }
        Command::Variants => {
            poolguard::variants::print_variants(&contracts_root(&cli.contracts).join("variants"))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Fuzz(args) => {
            let violated = poolguard::engine::fuzz::fuzz(&cli.contracts, &args.into())?;
            Ok(exit_code(violated))
        }
        Command::Gate(args) => {
            let failed = poolguard::gate::gate(&cli.contracts, &args.into())?;
            Ok(exit_code(failed))
        }
        Command::Bench(args) => {
            poolguard::bench::bench(&cli.contracts, &args.into())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Export {
            foundry,
            cast,
            out,
            variant,
        } => {
            let (format, file) = match (foundry, cast) {
                (Some(file), _) => (ExportFormat::FoundryTest, file),
                (None, Some(file)) => (ExportFormat::CastScript, file),
                (None, None) => bail!("nothing to export"),
            };
            poolguard::report::export::export(
                &cli.contracts,
                format,
                &file,
                out,
                variant.as_deref(),
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Console {
            file,
            variant,
            pools,
            script,
        } => {
            let options = poolguard::console::ConsoleOptions {
                variant,
                pools,
                file,
                script,
            };
            let violated = poolguard::console::console(&cli.contracts, &options)?;
            Ok(exit_code(violated))
        }
        Command::Mutate(args) => {
            let options = poolguard::mutate::MutateOptions {
                files: args.files,
                since: args.since,
                filter: args.filter,
                budget: match (args.runs, args.budget) {
                    (Some(0), _) => bail!("--runs must be at least 1"),
                    (Some(runs), _) => poolguard::engine::campaign::Budget::Runs(runs),
                    (None, Some(d)) => poolguard::engine::campaign::Budget::Duration(d),
                    (None, None) => {
                        poolguard::engine::campaign::Budget::Duration(Duration::from_secs(20))
                    }
                },
                jobs: args.jobs.unwrap_or_else(|| {
                    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
                }),
                seed: args.seed,
                out: args.out,
                limit: args.limit,
                min_score: args.min_score,
                pools: args.pools,
                depth: args.depth,
                list: args.list,
                rerun_survivors: args.rerun_survivors,
            };
            let failed = poolguard::mutate::mutate(&cli.contracts, &options)?;
            Ok(exit_code(failed))
        }
        Command::Layout { write, variant } => {
            let broken =
                poolguard::layout::layout_command(&cli.contracts, variant.as_deref(), write)?;
            Ok(exit_code(broken))
        }
        Command::World { pools } => {
            World::print_manifest(&cli.contracts, pools)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Replay {
            file,
            target,
            variant,
        } => {
            let replayed = poolguard::engine::replay::replay(
                &cli.contracts,
                &file,
                target,
                variant.as_deref(),
            )?;
            poolguard::report::replay::print(&replayed);
            Ok(exit_code(replayed.reproduced()))
        }
        Command::Corpus(command) => {
            let (direction, from, to, target) = match command {
                CorpusCommand::Import { from, to, target } => (Direction::Import, from, to, target),
                CorpusCommand::Export { from, to, target } => (Direction::Export, from, to, target),
            };
            poolguard::fuzzcorpus::convert(direction, &from, &to, target)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

impl From<FuzzArgs> for FuzzOptions {
    fn from(args: FuzzArgs) -> Self {
        FuzzOptions {
            seed: args.seed,
            workers: args.workers.unwrap_or_else(|| {
                std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
            }),
            duration: args.duration,
            runs: args.runs,
            depth: args.depth,
            pools: args.pools,
            corpus: args.corpus,
            findings: args.findings,
            no_save: args.no_save,
            variant: args.variant,
            paranoid: args.paranoid,
        }
    }
}

impl From<GateArgs> for GateOptions {
    fn from(args: GateArgs) -> Self {
        GateOptions {
            seed: args.seed,
            workers: args.workers,
            duration: args.duration,
            runs: args.runs,
            depth: args.depth,
            regressions: args.regressions,
            out: args.out,
            no_coverage: args.no_coverage,
            require_entry_coverage: args.require_entry_coverage,
            variant: args.variant,
        }
    }
}

impl From<BenchArgs> for BenchOptions {
    fn from(args: BenchArgs) -> Self {
        BenchOptions {
            duration: args.duration,
            budget: args.budget,
            seeds: args.seeds,
            variants: args.variants,
            replay_sequences: args.replay_sequences,
            skip_forge: args.skip_forge,
            skip_variants: args.skip_variants,
            json: args.json,
        }
    }
}
