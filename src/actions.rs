//! The typed action model: everything a staker, attacker, validator, governance, the oracle and the chain
//! itself can do to the suite. An [`Action`] is a caller (an index into the world's actors), an [`Op`] and a
//! block roll applied before it. [`Action::plan`] turns it into a concrete transaction against a [`World`].
//!
//! Adding an action means adding one [`Op`] variant and its arm in [`Op::plan`]; the generator in
//! `engine::strategy` picks it up through [`OpKind`].

use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::SolCall;
use serde::{Deserialize, Serialize};

use crate::bindings::{
    IAccessControl, IAccountingOracle, IBeaconDeposit, IBeraChef, IDeploy, IIncentiveCollector,
    ISmartOperator, IStakingPool, IStakingPoolContractsFactory, IWithdrawalVault, IBGT, IERC20,
    IUUPS,
};
use crate::world::World;
pub use poolguard_invariants::{Privilege, Role};

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

/// How an oracle report picks its balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Report {
    /// The consensus layer's actual balance, next refSlot (an honest feeder).
    Honest,
    /// The pool's expected balance moved by `bps` basis points (may be out of bounds), next refSlot.
    Delta(i32),
    /// Zero: the validator is gone.
    Zero,
    /// The actual balance with the last refSlot again (stale or replayed).
    Replay,
}

/// What an action does. Pool indexes are taken modulo the number of pools, actor indexes modulo the number of
/// actors.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Op {
    /// `StakingPool.submit(receiver)` with `amount` BERA.
    Submit {
        pool: u8,
        receiver: u8,
        amount: U256,
    },
    /// Plain BERA transfer to the pool (`receive()` deposits).
    SendToPool { pool: u8, amount: U256 },
    /// Plain BERA to a pool's StakingRewardsVault (a donation, or an EL reward when the system sends it).
    DonateToRewardsVault { pool: u8, amount: U256 },
    /// Plain BERA to the WithdrawalVault.
    DonateToWithdrawalVault { amount: U256 },
    /// stBERA `transfer`.
    TransferShares { pool: u8, to: u8, amount: U256 },
    /// stBERA `approve`.
    ApproveShares { pool: u8, spender: u8, amount: U256 },
    /// stBERA `transferFrom`.
    TransferSharesFrom {
        pool: u8,
        from: u8,
        to: u8,
        amount: U256,
    },
    /// `WithdrawalVault.requestWithdrawal`, paying `value` for the fee.
    RequestWithdrawal {
        pool: u8,
        amount_gwei: U256,
        max_fee: U256,
        value: U256,
    },
    /// `WithdrawalVault.requestRedeem`, paying `value` for the fee.
    RequestRedeem {
        pool: u8,
        shares: U256,
        max_fee: U256,
        value: U256,
    },
    /// `finalizeWithdrawalRequest(id)`; `id` 0 means "the newest request".
    Finalize { id: u64 },
    /// `finalizeWithdrawalRequests([all requests])`.
    FinalizeAll,
    /// `sendPendingExitRequest` for an exited pool.
    SendPendingExit { pool: u8, value: U256 },
    /// `AccountingOracle.updateTotalDeposits`.
    OracleReport { pool: u8, report: Report },
    /// Consensus layer (system): credit rewards to the validator.
    ClReward { pool: u8, amount: U256 },
    /// Consensus layer (system): slash the validator (bounded so requested withdrawals stay payable).
    ClPenalty { pool: u8, amount: U256 },
    /// Consensus layer (system): process queued EIP-7002 requests.
    ClProcessWithdrawals { max: u8 },
    /// Chain (system): mint BGT to the pool's operator.
    MintBgt { pool: u8, amount: U256 },
    /// Chain (system): credit BGT-staker rewards to the pool's operator.
    BgtStakerReward { pool: u8, amount: U256 },
    /// Chain (system): mint incentive tokens to the pool's collector.
    MintIncentives { pool: u8, amount: U256 },
    /// `IncentiveCollector.claim([token])`, paying `value`.
    ClaimIncentives { pool: u8, value: U256 },
    /// `StakingPool.processRewards()`.
    ProcessRewards { pool: u8 },
    /// `SmartOperator.accrueEarnedBGTFees()`.
    AccrueBgtFees { pool: u8 },
    /// `SmartOperator.queueBoost()`.
    QueueBoost { pool: u8 },
    /// `SmartOperator.activateBoost()`.
    ActivateBoost { pool: u8 },
    /// `SmartOperator.queueDropBoost(amount)`.
    QueueDropBoost { pool: u8, amount: u64 },
    /// `SmartOperator.dropBoost()`.
    DropBoost { pool: u8 },
    /// `SmartOperator.redeemBGT(amount)`.
    RedeemBgt { pool: u8, amount: U256 },
    /// `SmartOperator.claimBgtStakerReward()`.
    ClaimBgtStakerReward { pool: u8 },
    /// `SmartOperator.queueValCommission(bps)`.
    QueueCommission { pool: u8, bps: u16 },
    /// `BeraChef.activateQueuedValCommission(pubkey)`.
    ActivateCommission { pool: u8 },
    /// `SmartOperator.setProtocolFeePercentage(bps)`.
    SetProtocolFee { pool: u8, bps: u16 },
    /// `SmartOperator.queueRewardsAllocation` (one receiver at 100%).
    QueueRewardsAllocation { pool: u8, receiver: u8 },
    /// `SmartOperator.queueIncentiveCollectorPayoutAmountChange(amount)`.
    QueuePayoutChange { pool: u8, amount: U256 },
    /// `grantRole(role, account)` on the pool's SmartOperator.
    GrantRole { pool: u8, role: Role, account: u8 },
    /// `revokeRole(role, account)` on the pool's SmartOperator.
    RevokeRole { pool: u8, role: Role, account: u8 },
    /// `renounceRole(role, caller)` on the pool's SmartOperator.
    RenounceRole { pool: u8, role: Role },
    /// Oracle `grantRole(FEEDER_ROLE, account)`.
    GrantFeeder { account: u8 },
    /// `StakingPool.pause()`.
    PausePool { pool: u8 },
    /// `StakingPool.unpause()`.
    UnpausePool { pool: u8 },
    /// `WithdrawalVault.pause()`.
    PauseVault,
    /// `WithdrawalVault.unpause()`.
    UnpauseVault,
    /// `StakingPool.setMinEffectiveBalance(value)`.
    SetMinEffectiveBalance { pool: u8, value: U256 },
    /// `AccountingOracle.setBounds(up, down)`.
    SetOracleBounds { up: u16, down: u16 },
    /// `Factory.setProtocolFeeRecipient(account)`.
    SetProtocolFeeRecipient { account: u8 },
    /// An upgrade attempt to the current implementation (a no-op when authorised).
    Upgrade { target: UpgradeTarget },
    /// Only the roll: no call.
    Wait,
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
}

