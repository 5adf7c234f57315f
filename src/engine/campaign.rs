//! The coverage-guided, multi-worker campaign.
//!
//! Workers run in lock-step epochs: each runs sequences on its own copy of the world until it has run
//! [`CampaignConfig::epoch_steps`] steps (about 27 runs), then all
//! meet at a barrier where the leader merges their new corpus entries, edges and findings in worker order and
//! decides whether to stop. Merging in a fixed order at fixed points is what makes a campaign with the same
//! seed, worker count and run budget produce the same findings; a time budget stops at an epoch boundary.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use poolguard_invariants::catalog;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use super::corpus::{save_sequence, CorpusError};
use super::dataflow::{step_key, took_effect, Dataflow};
use super::finding::{Finding, FirstSighting, FINDING_FORMAT};
use super::runner::{run_sequence, RunOptions, StateComparison, StopOn};
use super::schedule::{sequence_key, Scheduler};
use super::shrink::shrink;
use super::strategy::{
    edge_tries, insert_dependent, insert_enablers, mutate, random_sequence, replacement_of,
    secant_probe, GenContext, SecantProbe,
};
use crate::actions::Action;
use crate::evm::IdSet;
use crate::observe::{CacheStats, ObserveMode, Observer};
use crate::world::World;

/// How long a campaign runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// This many sequences in all (split evenly over workers; deterministic).
    Runs(u64),
    /// Until this much time has passed (checked at epoch boundaries).
    Duration(Duration),
}

/// Campaign settings.
#[derive(Debug, Clone)]
pub struct CampaignConfig {
    /// Seed of every worker's RNG.
    pub seed: u64,
    /// Worker threads.
    pub workers: usize,
    /// When to stop.
    pub budget: Budget,
    /// Longest sequence.
    pub depth: usize,
    /// Steps each worker runs between merges: its epoch ends at the first run boundary past them. Counting steps
    /// rather than runs brings the workers to the merge together: a run's length varies from 1 to `depth` steps,
    /// and every worker waits there for the slowest (BENCHMARKS.md §25).
    pub epoch_steps: u64,
    /// Candidates tried when shrinking a finding.
    pub shrink_attempts: usize,
    /// Where coverage-increasing sequences are saved and resumed from (None: in memory only).
    pub corpus_dir: Option<PathBuf>,
    /// Where findings are written (None: not written).
    pub findings_dir: Option<PathBuf>,
    /// Sequences every worker starts from (seeds, resumed corpus).
    pub seeds: Vec<Vec<Action>>,
    /// Stop at the end of the epoch in which this invariant is first violated.
    pub stop_on: Option<String>,
    /// Stop at the end of the epoch in which any invariant is first violated (`poolguard mutate`: one finding
    /// kills a mutant).
    pub stop_on_first_violation: bool,
    /// The broken variant the world was built from, recorded in every finding (None: the suite itself).
    pub variant: Option<String>,
    /// Set from outside (e.g. on SIGINT) to stop after the run in progress: the epoch ends early, is merged
    /// (corpus, findings written) and the campaign returns its report.
    pub interrupt: Option<Arc<AtomicBool>>,
    /// How views are observed (incremental by default; [`ObserveMode::Paranoid`] checks the incremental
    /// observation against the full one at every step and stops the campaign at the first difference).
    pub observe: ObserveMode,
}

impl Default for CampaignConfig {
    fn default() -> Self {
        Self {
            seed: 0,
            workers: 1,
            budget: Budget::Runs(1000),
            depth: 40,
            epoch_steps: EPOCH_STEPS,
            shrink_attempts: 400,
            corpus_dir: None,
            findings_dir: None,
            seeds: Vec::new(),
            stop_on: None,
            stop_on_first_violation: false,
            variant: None,
            interrupt: None,
            observe: ObserveMode::default(),
        }
    }
}

/// Steps, calls and reverts of one op kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpStats {
    /// Steps of this kind, including those whose plan sent no transaction (a plain roll, or nothing to call in
    /// that state).
    pub steps: u64,
    /// Transactions sent.
    pub calls: u64,
    /// Reverted or rejected calls.
    pub reverts: u64,
    /// Reverts by the decoded error's name (the most frequent few; the rest under `other`).
    pub reasons: BTreeMap<String, u64>,
}

impl OpStats {
    /// The share of its transactions that succeeded (`None` when it sent none).
    pub fn success_rate(&self) -> Option<f64> {
        (self.calls > 0).then(|| (self.calls - self.reverts) as f64 / self.calls as f64)
    }

    /// The most frequent revert reason and its count.
    pub fn top_revert(&self) -> Option<(&str, u64)> {
        top_reason(&self.reasons)
    }

