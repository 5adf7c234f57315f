//! The vocabulary in which every op kind is described once (in [`super::ops`]): its fields with their
//! [`FieldKind`]s, its weight, who it needs ([`Needs`]), whether the mutator may move it to another pool, how it
//! reads, and how it plans to a transaction. Generation, mutation, shrinking, the libFuzzer byte format,
//! descriptions and pool queries all work from these descriptions, never from a list of op variants.

use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::SolCall;

use super::{Amount, Privilege, Report, Role, UpgradeTarget};
use crate::world::{Contracts, Pool, Views, World, WorldError};

/// What a field of an op means, which fixes its Rust type, how it is generated and mutated, whether shrinking
/// simplifies it, its width in the libFuzzer format and how it reads in a trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// `u8`: a pool index (taken modulo the number of pools). Generated as the pool the action is drawn for.
    Pool,
    /// `u8`: an actor index (taken modulo the number of actors), drawn as [`ActorDraw`] says.
    Actor(ActorDraw),
    /// `U256`: an amount of wei (or shares, or gwei), drawn from the amount distribution divided by `div`.
    /// Mutated by small steps and dictionary values; shrinking rounds and halves it.
    Amount {
        /// Divisor applied to a drawn amount (rewards are smaller than deposits, gwei are wei / 1e9).
        div: u64,
    },
    /// [`Amount`]: an amount of something held (shares or assets in gwei the sender holds, BGT the pool's operator
    /// holds): exact, drawn as [`FieldKind::Amount`] is, or a portion of the holding when the step runs, so that
    /// it lands whatever the earlier steps left. Shrinks as an amount.
    Held {
        /// Divisor applied to a drawn exact amount.
        div: u64,
        /// Whose holding a portion is of.
        of: Holder,
    },
    /// `U256`: what the consensus layer takes from a validator, drawn as [`FieldKind::Amount`] is, or now and then
    /// `U256::MAX`: all the validator can lose, which the op's plan bounds (a mass slashing, whose drop no draw of
    /// the amount distribution reaches on a large validator).
    Loss {
        /// Divisor applied to a drawn amount.
        div: u64,
    },
    /// `U256`: a fee paid with a call (0..4 wei drawn; mutated below 16).
    Fee,
    /// `U256`: BERA paid for a claim: mostly 100 BERA, else an amount.
    Payment,
    /// `u16`: basis points, mostly drawn below `max`, else anywhere up to 100% and one past it.
    Bps {
        /// Exclusive bound of the values mostly drawn.
        max: u16,
    },
    /// `u64`: a withdrawal request id, 0 meaning the one a holder would finalize, read from state (drawn below
    /// 6, mutated below 8).
    RequestId,
    /// `u8`: how many queued items to process (1..8).
    Count,
    /// [`Role`]: one of [`Role::ALL`].
    Role,
    /// [`Report`]: how an oracle report picks its balance.
    Report,
    /// [`UpgradeTarget`]: one of [`UpgradeTarget::ALL`].
    Target,
    /// `u16`: an index into the world's entry points (`World::entry_points`, taken modulo their number).
    EntryPoint,
    /// `Vec<U256>`: argument seeds, read in order by the called function's parameter types (an address
    /// seed picks from the world's address book, a `bytes` seed a pool pubkey, a `bytes32` seed a role id, …).
    Words,
    /// `u8`: what a contract actor's callbacks do (taken modulo 5: accept, revert, burn all gas, re-enter once
    /// with a planned call, re-enter once repeating the call being made).
    Hook,
    /// `u8`: an index into the world's address book (`World::address_book`, taken modulo its length): any
    /// actor, any deployed suite contract, zero, or `address(1)`.
    Account,
}

impl FieldKind {
    /// Whether this is an amount of what the step's sender holds: such a step is mostly sent by a holder.
    pub fn spends_senders_holding(self) -> bool {
        matches!(
            self,
            FieldKind::Held {
                of: Holder::Sender,
                ..
            }
        )
    }

