//! Every op kind, described once: its fields ([`FieldKind`]), its weight in generation, who it needs
//! ([`Needs`]), whether the mutator may move it to another pool (`retarget`), how it reads in a trace (`show`;
//! the derived `Debug` form otherwise) and how it plans to a transaction. Adding an op kind is adding one
//! entry here; generation, mutation, shrinking, the libFuzzer format, descriptions and pool queries follow.
//!
//! The order is the libFuzzer format's full alphabet (selector byte = index, kinds of weight 0 left out):
//! append new generated kinds at the end of the semantic ones, before `Wait`, only together with a format
//! version bump; kinds that are never generated (weight 0) go after `Wait`.

use alloy_primitives::{keccak256, Bytes, Uint, U256};
use serde::{Deserialize, Serialize};

use super::model::{ops, ActorDraw, BgtHolding, FieldKind as K, Holder};
use super::{Amount, Report, Role, UpgradeTarget};
use crate::bindings::{
    IAccessControl, IAccountingOracle, IBeaconDeposit, IBeraChef, IDeploy, IForceSender,
    IIncentiveCollector, IOwnable, ISmartOperator, IStakingPool, IStakingPoolContractsFactory,
    IStakingRewardsVault, IWithdrawalVault, IBGT, IERC20, IUUPS,
};
use crate::world::{World, FIRST_DEPOSIT_AMOUNT};

const ANY: K = K::Actor(ActorDraw::Any);
const WEI: K = K::Amount { div: 1 };
const HELD: K = K::Held {
    div: 1,
    of: Holder::Sender,
};