    fn record(&mut self, sent: bool, success: bool, reason: Option<&str>) {
        self.steps += 1;
        if !sent {
            return;
        }
        self.calls += 1;
        if !success {
            self.reverts += 1;
            // By the error's name: its arguments (accounts, amounts) would split one reason into many.
            let name = reason.map(|r| match r.split_once('(') {
                Some((name, _)) => format!("{}(…)", name.trim_end()),
                _ => r.to_string(),
            });
            count_reason(&mut self.reasons, name.as_deref());
        }
    }

    fn merge(&mut self, other: &OpStats) {
        self.steps += other.steps;
        self.calls += other.calls;
        self.reverts += other.reverts;
        for (reason, n) in &other.reasons {
            add_reasons(&mut self.reasons, reason, *n);
        }
    }
}

/// How many distinct revert reasons a table keeps before counting the rest as `other`.
const REVERT_REASONS: usize = 6;

/// Counts one revert under `reason` in `reasons`, keeping at most [`REVERT_REASONS`] distinct ones.
fn count_reason(reasons: &mut BTreeMap<String, u64>, reason: Option<&str>) {
    add_reasons(reasons, reason.unwrap_or("reverted"), 1);
}

/// Adds `n` reverts under `reason`, keeping at most [`REVERT_REASONS`] distinct reasons besides `other`: a new
/// reason more frequent than the rarest one kept takes its place (the rarest's count goes to `other`), any other to
/// `other`. Reasons carry the error's arguments (amounts, addresses), so a table that took every new one, as the
/// campaign's totals merged from every epoch once did, grew for as long as the campaign ran.
fn add_reasons(reasons: &mut BTreeMap<String, u64>, reason: &str, n: u64) {
    const OTHER: &str = "other";
    // Per reverted step: allocate only for a reason not counted yet.
    if let Some(count) = reasons.get_mut(reason) {
        *count += n;
        return;
    }
    let kept = reasons.len() - usize::from(reasons.contains_key(OTHER));
    if kept < REVERT_REASONS {
        reasons.insert(reason.to_string(), n);
        return;
    }
    let rarest = reasons
        .iter()
        .filter(|(r, _)| r.as_str() != OTHER)
        .min_by_key(|(_, count)| **count)
        .map(|(r, count)| (r.clone(), *count));
    let folded = match rarest {
        Some((rarest, count)) if count < n => {
            reasons.remove(&rarest);
            reasons.insert(reason.to_string(), n);
            count
        }
        _ => n,
    };
    *reasons.entry(OTHER.to_string()).or_default() += folded;
}

/// The most frequent reason in `reasons` and its count.
pub fn top_reason(reasons: &BTreeMap<String, u64>) -> Option<(&str, u64)> {
    reasons
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(reason, n)| (reason.as_str(), *n))
}

/// Calls of one entry point (`Contract.signature`, over every deployment of the contract).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct EntryStats {
    /// Whether the contract is one of the suite's (`contracts/src`), not a library's.
    pub in_src: bool,
    /// Why the policy declares it unreachable in the default world, if it does.
    pub unreachable: Option<String>,
    /// Calls.
    pub calls: u64,
    /// Calls that succeeded.
    pub successes: u64,
    /// Successful executions as a nested call of another successful call (a contract calling it).
    pub inner_successes: u64,
    /// Reverts by decoded reason (the most frequent few; the rest under `other`).
    pub reverts: BTreeMap<String, u64>,
}

impl EntryStats {
    /// The most frequent revert reason and its count.
    pub fn top_revert(&self) -> Option<(&str, u64)> {
        top_reason(&self.reverts)
    }

    fn record(&mut self, success: bool, reason: Option<&str>) {
        self.calls += 1;
        if success {
            self.successes += 1;
            return;
        }
        count_reason(&mut self.reverts, reason);
    }

    fn merge(&mut self, other: &EntryStats) {
        self.calls += other.calls;
        self.successes += other.successes;
        self.inner_successes += other.inner_successes;
        for (reason, n) in &other.reverts {
            add_reasons(&mut self.reverts, reason, *n);
        }
    }
}

/// Every entry point of `world` with zero calls, so that a report lists the ones never called.
pub fn entry_table(world: &World) -> BTreeMap<String, EntryStats> {
    world
        .entry_points
        .iter()
        .map(|e| {
            (
                e.key(),
                EntryStats {
                    in_src: e.in_src,
                    unreachable: e.unreachable.clone(),
                    ..EntryStats::default()
                },
            )
        })
        .collect()
}

/// Progress, reported at every epoch boundary.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// Sequences run.
    pub runs: u64,
    /// Steps executed, each observed and checked (a step whose plan sent nothing included).
    pub steps: u64,
    /// Transactions sent.
    pub calls: u64,
    /// Distinct coverage edges.
    pub edges: usize,
    /// Distinct behaviour features ([`super::runner::behaviour_features`]).
    pub behaviours: usize,
    /// Corpus size.
    pub corpus: usize,
    /// Distinct invariants violated.
    pub violations: usize,
    /// Time since start.
    pub elapsed: Duration,
    /// Shrinking in progress: (invariant, attempts, length).
    pub shrinking: Option<(String, usize, usize)>,
}

