//! What the harness observes of the world after each step, and what it records of the step itself.

use alloy_primitives::{Address, U256};
use serde::{Deserialize, Serialize};

/// A role of a pool's SmartOperator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Role {
    /// DEFAULT_ADMIN_ROLE (governance).
    DefaultAdmin,
    /// VALIDATOR_ADMIN_ROLE.
    ValidatorAdmin,
    /// COMMISSION_MANAGER_ROLE.
    CommissionManager,
    /// PROTOCOL_FEE_MANAGER_ROLE.
    ProtocolFeeManager,
    /// REWARDS_ALLOCATION_MANAGER_ROLE.
    RewardsAllocationManager,
    /// INCENTIVE_COLLECTOR_MANAGER_ROLE.
    IncentiveCollectorManager,
    /// BGT_MANAGER_ROLE.
    BgtManager,
}

impl Role {
    /// Every SmartOperator role, in [`PoolObservation::roles`] order.
    pub const ALL: [Role; 7] = [
        Role::DefaultAdmin,
        Role::ValidatorAdmin,
        Role::CommissionManager,
        Role::ProtocolFeeManager,
        Role::RewardsAllocationManager,
        Role::IncentiveCollectorManager,
        Role::BgtManager,
    ];

    /// The Solidity constant's name.
    pub fn solidity_name(self) -> &'static str {
        match self {
            Role::DefaultAdmin => "DEFAULT_ADMIN_ROLE",
            Role::ValidatorAdmin => "VALIDATOR_ADMIN_ROLE",
            Role::CommissionManager => "COMMISSION_MANAGER_ROLE",
            Role::ProtocolFeeManager => "PROTOCOL_FEE_MANAGER_ROLE",
            Role::RewardsAllocationManager => "REWARDS_ALLOCATION_MANAGER_ROLE",
            Role::IncentiveCollectorManager => "INCENTIVE_COLLECTOR_MANAGER_ROLE",
            Role::BgtManager => "BGT_MANAGER_ROLE",
        }
    }

    /// The role id: `keccak256("NAME")`, or zero for DEFAULT_ADMIN_ROLE.
    pub fn id(self) -> alloy_primitives::B256 {
        match self {
            Role::DefaultAdmin => alloy_primitives::B256::ZERO,
            other => alloy_primitives::keccak256(other.solidity_name()),
        }
    }

    /// The role that administers this one (the spec's hierarchy).
    pub fn admin(self) -> Role {
        match self {
            Role::DefaultAdmin | Role::ValidatorAdmin => Role::DefaultAdmin,
            _ => Role::ValidatorAdmin,
        }
    }

    /// Position in [`Role::ALL`].
    pub fn index(self) -> usize {
        Role::ALL.iter().position(|r| *r == self).unwrap_or(0)
    }
}

/// The privilege a call needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Privilege {
    /// The owner of the factory, the WithdrawalVault and the AccountingOracle.
    Governance,
    /// A role on one pool's SmartOperator.
    PoolRole {
        /// Pool index.
        pool: usize,
        /// The role.
        role: Role,
    },
    /// The oracle's FEEDER_ROLE.
    Feeder,
}

/// A role-membership operation a step attempted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RoleOp {
    /// `grantRole(role, account)` on `pool`'s SmartOperator.
    Grant {
        /// Pool index.
        pool: usize,
        /// Role.
        role: Role,
        /// Account index.
        account: usize,
    },
    /// `revokeRole(role, account)`.
    Revoke {
        /// Pool index.
        pool: usize,
        /// Role.
        role: Role,
        /// Account index.
        account: usize,
    },
    /// `renounceRole(role, caller)`.
    Renounce {
        /// Pool index.
        pool: usize,
        /// Role.
        role: Role,
    },
}

