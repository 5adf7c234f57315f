//! Shrinking: remove steps, then simplify arguments and rolls, while the same invariant still fails.

use alloy_primitives::U256;
use poolguard_invariants::Violation;

use super::runner::{run_sequence, RunOptions, StopOn};
use crate::actions::{Action, Amount, ArgValue, FieldKind, Op};
use crate::observe::Observer;
use crate::world::{World, BERA};

/// Shrinking's result.
#[derive(Debug, Clone)]
pub struct Shrunk {
    /// The minimal sequence found.
    pub sequence: Vec<Action>,
    /// The violation it still produces.
    pub violation: Violation,
    /// Sequences tried.
    pub attempts: usize,
}

/// Shrinks `sequence`, which violates `invariant`, trying at most `max_attempts` candidates; `progress` is
/// told (attempts, current length) after each one.
pub fn shrink(
    world: &mut World,
    observer: &Observer,
    sequence: &[Action],
    invariant: &str,
    max_attempts: usize,
    progress: &mut dyn FnMut(usize, usize),
) -> Option<Shrunk> {
    let stop = StopOn::Invariant(invariant.to_string());
    let fails = |world: &mut World, candidate: &[Action]| -> Option<Violation> {
        run_sequence(world, observer, candidate, &stop, RunOptions::BARE)
            .violations
            .into_iter()
            .find(|v| v.invariant == invariant)
    };
    let mut violation = fails(world, sequence)?;
    let mut best: Vec<Action> = sequence[..=violation.step.min(sequence.len() - 1)].to_vec();
    let attempts = std::cell::Cell::new(1usize);
    let mut try_candidate = |world: &mut World,
                             candidate: Vec<Action>,
                             best: &mut Vec<Action>,
                             violation: &mut Violation| {
        attempts.set(attempts.get() + 1);
        if let Some(v) = fails(world, &candidate) {
            *best = candidate[..=v.step.min(candidate.len() - 1)].to_vec();
            *violation = v;
            progress(attempts.get(), best.len());
            return true;
        }
        progress(attempts.get(), best.len());
        false
    };
    let mut changed = true;
    while changed {
        changed = false;
        // Remove steps, last first (later steps depend on earlier ones less often).
        let mut i = best.len();
        while i > 0 {
            i -= 1;
            if best.len() <= 1 || attempts.get() >= max_attempts {
                break;
            }
            let mut candidate = best.clone();
            candidate.remove(i);
            if try_candidate(world, candidate, &mut best, &mut violation) {
                changed = true;
                i = i.min(best.len());
            }
        }
        // Simplify each remaining step.
        for i in 0..best.len() {
            for candidate_step in simplifications(&best[i]) {
                if attempts.get() >= max_attempts {
                    break;
                }
                let mut candidate = best.clone();
                candidate[i] = candidate_step;
                if i < candidate.len() && try_candidate(world, candidate, &mut best, &mut violation)
                {
                    changed = true;
                    break;
                }
            }
            if i + 1 >= best.len() {
                break;
            }
        }
        if attempts.get() >= max_attempts {
            break;
        }
    }
    Some(Shrunk {
        sequence: best,
        violation,
        attempts: attempts.get(),
    })
}

/// Simpler versions of one step: signed by no one in particular, no roll, a shorter roll, rounder and smaller
/// amounts.
fn simplifications(step: &Action) -> Vec<Action> {
    let mut out = Vec::new();
    if step.origin.is_some() {
        out.push(Action {
            origin: None,
            ..step.clone()
        });
    }
    if step.roll > 0 {
        out.push(Action {
            roll: 0,
            ..step.clone()
        });
        if step.roll > 1 {
            out.push(Action {
                roll: step.roll / 2,
                ..step.clone()
            });
        }
    }
    let kind = step.op.kind();
    let fields = kind.spec().fields;
    let args = step.op.args();
    // ABI argument seeds: one fewer, then each nonzero seed zeroed.
    for (at, value) in args.iter().enumerate() {
        if let ArgValue::Words(words) = value {
            let mut shorter = words.clone();
            if shorter.pop().is_some() {
                let mut changed = args.clone();
                changed[at] = ArgValue::Words(shorter);
                out.push(Action {
                    op: Op::from_args(kind, &changed),
                    ..step.clone()
                });
            }
            for i in (0..words.len()).filter(|&i| !words[i].is_zero()) {
                let mut zeroed = words.clone();
                zeroed[i] = U256::ZERO;
                let mut changed = args.clone();
                changed[at] = ArgValue::Words(zeroed);
                out.push(Action {
                    op: Op::from_args(kind, &changed),
                    ..step.clone()
                });
            }
        }
    }
    // The first amount shrinking simplifies: rounded to whole BERA, then halved. A loss past any balance (drawn as
    // `U256::MAX`, or mutated from it), which the plan bounds to everything the validator can lose, is as simple as
    // it reads: halving it only replays the same step, over a hundred times.
    if let Some((at, original)) = (0..fields.len())
        .filter(|&i| fields[i].shrinks())
        .find_map(|i| match args[i] {
            ArgValue::Word(v)
                if matches!(fields[i].kind, FieldKind::Loss { .. }) && v.bit_len() > 128 =>
            {
                None
            }
            ArgValue::Word(v) | ArgValue::Amount(Amount::Exact(v)) => Some((i, v)),
            _ => None,
        })
    {
        let exact = matches!(args[at], ArgValue::Amount(_));
        let mut candidates = vec![];
        let whole = original / BERA * BERA;
        if whole != original && !whole.is_zero() {
            candidates.push(whole);
        }
        if original > U256::from(1u8) {
            candidates.push(original / U256::from(2u8));
        }
        for candidate in candidates {
            let mut changed = args.clone();
            changed[at] = if exact {
                ArgValue::Amount(Amount::Exact(candidate))
            } else {
                ArgValue::Word(candidate)
            };
            out.push(Action {
                op: Op::from_args(kind, &changed),
                ..step.clone()
            });
        }
    }
    out
}