/// A kind whose [`Dataflow::need`] is at least this (it took effect at most three times so far) is
/// followed up when one of its steps takes effect.
const FOLLOW_NEED: f64 = 0.5;
/// Runs queued per such step.
const FOLLOW_UPS: usize = 4;
/// The most follow-up runs queued at once.
const MAX_FOLLOW_UPS: usize = 64;

/// The most edge tries ([`edge_tries`]) queued at once.
const MAX_EDGE_TRIES: usize = 48;

/// The most secant probes ([`SecantProbe`]) queued at once.
const MAX_PROBES: usize = 16;

/// The most roots one probe's run queues edge tries for (three runs each).
const MAX_ROOTS_PER_PROBE: usize = 4;

/// How often a run is a queued probe, when one is queued: every op kind's comparisons are probed once, and most
/// turn out not to depend on the argument, so probes take a bounded share of the runs instead of the first seconds
/// of a campaign.
const PROBE_CHANCE: f64 = 0.25;

/// How often a run is followed by its input-to-state replacement ([`replacement_of`]).
const REPLACEMENT_CHANCE: f64 = 0.25;

/// Default [`CampaignConfig::epoch_steps`]: about 27 runs of the default depth, about a tenth of a second.
const EPOCH_STEPS: u64 = 512;

/// What a campaign found and did.
#[derive(Debug, Clone, Default)]
pub struct CampaignReport {
    /// Final progress figures.
    pub progress: Progress,
    /// The campaign stopped early on [`CampaignConfig::interrupt`].
    pub interrupted: bool,
    /// Calls and reverts per op kind.
    pub ops: BTreeMap<String, OpStats>,
    /// Calls, successes and reverts per entry point of the world (every one listed, called or not).
    pub entries: BTreeMap<String, EntryStats>,
    /// Times each invariant was checked.
    pub checks: u64,
    /// Findings, by invariant id.
    pub findings: BTreeMap<String, Finding>,
    /// Errors writing the corpus or findings (the campaign goes on).
    pub write_errors: Vec<String>,
    /// Calls and edges after each epoch (for plots).
    pub timeline: Vec<TimelineSample>,
    /// When each violated invariant was first detected (before shrinking), since the start.
    pub first_seen: BTreeMap<String, Duration>,
    /// The final corpus (seeds included): the coverage-increasing sequences, e.g. to replay for line coverage.
    pub corpus: Vec<Vec<Action>>,
    /// How often the observation reused a view's result (all workers).
    pub view_cache: CacheStats,
    /// Paranoid mode's differences between the incremental and the full observation: each a harness bug.
    pub observation_mismatches: Vec<String>,
    /// Per op kind (`OpKind as usize`), the factor its weight was last drawn with (the mean over workers).
    pub kind_boosts: Vec<f64>,
    /// Corpus entries the workers' schedules have faded to the floor (picked often, never productive).
    pub dead_entries: usize,
    /// Time the workers spent running sequences, summed over workers; the rest of workers × elapsed went to the
    /// epoch boundaries (taking the shared state, waiting for the slowest worker, the leader's merge) and, before
    /// the workers start, to replaying a resumed corpus and copying the world for each worker.
    pub worker_busy: Duration,
}

/// The campaign's figures at one epoch boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct TimelineSample {
    /// Time since the start.
    pub elapsed: Duration,
    /// Calls executed so far.
    pub calls: u64,
    /// Distinct edges so far.
    pub edges: usize,
}

/// What one worker produced in one epoch.
#[derive(Debug, Default)]
struct EpochOutput {
    corpus: Vec<CorpusEntry>,
    edges: IdSet,
    features: IdSet,
    findings: Vec<Finding>,
    /// (invariant, time since the start, sequences run by then).
    first_seen: Vec<(String, Duration, u64)>,
    runs: u64,
    steps: u64,
    calls: u64,
    ops: BTreeMap<String, OpStats>,
    entries: BTreeMap<String, EntryStats>,
    /// The worker's observer's totals so far (not per epoch: the leader keeps the latest of each worker).
    view_cache: CacheStats,
    mismatches: Vec<String>,
    kind_boosts: Vec<f64>,
    dead_entries: usize,
    /// Time this worker spent running the epoch's sequences (not synchronising).
    busy: Duration,
}

/// A corpus entry, shared by the campaign's state and every worker's copy (one allocation for all of them).
type CorpusEntry = Arc<[Action]>;

/// What every worker knows at an epoch's start: a snapshot of the shared state (the corpus is synced
/// separately, by what it gained since the worker's last look: it only grows, and copying all of it every epoch
/// cost time and memory in proportion to the campaign's age).
struct Known {
    edges: IdSet,
    features: IdSet,
    findings: HashSet<String>,
    runs: u64,
}

