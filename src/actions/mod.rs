//! The typed action model: everything a staker, attacker, validator, governance, the oracle and the chain
//! itself can do to the suite. An [`Action`] is a caller (an index into the world's actors), an [`Op`] and a
//! block roll applied before it. [`Action::plan`] turns it into a concrete transaction against a [`World`].
//!
//! Every op kind is described once, in [`ops`]; everything else (generation, mutation, shrinking, the
//! libFuzzer format, descriptions, pool queries) is derived from those descriptions ([`model`]).

pub mod abi;
pub mod model;
pub mod ops;

use alloy_primitives::{Address, Bytes, U256};
use serde::{Deserialize, Serialize};

use crate::world::{Views, World};
use model::PlanContext;
pub use model::{ArgValue, BgtHolding, FieldKind, Holder, Needs, OpSpec};
pub use ops::{Op, OpKind};
pub use poolguard_invariants::{Privilege, Role};

/// The modes of `ContractActor.setHook`, named in the order of the contract's `Hook` enum (the index is the mode
/// byte an `ArmHook` carries, taken modulo their number).
pub const HOOK_MODES: [&str; 5] = ["accept", "revert", "burn", "reenter", "repeat"];

/// `Hook.Repeat`: re-enter once repeating the call the contract is making.
pub const HOOK_REPEAT: u8 = 4;

/// One step of a sequence.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Action {
    /// Index into [`World::actors`]`.all()` (taken modulo its length).
    pub caller: u8,
    /// Blocks rolled before the call (timestamp follows at 2 s per block).
    #[serde(default)]
    pub roll: u32,
    /// What is done.
    pub op: Op,
    /// Who signs the transaction of a contract actor's step (an actor index, taken modulo the number of actors):
    /// the contract makes the call, and this account is the transaction's `tx.origin`, as when a role holder
    /// interacts with a contract that then calls the suite in its name (SWC-115). `None`: the unprivileged
    /// [`Actors::contract_origin`](crate::world::Actors::contract_origin). It takes effect only where
    /// [`Action::signer`] says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<u8>,
}

/// Contracts an upgrade can be attempted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum UpgradeTarget {
    /// The StakingPool beacon, through the factory.
    StakingPoolBeacon,
    /// The SmartOperator beacon, through the factory.
    SmartOperatorBeacon,
    /// The factory's own UUPS proxy.
    Factory,
    /// The WithdrawalVault's UUPS proxy.
    WithdrawalVault,
    /// The AccountingOracle's UUPS proxy.
    AccountingOracle,
}

impl UpgradeTarget {
    /// Every target, in declaration order (the libFuzzer format's order).
    pub const ALL: [UpgradeTarget; 5] = [
        UpgradeTarget::StakingPoolBeacon,
        UpgradeTarget::SmartOperatorBeacon,
        UpgradeTarget::Factory,
        UpgradeTarget::WithdrawalVault,
        UpgradeTarget::AccountingOracle,
    ];
}

/// An amount an op requests or moves: exact, or a portion of what is held when the step runs (so that a request,
/// a transfer or a BGT redemption lands whatever the earlier steps left; a portion of an empty holding sends
/// nothing, except [`Amount::NONE`], the zero edge, which is always sent; exact amounts and ABI calls still try any
/// value).
/// In JSON an exact amount is the hex string it always was; a portion is `{"held_bps": N}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Amount {
    /// This many units (wei, shares or gwei, as the field says).
    Exact(U256),
    /// `held_bps` / 10,000 of the sender's holding (rounded down); above 10,000 asks for more than it holds.
    Held {
        /// Basis points of the holding.
        held_bps: u16,
    },
}

impl Amount {
    /// None of the holding: zero, sent whether anything is held or not (the zero edge of the call).
    pub const NONE: Amount = Amount::Held { held_bps: 0 };