/// One pool's state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolObservation {
    /// The pool's StakingPool (its stBERA token).
    #[serde(default)]
    pub staking_pool: Address,
    /// The pool's StakingRewardsVault.
    #[serde(default)]
    pub rewards_vault: Address,
    /// The pool's IncentiveCollector.
    #[serde(default)]
    pub incentive_collector: Address,
    /// stBERA totalSupply.
    pub total_supply: U256,
    /// totalAssets().
    pub total_assets: U256,
    /// totalDeposits.
    pub total_deposits: U256,
    /// bufferedAssets.
    pub buffered_assets: U256,
    /// pendingRewardsNetOfFees().
    pub pending_rewards_net: U256,
    /// SmartOperator.rebaseableBgtAmount().
    pub rebaseable_bgt: U256,
    /// deadShares.
    pub dead_shares: U256,
    /// frozenTotalAssets.
    pub frozen_total_assets: U256,
    /// minEffectiveBalance.
    pub min_effective_balance: U256,
    /// minEffectiveBalanceReached.
    pub min_effective_balance_reached: bool,
    /// isActive.
    pub is_active: bool,
    /// isFullyExited.
    pub is_fully_exited: bool,
    /// paused().
    pub paused: bool,
    /// BERA held by the pool contract.
    pub pool_balance: U256,
    /// BERA held by the StakingRewardsVault.
    pub rewards_vault_balance: U256,
    /// StakingRewardsVault.prechargedAmount().
    pub precharged: U256,
    /// BGT held by the SmartOperator.
    pub operator_bgt: U256,
    /// SmartOperator.lastAccruedBgtBalance().
    pub last_accrued_bgt: U256,
    /// Active commission (bps), read from the BeraChef stand-in (`getValCommissionOnIncentiveTokens`), not from
    /// the SmartOperator's `feeRates()` that the pool charges with: a suite that charges another rate than the
    /// active one must not move the rate its fees are checked against.
    pub commission_bps: U256,
    /// Queued, not yet active commission (bps) in BeraChef.
    pub queued_commission_bps: U256,
    /// protocolFeePercentage in storage (bps).
    pub protocol_fee_bps: U256,
    /// Protocol fee SPEC says is charged: `protocol_fee_bps`, or 0 while the factory has no recipient. Computed
    /// by the harness from the two getters, not read from `feeRates()`.
    pub effective_protocol_fee_bps: U256,
    /// Who receives the protocol fee shares (the factory's `protocolFeeRecipient()` getter).
    pub protocol_fee_recipient: Address,
    /// The validator's consensus-layer balance (BeaconDeposit).
    pub cl_balance: U256,
    /// pendingClWithdrawals().
    pub pending_cl_withdrawals: U256,
    /// expectedClBalance().
    pub expected_cl_balance: U256,
    /// clWithdrawalsRequested(): consensus-layer withdrawals the pool ever asked for (a getter).
    #[serde(default)]
    pub cl_withdrawals_requested: U256,
    /// The BeaconDeposit stand-in's `withdrawnAmount(pubkey)`: what the consensus layer paid out.
    #[serde(default)]
    pub cl_withdrawn: U256,
    /// WithdrawalVault.poolFunds(pubkey).
    pub vault_funds: U256,
    /// The WithdrawalVault's `_funds[keccak256(pubkey)]`, read from storage (slot from the compiled layout), not
    /// through `poolFunds()`: the BERA its books hold for the pool's requests.
    #[serde(default)]
    pub vault_funds_booked: U256,
    /// The WithdrawalVault's `_attributedWithdrawn[keccak256(pubkey)]`, from storage: the consensus-layer payouts
    /// already moved into `_funds`.
    #[serde(default)]
    pub vault_withdrawn_attributed: U256,
    /// WithdrawalVault.poolOwed(pubkey).
    pub vault_owed: U256,
    /// The oracle's last accepted report for the pool.
    pub last_report: LastReport,
    /// The recipient of commission shares (as an actor index, if it is one).
    pub default_shares_recipient: Address,
    /// stBERA balance of each actor, in actor order.
    pub share_balances: Vec<U256>,
    /// stBERA held by every other address an action can name (the world's contracts, the zero address):
    /// shares sent to a contract still count toward the supply.
    #[serde(default)]
    pub other_share_balances: U256,
    /// `roles[r][a]`: whether actor `a` holds [`Role::ALL`]`[r]`.
    pub roles: Vec<Vec<bool>>,
    /// The four ERC-4626 previews of one probe amount.
    pub previews: Previews,
    /// ERC-4626's conversions of the same probe.
    #[serde(default)]
    pub conversions: Conversions,
    /// The block at which BeraChef's queued commission for the validator was queued (0: none queued).
    #[serde(default)]
    pub commission_queued_block: u64,
    /// BeraChef's queued reward allocation for the validator (a stand-in of the chain, not under test).
    #[serde(default)]
    pub queued_allocation: QueuedAllocation,
    /// The operator's BGT that is neither boosted nor queued to boost (`BGT.unboostedBalanceOf`, the chain's
    /// stand-in): what `redeemBGT` may redeem.
    #[serde(default)]
    pub operator_unboosted_bgt: U256,
    /// `IncentiveCollector.payoutAmount()`: what a claim must pay.
    #[serde(default)]
    pub payout_amount: U256,
    /// `IncentiveCollector.queuedPayoutAmount()`: the payout the next claim applies (0: none queued).
    #[serde(default)]
    pub queued_payout_amount: U256,
    /// The incentive token's balance of the pool's IncentiveCollector (the chain's token, not under test).
    #[serde(default)]
    pub collector_incentive_tokens: U256,
    /// The BGT-staker reward BGT (the chain's stand-in, not under test) holds for the pool's SmartOperator
    /// (`stakerRewards`), which anyone's `claimBgtStakerReward()` forwards to the rewards vault.
    #[serde(default)]
    pub operator_staker_reward: U256,
    /// The incentive token's balance of the pool's StakingRewardsVault (tokens sent to it by mistake, which
    /// governance may recover).
    #[serde(default)]
    pub rewards_vault_tokens: U256,
    /// The boost the operator has queued at BGT for the validator (the stand-in's storage).
    #[serde(default)]
    pub boost_queue: BgtQueue,
    /// The boost drop the operator has queued at BGT for the validator (the stand-in's storage).
    #[serde(default)]
    pub drop_queue: BgtQueue,
    /// `BGT.boostees(pubkey)`: the BGT boosting the validator (the stand-in's view).
    #[serde(default)]
    pub boostees: U256,
}

/// The BGT stand-in's delays, in blocks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BgtDelays {
    /// `activateBoostDelay()`.
    pub activate: u64,
    /// `dropBoostDelay()`.
    pub drop: u64,
}

/// A boost or boost drop queued at the BGT stand-in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BgtQueue {
    /// The block it was queued at, as the stand-in keeps it (a uint32).
    pub block: u64,
    /// The amount queued (0: none).
    pub amount: U256,
}

/// A reward allocation queued at BeraChef for a validator.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedAllocation {
    /// The block from which it applies (0: none queued).
    pub start_block: u64,
    /// How many weights it has.
    pub weights: U256,
}

