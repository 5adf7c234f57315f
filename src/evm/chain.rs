//! The chain: state, blocks and transactions over revm (see [the module above](super)).

use std::convert::Infallible;
use std::fmt;

use alloy_primitives::{Address, Bytes, Log, B256, U256};
use revm::bytecode::Bytecode;
use revm::context::result::{
    EVMError, ExecutionResult, HaltReason, InvalidHeader, InvalidTransaction,
};
use revm::context::{BlockEnv, CfgEnv, Context, ContextSetters, Evm, FrameStack, Journal, TxEnv};
use revm::database::{AccountState, CacheDB, EmptyDB};
use revm::database_interface::{Database, DatabaseRef, WrapDatabaseRef};
use revm::handler::instructions::EthInstructions;
use revm::handler::{EthPrecompiles, Handler, MainnetEvm};
use revm::interpreter::interpreter::EthInterpreter;
use revm::primitives::hardfork::SpecId;
use revm::primitives::TxKind;
use revm::{ExecuteEvm, InspectEvm, Inspector};

use super::cover::{coverage_instructions, with_coverage, RecordingFrames};
use super::frames::HookedHandler;
use super::inspect::CoverageInspector;
use super::memo::{CallMemo, Memoizing};
use super::reads::{recording_instructions, EnvReads, ReadSet, RecordingDb};

/// Hard fork the chain runs. Berachain mainnet runs Prague ("Bectra").
///
/// Prague (not Osaka) also means no EIP-7825 per-transaction gas cap, which large deployments need.
pub const SPEC: SpecId = SpecId::PRAGUE;
/// Berachain mainnet chain id, returned by `CHAINID`.
pub const CHAIN_ID: u64 = 80094;
/// Block number of a fresh [`Chain`].
pub const GENESIS_NUMBER: u64 = 1;
/// Timestamp of a fresh [`Chain`].
pub const GENESIS_TIMESTAMP: u64 = 1_700_000_000;
/// Seconds per block used by [`Chain::roll`] (Berachain's block time).
pub const BLOCK_TIME: u64 = 2;
/// Default gas limit of [`Chain::call`], [`Chain::call_inspected`] and [`Chain::view`].
pub const DEFAULT_CALL_GAS_LIMIT: u64 = 30_000_000;
/// Gas limit of [`Chain::deploy`]: generous, because EIP-170 is lifted and large runtime code
/// costs 200 gas per byte to deposit.
pub const DEPLOY_GAS_LIMIT: u64 = 1_000_000_000;

/// The database every [`Chain`] holds: revm's in-memory cache over an always-empty backend.
pub type ChainDb = CacheDB<EmptyDB>;

/// The revm context type of committing transactions; inspectors passed to
/// [`Chain::call_inspected`] must implement `Inspector<ChainContext<'a>>` for every `'a`
/// (implementing `Inspector<CTX>` for all `CTX`, as [`CoverageInspector`](super::CoverageInspector) does, is simplest).
pub type ChainContext<'a> =
    Context<BlockEnv, TxEnv, CfgEnv, &'a mut ChainDb, Journal<&'a mut ChainDb>>;

/// One transaction's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallOutcome {
    /// `true` when execution succeeded (neither reverted nor halted).
    pub success: bool,
    /// Return data on success (the deployed runtime code for a deployment), revert data on a
    /// revert, empty on a halt.
    pub output: Bytes,
    /// Logs emitted (only non-empty on success: reverted frames drop their logs).
    pub logs: Vec<Log>,
    /// Gas used by the transaction, intrinsic gas included, after refunds.
    pub gas_used: u64,
    /// Address of the created contract, for a successful [`Chain::deploy`].
    pub created: Option<Address>,
    /// Set when execution halted (out of gas, invalid opcode, stack error...) rather than
    /// reverting; holds the revm [`HaltReason`] in `Debug` form, e.g. `OutOfGas(Basic)`.
    pub halt: Option<String>,
    /// The storage the transaction changed; filled by [`Chain::call_inspected`] only.
    pub access: StateAccess,
}

/// The storage one transaction touched: every slot whose value it changed, net (a slot set and restored within
/// the transaction, such as a reentrancy lock, is no change), and the last slots it loaded before it ended
/// (filled from a [`CoverageInspector`](super::CoverageInspector)'s
/// [`take_last_loads`](super::CoverageInspector::take_last_loads)): for a call that reverted or did nothing, the
/// guard that stopped it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StateAccess {
    /// Slots whose value differs after the transaction.
    pub written: Vec<(Address, U256)>,
    /// The last distinct slots loaded, most recent last.
    pub last_loads: Vec<(Address, U256)>,
}