impl Action {
    /// The concrete transaction this action is in `world`'s current state.
    pub fn plan(&self, world: &World) -> Planned {
        let actors = world.actors.all();
        let caller = actors[self.caller as usize % actors.len()];
        self.op.plan(world, caller)
    }

    /// Short human-readable form: `caller: op(args)`.
    pub fn describe(&self, world: &World) -> String {
        let actors = world.actors.all();
        let caller = world
            .actors
            .name(actors[self.caller as usize % actors.len()]);
        let roll = if self.roll > 0 {
            format!(" [+{} blocks]", self.roll)
        } else {
            String::new()
        };
        format!("{caller}: {}{roll}", self.op.describe(world))
    }
}

fn call<C: SolCall>(c: C) -> Bytes {
    c.abi_encode().into()
}

impl Op {
    /// The op's variant name, stable, for statistics and reports.
    pub fn name(&self) -> &'static str {
        OpKind::of(self).name()
    }

    /// The pool index the op names, if any (before reduction modulo the pool count).
    pub fn pool(&self) -> Option<u8> {
        use Op::*;
        match self {
            Submit { pool, .. }
            | SendToPool { pool, .. }
            | DonateToRewardsVault { pool, .. }
            | TransferShares { pool, .. }
            | ApproveShares { pool, .. }
            | TransferSharesFrom { pool, .. }
            | RequestWithdrawal { pool, .. }
            | RequestRedeem { pool, .. }
            | SendPendingExit { pool, .. }
            | OracleReport { pool, .. }
            | ClReward { pool, .. }
            | ClPenalty { pool, .. }
            | MintBgt { pool, .. }
            | BgtStakerReward { pool, .. }
            | MintIncentives { pool, .. }
            | ClaimIncentives { pool, .. }
            | ProcessRewards { pool }
            | AccrueBgtFees { pool }
            | QueueBoost { pool }
            | ActivateBoost { pool }
            | QueueDropBoost { pool, .. }
            | DropBoost { pool }
            | RedeemBgt { pool, .. }
            | ClaimBgtStakerReward { pool }
            | QueueCommission { pool, .. }
            | ActivateCommission { pool }
            | SetProtocolFee { pool, .. }
            | QueueRewardsAllocation { pool, .. }
            | QueuePayoutChange { pool, .. }
            | GrantRole { pool, .. }
            | RevokeRole { pool, .. }
            | RenounceRole { pool, .. }
            | PausePool { pool }
            | UnpausePool { pool }
            | SetMinEffectiveBalance { pool, .. } => Some(*pool),
            _ => None,
        }
    }

    /// Whether the chain itself (the system account) performs this op, whatever the sequence's caller.
    pub fn is_system(&self) -> bool {
        matches!(
            self,
            Op::ClReward { .. }
                | Op::ClPenalty { .. }
                | Op::ClProcessWithdrawals { .. }
                | Op::MintBgt { .. }
                | Op::BgtStakerReward { .. }
                | Op::MintIncentives { .. }
        )
    }

    /// Readable form with actor names and decoded arguments.
    pub fn describe(&self, world: &World) -> String {
        let actors = world.actors.all();
        let name = |i: &u8| world.actors.name(actors[*i as usize % actors.len()]);
        let pool = |p: &u8| format!("pool{}", *p as usize % world.pools.len().max(1));
        use Op::*;
        match self {
            Submit {
                pool: p,
                receiver,
                amount,
            } => format!(
                "{}.submit(receiver={}) value={amount}",
                pool(p),
                name(receiver)
            ),
            SendToPool { pool: p, amount } => format!("send {amount} wei to {}", pool(p)),
            DonateToRewardsVault { pool: p, amount } => {
                format!("send {amount} wei to {}.rewardsVault", pool(p))
            }
            DonateToWithdrawalVault { amount } => format!("send {amount} wei to WithdrawalVault"),
            TransferShares {
                pool: p,
                to,
                amount,
            } => format!("{}.transfer(to={}, {amount})", pool(p), name(to)),
            ApproveShares {
                pool: p,
                spender,
                amount,
            } => format!("{}.approve({}, {amount})", pool(p), name(spender)),
            TransferSharesFrom {
                pool: p,
                from,
                to,
                amount,
            } => {
                format!(
                    "{}.transferFrom({}, {}, {amount})",
                    pool(p),
                    name(from),
                    name(to)
                )
            }
            RequestWithdrawal {
                pool: p,
                amount_gwei,
                max_fee,
                value,
            } => {
                format!("vault.requestWithdrawal({}, {amount_gwei} gwei, maxFee={max_fee}) value={value}", pool(p))
            }
            RequestRedeem {
                pool: p,
                shares,
                max_fee,
                value,
            } => {
                format!(
                    "vault.requestRedeem({}, {shares} shares, maxFee={max_fee}) value={value}",
                    pool(p)
                )
            }
            OracleReport { pool: p, report } => {
                format!("oracle.updateTotalDeposits({}, {report:?})", pool(p))
            }
            GrantRole {
                pool: p,
                role,
                account,
            } => format!(
                "{}.operator.grantRole({}, {})",
                pool(p),
                role.solidity_name(),
                name(account)
            ),
            RevokeRole {
                pool: p,
                role,
                account,
            } => format!(
                "{}.operator.revokeRole({}, {})",
                pool(p),
                role.solidity_name(),
                name(account)
            ),
            RenounceRole { pool: p, role } => format!(
                "{}.operator.renounceRole({})",
                pool(p),
                role.solidity_name()
            ),
            GrantFeeder { account } => format!("oracle.grantRole(FEEDER_ROLE, {})", name(account)),
            SetProtocolFeeRecipient { account } => {
                format!("factory.setProtocolFeeRecipient({})", name(account))
            }
            other => format!("{other:?}"),
        }
    }

    /// The transaction for `caller` in `world`'s current state.
    pub fn plan(&self, world: &World, caller: Address) -> Planned {
        use Op::*;
        let actors = world.actors.all();
        let actor = |i: &u8| actors[*i as usize % actors.len()];
        let pool_index = self.pool().map(|p| p as usize % world.pools.len().max(1));
        let p = pool_index.map(|i| &world.pools[i]);
        let c = &world.contracts;
        let system = world.actors.system;
        let mut planned = Planned {
            from: caller,
            to: None,
            data: Bytes::new(),
            value: U256::ZERO,
            pool: pool_index,
            privilege: None,
        };
        let mut set = |to: Address, data: Bytes, value: U256| {
            planned.to = Some(to);
            planned.data = data;
            planned.value = value;
        };
        let role_of = |role: Role| {
            Some(Privilege::PoolRole {
                pool: pool_index.unwrap_or(0),
                role,
            })
        };
        let mut privilege = None;
        match self {
            Submit {
                receiver, amount, ..
            } => set(
                p.unwrap().staking_pool,
                call(IStakingPool::submitCall {
                    receiver: actor(receiver),
                }),
                *amount,
            ),
            SendToPool { amount, .. } => set(p.unwrap().staking_pool, Bytes::new(), *amount),
            DonateToRewardsVault { amount, .. } => {
                set(p.unwrap().rewards_vault, Bytes::new(), *amount)
            }
            DonateToWithdrawalVault { amount } => set(c.withdrawal_vault, Bytes::new(), *amount),
            TransferShares { to, amount, .. } => set(
                p.unwrap().staking_pool,
                call(IERC20::transferCall {
                    to: actor(to),
                    value: *amount,
                }),
                U256::ZERO,
            ),
            ApproveShares {
                spender, amount, ..
            } => set(
                p.unwrap().staking_pool,
                call(IERC20::approveCall {
                    spender: actor(spender),
                    value: *amount,
                }),
                U256::ZERO,
            ),
            TransferSharesFrom {
                from, to, amount, ..
            } => set(
                p.unwrap().staking_pool,
                call(IERC20::transferFromCall {
                    from: actor(from),
                    to: actor(to),
                    value: *amount,
                }),
                U256::ZERO,
            ),
            RequestWithdrawal {
                amount_gwei,
                max_fee,
                value,
                ..
            } => set(
                c.withdrawal_vault,
                call(IWithdrawalVault::requestWithdrawalCall {
                    pubkey: p.unwrap().pubkey.clone(),
                    amountGwei: *amount_gwei,
                    maxFee: *max_fee,
                }),
                *value,
            ),
            RequestRedeem {
                shares,
                max_fee,
                value,
                ..
            } => set(
                c.withdrawal_vault,
                call(IWithdrawalVault::requestRedeemCall {
                    pubkey: p.unwrap().pubkey.clone(),
                    shares: *shares,
                    maxFee: *max_fee,
                }),
                *value,
            ),
            Finalize { id } => {
                let count = world.request_count();
                let id = if *id == 0 || count == 0 {
                    count
                } else {
                    1 + (*id - 1) % count
                };
                set(
                    c.withdrawal_vault,
                    call(IWithdrawalVault::finalizeWithdrawalRequestCall {
                        requestId: U256::from(id),
                    }),
                    U256::ZERO,
                )
            }
            FinalizeAll => {
                let ids = (1..=world.request_count()).map(U256::from).collect();
                set(
                    c.withdrawal_vault,
                    call(IWithdrawalVault::finalizeWithdrawalRequestsCall { requestIds: ids }),
                    U256::ZERO,
                )
            }
            SendPendingExit { value, .. } => set(
                c.withdrawal_vault,
                call(IWithdrawalVault::sendPendingExitRequestCall {
                    pubkey: p.unwrap().pubkey.clone(),
                    maxFee: *value,
                }),
                *value,
            ),
            OracleReport { report, .. } => {
                privilege = Some(Privilege::Feeder);
                let pool = p.unwrap();
                let (actual, last_slot, expected) = world.oracle_inputs(pool);
                let gwei = U256::from(1_000_000_000u64);
                let (balance, slot) = match report {
                    Report::Honest => (actual, last_slot + U256::from(1)),
                    Report::Zero => (U256::ZERO, last_slot + U256::from(1)),
                    Report::Replay => (actual, last_slot),
                    Report::Delta(bps) => {
                        let magnitude =
                            expected * U256::from(bps.unsigned_abs()) / U256::from(10_000u64);
                        let value = if *bps >= 0 {
                            expected + magnitude
                        } else {
                            expected.saturating_sub(magnitude)
                        };
                        (value, last_slot + U256::from(1))
                    }
                };
                set(
                    c.accounting_oracle,
                    call(IAccountingOracle::updateTotalDepositsCall {
                        pubkey: pool.pubkey.clone(),
                        balanceGwei: balance / gwei,
                        refSlot: slot,
                    }),
                    U256::ZERO,
                )
            }
            ClReward { amount, .. } => set(
                c.beacon_deposit,
                call(IBeaconDeposit::rewardValidatorCall {
                    pubkey: p.unwrap().pubkey.clone(),
                }),
                *amount,
            ),
            ClPenalty { amount, .. } => {
                let pool = p.unwrap();
                // The consensus layer processes requested withdrawals before it slashes below them: keep the
                // validator's balance at or above what was requested and not yet paid.
                let (actual, _, _) = world.oracle_inputs(pool);
                let floor = world.pending_cl_withdrawals(pool);
                let amount = (*amount).min(actual.saturating_sub(floor));
                set(
                    c.beacon_deposit,
                    call(IBeaconDeposit::penalizeValidatorCall {
                        pubkey: pool.pubkey.clone(),
                        amount,
                    }),
                    U256::ZERO,
                )
            }
            ClProcessWithdrawals { max } => set(
                c.beacon_deposit,
                call(IBeaconDeposit::processWithdrawalRequestsCall {
                    maxRequests: U256::from(*max),
                }),
                U256::ZERO,
            ),
            MintBgt { amount, .. } => set(
                c.bgt,
                call(IBGT::mintCall {
                    to: p.unwrap().smart_operator,
                    amount: *amount,
                }),
                *amount,
            ),
            BgtStakerReward { amount, .. } => set(
                c.bgt,
                call(IBGT::notifyStakerRewardCall {
                    account: p.unwrap().smart_operator,
                }),
                *amount,
            ),
            MintIncentives { amount, .. } => set(
                c.incentive_token,
                call(IDeploy::mintCall {
                    to: p.unwrap().incentive_collector,
                    amount: *amount,
                }),
                U256::ZERO,
            ),
            ClaimIncentives { value, .. } => set(
                p.unwrap().incentive_collector,
                call(IIncentiveCollector::claimCall {
                    tokens: vec![c.incentive_token],
                }),
                *value,
            ),
            ProcessRewards { .. } => set(
                p.unwrap().staking_pool,
                call(IStakingPool::processRewardsCall {}),
                U256::ZERO,
            ),
            AccrueBgtFees { .. } => set(
                p.unwrap().smart_operator,
                call(ISmartOperator::accrueEarnedBGTFeesCall {}),
                U256::ZERO,
            ),
            QueueBoost { .. } => set(
                p.unwrap().smart_operator,
                call(ISmartOperator::queueBoostCall {}),
                U256::ZERO,
            ),
            ActivateBoost { .. } => set(
                p.unwrap().smart_operator,
                call(ISmartOperator::activateBoostCall {}),
                U256::ZERO,
            ),
            QueueDropBoost { amount, .. } => {
                privilege = role_of(Role::BgtManager);
                set(
                    p.unwrap().smart_operator,
                    call(ISmartOperator::queueDropBoostCall {
                        amount: u128::from(*amount),
                    }),
                    U256::ZERO,
                )
            }
            DropBoost { .. } => set(
                p.unwrap().smart_operator,
                call(ISmartOperator::dropBoostCall {}),
                U256::ZERO,
            ),
            RedeemBgt { amount, .. } => {
                privilege = role_of(Role::BgtManager);
                set(
                    p.unwrap().smart_operator,
                    call(ISmartOperator::redeemBGTCall { amount: *amount }),
                    U256::ZERO,
                )
            }
            ClaimBgtStakerReward { .. } => set(
                p.unwrap().smart_operator,
                call(ISmartOperator::claimBgtStakerRewardCall {}),
                U256::ZERO,
            ),
            QueueCommission { bps, .. } => {
                privilege = role_of(Role::CommissionManager);
                set(
                    p.unwrap().smart_operator,
                    call(ISmartOperator::queueValCommissionCall {
                        bps: alloy_primitives::Uint::from(*bps),
                    }),
                    U256::ZERO,
                )
            }
            ActivateCommission { .. } => set(
                c.bera_chef,
                call(IBeraChef::activateQueuedValCommissionCall {
                    valPubkey: p.unwrap().pubkey.clone(),
                }),
                U256::ZERO,
            ),
            SetProtocolFee { bps, .. } => {
                privilege = role_of(Role::ProtocolFeeManager);
                set(
                    p.unwrap().smart_operator,
                    call(ISmartOperator::setProtocolFeePercentageCall {
                        bps: U256::from(*bps),
                    }),
                    U256::ZERO,
                )
            }
            QueueRewardsAllocation { receiver, .. } => {
                privilege = role_of(Role::RewardsAllocationManager);
                let weights = vec![ISmartOperator::RewardWeight {
                    receiver: actor(receiver),
                    percentageNumerator: alloy_primitives::Uint::from(10_000),
                }];
                let start = world.chain.block_number() + 100;
                set(
                    p.unwrap().smart_operator,
                    call(ISmartOperator::queueRewardsAllocationCall {
                        startBlock: start,
                        weights,
                    }),
                    U256::ZERO,
                )
            }
            QueuePayoutChange { amount, .. } => {
                privilege = role_of(Role::IncentiveCollectorManager);
                set(
                    p.unwrap().smart_operator,
                    call(
                        ISmartOperator::queueIncentiveCollectorPayoutAmountChangeCall {
                            newPayoutAmount: *amount,
                        },
                    ),
                    U256::ZERO,
                )
            }
            GrantRole { role, account, .. } => {
                privilege = role_of(role.admin());
                set(
                    p.unwrap().smart_operator,
                    call(IAccessControl::grantRoleCall {
                        role: role.id(),
                        account: actor(account),
                    }),
                    U256::ZERO,
                )
            }
            RevokeRole { role, account, .. } => {
                privilege = role_of(role.admin());
                set(
                    p.unwrap().smart_operator,
                    call(IAccessControl::revokeRoleCall {
                        role: role.id(),
                        account: actor(account),
                    }),
                    U256::ZERO,
                )
            }
            RenounceRole { role, .. } => set(
                p.unwrap().smart_operator,
                call(IAccessControl::renounceRoleCall {
                    role: role.id(),
                    callerConfirmation: caller,
                }),
                U256::ZERO,
            ),
            GrantFeeder { account } => {
                privilege = Some(Privilege::Governance);
                let feeder = alloy_primitives::keccak256("FEEDER_ROLE");
                set(
                    c.accounting_oracle,
                    call(IAccessControl::grantRoleCall {
                        role: feeder,
                        account: actor(account),
                    }),
                    U256::ZERO,
                )
            }
            PausePool { .. } => {
                privilege = Some(Privilege::Governance);
                set(
                    p.unwrap().staking_pool,
                    call(IStakingPool::pauseCall {}),
                    U256::ZERO,
                )
            }
            UnpausePool { .. } => {
                privilege = Some(Privilege::Governance);
                set(
                    p.unwrap().staking_pool,
                    call(IStakingPool::unpauseCall {}),
                    U256::ZERO,
                )
            }
            PauseVault => {
                privilege = Some(Privilege::Governance);
                set(
                    c.withdrawal_vault,
                    call(IWithdrawalVault::pauseCall {}),
                    U256::ZERO,
                )
            }
            UnpauseVault => {
                privilege = Some(Privilege::Governance);
                set(
                    c.withdrawal_vault,
                    call(IWithdrawalVault::unpauseCall {}),
                    U256::ZERO,
                )
            }
            SetMinEffectiveBalance { value, .. } => {
                privilege = Some(Privilege::Governance);
                set(
                    p.unwrap().staking_pool,
                    call(IStakingPool::setMinEffectiveBalanceCall { value: *value }),
                    U256::ZERO,
                )
            }
            SetOracleBounds { up, down } => {
                privilege = Some(Privilege::Governance);
                set(
                    c.accounting_oracle,
                    call(IAccountingOracle::setBoundsCall {
                        maxIncreaseBps: U256::from(*up),
                        maxDecreaseBps: U256::from(*down),
                    }),
                    U256::ZERO,
                )
            }
            SetProtocolFeeRecipient { account } => {
                privilege = Some(Privilege::Governance);
                set(
                    c.factory,
                    call(IStakingPoolContractsFactory::setProtocolFeeRecipientCall {
                        recipient: actor(account),
                    }),
                    U256::ZERO,
                )
            }
            Upgrade { target } => {
                privilege = Some(Privilege::Governance);
                let uups = |implementation: Address| {
                    call(IUUPS::upgradeToAndCallCall {
                        newImplementation: implementation,
                        data: Bytes::new(),
                    })
                };
                match target {
                    UpgradeTarget::StakingPoolBeacon => set(
                        c.factory,
                        call(
                            IStakingPoolContractsFactory::upgradeStakingPoolBeaconImplCall {
                                newImplementation: c.staking_pool_impl,
                            },
                        ),
                        U256::ZERO,
                    ),
                    UpgradeTarget::SmartOperatorBeacon => set(
                        c.factory,
                        call(
                            IStakingPoolContractsFactory::upgradeSmartOperatorBeaconImplCall {
                                newImplementation: c.smart_operator_impl,
                            },
                        ),
                        U256::ZERO,
                    ),
                    UpgradeTarget::Factory => set(c.factory, uups(c.factory_impl), U256::ZERO),
                    UpgradeTarget::WithdrawalVault => set(
                        c.withdrawal_vault,
                        uups(c.withdrawal_vault_impl),
                        U256::ZERO,
                    ),
                    UpgradeTarget::AccountingOracle => set(
                        c.accounting_oracle,
                        uups(c.accounting_oracle_impl),
                        U256::ZERO,
                    ),
                }
            }
            Wait => {}
        }
        if self.is_system() {
            planned.from = system;
        }
        planned.privilege = privilege;
        planned
    }
}

