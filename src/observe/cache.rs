//! Incremental observation: each view's result is kept with what it read, and reused until one of those inputs
//! changes. Every observation first re-reads the inputs of all kept views (a database lookup each, shared by the
//! views that read the same slot), so the reuse is decided by value, from the state itself: it holds across
//! [`World::reset`](crate::world::World::reset), rolls, cheats and worlds, whatever changed the state.

use alloy_primitives::map::HashMap;

use alloy_primitives::{Address, Bytes};

use crate::evm::{CallOutcome, Chain, EvmError, ReadKey};

/// Beyond this many kept views or inputs the cache starts over (request ids grow with a campaign's deepest run).
const MAX_ENTRIES: usize = 50_000;

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
}

/// The views kept between observations.
#[derive(Debug, Default)]
pub(super) struct ViewCache {
    /// The current observation's number.
    epoch: u64,
    inputs: Vec<Input>,
    input_index: HashMap<ReadKey, u32>,
    entries: HashMap<(Address, Bytes), Entry>,
    stats: CacheStats,
}

impl ViewCache {
    /// Starts an observation of `chain`: re-reads every kept input and notes which changed.
    pub(super) fn begin(&mut self, chain: &Chain) {
        if self.entries.len() > MAX_ENTRIES || self.inputs.len() > MAX_ENTRIES {
            let stats = self.stats;
            *self = ViewCache {
                stats,
                ..ViewCache::default()
            };
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

    /// `to.call(data)` from the zero address on `chain`: the kept result when none of its inputs changed since it
    /// was computed, else a fresh (recorded) execution.
    pub(super) fn view(
        &mut self,
        chain: &Chain,
        to: Address,
        data: Bytes,
    ) -> Result<CallOutcome, EvmError> {
        let block = (chain.block_number(), chain.timestamp());
        let key = (to, data);
        if let Some(entry) = self.entries.get(&key) {
            let fresh = entry.block.is_none_or(|b| b == block)
                && entry
                    .inputs
                    .iter()
                    .all(|&i| self.inputs[i as usize].changed_at <= entry.computed_at);
            if fresh {
                self.stats.hits += 1;
                return Ok(entry.outcome.clone());
            }
        }
        self.stats.misses += 1;
        let (outcome, reads) = chain.view_recorded(Address::ZERO, to, key.1.clone())?;
        if reads.volatile {
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

    fn chain() -> Chain {
        let mut chain = Chain::new();
        chain.set_code(READER, READS_SLOT_AND_BALANCE.to_vec().into());
        chain.set_code(CLOCK, READS_BLOCK.to_vec().into());
        chain.set_code(PEEKER, READS_OTHER_BALANCE.to_vec().into());
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
        // New code at the address is an input of every view of it.
        chain.set_code(READER, READS_BLOCK.to_vec().into());
        assert!(!observe(&mut cache, &chain, READER).1, "new code");
    }
}