impl Observation {
    /// The WithdrawalVault's requests at the consensus layer (the stand-in's queue) for pool `pool`'s validator:
    /// whether the consensus layer has processed each, and the gwei it asks for (0: the whole balance). Only the
    /// vault's count: it is the validator's withdrawal credentials, the only source the consensus layer honours.
    fn vault_cl_asks(&self, pool: usize) -> impl Iterator<Item = (bool, u64)> + '_ {
        self.cl_requests
            .iter()
            .enumerate()
            .filter(move |(_, r)| r.pool == Some(pool) && r.source == self.withdrawal_vault)
            .map(|(k, r)| (k < self.cl_requests_processed, r.amount_gwei))
    }

    /// Whether the WithdrawalVault has queued pool `pool`'s exit at the consensus layer (a request for its
    /// validator's whole balance, amount 0), processed or not.
    pub fn vault_exit_queued(&self, pool: usize) -> bool {
        self.vault_cl_asks(pool).any(|(_, gwei)| gwei == 0)
    }

    /// What the consensus layer will still pay pool `pool` for partial withdrawals, read from the WithdrawalRequests
    /// stand-in rather than from the pool's books: the amounts of the vault's unprocessed requests for the pool's
    /// validator, a 0-gwei (whole balance) request counting as the validator's balance (not capped at it: the part
    /// the validator cannot pay is the caller's to judge).
    pub fn queued_cl_withdrawals(&self, pool: usize) -> U256 {
        let whole = self.pools.get(pool).map_or(U256::ZERO, |p| p.cl_balance);
        self.vault_cl_asks(pool)
            .filter(|(processed, _)| !processed)
            .map(|(_, gwei)| {
                if gwei == 0 {
                    whole
                } else {
                    U256::from(gwei) * U256::from(crate::formulas::GWEI)
                }
            })
            .fold(U256::ZERO, U256::saturating_add)
    }

    /// What the consensus layer processed for pool `pool`'s partial withdrawal requests and did not pay (the
    /// validator's balance was short when it processed them): the amounts of the vault's processed requests for
    /// the pool's validator, less what the BeaconDeposit stand-in says it paid out.
    pub fn unpaid_processed_cl_withdrawals(&self, pool: usize) -> U256 {
        let paid = self.pools.get(pool).map_or(U256::ZERO, |p| p.cl_withdrawn);
        self.vault_cl_asks(pool)
            .filter(|(processed, _)| *processed)
            .map(|(_, gwei)| U256::from(gwei) * U256::from(crate::formulas::GWEI))
            .fold(U256::ZERO, U256::saturating_add)
            .saturating_sub(paid)
    }
}

impl PoolObservation {
    /// The pool's funds in the WithdrawalVault recomputed from storage and the consensus-layer stand-in: the BERA
    /// booked in `_funds` plus what the BeaconDeposit stand-in paid out for the pubkey and the vault has not yet
    /// booked (payouts arrive without a call, so the vault books them lazily).
    pub fn vault_funds_in_storage(&self) -> U256 {
        self.vault_funds_booked.saturating_add(
            self.cl_withdrawn
                .saturating_sub(self.vault_withdrawn_attributed),
        )
    }

    /// The validator balance the pool's books imply, computed by the harness as SPEC defines it: `totalDeposits`
    /// plus the consensus-layer withdrawals requested and not yet paid (floored at 0), from the getters and the
    /// BeaconDeposit stand-in rather than from the suite's `expectedClBalance()`, which the oracle's bounds are
    /// centred on and which ORACLE-003 therefore must not trust. `None` past 2^256.
    pub fn books_cl_balance(&self) -> Option<U256> {
        self.total_deposits.checked_add(
            self.cl_withdrawals_requested
                .saturating_sub(self.cl_withdrawn),
        )
    }
}

/// `AccountingOracle.getLastReport(pubkey)`: the last accepted report of a pool.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastReport {
    /// Its balance (wei).
    pub balance: U256,
    /// Its refSlot.
    pub ref_slot: U256,
}

/// The oracle's bounds: how far one non-zero report may move a pool's balance from the books, in bps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OracleBounds {
    /// `maxIncreaseBps()`.
    pub max_increase_bps: U256,
    /// `maxDecreaseBps()`.
    pub max_decrease_bps: U256,
}

/// The ERC-4626 previews of one probe amount.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Previews {
    /// The probe (assets for deposit/withdraw, shares for mint/redeem).
    pub probe: U256,
    /// `previewDeposit(probe)`.
    pub deposit: U256,
    /// `previewMint(probe)`.
    pub mint: U256,
    /// `previewWithdraw(probe)`.
    pub withdraw: U256,
    /// `previewRedeem(probe)`.
    pub redeem: U256,
}

/// `convertToShares(probe)` and `convertToAssets(probe)`: both round down (ERC-4626).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversions {
    /// convertToShares of the probe.
    pub to_shares: U256,
    /// convertToAssets of the probe.
    pub to_assets: U256,
}

/// One withdrawal request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestObservation {
    /// Pool index of the request's pubkey (None if it matches no pool).
    pub pool: Option<usize>,
    /// Beneficiary.
    pub user: Address,
    /// assetsRequested.
    pub assets: U256,
    /// sharesBurnt.
    pub shares: U256,
    /// requestBlock.
    pub block: u64,
    /// Finalized?
    pub finalized: bool,
    /// The owner of the request's id, read from the vault's ERC-721 storage (`_owners`; zero once burnt).
    #[serde(default)]
    pub owner: Address,
}

/// One consensus-layer withdrawal request queued at the EIP-7002 predeploy (the WithdrawalRequests stand-in,
/// which is not under test): who asked, for which validator, for how much.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClRequestObservation {
    /// The account that queued it (the WithdrawalVault, unless someone called the predeploy directly).
    pub source: Address,
    /// Pool index of the request's validator pubkey (None if it matches no pool).
    pub pool: Option<usize>,
    /// The amount asked for, in gwei; 0 asks for the validator's whole balance (a full exit).
    pub amount_gwei: u64,
}

/// Which contract that only passes BERA on a [`ForwarderBalance`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Forwarder {
    /// A pool's SmartOperator.
    SmartOperator {
        /// The pool.
        pool: usize,
    },
    /// A pool's IncentiveCollector.
    IncentiveCollector {
        /// The pool.
        pool: usize,
    },
    /// The AccountingOracle.
    AccountingOracle,
    /// The StakingPoolContractsFactory.
    Factory,
}

