//! Recorded views: an `eth_call` together with everything its result depended on, so that the result can be
//! reused until one of those inputs changes (issue 15's incremental observation).
//!
//! A view's inputs are read through two channels, and both are recorded:
//! - the database: every storage slot and every account the execution loaded ([`RecordingDb`]);
//! - the environment: `BALANCE`/`SELFBALANCE` (the balance of one account), `NUMBER`/`TIMESTAMP`/`BLOCKHASH`
//!   (the block), seen by wrapped instructions ([`recording_instructions`], [`EnvReads`]). An account load alone
//!   depends only on the account's code: the balance it also carries matters only to the two balance opcodes.
//!
//! Inside a view, the wrapped instructions also keep a trail of what each frame read, for the sub-calls kept in a
//! [memo](super::memo); the inputs of a sub-call served from it count as read by the view.
//!
//! What cannot be described that way (a value transfer, a creation, `EXTCODEHASH`, which tells an empty account
//! from a missing one) makes the view [volatile](ReadSet::volatile): never reused.

use std::cell::{Cell, RefCell};

use alloy_primitives::{Address, B256, U256};
use revm::bytecode::opcode;
use revm::database::AccountState;
use revm::database_interface::DatabaseRef;
use revm::handler::instructions::EthInstructions;
use revm::interpreter::instructions::{block_info, contract, host};
use revm::interpreter::interpreter::EthInterpreter;
use revm::interpreter::{Host, Instruction, InstructionContext, InstructionExecResult};
use revm::primitives::hardfork::SpecId;
use revm::state::{AccountInfo, Bytecode};

use super::ChainDb;

/// One input of a view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReadKey {
    /// A storage slot of an account.
    Slot(Address, U256),
    /// An account's balance (read by `BALANCE` or `SELFBALANCE`).
    Balance(Address),
    /// An account's code (its code hash; zero for an account that does not exist).
    Code(Address),
}

impl ReadKey {
    /// The account it belongs to.
    pub fn address(&self) -> Address {
        match *self {
            ReadKey::Slot(who, _) | ReadKey::Balance(who) | ReadKey::Code(who) => who,
        }
    }

    /// The current value of this input in `db`, as a word.
    pub fn value(&self, db: &ChainDb) -> U256 {
        match *self {
            ReadKey::Slot(who, slot) => match db.storage_ref(who, slot) {
                Ok(v) => v,
                Err(never) => match never {},
            },
            ReadKey::Balance(who) => existing(db, who).map_or(U256::ZERO, |a| a.balance),
            ReadKey::Code(who) => existing(db, who).map_or(U256::ZERO, |a| a.code_hash.into()),
        }
    }
}

/// The account's info as the EVM sees it (`None` for an account that does not exist), without cloning it.
fn existing(db: &ChainDb, who: Address) -> Option<&AccountInfo> {
    db.cache
        .accounts
        .get(&who)
        .filter(|a| a.account_state != AccountState::NotExisting)
        .map(|a| &a.info)
}

/// Everything one view read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadSet {
    /// The storage slots, balances and codes it read (possibly with repeats).
    pub keys: Vec<ReadKey>,
    /// Whether it read the block number, timestamp or a block hash.
    pub block: bool,
    /// Whether its result may depend on something [`ReadKey`] cannot describe; such a view is never reused.
    pub volatile: bool,
}

/// A [`DatabaseRef`] over the chain's database that records every slot and account loaded through it.
pub(super) struct RecordingDb<'a> {
    db: &'a ChainDb,
    keys: RefCell<Vec<ReadKey>>,
    block: Cell<bool>,
}

impl<'a> RecordingDb<'a> {
    pub(super) fn new(db: &'a ChainDb) -> Self {
        RecordingDb {
            db,
            keys: RefCell::new(Vec::with_capacity(32)),
            block: Cell::new(false),
        }
    }

