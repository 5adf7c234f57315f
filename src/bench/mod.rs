//! The peer benchmark: poolguard against forge's invariant runner on the same suite, action space and invariants,
//! and against the EVM's own limit (a raw revm replay of the same calls).
//!
//! Everything here measures wall time on the machine it runs on; the `bench` command ([`bench()`]) prints the
//! ratios as Markdown tables for BENCHMARKS.md.

pub mod forge;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use alloy_primitives::Address;
use anyhow::Context as _;
use rand::rngs::SmallRng;
use rand::SeedableRng;

use crate::actions::Action;
use crate::compile::contracts_root;
use crate::engine::strategy::{random_sequence, GenContext};
use crate::engine::{run_campaign, run_sequence, Budget, CampaignConfig, RunOptions, StopOn};
use crate::evm::{Chain, CoverageInspector};
use crate::observe::{ObserveMode, Observer};
use crate::report::{plan_sequence, PlannedStep};
use crate::variants::load_variants;
use crate::world::World;
use forge::Forge;

/// Calls per second of one campaign.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Throughput {
    /// Calls executed.
    pub calls: u64,
    /// Wall time.
    pub elapsed: Duration,
    /// Distinct edges reached.
    pub edges: usize,
}

impl Throughput {
    /// Calls per second.
    pub fn rate(&self) -> f64 {
        self.calls as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// poolguard's campaign on `world` for `duration` with `workers` threads, nothing saved.
pub fn campaign_throughput(
    world: &World,
    workers: usize,
    duration: Duration,
    seed: u64,
) -> Throughput {
    let config = CampaignConfig {
        seed,
        workers,
        budget: Budget::Duration(duration),
        ..CampaignConfig::default()
    };
    let report = run_campaign(world, &config, &|_| {});
    Throughput {
        calls: report.progress.calls,
        elapsed: report.progress.elapsed,
        edges: report.progress.edges,
    }
}

/// The same stream of calls through the harness and through bare revm.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ReplayComparison {
    /// Calls in the stream.
    pub calls: u64,
    /// The harness: roll, plan, call under the coverage inspector, decode events, observe, check all
    /// invariants, per step (what a campaign does per call, without generation and corpus bookkeeping). The
    /// observation is incremental and starts cold in every round.
    pub harness: Duration,
    /// The same with every view run at every observation ([`ObserveMode::Full`]).
    pub harness_full: Duration,
    /// Bare revm: roll and commit the recorded transactions, nothing else.
    pub raw: Duration,
    /// The same with the campaign's coverage feed (edges, comparisons, frames, taken after each call): the part of
    /// the harness's time that is the step's own call.
    pub raw_covered: Duration,
}

impl ReplayComparison {
    /// Harness throughput as a fraction of raw replay throughput.
    pub fn ratio(&self) -> f64 {
        self.raw.as_secs_f64() / self.harness.as_secs_f64().max(1e-9)
    }
}

/// Generates `sequences` sequences as the campaign does, records their transactions, then times the harness and a
/// raw replay over them (each `rounds` times, best round kept).
pub fn replay_comparison(
    world: &World,
    sequences: usize,
    depth: usize,
    seed: u64,
    rounds: usize,
) -> ReplayComparison {
    let mut world = world.clone();
    let ctx = GenContext::new(&world);
    let mut rng = SmallRng::seed_from_u64(seed);
    let generated: Vec<Vec<Action>> = (0..sequences)
        .map(|_| random_sequence(&mut rng, &ctx, depth))
        .collect();
    let stream: Vec<Vec<PlannedStep>> = generated
        .iter()
        .map(|s| plan_sequence(&mut world, s, None).0)
        .collect();
    let calls: u64 = stream.iter().map(|s| s.len() as u64).sum();
    let mut harness = Duration::MAX;
    let mut harness_full = Duration::MAX;
    let mut raw = Duration::MAX;
    let mut raw_covered = Duration::MAX;
    for _ in 0..rounds.max(1) {
        for (mode, best) in [
            (ObserveMode::Incremental, &mut harness),
            (ObserveMode::Full, &mut harness_full),
        ] {
            // A new observer each round: the view cache starts cold, as a campaign's does.
            let observer = Observer::new(&world).with_mode(mode);
            let started = Instant::now();
            for sequence in &generated {
                let coverage = RunOptions {
                    collect_coverage: true,
                    keep_trace: false,
                };
                let result =
                    run_sequence(&mut world, &observer, sequence, &StopOn::Never, coverage);
                std::hint::black_box(&result);
            }
            *best = (*best).min(started.elapsed());
        }

        raw = raw.min(replay_stream(&mut world, &stream, |chain, step, to| {
            let outcome = chain.call(step.from, to, step.data.clone(), step.value);
            std::hint::black_box(&outcome);
        }));
        let mut coverage = CoverageInspector::new().with_code_aliases(world.code_aliases.clone());
        raw_covered = raw_covered.min(replay_stream(&mut world, &stream, |chain, step, to| {
            let outcome =
                chain.call_covered(step.from, to, step.data.clone(), step.value, &mut coverage);
            std::hint::black_box((&outcome, coverage.take(), coverage.take_frames()));
        }));
    }
    ReplayComparison {
        calls,
        harness,
        harness_full,
        raw,
        raw_covered,
    }
}

/// How long `stream` takes replayed on `world` from its snapshot: each step's roll, then `call` for its transaction.
fn replay_stream(
    world: &mut World,
    stream: &[Vec<PlannedStep>],
    mut call: impl FnMut(&mut Chain, &PlannedStep, Address),
) -> Duration {
    let started = Instant::now();
    for sequence in stream {
        world.reset();
        for step in sequence {
            world.chain.roll(u64::from(step.roll));
            if let Some(to) = step.to {
                call(&mut world.chain, step, to);
            }
        }
    }
    started.elapsed()
}

/// Seconds from the start of a campaign on `world` until `invariant` was first detected, with `budget`; `None`
/// when it held for the whole budget.
pub fn time_to_violation(
    world: &World,
    invariant: &str,
    seed: u64,
    budget: Duration,
) -> Option<Duration> {
    let config = CampaignConfig {
        seed,
        workers: 1,
        budget: Budget::Duration(budget),
        stop_on: Some(invariant.to_string()),
        ..CampaignConfig::default()
    };
    let report = run_campaign(world, &config, &|_| {});
    report.first_seen.get(invariant).copied()
}

/// The median of `times`, counting a miss (`None`) as longer than any hit; `None` when the median is a miss.
pub fn median(times: &[Option<Duration>]) -> Option<Duration> {
    let mut sorted: Vec<Option<Duration>> = times.to_vec();
    sorted.sort_by_key(|t| t.unwrap_or(Duration::MAX));
    sorted
        .get(sorted.len().saturating_sub(1) / 2)
        .copied()
        .flatten()
}

/// The bench command's settings.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Time budget of each throughput run (poolguard 1 and 2 workers, forge).
    pub duration: Duration,
    /// Time budget per variant and seed for the time-to-violation runs.
    pub budget: Duration,
    /// Seeds per variant (medians are taken over them).
    pub seeds: u64,
    /// Only these variants (by name); empty: all.
    pub variants: Vec<String>,
    /// Sequences in the harness-versus-raw-revm stream.
    pub replay_sequences: usize,
    /// Leave forge out (poolguard's figures only).
    pub skip_forge: bool,
    /// Leave the time-to-violation part out.
    pub skip_variants: bool,
    /// Also write every figure as JSON here.
    pub json: Option<PathBuf>,
}

