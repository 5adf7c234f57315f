//! Enablers learned from dataflow: which steps make which others possible, from the storage each call reads and
//! changes ([`StateAccess`]). A step of kind B *depends on* a step of kind A when A changed a storage slot that
//! B's guard reads (one of the last slots a call of B loaded before it reverted or returned without changing
//! anything); inserting an A before a B that rarely succeeds is then a targeted guess at what B lacks (a balance,
//! a queued entry, a role, a request). Chained, it builds the multi-step set-ups nobody wrote an op for
//! (mint BGT, queue a boost, wait the delay, activate it, then drop it) from what the compiled suite does, not
//! from a hand-written list: a function added to a contract takes part as soon as it runs.
//!
//! Learned per worker from its own runs, so a campaign stays deterministic for a seed and a number of workers.
//! Bounded: at most [`MAX_READS`] slots per kind and [`MAX_SLOTS`] slots with writers.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use poolguard_invariants::StepRecord;

use crate::actions::{Action, Op, OpKind};
use crate::evm::{slot_id, StateAccess};

/// The most distinct guard slots, and changed slots, remembered per step kind.
pub const MAX_READS: usize = 256;
/// The most distinct slots remembered with their writers.
pub const MAX_SLOTS: usize = 200_000;
/// The most writers remembered per slot.
const MAX_WRITERS: usize = 32;

/// What kind of step a step is, for dataflow: its op kind, or for an ABI call its entry point (each function
/// of each deployed contract is a kind of its own).
pub fn step_key(op: &Op) -> usize {
    match op {
        Op::AbiCall { entry, .. } => OpKind::ALL.len() + usize::from(*entry),
        other => other.kind() as usize,
    }
}

/// Each step further from a guard's end weighs this much less (the last slot a refused call loaded is most
/// likely what refused it).
const RANK_DECAY: f64 = 0.7;

/// Whether a step took effect: it succeeded and changed storage (a call that returns early without doing
/// anything, like an activation not yet due, did not).
pub fn step_took_effect(step: &StepRecord, access: &StateAccess) -> bool {
    step.success && !access.written.is_empty()
}

/// [`step_took_effect`] for each step of a run.
pub fn took_effect(steps: &[StepRecord], access: &[StateAccess]) -> Vec<bool> {
    steps
        .iter()
        .zip(access)
        .map(|(step, access)| step_took_effect(step, access))
        .collect()
}

/// The enablers a worker learned.
#[derive(Debug, Clone, Default)]
pub struct Dataflow {
    /// Per step key, the slots its ineffective calls (reverted, or changed nothing) loaded last, the guards that
    /// stopped them, each with its best rank (0: the very last slot a call loaded).
    guards: Vec<HashMap<u64, u8>>,
    /// Per step key, the slots its calls changed.
    written: Vec<HashSet<u64>>,
    /// Per slot, the step keys whose calls changed it.
    writers: HashMap<u64, Vec<u32>>,
    /// Per slot, the step keys whose guards loaded it, each with its best rank there.
    guarded_by: HashMap<u64, Vec<(u32, u8)>>,
    /// Per slot some guard loaded and step key that changed it, the op of the last such step: the arguments that
    /// did (the zero report that left an exit pending, not just some report), for a set-up to repeat. Keyed by
    /// the writer too, so that the step that closes what a guard reads (the pending exit sent) does not replace
    /// the one that opened it.
    exemplars: HashMap<(u64, u32), Arc<Op>>,
    /// Per step key, calls made and effective calls (ones that succeeded and changed storage: a call that
    /// returns early without doing anything, like an activation not yet due, is no success for this).
    calls: Vec<(u64, u64)>,
}