    /// The reads recorded, merged with what the wrapped instructions saw.
    pub(super) fn finish(self, env: EnvReads) -> ReadSet {
        let mut keys = self.keys.into_inner();
        keys.extend(env.balances.into_iter().map(ReadKey::Balance));
        keys.extend(env.served);
        ReadSet {
            keys,
            block: self.block.get() || env.block,
            volatile: env.volatile,
        }
    }
}

impl DatabaseRef for RecordingDb<'_> {
    type Error = <ChainDb as DatabaseRef>::Error;

    fn basic_ref(&self, address: Address) -> Result<Option<AccountInfo>, Self::Error> {
        self.keys.borrow_mut().push(ReadKey::Code(address));
        self.db.basic_ref(address)
    }

    fn code_by_hash_ref(&self, code_hash: B256) -> Result<Bytecode, Self::Error> {
        // Content-addressed: the hash itself is recorded by `basic_ref`.
        self.db.code_by_hash_ref(code_hash)
    }

    fn storage_ref(&self, address: Address, index: U256) -> Result<U256, Self::Error> {
        self.keys.borrow_mut().push(ReadKey::Slot(address, index));
        self.db.storage_ref(address, index)
    }

    fn block_hash_ref(&self, number: u64) -> Result<B256, Self::Error> {
        self.block.set(true);
        self.db.block_hash_ref(number)
    }
}

/// What a view read outside the database: balances (`BALANCE`, `SELFBALANCE`), the block (`NUMBER`, `TIMESTAMP`,
/// `BLOCKHASH`), and whether it did something that makes it volatile. Filled by the wrapped instructions of
/// [`recording_instructions`] on the thread running the view.
///
/// For the frames of the view (see [`memo`](super::memo)) it also keeps a trail of every input an instruction read,
/// in order, whatever the journal already held, and counts the block and volatile reads: a frame's inputs are the
/// trail from where it began.
#[derive(Debug, Default)]
pub(super) struct EnvReads {
    balances: Vec<Address>,
    block: bool,
    volatile: bool,
    /// Every slot, balance and code read by an instruction, and the inputs of sub-calls served from the memo.
    trail: Vec<ReadKey>,
    block_reads: u32,
    volatile_reads: u32,
    /// The inputs of sub-calls served from the memo, which the database never saw.
    served: Vec<ReadKey>,
    /// Whether the view changed state (a write, a value transfer, a creation, a self-destruct): its later sub-calls
    /// see what the chain does not hold, so none is served or kept.
    changed_state: bool,
}

/// Where a frame began in the [`EnvReads`] of its view.
#[derive(Debug, Clone, Copy)]
pub(super) struct FrameMark {
    trail: usize,
    block_reads: u32,
    volatile_reads: u32,
}

thread_local! {
    /// The [`EnvReads`] of the view running on this thread. Views do not nest, so one slot per thread suffices;
    /// [`EnvReads::record`] empties it before and after each view.
    static ENV_READS: RefCell<EnvReads> = RefCell::new(EnvReads::default());
}

impl EnvReads {
    /// Runs `view` (which must use [`recording_instructions`]) and returns its result with what it read outside the
    /// database.
    pub(super) fn record<T>(view: impl FnOnce() -> T) -> (T, EnvReads) {
        ENV_READS.with_borrow_mut(|reads| {
            reads.trail.clear();
            reads.block_reads = 0;
            reads.volatile_reads = 0;
            reads.changed_state = false;
        });
        let out = view();
        // What the view's record needs; the trail stays behind, its allocation kept for the next view.
        let reads = ENV_READS.with_borrow_mut(|r| EnvReads {
            balances: std::mem::take(&mut r.balances),
            block: std::mem::take(&mut r.block),
            volatile: std::mem::take(&mut r.volatile),
            served: std::mem::take(&mut r.served),
            ..EnvReads::default()
        });
        (out, reads)
    }