impl std::fmt::Display for Forwarder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Forwarder::SmartOperator { pool } => write!(f, "pool{pool}.SmartOperator"),
            Forwarder::IncentiveCollector { pool } => write!(f, "pool{pool}.IncentiveCollector"),
            Forwarder::AccountingOracle => f.write_str("AccountingOracle"),
            Forwarder::Factory => f.write_str("StakingPoolContractsFactory"),
        }
    }
}

/// The BERA balance of a contract that must not keep BERA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForwarderBalance {
    /// The contract.
    pub contract: Address,
    /// What it is.
    pub forwarder: Forwarder,
    /// Its BERA balance.
    pub balance: U256,
}

/// The world after a step.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observation {
    /// Block number.
    pub block: u64,
    /// Pools in world order.
    pub pools: Vec<PoolObservation>,
    /// Actors, in the order every per-actor vector uses.
    pub actors: Vec<Address>,
    /// Accounts that start with no role, ownership or system address of the suite (the attacker and the
    /// contract actors).
    #[serde(default)]
    pub outsiders: Vec<Address>,
    /// The contract actors: actors that are contracts, whose callbacks may refuse BERA or re-enter.
    #[serde(default)]
    pub contract_actors: Vec<Address>,
    /// Every other account whose stBERA balance is observed (the address book less the actors), the holders
    /// behind each pool's `other_share_balances`.
    #[serde(default)]
    pub other_holders: Vec<Address>,
    /// BERA balance of each actor.
    pub actor_bera: Vec<U256>,
    /// The factory's owner (governance).
    pub governance: Address,
    /// Per governed contract, the accounts governing it now (owners and admins move: ownership can be
    /// transferred, admin roles granted).
    #[serde(default)]
    pub governors: Vec<(Address, Vec<Address>)>,
    /// Whether each actor holds the oracle's FEEDER_ROLE.
    pub feeders: Vec<bool>,
    /// The oracle's bounds on one report's move.
    pub oracle_bounds: OracleBounds,
    /// The BGT stand-in's delays (`activateBoostDelay`, `dropBoostDelay`): a queued boost or drop applies once
    /// the block is past its queue block plus the delay.
    #[serde(default)]
    pub bgt_delays: BgtDelays,
    /// BERA held by the WithdrawalVault.
    pub withdrawal_vault_balance: U256,
    /// The WithdrawalVault's address (every validator's withdrawal credentials).
    #[serde(default)]
    pub withdrawal_vault: Address,
    /// WithdrawalVault paused?
    pub withdrawal_vault_paused: bool,
    /// The symbol of the vault's request token, read from its ERC-721 storage (`<long>` when it does not fit a slot).
    #[serde(default)]
    pub request_token_symbol: String,
    /// Requests, id `i+1` at index `i`.
    pub requests: Vec<RequestObservation>,
    /// BERA held by each suite contract that only passes BERA on (each pool's SmartOperator and IncentiveCollector,
    /// the AccountingOracle, the factory), read as raw balances.
    #[serde(default)]
    pub forwarders: Vec<ForwarderBalance>,
    /// Every request ever queued at the consensus layer's withdrawal predeploy, oldest first (the stand-in keeps
    /// them all, processed or not).
    #[serde(default)]
    pub cl_requests: Vec<ClRequestObservation>,
    /// How many of `cl_requests` the consensus layer has processed (the queue's head: `requestCount()` −
    /// `pendingCount()` of the stand-in); the rest are still owed to their validators' pools.
    #[serde(default)]
    pub cl_requests_processed: usize,
    /// BERA held by the withdrawal predeploy: the request fees it was paid (raw balance).
    #[serde(default)]
    pub cl_request_fees: U256,
    /// The fee the withdrawal predeploy (a chain stand-in, not under test) charges a request now (`fee()`).
    #[serde(default)]
    pub cl_request_fee: U256,
    /// What each upgradeable proxy runs, read from storage rather than from `Upgraded` events: the ERC-1967
    /// implementation slot of the factory, the WithdrawalVault and the AccountingOracle, the ERC-1967 beacon slot of
    /// every pool proxy, and `_implementation` of each beacon those name.
    #[serde(default)]
    pub implementations: Vec<ImplementationSlot>,
    /// The pool the campaign may deploy itself.
    #[serde(default)]
    pub new_pool: NewPoolObservation,
    /// Every view of the suite that reverted while this observation was read (`Label.signature: reason`); the
    /// fields it feeds read as zero.
    #[serde(default)]
    pub view_failures: Vec<String>,
}

impl Observation {
    /// Whether `who` governs `target` (the factory's owner when `target` is not a governed contract).
    pub fn governs(&self, who: Address, target: Option<Address>) -> bool {
        match target.and_then(|t| self.governors.iter().find(|(c, _)| *c == t)) {
            Some((_, governors)) => governors.contains(&who),
            None => who == self.governance,
        }
    }

    /// Index of `who` among the actors.
    pub fn actor_index(&self, who: Address) -> Option<usize> {
        self.actors.iter().position(|a| *a == who)
    }
}

/// One slot that decides which code a proxy runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImplementationSlot {
    /// The proxy or beacon whose storage holds it.
    pub holder: Address,
    /// The address it holds: an implementation, or (a beacon proxy's) the beacon.
    pub points_to: Address,
}

/// A pool's `Deposit(sender, receiver, assets, shares)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deposit {
    /// Pool index.
    pub pool: usize,
    /// Who paid.
    pub sender: Address,
    /// Who received the shares.
    pub receiver: Address,
    /// BERA deposited.
    pub assets: U256,
    /// Shares minted.
    pub shares: U256,
}