impl StateAccess {
    /// The slots `state` (a transaction's diff) changed.
    fn of(state: &revm::state::EvmState) -> Self {
        let written = state
            .iter()
            .flat_map(|(address, account)| {
                account
                    .storage
                    .iter()
                    .filter(|(_, value)| value.is_changed())
                    .map(move |(slot, _)| (*address, *slot))
            })
            .collect();
        StateAccess {
            written,
            last_loads: Vec::new(),
        }
    }

    /// Keeps only the slots of accounts `keep` accepts (e.g. not the harness's own contracts).
    pub fn retain_accounts(&mut self, keep: impl Fn(Address) -> bool) {
        self.written.retain(|(a, _)| keep(*a));
        self.last_loads.retain(|(a, _)| keep(*a));
    }
}

/// A 64-bit name of storage slot `slot` of `address` (a hash: two slots share one by chance only).
pub fn slot_id(address: Address, slot: U256) -> u64 {
    let mut h = 0x243f_6a88_85a3_08d3u64;
    for chunk in address.0.chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        h = super::inspect::mix64(h ^ u64::from_le_bytes(word));
    }
    for limb in slot.as_limbs() {
        h = super::inspect::mix64(h ^ limb);
    }
    h
}

impl CallOutcome {
    /// `true` when the transaction reverted (as opposed to succeeding or halting).
    pub fn reverted(&self) -> bool {
        !self.success && self.halt.is_none()
    }

    fn from_result(result: ExecutionResult<HaltReason>) -> Self {
        let gas_used = result.tx_gas_used();
        match result {
            ExecutionResult::Success { logs, output, .. } => {
                let created = output.address().copied();
                CallOutcome {
                    success: true,
                    output: output.into_data(),
                    logs,
                    gas_used,
                    created,
                    halt: None,
                    access: StateAccess::default(),
                }
            }
            ExecutionResult::Revert { logs, output, .. } => CallOutcome {
                success: false,
                output,
                logs,
                gas_used,
                created: None,
                halt: None,
                access: StateAccess::default(),
            },
            ExecutionResult::Halt { reason, logs, .. } => CallOutcome {
                success: false,
                output: Bytes::new(),
                logs,
                gas_used,
                created: None,
                halt: Some(format!("{reason:?}")),
                access: StateAccess::default(),
            },
        }
    }
}

