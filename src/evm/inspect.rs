//! Inspectors: revm [`Inspector`]s that watch the chain execute, for coverage-guided fuzzing
//! ([`CoverageInspector`]) and per-line coverage and source location ([`PcTracer`]). Each is passed to
//! [`Chain::call_inspected`](super::Chain::call_inspected).

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

use alloy_primitives::{Address, Bytes, B256, U256};
use revm::bytecode::opcode;
use revm::context_interface::{ContextTr, LocalContextTr};
use revm::interpreter::interpreter::EthInterpreter;
use revm::interpreter::interpreter_types::Jumps;
use revm::interpreter::Interpreter;
use revm::interpreter::{CallInput, CallInputs, CallOutcome};
use revm::Inspector;

use super::chain::{CallOutcome as ChainOutcome, Chain, EvmError};

/// Default per-transaction cap on recorded comparison operand pairs.
pub const DEFAULT_CMP_CAP: usize = 256;

/// Identity hasher for already-mixed `u64` ids (edges, features): hashing them again buys nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct IdHasher(u64);

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

/// A set of already-mixed `u64` ids ([`edge_id`]s, hashed features), hashed by [`IdHasher`].
pub type IdSet = HashSet<u64, BuildHasherDefault<IdHasher>>;

#[inline]
pub(super) fn mix64(mut x: u64) -> u64 {
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
    seen: IdSet,
    edges: Vec<u64>,
    cmps: Vec<(U256, U256)>,
    /// [`site_id`] of the comparison each pair of `cmps` was first recorded at (same index).
    cmp_sites: Vec<u64>,
    /// Hashes of recorded pairs (a 64-bit hash collision only drops a dictionary entry).
    cmp_seen: IdSet,
    cmp_cap: usize,
    sink: Option<CoverageSink>,
    frames: Vec<Frame>,
    /// Code hashes counted as another code's (see [`CoverageInspector::with_code_aliases`]).
    aliases: Option<std::sync::Arc<std::collections::HashMap<B256, B256>>>,
    /// The last [`LAST_LOADS`] distinct slots loaded (`SLOAD`), most recent last.
    last_loads: Vec<(Address, U256)>,
    /// The last code hash looked up in `aliases`, and what it counts as.
    last_alias: (B256, B256),
}

/// How many of the last slots loaded the [`CoverageInspector`] keeps.
pub const LAST_LOADS: usize = 12;

/// One call frame a transaction executed (the top-level call and every nested one), when it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    /// The called account.
    pub target: Address,
    /// The first four bytes of the calldata; `None` for calldata shorter than four bytes.
    pub selector: Option<[u8; 4]>,
    /// Whether the frame returned without reverting.
    pub success: bool,
}

/// Most frames recorded per transaction.
const FRAME_CAP: usize = 256;