    /// How a trace reads it: the exact amount, or the portion of `holding` (what it is a portion of).
    pub fn describe(&self, holding: &str) -> String {
        match self {
            Amount::Exact(v) => v.to_string(),
            Amount::Held { held_bps: 0 } => format!("none of {holding}"),
            Amount::Held { held_bps } => {
                format!("{}.{:02}% of {holding}", held_bps / 100, held_bps % 100)
            }
        }
    }

    /// The amount in units, given what the sender holds.
    pub fn of(&self, held: U256) -> U256 {
        match self {
            Amount::Exact(v) => *v,
            Amount::Held { held_bps } => held * U256::from(*held_bps) / U256::from(10_000u64),
        }
    }
}

impl std::fmt::Display for Amount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe("held"))
    }
}

/// How an oracle report picks its balance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Report {
    /// The consensus layer's actual balance, next refSlot (an honest feeder).
    #[default]
    Honest,
    /// The pool's expected balance moved by `bps` basis points (may be out of bounds), next refSlot.
    Delta(i32),
    /// Zero: the validator is gone.
    Zero,
    /// The actual balance with the last refSlot again (stale or replayed).
    Replay,
    /// Exactly this balance in gwei, whatever the books say, next refSlot: the absolute edges (the oracle's cap, an
    /// inactive pool's any balance) and the exact values edge tries and secant probes solve for.
    Gwei(U256),
}

impl Report {
    /// Whether this is [`Report::Honest`] (the default, which a saved `OracleReportNewPool` leaves out).
    pub fn is_honest(&self) -> bool {
        *self == Report::Honest
    }

    /// The `(balanceGwei, refSlot)` this report sends for a validator whose consensus-layer balance is `actual`
    /// (wei), whose last report was at `last_slot` and whose pool expects `expected` (wei).
    pub fn balance_and_slot(&self, actual: U256, last_slot: U256, expected: U256) -> (U256, U256) {
        let next = last_slot + U256::from(1u8);
        let gwei = U256::from(poolguard_invariants::formulas::GWEI);
        match *self {
            Report::Honest => (actual / gwei, next),
            Report::Zero => (U256::ZERO, next),
            Report::Replay => (actual / gwei, last_slot),
            Report::Gwei(balance_gwei) => (balance_gwei, next),
            Report::Delta(bps) => {
                let magnitude = expected * U256::from(bps.unsigned_abs()) / U256::from(10_000u64);
                // Rounded toward the books: a move of exactly a bound stays on its edge.
                let balance_gwei = if bps >= 0 {
                    (expected + magnitude) / gwei
                } else {
                    expected.saturating_sub(magnitude).div_ceil(gwei)
                };
                (balance_gwei, next)
            }
        }
    }
}

/// A concrete transaction, or a plain roll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// Sender.
    pub from: Address,
    /// Callee; `None` for [`Op::Wait`].
    pub to: Option<Address>,
    /// Calldata.
    pub data: Bytes,
    /// BERA sent.
    pub value: U256,
    /// Pool the action is about, if any.
    pub pool: Option<usize>,
    /// The privilege the call needs, if any.
    pub privilege: Option<Privilege>,
    /// Blocks rolled after planning, read from state (an op that waits for something to fall due; no call then),
    /// on top of the action's own roll.
    pub wait: u64,
    /// Who signs a contract actor's transaction ([`Action::signer`]); `None`: the sender is no contract actor, or
    /// `contract_origin` signs.
    pub origin: Option<Address>,
}

impl Action {
    /// The concrete transaction this action is in `world`'s current state, with the views it reads answered by
    /// `views`.
    pub fn plan(&self, world: &World, views: &dyn Views) -> Planned {
        let mut planned = self.op.plan(world, views, world.actors.at(self.caller));
        planned.origin = self.signer(world);
        planned
    }

