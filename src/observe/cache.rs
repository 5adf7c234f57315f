//! Incremental observation: each view's result is kept with what it read, and reused until one of those inputs
//! changes. Every observation first re-reads the inputs of all kept views (a database lookup each, shared by the
//! views that read the same slot), so the reuse is decided by value, from the state itself: it holds across
//! [`World::reset`](crate::world::World::reset), rolls, cheats and worlds, whatever changed the state.
//!
//! Before all that, a chain holding what the last observation saw (the same [`Chain::state_id`]: a reverted call
//! changes nothing a call can see) gets that observation back whole, with no input re-read and no view asked.

use alloy_primitives::map::HashMap;

use alloy_primitives::{Address, Bytes};

use poolguard_invariants::observation::Observation;

use crate::evm::{CallOutcome, Chain, EvmError, ReadKey};

/// Beyond this many kept views the least recently used half is dropped, with the inputs only they read. Most
/// views' calldata repeats (the pools' totals, each actor's balance), but the probes' amounts and the request ids
/// do not: without eviction the cache, and the inputs every observation re-reads, would grow with the campaign.
const MAX_ENTRIES: usize = 8_192;

/// How often the views of an observation were reused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Views answered from the cache.
    pub hits: u64,
    /// Views executed.
    pub misses: u64,
}

/// One input that some kept view read, with its value at the last observation.
#[derive(Debug)]
struct Input {
    key: ReadKey,
    value: alloy_primitives::U256,
    /// The observation at which `value` was last seen to change.
    changed_at: u64,
}

#[derive(Debug)]
struct Entry {
    outcome: CallOutcome,
    /// Indices into [`ViewCache::inputs`].
    inputs: Box<[u32]>,
    /// The block number and timestamp it ran at, when it read them.
    block: Option<(u64, u64)>,
    /// The observation it was computed in.
    computed_at: u64,
    /// The last observation that asked for it.
    used_at: u64,
}

/// An observation kept whole, for a state observed again.
#[derive(Debug)]
struct LastObservation {
    /// The [`Chain::state_id`] it observed.
    state_id: u64,
    observation: Observation,
    /// The views it asked.
    views: u64,
}

/// The views kept between observations.
#[derive(Debug)]
pub(super) struct ViewCache {
    /// The current observation's number.
    epoch: u64,
    inputs: Vec<Input>,
    input_index: HashMap<ReadKey, u32>,
    entries: HashMap<(Address, Bytes), Entry>,
    stats: CacheStats,
    /// Beyond this many views, [`ViewCache::evict`] runs.
    capacity: usize,
    /// Whether a view of the current observation could not be kept (it read what [`ReadKey`] cannot describe).
    volatile_seen: bool,
    /// Views asked in the current observation.
    asked: u64,
    /// The last observation made entirely of views that could be kept.
    last: Option<LastObservation>,
}

impl Default for ViewCache {
    fn default() -> Self {
        Self::with_capacity(MAX_ENTRIES)
    }
}

impl ViewCache {
    /// An empty cache keeping about `capacity` views (at least 2).
    pub(super) fn with_capacity(capacity: usize) -> Self {
        ViewCache {
            epoch: 0,
            inputs: Vec::new(),
            input_index: HashMap::default(),
            entries: HashMap::default(),
            stats: CacheStats::default(),
            capacity: capacity.max(2),
            volatile_seen: false,
            asked: 0,
            last: None,
        }
    }

    /// How many views and inputs are kept.
    #[cfg(test)]
    pub(super) fn len(&self) -> (usize, usize) {
        (self.entries.len(), self.inputs.len())
    }

    /// The last observation, when it was of a chain holding what `chain` holds (the same [`Chain::state_id`]): a
    /// step that changed nothing a call can see (a reverted call, say) is observed without asking a single view.
    /// Its views count as reused.
    pub(super) fn unchanged(&mut self, chain: &Chain) -> Option<Observation> {
        let last = self.last.as_ref()?;
        (last.state_id == chain.state_id()).then(|| {
            self.stats.hits += last.views;
            last.observation.clone()
        })
    }

    /// Keeps `observation`, just made of `chain`, for [`ViewCache::unchanged`], unless one of its views was
    /// volatile.
    pub(super) fn remember(&mut self, chain: &Chain, observation: &Observation) {
        self.last = (!self.volatile_seen).then(|| LastObservation {
            state_id: chain.state_id(),
            observation: observation.clone(),
            views: self.asked,
        });
    }

