//! Coverage without an inspector: a [`CoverageInspector`] fed by wrapped instructions and a frame-recording
//! handler, so the step runs on revm's plain interpreter loop ([`Chain::call_covered`](super::Chain::call_covered)).
//!
//! Under revm's inspecting handler every instruction of every frame goes through the inspector's `step` hook, which
//! for coverage only cares about seven opcodes. Here only those seven (`JUMPI`, `SLOAD`, `EQ`, `LT`, `GT`, `SLT`,
//! `SGT`) are wrapped: each hands the interpreter to the inspector's own hook
//! ([`CoverageInspector::on_jumpi`] and the others, which its `step` calls too), then runs the mainnet instruction.
//! The call frames its `call_end` records are recorded by [`RecordingFrames`] as they return. What the inspector
//! collects is the same either way (a test compares them on the suite's calls).

use std::cell::RefCell;

use revm::bytecode::opcode;
use revm::context_interface::ContextTr;
use revm::handler::instructions::EthInstructions;
use revm::handler::FrameResult;
use revm::interpreter::instructions::{bitwise, control, host};
use revm::interpreter::interpreter::EthInterpreter;
use revm::interpreter::interpreter_action::FrameInit;
use revm::interpreter::interpreter_types::Jumps;
use revm::interpreter::{FrameInput, Host, Instruction, InstructionContext, InstructionExecResult};
use revm::primitives::hardfork::SpecId;

use super::frames::{FrameHooks, Start};
use super::inspect::{selector, CoverageInspector};

thread_local! {
    /// The inspector of the call running on this thread under [`with_coverage`].
    static COVERAGE: RefCell<Option<CoverageInspector>> = const { RefCell::new(None) };
}

/// Runs `call` with `coverage` fed by the wrapped instructions of [`coverage_instructions`] on this thread.
pub(super) fn with_coverage<T>(coverage: &mut CoverageInspector, call: impl FnOnce() -> T) -> T {
    COVERAGE.with_borrow_mut(|slot| *slot = Some(std::mem::take(coverage)));
    let out = call();
    if let Some(fed) = COVERAGE.with_borrow_mut(Option::take) {
        *coverage = fed;
    }
    out
}

/// Hands the running call's inspector to `hook`.
#[inline]
fn feed(hook: impl FnOnce(&mut CoverageInspector)) {
    COVERAGE.with_borrow_mut(|slot| {
        if let Some(coverage) = slot.as_mut() {
            hook(coverage);
        }
    });
}

type Ictx<'a, H> = InstructionContext<'a, H, EthInterpreter>;

/// The pc of the instruction running: the interpreter steps past an opcode before it runs it.
#[inline]
fn running_pc<H: ?Sized>(ctx: &Ictx<'_, H>) -> usize {
    ctx.interpreter.bytecode.pc() - 1
}

fn jumpi<H: Host + ?Sized>(ctx: Ictx<'_, H>) -> InstructionExecResult {
    let pc = running_pc(&ctx);
    feed(|c| c.on_jumpi(ctx.interpreter, pc));
    control::jumpi(ctx)
}

fn sload<H: Host + ?Sized>(ctx: Ictx<'_, H>) -> InstructionExecResult {
    feed(|c| c.on_sload(ctx.interpreter));
    host::sload(ctx)
}

/// Wrappers that hand a comparison's operands to the inspector, then run the mainnet instruction.
macro_rules! comparing {
    ($($name:ident;)*) => {$(
        fn $name<H: Host + ?Sized>(ctx: Ictx<'_, H>) -> InstructionExecResult {
            let pc = running_pc(&ctx);
            feed(|c| c.on_cmp(ctx.interpreter, pc));
            bitwise::$name(ctx)
        }
    )*};
}

comparing! {
    eq;
    lt;
    gt;
    slt;
    sgt;
}

/// The mainnet instructions, with the seven that coverage watches wrapped to feed the running call's inspector.
pub(super) fn coverage_instructions<H: Host>(spec: SpecId) -> EthInstructions<EthInterpreter, H> {
    let mut instructions = EthInstructions::new_mainnet_with_spec(spec);
    let table = instructions.instruction_table_mut();
    table[opcode::JUMPI as usize] = Instruction::new(jumpi);
    table[opcode::SLOAD as usize] = Instruction::new(sload);
    table[opcode::EQ as usize] = Instruction::new(eq);
    table[opcode::LT as usize] = Instruction::new(lt);
    table[opcode::GT as usize] = Instruction::new(gt);
    table[opcode::SLT as usize] = Instruction::new(slt);
    table[opcode::SGT as usize] = Instruction::new(sgt);
    instructions
}

/// What a call frame is, for the record made when it returns.
type FrameName = Option<(alloy_primitives::Address, Option<[u8; 4]>)>;

/// The name of the frame `init` starts (`None` for a creation, which the inspector does not record either).
fn frame_name<CTX: ContextTr>(ctx: &CTX, init: &FrameInit) -> FrameName {
    match &init.frame_input {
        FrameInput::Call(inputs) => Some((inputs.target_address, selector(&inputs.input, ctx))),
        _ => None,
    }
}

/// The [`FrameHooks`] that record every call frame in the running call's inspector as it returns (what the
/// inspector's `call_end` does under the inspecting handler).
pub(super) struct RecordingFrames;

impl FrameHooks for RecordingFrames {
    type Started = FrameName;

    fn start<CTX: ContextTr>(&mut self, ctx: &CTX, init: &FrameInit) -> Start<FrameName> {
        Start::Run(frame_name(ctx, init))
    }

    fn end(&mut self, started: FrameName, result: &FrameResult) {
        if let (Some((target, selector)), FrameResult::Call(outcome)) = (started, result) {
            feed(|c| c.on_call_end(target, selector, outcome.result.is_ok()));
        }
    }
}