/// The first four bytes of a call's calldata; `None` for calldata shorter than four bytes.
pub(super) fn selector<CTX: ContextTr>(input: &CallInput, context: &CTX) -> Option<[u8; 4]> {
    match input {
        CallInput::Bytes(bytes) => bytes.get(..4).map(|s| [s[0], s[1], s[2], s[3]]),
        CallInput::SharedBuffer(range) if range.len() >= 4 => context
            .local()
            .shared_memory_buffer_slice(range.start..range.start + 4)
            .map(|s| [s[0], s[1], s[2], s[3]]),
        CallInput::SharedBuffer(_) => None,
    }
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
            seen: IdSet::default(),
            edges: Vec::new(),
            cmps: Vec::new(),
            cmp_sites: Vec::new(),
            cmp_seen: IdSet::default(),
            cmp_cap,
            sink: None,
            frames: Vec::new(),
            aliases: None,
            last_loads: Vec::new(),
            last_alias: (B256::ZERO, B256::ZERO),
        }
    }

    /// Counts the edges of code whose hash is a key of `aliases` as those of the code its value names: a second
    /// deployment of the same contract that differs only in an immutable (an implementation's copy, whose
    /// `__self` is its own address) covers no new branch.
    pub fn with_code_aliases(
        mut self,
        aliases: std::sync::Arc<std::collections::HashMap<B256, B256>>,
    ) -> Self {
        self.aliases = (!aliases.is_empty()).then_some(aliases);
        self
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
        self.cmp_sites.clear();
        // The next transaction's lists start at this one's size: grown from empty, each took several reallocations.
        let (edges, cmps) = (self.edges.len(), self.cmps.len());
        (
            std::mem::replace(&mut self.edges, Vec::with_capacity(edges)),
            std::mem::replace(&mut self.cmps, Vec::with_capacity(cmps)),
        )
    }

    /// Returns the recorded `(edges, comparison pairs, the site of each pair)` and resets the inspector like
    /// [`CoverageInspector::take`]: where a pair was compared matters to whoever tries each comparison on its edge
    /// once (a site is finite; the operands of a state-dependent check are new every time).
    pub fn take_with_sites(&mut self) -> (Vec<u64>, Vec<(U256, U256)>, Vec<u64>) {
        let sites = std::mem::take(&mut self.cmp_sites);
        let (edges, cmps) = self.take();
        (edges, cmps, sites)
    }

    /// Returns the last [`LAST_LOADS`] distinct storage slots loaded since the last call (most recent last), and
    /// forgets them: for a transaction that reverted or did nothing, what its guard read.
    pub fn take_last_loads(&mut self) -> Vec<(Address, U256)> {
        std::mem::take(&mut self.last_loads)
    }

    /// Returns the call frames recorded since the last call, and forgets them.
    pub fn take_frames(&mut self) -> Vec<Frame> {
        std::mem::take(&mut self.frames)
    }

    /// Clears everything recorded so far.
    pub fn clear(&mut self) {
        self.frames.clear();
        self.last_loads.clear();
        self.seen.clear();
        self.cmp_seen.clear();
        self.edges.clear();
        self.cmps.clear();
        self.cmp_sites.clear();
    }

    /// A `JUMPI` at `pc` about to execute: its edge, taken or not (the condition is second from the top).
    #[inline]
    pub(super) fn on_jumpi(&mut self, interp: &mut Interpreter<EthInterpreter>, pc: usize) {
        let data = interp.stack.data();
        let len = data.len();
        if len < 2 {
            return; // will halt with a stack underflow
        }
        let taken = !data[len - 2].is_zero();
        let hash = self.counted_as(interp.bytecode.get_or_calculate_hash());
        let id = edge_id(hash, pc, taken);
        if let Some(sink) = self.sink {
            sink(&CoverageEvent::Edge(id));
        }
        if self.seen.insert(id) {
            self.edges.push(id);
        }
    }

    /// The code hash whose edges `hash`'s count as (see [`CoverageInspector::with_code_aliases`]). The last answer is
    /// kept: a frame runs many `JUMPI`s of one code.
    #[inline]
    fn counted_as(&mut self, hash: B256) -> B256 {
        let Some(aliases) = &self.aliases else {
            return hash;
        };
        if self.last_alias.0 != hash {
            self.last_alias = (hash, aliases.get(&hash).copied().unwrap_or(hash));
        }
        self.last_alias.1
    }

    /// An `SLOAD` about to execute: the slot on top of the stack, of the account whose storage it reads.
    #[inline]
    pub(super) fn on_sload(&mut self, interp: &Interpreter<EthInterpreter>) {
        if let Some(key) = interp.stack.data().last() {
            let slot = (interp.input.target_address, *key);
            if let Some(at) = self.last_loads.iter().position(|s| *s == slot) {
                self.last_loads.remove(at);
            } else if self.last_loads.len() >= LAST_LOADS {
                self.last_loads.remove(0);
            }
            self.last_loads.push(slot);
        }
    }

    /// An `EQ`, `LT`, `GT`, `SLT` or `SGT` at `pc` about to execute: its two operands.
    #[inline]
    pub(super) fn on_cmp(&mut self, interp: &mut Interpreter<EthInterpreter>, pc: usize) {
        let data = interp.stack.data();
        let len = data.len();
        if len >= 2 {
            let (a, b) = (data[len - 1], data[len - 2]);
            let bytecode = &mut interp.bytecode;
            if let Some(sink) = self.sink {
                let site = site_id(bytecode.get_or_calculate_hash(), pc);
                sink(&CoverageEvent::Cmp { site, a, b });
            }
            // The site is hashed only for a pair that is recorded (not a duplicate, under the cap).
            self.record_cmp(a, b, || site_id(bytecode.get_or_calculate_hash(), pc));
        }
    }

    /// A call frame that ended.
    #[inline]
    pub(super) fn on_call_end(
        &mut self,
        target: Address,
        selector: Option<[u8; 4]>,
        success: bool,
    ) {
        if self.frames.len() < FRAME_CAP {
            self.frames.push(Frame {
                target,
                selector,
                success,
            });
        }
    }

    #[inline]
    fn record_cmp(&mut self, a: U256, b: U256, site: impl FnOnce() -> u64) {
        if self.cmps.len() >= self.cmp_cap {
            return;
        }
        // One multiply per limb and one mix at the end: a dedup key, where a collision only drops a pair.
        let mut h = 0x9e37_79b9_7f4a_7c15u64;
        for limb in a.as_limbs().iter().chain(b.as_limbs()) {
            h = (h ^ limb)
                .wrapping_mul(0xff51_afd7_ed55_8ccd)
                .rotate_left(29);
        }
        let h = mix64(h);
        if self.cmp_seen.insert(h) {
            self.cmps.push((a, b));
            self.cmp_sites.push(site());
        }
    }
}