    /// Starts an observation of `chain`: re-reads every kept input and notes which changed.
    pub(super) fn begin(&mut self, chain: &Chain) {
        self.volatile_seen = false;
        self.asked = 0;
        if self.entries.len() > self.capacity {
            self.evict();
        }
        self.epoch += 1;
        let db = chain.db();
        for input in &mut self.inputs {
            let value = input.key.value(db);
            if value != input.value {
                input.value = value;
                input.changed_at = self.epoch;
            }
        }
    }

    /// Keeps the half of the views most recently asked for, and only the inputs they read (renumbered in their
    /// order, so the values and change marks carry over). Ties on the last use keep the more recently computed.
    fn evict(&mut self) {
        let keep = self.capacity / 2;
        let mut ages: Vec<(u64, u64)> = self
            .entries
            .values()
            .map(|e| (e.used_at, e.computed_at))
            .collect();
        ages.sort_unstable_by(|a, b| b.cmp(a));
        let cutoff = ages[keep.min(ages.len()) - 1];
        // Entries tied with the cutoff are all kept: a few more than `keep` at worst.
        self.entries
            .retain(|_, e| (e.used_at, e.computed_at) >= cutoff);
        let mut renumber = vec![u32::MAX; self.inputs.len()];
        for entry in self.entries.values() {
            for &i in entry.inputs.iter() {
                renumber[i as usize] = 0;
            }
        }
        let mut next = 0u32;
        let old = std::mem::take(&mut self.inputs);
        self.input_index.clear();
        for (i, input) in old.into_iter().enumerate() {
            if renumber[i] == 0 {
                renumber[i] = next;
                self.input_index.insert(input.key, next);
                self.inputs.push(input);
                next += 1;
            }
        }
        for entry in self.entries.values_mut() {
            for i in entry.inputs.iter_mut() {
                *i = renumber[*i as usize];
            }
            // Renumbering keeps the order, so the slice stays sorted.
        }
    }

    /// `to.call(data)` from the zero address on `chain`: the kept result when none of its inputs changed since it
    /// was computed, else a fresh (recorded) execution.
    pub(super) fn view(
        &mut self,
        chain: &Chain,
        to: Address,
        data: Bytes,
    ) -> Result<CallOutcome, EvmError> {
        self.asked += 1;
        let block = (chain.block_number(), chain.timestamp());
        let key = (to, data);
        if let Some(entry) = self.entries.get_mut(&key) {
            let inputs = &self.inputs;
            let fresh = entry.block.is_none_or(|b| b == block)
                && entry
                    .inputs
                    .iter()
                    .all(|&i| inputs[i as usize].changed_at <= entry.computed_at);
            if fresh {
                entry.used_at = self.epoch;
                self.stats.hits += 1;
                return Ok(entry.outcome.clone());
            }
        }
        self.stats.misses += 1;
        let (outcome, reads) = chain.view_recorded(Address::ZERO, to, key.1.clone())?;
        if reads.volatile {
            self.volatile_seen = true;
            self.entries.remove(&key);
            return Ok(outcome);
        }
        let db = chain.db();
        let mut inputs: Vec<u32> = reads
            .keys
            .iter()
            .map(|read| {
                *self.input_index.entry(*read).or_insert_with(|| {
                    self.inputs.push(Input {
                        key: *read,
                        value: read.value(db),
                        changed_at: self.epoch,
                    });
                    (self.inputs.len() - 1) as u32
                })
            })
            .collect();
        inputs.sort_unstable();
        inputs.dedup();
        self.entries.insert(
            key,
            Entry {
                outcome: outcome.clone(),
                inputs: inputs.into_boxed_slice(),
                block: reads.block.then_some(block),
                computed_at: self.epoch,
                used_at: self.epoch,
            },
        );
        Ok(outcome)
    }

    /// How often views were reused so far.
    pub(super) fn stats(&self) -> CacheStats {
        self.stats
    }
}

#[cfg(test)]
mod tests {
    use alloy_primitives::{address, hex, U256};

    use super::*;