/// A pool's `FeeSharesMinted(recipient, shares, feeAssets)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeMint {
    /// Pool index.
    pub pool: usize,
    /// Who received the fee shares.
    pub recipient: Address,
    /// Shares minted.
    pub shares: U256,
}

/// A pool's `WithdrawalNotified(user, assets, shares, ..)`: shares burnt for a withdrawal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Burn {
    /// Pool index.
    pub pool: usize,
    /// Whose shares.
    pub user: Address,
    /// Assets booked for the withdrawal.
    pub assets: U256,
    /// Shares burnt.
    pub shares: U256,
    /// The part the event says the pool's buffer pays (`fromBuffer`).
    #[serde(default)]
    pub from_buffer: U256,
    /// The part the event says the consensus layer is asked for (`fromConsensusLayer`).
    #[serde(default)]
    pub from_cl: U256,
}

/// A pool's `FullExitTriggered(frozenTotalAssets, reason)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FullExit {
    /// Pool index.
    pub pool: usize,
    /// The reason code the event gives (`formulas::ExitReason` names them).
    pub reason: u8,
    /// The totalAssets it says the pool froze at.
    pub frozen_total_assets: U256,
}

/// A pool's `TotalDepositsUpdated(totalDeposits, reward, penalty)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepositsUpdated {
    /// Pool index.
    pub pool: usize,
    /// The totalDeposits it announces.
    pub total_deposits: U256,
    /// The reward it announces.
    pub reward: U256,
    /// The penalty it announces.
    pub penalty: U256,
}

/// An amount recognised by a pool (a reward, or a penalty).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolAmount {
    /// Pool index.
    pub pool: usize,
    /// The amount.
    pub amount: U256,
}

/// The WithdrawalVault's `WithdrawalRequestFinalized(requestId, user, assets)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finalization {
    /// Request id.
    pub id: u64,
    /// Who was paid.
    pub user: Address,
    /// What was paid.
    pub assets: U256,
}

/// The AccountingOracle's `TotalDepositsReported`: an accepted report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptedReport {
    /// Pool index.
    pub pool: usize,
    /// The reported balance, in wei.
    pub balance: U256,
    /// The report's refSlot.
    pub ref_slot: U256,
}

/// An stBERA `Transfer` between two accounts (not a mint or a burn).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareTransfer {
    /// Pool index.
    pub pool: usize,
    /// Sender.
    pub from: Address,
    /// Recipient.
    pub to: Address,
    /// Shares moved.
    pub amount: U256,
}

/// The suite's events of one step, decoded, per pool index where they belong to a pool.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepEvents {
    /// Deposits.
    pub deposits: Vec<Deposit>,
    /// Fee share mints.
    pub fee_mints: Vec<FeeMint>,
    /// Withdrawal burns.
    pub burns: Vec<Burn>,
    /// Rewards recognised: RewardsCollected.chargeable, TotalDepositsUpdated.reward, BGTFeesAccrued.earned.
    pub rewards: Vec<PoolAmount>,
    /// TotalDepositsUpdated with a penalty > 0: the penalty.
    pub penalties: Vec<PoolAmount>,
    /// FullExitTriggered: the pool and the reason it gives.
    pub full_exits: Vec<FullExit>,
    /// TotalDepositsUpdated, as the pool words it.
    #[serde(default)]
    pub deposits_updated: Vec<DepositsUpdated>,
    /// WithdrawalRequested: what each says was requested.
    pub requested: Vec<Requested>,
    /// WithdrawalRequestFinalized.
    pub finalized: Vec<Finalization>,
    /// TotalDepositsReported.
    pub reports: Vec<AcceptedReport>,
    /// stBERA transfers between two accounts (not mints or burns).
    pub share_transfers: Vec<ShareTransfer>,
    /// Number of `Upgraded(address)` events (ERC-1967 proxies and beacons).
    pub upgrades: usize,
    /// Calls that contract actors' callbacks made during the step (re-entries), in order.
    pub reentries: Vec<Reentry>,
    /// BGT minted to a pool's SmartOperator (the BGT stand-in's own `Minted`, not the suite's word).
    #[serde(default)]
    pub bgt_minted: Vec<PoolAmount>,
    /// BGTFeesAccrued: the BGT a pool's SmartOperator charged its fees on, and the shares it says it minted.
    #[serde(default)]
    pub bgt_accrued: Vec<BgtAccrual>,
    /// What the setters' own events announce, decoded into the setting each names (`BoundsUpdated`,
    /// `ProtocolFeeRecipientUpdated`, `MinEffectiveBalanceUpdated`, `ProtocolFeePercentageUpdated`,
    /// `PayoutAmountChangeQueued`, `BGTRedeemed`): LIVE-007 holds them to the calldata.
    #[serde(default)]
    pub announced: Vec<Setting>,
    /// The factory's `StakingPoolContractsDeployed`.
    #[serde(default)]
    pub pools_deployed: Vec<PoolDeployed>,
    /// Transfers of the chain's incentive token (the stand-in's own `Transfer`, not the suite's word; mints
    /// included, from address zero).
    #[serde(default)]
    pub incentive_transfers: Vec<TokenTransfer>,
    /// IncentiveCollector's `IncentivesClaimed`.
    #[serde(default)]
    pub claims: Vec<Claimed>,
}

/// A transfer of an ERC-20 token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenTransfer {
    /// Sender (zero for a mint).
    pub from: Address,
    /// Receiver.
    pub to: Address,
    /// Amount.
    pub amount: U256,
}

/// An `IncentivesClaimed` event: who it says claimed a pool's incentives, and the payout it says was paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claimed {
    /// Pool index.
    pub pool: usize,
    /// The claimer it names.
    pub claimer: Address,
    /// The payout it names.
    pub payout: U256,
}