    /// Whether `value` has this kind's type.
    pub fn accepts(self, value: &ArgValue) -> bool {
        matches!(
            (self, value),
            (
                FieldKind::Pool
                    | FieldKind::Actor(_)
                    | FieldKind::Count
                    | FieldKind::Hook
                    | FieldKind::Account,
                ArgValue::Byte(_)
            ) | (
                FieldKind::Amount { .. }
                    | FieldKind::Loss { .. }
                    | FieldKind::Fee
                    | FieldKind::Payment,
                ArgValue::Word(_)
            ) | (FieldKind::Bps { .. }, ArgValue::U16(_))
                | (FieldKind::RequestId, ArgValue::U64(_))
                | (FieldKind::Role, ArgValue::Role(_))
                | (FieldKind::Report, ArgValue::Report(_))
                | (FieldKind::Target, ArgValue::Target(_))
                | (FieldKind::EntryPoint, ArgValue::U16(_))
                | (FieldKind::Words, ArgValue::Words(_))
                | (FieldKind::Held { .. }, ArgValue::Amount(_))
        )
    }
}

/// Which BGT balance of a pool's SmartOperator an op's portion is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BgtHolding {
    /// What it may redeem or boost (`BGT.unboostedBalanceOf`).
    Unboosted,
    /// Its active boost (`BGT.boosts`), what a drop may take back.
    Boosted,
}

/// Whose holding a [`FieldKind::Held`] portion is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    /// The step's sender (its shares of the op's pool): such a step is mostly sent by an account that holds some.
    Sender,
    /// The op's pool's SmartOperator (its BGT), whoever sends the step.
    Operator,
    /// The op's pool's StakingRewardsVault (the incentive tokens it holds), whoever sends the step.
    RewardsVault,
}

/// How an actor field is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorDraw {
    /// Any actor.
    Any,
    /// A staker or the attacker.
    Staker,
    /// A staker or the attacker most of the time, sometimes a contract actor, else any actor (who receives
    /// shares).
    Receiver,
    /// A contract actor.
    Contract,
}

/// One field of an op kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The field's name (as in the JSON form).
    pub name: &'static str,
    /// What it means.
    pub kind: FieldKind,
    /// Whether argument mutation changes it (an op with no mutable field is replaced by a fresh one instead).
    pub mutable: bool,
}

impl Field {
    /// Whether shrinking simplifies this field (a mutable amount).
    pub fn shrinks(&self) -> bool {
        self.mutable
            && matches!(
                self.kind,
                FieldKind::Amount { .. } | FieldKind::Loss { .. } | FieldKind::Held { .. }
            )
    }
}

/// Who an op needs as its sender for the call to be authorised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Anyone may send it.
    Anyone,
    /// The chain itself performs it (the system account sends it, whatever the action's caller).
    System,
    /// The oracle's feeder.
    Feeder,
    /// Governance (owner of the factory, the vault and the oracle).
    Governance,
    /// A role on the pool's SmartOperator.
    PoolRole(Role),
    /// Anyone but governance and the system address: who sends an ABI call of a privileged entry point (see
    /// [`super::abi::entry_needs`]), usually an outsider (the attacker, a contract actor).
    NotGovernance,
}

impl Needs {
    /// The privilege an op that needs this exercises on pool `pool`; `None` when it needs none (anyone may send
    /// it, or the chain performs it).
    pub fn privilege(self, pool: usize) -> Option<Privilege> {
        match self {
            Needs::Anyone | Needs::System | Needs::NotGovernance => None,
            Needs::Feeder => Some(Privilege::Feeder),
            Needs::Governance => Some(Privilege::Governance),
            Needs::PoolRole(role) => Some(Privilege::PoolRole { pool, role }),
        }
    }
}

/// The description of one op kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpSpec {
    /// Stable name (the variant's name).
    pub name: &'static str,
    /// Relative weight in generation.
    pub weight: u32,
    /// Whether the mutator may move the op to another pool.
    pub retarget: bool,
    /// The fields, in declaration order (the JSON and libFuzzer order).
    pub fields: &'static [Field],
}

impl OpSpec {
    /// Whether campaigns and the libFuzzer alphabets draw it (weight above 0).
    pub fn generated(&self) -> bool {
        self.weight > 0
    }

    /// Whether the op names a pool.
    pub fn has_pool(&self) -> bool {
        self.fields.iter().any(|f| f.kind == FieldKind::Pool)
    }
}