/// A transaction revm refused to execute at all; nothing was committed.
#[derive(Debug, thiserror::Error)]
pub enum EvmError {
    /// The transaction is invalid against the current state, e.g. the caller cannot fund the
    /// transferred value ([`InvalidTransaction::LackOfFundForMaxFee`]) or the caller has code
    /// ([`InvalidTransaction::RejectCallerWithCode`], EIP-3607).
    #[error("invalid transaction: {0}")]
    Transaction(#[from] InvalidTransaction),
    /// The block environment is invalid (should not happen with [`Chain`]'s settings).
    #[error("invalid block environment: {0}")]
    Header(#[from] InvalidHeader),
    /// The database failed (cannot happen with the in-memory [`ChainDb`]).
    #[error("database error: {0}")]
    Database(String),
    /// Any other fatal EVM error (e.g. a fatal precompile error).
    #[error("evm error: {0}")]
    Custom(String),
}

impl EvmError {
    /// `true` when the caller's balance could not cover the transferred value.
    pub fn is_insufficient_funds(&self) -> bool {
        matches!(
            self,
            EvmError::Transaction(InvalidTransaction::LackOfFundForMaxFee { .. })
        )
    }
}

impl<E: fmt::Display> From<EVMError<E, InvalidTransaction>> for EvmError {
    fn from(e: EVMError<E, InvalidTransaction>) -> Self {
        match e {
            EVMError::Transaction(t) => EvmError::Transaction(t),
            EVMError::Header(h) => EvmError::Header(h),
            EVMError::Database(d) => EvmError::Database(d.to_string()),
            EVMError::Custom(s) => EvmError::Custom(s),
            EVMError::CustomAny(a) => EvmError::Custom(a.to_string()),
        }
    }
}

/// The in-process chain: in-memory state plus block number, timestamp and chain id.
///
/// Configuration: hard fork [`SPEC`] (Prague), chain id [`CHAIN_ID`], no EIP-170/EIP-3860 code
/// and initcode size limits, base fee 0 and gas price 0 (callers need no balance for gas),
/// nonce check disabled (any sender can send at any time; its nonce is still bumped, so
/// deployment addresses follow `from.create(nonce)`). The caller's balance *is* checked against
/// the transferred value: an unfunded value transfer is an [`EvmError`].
///
/// # Snapshots
/// `Chain::clone` is the snapshot/reset mechanism. It costs a deep copy of the cached state:
/// one hash-map copy of all accounts and, per account, a copy of its storage map, i.e.
/// O(accounts + storage slots) work with one allocation per account that has storage.
/// Contract code is *not* copied: revm `Bytecode` is reference counted (its bytes and analysed
/// jump table are shared between clones; [`Chain::unshare_code`] gives a chain for another
/// thread its own). Block and config environment are a few hundred bytes.
/// Measured (release, this crate's bench test): ~0.2 µs for a handful of accounts, ~10 µs for
/// 20 contracts x 200 slots, *if* the allocator keeps freed memory: with glibc malloc, dropping
/// a large clone can trim the heap so the next clone page-faults it back in (~10x slower);
/// a global allocator like mimalloc or a raised `M_TRIM_THRESHOLD` avoids that.
///
/// `Chain` is plain data: `Send + Sync`, so snapshots can be moved to worker threads.
#[derive(Clone)]
pub struct Chain {
    db: ChainDb,
    block: BlockEnv,
    cfg: CfgEnv,
    gas_limit: u64,
    /// Names what this chain holds ([`Chain::state_id`]): a fresh number after every change that a call could see.
    state_id: u64,
    /// The last changes, oldest first ([`Chain::accounts_changed_since`]).
    changes: std::collections::VecDeque<Change>,
    /// Every account changed since the state this chain last returned to ([`Chain::return_to`]), named by its id;
    /// `None` where a change may have changed anything.
    since_return: (u64, Option<Vec<Address>>),
}

/// How many changes a [`Chain`] remembers: an observation follows a step's roll and its transaction, and a few
/// cheats at most.
const CHANGES_KEPT: usize = 16;

/// One change of what a chain holds, from one [`Chain::state_id`] to the next.
#[derive(Debug, Clone)]
struct Change {
    from: u64,
    to: u64,
    /// The accounts whose storage, balance, code or existence it may have changed; `None` where it may have changed
    /// anything (a change through [`Chain::db_mut`], or of the gas limit).
    accounts: Option<Vec<Address>>,
}

/// The source of [`Chain::state_id`]s: process-wide, so that no two states of any chains ever share one. Each
/// thread takes a block of [`STATE_IDS_PER_THREAD_BLOCK`] at a time, so that workers do not contend for one cache
/// line at every step (as they did for the reference count of shared code, BENCHMARKS.md §25).
static NEXT_STATE_ID_BLOCK: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

const STATE_IDS_PER_THREAD_BLOCK: u64 = 1 << 16;

thread_local! {
    /// The next id this thread hands out, and the end of its block.
    static STATE_IDS: std::cell::Cell<(u64, u64)> = const { std::cell::Cell::new((0, 0)) };
}

fn fresh_state_id() -> u64 {
    STATE_IDS.with(|ids| {
        let (mut next, mut end) = ids.get();
        if next == end {
            next = NEXT_STATE_ID_BLOCK.fetch_add(
                STATE_IDS_PER_THREAD_BLOCK,
                std::sync::atomic::Ordering::Relaxed,
            );
            end = next + STATE_IDS_PER_THREAD_BLOCK;
        }
        ids.set((next + 1, end));
        next
    })
}

/// Whether committing `state` over `db` changes anything a call can read: a storage slot, a balance, a code, or
/// whether an account is empty (`EXTCODEHASH` tells an empty account from one with a nonce). A nonce otherwise is
/// not: no instruction reads it (a `CREATE` address depends on it, and the view cache never reuses a view that
/// creates), so a reverted transaction from an account that is not empty, which only bumps its nonce, leaves what
/// calls see as it was.
fn changes_what_calls_see(db: &ChainDb, state: &revm::state::EvmState) -> bool {
    state.iter().any(|(address, account)| {
        if !account.is_touched() {
            return false;
        }
        if account.is_selfdestructed()
            || account.is_created()
            || account.storage.values().any(|slot| slot.is_changed())
        {
            return true;
        }
        let before = db
            .cache
            .accounts
            .get(address)
            .filter(|a| a.account_state != AccountState::NotExisting)
            .map(|a| (a.info.balance, a.info.code_hash, a.info.is_empty()));
        // To every instruction an empty account is one that does not exist, so a missing account that stays empty
        // (one a transaction only loaded) changes nothing.
        before
            != Some((
                account.info.balance,
                account.info.code_hash,
                account.is_empty(),
            ))
            && !(before.is_none() && account.is_empty())
    })
}

impl fmt::Debug for Chain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Chain")
            .field("block_number", &self.block_number())
            .field("timestamp", &self.timestamp())
            .field("chain_id", &self.cfg.chain_id)
            .field("accounts", &self.db.cache.accounts.len())
            .field("contracts", &self.db.cache.contracts.len())
            .field("gas_limit", &self.gas_limit)
            .finish()
    }
}