impl Dataflow {
    /// Learns from one run: `sequence` as it ran, its step records and each step's storage access (as
    /// [`RunResult`](super::RunResult) collects them with coverage).
    pub fn learn(&mut self, sequence: &[Action], steps: &[StepRecord], access: &[StateAccess]) {
        for ((action, record), access) in sequence.iter().zip(steps).zip(access) {
            let key = step_key(&action.op);
            if self.guards.len() <= key {
                self.guards.resize_with(key + 1, HashMap::default);
                self.written.resize_with(key + 1, HashSet::default);
                self.calls.resize(key + 1, (0, 0));
            }
            let (calls, effective) = &mut self.calls[key];
            let took_effect = step_took_effect(record, access);
            *calls += 1;
            *effective += u64::from(took_effect);
            if !took_effect {
                let guards = &mut self.guards[key];
                for (rank, (address, slot)) in access.last_loads.iter().rev().enumerate() {
                    let slot = slot_id(*address, *slot);
                    let rank = rank.min(usize::from(u8::MAX)) as u8;
                    if let Some(best) = guards.get_mut(&slot) {
                        if rank < *best {
                            *best = rank;
                            if let Some(entry) = self
                                .guarded_by
                                .get_mut(&slot)
                                .and_then(|by| by.iter_mut().find(|(k, _)| *k == key as u32))
                            {
                                entry.1 = rank;
                            }
                        }
                    } else if guards.len() < MAX_READS
                        && (self.guarded_by.len() < MAX_SLOTS
                            || self.guarded_by.contains_key(&slot))
                    {
                        guards.insert(slot, rank);
                        let by = self.guarded_by.entry(slot).or_default();
                        if by.len() < MAX_WRITERS {
                            by.push((key as u32, rank));
                        }
                    }
                }
            }
            // One copy of the op per step, shared by every guarded slot it changed.
            let mut exemplar: Option<Arc<Op>> = None;
            for (address, slot) in &access.written {
                let slot = slot_id(*address, *slot);
                if self.written[key].len() < MAX_READS {
                    self.written[key].insert(slot);
                }
                if self.writers.len() >= MAX_SLOTS && !self.writers.contains_key(&slot) {
                    continue;
                }
                let writers = self.writers.entry(slot).or_default();
                if writers.len() < MAX_WRITERS && !writers.contains(&(key as u32)) {
                    writers.push(key as u32);
                }
                // Only for a remembered writer of a slot some guard loaded: at most MAX_WRITERS per slot.
                if writers.contains(&(key as u32)) && self.guarded_by.contains_key(&slot) {
                    let op = exemplar.get_or_insert_with(|| Arc::new(action.op.clone()));
                    self.exemplars.insert((slot, key as u32), Arc::clone(op));
                }
            }
        }
    }

    /// How specifically changing `slot` answers a guard that loaded it at `rank`: `1 / (number of kinds that
    /// change it)`, less the further from the guard's end. A slot many kinds write (a global counter) says
    /// little, the one kind that fills the queue an activation reads says much.
    fn specificity(&self, slot: u64, rank: u8) -> f64 {
        let writers = self.writers.get(&slot).map_or(0, Vec::len);
        if writers == 0 {
            return 0.0;
        }
        RANK_DECAY.powi(i32::from(rank)) / writers as f64
    }

    /// The step keys whose calls changed a slot that ineffective calls of `key` loaded last, in key order,
    /// each weighted by [`Dataflow::specificity`] for its most specific such slot (a kind that writes many slots
    /// of a guard, a role grant with one slot per account, counts no more than one that writes the slot that
    /// matters).
    pub fn enablers(&self, key: usize) -> Vec<(usize, f64)> {
        let Some(guards) = self.guards.get(key) else {
            return Vec::new();
        };
        let mut weights: HashMap<u32, f64> = HashMap::new();
        for (slot, rank) in guards {
            let specificity = self.specificity(*slot, *rank);
            for writer in self.writers.get(slot).into_iter().flatten() {
                let weight = weights.entry(*writer).or_default();
                *weight = weight.max(specificity);
            }
        }
        let mut out: Vec<(usize, f64)> =
            weights.into_iter().map(|(k, w)| (k as usize, w)).collect();
        out.sort_unstable_by_key(|(k, _)| *k);
        out
    }

    /// The step keys whose guards loaded a slot that calls of `key` changed, in key order: what a step of
    /// `key` may make possible. Each weighs its [`Dataflow::need`] times [`Dataflow::specificity`] for its most
    /// specific such slot, so a kind that never took effect comes first.
    pub fn dependents(&self, key: usize) -> Vec<(usize, f64)> {
        let Some(written) = self.written.get(key) else {
            return Vec::new();
        };
        let mut weights: HashMap<u32, f64> = HashMap::new();
        for slot in written {
            for (other, rank) in self.guarded_by.get(slot).into_iter().flatten() {
                let weight = self.specificity(*slot, *rank) * self.need(*other as usize);
                let best = weights.entry(*other).or_default();
                *best = best.max(weight);
            }
        }
        let mut out: Vec<(usize, f64)> =
            weights.into_iter().map(|(k, w)| (k as usize, w)).collect();
        out.sort_unstable_by_key(|(k, _)| *k);
        out
    }