/// Defines [`OpKind`] from one list of the [`Op`] variants: the enum, [`OpKind::ALL`] (in this order, which the
/// libFuzzer input format depends on), [`OpKind::of`] and [`OpKind::name`].
macro_rules! op_kinds {
    ($($kind:ident),* $(,)?) => {
        /// The kinds of [`Op`], for weighting and statistics.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[allow(missing_docs)]
        pub enum OpKind {
            $($kind,)*
        }

        impl OpKind {
            /// Every kind.
            pub const ALL: [OpKind; [$(OpKind::$kind),*].len()] = [$(OpKind::$kind),*];

            /// The kind of `op`.
            pub fn of(op: &Op) -> OpKind {
                match op {
                    $(Op::$kind { .. } => OpKind::$kind,)*
                }
            }

            /// Stable name.
            pub fn name(self) -> &'static str {
                match self {
                    $(OpKind::$kind => stringify!($kind),)*
                }
            }
        }
    };
}

op_kinds!(
    Submit,
    SendToPool,
    DonateToRewardsVault,
    DonateToWithdrawalVault,
    TransferShares,
    ApproveShares,
    TransferSharesFrom,
    RequestWithdrawal,
    RequestRedeem,
    Finalize,
    FinalizeAll,
    SendPendingExit,
    OracleReport,
    ClReward,
    ClPenalty,
    ClProcessWithdrawals,
    MintBgt,
    BgtStakerReward,
    MintIncentives,
    ClaimIncentives,
    ProcessRewards,
    AccrueBgtFees,
    QueueBoost,
    ActivateBoost,
    QueueDropBoost,
    DropBoost,
    RedeemBgt,
    ClaimBgtStakerReward,
    QueueCommission,
    ActivateCommission,
    SetProtocolFee,
    QueueRewardsAllocation,
    QueuePayoutChange,
    GrantRole,
    RevokeRole,
    RenounceRole,
    GrantFeeder,
    PausePool,
    UnpausePool,
    PauseVault,
    UnpauseVault,
    SetMinEffectiveBalance,
    SetOracleBounds,
    SetProtocolFeeRecipient,
    Upgrade,
    Wait,
);