impl Default for Chain {
    fn default() -> Self {
        Self::new()
    }
}

impl Chain {
    /// A fresh, empty chain at block [`GENESIS_NUMBER`], time [`GENESIS_TIMESTAMP`],
    /// chain id [`CHAIN_ID`]; see [`Chain`] for the configuration.
    pub fn new() -> Self {
        let mut cfg = CfgEnv::new_with_spec(SPEC);
        cfg.chain_id = CHAIN_ID;
        cfg.limit_contract_code_size = Some(usize::MAX);
        cfg.limit_contract_initcode_size = Some(usize::MAX);
        cfg.disable_nonce_check = true;
        // Balance checks stay on: with gas price 0 they only ever check the transferred value.
        let block = BlockEnv {
            number: U256::from(GENESIS_NUMBER),
            timestamp: U256::from(GENESIS_TIMESTAMP),
            basefee: 0,
            ..BlockEnv::default()
        };
        Chain {
            db: CacheDB::new(EmptyDB::default()),
            block,
            cfg,
            gas_limit: DEFAULT_CALL_GAS_LIMIT,
            state_id: fresh_state_id(),
            changes: std::collections::VecDeque::new(),
            since_return: (0, None),
        }
    }

    /// A number naming what this chain holds: accounts, balances, code, storage, which accounts are empty, block
    /// and configuration; nonces aside, which no instruction reads. Every change gives a fresh number, never used
    /// before by any chain; a clone keeps it, and so does a chain reset from a clone. So two chains (or one chain at
    /// two moments) with the same id answer every call alike, except where a call creates a contract (its address
    /// follows a nonce): the view cache never reuses such a view, so an observation of one holds for the other.
    pub fn state_id(&self) -> u64 {
        self.state_id
    }

    /// Notes a change of what this chain holds, to `accounts` (`None`: to anything).
    fn changed(&mut self, accounts: Option<Vec<Address>>) {
        match (&mut self.since_return.1, &accounts) {
            (Some(changed), Some(accounts)) => {
                for account in accounts {
                    if !changed.contains(account) {
                        changed.push(*account);
                    }
                }
            }
            (since, None) => *since = None,
            (None, Some(_)) => {}
        }
        let from = self.state_id;
        self.state_id = fresh_state_id();
        self.log(Change {
            from,
            to: self.state_id,
            accounts,
        });
    }

    fn log(&mut self, change: Change) {
        if self.changes.len() == CHANGES_KEPT {
            self.changes.pop_front();
        }
        self.changes.push_back(change);
    }

    /// Makes this chain hold what `snapshot` holds (a reset to it), noting which accounts that changed where it can
    /// tell: when this chain returned to `snapshot`'s state last time too, the accounts every change since named.
    /// [`Chain::accounts_changed_since`] then knows them, so what was read before the reset is read again only
    /// where the sequence that ran since changed it.
    pub fn return_to(&mut self, snapshot: &Chain) {
        let from = self.state_id;
        let accounts = if self.since_return.0 == snapshot.state_id {
            self.since_return.1.take()
        } else {
            None
        };
        self.clone_from(snapshot);
        if from != self.state_id {
            self.log(Change {
                from,
                to: self.state_id,
                accounts,
            });
        }
        self.since_return = (self.state_id, Some(Vec::new()));
    }

    /// The accounts whose storage, balance, code or existence may differ between the state this chain held when it
    /// was [`Chain::state_id`] `earlier` and what it holds now (with repeats; the block aside, which is always read
    /// anew); `None` when that is not known: `earlier` is not among the last few states it went through (a reset
    /// to a snapshot, another chain's state), or a change in between may have changed anything.
    pub fn accounts_changed_since(&self, earlier: u64) -> Option<Vec<Address>> {
        let mut at = self.state_id;
        let mut accounts = Vec::new();
        for change in self.changes.iter().rev() {
            if at == earlier {
                break;
            }
            if change.to != at {
                return None;
            }
            accounts.extend_from_slice(change.accounts.as_deref()?);
            at = change.from;
        }
        (at == earlier).then_some(accounts)
    }

