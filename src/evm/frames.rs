//! revm's frame loop with a hook at each frame's start and end: the one place the sub-call memo
//! ([`memo`](super::memo)) and the step's coverage frames (`cover`) watch frames without an inspector.

use std::marker::PhantomData;

use revm::context::result::HaltReason;
use revm::context_interface::{ContextTr, JournalTr};
use revm::handler::{EthFrame, EvmTr, EvmTrError, FrameResult, Handler, ItemOrResult};
use revm::interpreter::interpreter_action::FrameInit;
use revm::state::EvmState;

/// What a hook decides for a frame about to start.
pub(super) enum Start<S> {
    /// Run it; its end gets this.
    Run(S),
    /// Do not run it: this is its result.
    Answered(FrameResult),
}

/// What watches the frames of a transaction.
pub(super) trait FrameHooks {
    /// What a frame's start hands to its end.
    type Started;
    /// A frame is about to start with `init` (the transaction's own call included).
    fn start<CTX: ContextTr>(&mut self, ctx: &CTX, init: &FrameInit) -> Start<Self::Started>;
    /// A frame whose start gave `started` returned `result` (also one that returned at once: a precompile, no code).
    fn end(&mut self, started: Self::Started, result: &FrameResult);
}

/// revm's mainnet handler, with `hooks` called as each frame starts and ends.
pub(super) struct HookedHandler<'h, H, EVM, ERROR> {
    hooks: &'h mut H,
    _types: PhantomData<fn() -> (EVM, ERROR)>,
}

impl<'h, H, EVM, ERROR> HookedHandler<'h, H, EVM, ERROR> {
    pub(super) fn new(hooks: &'h mut H) -> Self {
        HookedHandler {
            hooks,
            _types: PhantomData,
        }
    }
}

impl<H, EVM, ERROR> Handler for HookedHandler<'_, H, EVM, ERROR>
where
    H: FrameHooks,
    EVM: EvmTr<Context: ContextTr<Journal: JournalTr<State = EvmState>>, Frame = EthFrame>,
    ERROR: EvmTrError<EVM>,
{
    type Evm = EVM;
    type Error = ERROR;
    type HaltReason = HaltReason;

    /// revm's loop ([`Handler::run_exec_loop`]), with the hooks around every frame.
    fn run_exec_loop(
        &mut self,
        evm: &mut Self::Evm,
        first_frame_input: FrameInit,
    ) -> Result<FrameResult, Self::Error> {
        // What each running frame's start gave, innermost last.
        let mut running: Vec<H::Started> = Vec::with_capacity(8);
        let mut next = Some(first_frame_input);
        loop {
            let result = match next.take() {
                Some(init) => {
                    let result = match self.hooks.start(evm.ctx(), &init) {
                        Start::Answered(answered) => answered,
                        Start::Run(started) => match evm.frame_init(init)? {
                            ItemOrResult::Item(_) => {
                                running.push(started);
                                continue;
                            }
                            ItemOrResult::Result(result) => {
                                self.hooks.end(started, &result);
                                result
                            }
                        },
                    };
                    if running.is_empty() {
                        // The transaction's own call, answered or returned at once: no frame to return it to.
                        return Ok(result);
                    }
                    result
                }
                None => match evm.frame_run()? {
                    ItemOrResult::Item(init) => {
                        next = Some(init);
                        continue;
                    }
                    ItemOrResult::Result(result) => {
                        if let Some(started) = running.pop() {
                            self.hooks.end(started, &result);
                        }
                        result
                    }
                },
            };
            if let Some(result) = evm.frame_return_result(result)? {
                return Ok(result);
            }
        }
    }
}
