//! The execute stage: runs one [`Action`] on the [`World`] (roll, then the call), optionally under the
//! coverage inspector, and records what was sent and how it ended as a [`StepRecord`]. The call's raw logs
//! come back with it ([`Executed::logs`]); decoding them into events is the observe stage's job
//! (`Observer::step_record`), a later stage this one does not import.

use alloy_primitives::{Address, Bytes, Log, U256};
use alloy_sol_types::SolCall;
use poolguard_invariants::StepRecord;

use crate::actions::{Action, Planned};
use crate::bindings::IContractActor;
use crate::evm::{CallOutcome, CoverageInspector, EvmError, Watcher};
use crate::world::{Views, World};

/// One executed action.
#[derive(Debug, Clone)]
pub struct Executed {
    /// The transaction that was sent.
    pub planned: Planned,
    /// revm's outcome; `None` for a plain roll or a transaction revm rejected.
    pub outcome: Option<CallOutcome>,
    /// What was recorded for the invariants; its `events` are left empty (the observe stage decodes them from
    /// [`Executed::logs`]).
    pub record: StepRecord,
}

impl Executed {
    /// The raw logs the call emitted: none for a plain roll or a rejected transaction.
    pub fn logs(&self) -> &[Log] {
        self.outcome.as_ref().map_or(&[], |outcome| &outcome.logs)
    }
}

/// Sends `action` as one transaction: rolls its blocks, plans it on the current state (its views answered by
/// `views`, which must answer as the chain does) and calls (under `inspector` when given; a contract actor's call
/// through its `exec`). Returns the plan and revm's result; `None` for a plain roll. Everything that replays
/// actions (the execute stage, coverage, reproducers) goes through here.
pub fn send<W: Watcher>(
    world: &mut World,
    views: &dyn Views,
    action: &Action,
    inspector: Option<&mut W>,
) -> (Planned, Option<Result<CallOutcome, EvmError>>) {
    world.chain.roll(u64::from(action.roll));
    let planned = action.plan(world, views);
    world.chain.roll(planned.wait);
    let Some(to) = planned.to else {
        return (planned, None);
    };
    let Wire {
        from,
        to,
        data,
        value,
    } = wire(world, &planned, to);
    let result = match inspector {
        Some(inspector) => inspector.call(&mut world.chain, from, to, data, value),
        None => world.chain.call(from, to, data, value),
    };
    (planned, Some(result))
}

/// A transaction as the chain receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wire {
    /// The signing account.
    pub from: Address,
    /// The callee.
    pub to: Address,
    /// Calldata.
    pub data: Bytes,
    /// BERA sent by `from`.
    pub value: U256,
}

/// The transaction that carries `planned` (whose callee is `to`): the planned call itself, or, from a contract
/// actor, a call of its `exec` signed by the plan's origin or else
/// [`Actors::contract_origin`](crate::world::Actors::contract_origin), which makes the call with the contract's
/// own BERA; the suite sees the contract as `msg.sender` and the signer as `tx.origin`, and a revert comes back
/// unchanged.
pub fn wire(world: &World, planned: &Planned, to: Address) -> Wire {
    if !world.actors.is_contract(planned.from) {
        return Wire {
            from: planned.from,
            to,
            data: planned.data.clone(),
            value: planned.value,
        };
    }
    let exec = IContractActor::execCall {
        to,
        data: planned.data.clone(),
        value: planned.value,
    };
    Wire {
        from: planned.origin.unwrap_or(world.actors.contract_origin),
        to: planned.from,
        data: exec.abi_encode().into(),
        value: U256::ZERO,
    }
}

/// Runs `action` as step `index`, planned with `views` (see [`send`]). With `coverage`, the call runs under the
/// inspector, whose edges and comparison operands accumulate there.
pub fn execute(
    world: &mut World,
    views: &dyn Views,
    action: &Action,
    index: usize,
    coverage: Option<&mut CoverageInspector>,
) -> Executed {
    let (planned, result) = send(world, views, action, coverage);
    let mut record = StepRecord {
        index,
        op: action.op.name().to_string(),
        system: action.op.is_system(),
        caller: planned.from,
        pool: planned.pool,
        privilege: planned.privilege,
        role_op: planned.to.and_then(|to| world.role_op(to, &planned.data)),
        success: true,
        revert: None,
        events: Default::default(),
        target: None,
        entry: None,
        permissionless: false,
        named: Vec::new(),
        call: None,
        value: planned.value,
        request_ids: Vec::new(),
        setting: None,
    };
    record.target = planned.to;
    if let Some(to) = planned.to {
        if let Some(entry) = world.entry_point(to, &planned.data) {
            record.entry = Some(entry.key());
            record.permissionless = entry.permissionless.is_some();
        }
        record.named = world.named_in(&planned.data);
    }
    let Some(result) = result else {
        return Executed {
            planned,
            outcome: None,
            record,
        };
    };
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(e) => {
            record.success = false;
            record.revert = Some(format!("rejected: {e}"));
            return Executed {
                planned,
                outcome: None,
                record,
            };
        }
    };
    record.success = outcome.success;
    if !outcome.success {
        record.revert = Some(world.reason(&outcome));
    }
    Executed {
        planned,
        outcome: Some(outcome),
        record,
    }
}