    /// Replaces every contract's code with a copy of its own, taken from `copies` (keyed by code hash; a code not
    /// in it yet is copied and added). Clones share code through a reference count that revm bumps on every call
    /// and every reset; chains on different threads that share it contend for that count's cache line: while busy,
    /// each of 2 workers ran 2,948 calls/s against 3,294 for one alone, and 3,411 with code of its own (BENCHMARKS.md
    /// §25). The empty code stays shared: revm makes it one static for all. One worker's chains share `copies`.
    pub fn unshare_code(&mut self, copies: &mut std::collections::HashMap<B256, Bytecode>) {
        let mut own = |code: &Bytecode| {
            copies
                .entry(code.hash_slow())
                .or_insert_with(|| match code.eip7702_address() {
                    Some(delegate) => Bytecode::new_eip7702(delegate),
                    None => {
                        Bytecode::new_legacy(Bytes::copy_from_slice(code.original_byte_slice()))
                    }
                })
                .clone()
        };
        for code in self.db.cache.contracts.values_mut() {
            *code = own(code);
        }
        for account in self.db.cache.accounts.values_mut() {
            if let Some(code) = account.info.code.as_mut() {
                *code = own(code);
            }
        }
    }

    /// Read-only access to the underlying revm database.
    pub fn db(&self) -> &ChainDb {
        &self.db
    }

    /// Mutable access to the underlying revm database (for cheat-code style state edits).
    pub fn db_mut(&mut self) -> &mut ChainDb {
        self.changed(None);
        &mut self.db
    }

    /// Chain id seen by `CHAINID`.
    pub fn chain_id(&self) -> u64 {
        self.cfg.chain_id
    }

    /// Gas limit used by [`Chain::call`], [`Chain::call_inspected`] and [`Chain::view`].
    pub fn gas_limit(&self) -> u64 {
        self.gas_limit
    }

    /// Sets the gas limit used by [`Chain::call`], [`Chain::call_inspected`] and [`Chain::view`].
    pub fn set_gas_limit(&mut self, gas_limit: u64) {
        self.changed(None);
        self.gas_limit = gas_limit;
    }

    /// Loads (or creates) `who`'s cached account and marks it existing.
    fn account_mut(&mut self, who: Address) -> &mut revm::database::DbAccount {
        self.changed(Some(vec![who]));
        let acc = match self.db.load_account(who) {
            Ok(acc) => acc,
            Err(never) => match never {},
        };
        if acc.account_state == AccountState::NotExisting {
            acc.account_state = AccountState::None;
        }
        acc
    }

    /// Sets `who`'s balance (creating the account if needed).
    pub fn set_balance(&mut self, who: Address, amount: U256) {
        self.account_mut(who).info.balance = amount;
    }

    /// `who`'s balance (zero for unknown accounts).
    pub fn balance(&self, who: Address) -> U256 {
        self.account_info(who)
            .map(|i| i.balance)
            .unwrap_or_default()
    }

    /// `who`'s nonce (zero for unknown accounts).
    pub fn nonce(&self, who: Address) -> u64 {
        self.account_info(who).map(|i| i.nonce).unwrap_or_default()
    }

    /// `who`'s account as the database answers `basic_ref` (none for unknown or non-existing accounts), by
    /// reference: `basic_ref` clones the info, code included, and a clone of the empty code bumps a count that
    /// revm shares between all threads.
    fn account_info(&self, who: Address) -> Option<&revm::state::AccountInfo> {
        self.db
            .cache
            .accounts
            .get(&who)
            .filter(|account| account.account_state != AccountState::NotExisting)
            .map(|account| &account.info)
    }

    /// Whether `who` has runtime code (without copying it).
    pub fn has_code(&self, who: Address) -> bool {
        self.account_info(who).is_some_and(|info| {
            info.code_hash != revm::primitives::KECCAK_EMPTY && !info.code_hash.is_zero()
        })
    }

    /// `who`'s runtime code (empty for accounts without code).
    pub fn code(&self, who: Address) -> Bytes {
        let Some(acc) = self.db.cache.accounts.get(&who) else {
            return Bytes::new();
        };
        if acc.account_state == AccountState::NotExisting {
            return Bytes::new();
        }
        let code = match &acc.info.code {
            Some(code) if !code.is_empty() => Some(code),
            _ => self.db.cache.contracts.get(&acc.info.code_hash),
        };
        code.map(|c| c.original_bytes()).unwrap_or_default()
    }

