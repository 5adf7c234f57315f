//! A corpus that learns (issue 15): which corpus entry to mutate next, by its yield, and how often to draw each
//! op kind, by the new edges its steps found. Both are per worker and decided from the worker's own runs, so a
//! campaign stays deterministic for a seed and a number of workers.
//!
//! - **Entries**: an entry's energy is `(finds + 1) / (picks + 1)`: a new entry is tried at once, one whose
//!   mutants keep finding new coverage stays in favour, one picked many times for nothing fades to a floor
//!   (evicted from scheduling, still used as the other half of a splice).
//! - **Op kinds**: each kind's first-time edges per executed step, against the rate of all kinds (shrunk toward
//!   it when edges are few), scales the kind's declared weight between [`MIN_BOOST`] and [`MAX_BOOST`]; counts
//!   decay every epoch, so the weights follow the campaign as it moves on. The floor keeps every kind drawn.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use rand::rngs::SmallRng;
use rand::Rng;

use crate::actions::{Action, OpKind};

/// The least energy an entry falls to (a fortieth of a new entry's).
const MIN_ENERGY: f64 = 0.025;
/// The range an op kind's declared weight is scaled within.
pub const MIN_BOOST: f64 = 0.5;
/// See [`MIN_BOOST`].
pub const MAX_BOOST: f64 = 4.0;
/// Pseudo-finds, shared among the kinds by their use, that every kind's count starts from.
const PRIOR_FINDS: f64 = 8.0;
/// Per epoch, the op-kind counts keep this share (older runs weigh less).
const DECAY: f64 = 0.95;

#[derive(Debug, Clone, Copy, Default)]
struct EntryYield {
    picks: u32,
    finds: u32,
}

