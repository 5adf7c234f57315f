//! The in-process chain poolguard runs on: a [revm] EVM over an in-memory state, and the inspectors that watch
//! it execute.
//!
//! [`chain`]: [`Chain`] owns a [`CacheDB<EmptyDB>`](revm::database::CacheDB) plus the block and configuration
//! environment: state, blocks and transactions. Every transaction builds a short-lived revm `Evm` over a
//! *borrow* of that database (`&mut CacheDB` for committing calls, `WrapDatabaseRef(&CacheDB)` for
//! [`Chain::view`]), so no call ever clones state, and [`Chain`] itself stays plain data
//! (`Send + Sync + Clone`). Cloning a [`Chain`] is the snapshot/reset mechanism; see [`Chain`] for its cost.
//!
//! [`inspect`]: optional revm [`Inspector`](revm::Inspector)s. [`CoverageInspector`] records JUMPI edges and
//! comparison operands for coverage-guided fuzzing; [`PcTracer`] counts executed instructions for per-line
//! coverage and locating a call in the source. They are only involved in [`Chain::call_inspected`]; plain
//! [`Chain::call`] runs revm's non-inspecting handler. The campaign's step feeds its [`CoverageInspector`] on that
//! plain handler instead ([`Chain::call_covered`]: a few wrapped instructions, `cover`), and a [`Watcher`] says which
//! way a watcher runs.
//!
//! [`reads`] and [`memo`]: the observation's views, recorded with what they read ([`Chain::view_recorded`]), and
//! their static sub-calls answered from a [`CallMemo`].

pub mod chain;
mod cover;
mod frames;
pub mod inspect;
pub mod memo;
pub mod reads;

pub use chain::{
    slot_id, AccountDump, CallOutcome, Chain, ChainContext, ChainDb, EvmError, StateAccess,
    BLOCK_TIME, CHAIN_ID, DEFAULT_CALL_GAS_LIMIT, DEPLOY_GAS_LIMIT, GENESIS_NUMBER,
    GENESIS_TIMESTAMP, SPEC,
};
pub use inspect::{
    edge_id, site_id, CoverageEvent, CoverageInspector, CoverageSink, Frame, IdHasher, IdSet,
    PcTracer, Watcher, DEFAULT_CMP_CAP,
};
pub use memo::{CallMemo, MemoHit, SubCall, SubCallResult};
pub use reads::{ReadKey, ReadSet};

#[cfg(test)]
mod tests;