    /// Every existing account's balance, nonce, runtime code and non-zero storage, sorted by address (a state
    /// dump, e.g. for an anvil genesis).
    pub fn dump(&self) -> Vec<AccountDump> {
        let mut out: Vec<AccountDump> = self
            .db
            .cache
            .accounts
            .iter()
            .filter(|(_, acc)| acc.account_state != AccountState::NotExisting)
            .map(|(address, acc)| {
                let mut storage: Vec<(U256, U256)> = acc
                    .storage
                    .iter()
                    .filter(|(_, v)| !v.is_zero())
                    .map(|(k, v)| (*k, *v))
                    .collect();
                storage.sort();
                AccountDump {
                    address: *address,
                    balance: acc.info.balance,
                    nonce: acc.info.nonce,
                    code: self.code(*address),
                    storage,
                }
            })
            .collect();
        out.sort_by_key(|a| a.address);
        out
    }

    /// `(address, code hash)` of every account with code, sorted by address.
    pub fn code_hashes(&self) -> Vec<(Address, B256)> {
        let mut out: Vec<(Address, B256)> = self
            .db
            .cache
            .accounts
            .iter()
            .filter(|(_, acc)| {
                acc.account_state != AccountState::NotExisting
                    && acc.info.code_hash != revm::primitives::KECCAK_EMPTY
            })
            .map(|(a, acc)| (*a, acc.info.code_hash))
            .collect();
        out.sort();
        out
    }

    /// The runtime code whose hash is `hash`, if some account of this chain has (or had) it.
    pub fn code_by_hash(&self, hash: B256) -> Option<Bytes> {
        self.db
            .cache
            .contracts
            .get(&hash)
            .map(|c| c.original_bytes())
    }

    /// Installs `code` as `who`'s runtime code (a cheat code; the nonce and storage are kept).
    pub fn set_code(&mut self, who: Address, code: Bytes) {
        let bytecode = revm::bytecode::Bytecode::new_raw(code);
        let mut info = self.account_info(who).cloned().unwrap_or_default();
        info.code_hash = bytecode.hash_slow();
        info.code = Some(bytecode);
        self.changed(Some(vec![who]));
        self.db.insert_account_info(who, info);
    }

    /// Value of storage `slot` of `who` (zero when unset).
    pub fn storage(&self, who: Address, slot: U256) -> U256 {
        match self.db.storage_ref(who, slot) {
            Ok(v) => v,
            Err(never) => match never {},
        }
    }

    /// Sets storage `slot` of `who` to `value` (a cheat code; creates the account if needed).
    pub fn set_storage(&mut self, who: Address, slot: U256, value: U256) {
        self.account_mut(who).storage.insert(slot, value);
    }

    /// Builds a revm context over `db` with the given block and configuration. An associated
    /// function (not a method) so that `db` can borrow `self.db` while `cfg`/`block` borrow
    /// the other fields.
    #[inline]
    fn context<DB: Database>(
        cfg: &CfgEnv,
        block: &BlockEnv,
        db: DB,
    ) -> Context<BlockEnv, TxEnv, CfgEnv, DB, Journal<DB>> {
        let ctx: Context<BlockEnv, TxEnv, CfgEnv, DB, Journal<DB>> = Context::new(db, SPEC);
        // `with_cfg` (unlike assigning `ctx.cfg`) also syncs the spec into the journal.
        let mut ctx = ctx.with_cfg(cfg.clone());
        ctx.block = block.clone();
        ctx
    }

    /// Assembles revm's mainnet `Evm` around `ctx`. Unlike `MainBuilder::build_mainnet`, which
    /// preallocates 8 call frames (8 interpreter stacks of 32 KiB each) per `Evm`, this creates
    /// frames lazily, so a transaction only allocates the call depth it uses.
    #[inline]
    fn evm<DB: Database, INSP>(
        ctx: Context<BlockEnv, TxEnv, CfgEnv, DB, Journal<DB>>,
        inspector: INSP,
    ) -> MainnetEvm<Context<BlockEnv, TxEnv, CfgEnv, DB, Journal<DB>>, INSP> {
        Self::evm_with(ctx, inspector, EthInstructions::new_mainnet_with_spec(SPEC))
    }

    /// [`Chain::evm`] with other instructions.
    #[inline]
    fn evm_with<DB: Database, INSP>(
        ctx: Context<BlockEnv, TxEnv, CfgEnv, DB, Journal<DB>>,
        inspector: INSP,
        instruction: EthInstructions<
            EthInterpreter,
            Context<BlockEnv, TxEnv, CfgEnv, DB, Journal<DB>>,
        >,
    ) -> MainnetEvm<Context<BlockEnv, TxEnv, CfgEnv, DB, Journal<DB>>, INSP> {
        Evm {
            ctx,
            inspector,
            instruction,
            precompiles: EthPrecompiles::new(SPEC),
            frame_stack: FrameStack::new(),
        }
    }

