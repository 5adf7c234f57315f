//! Runs one sequence from the deployed snapshot: execute, observe, check after every step.

use std::collections::HashSet;

use alloy_primitives::U256;
use poolguard_invariants::{check_all, Check, Ghost, Observation, StepRecord, Violation};

use crate::actions::Action;
use crate::evm::CoverageInspector;
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
    /// Comparison operands seen.
    pub cmps: Vec<(U256, U256)>,
    /// Readable trace lines, when asked for.
    pub trace: Vec<String>,
}

/// Runs `sequence` on `world` after resetting it. With `coverage`, calls run under the coverage inspector;
/// with `trace`, a readable line per step is kept.
pub fn run_sequence(
    world: &mut World,
    observer: &Observer,
    sequence: &[Action],
    stop: &StopOn,
    coverage: bool,
    trace: bool,
) -> RunResult {
    let mut inspector = coverage.then(CoverageInspector::new);
    run_sequence_with(world, observer, sequence, stop, inspector.as_mut(), trace)
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
    trace: bool,
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
        let description = trace.then(|| action.describe(world));
        let executed = execute(world, action, index, inspector.as_deref_mut());
        let record = observer.step_record(world, executed);
        if let Some(inspector) = inspector.as_mut() {
            let (edges, cmps) = inspector.take();
            result.edges.extend(edges);
            result.cmps.extend(cmps);
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
