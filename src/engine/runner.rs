//! Runs one sequence from the deployed snapshot: execute, observe, check after every step.

use std::collections::HashSet;

use alloy_primitives::U256;
use poolguard_invariants::{check_all, Check, Ghost, Observation, StepRecord, Violation};

use crate::actions::Action;
use crate::evm::{CoverageInspector, Frame};
use crate::execute::execute;
use crate::observe::Observer;
use crate::world::World;

/// When a run stops early.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopOn {
    /// Run every step.
    Never,
    /// Stop at the first violation of any invariant.
    AnyViolation,
    /// Stop at the first violation of this invariant.
    Invariant(String),
}

/// What one run produced.
#[derive(Debug, Clone, Default)]
pub struct RunResult {
    /// One record per executed step.
    pub steps: Vec<StepRecord>,
    /// Violations, in step order (each invariant at most once per run).
    pub violations: Vec<Violation>,
    /// Coverage edges hit (deduplicated).
    pub edges: HashSet<u64>,
    /// Behaviour features hit (deduplicated; see [`behaviour_features`]): collected with the edges.
    pub features: HashSet<u64>,
    /// Comparison operands seen.
    pub cmps: Vec<(U256, U256)>,
    /// Readable trace lines, when asked for.
    pub trace: Vec<String>,
    /// Nested call frames (not the top-level call) that returned successfully inside a successful step:
    /// entry points the suite reaches only through another contract (`receiveRewards`, `notifyRedeemRequest`).
    pub inner_successes: Vec<Frame>,
}

/// What a run collects besides its steps and violations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// Run every call under a fresh coverage inspector and collect its edges and comparison operands
    /// ([`RunResult::edges`], [`RunResult::cmps`]).
    pub collect_coverage: bool,
    /// Keep a readable line per step, and one per violation ([`RunResult::trace`]).
    pub keep_trace: bool,
}

impl RunOptions {
    /// Steps and violations only: no coverage, no trace.
    pub const BARE: RunOptions = RunOptions {
        collect_coverage: false,
        keep_trace: false,
    };
}

/// Runs `sequence` on `world` after resetting it, collecting what `options` asks for.
pub fn run_sequence(
    world: &mut World,
    observer: &Observer,
    sequence: &[Action],
    stop: &StopOn,
    options: RunOptions,
) -> RunResult {
    let mut inspector = options.collect_coverage.then(CoverageInspector::new);
    run_sequence_with(
        world,
        observer,
        sequence,
        stop,
        inspector.as_mut(),
        if options.keep_trace {
            Trace::Lines
        } else {
            Trace::Off
        },
    )
}

/// What a step achieved, by whom, as coverage: for a successful step `(entry point or op, class of the sender,
/// classes of the accounts the calldata names)`, and for each re-entry from a callback `(entry point, class of
/// the re-entering contract, whether it succeeded)`. Code edges alone do not tell a contract actor's successful
/// request from a staker's (the same branches run), so a campaign guided by edges only never keeps the first as
/// a stepping stone; these features make "a new kind of account did this" worth keeping. Failed steps add none:
/// the branch that refused them is an edge already, and a feature per refusal would flood the corpus.
pub fn behaviour_features(world: &World, step: &StepRecord) -> Vec<u64> {
    let class = |a| world.actors.class(a);
    let mut out = Vec::new();
    if step.success {
        let mut named: Vec<_> = step.named.iter().map(|a| class(*a)).collect();
        named.sort();
        named.dedup();
        let what = step.entry.as_deref().unwrap_or(&step.op);
        out.push(feature_id(&format!(
            "step {what} {:?} {named:?}",
            class(step.caller)
        )));
    }
    for r in &step.events.reentries {
        out.push(feature_id(&format!(
            "reenter {} {:?} {}",
            r.entry.as_deref().unwrap_or("?"),
            class(r.by),
            r.success
        )));
    }
    out
}

fn feature_id(text: &str) -> u64 {
    let hash = alloy_primitives::keccak256(text.as_bytes());
    u64::from_be_bytes(hash[..8].try_into().expect("8 bytes"))
}

/// Whether a run keeps a readable line per step ([`RunResult::trace`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Trace {
    /// No trace lines (campaigns, the libFuzzer harness).
    #[default]
    Off,
    /// One line per step and one per violation (replay, the shrunk finding).
    Lines,
}

/// [`run_sequence`] with the caller's coverage inspector (e.g. one with a
/// [sink](CoverageInspector::with_sink) that feeds libFuzzer); `None` runs without coverage. The inspector is
/// drained after every step, its edges and comparison operands collected into the result.
pub fn run_sequence_with(
    world: &mut World,
    observer: &Observer,
    sequence: &[Action],
    stop: &StopOn,
    mut inspector: Option<&mut CoverageInspector>,
    trace: Trace,
) -> RunResult {
    world.reset();
    let mut result = RunResult::default();
    let mut prev: Observation = observer.observe(world, 0);
    let mut ghost = Ghost::new(&prev);
    if let Some(inspector) = inspector.as_mut() {
        inspector.clear();
    }
    let mut seen: HashSet<String> = HashSet::new();
    for (index, action) in sequence.iter().enumerate() {
        let description = (trace == Trace::Lines).then(|| action.describe(world));
        let executed = execute(world, action, index, inspector.as_deref_mut());
        let record = observer.step_record(world, executed);
        if let Some(inspector) = inspector.as_mut() {
            let (edges, cmps) = inspector.take();
            result.edges.extend(edges);
            result.cmps.extend(cmps);
            result.features.extend(behaviour_features(world, &record));
            let mut frames = inspector.take_frames();
            // The top-level call ends last; it is the step itself.
            frames.pop();
            if record.success {
                result
                    .inner_successes
                    .extend(frames.into_iter().filter(|f| f.success));
            }
        }
        let next = observer.observe(world, index + 1);
        ghost.update(&prev, &next, &record);
        let violations = check_all(&Check {
            prev: &prev,
            next: &next,
            step: &record,
            ghost: &ghost,
        });
        if let Some(line) = description {
            let status = match &record.revert {
                None => "ok".to_string(),
                Some(reason) => format!("reverted: {reason}"),
            };
            result.trace.push(format!("#{index:<3} {line} -> {status}"));
            for v in &violations {
                result
                    .trace
                    .push(format!("     VIOLATION {}: {}", v.invariant, v.message));
            }
        }
        result.steps.push(record);
        let mut stop_now = false;
        for v in violations {
            if !seen.insert(v.invariant.clone()) {
                continue;
            }
            stop_now |= match stop {
                StopOn::Never => false,
                StopOn::AnyViolation => true,
                StopOn::Invariant(id) => *id == v.invariant,
            };
            result.violations.push(v);
        }
        prev = next;
        if stop_now {
            break;
        }
    }
    result
}