/// A field's value, whatever its type: what generic code (generation, mutation, the byte format) handles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgValue {
    /// A `u8` (pool, actor, count).
    Byte(u8),
    /// A `u16` (basis points).
    U16(u16),
    /// A `u64` (request id, raw word).
    U64(u64),
    /// A `U256` (amounts, fees).
    Word(U256),
    /// A role.
    Role(Role),
    /// An oracle report.
    Report(Report),
    /// An upgrade target.
    Target(UpgradeTarget),
    /// Argument seeds.
    Words(Vec<U256>),
    /// An amount of what the sender holds.
    Amount(Amount),
}

/// A Rust type an op field can have.
pub trait Arg: Sized {
    /// Wraps the value.
    fn to_value(&self) -> ArgValue;
    /// Unwraps a value of this type (`None` for another type).
    fn from_value(value: &ArgValue) -> Option<Self>;
    /// The value a missing or mistyped field reads as.
    fn fallback() -> Self;
}

macro_rules! arg_types {
    ($($ty:ty => $variant:ident = $fallback:expr),* $(,)?) => {$(
        impl Arg for $ty {
            fn to_value(&self) -> ArgValue {
                ArgValue::$variant(*self)
            }
            fn from_value(value: &ArgValue) -> Option<Self> {
                match value {
                    ArgValue::$variant(v) => Some(*v),
                    _ => None,
                }
            }
            fn fallback() -> Self {
                $fallback
            }
        }
    )*};
}

arg_types!(
    u8 => Byte = 0,
    u16 => U16 = 0,
    u64 => U64 = 0,
    U256 => Word = U256::ZERO,
    Role => Role = Role::ALL[0],
    Report => Report = Report::Honest,
    UpgradeTarget => Target = UpgradeTarget::ALL[0],
    Amount => Amount = Amount::Exact(U256::ZERO),
);

impl Arg for Vec<U256> {
    fn to_value(&self) -> ArgValue {
        ArgValue::Words(self.clone())
    }
    fn from_value(value: &ArgValue) -> Option<Self> {
        match value {
            ArgValue::Words(v) => Some(v.clone()),
            _ => None,
        }
    }
    fn fallback() -> Self {
        Vec::new()
    }
}

/// Unwraps the next value of an op's field list; a missing or mistyped value (a description whose kind does
/// not match its field's type, which the tests rule out) reads as the type's default.
pub(crate) fn take<T: Arg>(values: &mut std::slice::Iter<'_, ArgValue>) -> T {
    values
        .next()
        .and_then(T::from_value)
        .unwrap_or_else(T::fallback)
}

/// A transaction an op plans: callee, calldata, BERA sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tx {
    /// Callee.
    pub to: Address,
    /// Calldata (empty for a plain transfer).
    pub data: Bytes,
    /// BERA sent.
    pub value: U256,
}

/// A withdrawal request that exists and is not finalized.
#[derive(Debug, Clone, Copy)]
struct LiveRequest {
    id: u64,
    /// The block it was requested at.
    request_block: U256,
    /// Whether SPEC's delay past its `requestBlock` is over.
    due: bool,
}

/// What an op's plan sees: the world, the sender and the pool the op is about.
pub struct PlanContext<'a> {
    /// The world in its current state.
    pub world: &'a World,
    /// Where the plan's views are answered.
    pub views: &'a dyn Views,
    /// The action's sender (before [`Needs::System`] replaces it).
    pub caller: Address,
    /// The pool index, reduced modulo the number of pools, if the op names one.
    pub pool_index: Option<usize>,
    /// Blocks the plan rolls before its step ends (an op that waits for something to fall due); set through
    /// [`PlanContext::wait`].
    pub wait: std::cell::Cell<u64>,
}

