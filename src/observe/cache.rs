//! Incremental observation: each view's result is kept with what it read and the values it read there, and reused
//! while all of those values are what they were. Every observation first re-reads the kept inputs (a database lookup
//! each, shared by the views that read the same slot; only those of the accounts changed since the last observation,
//! where [`Chain::accounts_changed_since`] can tell), so the reuse is decided by value, from the state itself: it
//! holds across [`World::reset`](crate::world::World::reset), rolls, cheats and worlds, whatever changed the state. A few results are kept per view ([`MAX_VERSIONS`]): a state the campaign comes back to (the
//! deployed state at every sequence's start, a pool a sequence leaves alone) finds its own results again.
//!
//! A view's static sub-calls are kept the same way ([`SubCalls`]): a pool's previews all call the same fee rates and
//! accruals, which change far less often than the pool's books, so a preview that runs again finds them kept.
//!
//! A pool's whole observation is kept the same way ([`ViewCache::pool`]): with every input of every view it asked and
//! every slot and balance it read directly, so a pool the step left alone is observed by comparing those values, with
//! no view asked and nothing decoded.
//!
//! Before all that, a chain holding what the last observation saw (the same [`Chain::state_id`]: a reverted call
//! changes nothing a call can see) gets that observation back whole, with no input re-read and no view asked.

use alloy_primitives::map::HashMap;

use alloy_primitives::{Address, Bytes, U256};

use poolguard_invariants::observation::Observation;
use poolguard_invariants::PoolObservation;

use crate::evm::{
    CallMemo, CallOutcome, Chain, ChainDb, EvmError, MemoHit, ReadKey, SubCall, SubCallResult,
};

/// Beyond this many kept views the least recently used half is dropped, with the inputs only they read. Most
/// views' calldata repeats (the pools' totals, each actor's balance), but the probes' amounts and the request ids
/// do not: without eviction the cache, and the inputs every observation re-reads, would grow with the campaign.
const MAX_ENTRIES: usize = 8_192;

/// Results kept per view (and per static sub-call), each for the values it read. Every sequence starts from the
/// deployed state and then moves away from it: with one result per view, each start and each first step ran every
/// view of the deployed state again.
const MAX_VERSIONS: usize = 4;

/// How often the views of an observation were reused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Views answered from the cache.
    pub hits: u64,
    /// Views executed.
    pub misses: u64,
    /// Static sub-calls of executed views answered from the cache.
    pub subcall_hits: u64,
    /// Static sub-calls of executed views run and kept.
    pub subcall_misses: u64,
}

impl CacheStats {
    /// Adds `other`'s counts (another worker's).
    pub fn add(&mut self, other: &CacheStats) {
        self.hits += other.hits;
        self.misses += other.misses;
        self.subcall_hits += other.subcall_hits;
        self.subcall_misses += other.subcall_misses;
    }
}

/// One input that some kept view read, with its value at the current observation.
#[derive(Debug)]
struct Input {
    key: ReadKey,
    value: U256,
    /// The last [`Inputs::mark`] it was counted under.
    mark: u64,
}

/// When a kept result was computed and asked for, what it read and the values it read.
#[derive(Debug)]
struct Kept {
    /// Indices into [`ViewCache::inputs`] (sorted for a view or sub-call, in the order first read for a pool).
    inputs: Box<[u32]>,
    /// The value of each of `inputs` when it was computed.
    values: Box<[U256]>,
    /// The block number and timestamp it ran at, when it read them.
    block: Option<(u64, u64)>,
    /// The observation it was computed in.
    computed_at: u64,
    /// The last observation that asked for it.
    used_at: u64,
}

impl Kept {
    /// What a result computed now, in observation `epoch`, read: `reads` at their current values.
    fn now(
        inputs: &mut Inputs,
        reads: &[ReadKey],
        db: &ChainDb,
        block: Option<(u64, u64)>,
        epoch: u64,
    ) -> Self {
        let indices = inputs.intern(reads, db);
        Kept::of(inputs, indices, block, epoch)
    }

    /// What a result computed now, in observation `epoch`, read: the inputs `indices` at their current values.
    fn of(inputs: &Inputs, indices: Box<[u32]>, block: Option<(u64, u64)>, epoch: u64) -> Self {
        let values = indices
            .iter()
            .map(|&i| inputs.list[i as usize].value)
            .collect();
        Kept {
            inputs: indices,
            values,
            block,
            computed_at: epoch,
            used_at: epoch,
        }
    }