    /// Notes that a call frame of `target` running `code` starts (their code decides its result), and returns where
    /// its reads begin; `None` once the view changed state.
    pub(super) fn frame_start(target: Address, code: Address) -> Option<FrameMark> {
        ENV_READS.with_borrow_mut(|r| {
            r.trail.push(ReadKey::Code(target));
            r.trail.push(ReadKey::Code(code));
            (!r.changed_state).then_some(FrameMark {
                trail: r.trail.len() - 2,
                block_reads: r.block_reads,
                volatile_reads: r.volatile_reads,
            })
        })
    }

    /// The inputs read since `mark`, and whether the block was among them; `None` when something volatile was.
    pub(super) fn since(mark: &FrameMark) -> Option<(Vec<ReadKey>, bool)> {
        ENV_READS.with_borrow(|r| {
            (r.volatile_reads == mark.volatile_reads).then(|| {
                let mut keys = r.trail[mark.trail..].to_vec();
                keys.sort_unstable();
                keys.dedup();
                (keys, r.block_reads != mark.block_reads)
            })
        })
    }

    /// Notes the inputs of a sub-call answered from the memo: read by every frame around it, and by the view.
    pub(super) fn served(reads: &[ReadKey], block: bool) {
        note(|r| {
            r.trail.extend_from_slice(reads);
            r.served.extend_from_slice(reads);
            if block {
                r.block = true;
                r.block_reads += 1;
            }
        });
    }

    fn read_block(&mut self) {
        self.block = true;
        self.block_reads += 1;
    }

    fn read_volatile(&mut self) {
        self.volatile = true;
        self.volatile_reads += 1;
    }

    /// Notes a change of state that makes the view volatile too (a value transfer, a creation, a self-destruct).
    fn change_volatile(&mut self) {
        self.read_volatile();
        self.changed_state = true;
    }
}

fn note(f: impl FnOnce(&mut EnvReads)) {
    ENV_READS.with_borrow_mut(f);
}

type Ictx<'a, H> = InstructionContext<'a, H, EthInterpreter>;

/// The address on top of the stack (the operand of `BALANCE`, `EXTCODESIZE`, `EXTCODECOPY`).
fn address_on_top<H: Host + ?Sized>(ctx: &Ictx<'_, H>) -> Option<Address> {
    let top = ctx.interpreter.stack.data().last()?;
    Some(Address::from_word(B256::from(top.to_be_bytes::<32>())))
}

fn balance<H: Host + ?Sized>(ctx: Ictx<'_, H>) -> InstructionExecResult {
    if let Some(who) = address_on_top(&ctx) {
        note(|r| {
            r.balances.push(who);
            r.trail.push(ReadKey::Balance(who));
        });
    }
    host::balance(ctx)
}

fn selfbalance<H: Host + ?Sized>(ctx: Ictx<'_, H>) -> InstructionExecResult {
    let who = ctx.interpreter.input.target_address;
    note(|r| {
        r.balances.push(who);
        r.trail.push(ReadKey::Balance(who));
    });
    host::selfbalance(ctx)
}

/// `SLOAD`: the database records the slot for the view; the trail records it for the frame.
fn sload<H: Host + ?Sized>(ctx: Ictx<'_, H>) -> InstructionExecResult {
    if let Some(slot) = ctx.interpreter.stack.data().last() {
        let key = ReadKey::Slot(ctx.interpreter.input.target_address, *slot);
        note(|r| r.trail.push(key));
    }
    host::sload(ctx)
}

/// Wrappers that note the code of the account on top of the stack, then run the mainnet instruction.
macro_rules! reading_code {
    ($($name:ident, then $original:path;)*) => {$(
        fn $name<H: Host + ?Sized>(ctx: Ictx<'_, H>) -> InstructionExecResult {
            if let Some(who) = address_on_top(&ctx) {
                note(|r| r.trail.push(ReadKey::Code(who)));
            }
            $original(ctx)
        }
    )*};
}

reading_code! {
    extcodesize, then host::extcodesize;
    extcodecopy, then host::extcodecopy;
}

/// Wrappers that note a read of the block, or of something volatile, then run the mainnet instruction.
macro_rules! flagging {
    ($($name:ident reads $what:ident, then $original:path;)*) => {$(
        fn $name<H: Host + ?Sized>(ctx: Ictx<'_, H>) -> InstructionExecResult {
            note(EnvReads::$what);
            $original(ctx)
        }
    )*};
}