impl StepEvents {
    /// Whether pool `pool` exited fully in the step (its `FullExitTriggered`).
    pub fn exited(&self, pool: usize) -> bool {
        self.full_exits.iter().any(|x| x.pool == pool)
    }

    /// The BGT minted to pool `pool`'s operator in the step, and the BGT its accruals charged.
    pub fn bgt_flow(&self, pool: usize) -> (U256, U256) {
        let minted = self
            .bgt_minted
            .iter()
            .filter(|a| a.pool == pool)
            .map(|a| a.amount)
            .sum();
        let accrued = self
            .bgt_accrued
            .iter()
            .filter(|a| a.pool == pool)
            .map(|a| a.earned)
            .sum();
        (minted, accrued)
    }
}

/// A SmartOperator's `BGTFeesAccrued(earned, commissionShares, protocolShares)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BgtAccrual {
    /// Pool index.
    pub pool: usize,
    /// The BGT charged.
    pub earned: U256,
    /// The commission shares it says were minted (to the default shares recipient).
    pub commission_shares: U256,
    /// The protocol fee shares it says were minted (to the protocol fee recipient).
    pub protocol_shares: U256,
}

/// A call a contract actor's callback made in the middle of a step (its `Reentered` event): the step's
/// transaction is then not the only call the suite received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reentry {
    /// The contract actor whose callback made the call.
    pub by: Address,
    /// What it called, when one of [`SuiteFunction`]'s.
    pub call: Option<SuiteCall>,
    /// The entry point it called (`Contract.signature`), when it is one of the world's.
    pub entry: Option<String>,
    /// Whether that entry point is declared permissionless.
    pub permissionless: bool,
    /// Whether the call succeeded.
    pub success: bool,
    /// The account it called.
    #[serde(default)]
    pub target: Address,
    /// Accounts of the world its calldata names (ABI-encoded address words).
    #[serde(default)]
    pub named: Vec<Address>,
    /// The role change its calldata asks for, if it is one (as [`StepRecord::role_op`] for the transaction).
    #[serde(default)]
    pub role_op: Option<RoleOp>,
}

/// A suite function that checks single out, as a step's transaction called it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SuiteFunction {
    /// A pool's `submit(receiver)`, or a plain BERA transfer to it (`receive()`): a deposit by the caller.
    Deposit,
    /// `WithdrawalVault.requestWithdrawal(pubkey, amountGwei, maxFee)`.
    RequestWithdrawal,
    /// `WithdrawalVault.requestRedeem(pubkey, shares, maxFee)`.
    RequestRedeem,
    /// `WithdrawalVault.finalizeWithdrawalRequest(requestId)`.
    FinalizeWithdrawalRequest,
    /// `WithdrawalVault.finalizeWithdrawalRequests(requestIds)`.
    FinalizeWithdrawalRequests,
    /// `AccountingOracle.updateTotalDeposits(pubkey, balanceGwei, refSlot)`.
    UpdateTotalDeposits,
    /// `BeaconDeposit.penalizeValidator(pubkey, amount)` (the consensus-layer stand-in).
    PenalizeValidator,
    /// `WithdrawalVault.sendPendingExitRequest(pubkey, maxFee)`.
    SendPendingExitRequest,
}

impl SuiteFunction {
    /// The vault's functions that queue a consensus-layer request and refund what the caller paid above its fee.
    pub const PAYING_REQUESTS: [SuiteFunction; 3] = [
        SuiteFunction::RequestWithdrawal,
        SuiteFunction::RequestRedeem,
        SuiteFunction::SendPendingExitRequest,
    ];

    /// The vault's finalize functions.
    pub const FINALIZE: [SuiteFunction; 2] = [
        SuiteFunction::FinalizeWithdrawalRequest,
        SuiteFunction::FinalizeWithdrawalRequests,
    ];
}

/// What a step's transaction called, decoded from its callee and calldata (selector and arguments) against the
/// suite's ABI, whatever action planned it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SuiteCall {
    /// The function.
    pub function: SuiteFunction,
    /// The pool whose validator pubkey the call names (None when it names none, or one of no pool).
    pub pool: Option<usize>,
    /// What a request asks for: the assets of `requestWithdrawal` (amountGwei × 1e9; None past 2^256), the
    /// shares of `requestRedeem`; None for the other functions.
    #[serde(default)]
    pub amount: Option<U256>,
    /// What an `updateTotalDeposits` call reports, from its calldata (None for the other functions).
    #[serde(default)]
    pub report: Option<ReportArgs>,
    /// The `maxFee` a request or a pending exit request names (None for the other functions).
    #[serde(default)]
    pub max_fee: Option<U256>,
    /// The receiver `submit(receiver)` names (None for a plain transfer, whose receiver is its sender, and for
    /// the other functions).
    #[serde(default)]
    pub receiver: Option<Address>,
}

/// A WithdrawalRequested event: the request it announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requested {
    /// Request id.
    pub id: U256,
    /// The pool of the pubkey it names (None: no pool's).
    pub pool: Option<usize>,
    /// The requester it names.
    pub user: Address,
    /// Assets it says were requested.
    pub assets: U256,
    /// Shares it says were burnt.
    pub shares: U256,
}

/// The arguments of an oracle report, decoded by the harness from the calldata it sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReportArgs {
    /// `balanceGwei` × 1e9 (None past 2^256).
    pub balance: Option<U256>,
    /// `refSlot`.
    pub ref_slot: U256,
}

