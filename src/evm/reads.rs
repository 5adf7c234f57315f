//! Recorded views: an `eth_call` together with everything its result depended on, so that the result can be
//! reused until one of those inputs changes (issue 15's incremental observation).
//!
//! A view's inputs are read through two channels, and both are recorded:
//! - the database: every storage slot and every account the execution loaded ([`RecordingDb`]);
//! - the environment: `BALANCE`/`SELFBALANCE` (the balance of one account), `NUMBER`/`TIMESTAMP`/`BLOCKHASH`
//!   (the block), seen by a small inspector ([`ReadInspector`]). An account load alone depends only on the
//!   account's code: the balance it also carries matters only to the two balance opcodes.
//!
//! What cannot be described that way (a value transfer, a creation, `EXTCODEHASH`, which tells an empty account
//! from a missing one) makes the view [volatile](ReadSet::volatile): never reused.

use std::cell::{Cell, RefCell};

use alloy_primitives::{Address, B256, U256};
use revm::bytecode::opcode;
use revm::context_interface::ContextTr;
use revm::database::AccountState;
use revm::database_interface::DatabaseRef;
use revm::interpreter::interpreter::EthInterpreter;
use revm::interpreter::interpreter_types::Jumps;
use revm::interpreter::{CallInputs, CallOutcome, CreateInputs, CreateOutcome, Interpreter};
use revm::state::{AccountInfo, Bytecode};
use revm::Inspector;

use super::ChainDb;

/// One input of a view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReadKey {
    /// A storage slot of an account.
    Slot(Address, U256),
    /// An account's balance (read by `BALANCE` or `SELFBALANCE`).
    Balance(Address),
    /// An account's code (its code hash; zero for an account that does not exist).
    Code(Address),
}

impl ReadKey {
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

    /// The reads recorded, merged with what the inspector saw.
    pub(super) fn finish(self, inspector: ReadInspector) -> ReadSet {
        let mut keys = self.keys.into_inner();
        keys.extend(inspector.balances.into_iter().map(ReadKey::Balance));
        ReadSet {
            keys,
            block: self.block.get() || inspector.block,
            volatile: inspector.volatile,
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

/// Sees the inputs of a view that do not go through the database.
#[derive(Debug, Default)]
pub(super) struct ReadInspector {
    balances: Vec<Address>,
    block: bool,
    volatile: bool,
}

impl<CTX: ContextTr> Inspector<CTX, EthInterpreter> for ReadInspector {
    fn step(&mut self, interp: &mut Interpreter<EthInterpreter>, _context: &mut CTX) {
        match interp.bytecode.opcode() {
            opcode::BALANCE => {
                if let Some(who) = interp.stack.data().last() {
                    self.balances
                        .push(Address::from_word(B256::from(who.to_be_bytes::<32>())));
                }
            }
            opcode::SELFBALANCE => self.balances.push(interp.input.target_address),
            opcode::NUMBER | opcode::TIMESTAMP | opcode::BLOCKHASH => self.block = true,
            opcode::EXTCODEHASH | opcode::SELFDESTRUCT => self.volatile = true,
            _ => {}
        }
    }

    fn call(&mut self, _context: &mut CTX, inputs: &mut CallInputs) -> Option<CallOutcome> {
        if inputs.transfers_value() {
            self.volatile = true;
        }
        None
    }

    fn create(&mut self, _context: &mut CTX, _inputs: &mut CreateInputs) -> Option<CreateOutcome> {
        self.volatile = true;
        None
    }
}