flagging! {
    number reads read_block, then block_info::block_number;
    timestamp reads read_block, then block_info::timestamp;
    blockhash reads read_block, then host::blockhash;
    extcodehash reads read_volatile, then host::extcodehash;
    selfdestruct reads change_volatile, then host::selfdestruct;
}

/// Wrappers that note a change of state that only the view's own later frames can see (storage, transient storage),
/// then run the mainnet instruction.
macro_rules! writing {
    ($($name:ident, then $original:path;)*) => {$(
        fn $name<H: Host + ?Sized>(ctx: Ictx<'_, H>) -> InstructionExecResult {
            note(|r| r.changed_state = true);
            $original(ctx)
        }
    )*};
}

writing! {
    sstore, then host::sstore;
    tstore, then host::tstore;
}

/// `TLOAD`: a view starts with empty transient storage, but a frame inside it may read what its caller stored, so a
/// frame that loads transient storage is not kept (the view still is).
fn tload<H: Host + ?Sized>(ctx: Ictx<'_, H>) -> InstructionExecResult {
    note(|r| r.volatile_reads += 1);
    host::tload(ctx)
}

fn create<const IS_CREATE2: bool, H: Host + ?Sized>(ctx: Ictx<'_, H>) -> InstructionExecResult {
    note(EnvReads::change_volatile);
    contract::create::<IS_CREATE2, _, _>(ctx)
}

/// `CALL` or `CALLCODE`: volatile when it sends value (the third word on the stack).
fn call_with_value<const KIND: u8, H: Host + ?Sized>(ctx: Ictx<'_, H>) -> InstructionExecResult {
    let data = ctx.interpreter.stack.data();
    if data.len() >= 3 && !data[data.len() - 3].is_zero() {
        note(EnvReads::change_volatile);
    }
    contract::call::<KIND, _, _>(ctx)
}

/// The mainnet instructions, with the ones that read a view's inputs outside the database wrapped to note them
/// in [`EnvReads`]. A wrapper costs one thread-local access on these few opcodes only, where an inspector's step
/// hook ran on every instruction of every view (and kept the interpreter off its fast loop).
pub(super) fn recording_instructions<H: Host>(spec: SpecId) -> EthInstructions<EthInterpreter, H> {
    let mut instructions = EthInstructions::new_mainnet_with_spec(spec);
    let table = instructions.instruction_table_mut();
    table[opcode::BALANCE as usize] = Instruction::new(balance);
    table[opcode::SELFBALANCE as usize] = Instruction::new(selfbalance);
    table[opcode::SLOAD as usize] = Instruction::new(sload);
    table[opcode::TLOAD as usize] = Instruction::new(tload);
    table[opcode::SSTORE as usize] = Instruction::new(sstore);
    table[opcode::TSTORE as usize] = Instruction::new(tstore);
    table[opcode::EXTCODESIZE as usize] = Instruction::new(extcodesize);
    table[opcode::EXTCODECOPY as usize] = Instruction::new(extcodecopy);
    table[opcode::NUMBER as usize] = Instruction::new(number);
    table[opcode::TIMESTAMP as usize] = Instruction::new(timestamp);
    table[opcode::BLOCKHASH as usize] = Instruction::new(blockhash);
    table[opcode::EXTCODEHASH as usize] = Instruction::new(extcodehash);
    table[opcode::SELFDESTRUCT as usize] = Instruction::new(selfdestruct);
    table[opcode::CREATE as usize] = Instruction::new(create::<false, _>);
    table[opcode::CREATE2 as usize] = Instruction::new(create::<true, _>);
    table[opcode::CALL as usize] = Instruction::new(call_with_value::<{ opcode::CALL }, _>);
    table[opcode::CALLCODE as usize] = Instruction::new(call_with_value::<{ opcode::CALLCODE }, _>);
    instructions
}
