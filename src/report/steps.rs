//! A sequence turned back into concrete transactions: what each step sent (caller, callee, calldata, value,
//! roll), whether it succeeded, and, for one chosen step, where in the Solidity source it ran. Reproducers
//! outside poolguard (Foundry tests, `cast` scripts) and SARIF locations are built from this.

use alloy_primitives::{Address, Bytes, U256};

use crate::actions::Action;
use crate::evm::PcTracer;
use crate::execute::send;
use crate::sourcemap::{SourceIndex, SourceLocation};
use crate::world::World;

/// Most instructions kept when tracing the located step.
const TRACE_CAP: usize = 2_000_000;

/// One step as a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedStep {
    /// Blocks rolled before it.
    pub roll: u32,
    /// Readable description (actor names, arguments).
    pub description: String,
    /// Sender, as sent (a contract actor's call is its `exec`, signed by `contract_origin` or the action's signer).
    pub from: Address,
    /// Callee, as sent; `None` for a plain roll.
    pub to: Option<Address>,
    /// Calldata.
    pub data: Bytes,
    /// BERA sent.
    pub value: U256,
    /// Whether the call succeeded (a plain roll always does; a transaction revm rejects does not).
    pub success: bool,
}

/// Where a step ran in the Solidity source.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct StepLocation {
    /// The function (or `receive`/`fallback`) of the suite's own code (`src/`) the call entered first.
    pub entry: Option<SourceLocation>,
    /// Its first source line, e.g. `function submit(address receiver) external payable …`.
    pub entry_signature: Option<String>,
    /// For a reverted call: the last instruction of the suite's own code that ran (where it reverted).
    pub revert: Option<SourceLocation>,
}

/// Replays `sequence` from the world's reset state, recording each step's transaction; with `locate`, also
/// traces that step and finds where it ran. Leaves the world reset.
pub fn plan_sequence(
    world: &mut World,
    sequence: &[Action],
    locate: Option<(usize, &mut SourceIndex)>,
) -> (Vec<PlannedStep>, Option<StepLocation>) {
    world.reset();
    let mut steps = Vec::with_capacity(sequence.len());
    let mut location = None;
    let (target, mut index) = match locate {
        Some((step, index)) => (Some(step), Some(index)),
        None => (None, None),
    };
    for (i, action) in sequence.iter().enumerate() {
        let description = action.describe(world);
        let traced = target == Some(i);
        let mut tracer = traced.then(|| PcTracer::with_trace(TRACE_CAP));
        let (planned, result) = send(world, &crate::world::OnChain, action, tracer.as_mut());
        let success = result.is_none_or(|r| r.is_ok_and(|o| o.success));
        if let (Some(tracer), Some(index)) = (&tracer, index.as_deref_mut()) {
            if planned.to.is_some() {
                location = Some(locate_trace(world, index, tracer, success));
            }
        }
        // The transaction as sent (a contract actor's through its `exec`), so that exports replay it exactly.
        let sent = planned
            .to
            .map(|to| crate::execute::wire(world, &planned, to));
        steps.push(PlannedStep {
            // What was rolled in all: a plan that waits for a due block rolls after the action's own roll.
            roll: action
                .roll
                .saturating_add(u32::try_from(planned.wait).unwrap_or(u32::MAX)),
            description,
            from: sent.as_ref().map_or(planned.from, |w| w.from),
            to: sent.as_ref().map(|w| w.to),
            data: sent
                .as_ref()
                .map_or(planned.data.clone(), |w| w.data.clone()),
            value: sent.as_ref().map_or(planned.value, |w| w.value),
            success,
        });
    }
    world.reset();
    (steps, location)
}

fn locate_trace(
    world: &World,
    index: &mut SourceIndex,
    tracer: &PcTracer,
    success: bool,
) -> StepLocation {
    let mut location = StepLocation::default();
    let mut last_own = None;
    for &(hash, pc) in tracer.trace() {
        if index.contract(hash).is_none() {
            let Some(code) = world.chain.code_by_hash(hash) else {
                continue;
            };
            if index.identify(hash, &code).is_none() {
                continue;
            }
        }
        let Some(here) = index.locate(hash, pc) else {
            continue;
        };
        if !here.path.starts_with("src") {
            continue;
        }
        if location.entry.is_none() {
            let snippet = source_snippet(index, hash, pc);
            let is_entry = ["function ", "receive", "fallback"]
                .iter()
                .any(|p| snippet.starts_with(p));
            if is_entry {
                location.entry_signature = snippet
                    .lines()
                    .next()
                    .map(|l| l.trim_end_matches('{').trim().to_string());
                location.entry = Some(here.clone());
            }
        }
        last_own = Some(here);
    }
    if !success {
        location.revert = last_own;
    }
    location
}

fn source_snippet(index: &SourceIndex, hash: alloy_primitives::B256, pc: u32) -> String {
    let Some(element) = index.element(hash, pc) else {
        return String::new();
    };
    element
        .index()
        .and_then(|f| index.file(f))
        .map(|file| {
            file.snippet(element.offset(), element.length().min(400))
                .to_string()
        })
        .unwrap_or_default()
}