    const READER: Address = address!("00000000000000000000000000000000000000aa");
    const CLOCK: Address = address!("00000000000000000000000000000000000000bb");
    const PEEKER: Address = address!("00000000000000000000000000000000000000cc");
    const WALLET: Address = address!("00000000000000000000000000000000000000dd");

    /// Returns `(SLOAD(0), SELFBALANCE)`.
    const READS_SLOT_AND_BALANCE: &[u8] = &hex!("6000546000524760205260406000f3");
    /// Returns `(NUMBER, TIMESTAMP)`.
    const READS_BLOCK: &[u8] = &hex!("436000524260205260406000f3");
    /// Returns `BALANCE(0x…dd)`.
    const READS_OTHER_BALANCE: &[u8] =
        &hex!("7300000000000000000000000000000000000000dd3160005260206000f3");
    /// Returns `EXTCODEHASH(0x…dd)`, which tells an empty account from a missing one: never reused.
    const READS_CODE_HASH: &[u8] =
        &hex!("7300000000000000000000000000000000000000dd3f60005260206000f3");
    const HASHER: Address = address!("00000000000000000000000000000000000000ee");
    /// Returns the success flag of `CALL(gas, 0x…dd, value 1, no data)`: a value transfer, never reused (even when
    /// the caller cannot pay and the call fails).
    const SENDS_VALUE: &[u8] =
        &hex!("600060006000600060017300000000000000000000000000000000000000dd5af160005260206000f3");
    /// The same call with value 0: an input like any other (the callee's code).
    const CALLS_WITHOUT_VALUE: &[u8] =
        &hex!("600060006000600060007300000000000000000000000000000000000000dd5af160005260206000f3");
    const SENDER: Address = address!("00000000000000000000000000000000000000a1");
    const CALLER: Address = address!("00000000000000000000000000000000000000a2");

    fn chain() -> Chain {
        let mut chain = Chain::new();
        chain.set_code(READER, READS_SLOT_AND_BALANCE.to_vec().into());
        chain.set_code(CLOCK, READS_BLOCK.to_vec().into());
        chain.set_code(PEEKER, READS_OTHER_BALANCE.to_vec().into());
        chain.set_code(HASHER, READS_CODE_HASH.to_vec().into());
        chain.set_code(SENDER, SENDS_VALUE.to_vec().into());
        chain.set_code(CALLER, CALLS_WITHOUT_VALUE.to_vec().into());
        chain
    }

    /// Observes `to` once more; returns the output and whether the cache answered.
    fn observe(cache: &mut ViewCache, chain: &Chain, to: Address) -> (Bytes, bool) {
        let hits = cache.stats().hits;
        cache.begin(chain);
        let out = cache.view(chain, to, Bytes::new()).unwrap();
        assert!(out.success, "{out:?}");
        let fresh = chain.view(Address::ZERO, to, Bytes::new()).unwrap();
        assert_eq!(
            out.output, fresh.output,
            "the cache answered a stale result"
        );
        (out.output, cache.stats().hits > hits)
    }

    #[test]
    fn a_view_is_reused_exactly_while_what_it_read_is_unchanged() {
        let mut chain = chain();
        let mut cache = ViewCache::default();
        assert!(!observe(&mut cache, &chain, READER).1, "first read");
        assert!(observe(&mut cache, &chain, READER).1, "nothing changed");
        chain.set_storage(READER, U256::ZERO, U256::from(7));
        assert!(!observe(&mut cache, &chain, READER).1, "its slot changed");
        chain.set_storage(READER, U256::from(1), U256::from(9));
        assert!(
            observe(&mut cache, &chain, READER).1,
            "a slot it never read"
        );
        chain.set_balance(READER, U256::from(5));
        assert!(!observe(&mut cache, &chain, READER).1, "SELFBALANCE");
        chain.roll(3);
        assert!(
            observe(&mut cache, &chain, READER).1,
            "it never read the block"
        );
        chain.set_storage(READER, U256::ZERO, U256::from(8));
        chain.set_storage(READER, U256::ZERO, U256::from(7));
        assert!(
            observe(&mut cache, &chain, READER).1,
            "changed and back between observations"
        );
    }