impl EntryYield {
    fn energy(self) -> f64 {
        (f64::from(self.finds) + 1.0) / (f64::from(self.picks) + 1.0)
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct KindYield {
    /// Steps of the kind executed (decayed).
    uses: f64,
    /// First-time edges its steps found (decayed).
    finds: f64,
}

/// A worker's schedule: entry energies and op-kind boosts.
#[derive(Debug, Clone)]
pub struct Scheduler {
    entries: HashMap<u64, EntryYield>,
    kinds: Vec<KindYield>,
    /// Per op kind (`OpKind as usize`), the factor its declared weight is drawn with.
    boosts: Vec<f64>,
}

impl Default for Scheduler {
    fn default() -> Self {
        Scheduler {
            entries: HashMap::new(),
            kinds: vec![KindYield::default(); OpKind::ALL.len()],
            boosts: vec![1.0; OpKind::ALL.len()],
        }
    }
}

/// A stable key of a sequence (the same on every worker and run).
pub fn sequence_key(sequence: &[Action]) -> u64 {
    let mut h = DefaultHasher::new();
    sequence.hash(&mut h);
    h.finish()
}

impl Scheduler {
    /// The index of the corpus entry to mutate next, drawn by energy; `keys` are the entries' [`sequence_key`]s,
    /// in corpus order (not empty).
    pub fn pick(&self, rng: &mut SmallRng, keys: &[u64]) -> usize {
        let energy = |i: usize| {
            self.entries
                .get(&keys[i])
                .map_or(1.0, |y| y.energy().max(MIN_ENERGY))
        };
        let total: f64 = (0..keys.len()).map(energy).sum();
        let mut draw = rng.random_range(0.0..total.max(f64::MIN_POSITIVE));
        for i in 0..keys.len() {
            let e = energy(i);
            if draw < e {
                return i;
            }
            draw -= e;
        }
        keys.len() - 1
    }

    /// Records that the entry `key` was mutated and whether the mutant found new coverage.
    pub fn record_pick(&mut self, key: u64, found: bool) {
        let y = self.entries.entry(key).or_default();
        y.picks = y.picks.saturating_add(1);
        y.finds = y.finds.saturating_add(u32::from(found));
    }

    /// Records a run: every executed step's kind, and per step how many first-time edges it found.
    pub fn record_run(&mut self, kinds: impl IntoIterator<Item = (OpKind, usize)>) {
        for (kind, new_edges) in kinds {
            let k = &mut self.kinds[kind as usize];
            k.uses += 1.0;
            k.finds += new_edges as f64;
        }
    }

    /// Recomputes the op-kind boosts from the counts so far and decays the counts (call once per epoch).
    ///
    /// A kind's boost is its first-time edges against what the overall rate predicts for its steps, both
    /// padded with its share of [`PRIOR_FINDS`]: when edges are many, the evidence speaks; when they are few
    /// (late in a campaign), a kind needs several of them to move far from 1; when there are none, every
    /// boost is 1.
    pub fn adapt(&mut self) {
        let (uses, finds) = self
            .kinds
            .iter()
            .fold((0.0, 0.0), |(u, f), k| (u + k.uses, f + k.finds));
        for (k, boost) in self.kinds.iter_mut().zip(&mut self.boosts) {
            *boost = if finds <= 0.0 || k.uses <= 0.0 {
                1.0
            } else {
                let share = k.uses / uses;
                let expected = finds * share;
                let prior = PRIOR_FINDS * share;
                ((k.finds + prior) / (expected + prior)).clamp(MIN_BOOST, MAX_BOOST)
            };
            k.uses *= DECAY;
            k.finds *= DECAY;
        }
    }

    /// The factor `kind`'s declared weight is drawn with now.
    pub fn boost(&self, kind: OpKind) -> f64 {
        self.boosts[kind as usize]
    }

    /// Every kind's boost, indexed by `OpKind as usize`.
    pub fn boosts(&self) -> &[f64] {
        &self.boosts
    }

    /// Entries whose energy is at the floor: picked often, never productive.
    pub fn dead_entries(&self) -> usize {
        self.entries
            .values()
            .filter(|y| y.energy() <= MIN_ENERGY)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;
    use crate::actions::Op;

    fn seq(n: u8) -> Vec<Action> {
        vec![Action {
            origin: None,
            caller: n,
            roll: 0,
            op: Op::Wait {},
        }]
    }

    #[test]
    fn productive_entries_are_picked_more_and_dead_ones_fade() {
        let corpus: Vec<Vec<Action>> = (0..3).map(seq).collect();
        let keys: Vec<u64> = corpus.iter().map(|s| sequence_key(s)).collect();
        let mut s = Scheduler::default();
        for _ in 0..60 {
            s.record_pick(keys[0], false);
            s.record_pick(keys[1], true);
        }
        let mut rng = SmallRng::seed_from_u64(1);
        let mut counts = [0; 3];
        for _ in 0..3_000 {
            counts[s.pick(&mut rng, &keys)] += 1;
        }
        assert_eq!(s.dead_entries(), 1);
        // Energies: dead 0.025, productive 1.0, new 1.0.
        assert!(counts[0] < 100, "{counts:?}");
        assert!(counts[1] > 1_200 && counts[2] > 1_200, "{counts:?}");
    }

    #[test]
    fn kinds_that_find_edges_are_drawn_more_within_bounds() {
        let mut s = Scheduler::default();
        let finder = OpKind::ALL[0];
        let idle = OpKind::ALL[1];
        let rare = OpKind::ALL[2];
        s.record_run((0..1_000).map(|i| (finder, usize::from(i % 10 == 0))));
        s.record_run((0..1_000).map(|_| (idle, 0)));
        s.record_run((0..10).map(|_| (rare, 0)));
        s.adapt();
        assert!(s.boost(finder) > 1.5, "{}", s.boost(finder));
        assert_eq!(s.boost(idle), MIN_BOOST);
        assert!(s.boost(rare) < 1.0, "no edge: {}", s.boost(rare));
        assert_eq!(s.boost(OpKind::ALL[3]), 1.0, "never drawn");
        assert!(s
            .boosts()
            .iter()
            .all(|b| (MIN_BOOST..=MAX_BOOST).contains(b)));
        // When nothing finds anything any more, every kind is drawn as declared.
        let mut dry = Scheduler::default();
        dry.record_run((0..5_000).map(|i| (OpKind::ALL[i % 4], 0)));
        dry.adapt();
        assert!(dry.boosts().iter().all(|b| *b == 1.0), "{:?}", dry.boosts());
    }
}