/// The bench command: runs the peer benchmark on the suite at `contracts` and prints its tables as Markdown on
/// stdout (progress on stderr); with `options.json`, also writes every figure there.
pub fn bench(contracts: &Path, options: &BenchOptions) -> anyhow::Result<()> {
    let root = contracts_root(contracts);
    let (world, _) = World::build(&root, 2)?;
    let forge = if options.skip_forge {
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

    eprintln!("[bench] poolguard, 1 worker, {:?}", options.duration);
    let one = campaign_throughput(&world, 1, options.duration, 1);
    eprintln!("[bench] poolguard, 2 workers, {:?}", options.duration);
    let two = campaign_throughput(&world, 2, options.duration, 1);
    eprintln!(
        "[bench] harness vs raw revm, {} sequences",
        options.replay_sequences
    );
    let replay = replay_comparison(&world, options.replay_sequences, 40, 7, 3);
    let forge_run = match &forge {
        Some(forge) => {
            eprintln!("[bench] forge build");
            let build = forge.build(&root)?;
            eprintln!(
                "[bench] forge invariant_all, {:?} (built in {build:.1?})",
                options.duration
            );
            Some(forge.invariant(
                &root,
                "PoolguardAllInvariants",
                "invariant_all",
                1,
                options.duration,
                40,
            )?)
        }
        None => None,
    };
    println!(
        "## Throughput (correct suite, {} s each)\n",
        secs(options.duration)
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
            "| forge invariant_all (all 29 checks per call), 1 thread | {} | {:.1} | {:.0} | poolguard/forge = {:.1} (goal ≥ 20) |",
            f.calls,
            secs(f.test_time),
            f.rate(),
            one.rate() / f.rate().max(1e-9)
        );
    }
    let raw_rate = replay.calls as f64 / secs(replay.raw).max(1e-9);
    let covered_rate = replay.calls as f64 / secs(replay.raw_covered).max(1e-9);
    let harness_rate = replay.calls as f64 / secs(replay.harness).max(1e-9);
    let full_rate = replay.calls as f64 / secs(replay.harness_full).max(1e-9);
    println!(
        "\n## Harness against raw revm ({} calls, same stream, best of 3)\n\n| | time (s) | calls/s |\n| --- | ---: | ---: |\n\
         | raw revm replay (roll + commit) | {:.2} | {:.0} |\n\
         | the same with the coverage feed (the step's own call in the harness) | {:.2} | {:.0} |\n\
         | poolguard harness, full observation (coverage, events, every view, all checks) | {:.2} | {:.0} |\n\
         | poolguard harness (coverage, events, incremental observation, all checks) | {:.2} | {:.0} |\n\
         | ratio harness/raw | | {:.2} (goal ≥ 0.3) |",
        replay.calls,
        secs(replay.raw),
        raw_rate,
        secs(replay.raw_covered),
        covered_rate,
        secs(replay.harness_full),
        full_rate,
        secs(replay.harness),
        harness_rate,
        replay.ratio()
    );
    json.insert("poolguard_1_worker".into(), serde_json::to_value(one)?);
    json.insert("poolguard_2_workers".into(), serde_json::to_value(two)?);
    json.insert("replay".into(), serde_json::to_value(replay)?);
    json.insert("forge_throughput".into(), serde_json::to_value(&forge_run)?);

    if !options.skip_variants {
        let mut rows = Vec::new();
        let variants = load_variants(&root.join("variants"))?;
        let chosen: Vec<_> = variants
            .into_iter()
            .filter(|v| options.variants.is_empty() || options.variants.contains(&v.name))
            .collect();
        println!(
            "\n## Time to first violation ({} s budget per run, seeds 1..={}, medians; forge without shrinking)\n",
            secs(options.budget),
            options.seeds
        );
        println!("| variant | invariant | poolguard runs (s) | poolguard median | forge runs (s) | forge median | forge/poolguard (goal ≥ 10) |");
        println!("| --- | --- | --- | ---: | --- | ---: | ---: |");
        for variant in &chosen {
            let suite = variant.materialize(&root, &root.join(".poolguard").join("variants"))?;
            let (vworld, _) = World::build(&suite, 2)?;
            let mut ours = Vec::new();
            for seed in 1..=options.seeds {
                eprintln!("[bench] {} seed {seed}: poolguard", variant.name);
                ours.push(time_to_violation(
                    &vworld,
                    &variant.invariant,
                    seed,
                    options.budget,
                ));
            }
            let mut theirs = Vec::new();
            if let Some(forge) = &forge {
                forge.build(&suite)?;
                let test = format!("invariant_{}", variant.invariant.replace('-', "_"));
                for seed in 1..=options.seeds {
                    eprintln!("[bench] {} seed {seed}: forge", variant.name);
                    match forge.invariant(
                        &suite,
                        "PoolguardInvariantTest",
                        &test,
                        seed,
                        options.budget,
                        40,
                    ) {
                        Ok(run) => theirs.push((!run.passed).then_some(run.test_time)),
                        // Counted as a miss, and said: one variant must not end the whole benchmark.
                        Err(e) => {
                            eprintln!("[bench] forge {test} on {}: {e:#}", variant.name);
                            theirs.push(None);
                        }
                    }
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
    if let Some(path) = &options.json {
        std::fs::write(path, serde_json::to_vec_pretty(&json)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_counts_misses_as_longest() {
        let s = Duration::from_secs;
        assert_eq!(median(&[Some(s(3)), None, Some(s(1))]), Some(s(3)));
        assert_eq!(median(&[None, None, Some(s(1))]), None);
        assert_eq!(median(&[Some(s(2))]), Some(s(2)));
        assert_eq!(median(&[Some(s(4)), Some(s(2))]), Some(s(2)));
    }
}
