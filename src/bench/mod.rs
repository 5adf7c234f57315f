//! The peer benchmark: poolguard against forge's invariant runner on the same suite, action space and invariants,
//! and against the EVM's own limit (a raw revm replay of the same calls).
//!
//! Everything here measures wall time on the machine it runs on; the `bench` command prints the ratios as a
//! Markdown table for BENCHMARKS.md.

pub mod forge;

use std::time::{Duration, Instant};

use rand::rngs::SmallRng;
use rand::SeedableRng;

use crate::actions::Action;
use crate::engine::strategy::{random_sequence, GenContext};
use crate::engine::{run_campaign, run_sequence, Budget, CampaignConfig, RunOptions, StopOn};
use crate::observe::Observer;
use crate::report::{plan_sequence, PlannedStep};
use crate::world::World;

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
    /// invariants, per step (what a campaign does per call, without generation and corpus bookkeeping).
    pub harness: Duration,
    /// Bare revm: roll and commit the recorded transactions, nothing else.
    pub raw: Duration,
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
    let observer = Observer::new(&world);

    let mut harness = Duration::MAX;
    let mut raw = Duration::MAX;
    for _ in 0..rounds.max(1) {
        let started = Instant::now();
        for sequence in &generated {
            let coverage = RunOptions {
                collect_coverage: true,
                keep_trace: false,
            };
            let result = run_sequence(&mut world, &observer, sequence, &StopOn::Never, coverage);
            std::hint::black_box(&result);
        }
        harness = harness.min(started.elapsed());

        let started = Instant::now();
        for sequence in &stream {
            world.reset();
            for step in sequence {
                world.chain.roll(u64::from(step.roll));
                if let Some(to) = step.to {
                    let outcome = world
                        .chain
                        .call(step.from, to, step.data.clone(), step.value);
                    std::hint::black_box(&outcome);
                }
            }
        }
        raw = raw.min(started.elapsed());
    }
    ReplayComparison {
        calls,
        harness,
        raw,
    }
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