    /// The account [`Action::origin`] names as the signer of this step's transaction, when it takes effect: the
    /// step is a contract actor's (not the chain's) and the origin is an externally owned actor (an account with
    /// code cannot sign a transaction).
    pub fn signer(&self, world: &World) -> Option<Address> {
        let sender = world.actors.at(self.caller);
        if self.op.is_system() || !world.actors.is_contract(sender) {
            return None;
        }
        self.origin
            .map(|i| world.actors.at(i))
            .filter(|origin| !world.actors.is_contract(*origin))
    }

    /// Sets the sender. A signer chosen for another sender does not carry over: it would take effect, unseen, the
    /// moment the sender became a contract actor.
    pub fn set_caller(&mut self, caller: u8) {
        if caller != self.caller {
            self.origin = None;
        }
        self.caller = caller;
    }

    /// Short human-readable form: `caller: op(args)`.
    pub fn describe(&self, world: &World) -> String {
        let sender = world.actors.at(self.caller);
        let roll = if self.roll > 0 {
            format!(" [+{} blocks]", self.roll)
        } else {
            String::new()
        };
        let origin = self.signer(world).map_or_else(String::new, |signer| {
            format!(" (signed by {})", world.actors.name(signer))
        });
        format!(
            "{}{origin}: {}{roll}",
            world.actors.name(sender),
            self.op.describe(world, sender)
        )
    }
}

impl Op {
    /// The op's kind.
    pub fn kind(&self) -> OpKind {
        OpKind::of(self)
    }

    /// The op's variant name, stable, for statistics and reports.
    pub fn name(&self) -> &'static str {
        self.kind().name()
    }

    /// The pool index the op names, if any (before reduction modulo the pool count).
    pub fn pool(&self) -> Option<u8> {
        let spec = self.kind().spec();
        let at = spec.fields.iter().position(|f| f.kind == FieldKind::Pool)?;
        match self.args().get(at) {
            Some(ArgValue::Byte(p)) => Some(*p),
            _ => None,
        }
    }

    /// This op about pool `pool` (its pool field set to it), or the op as it is when it names no pool.
    pub fn on_pool(&self, pool: u8) -> Op {
        let kind = self.kind();
        let mut args = self.args();
        for (value, field) in args.iter_mut().zip(kind.spec().fields) {
            if field.kind == FieldKind::Pool {
                *value = ArgValue::Byte(pool);
            }
        }
        Op::from_args(kind, &args)
    }

    /// Whether the chain itself (the system account) performs this op, whatever the sequence's caller.
    pub fn is_system(&self) -> bool {
        self.needs() == Needs::System
    }

    /// The transaction for `caller` in `world`'s current state, with the views it reads answered by `views`.
    pub fn plan(&self, world: &World, views: &dyn Views, caller: Address) -> Planned {
        let pool_index = self.pool().map(|p| p as usize % world.pools.len().max(1));
        let cx = PlanContext {
            world,
            views,
            caller,
            pool_index,
            wait: std::cell::Cell::new(0),
        };
        let tx = self.tx(&cx);
        let wait = cx.wait.get();
        debug_assert!(wait == 0 || tx.is_none(), "a plan that waits sends no call");
        // A plan with no call exercises no privilege (ACCESS-001 judges calls that succeeded).
        let privilege = tx
            .as_ref()
            .and_then(|_| self.needs().privilege(pool_index.unwrap_or(0)));
        Planned {
            from: if self.is_system() {
                world.actors.system
            } else {
                caller
            },
            to: tx.as_ref().map(|t| t.to),
            data: tx.as_ref().map(|t| t.data.clone()).unwrap_or_default(),
            value: tx.map(|t| t.value).unwrap_or_default(),
            pool: pool_index,
            privilege,
            wait,
            origin: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::HOOK_MODES;

    /// The world arms its refusing contract actor by the hook's number; the names here must agree.
    #[test]
    fn the_refusing_hook_is_the_revert_mode() {
        assert_eq!(HOOK_MODES[usize::from(crate::world::HOOK_REVERT)], "revert");
    }
}