    /// Whether every input holds the value it was computed with (and it is asked at its block, if it read it).
    fn fresh(&self, inputs: &[Input], block: (u64, u64)) -> bool {
        self.block.is_none_or(|b| b == block)
            && self
                .inputs
                .iter()
                .zip(self.values.iter())
                .all(|(&i, value)| inputs[i as usize].value == *value)
    }

    fn age(&self) -> (u64, u64) {
        (self.used_at, self.computed_at)
    }
}

/// One kept result of a view or sub-call.
#[derive(Debug)]
struct Version<T> {
    result: T,
    kept: Kept,
}

/// The results kept for one view or sub-call, at most [`MAX_VERSIONS`], each for the state it read.
#[derive(Debug)]
struct Versions<T>(Vec<Version<T>>);

impl<T> Versions<T> {
    /// The result whose inputs all hold their values now, marked used in observation `epoch`.
    fn fresh(&mut self, inputs: &[Input], block: (u64, u64), epoch: u64) -> Option<&Version<T>> {
        let version = self.0.iter_mut().find(|v| v.kept.fresh(inputs, block))?;
        version.kept.used_at = epoch;
        Some(version)
    }

    /// Keeps `version`, in place of the least recently used one when [`MAX_VERSIONS`] are kept. Returns how many
    /// more versions are kept (0 or 1).
    fn keep(&mut self, version: Version<T>) -> usize {
        if self.0.len() < MAX_VERSIONS {
            self.0.push(version);
            return 1;
        }
        let oldest = (0..self.0.len())
            .min_by_key(|&i| self.0[i].kept.age())
            .unwrap_or(0);
        self.0[oldest] = version;
        0
    }
}

/// Drops the results in `map` older than `cutoff`, and the keys left with none; returns how many results are left.
fn retain_from<K, T>(map: &mut HashMap<K, Versions<T>>, cutoff: (u64, u64)) -> usize {
    let mut left = 0;
    map.retain(|_, versions| {
        versions.0.retain(|v| v.kept.age() >= cutoff);
        left += versions.0.len();
        !versions.0.is_empty()
    });
    left
}

/// A static sub-call's kept result.
#[derive(Debug)]
struct CallResult {
    result: SubCallResult,
    /// What it read, for the frames and the view that it is served to.
    reads: Box<[ReadKey]>,
}

/// A pool's kept observation, with the views it failed on.
#[derive(Debug)]
struct PoolResult {
    pool: PoolObservation,
    failures: Vec<String>,
    /// The views it asked.
    views: u64,
}

/// What a pool's observation read while it is made ([`ViewCache::pool`]).
#[derive(Debug, Default)]
struct Recording {
    /// The inputs of the views it asked, kept or run.
    inputs: Vec<u32>,
    /// What it read directly ([`ViewCache::note`]).
    direct: Vec<ReadKey>,
    /// The direct reads of this pool's last observation, and their inputs: the same reads in the same order are
    /// answered from the inputs' values, which [`ViewCache::begin`] keeps current, not from the chain.
    known_direct: Option<std::sync::Arc<DirectReads>>,
    block: bool,
    volatile: bool,
    views: u64,
}

/// A pool observation's direct reads, in the order made, and the index of each in [`Inputs::list`].
#[derive(Debug)]
struct DirectReads {
    keys: Vec<ReadKey>,
    indices: Box<[u32]>,
}

/// Which pool observation: the pool's StakingPool and SmartOperator, and the protocol fee recipient it was observed
/// with (read once for all pools, outside it).
pub(super) type PoolKey = (Address, Address, Address);

/// The inputs kept views read, each once, with their values at the current observation.
#[derive(Debug, Default)]
struct Inputs {
    list: Vec<Input>,
    index: HashMap<ReadKey, u32>,
    /// Each account's inputs.
    by_account: HashMap<Address, Vec<u32>>,
    /// Marks inputs already counted in a set being built ([`ViewCache::keep_pool`]).
    mark: u64,
}

impl Inputs {
    /// The indices of `reads` (added, with their value in `db`, if new), sorted and without repeats.
    fn intern(&mut self, reads: &[ReadKey], db: &ChainDb) -> Box<[u32]> {
        let mut indices = self.intern_in_order(reads, db).into_vec();
        indices.sort_unstable();
        indices.dedup();
        indices.into_boxed_slice()
    }