/// A call whose outcome SPEC states, with the arguments it was given, decoded by the harness from the step's
/// callee and calldata whatever action planned it (LIVE-007): the domain in which its holder may count on it, and
/// the state it must leave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Setting {
    /// A pool's `pause()`.
    PausePool {
        /// Pool index.
        pool: usize,
    },
    /// A pool's `unpause()`.
    UnpausePool {
        /// Pool index.
        pool: usize,
    },
    /// A deposit into a pool (`submit` or a plain transfer, `deposit`) or its `processRewards()`: SPEC collects
    /// the pool's rewards first (the rewards vault's BERA and the operator's BGT fees) and forwards a buffer that
    /// reached MIN_CL_DEPOSIT_AMOUNT to BeaconDeposit.
    Collect {
        /// Pool index.
        pool: usize,
        /// A deposit rather than `processRewards()`.
        deposit: bool,
    },
    /// A SmartOperator's `queueBoost()`: its whole unboosted BGT queued to boost its validator.
    QueueBoost {
        /// Pool index.
        pool: usize,
    },
    /// A SmartOperator's `activateBoost()`.
    ActivateBoost {
        /// Pool index.
        pool: usize,
    },
    /// A SmartOperator's `dropBoost()`.
    DropBoost {
        /// Pool index.
        pool: usize,
    },
    /// A SmartOperator's `claimBgtStakerReward()`: the operator's BGT-staker reward forwarded to the rewards vault.
    ClaimStakerReward {
        /// Pool index.
        pool: usize,
    },
    /// `WithdrawalVault.pause()`.
    PauseVault,
    /// `WithdrawalVault.unpause()`.
    UnpauseVault,
    /// A pool's `setMinEffectiveBalance(value)`.
    MinEffectiveBalance {
        /// Pool index.
        pool: usize,
        /// The new threshold.
        value: U256,
    },
    /// `AccountingOracle.setBounds(maxIncreaseBps, maxDecreaseBps)`.
    OracleBounds {
        /// The bounds asked for.
        bounds: OracleBounds,
    },
    /// `Factory.setProtocolFeeRecipient(recipient)`.
    ProtocolFeeRecipient {
        /// The new recipient.
        recipient: Address,
    },
    /// A SmartOperator's `queueValCommission(bps)`.
    QueueCommission {
        /// Pool index.
        pool: usize,
        /// The rate asked for.
        bps: U256,
    },
    /// A SmartOperator's `setProtocolFeePercentage(bps)`.
    ProtocolFee {
        /// Pool index.
        pool: usize,
        /// The rate asked for.
        bps: U256,
    },
    /// A SmartOperator's `queueIncentiveCollectorPayoutAmountChange(amount)`.
    QueuePayout {
        /// Pool index.
        pool: usize,
        /// The payout asked for.
        amount: U256,
    },
    /// A SmartOperator's `redeemBGT(amount)`.
    RedeemBgt {
        /// Pool index.
        pool: usize,
        /// BGT to redeem.
        amount: U256,
    },
    /// A SmartOperator's `queueRewardsAllocation(startBlock, weights)`.
    QueueRewardsAllocation {
        /// Pool index.
        pool: usize,
        /// The block it is to start at.
        start_block: U256,
        /// Each weight's receiver and percentage numerator.
        weights: Vec<(Address, U256)>,
    },
    /// An IncentiveCollector's `claim(tokens)`, paying `value`.
    ClaimIncentives {
        /// Pool index.
        pool: usize,
        /// Who claims (the transaction's sender, or the contract actor that made the call).
        #[serde(default)]
        claimer: Address,
        /// BERA sent.
        value: U256,
        /// Whether `tokens` names the chain's incentive token.
        incentive_token: bool,
        /// Whether `tokens` names any other address.
        other_tokens: bool,
    },
    /// An upgrade of `holder` (a UUPS proxy's `upgradeToAndCall`, or a beacon through the factory's
    /// `upgrade*BeaconImpl`) to `implementation`.
    Upgrade {
        /// The proxy or beacon whose implementation changes.
        holder: Address,
        /// The new implementation.
        implementation: Address,
        /// Whether `implementation` is one of the world's builds of the contract it replaces (the deployed one or
        /// its upgrade copy).
        same_kind: bool,
    },
    /// `AccountingOracle.updateTotalDeposits(pubkey, balanceGwei, refSlot)` for a pool's validator.
    OracleReport {
        /// Pool index.
        pool: usize,
        /// The balance reported, in wei (`balanceGwei` × 1e9).
        balance: U256,
        /// `refSlot`.
        ref_slot: U256,
    },
    /// `AccountingOracle.updateTotalDeposits(pubkey, balanceGwei, refSlot)` for the validator of the pool a campaign
    /// deploys itself ([`NewPoolObservation`]), which the oracle follows once the factory has deployed it.
    NewPoolReport {
        /// The balance reported, in wei (`balanceGwei` × 1e9).
        balance: U256,
        /// `refSlot`.
        ref_slot: U256,
    },
    /// A StakingRewardsVault's `recoverERC20(token, to, amount)`.
    RecoverTokens {
        /// Pool index.
        pool: usize,
        /// Whether `token` is the chain's incentive token (the only ERC-20 the world has).
        incentive_token: bool,
        /// The recipient.
        to: Address,
        /// Whether the recipient is the vault itself.
        to_itself: bool,
        /// The amount asked for.
        amount: U256,
    },
    /// `Factory.deployStakingPoolContracts(pubkey, credentials, signature, validatorAdmin, defaultSharesRecipient)`,
    /// paying `value`.
    DeployPool {
        /// Whose validator the pubkey is.
        pubkey: PubkeyOf,
        /// BERA sent.
        value: U256,
        /// Whether the credentials are `0x01 ‖ 11 zero bytes ‖ WithdrawalVault`, as SPEC requires.
        credentials_ok: bool,
        /// Whether `validatorAdmin` or `defaultSharesRecipient` is the zero address.
        zero_account: bool,
    },
    /// `Factory.activateStakingPool(pubkey)`.
    ActivatePool {
        /// Whose validator the pubkey is.
        pubkey: PubkeyOf,
    },
    /// `transferOwnership(new_owner)` of an Ownable contract, or `renounceOwnership()` (`new_owner` zero).
    TransferOwnership {
        /// The contract.
        contract: Address,
        /// The new owner.
        new_owner: Address,
        /// Whether the call was `renounceOwnership()`.
        renounce: bool,
    },
}