impl PlanContext<'_> {
    /// The pool the op is about. Only called by ops that have a [`FieldKind::Pool`] field.
    pub fn pool(&self) -> &Pool {
        &self.world.pools[self.pool_index.unwrap_or(0)]
    }

    /// `call`'s result on the world's chain now, as [`PlanContext::views`] answer it.
    pub fn view<C: SolCall>(&self, to: Address, call: &C) -> Result<C::Return, WorldError> {
        self.world.view_in(self.views, to, call)
    }

    /// The shared contracts.
    pub fn contracts(&self) -> &Contracts {
        &self.world.contracts
    }

    /// The address of actor index `i` (modulo the number of actors).
    pub fn actor(&self, i: &u8) -> Address {
        self.world.actors.at(*i)
    }

    /// A call of `to` with `call`'s calldata and `value` BERA.
    pub fn call<C: SolCall>(&self, to: Address, call: C, value: U256) -> Option<Tx> {
        Some(Tx {
            to,
            data: call.abi_encode().into(),
            value,
        })
    }

    /// A call of entry point `entry` (modulo their number) with arguments read from `seeds`; `value` is sent
    /// only to a payable entry point.
    pub fn abi_call(&self, entry: &u16, seeds: &[U256], value: &U256) -> Option<Tx> {
        let (point, data) =
            super::abi::calldata(self.world, self.views, *entry, seeds, self.caller)?;
        if super::abi::entry_needs(point) == Needs::NotGovernance
            && (self.caller == self.world.actors.system || self.world.governs_now(self.caller))
        {
            // Sent by the system address or by whoever governs now, the step is a no-op, which shrinking removes.
            return None;
        }
        Some(Tx {
            to: point.address,
            data,
            value: if point.payable { *value } else { U256::ZERO },
        })
    }

    /// A call of entry point `entry` (modulo their number) with `words` as its encoded arguments, by anyone;
    /// `value` is sent only to a payable entry point.
    pub fn exact_call(&self, entry: &u16, words: &[U256], value: &U256) -> Option<Tx> {
        let (point, data) = super::abi::exact_calldata(self.world, *entry, words)?;
        Some(Tx {
            to: point.address,
            data,
            value: if point.payable { *value } else { U256::ZERO },
        })
    }

    /// `amount` of the shares of the op's pool that `owner` holds now.
    pub fn shares(&self, amount: &Amount, owner: Address) -> Option<U256> {
        Self::portion(amount, || self.held_shares(owner))
    }

    /// `amount` of `owner`'s shares of the op's pool for the sender to move with `transferFrom`: a portion being
    /// of what `owner` holds, at most what it allows the sender.
    pub fn allowed_shares(&self, amount: &Amount, owner: Address) -> Option<U256> {
        Self::portion(amount, || {
            let allowance = self
                .view(
                    self.pool().staking_pool,
                    &crate::bindings::IERC20::allowanceCall {
                        owner,
                        spender: self.caller,
                    },
                )
                .unwrap_or_default();
            self.held_shares(owner).min(allowance)
        })
    }

    /// `amount` of shares of the op's pool for `owner` to withdraw: a portion being of what it can redeem now
    /// ([`Self::redeemable_shares`]).
    pub fn redeemable(&self, amount: &Amount, owner: Address) -> Option<U256> {
        Self::portion(amount, || self.redeemable_shares(owner))
    }

    /// `amount`, in gwei, of the assets `owner` can redeem now (`previewRedeem` of [`Self::redeemable_shares`]).
    pub fn assets_gwei(&self, amount: &Amount, owner: Address) -> Option<U256> {
        Self::portion(amount, || {
            let shares = self.redeemable_shares(owner);
            self.view(
                self.pool().staking_pool,
                &crate::bindings::IStBERA::previewRedeemCall { shares },
            )
            .unwrap_or_default()
                / U256::from(1_000_000_000u64)
        })
    }

    /// `amount` of a holding read by `held`, which runs (EVM views) only for a portion, not an exact amount;
    /// `None` for a portion of an empty holding, a call that could only revert (an exact amount still asks for
    /// anything, and ABI calls for any value). A portion of none ([`Amount::NONE`]) is zero and is always sent,
    /// held or not: the zero edge of the call, which SPEC allows for some (a transfer or a recovery of nothing) and
    /// refuses for others (a redemption of no shares), and which the refusal and liveness checks judge either way.
    /// So a function broken to revert for everyone (a wiring lost in an initializer) is refused in the deployed
    /// state already, not only once something is held.
    fn portion(amount: &Amount, held: impl FnOnce() -> U256) -> Option<U256> {
        match amount {
            Amount::Exact(v) => Some(*v),
            none if *none == Amount::NONE => Some(U256::ZERO),
            Amount::Held { .. } => Some(held()).filter(|h| !h.is_zero()).map(|h| amount.of(h)),
        }
    }

    /// `amount` of the incentive token, a portion being of what the op's pool's StakingRewardsVault holds.
    pub fn rewards_vault_tokens(&self, amount: &Amount) -> Option<U256> {
        Self::portion(amount, || {
            self.view(
                self.world.contracts.incentive_token,
                &crate::bindings::IERC20::balanceOfCall {
                    account: self.pool().rewards_vault,
                },
            )
            .unwrap_or_default()
        })
    }

    /// `amount` of BGT, a portion being of the op's pool's SmartOperator's `holding`.
    pub fn operator_bgt(&self, amount: &Amount, holding: BgtHolding) -> Option<U256> {
        Self::portion(amount, || {
            let bgt = self.world.contracts.bgt;
            let operator = self.pool().smart_operator;
            let read = match holding {
                BgtHolding::Unboosted => self.view(
                    bgt,
                    &crate::bindings::IBGT::unboostedBalanceOfCall { account: operator },
                ),
                BgtHolding::Boosted => self
                    .view(
                        bgt,
                        &crate::bindings::IBGT::boostsCall { account: operator },
                    )
                    .map(U256::from),
            };
            read.unwrap_or_default()
        })
    }

    /// The shares of the op's pool `owner` can redeem now: what it holds, at most the supply above the pool's
    /// locked dead shares (a request that would take the supply below them reverts, whoever holds them). A
    /// portion above 100 % still asks for more.
    fn redeemable_shares(&self, owner: Address) -> U256 {
        let pool = self.pool().staking_pool;
        let supply = self
            .view(pool, &crate::bindings::IERC20::totalSupplyCall {})
            .unwrap_or_default();
        let dead = self
            .view(pool, &crate::bindings::IStakingPool::deadSharesCall {})
            .unwrap_or_default();
        self.held_shares(owner).min(supply.saturating_sub(dead))
    }

    fn held_shares(&self, owner: Address) -> U256 {
        self.view(
            self.pool().staking_pool,
            &crate::bindings::IERC20::balanceOfCall { account: owner },
        )
        .unwrap_or_default()
    }

    /// The request a holder would finalize, read from state: among the live (unfinalized) requests the sender
    /// holds (its ERC-721 ids: finalized ones are burnt), else among every live request, the oldest that is due
    /// (SPEC's delay past its `requestBlock`), else the newest; `None` when no request is live.
    pub fn request_to_finalize(&self) -> Option<u64> {
        let live = self.live_requests();
        let vault = self.world.contracts.withdrawal_vault;
        let held: Vec<&LiveRequest> = live
            .iter()
            .filter(|r| {
                self.view(
                    vault,
                    &crate::bindings::IERC721::ownerOfCall {
                        tokenId: U256::from(r.id),
                    },
                )
                .is_ok_and(|owner| owner == self.caller)
            })
            .collect();
        let pick =
            |among: &[&LiveRequest]| among.iter().find(|r| r.due).or(among.last()).map(|r| r.id);
        let all: Vec<&LiveRequest> = live.iter().collect();
        pick(&held).or_else(|| pick(&all))
    }

    /// Rolls `blocks` once the step is planned (a plan that waits sends no call: the call would be planned for
    /// the block before the roll).
    pub fn wait(&self, blocks: u64) {
        self.wait.set(blocks);
    }

    /// Blocks from now to the first block at which something queued falls due, read from state: a live
    /// withdrawal request's finalization (SPEC's delay past its `requestBlock`), a pool's commission queued at
    /// BeraChef (its `commissionChangeDelay`), or a boost or a drop its operator queued at BGT (the delays, past
    /// the queue's block read from storage at the compiled layout's slot). `None` when nothing queued is still to
    /// fall due.
    pub fn blocks_until_due(&self) -> Option<u64> {
        use poolguard_invariants::formulas::WITHDRAWAL_DELAY;
        let now = self.world.chain.block_number();
        let requests = self
            .live_requests()
            .into_iter()
            .filter(|r| !r.due)
            .filter_map(|r| {
                u64::try_from(r.request_block)
                    .ok()
                    .map(|block| block.saturating_add(WITHDRAWAL_DELAY))
            });
        let chef = self.world.contracts.bera_chef;
        let delay = self
            .view(
                chef,
                &crate::bindings::IBeraChef::commissionChangeDelayCall {},
            )
            .unwrap_or_default();
        let commissions = self.world.pools.iter().filter_map(|pool| {
            let queued = self
                .view(
                    chef,
                    &crate::bindings::IBeraChef::getValQueuedCommissionOnIncentiveTokensCall {
                        valPubkey: pool.pubkey.clone(),
                    },
                )
                .ok()?;
            (queued.blockNumberLast != 0).then(|| u64::from(queued.blockNumberLast) + delay)
        });
        // Boosts and drops queued at the BGT stand-in, read from its storage (it has no view of when they fall
        // due): each is due once the block is past `blockNumberLast + delay`.
        let bgt = self.world.contracts.bgt;
        let boost_delay = self
            .view(bgt, &crate::bindings::IBGT::activateBoostDelayCall {})
            .unwrap_or_default();
        let drop_delay = self
            .view(bgt, &crate::bindings::IBGT::dropBoostDelayCall {})
            .unwrap_or_default();
        let boosts = self.world.pools.iter().flat_map(|pool| {
            [(false, boost_delay), (true, drop_delay)]
                .into_iter()
                .filter_map(move |(drop, delay)| {
                    let (last, amount) = self.world.bgt_queued(pool, drop);
                    (!amount.is_zero()).then_some(last + delay + 1)
                })
        });
        requests
            .chain(commissions)
            .chain(boosts)
            .filter(|due| *due > now)
            .min()
            .map(|due| due - now)
    }

    /// Up to `max` withdrawal requests that are due now and not finalized, oldest first.
    pub fn due_requests(&self, max: usize) -> Vec<u64> {
        self.live_requests()
            .into_iter()
            .filter(|r| r.due)
            .map(|r| r.id)
            .take(max)
            .collect()
    }

    /// Every request that exists and is not finalized, oldest first, with whether it is due now.
    fn live_requests(&self) -> Vec<LiveRequest> {
        use poolguard_invariants::formulas::finalizable;
        let vault = self.world.contracts.withdrawal_vault;
        let now = U256::from(self.world.chain.block_number());
        (1..=self.world.request_count(self.views))
            .filter_map(|id| {
                let request = self
                    .view(
                        vault,
                        &crate::bindings::IWithdrawalVault::getRequestCall {
                            requestId: U256::from(id),
                        },
                    )
                    .ok()
                    .filter(|r| r.user != Address::ZERO)?;
                let finalized = self
                    .view(
                        vault,
                        &crate::bindings::IWithdrawalVault::isFinalizedCall {
                            requestId: U256::from(id),
                        },
                    )
                    .unwrap_or(true);
                (!finalized).then(|| LiveRequest {
                    id,
                    request_block: request.requestBlock,
                    due: finalizable(request.requestBlock, now) == Some(true),
                })
            })
            .collect()
    }

    /// Address-book entry `i` (modulo its length).
    pub fn account(&self, i: &u8) -> Address {
        let book = &self.world.address_book;
        book[*i as usize % book.len()]
    }

    /// Arms the callbacks of contract actor `actor` (see `ContractActor.setHook`): `mode` modulo 5, and for a
    /// re-entering hook an ABI call of `entry` planned for the contract actor as its sender. `None` when
    /// `actor` is not a contract actor.
    pub fn arm_hook(
        &self,
        actor: &u8,
        mode: &u8,
        entry: &u16,
        seeds: &[U256],
        value: &U256,
    ) -> Option<Tx> {
        let wallet = self.actor(actor);
        if !self.world.actors.is_contract(wallet) {
            return None;
        }
        let planned = super::abi::calldata(self.world, self.views, *entry, seeds, wallet);
        if planned.as_ref().is_some_and(|(point, _)| {
            super::abi::entry_needs(point) == Needs::NotGovernance && self.world.governs_now(wallet)
        }) {
            // The rule `abi_call` applies: whoever governs may pass any argument, so a generated privileged call
            // is never armed for it (see `restricted_reentry_armed` for the other half).
            return None;
        }
        let (target, data, value) = match planned {
            Some((point, data)) => (
                point.address,
                data,
                if point.payable { *value } else { U256::ZERO },
            ),
            None => (Address::ZERO, Bytes::new(), U256::ZERO),
        };
        self.call(
            wallet,
            crate::bindings::IContractActor::setHookCall {
                mode: *mode,
                target,
                data,
                value,
            },
            U256::ZERO,
        )
    }

    /// Whether `account` is a contract actor whose armed hook re-enters with a call of a privileged entry point
    /// (one [`super::abi::entry_needs`] keeps from governance). Governance must not pass to such an actor: the
    /// hook fires later, as whoever governs then, with arguments no governance would pass, and the rule that
    /// keeps generated privileged calls away from governance is checked when a step is planned, not when a hook
    /// fires. With [`PlanContext::arm_hook`]'s check, no actor that governs ever has such a call armed.
    pub fn restricted_reentry_armed(&self, account: Address) -> bool {
        use crate::bindings::IContractActor;
        /// `ContractActor.Hook.Reenter`.
        const REENTER: u8 = 3;
        if !self.world.actors.is_contract(account) {
            return false;
        }
        let armed = self
            .view(account, &IContractActor::hookCall {})
            .is_ok_and(|mode| mode == REENTER);
        if !armed {
            return false;
        }
        let (Ok(target), Ok(data)) = (
            self.view(account, &IContractActor::hookTargetCall {}),
            self.view(account, &IContractActor::hookDataCall {}),
        ) else {
            // Unreadable: assume the worst.
            return true;
        };
        self.world
            .entry_point(target, &data)
            .is_some_and(|point| super::abi::entry_needs(point) == Needs::NotGovernance)
    }

    /// A plain transfer of `value` BERA to `to` (its `receive()`).
    pub fn send(&self, to: Address, value: U256) -> Option<Tx> {
        Some(Tx {
            to,
            data: Bytes::new(),
            value,
        })
    }
}