    /// The index of each of `reads` (added, with its value in `db`, if new), in their order.
    fn intern_in_order(&mut self, reads: &[ReadKey], db: &ChainDb) -> Box<[u32]> {
        reads
            .iter()
            .map(|read| {
                *self.index.entry(*read).or_insert_with(|| {
                    let index = self.list.len() as u32;
                    self.list.push(Input {
                        key: *read,
                        value: read.value(db),
                        mark: 0,
                    });
                    self.by_account
                        .entry(read.address())
                        .or_default()
                        .push(index);
                    index
                })
            })
            .collect()
    }
}

/// The view cache's sub-calls, as the [`CallMemo`] of one view on one chain.
struct SubCalls<'a> {
    calls: &'a mut HashMap<SubCall, Versions<CallResult>>,
    /// Versions kept, views and sub-calls ([`ViewCache::kept`]).
    kept: &'a mut usize,
    inputs: &'a mut Inputs,
    stats: &'a mut CacheStats,
    db: &'a ChainDb,
    epoch: u64,
    block: (u64, u64),
}

impl CallMemo for SubCalls<'_> {
    fn lookup(&mut self, call: &SubCall) -> Option<MemoHit<'_>> {
        let version = self
            .calls
            .get_mut(call)?
            .fresh(&self.inputs.list, self.block, self.epoch)?;
        self.stats.subcall_hits += 1;
        Some(MemoHit {
            result: &version.result.result,
            reads: &version.result.reads,
            block: version.kept.block.is_some(),
        })
    }

    fn store(&mut self, call: SubCall, result: SubCallResult, reads: &[ReadKey], block: bool) {
        self.stats.subcall_misses += 1;
        let kept = Kept::now(
            self.inputs,
            reads,
            self.db,
            block.then_some(self.block),
            self.epoch,
        );
        let version = Version {
            result: CallResult {
                result,
                reads: reads.into(),
            },
            kept,
        };
        *self.kept += self
            .calls
            .entry(call)
            .or_insert_with(|| Versions(Vec::new()))
            .keep(version);
    }
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
    inputs: Inputs,
    entries: HashMap<(Address, Bytes), Versions<CallOutcome>>,
    /// The static sub-calls of the views executed.
    calls: HashMap<SubCall, Versions<CallResult>>,
    /// The pools' observations.
    pools: HashMap<PoolKey, Versions<PoolResult>>,
    /// What the pool observation being made has read so far.
    recording: Option<Recording>,
    /// Each pool's direct reads the last time it was observed, and their inputs.
    pool_direct: HashMap<PoolKey, std::sync::Arc<DirectReads>>,
    /// Versions kept, of views and sub-calls together.
    kept: usize,
    stats: CacheStats,
    /// Beyond this many views, [`ViewCache::evict`] runs.
    capacity: usize,
    /// Whether a view of the current observation could not be kept (it read what [`ReadKey`] cannot describe).
    volatile_seen: bool,
    /// Views asked in the current observation.
    asked: u64,
    /// The [`Chain::state_id`] of the state the inputs' values were read in.
    read_in: Option<u64>,
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
            inputs: Inputs::default(),
            entries: HashMap::default(),
            calls: HashMap::default(),
            pools: HashMap::default(),
            recording: None,
            pool_direct: HashMap::default(),
            kept: 0,
            stats: CacheStats::default(),
            capacity: capacity.max(2),
            volatile_seen: false,
            asked: 0,
            read_in: None,
            last: None,
        }
    }

    /// How many results (versions of views and sub-calls) and inputs are kept.
    #[cfg(test)]
    pub(super) fn len(&self) -> (usize, usize) {
        (self.kept, self.inputs.list.len())
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

    /// Starts an observation of `chain`: re-reads the kept inputs ([`ViewCache::sync`]).
    pub(super) fn begin(&mut self, chain: &Chain) {
        self.volatile_seen = false;
        self.asked = 0;
        if self.kept > self.capacity {
            self.evict();
        }
        self.epoch += 1;
        self.sync(chain);
    }

    /// Re-reads the kept inputs on `chain` (only those of the accounts that changed since they were last read,
    /// where the chain can tell), so that what is kept is served exactly where it holds on `chain`.
    pub(super) fn sync(&mut self, chain: &Chain) {
        let db = chain.db();
        // Only the inputs of the accounts that changed since they were read, where the chain knows which.
        match self.read_in.and_then(|id| chain.accounts_changed_since(id)) {
            Some(accounts) => {
                for account in accounts {
                    for &i in self.inputs.by_account.get(&account).into_iter().flatten() {
                        let input = &mut self.inputs.list[i as usize];
                        input.value = input.key.value(db);
                    }
                }
            }
            None => {
                for input in &mut self.inputs.list {
                    input.value = input.key.value(db);
                }
            }
        }
        self.read_in = Some(chain.state_id());
    }

    /// Every kept result's bookkeeping.
    fn all_kept(&self) -> impl Iterator<Item = &Kept> {
        let views = self
            .entries
            .values()
            .flat_map(|v| v.0.iter().map(|v| &v.kept));
        let calls = self
            .calls
            .values()
            .flat_map(|v| v.0.iter().map(|v| &v.kept));
        let pools = self
            .pools
            .values()
            .flat_map(|v| v.0.iter().map(|v| &v.kept));
        views.chain(calls).chain(pools)
    }

    /// Keeps the half of the views' and sub-calls' results most recently asked for, and only the inputs they read
    /// (renumbered in their order, so the values carry over). Ties on the last use keep the more recently computed.
    fn evict(&mut self) {
        let keep = self.capacity / 2;
        let mut ages: Vec<(u64, u64)> = self.all_kept().map(Kept::age).collect();
        ages.sort_unstable_by(|a, b| b.cmp(a));
        let cutoff = ages[keep.min(ages.len()) - 1];
        // Results tied with the cutoff are all kept: a few more than `keep` at worst.
        self.kept = retain_from(&mut self.entries, cutoff)
            + retain_from(&mut self.calls, cutoff)
            + retain_from(&mut self.pools, cutoff);
        // Their indices are about to be renumbered: interned again at the next observation of each pool.
        self.pool_direct.clear();
        let mut renumber = vec![u32::MAX; self.inputs.list.len()];
        for kept in self.all_kept() {
            for &i in kept.inputs.iter() {
                renumber[i as usize] = 0;
            }
        }
        let mut next = 0u32;
        let old = std::mem::take(&mut self.inputs.list);
        self.inputs.index.clear();
        self.inputs.by_account.clear();
        for (i, input) in old.into_iter().enumerate() {
            if renumber[i] == 0 {
                renumber[i] = next;
                self.inputs.index.insert(input.key, next);
                self.inputs
                    .by_account
                    .entry(input.key.address())
                    .or_default()
                    .push(next);
                self.inputs.list.push(input);
                next += 1;
            }
        }
        let views = self
            .entries
            .values_mut()
            .flat_map(|v| v.0.iter_mut().map(|v| &mut v.kept));
        let calls = self
            .calls
            .values_mut()
            .flat_map(|v| v.0.iter_mut().map(|v| &mut v.kept));
        let pools = self
            .pools
            .values_mut()
            .flat_map(|v| v.0.iter_mut().map(|v| &mut v.kept));
        for kept in views.chain(calls).chain(pools) {
            for i in kept.inputs.iter_mut() {
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
        if let Some(versions) = self.entries.get_mut(&key) {
            if let Some(version) = versions.fresh(&self.inputs.list, block, self.epoch) {
                self.stats.hits += 1;
                if let Some(recording) = &mut self.recording {
                    recording.views += 1;
                    recording.inputs.extend_from_slice(&version.kept.inputs);
                    recording.block |= version.kept.block.is_some();
                }
                return Ok(version.result.clone());
            }
        }
        self.stats.misses += 1;
        let db = chain.db();
        let mut subcalls = SubCalls {
            calls: &mut self.calls,
            kept: &mut self.kept,
            inputs: &mut self.inputs,
            stats: &mut self.stats,
            db,
            epoch: self.epoch,
            block,
        };
        let (outcome, reads) =
            chain.view_recorded(Address::ZERO, to, key.1.clone(), &mut subcalls)?;
        if let Some(recording) = &mut self.recording {
            recording.views += 1;
            recording.volatile |= reads.volatile;
            recording.block |= reads.block;
        }
        if reads.volatile {
            self.volatile_seen = true;
            if let Some(dropped) = self.entries.remove(&key) {
                self.kept -= dropped.0.len();
            }
            return Ok(outcome);
        }
        let kept = Kept::now(
            &mut self.inputs,
            &reads.keys,
            db,
            reads.block.then_some(block),
            self.epoch,
        );
        if let Some(recording) = &mut self.recording {
            recording.inputs.extend_from_slice(&kept.inputs);
        }
        let version = Version {
            result: outcome.clone(),
            kept,
        };
        self.kept += self
            .entries
            .entry(key)
            .or_insert_with(|| Versions(Vec::new()))
            .keep(version);
        Ok(outcome)
    }

    /// Notes a slot or balance that the pool observation being made reads directly (not through a view), and
    /// returns its current value where the pool's last observation read it at the same place.
    pub(super) fn note(&mut self, read: ReadKey) -> Option<U256> {
        let recording = self.recording.as_mut()?;
        let at = recording.direct.len();
        recording.direct.push(read);
        let known = recording.known_direct.as_ref()?;
        (known.keys.get(at) == Some(&read))
            .then(|| self.inputs.list[known.indices[at] as usize].value)
    }

    /// The kept observation of pool `key` whose inputs all hold their values on `chain` now, with the views it failed
    /// on; else starts recording what the new one reads, for [`ViewCache::keep_pool`]. Its views count as reused.
    pub(super) fn pool(
        &mut self,
        chain: &Chain,
        key: PoolKey,
    ) -> Option<(PoolObservation, Vec<String>)> {
        let block = (chain.block_number(), chain.timestamp());
        if let Some(versions) = self.pools.get_mut(&key) {
            if let Some(version) = versions.fresh(&self.inputs.list, block, self.epoch) {
                self.stats.hits += version.result.views;
                self.asked += version.result.views;
                return Some((version.result.pool.clone(), version.result.failures.clone()));
            }
        }
        self.recording = Some(Recording {
            known_direct: self.pool_direct.get(&key).cloned(),
            ..Recording::default()
        });
        None
    }

    /// Keeps `pool`, just made with `failures` after [`ViewCache::pool`] found none kept, with what it read; unless
    /// one of its views could not be kept.
    pub(super) fn keep_pool(
        &mut self,
        chain: &Chain,
        key: PoolKey,
        pool: &PoolObservation,
        failures: Vec<String>,
    ) {
        let Some(recording) = self.recording.take() else {
            return;
        };
        if recording.volatile {
            return;
        }
        let block = (chain.block_number(), chain.timestamp());
        // A pool's direct reads are the same slots every time (the observer's): interned once, not one lookup each.
        let direct = match recording.known_direct {
            Some(known) if known.keys == recording.direct => known,
            _ => {
                let indices = self.inputs.intern_in_order(&recording.direct, chain.db());
                let known = std::sync::Arc::new(DirectReads {
                    keys: recording.direct,
                    indices,
                });
                self.pool_direct.insert(key, known.clone());
                known
            }
        };
        // The views' inputs repeat (their sub-calls read the same slots): each kept once, by a mark per input.
        self.inputs.mark += 1;
        let mark = self.inputs.mark;
        let mut inputs = Vec::with_capacity(direct.indices.len() + recording.inputs.len());
        for &i in recording.inputs.iter().chain(direct.indices.iter()) {
            let input = &mut self.inputs.list[i as usize];
            if input.mark != mark {
                input.mark = mark;
                inputs.push(i);
            }
        }
        let version = Version {
            result: PoolResult {
                pool: pool.clone(),
                failures,
                views: recording.views,
            },
            kept: Kept::of(
                &self.inputs,
                inputs.into_boxed_slice(),
                recording.block.then_some(block),
                self.epoch,
            ),
        };
        self.kept += self
            .pools
            .entry(key)
            .or_insert_with(|| Versions(Vec::new()))
            .keep(version);
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
    fn a_state_come_back_to_finds_its_own_results_while_they_are_among_the_last_used() {
        let mut chain = chain();
        let mut cache = ViewCache::default();
        let at = |chain: &mut Chain, cache: &mut ViewCache, value: u64| {
            chain.set_storage(READER, U256::ZERO, U256::from(value));
            observe(cache, chain, READER).1
        };
        assert!(!at(&mut chain, &mut cache, 0), "first read");
        assert!(!at(&mut chain, &mut cache, 1), "a new value");
        assert!(at(&mut chain, &mut cache, 0), "back to the first state");
        assert!(at(&mut chain, &mut cache, 1), "and to the second");
        for value in 2..2 + MAX_VERSIONS as u64 {
            assert!(!at(&mut chain, &mut cache, value), "new value {value}");
        }
        // The last MAX_VERSIONS states are kept; the first ones were the least recently used.
        assert!(!at(&mut chain, &mut cache, 0), "dropped for newer states");
        assert!(
            at(&mut chain, &mut cache, 1 + MAX_VERSIONS as u64),
            "the newest state kept"
        );
        assert_eq!(cache.len().0, MAX_VERSIONS, "at most MAX_VERSIONS per view");
    }

    const INNER: Address = address!("00000000000000000000000000000000000000e1");
    const OUTER: Address = address!("00000000000000000000000000000000000000e2");
    /// Returns `SLOAD(0) + SELFBALANCE`.
    const RETURNS_SLOT_AND_BALANCE: &[u8] = &hex!("600054470160005260206000f3");
    /// Returns what `STATICCALL(gas, 0x…e1, no data)` returned, whatever its own calldata.
    const STATIC_CALLS_INNER: &[u8] =
        &hex!("60206000600060007300000000000000000000000000000000000000e15afa5060206000f3");

    #[test]
    fn a_static_sub_call_is_served_while_what_it_read_is_unchanged_and_its_reads_count_for_the_view(
    ) {
        let mut chain = chain();
        chain.set_code(INNER, RETURNS_SLOT_AND_BALANCE.to_vec().into());
        chain.set_code(OUTER, STATIC_CALLS_INNER.to_vec().into());
        let mut cache = ViewCache::default();
        // Each calldata is a view of its own; the sub-call is the same for all of them.
        let view = |cache: &mut ViewCache, chain: &Chain, data: u8| {
            let before = cache.stats();
            cache.begin(chain);
            let out = cache.view(chain, OUTER, Bytes::from(vec![data])).unwrap();
            let fresh = chain
                .view(Address::ZERO, OUTER, Bytes::from(vec![data]))
                .unwrap();
            assert_eq!(out, fresh, "the cache answered a stale result");
            let after = cache.stats();
            (
                U256::from_be_slice(&out.output),
                after.misses > before.misses,
                after.subcall_hits > before.subcall_hits,
            )
        };
        assert_eq!(view(&mut cache, &chain, 1), (U256::ZERO, true, false));
        assert_eq!(
            view(&mut cache, &chain, 2),
            (U256::ZERO, true, true),
            "a new view, its sub-call served"
        );
        chain.set_storage(INNER, U256::ZERO, U256::from(7));
        assert_eq!(
            view(&mut cache, &chain, 3),
            (U256::from(7), true, false),
            "the sub-call's slot changed: it runs again"
        );
        assert_eq!(
            view(&mut cache, &chain, 2),
            (U256::from(7), true, true),
            "the view that was served the sub-call read its slot too"
        );
        chain.set_storage(OUTER, U256::ZERO, U256::from(1));
        assert_eq!(
            view(&mut cache, &chain, 2),
            (U256::from(7), false, false),
            "a slot neither read"
        );
        chain.set_balance(INNER, U256::from(5));
        assert_eq!(
            view(&mut cache, &chain, 4),
            (U256::from(12), true, false),
            "the sub-call's balance changed"
        );
        chain.set_code(INNER, READS_SLOT_AND_BALANCE.to_vec().into());
        assert_eq!(
            view(&mut cache, &chain, 5),
            (U256::from(7), true, false),
            "the called code changed"
        );
    }

    const DIRTY: Address = address!("00000000000000000000000000000000000000e3");
    /// With calldata, first sends 1 wei to 0x…e1 (`CALL` with value); then returns what `STATICCALL(gas, 0x…e1, no
    /// data)` returned.
    const MAY_PAY_THEN_STATIC_CALLS_INNER: &[u8] = &hex!("3615602757600060006000600060017300000000000000000000000000000000000000e15af1505b60206000600060007300000000000000000000000000000000000000e15afa5060206000f3");

    #[test]
    fn a_view_that_changed_state_is_served_no_sub_call() {
        let mut chain = chain();
        chain.set_code(INNER, RETURNS_SLOT_AND_BALANCE.to_vec().into());
        chain.set_code(DIRTY, MAY_PAY_THEN_STATIC_CALLS_INNER.to_vec().into());
        chain.set_balance(DIRTY, U256::from(10));
        let mut cache = ViewCache::default();
        cache.begin(&chain);
        cache.view(&chain, DIRTY, Bytes::new()).unwrap();
        let kept = cache.stats();
        assert_eq!(
            kept.subcall_misses, 1,
            "the sub-call is kept for the chain's state"
        );
        // This view pays INNER a wei before calling it.
        let paying = Bytes::from(vec![1]);
        let out = cache.view(&chain, DIRTY, paying.clone()).unwrap();
        let fresh = chain.view(Address::ZERO, DIRTY, paying).unwrap();
        assert_eq!(
            out, fresh,
            "the cache served a sub-call the view's own payment changed"
        );
        assert_eq!(U256::from_be_slice(&out.output), U256::from(1));
        assert_eq!(cache.stats().subcall_hits, kept.subcall_hits);
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