/// Whose validator a pubkey a call names is: an observed pool's, the new pool's (the pubkey the world keeps for a
/// pool the campaign deploys itself, see [`NewPoolObservation`]), or another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PubkeyOf {
    /// The pool at this index of [`Observation::pools`].
    Pool(usize),
    /// The new pool's.
    NewPool,
    /// A pubkey the world does not follow.
    Other,
}

/// The four contracts the factory deploys for a validator, named as `IStakingPoolContractsFactory.CoreContracts`
/// names them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CoreAddresses {
    /// SmartOperator.
    pub smart_operator: Address,
    /// StakingPool.
    pub staking_pool: Address,
    /// StakingRewardsVault.
    pub rewards_vault: Address,
    /// IncentiveCollector.
    pub incentive_collector: Address,
}

impl CoreAddresses {
    /// The four, in `CoreContracts`' order.
    pub fn all(&self) -> [Address; 4] {
        [
            self.smart_operator,
            self.staking_pool,
            self.rewards_vault,
            self.incentive_collector,
        ]
    }
}

/// The pool the campaign may deploy and activate itself (the world deploys its own pools at set-up): its
/// pubkey is fresh, its credentials are SPEC's, and nothing else follows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPoolObservation {
    /// `predictStakingPoolContractsAddresses(pubkey)`, read once at set-up, before any step.
    pub predicted: CoreAddresses,
    /// `getCoreContracts(pubkey)`: all zero until deployed.
    pub core: CoreAddresses,
    /// The operator BeaconDeposit (a chain stand-in, not under test) keeps for the pubkey.
    pub cl_operator: Address,
    /// For each of `core`'s proxies, in `CoreAddresses::all`'s order: the version OpenZeppelin's `Initializable`
    /// keeps in its own storage namespace (0: never initialized, or no contract there).
    pub initialized: [u64; 4],
    /// The StakingPool's `isActive()` (false before deployment).
    pub active: bool,
    /// The StakingPool's share supply (0 before deployment).
    pub supply: U256,
    /// The balance the oracle last accepted for the pubkey (`getLastReport`).
    pub reported: U256,
    /// The refSlot of that report (`getLastReport`; 0 before any).
    pub reported_ref_slot: U256,
}

/// A `StakingPoolContractsDeployed(pubkey, smartOperator, stakingPool, stakingRewardsVault, incentiveCollector)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolDeployed {
    /// Whose validator the pubkey it names is.
    pub pubkey: PubkeyOf,
    /// The addresses it names.
    pub core: CoreAddresses,
}

/// What the engine records of one step.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRecord {
    /// Index in the sequence.
    pub index: usize,
    /// The op's name (e.g. `Submit`).
    pub op: String,
    /// Whether the chain itself (system) acted, rather than an actor.
    pub system: bool,
    /// Sender.
    pub caller: Address,
    /// The pool the op is about.
    pub pool: Option<usize>,
    /// The privilege the call needs, if any.
    pub privilege: Option<Privilege>,
    /// A role operation, if the op is one.
    pub role_op: Option<RoleOp>,
    /// Whether the call succeeded.
    pub success: bool,
    /// Decoded revert reason.
    pub revert: Option<String>,
    /// Decoded events.
    pub events: StepEvents,
    /// The contract called, if any.
    #[serde(default)]
    pub target: Option<Address>,
    /// The entry point the call hit (`Contract.signature`), if it is one of the world's.
    #[serde(default)]
    pub entry: Option<String>,
    /// Whether that entry point is declared permissionless (`entry-points.toml`).
    #[serde(default)]
    pub permissionless: bool,
    /// Accounts of the world the calldata names (ABI-encoded address words).
    #[serde(default)]
    pub named: Vec<Address>,
    /// The suite function the transaction called, when it is one of [`SuiteFunction`]'s.
    pub call: Option<SuiteCall>,
    /// BERA the transaction sent with the call (`msg.value` of the step's own call).
    #[serde(default)]
    pub value: U256,
    /// The request ids a finalize transaction names (`finalizeWithdrawalRequest(id)`: one;
    /// `finalizeWithdrawalRequests(ids)`: each, in order), decoded from its calldata; empty for other calls.
    #[serde(default)]
    pub request_ids: Vec<u64>,
    /// The call's [`Setting`], when the transaction is one whose outcome SPEC states.
    #[serde(default)]
    pub setting: Option<Setting>,
}

impl StepRecord {
    /// Whether the step called one of `functions` (whatever action planned it): its transaction, or a successful
    /// re-entry of a contract actor's callback.
    pub fn called(&self, functions: &[SuiteFunction]) -> bool {
        self.calls().any(|call| functions.contains(&call.function))
    }

    /// The suite calls the step made that succeeded: its transaction's when it succeeded, then each successful
    /// re-entry's, in the order they ran (a re-entry runs inside the transaction, so before it completes; a
    /// check of order between them treats the transaction's call as the first).
    pub fn successful_calls(&self) -> impl Iterator<Item = SuiteCall> + '_ {
        self.call.filter(|_| self.success).into_iter().chain(
            self.events
                .reentries
                .iter()
                .filter(|r| r.success)
                .filter_map(|r| r.call),
        )
    }

    /// The suite calls the step made: its transaction's, then each successful re-entry's.
    pub fn calls(&self) -> impl Iterator<Item = SuiteCall> + '_ {
        self.call.into_iter().chain(
            self.events
                .reentries
                .iter()
                .filter(|r| r.success)
                .filter_map(|r| r.call),
        )
    }
}