/// What an op's description sees: names for actors and pools.
pub struct DescribeContext<'a> {
    /// The world.
    pub world: &'a World,
    /// The action's sender.
    pub caller: Address,
}

impl DescribeContext<'_> {
    /// `poolN`, N reduced modulo the number of pools.
    pub fn pool(&self, p: &u8) -> String {
        format!("pool{}", *p as usize % self.world.pools.len().max(1))
    }

    /// `label.signature(arguments) value=…` of an ABI call.
    pub fn abi_call(&self, entry: &u16, seeds: &[U256], value: &U256) -> String {
        super::abi::describe(self.world, *entry, seeds, *value, self.caller)
    }

    /// `label.signature(arguments) value=…` of an exact call.
    pub fn exact_call(&self, entry: &u16, words: &[U256], value: &U256) -> String {
        super::abi::describe_exact(self.world, *entry, words, *value)
    }

    /// The label of address-book entry `i`.
    pub fn account(&self, i: &u8) -> String {
        let book = &self.world.address_book;
        self.world.label(book[*i as usize % book.len()])
    }

    /// `actor.hook = mode` and, for a re-entering hook, the call it makes.
    pub fn arm_hook(
        &self,
        actor: &u8,
        mode: &u8,
        entry: &u16,
        seeds: &[U256],
        value: &U256,
    ) -> String {
        let wallet = self.world.actors.at(*actor);
        let hook = match mode % super::HOOK_MODES.len() as u8 {
            0 => "accept".to_string(),
            1 => "revert".to_string(),
            2 => "burn all gas".to_string(),
            super::HOOK_REPEAT => "re-enter once repeating the call being made".to_string(),
            _ => format!(
                "re-enter once with {}",
                super::abi::describe(self.world, *entry, seeds, *value, wallet)
            ),
        };
        format!("{}.hook = {hook}", self.world.actors.name(wallet))
    }

    /// The actor's name.
    pub fn actor(&self, i: &u8) -> String {
        self.world.actors.name(self.world.actors.at(*i))
    }
}