    #[test]
    fn an_observation_is_kept_whole_for_the_same_state_unless_a_view_was_volatile() {
        let mut chain = chain();
        let mut cache = ViewCache::default();
        let observation = Observation {
            block: 7,
            ..Observation::default()
        };
        let observe_with = |cache: &mut ViewCache, chain: &Chain, views: &[Address]| {
            cache.begin(chain);
            for to in views {
                cache.view(chain, *to, Bytes::new()).unwrap();
            }
            cache.remember(chain, &observation);
        };
        observe_with(&mut cache, &chain, &[READER, CLOCK]);
        let hits = cache.stats().hits;
        assert_eq!(cache.unchanged(&chain), Some(observation.clone()));
        assert_eq!(
            cache.stats().hits,
            hits + 2,
            "its two views count as reused"
        );
        chain.set_storage(WALLET, U256::ZERO, U256::from(1));
        assert_eq!(cache.unchanged(&chain), None, "any change, read or not");
        observe_with(&mut cache, &chain, &[READER, HASHER]);
        assert_eq!(cache.unchanged(&chain), None, "EXTCODEHASH was read");
        observe_with(&mut cache, &chain, &[READER]);
        assert!(cache.unchanged(&chain).is_some(), "volatile no more");
    }

    #[test]
    fn a_full_cache_keeps_the_views_in_use_and_stays_correct() {
        let mut chain = chain();
        let mut cache = ViewCache::with_capacity(4);
        let mut hot_hits = 0;
        for round in 0u8..40 {
            cache.begin(&chain);
            // A view asked at every observation, and one whose calldata never repeats (like a probe's amount).
            let hits = cache.stats().hits;
            let hot = cache.view(&chain, READER, Bytes::new()).unwrap();
            hot_hits += usize::from(cache.stats().hits > hits);
            cache
                .view(&chain, PEEKER, Bytes::from(vec![round]))
                .unwrap();
            assert_eq!(
                hot.output,
                chain
                    .view(Address::ZERO, READER, Bytes::new())
                    .unwrap()
                    .output
            );
            let (views, _) = cache.len();
            assert!(views <= 5, "{views} views kept with room for 4");
        }
        assert_eq!(hot_hits, 39, "the view in use survived every eviction");
        // After evictions renumbered the inputs, a change still invalidates exactly the views that read it.
        chain.set_storage(READER, U256::ZERO, U256::from(11));
        assert!(!observe(&mut cache, &chain, READER).1, "its slot changed");
        assert!(observe(&mut cache, &chain, READER).1, "unchanged since");
        chain.set_balance(WALLET, U256::from(2));
        assert!(
            observe(&mut cache, &chain, READER).1,
            "a balance it never read"
        );
    }

    #[test]
    fn block_and_other_balances_are_inputs_too() {
        let mut chain = chain();
        let mut cache = ViewCache::default();
        observe(&mut cache, &chain, CLOCK);
        assert!(observe(&mut cache, &chain, CLOCK).1);
        chain.roll(1);
        assert!(
            !observe(&mut cache, &chain, CLOCK).1,
            "NUMBER and TIMESTAMP"
        );
        observe(&mut cache, &chain, PEEKER);
        assert!(observe(&mut cache, &chain, PEEKER).1);
        chain.set_balance(WALLET, U256::from(1));
        assert!(
            !observe(&mut cache, &chain, PEEKER).1,
            "BALANCE of another account"
        );
        // A change seen by one observation invalidates a view that was not asked in it.
        observe(&mut cache, &chain, READER);
        chain.set_storage(READER, U256::ZERO, U256::from(3));
        observe(&mut cache, &chain, PEEKER);
        assert!(
            !observe(&mut cache, &chain, READER).1,
            "changed while not asked"
        );
        // What the recorded inputs cannot describe is executed every time.
        observe(&mut cache, &chain, HASHER);
        assert!(!observe(&mut cache, &chain, HASHER).1, "EXTCODEHASH");
        observe(&mut cache, &chain, SENDER);
        assert!(
            !observe(&mut cache, &chain, SENDER).1,
            "a CALL sending value"
        );
        observe(&mut cache, &chain, CALLER);
        assert!(observe(&mut cache, &chain, CALLER).1, "a CALL sending none");
        // New code at the address is an input of every view of it.
        chain.set_code(READER, READS_BLOCK.to_vec().into());
        assert!(!observe(&mut cache, &chain, READER).1, "new code");
    }
}