ops! {
    /// `StakingPool.submit(receiver)` with `amount` BERA.
    Submit { pool: u8 = K::Pool, receiver: u8 = K::Actor(ActorDraw::Receiver), amount: U256 = WEI => mutable }
        weight 18, needs Needs::Anyone, [retarget],
        show |d| format!("{}.submit(receiver={}) value={amount}", d.pool(pool), d.actor(receiver)),
        plan |cx| cx.call(cx.pool().staking_pool, IStakingPool::submitCall { receiver: cx.actor(receiver) }, *amount);
    /// Plain BERA transfer to the pool (`receive()` deposits).
    SendToPool { pool: u8 = K::Pool, amount: U256 = WEI => mutable }
        weight 2, needs Needs::Anyone, [retarget],
        show |d| format!("send {amount} wei to {}", d.pool(pool)),
        plan |cx| cx.send(cx.pool().staking_pool, *amount);
    /// Plain BERA to a pool's StakingRewardsVault (a donation, or an EL reward when the system sends it).
    DonateToRewardsVault { pool: u8 = K::Pool, amount: U256 = WEI => mutable }
        weight 3, needs Needs::Anyone, [retarget],
        show |d| format!("send {amount} wei to {}.rewardsVault", d.pool(pool)),
        plan |cx| cx.send(cx.pool().rewards_vault, *amount);
    /// Plain BERA to the WithdrawalVault.
    DonateToWithdrawalVault { amount: U256 = WEI => mutable }
        weight 1, needs Needs::Anyone,
        show |d| format!("send {amount} wei to WithdrawalVault"),
        plan |cx| cx.send(cx.contracts().withdrawal_vault, *amount);
    /// stBERA `transfer`.
    TransferShares { pool: u8 = K::Pool, to: u8 = ANY, amount: Amount = HELD => mutable }
        weight 2, needs Needs::Anyone,
        show |d| format!("{}.transfer(to={}, {amount})", d.pool(pool), d.actor(to)),
        plan |cx| cx.call(
            cx.pool().staking_pool,
            IERC20::transferCall { to: cx.actor(to), value: cx.shares(amount, cx.caller)? },
            U256::ZERO,
        );
    /// stBERA `approve`.
    ApproveShares { pool: u8 = K::Pool, spender: u8 = ANY, amount: U256 = WEI => mutable }
        weight 1, needs Needs::Anyone,
        show |d| format!("{}.approve({}, {amount})", d.pool(pool), d.actor(spender)),
        plan |cx| cx.call(cx.pool().staking_pool, IERC20::approveCall { spender: cx.actor(spender), value: *amount }, U256::ZERO);
    /// stBERA `transferFrom`; a portion is of what `from` holds, at most what it allows the sender.
    TransferSharesFrom { pool: u8 = K::Pool, from: u8 = K::Actor(ActorDraw::Staker), to: u8 = ANY, amount: Amount = HELD => mutable }
        weight 1, needs Needs::Anyone,
        show |d| format!("{}.transferFrom({}, {}, {amount})", d.pool(pool), d.actor(from), d.actor(to)),
        plan |cx| cx.call(
            cx.pool().staking_pool,
            IERC20::transferFromCall { from: cx.actor(from), to: cx.actor(to), value: cx.allowed_shares(amount, cx.actor(from))? },
            U256::ZERO,
        );
    /// `WithdrawalVault.requestWithdrawal`, paying `value` for the fee; a portion is of the assets the sender can
    /// redeem now (its shares, at most the supply above the locked dead shares).
    RequestWithdrawal {
        pool: u8 = K::Pool,
        amount_gwei: Amount = K::Held { div: 1_000_000_000, of: Holder::Sender } => mutable,
        max_fee: U256 = K::Fee => mutable,
        value: U256 = K::Fee => mutable,
    }
        weight 6, needs Needs::Anyone, [retarget],
        show |d| format!("vault.requestWithdrawal({}, {amount_gwei} gwei, maxFee={max_fee}) value={value}", d.pool(pool)),
        plan |cx| cx.call(
            cx.contracts().withdrawal_vault,
            IWithdrawalVault::requestWithdrawalCall {
                pubkey: cx.pool().pubkey.clone(),
                amountGwei: cx.assets_gwei(amount_gwei, cx.caller)?,
                maxFee: *max_fee,
            },
            *value,
        );
    /// `WithdrawalVault.requestRedeem`, paying `value` for the fee; a portion is of the shares the sender can
    /// redeem now.
    RequestRedeem { pool: u8 = K::Pool, shares: Amount = HELD => mutable, max_fee: U256 = K::Fee => mutable, value: U256 = K::Fee => mutable }
        weight 4, needs Needs::Anyone, [retarget],
        show |d| format!("vault.requestRedeem({}, {shares} shares, maxFee={max_fee}) value={value}", d.pool(pool)),
        plan |cx| cx.call(
            cx.contracts().withdrawal_vault,
            IWithdrawalVault::requestRedeemCall { pubkey: cx.pool().pubkey.clone(), shares: cx.redeemable(shares, cx.caller)?, maxFee: *max_fee },
            *value,
        );
    /// `finalizeWithdrawalRequest(id)`; `id` 0 means the request a holder would finalize, read from state
    /// (`PlanContext::request_to_finalize`: a live request of the sender's, else any live one, the oldest due
    /// first); any other `id` names request `1 + (id - 1) % count`, finalized, not due or someone else's. No
    /// call when no request exists, or for `id` 0 when none is live (ABI calls still try any id).
    Finalize { id: u64 = K::RequestId => mutable }
        weight 5, needs Needs::Anyone,
        plan |cx| {
            let count = cx.world.request_count(cx.views);
            let id = match *id {
                _ if count == 0 => return None,
                0 => cx.request_to_finalize()?,
                id => 1 + (id - 1) % count,
            };
            cx.call(
                cx.contracts().withdrawal_vault,
                IWithdrawalVault::finalizeWithdrawalRequestCall { requestId: U256::from(id) },
                U256::ZERO,
            )
        };
    /// `finalizeWithdrawalRequests([all requests])`.
    FinalizeAll {}
        weight 1, needs Needs::Anyone,
        plan |cx| cx.call(
            cx.contracts().withdrawal_vault,
            IWithdrawalVault::finalizeWithdrawalRequestsCall { requestIds: (1..=cx.world.request_count(cx.views)).map(U256::from).collect() },
            U256::ZERO,
        );
    /// `sendPendingExitRequest` for an exited pool.
    SendPendingExit { pool: u8 = K::Pool, value: U256 = K::Fee }
        weight 1, needs Needs::Anyone,
        plan |cx| cx.call(
            cx.contracts().withdrawal_vault,
            IWithdrawalVault::sendPendingExitRequestCall { pubkey: cx.pool().pubkey.clone(), maxFee: *value },
            *value,
        );
    /// `AccountingOracle.updateTotalDeposits`.
    OracleReport { pool: u8 = K::Pool, report: Report = K::Report => mutable }
        weight 7, needs Needs::Feeder, [retarget],
        show |d| format!("oracle.updateTotalDeposits({}, {report:?})", d.pool(pool)),
        plan |cx| {
            let (actual, last_slot, expected) = cx.world.oracle_inputs(cx.views, cx.pool());
            let (balance_gwei, slot) = report.balance_and_slot(actual, last_slot, expected);
            cx.call(
                cx.contracts().accounting_oracle,
                IAccountingOracle::updateTotalDepositsCall {
                    pubkey: cx.pool().pubkey.clone(),
                    balanceGwei: balance_gwei,
                    refSlot: slot,
                },
                U256::ZERO,
            )
        };
    /// Consensus layer (system): credit rewards to the validator.
    ClReward { pool: u8 = K::Pool, amount: U256 = K::Amount { div: 50 } => mutable }
        weight 4, needs Needs::System, [retarget],
        plan |cx| cx.call(cx.contracts().beacon_deposit, IBeaconDeposit::rewardValidatorCall { pubkey: cx.pool().pubkey.clone() }, *amount);
    /// Consensus layer (system): slash the validator (bounded so requested withdrawals stay payable).
    ClPenalty { pool: u8 = K::Pool, amount: U256 = K::Loss { div: 20 } => mutable }
        weight 1, needs Needs::System,
        plan |cx| {
            // The consensus layer processes requested withdrawals before it slashes below them: keep the
            // validator's balance at or above what was requested and not yet paid.
            let (actual, _, _) = cx.world.oracle_inputs(cx.views, cx.pool());
            let floor = cx.world.pending_cl_withdrawals(cx.views, cx.pool());
            let amount = (*amount).min(actual.saturating_sub(floor));
            cx.call(
                cx.contracts().beacon_deposit,
                IBeaconDeposit::penalizeValidatorCall { pubkey: cx.pool().pubkey.clone(), amount },
                U256::ZERO,
            )
        };
    /// Consensus layer (system): process queued EIP-7002 requests.
    ClProcessWithdrawals { max: u8 = K::Count }
        weight 3, needs Needs::System,
        plan |cx| cx.call(
            cx.contracts().beacon_deposit,
            IBeaconDeposit::processWithdrawalRequestsCall { maxRequests: U256::from(*max) },
            U256::ZERO,
        );
    /// Chain (system): mint BGT to the pool's operator.
    MintBgt { pool: u8 = K::Pool, amount: U256 = K::Amount { div: 10 } => mutable }
        weight 2, needs Needs::System, [retarget],
        plan |cx| cx.call(cx.contracts().bgt, IBGT::mintCall { to: cx.pool().smart_operator, amount: *amount }, *amount);
    /// Chain (system): credit BGT-staker rewards to the pool's operator.
    BgtStakerReward { pool: u8 = K::Pool, amount: U256 = K::Amount { div: 10 } => mutable }
        weight 1, needs Needs::System,
        plan |cx| cx.call(cx.contracts().bgt, IBGT::notifyStakerRewardCall { account: cx.pool().smart_operator }, *amount);
    /// Chain (system): mint incentive tokens to the pool's collector.
    MintIncentives { pool: u8 = K::Pool, amount: U256 = WEI => mutable }
        weight 1, needs Needs::System,
        plan |cx| cx.call(
            cx.contracts().incentive_token,
            IDeploy::mintCall { to: cx.pool().incentive_collector, amount: *amount },
            U256::ZERO,
        );
    /// `IncentiveCollector.claim([token])`, paying `value`.
    ClaimIncentives { pool: u8 = K::Pool, value: U256 = K::Payment }
        weight 1, needs Needs::Anyone,
        plan |cx| cx.call(
            cx.pool().incentive_collector,
            IIncentiveCollector::claimCall { tokens: vec![cx.contracts().incentive_token] },
            *value,
        );
    /// `StakingPool.processRewards()`.
    ProcessRewards { pool: u8 = K::Pool }
        weight 3, needs Needs::Anyone,
        plan |cx| cx.call(cx.pool().staking_pool, IStakingPool::processRewardsCall {}, U256::ZERO);
    /// `SmartOperator.accrueEarnedBGTFees()`.
    AccrueBgtFees { pool: u8 = K::Pool }
        weight 1, needs Needs::Anyone,
        plan |cx| cx.call(cx.pool().smart_operator, ISmartOperator::accrueEarnedBGTFeesCall {}, U256::ZERO);
    /// `SmartOperator.queueBoost()`.
    QueueBoost { pool: u8 = K::Pool }
        weight 1, needs Needs::Anyone,
        plan |cx| cx.call(cx.pool().smart_operator, ISmartOperator::queueBoostCall {}, U256::ZERO);
    /// `SmartOperator.activateBoost()`.
    ActivateBoost { pool: u8 = K::Pool }
        weight 1, needs Needs::Anyone,
        plan |cx| cx.call(cx.pool().smart_operator, ISmartOperator::activateBoostCall {}, U256::ZERO);
    /// `SmartOperator.queueDropBoost(amount)`; `amount` exact (drawn like the BGT amounts minted) or a portion of
    /// the operator's active boost (`BGT.boosts`), saturating at `uint128`.
    QueueDropBoost { pool: u8 = K::Pool, amount: Amount = K::Held { div: 10, of: Holder::Operator } => mutable }
        weight 1, needs Needs::PoolRole(Role::BgtManager),
        show |d| format!("{}.operator.queueDropBoost({})", d.pool(pool), amount.describe("the boost")),
        plan |cx| cx.call(
            cx.pool().smart_operator,
            ISmartOperator::queueDropBoostCall { amount: cx.operator_bgt(amount, BgtHolding::Boosted)?.saturating_to() },
            U256::ZERO,
        );
    /// `SmartOperator.dropBoost()`.
    DropBoost { pool: u8 = K::Pool }
        weight 1, needs Needs::Anyone,
        plan |cx| cx.call(cx.pool().smart_operator, ISmartOperator::dropBoostCall {}, U256::ZERO);
    /// `SmartOperator.redeemBGT(amount)`; `amount` exact or a portion of the operator's unboosted BGT
    /// (`BGT.unboostedBalanceOf`).
    RedeemBgt { pool: u8 = K::Pool, amount: Amount = K::Held { div: 10, of: Holder::Operator } => mutable }
        weight 2, needs Needs::PoolRole(Role::BgtManager),
        show |d| format!("{}.operator.redeemBGT({})", d.pool(pool), amount.describe("the unboosted BGT")),
        plan |cx| cx.call(
            cx.pool().smart_operator,
            ISmartOperator::redeemBGTCall { amount: cx.operator_bgt(amount, BgtHolding::Unboosted)? },
            U256::ZERO,
        );
    /// `SmartOperator.claimBgtStakerReward()`.
    ClaimBgtStakerReward { pool: u8 = K::Pool }
        weight 1, needs Needs::Anyone,
        plan |cx| cx.call(cx.pool().smart_operator, ISmartOperator::claimBgtStakerRewardCall {}, U256::ZERO);
    /// `SmartOperator.queueValCommission(bps)`.
    QueueCommission { pool: u8 = K::Pool, bps: u16 = K::Bps { max: 2600 } => mutable }
        weight 2, needs Needs::PoolRole(Role::CommissionManager),
        plan |cx| cx.call(cx.pool().smart_operator, ISmartOperator::queueValCommissionCall { bps: Uint::from(*bps) }, U256::ZERO);
    /// `BeraChef.activateQueuedValCommission(pubkey)`.
    ActivateCommission { pool: u8 = K::Pool }
        weight 2, needs Needs::Anyone,
        plan |cx| cx.call(
            cx.contracts().bera_chef,
            IBeraChef::activateQueuedValCommissionCall { valPubkey: cx.pool().pubkey.clone() },
            U256::ZERO,
        );
    /// `SmartOperator.setProtocolFeePercentage(bps)`.
    SetProtocolFee { pool: u8 = K::Pool, bps: u16 = K::Bps { max: 2600 } => mutable }
        weight 2, needs Needs::PoolRole(Role::ProtocolFeeManager),
        plan |cx| cx.call(cx.pool().smart_operator, ISmartOperator::setProtocolFeePercentageCall { bps: U256::from(*bps) }, U256::ZERO);
    /// `SmartOperator.queueRewardsAllocation` (one receiver at 100%).
    QueueRewardsAllocation { pool: u8 = K::Pool, receiver: u8 = ANY }
        weight 1, needs Needs::PoolRole(Role::RewardsAllocationManager),
        plan |cx| cx.call(
            cx.pool().smart_operator,
            ISmartOperator::queueRewardsAllocationCall {
                startBlock: cx.world.chain.block_number() + 100,
                weights: vec![ISmartOperator::RewardWeight { receiver: cx.actor(receiver), percentageNumerator: Uint::from(10_000) }],
            },
            U256::ZERO,
        );
    /// `SmartOperator.queueIncentiveCollectorPayoutAmountChange(amount)`.
    QueuePayoutChange { pool: u8 = K::Pool, amount: U256 = WEI => mutable }
        weight 1, needs Needs::PoolRole(Role::IncentiveCollectorManager),
        plan |cx| cx.call(
            cx.pool().smart_operator,
            ISmartOperator::queueIncentiveCollectorPayoutAmountChangeCall { newPayoutAmount: *amount },
            U256::ZERO,
        );
    /// `grantRole(role, account)` on the pool's SmartOperator.
    GrantRole { pool: u8 = K::Pool, role: Role = K::Role, account: u8 = ANY }
        weight 2, needs Needs::PoolRole(role.admin()),
        show |d| format!("{}.operator.grantRole({}, {})", d.pool(pool), role.solidity_name(), d.actor(account)),
        plan |cx| cx.call(cx.pool().smart_operator, IAccessControl::grantRoleCall { role: role.id(), account: cx.actor(account) }, U256::ZERO);
    /// `revokeRole(role, account)` on the pool's SmartOperator.
    RevokeRole { pool: u8 = K::Pool, role: Role = K::Role, account: u8 = ANY }
        weight 1, needs Needs::PoolRole(role.admin()),
        show |d| format!("{}.operator.revokeRole({}, {})", d.pool(pool), role.solidity_name(), d.actor(account)),
        plan |cx| cx.call(cx.pool().smart_operator, IAccessControl::revokeRoleCall { role: role.id(), account: cx.actor(account) }, U256::ZERO);
    /// `renounceRole(role, caller)` on the pool's SmartOperator.
    RenounceRole { pool: u8 = K::Pool, role: Role = K::Role }
        weight 1, needs Needs::Anyone,
        show |d| format!("{}.operator.renounceRole({})", d.pool(pool), role.solidity_name()),
        plan |cx| cx.call(
            cx.pool().smart_operator,
            IAccessControl::renounceRoleCall { role: role.id(), callerConfirmation: cx.caller },
            U256::ZERO,
        );
    /// Oracle `grantRole(FEEDER_ROLE, account)`.
    GrantFeeder { account: u8 = ANY }
        weight 1, needs Needs::Governance,
        show |d| format!("oracle.grantRole(FEEDER_ROLE, {})", d.actor(account)),
        plan |cx| cx.call(
            cx.contracts().accounting_oracle,
            IAccessControl::grantRoleCall { role: keccak256("FEEDER_ROLE"), account: cx.actor(account) },
            U256::ZERO,
        );
    /// `StakingPool.pause()`.
    PausePool { pool: u8 = K::Pool }
        weight 1, needs Needs::Governance,
        plan |cx| cx.call(cx.pool().staking_pool, IStakingPool::pauseCall {}, U256::ZERO);
    /// `StakingPool.unpause()`.
    UnpausePool { pool: u8 = K::Pool }
        weight 1, needs Needs::Governance,
        plan |cx| cx.call(cx.pool().staking_pool, IStakingPool::unpauseCall {}, U256::ZERO);
    /// `WithdrawalVault.pause()`.
    PauseVault {}
        weight 1, needs Needs::Governance,
        plan |cx| cx.call(cx.contracts().withdrawal_vault, IWithdrawalVault::pauseCall {}, U256::ZERO);
    /// `WithdrawalVault.unpause()`.
    UnpauseVault {}
        weight 1, needs Needs::Governance,
        plan |cx| cx.call(cx.contracts().withdrawal_vault, IWithdrawalVault::unpauseCall {}, U256::ZERO);
    /// `StakingPool.setMinEffectiveBalance(value)`.
    SetMinEffectiveBalance { pool: u8 = K::Pool, value: U256 = WEI }
        weight 1, needs Needs::Governance,
        plan |cx| cx.call(cx.pool().staking_pool, IStakingPool::setMinEffectiveBalanceCall { value: *value }, U256::ZERO);
    /// `AccountingOracle.setBounds(up, down)`.
    SetOracleBounds { up: u16 = K::Bps { max: 1000 }, down: u16 = K::Bps { max: 3000 } }
        weight 1, needs Needs::Governance,
        plan |cx| cx.call(
            cx.contracts().accounting_oracle,
            IAccountingOracle::setBoundsCall { maxIncreaseBps: U256::from(*up), maxDecreaseBps: U256::from(*down) },
            U256::ZERO,
        );
    /// `Factory.setProtocolFeeRecipient(account)`.
    SetProtocolFeeRecipient { account: u8 = ANY }
        weight 1, needs Needs::Governance,
        show |d| format!("factory.setProtocolFeeRecipient({})", d.actor(account)),
        plan |cx| cx.call(
            cx.contracts().factory,
            IStakingPoolContractsFactory::setProtocolFeeRecipientCall { recipient: cx.actor(account) },
            U256::ZERO,
        );
    /// An upgrade attempt to a fresh copy of the target's own implementation (`Contracts::upgrade_copies`): the
    /// code is the same, so after an authorised upgrade every invariant must still hold.
    Upgrade { target: UpgradeTarget = K::Target }
        weight 1, needs Needs::Governance,
        plan |cx| {
            let c = cx.contracts();
            let copies = &c.upgrade_copies;
            let uups = |to, implementation| {
                cx.call(to, IUUPS::upgradeToAndCallCall { newImplementation: implementation, data: Bytes::new() }, U256::ZERO)
            };
            match target {
                UpgradeTarget::StakingPoolBeacon => cx.call(
                    c.factory,
                    IStakingPoolContractsFactory::upgradeStakingPoolBeaconImplCall { newImplementation: copies.staking_pool },
                    U256::ZERO,
                ),
                UpgradeTarget::SmartOperatorBeacon => cx.call(
                    c.factory,
                    IStakingPoolContractsFactory::upgradeSmartOperatorBeaconImplCall { newImplementation: copies.smart_operator },
                    U256::ZERO,
                ),
                UpgradeTarget::Factory => uups(c.factory, copies.factory),
                UpgradeTarget::WithdrawalVault => uups(c.withdrawal_vault, copies.withdrawal_vault),
                UpgradeTarget::AccountingOracle => uups(c.accounting_oracle, copies.accounting_oracle),
            }
        };
    /// A call of any state-changing entry point of any deployed contract (`World::entry_points`, from the
    /// compiled ABIs), its arguments read from `args` by the function's parameter types, `value` sent when it
    /// is payable: functions nobody wrote an op for are called too.
    AbiCall { entry: u16 = K::EntryPoint, args: Vec<U256> = K::Words => mutable, value: U256 = WEI => mutable }
        weight 12, needs Needs::Anyone,
        show |d| d.abi_call(entry, args, value),
        plan |cx| cx.abi_call(entry, args, value);
    /// Arms a contract actor's callbacks (`receive`, `fallback`, `onERC721Received`): accept, revert, burn all
    /// gas, re-enter once with an ABI call of `entry` (arguments from `args`, `value` of its own BERA), or
    /// re-enter once repeating the call it is making.
    ArmHook { actor: u8 = K::Actor(ActorDraw::Contract), mode: u8 = K::Hook, entry: u16 = K::EntryPoint, args: Vec<U256> = K::Words => mutable, value: U256 = WEI => mutable }
        weight 4, needs Needs::Anyone,
        show |d| d.arm_hook(actor, mode, entry, args, value),
        plan |cx| cx.arm_hook(actor, mode, entry, args, value);
    /// `amount` BERA delivered to any address-book account without calling it (a self-destruct).
    ForceSend { to: u8 = K::Account, amount: U256 = WEI => mutable }
        weight 2, needs Needs::Anyone,
        show |d| format!("force {amount} wei to {} (self-destruct)", d.account(to)),
        plan |cx| cx.call(cx.contracts().force_sender, IForceSender::forceCall { to: cx.account(to) }, *amount);
    /// `finalizeWithdrawalRequests` of up to `max` requests that are due and not finalized, oldest first
    /// (`finalizeWithdrawalRequest` for one): the ids a keeper reads from state, whoever holds them. No call
    /// when none is due.
    FinalizeDue { max: u8 = K::Count }
        weight 3, needs Needs::Anyone,
        plan |cx| {
            let ids = cx.due_requests(usize::from(*max).max(1));
            match ids.as_slice() {
                [] => None,
                [id] => cx.call(
                    cx.contracts().withdrawal_vault,
                    IWithdrawalVault::finalizeWithdrawalRequestCall { requestId: U256::from(*id) },
                    U256::ZERO,
                ),
                _ => cx.call(
                    cx.contracts().withdrawal_vault,
                    IWithdrawalVault::finalizeWithdrawalRequestsCall { requestIds: ids.iter().map(|id| U256::from(*id)).collect() },
                    U256::ZERO,
                ),
            }
        };
    /// Ownership of an Ownable suite contract moves: the factory's (`Factory`) or the WithdrawalVault's
    /// (`WithdrawalVault`) `transferOwnership(to)`, or `renounceOwnership()` when `to` is the zero address (the
    /// other targets own nothing transferable: no call). Governance may do this, and every check reads who governs
    /// from storage, so the campaign goes on with the new owner, or none. Not to a contract actor armed to re-enter
    /// with a privileged call (`PlanContext::restricted_reentry_armed`).
    TransferOwnership { target: UpgradeTarget = K::Target, to: u8 = K::Account }
        weight 1, needs Needs::Governance,
        show |d| format!("{target:?}.transferOwnership({})", d.account(to)),
        plan |cx| {
            let contract = match target {
                UpgradeTarget::Factory => cx.contracts().factory,
                UpgradeTarget::WithdrawalVault => cx.contracts().withdrawal_vault,
                _ => return None,
            };
            match cx.account(to) {
                to if to.is_zero() => cx.call(contract, IOwnable::renounceOwnershipCall {}, U256::ZERO),
                to if cx.restricted_reentry_armed(to) => None,
                to => cx.call(contract, IOwnable::transferOwnershipCall { newOwner: to }, U256::ZERO),
            }
        };
    /// A roll to the first block at which something queued falls due, read from state
    /// (`PlanContext::blocks_until_due`: a withdrawal request's finalization, a commission's activation, a queued
    /// boost's or drop's end); no call,
    /// and no roll when nothing queued is still to fall due. Where a fixed roll is a guess among the suite's delays,
    /// this one lands on the block itself.
    WaitUntilDue {}
        weight 2, needs Needs::Anyone,
        show |d| "roll until the next queued item is due".to_string(),
        plan |cx| {
            if let Some(blocks) = cx.blocks_until_due() {
                cx.wait(blocks);
            }
            None
        };
    /// `Factory.deployStakingPoolContracts` of the new pool (`World::new_pool`: a fresh pubkey, SPEC's
    /// credentials), paying FIRST_DEPOSIT_AMOUNT, naming `admin` as its validator admin and `recipient` as its
    /// default shares recipient (either may be the zero address). Whoever sends it pays.
    DeployPool { admin: u8 = K::Account, recipient: u8 = K::Account }
        weight 1, needs Needs::Anyone,
        show |d| format!("factory.deployStakingPoolContracts(newPool, admin={}, recipient={}) value=FIRST_DEPOSIT_AMOUNT", d.account(admin), d.account(recipient)),
        plan |cx| {
            let new = &cx.world.new_pool;
            cx.call(
                cx.contracts().factory,
                IStakingPoolContractsFactory::deployStakingPoolContractsCall {
                    pubkey: new.pubkey.clone(),
                    credentials: new.credentials.clone(),
                    signature: vec![0xab; 96].into(),
                    validatorAdmin: cx.account(admin),
                    defaultSharesRecipient: cx.account(recipient),
                },
                FIRST_DEPOSIT_AMOUNT,
            )
        };
    /// `AccountingOracle.updateTotalDeposits` for the new pool's validator, by `report` ([`Report`]: its balance at
    /// BeaconDeposit, at the refSlot after the last, when honest). Sequences saved before the field existed send
    /// the honest report, and an honest report is saved as they were (so their content names do not change).
    OracleReportNewPool {
        #[serde(default, skip_serializing_if = "Report::is_honest")] report: Report = K::Report => mutable
    }
        weight 1, needs Needs::Feeder,
        show |d| format!("oracle.updateTotalDeposits(newPool, {report:?})"),
        plan |cx| {
            let new_pool = &cx.world.new_pool;
            let (actual, last_slot) = cx.world.validator_and_last_slot(cx.views, &new_pool.pubkey);
            // Only a move of the books reads them.
            let expected = match report {
                Report::Delta(_) => cx
                    .world
                    .view(new_pool.predicted.staking_pool, &IStakingPool::expectedClBalanceCall {})
                    .unwrap_or_default(),
                _ => U256::ZERO,
            };
            let (balance_gwei, slot) = report.balance_and_slot(actual, last_slot, expected);
            cx.call(
                cx.contracts().accounting_oracle,
                IAccountingOracle::updateTotalDepositsCall {
                    pubkey: new_pool.pubkey.clone(),
                    balanceGwei: balance_gwei,
                    refSlot: slot,
                },
                U256::ZERO,
            )
        };
    /// `Factory.activateStakingPool` of the new pool.
    ActivatePool {}
        weight 1, needs Needs::Anyone,
        show |d| "factory.activateStakingPool(newPool)".to_string(),
        plan |cx| cx.call(
            cx.contracts().factory,
            IStakingPoolContractsFactory::activateStakingPoolCall { pubkey: cx.world.new_pool.pubkey.clone() },
            U256::ZERO,
        );
    /// Chain (system): incentive tokens minted to the pool's StakingRewardsVault, standing for an ERC-20 sent to it
    /// by mistake, which governance may recover.
    SendTokensToRewardsVault { pool: u8 = K::Pool, amount: U256 = WEI => mutable }
        weight 1, needs Needs::System,
        plan |cx| cx.call(
            cx.contracts().incentive_token,
            IDeploy::mintCall { to: cx.pool().rewards_vault, amount: *amount },
            U256::ZERO,
        );
    /// `StakingRewardsVault.recoverERC20(incentiveToken, to, amount)`; `amount` exact or a portion of what the
    /// vault holds.
    RecoverTokens { pool: u8 = K::Pool, to: u8 = K::Account, amount: Amount = K::Held { div: 1, of: Holder::RewardsVault } => mutable }
        weight 1, needs Needs::Governance,
        show |d| format!("{}.rewardsVault.recoverERC20(incentiveToken, {}, {})", d.pool(pool), d.account(to), amount.describe("its tokens")),
        plan |cx| cx.call(
            cx.pool().rewards_vault,
            IStakingRewardsVault::recoverERC20Call {
                token: cx.contracts().incentive_token,
                to: cx.account(to),
                amount: cx.rewards_vault_tokens(amount)?,
            },
            U256::ZERO,
        );
    /// Only the roll: no call.
    Wait {}
        weight 3, needs Needs::Anyone,
        plan |cx| None;
    /// A call of entry point `entry` (`World::entry_points`) with its arguments exactly as given (`words`: their
    /// ABI encoding after the selector, 32 bytes a word), by the action's sender whatever it holds, `value` sent
    /// to a payable one. Never generated (weight 0, in no libFuzzer alphabet): a privileged sender may
    /// legitimately pass anything (an upgrade to any address), which a campaign would read as a violation.
    /// `poolguard console` writes it for `call …`, and so can a person.
    Call { entry: u16 = K::EntryPoint, words: Vec<U256> = K::Words, value: U256 = WEI }
        weight 0, needs Needs::Anyone,
        show |d| d.exact_call(entry, words, value),
        plan |cx| cx.exact_call(entry, words, value);
}