/// Defines [`super::Op`], [`OpKind`](super::OpKind) and their derived queries from one description per op kind
/// (see [`super::ops`]). Each entry:
///
/// ```text
/// /// docs
/// Name { field: Type = FieldKind [=> mutable], … }
///     weight N, needs <Needs expr over the fields>, [[retarget],] [show |d| <String expr>,]
///     plan |cx| <Option<Tx> expr over the fields>;
/// ```
macro_rules! ops {
    (@mutable) => { false };
    (@mutable $m:ident) => { true };
    (@retarget) => { false };
    (@retarget $r:ident) => { true };
    (@show $op:ident, $world:ident, $caller:ident, |$d:ident| $show:expr) => {{
        let $d = $crate::actions::model::DescribeContext { world: $world, caller: $caller };
        $show
    }};
    (@show $op:ident, $world:ident, $caller:ident,) => { format!("{:?}", $op) };
    ($(
        $(#[doc = $doc:literal])*
        $name:ident { $($(#[$field_attr:meta])* $field:ident : $ty:ty = $kind:expr $(=> $mutable:ident)?),* $(,)? }
            weight $weight:literal, needs $needs:expr, $([$retarget:ident],)?
            $(show |$d:ident| $show:expr,)?
            plan |$cx:ident| $plan:expr;
    )*) => {
        /// What an action does. Pool indexes are taken modulo the number of pools, actor indexes modulo the
        /// number of actors. Declared, with everything derived from it, in [`ops`](self::ops).
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(tag = "op", rename_all = "snake_case")]
        #[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
        pub enum Op {
            $($(#[doc = $doc])* $name { $($(#[$field_attr])* #[allow(missing_docs)] $field: $ty),* },)*
        }

        /// The kinds of [`Op`], in declaration order (which the libFuzzer format's full alphabet depends on).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[allow(missing_docs)]
        pub enum OpKind {
            $($name,)*
        }

        /// Every op kind's description, indexed by `OpKind as usize`.
        static SPECS: &[$crate::actions::model::OpSpec] = &[$(
            $crate::actions::model::OpSpec {
                name: stringify!($name),
                weight: $weight,
                retarget: ops!(@retarget $($retarget)?),
                fields: &[$($crate::actions::model::Field {
                    name: stringify!($field),
                    kind: $kind,
                    mutable: ops!(@mutable $($mutable)?),
                }),*],
            },
        )*];

        impl OpKind {
            /// Every kind, in declaration order.
            pub const ALL: [OpKind; [$(OpKind::$name),*].len()] = [$(OpKind::$name),*];

            /// The kind of `op`.
            pub fn of(op: &Op) -> OpKind {
                match op {
                    $(Op::$name { .. } => OpKind::$name,)*
                }
            }

            /// The kind's description.
            pub fn spec(self) -> &'static $crate::actions::model::OpSpec {
                &SPECS[self as usize]
            }

            /// Stable name.
            pub fn name(self) -> &'static str {
                self.spec().name
            }
        }

        impl Op {
            /// The op's field values, in declaration order.
            pub fn args(&self) -> Vec<$crate::actions::model::ArgValue> {
                use $crate::actions::model::Arg;
                match self {
                    $(Op::$name { $($field),* } => vec![$($field.to_value()),*],)*
                }
            }

            /// The op of `kind` with field values `args` (in declaration order; missing or mistyped values
            /// read as defaults).
            pub fn from_args(kind: OpKind, args: &[$crate::actions::model::ArgValue]) -> Op {
                #[allow(unused_mut, unused_variables)]
                let mut values = args.iter();
                match kind {
                    $(OpKind::$name => Op::$name {
                        $($field: $crate::actions::model::take::<$ty>(&mut values)),*
                    },)*
                }
            }

            /// Who the op needs as its sender.
            #[allow(unused_variables)]
            pub fn needs(&self) -> $crate::actions::model::Needs {
                use $crate::actions::model::Needs;
                match self {
                    $(Op::$name { $($field),* } => $needs,)*
                }
            }

            /// Readable form with actor names and decoded arguments, as sent by `caller`.
            #[allow(unused_variables)]
            pub fn describe(&self, world: &World, caller: alloy_primitives::Address) -> String {
                match self {
                    $(Op::$name { $($field),* } => ops!(@show self, world, caller, $(|$d| $show)?),)*
                }
            }

            /// The call this op makes from `cx.caller`, or `None` for no call (only the roll).
            #[allow(unused_variables)]
            pub(crate) fn tx(&self, cx: &$crate::actions::model::PlanContext<'_>) -> Option<$crate::actions::model::Tx> {
                match self {
                    $(Op::$name { $($field),* } => { let $cx = cx; $plan },)*
                }
            }
        }
    };
}
pub(crate) use ops;
