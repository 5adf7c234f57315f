//! Sub-call memo: inside a recorded view, a `STATICCALL` whose result is already known for the inputs it read is
//! answered without running it.
//!
//! A pool's share price calls the operator's fee rates, the rewards vault's precharge and the operator's BGT
//! accrual, each through a proxy; every preview and conversion pays for all of them again. Those calls change far
//! less often than the pool's own books, so the observation keeps each static sub-call's result with the inputs it
//! read ([`CallMemo`], implemented by the observer's view cache), and `Memoizing`, hooked into revm's frame loop,
//! serves it while they hold.
//!
//! What a frame read is recorded by the wrapped instructions of [`recording_instructions`](super::reads), whatever
//! the journal already held: every `SLOAD`, balance and code read, the code of every called account, and whether the
//! block or something that cannot be described ([`ReadSet::volatile`](super::ReadSet::volatile)) was read. A
//! volatile frame is never kept, and once the view changed state (a write, a value transfer) no later call is
//! served or kept: it sees what the chain does not hold. A served call's inputs count as read by every frame around
//! it and by the view.
//!
//! Assumed, as for whole views: a view's result does not depend on the gas it is given (the EVM passes a sub-call
//! 63/64 of what is left, which differs from one caller to the next).

use alloy_primitives::{Address, Bytes};
use revm::context_interface::ContextTr;
use revm::handler::FrameResult;
use revm::interpreter::interpreter_action::FrameInit;
use revm::interpreter::{
    CallOutcome, CallScheme, FrameInput, Gas, InstructionResult, InterpreterResult,
};

use super::frames::{FrameHooks, Start};
use super::reads::{EnvReads, FrameMark};
use super::ReadKey;

/// A static sub-call: who called, which account, with what calldata. Its value is zero and it cannot write.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SubCall {
    /// `msg.sender` of the call.
    pub caller: Address,
    /// The called account.
    pub target: Address,
    /// The calldata.
    pub input: Bytes,
}

/// What a static sub-call returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubCallResult {
    /// Returned (`true`) or reverted (`false`); a call that halted is never kept.
    pub success: bool,
    /// Its return or revert data.
    pub output: Bytes,
    /// The gas it spent.
    pub gas_spent: u64,
}

/// A kept sub-call result still valid on the chain being viewed, with what it read.
#[derive(Debug)]
pub struct MemoHit<'a> {
    /// The result.
    pub result: &'a SubCallResult,
    /// The inputs it read.
    pub reads: &'a [ReadKey],
    /// Whether it read the block.
    pub block: bool,
}

/// Where the view's sub-calls are kept and found. One memo serves views sent by one account (their `tx.origin`,
/// which a sub-call may read), on one chain's block environment but for the block number and time.
pub trait CallMemo {
    /// The kept result of `call`, if none of the inputs it read changed since it was kept.
    fn lookup(&mut self, call: &SubCall) -> Option<MemoHit<'_>>;
    /// Keeps `result` of `call`, which read `reads` (and the block, when `block`).
    fn store(&mut self, call: SubCall, result: SubCallResult, reads: &[ReadKey], block: bool);
}

/// A static call running, and where its reads begin.
pub(super) struct Pending {
    call: SubCall,
    mark: FrameMark,
}

/// The [`FrameHooks`] that answer static sub-calls from a [`CallMemo`] and keep the ones that ran. Must run with
/// [`recording_instructions`](super::reads) inside [`EnvReads::record`].
pub(super) struct Memoizing<'m> {
    pub(super) memo: &'m mut dyn CallMemo,
}

/// The memo key of a frame about to start: static calls only.
fn static_call<CTX: ContextTr>(ctx: &CTX, init: &FrameInit) -> Option<SubCall> {
    match &init.frame_input {
        FrameInput::Call(inputs) if inputs.scheme == CallScheme::StaticCall => Some(SubCall {
            caller: inputs.caller,
            target: inputs.target_address,
            input: inputs.input.bytes(ctx),
        }),
        _ => None,
    }
}

impl Memoizing<'_> {
    /// The kept result of `call`, as the result of the frame `init` would start.
    fn serve(&mut self, call: &SubCall, init: &FrameInit) -> Option<FrameResult> {
        let FrameInput::Call(inputs) = &init.frame_input else {
            return None;
        };
        let hit = self.memo.lookup(call)?;
        let mut gas = Gas::new_with_regular_gas_and_reservoir(inputs.gas_limit, inputs.reservoir);
        if !gas.record_regular_cost(hit.result.gas_spent) {
            return None;
        }
        EnvReads::served(hit.reads, hit.block);
        Some(FrameResult::Call(CallOutcome::new(
            InterpreterResult {
                result: if hit.result.success {
                    InstructionResult::Return
                } else {
                    InstructionResult::Revert
                },
                output: hit.result.output.clone(),
                gas,
            },
            inputs.return_memory_offset.clone(),
        )))
    }
}

impl FrameHooks for Memoizing<'_> {
    type Started = Option<Pending>;

    fn start<CTX: ContextTr>(&mut self, ctx: &CTX, init: &FrameInit) -> Start<Option<Pending>> {
        let FrameInput::Call(inputs) = &init.frame_input else {
            return Start::Run(None);
        };
        // The called code decides the result, also when there is none.
        let Some(mark) = EnvReads::frame_start(inputs.target_address, inputs.bytecode_address)
        else {
            // The view changed state: a static call now sees what the chain does not hold.
            return Start::Run(None);
        };
        match static_call(ctx, init) {
            Some(call) => match self.serve(&call, init) {
                Some(served) => Start::Answered(served),
                None => Start::Run(Some(Pending { call, mark })),
            },
            None => Start::Run(None),
        }
    }

    /// Keeps what a static call returned, unless it halted or read something volatile.
    fn end(&mut self, started: Option<Pending>, result: &FrameResult) {
        let (Some(pending), FrameResult::Call(outcome)) = (started, result) else {
            return;
        };
        let code = outcome.result.result;
        if !(code.is_ok() || code.is_revert()) {
            return;
        }
        let Some((reads, block)) = EnvReads::since(&pending.mark) else {
            return;
        };
        self.memo.store(
            pending.call,
            SubCallResult {
                success: code.is_ok(),
                output: outcome.result.output.clone(),
                gas_spent: outcome.result.gas.total_gas_spent(),
            },
            &reads,
            block,
        );
    }
}