impl<CTX: ContextTr> Inspector<CTX, EthInterpreter> for CoverageInspector {
    fn call_end(&mut self, context: &mut CTX, inputs: &CallInputs, outcome: &mut CallOutcome) {
        let selector = selector(&inputs.input, context);
        self.on_call_end(inputs.target_address, selector, outcome.result.is_ok());
    }

    #[inline]
    fn step(&mut self, interp: &mut Interpreter<EthInterpreter>, _context: &mut CTX) {
        let pc = interp.bytecode.pc();
        match interp.bytecode.opcode() {
            opcode::JUMPI => self.on_jumpi(interp, pc),
            opcode::SLOAD => self.on_sload(interp),
            opcode::EQ | opcode::LT | opcode::GT | opcode::SLT | opcode::SGT => {
                self.on_cmp(interp, pc)
            }
            _ => {}
        }
    }
}

/// What watches a committed call, and how the call runs under it.
pub trait Watcher {
    /// Sends `from`'s call of `to` on `chain` watched by `self`, and commits it.
    fn call(
        &mut self,
        chain: &mut Chain,
        from: Address,
        to: Address,
        data: Bytes,
        value: U256,
    ) -> Result<ChainOutcome, EvmError>;
}

/// Coverage runs on the plain interpreter loop ([`Chain::call_covered`]).
impl Watcher for CoverageInspector {
    fn call(
        &mut self,
        chain: &mut Chain,
        from: Address,
        to: Address,
        data: Bytes,
        value: U256,
    ) -> Result<ChainOutcome, EvmError> {
        chain.call_covered(from, to, data, value, self)
    }
}

/// Every instruction counts: the inspecting handler ([`Chain::call_inspected`]).
impl Watcher for PcTracer {
    fn call(
        &mut self,
        chain: &mut Chain,
        from: Address,
        to: Address,
        data: Bytes,
        value: U256,
    ) -> Result<ChainOutcome, EvmError> {
        chain.call_inspected(from, to, data, value, self)
    }
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