    fn tx(&self, from: Address, kind: TxKind, data: Bytes, value: U256, gas_limit: u64) -> TxEnv {
        TxEnv {
            tx_type: 0,
            caller: from,
            gas_limit,
            gas_price: 0,
            kind,
            value,
            data,
            nonce: 0,
            chain_id: Some(self.cfg.chain_id),
            ..TxEnv::default()
        }
    }

    /// Runs `tx` and commits it (also when it reverts or halts, like a mined transaction).
    fn transact_commit(&mut self, tx: TxEnv) -> Result<CallOutcome, EvmError> {
        let ctx = Self::context(&self.cfg, &self.block, &mut self.db);
        let mut evm = Self::evm(ctx, ());
        let done = evm.transact(tx)?;
        drop(evm);
        self.commit(done.state);
        Ok(CallOutcome::from_result(done.result))
    }

    /// Commits a transaction's `state`, noting whether it changed what calls see.
    fn commit(&mut self, state: revm::state::EvmState) {
        if changes_what_calls_see(&self.db, &state) {
            let touched = state
                .iter()
                .filter(|(_, account)| account.is_touched())
                .map(|(address, _)| *address)
                .collect();
            self.changed(Some(touched));
        }
        revm::DatabaseCommit::commit(&mut self.db, state);
    }

    /// Deploys `initcode` from `from`, sending `value`, and commits the result.
    ///
    /// On success `created` holds the new address (`from.create(nonce)`) and `output` the
    /// runtime code. Uses gas limit [`DEPLOY_GAS_LIMIT`].
    pub fn deploy(
        &mut self,
        from: Address,
        initcode: Bytes,
        value: U256,
    ) -> Result<CallOutcome, EvmError> {
        let tx = self.tx(
            from,
            TxKind::Create,
            initcode,
            value,
            DEPLOY_GAS_LIMIT.max(self.gas_limit),
        );
        self.transact_commit(tx)
    }

    /// Calls `to` from `from` with `data`, sending `value`, and commits the result: state
    /// changes on success, and the caller's nonce bump on revert or halt, like a real
    /// transaction.
    ///
    /// Returns an [`EvmError`] (and commits nothing) when revm rejects the transaction, e.g.
    /// when `from` cannot fund `value` ([`EvmError::is_insufficient_funds`]) or `from` has code
    /// (EIP-3607).
    pub fn call(
        &mut self,
        from: Address,
        to: Address,
        data: Bytes,
        value: U256,
    ) -> Result<CallOutcome, EvmError> {
        let tx = self.tx(from, TxKind::Call(to), data, value, self.gas_limit);
        self.transact_commit(tx)
    }

    /// Like [`Chain::call`], but runs revm's inspecting handler with `inspector` attached
    /// (e.g. a [`CoverageInspector`](super::CoverageInspector)), and reports the storage the call changed
    /// ([`CallOutcome::access`]). Slower than [`Chain::call`]: every opcode goes through
    /// the inspector's `step`/`step_end` hooks.
    pub fn call_inspected<I>(
        &mut self,
        from: Address,
        to: Address,
        data: Bytes,
        value: U256,
        inspector: &mut I,
    ) -> Result<CallOutcome, EvmError>
    where
        I: for<'a> Inspector<ChainContext<'a>>,
    {
        let tx = self.tx(from, TxKind::Call(to), data, value, self.gas_limit);
        let ctx = Self::context(&self.cfg, &self.block, &mut self.db);
        let mut evm = Self::evm(ctx, inspector);
        let done = evm.inspect_tx(tx)?;
        drop(evm);
        let access = StateAccess::of(&done.state);
        self.commit(done.state);
        let mut outcome = CallOutcome::from_result(done.result);
        outcome.access = access;
        Ok(outcome)
    }

    /// Like [`Chain::call_inspected`] with `coverage`, and collects the same, but runs revm's plain interpreter loop:
    /// only the instructions coverage watches are wrapped to feed it, and the frames are recorded as they return
    /// (see the `cover` module).
    pub fn call_covered(
        &mut self,
        from: Address,
        to: Address,
        data: Bytes,
        value: U256,
        coverage: &mut CoverageInspector,
    ) -> Result<CallOutcome, EvmError> {
        let tx = self.tx(from, TxKind::Call(to), data, value, self.gas_limit);
        let ctx = Self::context(&self.cfg, &self.block, &mut self.db);
        let mut evm = Self::evm_with(ctx, (), coverage_instructions(SPEC));
        evm.ctx.set_tx(tx);
        let mut hooks = RecordingFrames;
        let mut handler: HookedHandler<'_, _, _, EVMError<Infallible, InvalidTransaction>> =
            HookedHandler::new(&mut hooks);
        let result = with_coverage(coverage, || handler.run(&mut evm));
        let state = evm.finalize();
        drop(evm);
        let result = result?;
        let access = StateAccess::of(&state);
        self.commit(state);
        let mut outcome = CallOutcome::from_result(result);
        outcome.access = access;
        Ok(outcome)
    }