#[derive(Debug, Default)]
struct Shared {
    /// When the campaign last gave free memory back to the system ([`release_free_memory`]).
    trimmed_at: Duration,
    corpus: Vec<CorpusEntry>,
    edges: IdSet,
    features: IdSet,
    report: CampaignReport,
    slots: Vec<EpochOutput>,
}

/// Runs a campaign on copies of `world`; `on_progress` is called by the leader at every epoch boundary (and
/// while shrinking).
pub fn run_campaign(
    world: &World,
    config: &CampaignConfig,
    on_progress: &(dyn Fn(&Progress) + Sync),
) -> CampaignReport {
    let workers = config.workers.max(1);
    let start = Instant::now();
    let shared = Arc::new(Mutex::new(Shared {
        report: CampaignReport {
            entries: entry_table(world),
            ..Default::default()
        },
        corpus: config
            .seeds
            .iter()
            .map(|s| CorpusEntry::from(s.as_slice()))
            .collect(),
        slots: (0..workers).map(|_| EpochOutput::default()).collect(),
        ..Default::default()
    }));
    // Replay the resumed corpus first, so that what it covers is known before fuzzing: a resumed campaign keeps
    // (and saves) only sequences that add to it.
    if !config.seeds.is_empty() {
        let mut world = world.clone();
        let observer = Observer::new(&world);
        let mut s = shared.lock().expect("campaign state");
        for seed in &config.seeds {
            let result = run_sequence(
                &mut world,
                &observer,
                seed,
                &StopOn::Never,
                RunOptions {
                    collect_coverage: true,
                    keep_trace: false,
                },
            );
            s.edges.extend(result.edges);
            s.features.extend(result.features);
        }
        s.report.progress.edges = s.edges.len();
    }
    let stop = Arc::new(AtomicBool::new(false));
    let barrier = Arc::new(Barrier::new(workers));
    let runs_per_worker = match config.budget {
        Budget::Runs(n) => Some(n.div_ceil(workers as u64)),
        Budget::Duration(_) => None,
    };
    let suite = world.suite_hash();

    std::thread::scope(|scope| {
        for w in 0..workers {
            let shared = Arc::clone(&shared);
            let stop = Arc::clone(&stop);
            let barrier = Arc::clone(&barrier);
            let mut world = world.for_worker();
            let suite = suite.clone();
            scope.spawn(move || {
                let observer = Observer::new(&world).with_mode(config.observe);
                let mut ctx = GenContext::new(&world);
                let mut schedule = Scheduler::default();
                let mut dataflow = Dataflow::default();
                // Runs queued to follow up a rare effect.
                let mut follow_ups: Vec<Vec<Action>> = Vec::new();
                // The run queued to land a comparison of the last run's on its edge (input-to-state replacement).
                let mut replacement: Option<Vec<Action>> = None;
                // Every comparison of an argument, by op kind and site, is tried on its edge the first time it is
                // met: these are the runs queued for that, and the (kind, site) pairs already queued.
                let mut edge_queue: Vec<Vec<Action>> = Vec::new();
                let mut edge_sites: HashSet<(u16, u64)> = HashSet::new();
                // Likewise every comparison of two amounts in a step with an amount argument, by op kind and site:
                // probed once, the first time it is met, to solve it for that argument ([`SecantProbe`]).
                let mut probe_queue: Vec<SecantProbe> = Vec::new();
                let mut probe_sites: HashSet<(u16, u64)> = HashSet::new();
                // Which steps of the corpus entries this worker saved took effect.
                let mut effects: HashMap<u64, Vec<bool>> = HashMap::new();
                let mut rng = SmallRng::seed_from_u64(
                    config.seed ^ (w as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15),
                );
                let mut done_runs = 0u64;
                // This worker's copy of the shared corpus: its first `synced` entries are the shared ones, the
                // rest what this worker found during the epoch (merged into the shared corpus at its end).
                let mut corpus: Vec<CorpusEntry> = Vec::new();
                let mut corpus_keys: Vec<u64> = Vec::new();
                let mut synced = 0usize;
                loop {
                    // Snapshot what everyone knows at the epoch start.
                    let Known {
                        edges: known_edges,
                        features: known_features,
                        findings: known_findings,
                        runs: runs_before,
                    } = {
                        let s = shared.lock().expect("campaign state");
                        corpus.truncate(synced);
                        corpus_keys.truncate(synced);
                        corpus.extend(s.corpus[synced..].iter().cloned());
                        corpus_keys.extend(s.corpus[synced..].iter().map(|q| sequence_key(q)));
                        synced = s.corpus.len();
                        Known {
                            edges: s.edges.clone(),
                            features: s.features.clone(),
                            findings: s.report.findings.keys().cloned().collect(),
                            runs: s.report.progress.runs,
                        }
                    };
                    let epoch_started = Instant::now();
                    schedule.adapt();
                    ctx.kind_boosts = schedule.boosts().to_vec();
                    let mut out = EpochOutput::default();
                    let runs_left =
                        runs_per_worker.map_or(u64::MAX, |limit| limit.saturating_sub(done_runs));
                    let interrupted = || {
                        config
                            .interrupt
                            .as_ref()
                            .is_some_and(|flag| flag.load(Ordering::SeqCst))
                    };
                    for _ in 0..runs_left {
                        // At least one run per epoch, whatever `epoch_steps` says.
                        if interrupted() || (out.runs > 0 && out.steps >= config.epoch_steps) {
                            break;
                        }
                        let mut parent = None;
                        // A directed run re-runs (part of) a counted run with one argument moved, aimed at one
                        // comparison: an input-to-state replacement, an edge try, or a secant probe.
                        let mut directed = replacement.is_some();
                        let mut probing = None;
                        let sequence = if let Some(next) = replacement.take() {
                            next
                        } else if let Some(next) = edge_queue.pop() {
                            directed = true;
                            next
                        } else if let Some(probe) =
                            probe_queue.pop_if(|_| rng.random_bool(PROBE_CHANCE))
                        {
                            directed = true;
                            let next = probe.sequence.clone();
                            probing = Some(probe);
                            next
                        } else if let Some(next) = follow_ups.pop() {
                            next
                        } else if corpus.is_empty() || rng.random_bool(0.25) {
                            random_sequence(&mut rng, &ctx, config.depth)
                        } else {
                            let at = schedule.pick(&mut rng, &corpus_keys);
                            parent = Some(corpus_keys[at]);
                            let mut base = corpus[at].to_vec();
                            let other =
                                CorpusEntry::clone(&corpus[rng.random_range(0..corpus.len())]);
                            // Sometimes a set-up from the learned dataflow, on the entry as it was saved (so what
                            // each of its steps did still lines up), before the random mutations.
                            if rng.random_bool(0.2) {
                                let effects = effects.get(&corpus_keys[at]).map(Vec::as_slice);
                                insert_enablers(
                                    &mut rng,
                                    &ctx,
                                    &mut base,
                                    config.depth,
                                    &dataflow,
                                    effects,
                                );
                            }
                            mutate(&mut rng, &ctx, &mut base, &other, config.depth);
                            base
                        };
                        let result = run_sequence(
                            &mut world,
                            &observer,
                            &sequence,
                            &StopOn::Never,
                            RunOptions {
                                collect_coverage: true,
                                keep_trace: false,
                            },
                        );
                        // A directed run probes one comparison of a run already counted: what its steps enable
                        // and which rare effects they took was learned from that run, and counting them again
                        // would make rare effects look common (and queue the same follow-ups twice).
                        if !directed {
                            dataflow.learn(&sequence, &result.steps, &result.access);
                        }
                        // A comparison site met for the first time with an argument of its step's kind: tried
                        // at once just below, on and just above the operand it was met with. Sites are finite,
                        // so this costs a bounded number of short runs, where the random replacement below may
                        // take many runs to pick a rare op's one comparison among a deposit's many.
                        for cmp in &result.argument_cmps {
                            if edge_queue.len() + 3 > MAX_EDGE_TRIES {
                                break;
                            }
                            if edge_sites.insert((cmp.kind, cmp.site)) {
                                edge_queue.extend(edge_tries(&sequence, cmp));
                            }
                        }
                        // A probe's run says how each of its comparisons moved with the argument: the root of each
                        // line, and one either side, are tried next (whole roots only, three tries each, as the
                        // edge tries above).
                        if let Some(probe) = probing {
                            let room = MAX_EDGE_TRIES.saturating_sub(edge_queue.len()) / 3;
                            edge_queue.extend(
                                probe.tries(&result.state_cmps, MAX_ROOTS_PER_PROBE.min(room)),
                            );
                        }
                        // A step's comparisons with one of its arguments are probed together when one of them is
                        // met for the first time by its op kind; the sites are marked once all the step's groups
                        // are seen, so that each of its arguments is probed.
                        let mut met_first: Vec<(u32, u16, u64)> = Vec::new();
                        for group in result
                            .state_cmps
                            .chunk_by(|a, b| a.step == b.step && a.argument == b.argument)
                        {
                            if probe_queue.len() >= MAX_PROBES {
                                break;
                            }
                            // Known, or first met by an earlier step of this run (another deposit).
                            let known = |c: &StateComparison| {
                                probe_sites.contains(&(c.kind, c.site))
                                    || met_first.iter().any(|&(step, kind, site)| {
                                        step != c.step && kind == c.kind && site == c.site
                                    })
                            };
                            if group.iter().all(known) {
                                continue;
                            }
                            if let Some(probe) = secant_probe(&sequence, group) {
                                met_first.extend(group.iter().map(|c| (c.step, c.kind, c.site)));
                                probe_queue.push(probe);
                            }
                        }
                        probe_sites
                            .extend(met_first.into_iter().map(|(_, kind, site)| (kind, site)));
                        // Sometimes the same sequence again with one compared argument set to what the suite
                        // compared it with, or one either side: the edge of a check that depends on the state
                        // (the room left, the live totalDeposits), met in the very state it was compared in. Not
                        // after a directed run, so that these runs stay a bounded share.
                        if !directed
                            && !result.argument_cmps.is_empty()
                            && rng.random_bool(REPLACEMENT_CHANCE)
                        {
                            replacement =
                                replacement_of(&mut rng, &ctx, &sequence, &result.argument_cmps);
                        }
                        // A step of a kind that rarely takes effect just did: what it makes possible is tried
                        // right away, a few times, after it (the state it reached is rare by definition).
                        let effect = took_effect(&result.steps, &result.access);
                        for (at, action) in sequence.iter().enumerate() {
                            let key = step_key(&action.op);
                            if directed
                                || !effect.get(at).copied().unwrap_or(false)
                                || dataflow.need(key) < FOLLOW_NEED
                                || sequence.len() >= config.depth
                            {
                                continue;
                            }
                            let dependents = dataflow.dependents(key);
                            for _ in 0..FOLLOW_UPS {
                                if follow_ups.len() >= MAX_FOLLOW_UPS {
                                    break;
                                }
                                let mut next = sequence[..=at].to_vec();
                                insert_dependent(&mut rng, &ctx, &mut next, at, &dependents);
                                if next.len() > at + 1 {
                                    follow_ups.push(next);
                                }
                            }
                        }
                        out.runs += 1;
                        out.steps += result.steps.len() as u64;
                        out.calls += result
                            .steps
                            .iter()
                            .filter(|step| step.target.is_some())
                            .count() as u64;
                        for step in &result.steps {
                            out.ops.entry(step.op.clone()).or_default().record(
                                step.target.is_some(),
                                step.success,
                                step.revert.as_deref(),
                            );
                            if let Some(entry) = &step.entry {
                                out.entries
                                    .entry(entry.clone())
                                    .or_default()
                                    .record(step.success, step.revert.as_deref());
                            }
                        }
                        for frame in &result.inner_successes {
                            if let Some(entry) = world.entry_point_at(frame.target, frame.selector)
                            {
                                out.entries.entry(entry.key()).or_default().inner_successes += 1;
                            }
                        }
                        // Which step found each first-time edge: the op kinds' yield.
                        let mut new_by_step = vec![0usize; result.steps.len()];
                        for (edge, step) in &result.first_hits {
                            if !known_edges.contains(edge) && !out.edges.contains(edge) {
                                if let Some(n) = new_by_step.get_mut(*step as usize) {
                                    *n += 1;
                                }
                            }
                        }
                        // A directed run aims at one comparison: what it finds says nothing of what drawing its op
                        // kinds at random finds, so it does not move their weights.
                        if !directed {
                            schedule.record_run(
                                sequence
                                    .iter()
                                    .zip(&new_by_step)
                                    .map(|(action, new)| (action.op.kind(), *new)),
                            );
                        }
                        let fresh = new_by_step.iter().any(|n| *n > 0)
                            || result
                                .features
                                .iter()
                                .any(|f| !known_features.contains(f) && !out.features.contains(f));
                        if let Some(key) = parent {
                            schedule.record_pick(key, fresh);
                        }
                        if fresh {
                            out.edges.extend(result.edges.iter().copied());
                            out.features.extend(result.features.iter().copied());
                            let entry = CorpusEntry::from(sequence.as_slice());
                            out.corpus.push(CorpusEntry::clone(&entry));
                            effects.insert(sequence_key(&sequence), effect.clone());
                            corpus_keys.push(sequence_key(&sequence));
                            corpus.push(entry);
                        }
                        ctx.learn_boundaries(result.boundaries());
                        ctx.extend_dictionary(
                            result
                                .cmps
                                .iter()
                                .flat_map(|(a, b)| [*a, *b])
                                .take(64)
                                .chain(result.seen_values.iter().copied().take(64)),
                        );
                        for v in &result.violations {
                            if known_findings.contains(&v.invariant)
                                || out.findings.iter().any(|f| f.invariant == v.invariant)
                            {
                                continue;
                            }
                            out.first_seen.push((
                                v.invariant.clone(),
                                start.elapsed(),
                                runs_before + out.runs,
                            ));
                            let shrunk = shrink(
                                &mut world,
                                &observer,
                                &sequence,
                                &v.invariant,
                                config.shrink_attempts,
                                &mut |attempts, len| {
                                    if w == 0 && attempts % 25 == 0 {
                                        on_progress(&Progress {
                                            shrinking: Some((v.invariant.clone(), attempts, len)),
                                            elapsed: start.elapsed(),
                                            ..Default::default()
                                        });
                                    }
                                },
                            );
                            let (seq, violation) = match shrunk {
                                Some(s) => (s.sequence, s.violation),
                                None => (
                                    sequence[..=v.step.min(sequence.len() - 1)].to_vec(),
                                    v.clone(),
                                ),
                            };
                            out.findings.push(make_finding(
                                &mut world,
                                &observer,
                                &seq,
                                &violation,
                                config.seed,
                                w,
                                sequence.len(),
                                &suite,
                            ));
                        }
                    }
                    done_runs += out.runs;
                    out.view_cache = observer.cache_stats();
                    out.kind_boosts = schedule.boosts().to_vec();
                    out.dead_entries = schedule.dead_entries();
                    out.mismatches = observer.mismatches();
                    out.busy = epoch_started.elapsed();
                    shared.lock().expect("campaign state").slots[w] = out;
                    let leader = barrier.wait().is_leader();
                    if leader {
                        let mut s = shared.lock().expect("campaign state");
                        merge_epoch(
                            &mut s,
                            config,
                            start,
                            runs_per_worker.map(|_| ()),
                            on_progress,
                        );
                        let found = config
                            .stop_on
                            .as_ref()
                            .is_some_and(|id| s.report.findings.contains_key(id))
                            || (config.stop_on_first_violation && !s.report.findings.is_empty())
                            || !s.report.observation_mismatches.is_empty();
                        let over = found
                            || interrupted()
                            || match config.budget {
                                Budget::Runs(n) => s.report.progress.runs >= n,
                                Budget::Duration(d) => start.elapsed() >= d,
                            };
                        stop.store(over, Ordering::SeqCst);
                    }
                    barrier.wait();
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                }
            });
        }
    });

    let mut s = shared.lock().expect("campaign state");
    s.report.progress.elapsed = start.elapsed();
    let last = TimelineSample {
        elapsed: s.report.progress.elapsed,
        calls: s.report.progress.calls,
        edges: s.edges.len(),
    };
    if s.report
        .timeline
        .last()
        .is_some_and(|t| t.calls != last.calls)
    {
        s.report.timeline.push(last);
    }
    s.report.interrupted = config
        .interrupt
        .as_ref()
        .is_some_and(|flag| flag.load(Ordering::SeqCst));
    s.report.corpus = s.corpus.iter().map(|e| e.to_vec()).collect();
    std::mem::take(&mut s.report)
}