    /// The ops of kind `writer` last seen changing a slot that ineffective calls of `key` loaded, in slot order:
    /// an enabler of `key` with the arguments that changed what its guard reads.
    pub fn exemplars(&self, key: usize, writer: usize) -> Vec<&Op> {
        let Some(guards) = self.guards.get(key) else {
            return Vec::new();
        };
        let mut found: Vec<(u64, &Op)> = guards
            .keys()
            .filter_map(|slot| {
                self.exemplars
                    .get(&(*slot, writer as u32))
                    .map(|op| (*slot, op.as_ref()))
            })
            .collect();
        found.sort_unstable_by_key(|(slot, _)| *slot);
        found.into_iter().map(|(_, op)| op).collect()
    }

    /// Whether ineffective calls of `key` were seen, with the slots their guards loaded.
    pub fn has_guards(&self, key: usize) -> bool {
        self.guards.get(key).is_some_and(|g| !g.is_empty())
    }

    /// How much a step of `key` needs help: 1 for a kind never seen to take effect, falling with its effective
    /// calls.
    pub fn need(&self, key: usize) -> f64 {
        let effective = self.calls.get(key).map_or(0, |(_, n)| *n);
        1.0 / (1.0 + effective as f64).sqrt()
    }

    /// Calls and effective calls seen of `key`.
    pub fn calls(&self, key: usize) -> (u64, u64) {
        self.calls.get(key).copied().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::Op;
    use alloy_primitives::{Address, U256};

    fn record(success: bool) -> StepRecord {
        StepRecord {
            success,
            ..StepRecord::default()
        }
    }

    fn slot(n: u8) -> (Address, U256) {
        (Address::repeat_byte(n), U256::from(n))
    }

    fn access(loads: &[u8], written: &[u8]) -> StateAccess {
        StateAccess {
            written: written.iter().map(|n| slot(*n)).collect(),
            last_loads: loads.iter().map(|n| slot(*n)).collect(),
        }
    }

    #[test]
    fn a_writer_of_a_slot_a_step_reads_enables_it() {
        let a = Action {
            origin: None,
            caller: 0,
            roll: 0,
            op: Op::QueueBoost { pool: 0 },
        };
        let b = Action {
            origin: None,
            caller: 0,
            roll: 0,
            op: Op::ActivateBoost { pool: 0 },
        };
        let c = Action {
            origin: None,
            caller: 0,
            roll: 0,
            op: Op::AbiCall {
                entry: 3,
                args: vec![],
                value: U256::ZERO,
            },
        };
        let mut flow = Dataflow::default();
        flow.learn(
            &[a.clone(), b.clone(), c.clone()],
            &[record(true), record(true), record(true)],
            &[
                access(&[1, 2], &[2]),
                access(&[2, 3], &[]),
                access(&[3, 9, 2], &[]),
            ],
        );
        // B (which changed nothing) read slot 2 last, which A changed; nobody changed 3 or 9. A, which took
        // effect, learns no guard.
        let keys = |list: Vec<(usize, f64)>| list.into_iter().map(|(k, _)| k).collect::<Vec<_>>();
        assert_eq!(keys(flow.enablers(step_key(&b.op))), vec![step_key(&a.op)]);
        assert_eq!(keys(flow.enablers(step_key(&c.op))), vec![step_key(&a.op)]);
        assert!(flow.enablers(step_key(&a.op)).is_empty());
        // C loaded slot 2 last, B last but one: C's guard on it is the closer one.
        let (b_weight, c_weight) = (
            flow.enablers(step_key(&b.op))[0].1,
            flow.enablers(step_key(&c.op))[0].1,
        );
        assert!(c_weight > b_weight, "{c_weight} vs {b_weight}");
        // What A makes possible: B and C, both never effective.
        assert_eq!(
            keys(flow.dependents(step_key(&a.op))),
            vec![step_key(&b.op), step_key(&c.op)]
        );
        assert_eq!(flow.calls(step_key(&c.op)), (1, 0));
        assert!(flow.need(step_key(&c.op)) > flow.need(step_key(&a.op)));
    }
}