    /// Calls `to` from `from` with `data` without committing anything (an `eth_call`).
    ///
    /// Runs over a shared borrow of the state ([`WrapDatabaseRef`]), so it clones nothing; the
    /// only per-call cost beyond execution is building revm's `Evm` (a few small allocations),
    /// the same as for [`Chain::call`].
    pub fn view(&self, from: Address, to: Address, data: Bytes) -> Result<CallOutcome, EvmError> {
        let tx = self.tx(from, TxKind::Call(to), data, U256::ZERO, self.gas_limit);
        let ctx = Self::context(&self.cfg, &self.block, WrapDatabaseRef(&self.db));
        let mut evm = Self::evm(ctx, ());
        // `transact_one` leaves the state diff in the journal, which is dropped with `evm`.
        let result = evm.transact_one(tx)?;
        Ok(CallOutcome::from_result(result))
    }

    /// Like [`Chain::view`], and also returns everything the call read ([`ReadSet`]), so that its result can
    /// be reused while none of that changes. Runs without an inspector: the database records the slots and
    /// accounts, a few wrapped instructions the balances and the block, and whether the view did something those
    /// cannot describe ([`ReadSet::volatile`]: a value transfer, a creation, `EXTCODEHASH`). Its static sub-calls
    /// are answered from `memo` where it holds their result, and kept in it otherwise (see [`memo`](super::memo)).
    pub fn view_recorded(
        &self,
        from: Address,
        to: Address,
        data: Bytes,
        memo: &mut dyn CallMemo,
    ) -> Result<(CallOutcome, ReadSet), EvmError> {
        let tx = self.tx(from, TxKind::Call(to), data, U256::ZERO, self.gas_limit);
        let db = RecordingDb::new(&self.db);
        let ctx = Self::context(&self.cfg, &self.block, WrapDatabaseRef(&db));
        let mut evm = Self::evm_with(ctx, (), recording_instructions(SPEC));
        evm.ctx.set_tx(tx);
        // The run leaves the state diff in the journal, which is dropped with `evm`.
        let mut hooks = Memoizing { memo };
        let mut handler: HookedHandler<'_, _, _, EVMError<Infallible, InvalidTransaction>> =
            HookedHandler::new(&mut hooks);
        let (result, env) = EnvReads::record(|| handler.run(&mut evm));
        drop(evm);
        let outcome = CallOutcome::from_result(result?);
        Ok((outcome, db.finish(env)))
    }

    /// Advances `blocks` blocks; the timestamp advances [`BLOCK_TIME`] seconds per block.
    pub fn roll(&mut self, blocks: u64) {
        let number = self.block_number().saturating_add(blocks);
        let timestamp = self
            .timestamp()
            .saturating_add(blocks.saturating_mul(BLOCK_TIME));
        self.set_block(number, timestamp);
    }

    /// Advances the timestamp by `seconds`, keeping the block number.
    pub fn warp(&mut self, seconds: u64) {
        let timestamp = self.timestamp().saturating_add(seconds);
        self.set_block(self.block_number(), timestamp);
    }

    /// Sets block number and timestamp.
    pub fn set_block(&mut self, number: u64, timestamp: u64) {
        if (number, timestamp) != (self.block_number(), self.timestamp()) {
            self.changed(Some(Vec::new()));
        }
        self.block.number = U256::from(number);
        self.block.timestamp = U256::from(timestamp);
    }

    /// Current block number (`NUMBER`).
    pub fn block_number(&self) -> u64 {
        self.block.number.saturating_to()
    }

    /// Current timestamp (`TIMESTAMP`).
    pub fn timestamp(&self) -> u64 {
        self.block.timestamp.saturating_to()
    }
}

/// One account of a [`Chain::dump`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountDump {
    /// The address.
    pub address: Address,
    /// Balance in wei.
    pub balance: U256,
    /// Nonce.
    pub nonce: u64,
    /// Runtime code (empty for an externally owned account).
    pub code: Bytes,
    /// Non-zero storage slots, sorted.
    pub storage: Vec<(U256, U256)>,
}