fn merge_epoch(
    s: &mut Shared,
    config: &CampaignConfig,
    start: Instant,
    _deterministic: Option<()>,
    on_progress: &(dyn Fn(&Progress) + Sync),
) {
    let slots: Vec<EpochOutput> = s.slots.iter_mut().map(std::mem::take).collect();
    s.report.view_cache = CacheStats::default();
    s.report.observation_mismatches.clear();
    s.report.dead_entries = 0;
    let boosts: Vec<&Vec<f64>> = slots.iter().map(|o| &o.kind_boosts).collect();
    if let Some(first) = boosts.first() {
        s.report.kind_boosts = (0..first.len())
            .map(|k| {
                boosts
                    .iter()
                    .map(|b| b.get(k).copied().unwrap_or(1.0))
                    .sum::<f64>()
                    / boosts.len() as f64
            })
            .collect();
    }
    for out in slots {
        s.report.worker_busy += out.busy;
        s.report.dead_entries += out.dead_entries;
        s.report.view_cache.add(&out.view_cache);
        s.report
            .observation_mismatches
            .extend(out.mismatches.iter().cloned());
        s.report.progress.runs += out.runs;
        s.report.progress.steps += out.steps;
        s.report.progress.calls += out.calls;
        s.report.checks += out.steps * catalog::CATALOG.len() as u64;
        for (op, stats) in out.ops {
            s.report.ops.entry(op).or_default().merge(&stats);
        }
        for (key, stats) in &out.entries {
            s.report
                .entries
                .entry(key.clone())
                .or_default()
                .merge(stats);
        }
        let new_edges = out.edges.iter().any(|e| !s.edges.contains(e))
            || out.features.iter().any(|f| !s.features.contains(f));
        s.edges.extend(out.edges);
        s.features.extend(out.features);
        if new_edges {
            for seq in out.corpus {
                if let Some(dir) = &config.corpus_dir {
                    if let Err(e) = save_sequence(dir, &seq) {
                        s.report.write_errors.push(e.to_string());
                    }
                }
                s.corpus.push(seq);
            }
        }
        for (id, at, _) in &out.first_seen {
            let seen = s.report.first_seen.entry(id.clone()).or_insert(*at);
            *seen = (*seen).min(*at);
        }
        for mut finding in out.findings {
            if s.report.findings.contains_key(&finding.invariant) {
                continue;
            }
            finding.variant.clone_from(&config.variant);
            finding.first_seen = out
                .first_seen
                .iter()
                .find(|(id, _, _)| *id == finding.invariant)
                .map(|(_, at, run)| FirstSighting {
                    elapsed_ms: at.as_millis() as u64,
                    run: *run,
                });
            if let Some(dir) = &config.findings_dir {
                if let Err(e) = finding.save(dir) {
                    s.report.write_errors.push(CorpusError::to_string(&e));
                }
            }
            s.report.findings.insert(finding.invariant.clone(), finding);
        }
    }
    s.report.progress.edges = s.edges.len();
    s.report.progress.behaviours = s.features.len();
    s.report.progress.corpus = s.corpus.len();
    s.report.progress.violations = s.report.findings.len();
    s.report.progress.elapsed = start.elapsed();
    let sample = TimelineSample {
        elapsed: start.elapsed(),
        calls: s.report.progress.calls,
        edges: s.edges.len(),
    };
    // At most one sample a second unless the edges grew, so that an hour-long campaign's timeline stays small.
    let thin = s.report.timeline.last().is_some_and(|last| {
        last.edges == sample.edges && sample.elapsed < last.elapsed + Duration::from_secs(1)
    });
    if !thin {
        s.report.timeline.push(sample);
    }
    if sample.elapsed >= s.trimmed_at + TRIM_EVERY {
        s.trimmed_at = sample.elapsed;
        release_free_memory();
    }
    on_progress(&s.report.progress);
}

