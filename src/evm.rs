//! The in-process chain poolguard runs on: a [revm] EVM over an in-memory state.
//!
//! [`Chain`] owns a [`CacheDB<EmptyDB>`] plus the block and configuration environment.
//! Every transaction builds a short-lived revm `Evm` over a *borrow* of that database
//! (`&mut CacheDB` for committing calls, [`WrapDatabaseRef`]`(&CacheDB)` for [`Chain::view`]),
//! so no call ever clones state, and [`Chain`] itself stays plain data (`Send + Sync + Clone`).
//! Cloning a [`Chain`] is the snapshot/reset mechanism; see [`Chain`] for its cost.
//!
//! [`CoverageInspector`] is an optional revm [`Inspector`] that records JUMPI edges and
//! comparison operands for coverage-guided fuzzing. It is only involved in
//! [`Chain::call_inspected`]; plain [`Chain::call`] runs revm's non-inspecting handler.

use std::collections::HashSet;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

use alloy_primitives::{Address, Bytes, Log, B256, U256};
use revm::bytecode::opcode;
use revm::context::result::{
    EVMError, ExecutionResult, HaltReason, InvalidHeader, InvalidTransaction,
};
use revm::context::{BlockEnv, CfgEnv, Context, Evm, FrameStack, Journal, TxEnv};
use revm::database::{AccountState, CacheDB, EmptyDB};
use revm::database_interface::{Database, DatabaseRef, WrapDatabaseRef};
use revm::handler::instructions::EthInstructions;
use revm::handler::{EthPrecompiles, MainnetEvm};
use revm::interpreter::interpreter::EthInterpreter;
use revm::interpreter::interpreter_types::Jumps;
use revm::interpreter::Interpreter;
use revm::primitives::hardfork::SpecId;
use revm::primitives::TxKind;
use revm::{ExecuteCommitEvm, ExecuteEvm, InspectCommitEvm, Inspector};

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
/// (implementing `Inspector<CTX>` for all `CTX`, as [`CoverageInspector`] does, is simplest).
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
                }
            }
            ExecutionResult::Revert { logs, output, .. } => CallOutcome {
                success: false,
                output,
                logs,
                gas_used,
                created: None,
                halt: None,
            },
            ExecutionResult::Halt { reason, logs, .. } => CallOutcome {
                success: false,
                output: Bytes::new(),
                logs,
                gas_used,
                created: None,
                halt: Some(format!("{reason:?}")),
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
/// jump table are shared between clones). Block and config environment are a few hundred bytes.
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
        }
    }

    /// Read-only access to the underlying revm database.
    pub fn db(&self) -> &ChainDb {
        &self.db
    }

    /// Mutable access to the underlying revm database (for cheat-code style state edits).
    pub fn db_mut(&mut self) -> &mut ChainDb {
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
        self.gas_limit = gas_limit;
    }

    /// Loads (or creates) `who`'s cached account and marks it existing.
    fn account_mut(&mut self, who: Address) -> &mut revm::database::DbAccount {
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

    fn account_info(&self, who: Address) -> Option<revm::state::AccountInfo> {
        match self.db.basic_ref(who) {
            Ok(info) => info,
            Err(never) => match never {},
        }
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
        let mut info = self.account_info(who).unwrap_or_default();
        info.code_hash = bytecode.hash_slow();
        info.code = Some(bytecode);
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
        Evm {
            ctx,
            inspector,
            instruction: EthInstructions::new_mainnet_with_spec(SPEC),
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
        let result = evm.transact_commit(tx)?;
        Ok(CallOutcome::from_result(result))
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
    /// (e.g. a [`CoverageInspector`]). Slower than [`Chain::call`]: every opcode goes through
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
        let result = evm.inspect_tx_commit(tx)?;
        Ok(CallOutcome::from_result(result))
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
        self.block.timestamp = U256::from(timestamp);
    }

    /// Sets block number and timestamp.
    pub fn set_block(&mut self, number: u64, timestamp: u64) {
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

/// Default per-transaction cap on recorded comparison operand pairs.
pub const DEFAULT_CMP_CAP: usize = 256;

/// Identity hasher for already-mixed `u64` edge ids.
#[derive(Default, Clone, Copy)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(b) ^ (self.0 >> 56);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type EdgeSet = HashSet<u64, BuildHasherDefault<IdHasher>>;

#[inline]
fn mix64(mut x: u64) -> u64 {
    // splitmix64 finalizer: a bijective, well-avalanching mixer.
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Edge id of the JUMPI at `pc` in the code with hash `code_hash`, taken or not.
///
/// Deterministic across runs and chain snapshots (it depends only on the code hash, not on the
/// address), so the same code deployed twice shares edges.
#[inline]
pub fn edge_id(code_hash: B256, pc: usize, taken: bool) -> u64 {
    let h = u64::from_le_bytes(code_hash.0[..8].try_into().expect("8 bytes"));
    mix64(h ^ mix64(((pc as u64) << 1) | u64::from(taken)))
}

/// Id of the instruction at `pc` in the code with hash `code_hash` (a comparison site), for feedback that
/// needs a stable "caller pc" per (contract code, pc), e.g. libFuzzer's compare hooks. Independent of
/// [`edge_id`] (a different mixing constant).
#[inline]
pub fn site_id(code_hash: B256, pc: usize) -> u64 {
    let h = u64::from_le_bytes(code_hash.0[..8].try_into().expect("8 bytes"));
    mix64(h ^ mix64((pc as u64) ^ 0x5a5a_c3c3_0f0f_9696))
}

/// One instruction as the [`CoverageInspector`] reports it to its sink: every execution, neither
/// deduplicated nor capped (unlike what [`CoverageInspector::take`] returns).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoverageEvent {
    /// A JUMPI executed: its [`edge_id`] (code hash, pc, taken or not).
    Edge(u64),
    /// An `EQ`, `LT`, `GT`, `SLT` or `SGT` about to execute at [`site_id`] `site`, with its operands
    /// (`a` the top of the stack, `b` the second).
    Cmp {
        /// [`site_id`] of the comparison.
        site: u64,
        /// Top of the stack.
        a: U256,
        /// Second from the top.
        b: U256,
    },
}

/// A function the [`CoverageInspector`] calls for every [`CoverageEvent`] (see
/// [`CoverageInspector::with_sink`]). A plain function pointer, so the inspector stays
/// `Send + Sync + Clone`; a sink that needs state keeps it in statics (as libFuzzer's counters are).
pub type CoverageSink = fn(&CoverageEvent);

/// A revm [`Inspector`] recording coverage feedback for the fuzzer:
///
/// * JUMPI edges as [`edge_id`]`(code_hash, pc, taken)`, deduplicated per transaction;
/// * operand pairs `(top, second)` of `EQ`, `LT`, `GT`, `SLT`, `SGT` (e.g. `LT` computes
///   `top < second`), deduplicated and capped per transaction, for a fuzz dictionary.
///
/// Everything is read in the `step` hook, i.e. before the instruction executes. Call
/// [`CoverageInspector::take`] after each transaction to collect and reset.
#[derive(Debug, Clone)]
pub struct CoverageInspector {
    seen: EdgeSet,
    edges: Vec<u64>,
    cmps: Vec<(U256, U256)>,
    /// Hashes of recorded pairs (a 64-bit hash collision only drops a dictionary entry).
    cmp_seen: EdgeSet,
    cmp_cap: usize,
    sink: Option<CoverageSink>,
}

impl Default for CoverageInspector {
    fn default() -> Self {
        Self::new()
    }
}

impl CoverageInspector {
    /// An empty inspector keeping at most [`DEFAULT_CMP_CAP`] comparison pairs per transaction.
    pub fn new() -> Self {
        Self::with_cmp_cap(DEFAULT_CMP_CAP)
    }

    /// An empty inspector keeping at most `cmp_cap` comparison pairs per transaction.
    pub fn with_cmp_cap(cmp_cap: usize) -> Self {
        CoverageInspector {
            seen: EdgeSet::default(),
            edges: Vec::new(),
            cmps: Vec::new(),
            cmp_seen: EdgeSet::default(),
            cmp_cap,
            sink: None,
        }
    }

    /// Also reports every JUMPI and comparison, as it executes, to `sink` (in addition to what
    /// [`CoverageInspector::take`] returns).
    pub fn with_sink(mut self, sink: CoverageSink) -> Self {
        self.sink = Some(sink);
        self
    }

    /// Edges hit since the last [`CoverageInspector::take`], in first-hit order, no duplicates.
    pub fn edges(&self) -> &[u64] {
        &self.edges
    }

    /// Comparison operand pairs seen since the last [`CoverageInspector::take`].
    pub fn cmps(&self) -> &[(U256, U256)] {
        &self.cmps
    }

    /// Returns the recorded `(edges, comparison pairs)` and resets the inspector for the next
    /// transaction (keeping its allocations for the dedup sets).
    pub fn take(&mut self) -> (Vec<u64>, Vec<(U256, U256)>) {
        self.seen.clear();
        self.cmp_seen.clear();
        (
            std::mem::take(&mut self.edges),
            std::mem::take(&mut self.cmps),
        )
    }

    /// Clears everything recorded so far.
    pub fn clear(&mut self) {
        self.seen.clear();
        self.cmp_seen.clear();
        self.edges.clear();
        self.cmps.clear();
    }

    #[inline]
    fn record_cmp(&mut self, a: U256, b: U256) {
        if self.cmps.len() >= self.cmp_cap {
            return;
        }
        let mut h = 0x9e37_79b9_7f4a_7c15u64;
        for limb in a.as_limbs().iter().chain(b.as_limbs()) {
            h = mix64(h ^ limb);
        }
        if self.cmp_seen.insert(h) {
            self.cmps.push((a, b));
        }
    }
}

impl<CTX> Inspector<CTX, EthInterpreter> for CoverageInspector {
    #[inline]
    fn step(&mut self, interp: &mut Interpreter<EthInterpreter>, _context: &mut CTX) {
        let op = interp.bytecode.opcode();
        match op {
            opcode::JUMPI => {
                // JUMPI pops `target` (top) then `cond` (second from top).
                let data = interp.stack.data();
                let len = data.len();
                if len < 2 {
                    return; // will halt with a stack underflow
                }
                let taken = !data[len - 2].is_zero();
                let pc = interp.bytecode.pc();
                let hash = interp.bytecode.get_or_calculate_hash();
                let id = edge_id(hash, pc, taken);
                if let Some(sink) = self.sink {
                    sink(&CoverageEvent::Edge(id));
                }
                if self.seen.insert(id) {
                    self.edges.push(id);
                }
            }
            opcode::EQ | opcode::LT | opcode::GT | opcode::SLT | opcode::SGT => {
                let data = interp.stack.data();
                let len = data.len();
                if len >= 2 {
                    let (a, b) = (data[len - 1], data[len - 2]);
                    if let Some(sink) = self.sink {
                        let site = site_id(
                            interp.bytecode.get_or_calculate_hash(),
                            interp.bytecode.pc(),
                        );
                        sink(&CoverageEvent::Cmp { site, a, b });
                    }
                    self.record_cmp(a, b);
                }
            }
            _ => {}
        }
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

/// Counts how often each instruction of each code runs (for per-line coverage), and optionally keeps the
/// executed `(code_hash, pc)` in order (to locate a call in the source, e.g. its entry function and where it
/// reverted).
///
/// Slower than [`CoverageInspector`] (a counter per executed instruction); meant for replaying a corpus or
/// one step, not for the campaign's hot path.
#[derive(Debug, Clone, Default)]
pub struct PcTracer {
    hits: std::collections::HashMap<B256, Vec<u64>>,
    trace: Option<Vec<(B256, u32)>>,
    trace_cap: usize,
}

impl PcTracer {
    /// Counts hits only.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts hits and also keeps the first `cap` executed instructions in order.
    pub fn with_trace(cap: usize) -> Self {
        Self {
            trace: Some(Vec::new()),
            trace_cap: cap,
            ..Self::default()
        }
    }

    /// Hits per pc, by code hash (`hits[pc]` counts executions of the instruction at `pc`).
    pub fn hits(&self) -> &std::collections::HashMap<B256, Vec<u64>> {
        &self.hits
    }

    /// The executed instructions, in order (empty unless built [`with_trace`](Self::with_trace)).
    pub fn trace(&self) -> &[(B256, u32)] {
        self.trace.as_deref().unwrap_or_default()
    }

    /// Forgets the ordered trace (hit counts are kept), e.g. before the next transaction.
    pub fn clear_trace(&mut self) {
        if let Some(trace) = &mut self.trace {
            trace.clear();
        }
    }
}

impl<CTX> Inspector<CTX, EthInterpreter> for PcTracer {
    fn step(&mut self, interp: &mut Interpreter<EthInterpreter>, _context: &mut CTX) {
        let hash = interp.bytecode.get_or_calculate_hash();
        let pc = interp.bytecode.pc();
        let counts = self.hits.entry(hash).or_default();
        if counts.len() <= pc {
            counts.resize(pc + 1, 0);
        }
        counts[pc] += 1;
        if let Some(trace) = &mut self.trace {
            if trace.len() < self.trace_cap {
                trace.push((hash, u32::try_from(pc).unwrap_or(u32::MAX)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{address, hex, keccak256};

    const ALICE: Address = address!("00000000000000000000000000000000000a11ce");
    const BOB: Address = address!("0000000000000000000000000000000000000b0b");

    /// Initcode that returns `runtime` as the deployed code.
    fn initcode(runtime: &[u8]) -> Bytes {
        let len = u16::try_from(runtime.len()).expect("runtime fits PUSH2");
        let [lh, ll] = len.to_be_bytes();
        // PUSH2 len PUSH2 15 PUSH1 0 CODECOPY PUSH2 len PUSH1 0 RETURN  (15 bytes)
        let mut code = vec![
            0x61, lh, ll, 0x61, 0x00, 0x0f, 0x60, 0x00, 0x39, 0x61, lh, ll, 0x60, 0x00, 0xf3,
        ];
        assert_eq!(code.len(), 15);
        code.extend_from_slice(runtime);
        code.into()
    }

    fn deploy(chain: &mut Chain, runtime: &[u8]) -> Address {
        let nonce = chain.nonce(ALICE);
        let out = chain.deploy(ALICE, initcode(runtime), U256::ZERO).unwrap();
        assert!(out.success, "deploy failed: {out:?}");
        let addr = out.created.unwrap();
        assert_eq!(addr, ALICE.create(nonce));
        assert_eq!(chain.code(addr), Bytes::copy_from_slice(runtime));
        addr
    }

    // PUSH1 0 CALLDATALOAD DUP1 PUSH1 0 SSTORE PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN
    const STORE: &[u8] = &hex!("6000358060005560005260206000f3");
    // PUSH4 deadbeef PUSH1 0 MSTORE PUSH1 32 PUSH1 0 REVERT
    const REVERTER: &[u8] = &hex!("63deadbeef60005260206000fd");
    // NUMBER -> m[0], TIMESTAMP -> m[32], CHAINID -> m[64]; RETURN 96 bytes
    const BLOCKINFO: &[u8] = &hex!("43600052426020524660405260606000f3");
    // PUSH1 0 CALLDATALOAD PUSH4 12345678 EQ PUSH1 0x11 JUMPI PUSH1 0 PUSH1 0 REVERT JUMPDEST STOP
    const BRANCHY: &[u8] = &hex!("60003563123456781460115760006000fd5b00");
    // INVALID
    const INVALID: &[u8] = &hex!("fe");

    fn word(x: u64) -> Bytes {
        U256::from(x).to_be_bytes::<32>().to_vec().into()
    }

    #[test]
    fn fresh_chain_env() {
        let chain = Chain::new();
        assert_eq!(chain.block_number(), 1);
        assert_eq!(chain.timestamp(), 1_700_000_000);
        assert_eq!(chain.chain_id(), 80094);
        assert_eq!(chain.balance(ALICE), U256::ZERO);
        assert!(chain.code(ALICE).is_empty());
    }

    #[test]
    fn store_call_success_and_output() {
        let mut chain = Chain::new();
        let c = deploy(&mut chain, STORE);
        let out = chain.call(ALICE, c, word(42), U256::ZERO).unwrap();
        assert!(out.success);
        assert_eq!(out.output, word(42));
        assert!(out.gas_used > 21_000);
        assert_eq!(chain.storage(c, U256::ZERO), U256::from(42));
        // Nonce check is disabled but nonces are still bumped.
        assert_eq!(chain.nonce(ALICE), 2);
    }

    #[test]
    fn revert_gives_revert_data() {
        let mut chain = Chain::new();
        let c = deploy(&mut chain, REVERTER);
        let out = chain.call(BOB, c, Bytes::new(), U256::ZERO).unwrap();
        assert!(!out.success);
        assert!(out.reverted());
        assert_eq!(out.halt, None);
        assert_eq!(out.output, word(0xdeadbeef));
        // The reverted tx is still committed: BOB's nonce was bumped.
        assert_eq!(chain.nonce(BOB), 1);
    }

    #[test]
    fn halt_is_reported() {
        let mut chain = Chain::new();
        let c = deploy(&mut chain, INVALID);
        let out = chain.call(BOB, c, Bytes::new(), U256::ZERO).unwrap();
        assert!(!out.success);
        assert!(!out.reverted());
        assert!(out.halt.is_some(), "{out:?}");
        assert_eq!(out.gas_used, chain.gas_limit());
    }

    #[test]
    fn unfunded_value_transfer_is_an_error() {
        let mut chain = Chain::new();
        let err = chain
            .call(BOB, ALICE, Bytes::new(), U256::from(1))
            .unwrap_err();
        assert!(err.is_insufficient_funds(), "{err}");
        assert_eq!(chain.nonce(BOB), 0, "nothing committed");

        chain.set_balance(BOB, U256::from(10));
        let out = chain.call(BOB, ALICE, Bytes::new(), U256::from(3)).unwrap();
        assert!(out.success);
        assert_eq!(chain.balance(BOB), U256::from(7));
        assert_eq!(chain.balance(ALICE), U256::from(3));

        // Deploy with unfunded value too.
        let err = chain
            .deploy(ALICE, initcode(STORE), U256::from(100))
            .unwrap_err();
        assert!(err.is_insufficient_funds());
    }

    #[test]
    fn roll_and_warp_are_seen_by_contracts() {
        let mut chain = Chain::new();
        let c = deploy(&mut chain, BLOCKINFO);
        let read = |chain: &Chain| {
            let out = chain.view(ALICE, c, Bytes::new()).unwrap();
            assert!(out.success);
            let w = |i: usize| U256::from_be_slice(&out.output[32 * i..32 * (i + 1)]);
            (w(0), w(1), w(2))
        };
        assert_eq!(
            read(&chain),
            (
                U256::from(1),
                U256::from(1_700_000_000u64),
                U256::from(80094)
            )
        );
        chain.roll(10);
        assert_eq!(chain.block_number(), 11);
        assert_eq!(chain.timestamp(), 1_700_000_020);
        chain.warp(100);
        assert_eq!(chain.block_number(), 11);
        let (n, t, _) = read(&chain);
        assert_eq!((n, t), (U256::from(11), U256::from(1_700_000_120u64)));
        // Committing calls see the same environment.
        let out = chain.call(BOB, c, Bytes::new(), U256::ZERO).unwrap();
        assert_eq!(U256::from_be_slice(&out.output[..32]), U256::from(11));
        chain.set_block(500, 2_000_000_000);
        let (n, t, _) = read(&chain);
        assert_eq!((n, t), (U256::from(500), U256::from(2_000_000_000u64)));
    }

    #[test]
    fn view_does_not_commit() {
        let mut chain = Chain::new();
        let c = deploy(&mut chain, STORE);
        let out = chain.view(BOB, c, word(7)).unwrap();
        assert!(out.success);
        assert_eq!(out.output, word(7));
        assert_eq!(chain.storage(c, U256::ZERO), U256::ZERO);
        assert_eq!(chain.nonce(BOB), 0);
    }

    #[test]
    fn clone_is_an_independent_snapshot() {
        let mut chain = Chain::new();
        let c = deploy(&mut chain, STORE);
        chain.call(ALICE, c, word(1), U256::ZERO).unwrap();
        let snapshot = chain.clone();
        chain.call(ALICE, c, word(2), U256::ZERO).unwrap();
        chain.set_balance(BOB, U256::from(5));
        chain.roll(3);
        assert_eq!(chain.storage(c, U256::ZERO), U256::from(2));
        assert_eq!(snapshot.storage(c, U256::ZERO), U256::from(1));
        assert_eq!(snapshot.balance(BOB), U256::ZERO);
        assert_eq!(snapshot.block_number(), 1);
        // Restoring the snapshot resets everything.
        let mut restored = snapshot.clone();
        let out = restored.view(ALICE, c, word(9)).unwrap();
        assert_eq!(out.output, word(9));
        restored.call(ALICE, c, word(3), U256::ZERO).unwrap();
        assert_eq!(restored.storage(c, U256::ZERO), U256::from(3));
        assert_eq!(snapshot.storage(c, U256::ZERO), U256::from(1));
        assert_eq!(chain.storage(c, U256::ZERO), U256::from(2));
    }

    #[test]
    fn cheat_codes() {
        let mut chain = Chain::new();
        let c = deploy(&mut chain, STORE);
        chain.set_storage(c, U256::from(5), U256::from(77));
        assert_eq!(chain.storage(c, U256::from(5)), U256::from(77));
        // Setting storage keeps code.
        assert_eq!(chain.code(c), Bytes::from_static(STORE));
        // Etch code onto a fresh address and call it.
        let etched = address!("00000000000000000000000000000000000e7c4e");
        chain.set_code(etched, Bytes::from_static(STORE));
        let out = chain.call(BOB, etched, word(11), U256::ZERO).unwrap();
        assert!(out.success);
        assert_eq!(chain.storage(etched, U256::ZERO), U256::from(11));
        // Balances survive code edits.
        chain.set_balance(etched, U256::from(9));
        chain.set_code(etched, Bytes::from_static(REVERTER));
        assert_eq!(chain.balance(etched), U256::from(9));
        assert!(chain
            .call(BOB, etched, Bytes::new(), U256::ZERO)
            .unwrap()
            .reverted());
    }

    /// Runtime code forwarding calldata word 0 to `target` via CALL and returning its 32-byte
    /// return data.
    fn proxy(target: Address) -> Vec<u8> {
        // m[0] = calldata[0]; CALL(gas, target, 0, 0, 32, 0, 32); POP; RETURN(0, 32)
        let mut code = hex!("6000356000526020600060206000600073").to_vec();
        code.extend_from_slice(target.as_slice());
        code.extend_from_slice(&hex!("5af15060206000f3"));
        code
    }

    #[test]
    fn nested_calls_work() {
        let mut chain = Chain::new();
        let store = deploy(&mut chain, STORE);
        let p1 = deploy(&mut chain, &proxy(store));
        let p2 = deploy(&mut chain, &proxy(p1));
        let out = chain.call(BOB, p2, word(99), U256::ZERO).unwrap();
        assert!(out.success, "{out:?}");
        assert_eq!(out.output, word(99));
        assert_eq!(chain.storage(store, U256::ZERO), U256::from(99));
        assert_eq!(chain.view(BOB, p2, word(3)).unwrap().output, word(3));

        // Coverage is collected inside nested frames too.
        let branchy = deploy(&mut chain, BRANCHY);
        let p3 = deploy(&mut chain, &proxy(branchy));
        let mut insp = CoverageInspector::new();
        let out = chain
            .call_inspected(BOB, p3, word(0x1234_5678), U256::ZERO, &mut insp)
            .unwrap();
        assert!(out.success);
        let (edges, cmps) = insp.take();
        assert_eq!(edges, vec![edge_id(keccak256(BRANCHY), 11, true)]);
        assert_eq!(cmps.len(), 1);
    }

    #[test]
    fn logs_and_failed_deploys() {
        let mut chain = Chain::new();
        // m[0] = 42; LOG1(0, 32, topic 0x77); STOP
        let c = deploy(&mut chain, &hex!("602a600052607760206000a100"));
        let out = chain.call(BOB, c, Bytes::new(), U256::ZERO).unwrap();
        assert!(out.success);
        assert_eq!(out.logs.len(), 1);
        assert_eq!(out.logs[0].address, c);
        assert_eq!(out.logs[0].topics(), &[B256::from(U256::from(0x77))]);
        assert_eq!(out.logs[0].data.data, word(42));

        // Initcode that reverts: no address, revert data returned, nonce still bumped.
        let nonce = chain.nonce(ALICE);
        let out = chain
            .deploy(ALICE, Bytes::from_static(REVERTER), U256::ZERO)
            .unwrap();
        assert!(out.reverted());
        assert_eq!(out.created, None);
        assert_eq!(out.output, word(0xdeadbeef));
        assert_eq!(chain.nonce(ALICE), nonce + 1);
        assert!(chain.code(ALICE.create(nonce)).is_empty());
    }

    #[test]
    fn senders_with_code_are_rejected() {
        // EIP-3607 cannot be disabled without revm's `optional_eip3607` feature.
        let mut chain = Chain::new();
        let c = deploy(&mut chain, STORE);
        let err = chain.call(c, c, word(1), U256::ZERO).unwrap_err();
        assert!(matches!(
            err,
            EvmError::Transaction(InvalidTransaction::RejectCallerWithCode)
        ));
    }

    #[test]
    fn chain_is_send_sync() {
        fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
        assert_send_sync::<Chain>();
        assert_send_sync::<CoverageInspector>();
    }

    #[test]
    fn large_contracts_deploy() {
        let mut chain = Chain::new();
        // 60 KB runtime: over EIP-170 (24 KiB) and an initcode over EIP-3860 (48 KiB).
        let runtime = vec![0u8; 60_000];
        let c = deploy(&mut chain, &runtime);
        assert_eq!(chain.code(c).len(), 60_000);
    }

    #[test]
    fn coverage_inspector_records_edges_and_cmps() {
        let mut chain = Chain::new();
        let c = deploy(&mut chain, BRANCHY);
        let code_hash = keccak256(BRANCHY);
        let mut insp = CoverageInspector::new();

        let out = chain
            .call_inspected(BOB, c, word(0x1234_5678), U256::ZERO, &mut insp)
            .unwrap();
        assert!(out.success, "{out:?}");
        let (edges, cmps) = insp.take();
        assert_eq!(edges, vec![edge_id(code_hash, 11, true)]);
        assert_eq!(
            cmps,
            vec![(U256::from(0x1234_5678), U256::from(0x1234_5678))]
        );

        let out = chain
            .call_inspected(BOB, c, word(5), U256::ZERO, &mut insp)
            .unwrap();
        assert!(out.reverted());
        let (edges, cmps) = insp.take();
        assert_eq!(edges, vec![edge_id(code_hash, 11, false)]);
        // EQ operands: top = the PUSH4 constant, second = the calldata word.
        assert_eq!(cmps, vec![(U256::from(0x1234_5678), U256::from(5))]);
        assert_ne!(edge_id(code_hash, 11, true), edge_id(code_hash, 11, false));

        // Inspected calls commit like plain calls.
        assert_eq!(chain.nonce(BOB), 2);
        assert!(insp.edges().is_empty() && insp.cmps().is_empty());
    }

    #[test]
    fn sink_sees_every_jumpi_and_compare() {
        use std::sync::Mutex;
        static EVENTS: Mutex<Vec<CoverageEvent>> = Mutex::new(Vec::new());
        fn sink(e: &CoverageEvent) {
            EVENTS.lock().unwrap().push(*e);
        }
        let mut chain = Chain::new();
        // The 100-iteration loop of `cmp_cap_is_respected`.
        let looping = hex!("60005b80606411156011576001016002565b00");
        let c = deploy(&mut chain, &looping);
        let mut insp = CoverageInspector::with_cmp_cap(10).with_sink(sink);
        let out = chain
            .call_inspected(BOB, c, Bytes::new(), U256::ZERO, &mut insp)
            .unwrap();
        assert!(out.success, "{out:?}");
        let events = std::mem::take(&mut *EVENTS.lock().unwrap());
        let h = keccak256(looping);
        let jumps: Vec<u64> = events
            .iter()
            .filter_map(|e| {
                if let CoverageEvent::Edge(id) = e {
                    Some(*id)
                } else {
                    None
                }
            })
            .collect();
        // 100 iterations take the loop (JUMPI not taken), the 101st leaves it.
        assert_eq!(jumps.len(), 101);
        assert_eq!(
            jumps
                .iter()
                .filter(|id| **id == edge_id(h, 10, false))
                .count(),
            100
        );
        assert_eq!(jumps[100], edge_id(h, 10, true));
        let cmps: Vec<_> = events
            .iter()
            .filter_map(|e| {
                if let CoverageEvent::Cmp { site, a, b } = e {
                    Some((*site, *a, *b))
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(cmps.len(), 101, "uncapped");
        assert!(cmps.iter().all(|(site, _, _)| *site == site_id(h, 6)));
        assert_eq!((cmps[3].1, cmps[3].2), (U256::from(100), U256::from(3)));
        // What `take` returns is unchanged by the sink.
        let (edges, capped) = insp.take();
        assert_eq!(capped.len(), 10);
        assert_eq!(edges, vec![edge_id(h, 10, false), edge_id(h, 10, true)]);
    }

    #[test]
    fn cmp_cap_is_respected() {
        let mut chain = Chain::new();
        // Loop 100 times: i = 0; loop: i < 100 ? (i += 1; jump loop) : stop.
        // 0: PUSH1 0           (i)
        // 2: JUMPDEST
        // 3: DUP1 PUSH1 100 GT  -> 100 > i
        // 7: ISZERO PUSH1 0x11 JUMPI
        // 11: PUSH1 1 ADD PUSH1 2 JUMP
        // 17: JUMPDEST STOP
        let looping = hex!("60005b80606411156011576001016002565b00");
        let c = deploy(&mut chain, &looping);
        let mut insp = CoverageInspector::with_cmp_cap(10);
        let out = chain
            .call_inspected(BOB, c, Bytes::new(), U256::ZERO, &mut insp)
            .unwrap();
        assert!(out.success, "{out:?}");
        let (edges, cmps) = insp.take();
        assert_eq!(cmps.len(), 10);
        assert_eq!(cmps[3], (U256::from(100), U256::from(3)));
        // Both directions of the loop's JUMPI, each recorded once.
        let h = keccak256(looping);
        assert_eq!(edges, vec![edge_id(h, 10, false), edge_id(h, 10, true)]);
    }

    /// Rough per-call overhead measurement:
    /// `cargo test --release --lib evm::tests::bench -- --ignored --nocapture`.
    ///
    /// With glibc malloc, the large clone is ~10x slower than the allocator-bound cost because
    /// dropping the clone trims the heap and the next clone page-faults it back in; compare
    /// with `GLIBC_TUNABLES=glibc.malloc.trim_threshold=1000000000`.
    #[test]
    #[ignore = "benchmark: prints timings, run with --ignored --nocapture in release"]
    fn bench_call_overhead() {
        let mut chain = Chain::new();
        let c = deploy(&mut chain, STORE);
        let n = 200_000u64;
        let t = std::time::Instant::now();
        for i in 0..n {
            chain.call(ALICE, c, word(i), U256::ZERO).unwrap();
        }
        let call = t.elapsed() / n as u32;
        let t = std::time::Instant::now();
        for i in 0..n {
            chain.view(ALICE, c, word(i)).unwrap();
        }
        let view = t.elapsed() / n as u32;
        let mut insp = CoverageInspector::new();
        let t = std::time::Instant::now();
        for i in 0..n {
            chain
                .call_inspected(ALICE, c, word(i), U256::ZERO, &mut insp)
                .unwrap();
            insp.take();
        }
        let inspected = t.elapsed() / n as u32;
        let t = std::time::Instant::now();
        for _ in 0..n {
            std::hint::black_box(chain.clone());
        }
        let clone = t.elapsed() / n as u32;
        // A protocol-sized state: 20 contracts x 200 slots.
        for a in 0..20u64 {
            let who = Address::with_last_byte(a as u8 + 0x40);
            chain.set_code(who, Bytes::from_static(STORE));
            for slot in 0..200u64 {
                chain.set_storage(who, U256::from(slot), U256::from(slot + 1));
            }
        }
        let m = 20_000u32;
        let t = std::time::Instant::now();
        for _ in 0..m {
            std::hint::black_box(chain.clone());
        }
        let big_clone = t.elapsed() / m;
        println!(
            "call {call:?} view {view:?} inspected {inspected:?} clone {clone:?} \
             clone(20x200 slots) {big_clone:?}"
        );
    }
}