/// How often a campaign gives free memory back to the system.
const TRIM_EVERY: Duration = Duration::from_secs(10);

/// Gives the allocator's free pages back to the system. A campaign makes about a million short-lived allocations a
/// second among its long-lived corpus entries (heaptrack), and glibc keeps the holes they leave: the resident set
/// grew all through an hour-long campaign while the live heap stayed near 10 MiB (BENCHMARKS.md §19).
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns unused memory to the system; it is safe to call from any thread at any time.
    unsafe {
        let before = libc::mallinfo2();
        libc::malloc_trim(0);
        // `arena` + `hblkhd`: what malloc holds from the system; `uordblks` + `hblkhd`: what is in use.
        tracing::debug!(
            held = before.arena + before.hblkhd,
            in_use = before.uordblks + before.hblkhd,
            free = before.fordblks,
            "memory before trimming"
        );
    }
}

/// Builds the finding of `violation` on `sequence` (already shrunk), with a readable trace.
#[allow(clippy::too_many_arguments)]
pub fn make_finding(
    world: &mut World,
    observer: &Observer,
    sequence: &[Action],
    violation: &poolguard_invariants::Violation,
    seed: u64,
    worker: usize,
    original_length: usize,
    suite: &str,
) -> Finding {
    let traced = run_sequence(
        world,
        observer,
        sequence,
        &StopOn::Invariant(violation.invariant.clone()),
        RunOptions {
            collect_coverage: false,
            keep_trace: true,
        },
    );
    let statement = catalog::find(&violation.invariant)
        .map(|i| i.statement)
        .unwrap_or_default();
    // Name actors in the message, as the trace does.
    let mut message = violation.message.clone();
    for (address, name) in world.actors.named() {
        message = message
            .replace(&address.to_checksum(None), name)
            .replace(&format!("{address:#x}"), name);
    }
    Finding {
        format: FINDING_FORMAT.to_string(),
        invariant: violation.invariant.clone(),
        statement: statement.to_string(),
        message,
        step: violation.step,
        seed,
        worker,
        original_length,
        poolguard_version: env!("CARGO_PKG_VERSION").to_string(),
        suite: suite.to_string(),
        variant: None,
        first_seen: None,
        pools: world.pools.len(),
        sequence: sequence.to_vec(),
        trace: traced.trace,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revert_tables_stay_bounded_and_keep_the_frequent_reasons() {
        let mut total = EntryStats::default();
        // An entry point's reasons keep their arguments, which rarely repeat: every epoch brings new ones.
        for epoch in 0..1_000u64 {
            let mut out = EntryStats::default();
            for _ in 0..3 {
                out.record(false, Some("EnforcedPause()"));
            }
            for k in 0..10u64 {
                out.record(false, Some(&format!("Insufficient({})", epoch * 10 + k)));
            }
            total.merge(&out);
            assert!(
                total.reverts.len() <= REVERT_REASONS + 1,
                "{:?}",
                total.reverts.len()
            );
        }
        assert_eq!(total.top_revert().map(|(r, _)| r), Some("other"));
        assert_eq!(
            total.reverts.get("EnforcedPause()"),
            Some(&3_000),
            "the frequent reason is kept whole"
        );
        assert_eq!(
            total.reverts.values().sum::<u64>(),
            13_000,
            "no revert is lost"
        );
    }
}
