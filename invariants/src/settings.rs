//! What SPEC says of the calls that set something (a pause flag, a threshold, a bound, a rate, a recipient, a
//! queued payout or allocation, an implementation, an owner), of an oracle report, of the boost calls anyone may
//! make and of a claim: the domain in which the caller may
//! count on the call, whether SPEC also forbids it outside that domain, and the state it must leave (LIVE-007).
//! Every expected value comes from the call's calldata and SPEC's constants; only the value it is compared with is
//! read from the state after the step.

use alloy_primitives::{Address, U256};

use crate::ensure as effect;

use crate::formulas::{
    FIRST_DEPOSIT_AMOUNT, MAX_COMMISSION, MAX_EFFECTIVE_BALANCE, MAX_PROTOCOL_FEE,
    MIN_CL_DEPOSIT_AMOUNT, ONE_HUNDRED_PERCENT,
};
use crate::observation::{
    Claimed, Observation, OracleBounds, PoolDeployed, PoolObservation, Privilege, PubkeyOf, Role,
    Setting, StepEvents, TokenTransfer,
};

/// Why a setting call lies outside the domain in which SPEC lets its caller count on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutsideDomain {
    /// What SPEC (or the chain's stand-in) refuses about it.
    pub why: String,
    /// Whether SPEC also forbids the call to succeed there (a bound SPEC sets, not merely a refusal it allows).
    pub forbidden: bool,
}

fn allowed(why: impl Into<String>) -> Result<(), OutsideDomain> {
    Err(OutsideDomain {
        why: why.into(),
        forbidden: false,
    })
}

fn forbidden(why: impl Into<String>) -> Result<(), OutsideDomain> {
    Err(OutsideDomain {
        why: why.into(),
        forbidden: true,
    })
}

/// The incentive-token transfers out of `from` in the step, in order.
fn token_moves(events: &StepEvents, from: Address) -> Vec<TokenTransfer> {
    events
        .incentive_transfers
        .iter()
        .filter(|t| t.from == from)
        .copied()
        .collect()
}

/// Whether an oracle report of `balance` (wei) lies above twice the largest balance a validator can hold, which SPEC
/// lets the oracle refuse whatever the books say.
fn above_report_cap(balance: U256) -> bool {
    balance > MAX_EFFECTIVE_BALANCE.saturating_mul(U256::from(2u8))
}

/// Pool `pool` of `obs`, or an error naming it.
fn pool(obs: &Observation, pool: usize) -> Result<&PoolObservation, String> {
    obs.pools
        .get(pool)
        .ok_or_else(|| format!("pool{pool} is not observed"))
}

impl Setting {
    /// The privilege SPEC gives the call to; `None`: anyone may make it.
    pub fn privilege(&self) -> Option<Privilege> {
        let role = |pool: usize, role: Role| Some(Privilege::PoolRole { pool, role });
        match *self {
            Setting::QueueCommission { pool, .. } => role(pool, Role::CommissionManager),
            Setting::ProtocolFee { pool, .. } => role(pool, Role::ProtocolFeeManager),
            Setting::QueuePayout { pool, .. } => role(pool, Role::IncentiveCollectorManager),
            Setting::RedeemBgt { pool, .. } => role(pool, Role::BgtManager),
            Setting::QueueRewardsAllocation { pool, .. } => {
                role(pool, Role::RewardsAllocationManager)
            }
            Setting::ClaimIncentives { .. }
            | Setting::Collect { .. }
            | Setting::QueueBoost { .. }
            | Setting::ActivateBoost { .. }
            | Setting::DropBoost { .. }
            | Setting::ClaimStakerReward { .. }
            | Setting::DeployPool { .. }
            | Setting::ActivatePool { .. } => None,
            Setting::OracleReport { .. } | Setting::NewPoolReport { .. } => Some(Privilege::Feeder),
            Setting::PausePool { .. }
            | Setting::UnpausePool { .. }
            | Setting::PauseVault
            | Setting::UnpauseVault
            | Setting::MinEffectiveBalance { .. }
            | Setting::OracleBounds { .. }
            | Setting::ProtocolFeeRecipient { .. }
            | Setting::Upgrade { .. }
            | Setting::RecoverTokens { .. }
            | Setting::TransferOwnership { .. } => Some(Privilege::Governance),
        }
    }

    /// `Ok` when SPEC lets the call's holder count on it in the state `prev`, executed at block `block`, with the
    /// oracle's bounds `bounds` (the harness's account of them, not the oracle's storage).
    pub fn domain(
        &self,
        prev: &Observation,
        block: u64,
        bounds: OracleBounds,
    ) -> Result<(), OutsideDomain> {
        let hundred = U256::from(ONE_HUNDRED_PERCENT);
        let Some(p) = self
            .pool()
            .and_then(|i| prev.pools.get(i))
            .or(prev.pools.first())
        else {
            return allowed("no pool is observed");
        };
        match self {
            Setting::PausePool { .. } if p.paused => allowed("the pool is paused already"),
            Setting::UnpausePool { .. } if p.is_fully_exited => {
                forbidden("a full exit pauses deposits for good")
            }
            Setting::UnpausePool { .. } if !p.paused => allowed("the pool is not paused"),
            Setting::QueueBoost { .. } if p.operator_unboosted_bgt.is_zero() => {
                allowed("the operator has no unboosted BGT to queue")
            }
            Setting::PauseVault if prev.withdrawal_vault_paused => {
                allowed("the vault is paused already")
            }
            Setting::UnpauseVault if !prev.withdrawal_vault_paused => {
                allowed("the vault is not paused")
            }
            Setting::MinEffectiveBalance { value, .. } => {
                if *value < FIRST_DEPOSIT_AMOUNT || *value > MAX_EFFECTIVE_BALANCE {
                    forbidden(format!(
                        "{value} lies outside [FIRST_DEPOSIT_AMOUNT, MAX_EFFECTIVE_BALANCE]"
                    ))
                } else if p.min_effective_balance_reached && *value > p.total_deposits {
                    forbidden(format!(
                        "{value} is above the live pool's totalDeposits {}: a breach without an exit",
                        p.total_deposits
                    ))
                } else {
                    Ok(())
                }
            }
            Setting::OracleBounds { bounds } => {
                if bounds.max_increase_bps > hundred || bounds.max_decrease_bps > hundred {
                    forbidden("a bound above 100%")
                } else {
                    Ok(())
                }
            }
            // Above the cap SPEC forbids the rate, but FEE-001 judges a rate that got through: here it is only a
            // refusal SPEC allows.
            Setting::QueueCommission { bps, .. } if *bps > U256::from(MAX_COMMISSION) => {
                allowed(format!("{bps} bps is above MAX_COMMISSION"))
            }
            Setting::QueueCommission { .. } if p.commission_queued_block != 0 => {
                allowed("BeraChef already has a commission queued for the validator")
            }
            Setting::ProtocolFee { bps, .. } if *bps > U256::from(MAX_PROTOCOL_FEE) => {
                allowed(format!("{bps} bps is above MAX_PROTOCOL_FEE"))
            }
            Setting::QueuePayout { amount, .. } if amount.is_zero() => {
                forbidden("a payout of 0 would give the incentive tokens away")
            }
            Setting::RedeemBgt { amount, .. }
                if amount.is_zero() || *amount > p.operator_unboosted_bgt =>
            {
                allowed(format!(
                    "BGT redeems only a non-zero amount of the {} unboosted",
                    p.operator_unboosted_bgt
                ))
            }
            Setting::QueueRewardsAllocation {
                start_block,
                weights,
                ..
            } => {
                let sum = weights
                    .iter()
                    .fold(U256::ZERO, |acc, (_, n)| acc.saturating_add(*n));
                if *start_block <= U256::from(block) {
                    allowed("BeraChef refuses a start block that is not in the future")
                } else if weights.is_empty()
                    || weights.len() > 10
                    || weights.iter().any(|(r, n)| r.is_zero() || n.is_zero())
                    || sum != hundred
                {
                    allowed("BeraChef refuses weights that are not 1 to 10 non-zero parts of 100%")
                } else {
                    Ok(())
                }
            }
            // A stale refSlot that got through is ORACLE-002's to judge.
            Setting::OracleReport { ref_slot, .. } if *ref_slot <= p.last_report.ref_slot => {
                allowed(format!(
                    "refSlot {ref_slot} is not above the pool's last, {}",
                    p.last_report.ref_slot
                ))
            }
            Setting::OracleReport { .. } if p.is_fully_exited => {
                allowed("the pool has fully exited")
            }
            Setting::OracleReport { balance, .. } if above_report_cap(*balance) =>
            {
                allowed("a balance above twice the largest a validator can hold")
            }
            Setting::OracleReport { balance, .. } if p.is_active && !balance.is_zero() => {
                // The centre is the balance the books imply (SPEC's), the bounds governance's. A change larger than
                // the bound reverts, so a change of exactly the bound (rounded down to the wei: balances are whole
                // wei) goes through: both edges are inside.
                let Some(expected) = p.books_cl_balance() else {
                    return allowed("the books overflow");
                };
                let hi = expected
                    .saturating_add(expected.saturating_mul(bounds.max_increase_bps) / hundred);
                let lo = expected
                    .saturating_sub(expected.saturating_mul(bounds.max_decrease_bps) / hundred);
                if *balance < lo || *balance > hi {
                    allowed(format!("{balance} is not inside the bounds [{lo}, {hi}] around the books' {expected}"))
                } else {
                    Ok(())
                }
            }
            // The oracle follows a validator once the factory has deployed its pool, and until the pool is active
            // takes any balance up to the absolute cap (SPEC bounds only an active pool's report).
            Setting::NewPoolReport { ref_slot, .. }
                if *ref_slot <= prev.new_pool.reported_ref_slot =>
            {
                allowed(format!(
                    "refSlot {ref_slot} is not above the pubkey's last, {}",
                    prev.new_pool.reported_ref_slot
                ))
            }
            Setting::NewPoolReport { .. } if prev.new_pool.core.staking_pool.is_zero() => {
                allowed("no pool was deployed for the pubkey")
            }
            Setting::NewPoolReport { balance, .. } if above_report_cap(*balance) =>
            {
                allowed("a balance above twice the largest a validator can hold")
            }
            // An active pool's bounds are judged around its books, which the harness observes only for the world's
            // own pools.
            Setting::NewPoolReport { .. } if prev.new_pool.active => {
                allowed("the new pool is active: its report is bounded by books the harness does not observe")
            }
            Setting::NewPoolReport { .. } => Ok(()),
            Setting::ClaimIncentives { value, .. } if *value != p.payout_amount => forbidden(
                format!("it pays {value}, not the payout amount {}", p.payout_amount),
            ),
            Setting::ClaimIncentives {
                other_tokens: true, ..
            } => allowed("it names a token the chain does not have"),
            // Whether a deposit must go through is LIVE-001's question; here only what a deposit leaves is.
            Setting::Collect { deposit: true, .. } => {
                allowed("a deposit's refusals are LIVE-001's")
            }
            Setting::Collect { .. } if !p.is_active => allowed("the pool is not active"),
            Setting::Upgrade {
                same_kind: false, ..
            } => allowed("the implementation is not a build of the contract it replaces"),
            Setting::RecoverTokens {
                incentive_token: false,
                ..
            } => allowed("a token the chain does not have"),
            Setting::RecoverTokens { to, .. } if to.is_zero() => {
                allowed("ERC-20 refuses a transfer to the zero address")
            }
            Setting::RecoverTokens { amount, .. } if *amount > p.rewards_vault_tokens => {
                allowed(format!(
                    "the vault holds only {} of the token",
                    p.rewards_vault_tokens
                ))
            }
            Setting::DeployPool { value, .. } if *value != FIRST_DEPOSIT_AMOUNT => forbidden(
                format!("it pays {value}, and the factory takes exactly FIRST_DEPOSIT_AMOUNT"),
            ),
            Setting::DeployPool {
                credentials_ok: false,
                ..
            } => forbidden("its credentials do not point at the WithdrawalVault"),
            Setting::DeployPool {
                pubkey: PubkeyOf::Pool(i),
                ..
            } => forbidden(format!("pool{i}'s pubkey already has an operator")),
            Setting::DeployPool {
                pubkey: PubkeyOf::NewPool,
                ..
            } if !prev.new_pool.cl_operator.is_zero() => {
                forbidden("the new pool's pubkey already has an operator")
            }
            Setting::DeployPool {
                pubkey: PubkeyOf::Other,
                ..
            }
            | Setting::ActivatePool {
                pubkey: PubkeyOf::Other,
            } => allowed("a pubkey the world does not follow"),
            Setting::DeployPool {
                zero_account: true, ..
            } => allowed(
                "SPEC does not say whether a zero validator admin or shares recipient is refused",
            ),
            Setting::ActivatePool {
                pubkey: PubkeyOf::Pool(i),
            } => forbidden(format!(
                "pool{i} was activated at set-up, and a pool is activated once"
            )),
            Setting::ActivatePool {
                pubkey: PubkeyOf::NewPool,
            } => {
                let new = &prev.new_pool;
                if new.core.staking_pool.is_zero() {
                    forbidden("no pool was deployed for the pubkey")
                } else if new.active {
                    forbidden("the new pool is active already, and a pool is activated once")
                } else if new.reported < FIRST_DEPOSIT_AMOUNT {
                    forbidden(format!(
                        "the oracle reported {} for the pubkey, below FIRST_DEPOSIT_AMOUNT",
                        new.reported
                    ))
                } else {
                    Ok(())
                }
            }
            Setting::TransferOwnership {
                new_owner,
                renounce: false,
                ..
            } if new_owner.is_zero() => allowed("ownership cannot go to the zero address"),
            _ => Ok(()),
        }
    }

    /// The state SPEC says a successful call leaves, compared with `next` and, for tokens, with the moves the
    /// chain's token itself logged in the step (`events.incentive_transfers`); `Err` says what differs.
    pub fn effect(
        &self,
        prev: &Observation,
        next: &Observation,
        events: &StepEvents,
    ) -> Result<(), String> {
        match self {
            Setting::Collect { pool: i, .. } => {
                let (before, after) = (pool(prev, *i)?, pool(next, *i)?);
                effect(after.rewards_vault_balance.is_zero(), || {
                    format!(
                        "pool{i}'s rewards vault still holds {} wei: the rewards were not collected",
                        after.rewards_vault_balance
                    )
                })?;
                if before.is_fully_exited || after.is_fully_exited {
                    // An exited pool's BGT bears no fee, and its buffer goes to the WithdrawalVault instead.
                    return Ok(());
                }
                effect(after.last_accrued_bgt == after.operator_bgt, || {
                    format!(
                        "pool{i}'s operator holds {} BGT but accrued its fees only up to {}",
                        after.operator_bgt, after.last_accrued_bgt
                    )
                })?;
                effect(after.buffered_assets < MIN_CL_DEPOSIT_AMOUNT, || {
                    format!(
                        "pool{i} keeps {} wei buffered, not forwarded to the consensus layer from {MIN_CL_DEPOSIT_AMOUNT}",
                        after.buffered_assets
                    )
                })?;
                // What the pool forwarded is its own validator's: BeaconDeposit (a stand-in, not under test)
                // credits the pubkey with exactly what the books added to totalDeposits.
                let booked = after.total_deposits.checked_sub(before.total_deposits);
                let credited = after.cl_balance.checked_sub(before.cl_balance);
                effect(booked == credited, || {
                    format!(
                        "pool{i}'s totalDeposits went {} → {} but BeaconDeposit credits its validator {} → {}: what \
                         was forwarded is not its own validator's",
                        before.total_deposits, after.total_deposits, before.cl_balance, after.cl_balance
                    )
                })
            }
            Setting::ClaimStakerReward { pool: i } => {
                let (before, after) = (pool(prev, *i)?, pool(next, *i)?);
                let vault = before
                    .rewards_vault_balance
                    .saturating_add(before.operator_staker_reward);
                effect(
                    after.operator_staker_reward.is_zero() && after.rewards_vault_balance == vault,
                    || {
                        format!(
                            "BGT still holds {} of pool{i}'s staker reward and its rewards vault {}, not none and {vault} \
                             (the {} claimed forwarded)",
                            after.operator_staker_reward,
                            after.rewards_vault_balance,
                            before.operator_staker_reward
                        )
                    },
                )
            }
            Setting::RecoverTokens {
                pool: i,
                incentive_token: true,
                to,
                to_itself,
                amount,
            } => {
                let (before, after) = (pool(prev, *i)?, pool(next, *i)?);
                let left = if *to_itself {
                    before.rewards_vault_tokens
                } else {
                    before.rewards_vault_tokens.saturating_sub(*amount)
                };
                effect(after.rewards_vault_tokens == left, || {
                    format!(
                        "pool{i}'s rewards vault holds {} of the token, not {left} ({} less the {amount} recovered to {to})",
                        after.rewards_vault_tokens, before.rewards_vault_tokens
                    )
                })?;
                // The tokens go to the account the call names, all of them.
                let moved = token_moves(events, before.rewards_vault);
                let named = [TokenTransfer {
                    from: before.rewards_vault,
                    to: *to,
                    amount: *amount,
                }];
                effect(amount.is_zero() || moved == named, || {
                    format!("pool{i}'s rewards vault sent {moved:?}, not the {amount} recovered to {to}")
                })
            }
            Setting::RecoverTokens { .. } => Ok(()),
            Setting::DeployPool {
                pubkey: PubkeyOf::NewPool,
                ..
            } => {
                let new = &next.new_pool;
                effect(
                    new.core == new.predicted && !new.core.staking_pool.is_zero(),
                    || {
                        format!(
                            "the factory keeps {:?} for the new pool, not the addresses it predicted, {:?}",
                            new.core, new.predicted
                        )
                    },
                )?;
                effect(new.initialized.iter().all(|v| *v != 0), || {
                    format!(
                        "not every one of the new pool's proxies {:?} is initialized (versions {:?})",
                        new.core.all(),
                        new.initialized
                    )
                })?;
                effect(new.cl_operator == new.core.smart_operator, || {
                    format!(
                        "BeaconDeposit names {} as the new validator's operator, not its SmartOperator {}",
                        new.cl_operator, new.core.smart_operator
                    )
                })?;
                effect(!new.active && new.supply.is_zero(), || {
                    format!(
                        "the new pool is active ({}) with {} shares before its activation",
                        new.active, new.supply
                    )
                })
            }
            Setting::ActivatePool {
                pubkey: PubkeyOf::NewPool,
            } => {
                let (before, after) = (&prev.new_pool, &next.new_pool);
                let supply = before.supply.saturating_add(FIRST_DEPOSIT_AMOUNT);
                effect(after.active && after.supply == supply, || {
                    format!(
                        "the new pool is active: {}, with {} shares, not active with {supply} (the first deposit's \
                         dead shares minted)",
                        after.active, after.supply
                    )
                })
            }
            Setting::DeployPool { .. } | Setting::ActivatePool { .. } => Ok(()),
            Setting::PausePool { pool: i } => {
                effect(pool(next, *i)?.paused, || format!("pool{i} is not paused"))
            }
            Setting::UnpausePool { pool: i } => effect(!pool(next, *i)?.paused, || {
                format!("pool{i} is still paused")
            }),
            Setting::QueueBoost { pool: i } => {
                let (before, after) = (pool(prev, *i)?, pool(next, *i)?);
                let expected = before
                    .boost_queue
                    .amount
                    .saturating_add(before.operator_unboosted_bgt);
                let block = u64::from(next.block as u32);
                effect(
                    after.boost_queue.amount == expected && after.boost_queue.block == block,
                    || {
                        format!(
                            "pool{i}'s operator has {:?} queued to boost, not {expected} at block {block} (what was \
                             queued plus its {} unboosted BGT)",
                            after.boost_queue, before.operator_unboosted_bgt
                        )
                    },
                )
            }
            Setting::ActivateBoost { pool: i } | Setting::DropBoost { pool: i } => {
                let (before, after) = (pool(prev, *i)?, pool(next, *i)?);
                let activate = matches!(self, Setting::ActivateBoost { .. });
                let (queue, queue_after, delay) = if activate {
                    (
                        before.boost_queue,
                        after.boost_queue,
                        prev.bgt_delays.activate,
                    )
                } else {
                    (before.drop_queue, after.drop_queue, prev.bgt_delays.drop)
                };
                let due = !queue.amount.is_zero() && next.block > queue.block.saturating_add(delay);
                let boostees = match (due, activate) {
                    (false, _) => before.boostees,
                    (true, true) => before.boostees.saturating_add(queue.amount),
                    (true, false) => before.boostees.saturating_sub(queue.amount),
                };
                let left = if due { U256::ZERO } else { queue.amount };
                effect(
                    after.boostees == boostees && queue_after.amount == left,
                    || {
                        format!(
                        "pool{i}'s validator is boosted by {} with {} still queued, not {boostees} with {left} \
                         (queued {:?}, due: {due})",
                        after.boostees, queue_after.amount, queue
                    )
                    },
                )
            }
            Setting::PauseVault => effect(next.withdrawal_vault_paused, || {
                "the WithdrawalVault is not paused".into()
            }),
            Setting::UnpauseVault => effect(!next.withdrawal_vault_paused, || {
                "the WithdrawalVault is still paused".into()
            }),
            Setting::MinEffectiveBalance { pool: i, value } => {
                let now = pool(next, *i)?.min_effective_balance;
                effect(now == *value, || {
                    format!("pool{i}'s minEffectiveBalance is {now}, not {value}")
                })
            }
            Setting::OracleBounds { bounds } => effect(next.oracle_bounds == *bounds, || {
                format!(
                    "the oracle's bounds are {:?}, not the {bounds:?} asked for",
                    next.oracle_bounds
                )
            }),
            Setting::ProtocolFeeRecipient { recipient } => {
                match next
                    .pools
                    .iter()
                    .position(|p| p.protocol_fee_recipient != *recipient)
                {
                    Some(i) => Err(format!(
                        "pool{i}'s protocol fee recipient is {}, not {recipient}",
                        next.pools[i].protocol_fee_recipient
                    )),
                    None => Ok(()),
                }
            }
            Setting::QueueCommission { pool: i, bps } => {
                let p = pool(next, *i)?;
                // BeraChef keeps the block as a uint32, as the chain's does.
                let block = u64::from(next.block as u32);
                effect(
                    p.queued_commission_bps == *bps && p.commission_queued_block == block,
                    || {
                        format!(
                            "BeraChef has {} bps queued at block {} for pool{i}, not {bps} bps at block {block}",
                            p.queued_commission_bps, p.commission_queued_block
                        )
                    },
                )
            }
            Setting::ProtocolFee { pool: i, bps } => {
                let now = pool(next, *i)?.protocol_fee_bps;
                effect(now == *bps, || {
                    format!("pool{i}'s protocol fee is {now} bps, not {bps}")
                })
            }
            Setting::QueuePayout { pool: i, amount } => {
                let now = pool(next, *i)?.queued_payout_amount;
                effect(now == *amount, || {
                    format!("pool{i}'s collector has {now} queued as its payout, not {amount}")
                })
            }
            Setting::RedeemBgt { pool: i, amount } => {
                let (before, after) = (pool(prev, *i)?, pool(next, *i)?);
                effect(
                    after.precharged == before.precharged.saturating_add(*amount),
                    || {
                        format!(
                            "pool{i}'s rewards vault has {} precharged, not {} + the {amount} redeemed",
                            after.precharged, before.precharged
                        )
                    },
                )?;
                effect(
                    after.rewards_vault_balance
                        == before.rewards_vault_balance.saturating_add(*amount),
                    || {
                        format!(
                            "pool{i}'s rewards vault holds {}, not {} + the {amount} BGT redeemed as BERA",
                            after.rewards_vault_balance, before.rewards_vault_balance
                        )
                    },
                )
            }
            Setting::QueueRewardsAllocation {
                pool: i,
                start_block,
                weights,
            } => {
                let q = pool(next, *i)?.queued_allocation;
                effect(
                    U256::from(q.start_block) == *start_block
                        && q.weights == U256::from(weights.len()),
                    || {
                        format!(
                            "BeraChef has {} weights queued from block {} for pool{i}, not {} from {start_block}",
                            q.weights,
                            q.start_block,
                            weights.len()
                        )
                    },
                )
            }
            Setting::ClaimIncentives {
                pool: i,
                claimer,
                value,
                incentive_token,
                ..
            } => {
                let (before, after) = (pool(prev, *i)?, pool(next, *i)?);
                // The claimer takes all the collector held of each token it names, and no one else takes any.
                let moved = token_moves(events, before.incentive_collector);
                let held = before.collector_incentive_tokens;
                let named: Vec<TokenTransfer> = if *incentive_token && !held.is_zero() {
                    vec![TokenTransfer {
                        from: before.incentive_collector,
                        to: *claimer,
                        amount: held,
                    }]
                } else {
                    Vec::new()
                };
                effect(moved == named, || {
                    format!(
                        "pool{i}'s collector sent {moved:?} on a claim by {claimer}, not the {held} incentive tokens it held"
                    )
                })?;
                let payout = if before.queued_payout_amount.is_zero() {
                    before.payout_amount
                } else {
                    before.queued_payout_amount
                };
                effect(
                    after.payout_amount == payout && after.queued_payout_amount.is_zero(),
                    || {
                        format!(
                            "pool{i}'s collector pays out {} with {} queued after a claim, not {payout} with none \
                             (the queued change applies on the next claim)",
                            after.payout_amount, after.queued_payout_amount
                        )
                    },
                )?;
                effect(
                    after.rewards_vault_balance
                        == before.rewards_vault_balance.saturating_add(*value),
                    || {
                        format!(
                            "pool{i}'s rewards vault holds {}, not {} + the {value} paid for the claim",
                            after.rewards_vault_balance, before.rewards_vault_balance
                        )
                    },
                )?;
                effect(
                    !incentive_token || after.collector_incentive_tokens.is_zero(),
                    || {
                        format!(
                            "pool{i}'s collector still holds {} incentive tokens after a claim of them",
                            after.collector_incentive_tokens
                        )
                    },
                )
            }
            Setting::Upgrade {
                holder,
                implementation,
                ..
            } => match next.implementations.iter().find(|s| s.holder == *holder) {
                Some(slot) => effect(slot.points_to == *implementation, || {
                    format!(
                        "{holder} points to {}, not to the {implementation} it was upgraded to",
                        slot.points_to
                    )
                }),
                None => Ok(()),
            },
            Setting::OracleReport {
                pool: i,
                balance,
                ref_slot,
            } => {
                let last = pool(next, *i)?.last_report;
                effect(
                    last.balance == *balance && last.ref_slot == *ref_slot,
                    || {
                        format!(
                        "the oracle's last report for pool{i} is {last:?}, not the {balance} at refSlot {ref_slot} accepted"
                    )
                    },
                )
            }
            Setting::NewPoolReport { balance, ref_slot } => {
                let new = &next.new_pool;
                effect(
                    new.reported == *balance && new.reported_ref_slot == *ref_slot,
                    || {
                        format!(
                            "the oracle's last report for the new pool is {} at refSlot {}, not the {balance} at refSlot {ref_slot} accepted",
                            new.reported, new.reported_ref_slot
                        )
                    },
                )
            }
            Setting::TransferOwnership {
                contract,
                new_owner,
                ..
            } => match next.governors.iter().find(|(c, _)| c == contract) {
                Some((_, owners)) => effect(owners.as_slice() == [*new_owner], || {
                    format!("{contract} is owned by {owners:?}, not by {new_owner}")
                }),
                None => Ok(()),
            },
        }
    }

    /// Whether a successful call's own event, where the interface gives it one, announces what it did: a
    /// setter's event names what its calldata set ([`StepEvents::announced`]); the factory's
    /// `StakingPoolContractsDeployed` names the pubkey and the four addresses the factory now keeps for it.
    pub fn announcement(&self, events: &StepEvents, next: &Observation) -> Result<(), String> {
        if self.announced_by_event() {
            return effect(events.announced.contains(self), || {
                format!("its event announces {:?}, not {self:?}", events.announced)
            });
        }
        if let Setting::ClaimIncentives {
            pool,
            claimer,
            value,
            ..
        } = *self
        {
            let expected = Claimed {
                pool,
                claimer,
                payout: value,
            };
            return effect(events.claims == [expected], || {
                format!(
                    "its events announce {:?}, not the one claim {expected:?}",
                    events.claims
                )
            });
        }
        if let Setting::DeployPool {
            pubkey: PubkeyOf::NewPool,
            ..
        } = self
        {
            let expected = PoolDeployed {
                pubkey: PubkeyOf::NewPool,
                core: next.new_pool.core,
            };
            return effect(events.pools_deployed == [expected], || {
                format!(
                    "its events announce {:?}, not the one deployment {expected:?} the factory keeps",
                    events.pools_deployed
                )
            });
        }
        Ok(())
    }

    /// Whether the interface gives this setting an event of its own that names what was set (decoded into
    /// [`StepEvents::announced`]).
    pub fn announced_by_event(&self) -> bool {
        matches!(
            self,
            Setting::OracleBounds { .. }
                | Setting::ProtocolFeeRecipient { .. }
                | Setting::MinEffectiveBalance { .. }
                | Setting::ProtocolFee { .. }
                | Setting::QueuePayout { .. }
                | Setting::RedeemBgt { .. }
        )
    }

    /// The pool the call is about, if any.
    pub fn pool(&self) -> Option<usize> {
        match *self {
            Setting::PausePool { pool }
            | Setting::UnpausePool { pool }
            | Setting::Collect { pool, .. }
            | Setting::QueueBoost { pool }
            | Setting::ActivateBoost { pool }
            | Setting::DropBoost { pool }
            | Setting::ClaimStakerReward { pool }
            | Setting::MinEffectiveBalance { pool, .. }
            | Setting::QueueCommission { pool, .. }
            | Setting::ProtocolFee { pool, .. }
            | Setting::QueuePayout { pool, .. }
            | Setting::RedeemBgt { pool, .. }
            | Setting::QueueRewardsAllocation { pool, .. }
            | Setting::ClaimIncentives { pool, .. }
            | Setting::RecoverTokens { pool, .. }
            | Setting::OracleReport { pool, .. } => Some(pool),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use alloy_primitives::{Address, U256};

    use crate::catalog::{Check, CATALOG};
    use crate::observation::{Observation, PoolObservation, Setting, StepEvents, StepRecord};
    use crate::Ghost;

    const GOVERNANCE: Address = Address::repeat_byte(0x60);
    const POOL: Address = Address::repeat_byte(0x70);

    fn world(paused: bool, min_effective_balance: U256) -> Observation {
        Observation {
            actors: vec![GOVERNANCE],
            governance: GOVERNANCE,
            governors: vec![(POOL, vec![GOVERNANCE])],
            feeders: vec![false],
            actor_bera: vec![U256::ZERO],
            pools: vec![PoolObservation {
                staking_pool: POOL,
                paused,
                min_effective_balance,
                roles: vec![vec![false]; 7],
                share_balances: vec![U256::ZERO],
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    /// LIVE-007 on one call of `setting`; a successful call's own event announces what it set.
    fn live_007(
        prev: &Observation,
        next: &Observation,
        setting: Setting,
        success: bool,
    ) -> Option<String> {
        let announced = if success {
            vec![setting.clone()]
        } else {
            Vec::new()
        };
        live_007_announcing(prev, next, setting, success, announced)
    }

    fn live_007_announcing(
        prev: &Observation,
        next: &Observation,
        setting: Setting,
        success: bool,
        announced: Vec<Setting>,
    ) -> Option<String> {
        let events = StepEvents {
            announced,
            ..Default::default()
        };
        live_007_with_events(prev, next, setting, success, events)
    }

    fn live_007_with_events(
        prev: &Observation,
        next: &Observation,
        setting: Setting,
        success: bool,
        events: StepEvents,
    ) -> Option<String> {
        let step = StepRecord {
            op: "Call".into(),
            caller: GOVERNANCE,
            target: Some(POOL),
            success,
            revert: (!success).then(|| "Unauthorized()".into()),
            setting: Some(setting),
            events,
            ..Default::default()
        };
        let check = Check {
            prev,
            next,
            step: &step,
            ghost: &Ghost::default(),
        };
        let invariant = CATALOG
            .iter()
            .find(|i| i.id == "LIVE-007")
            .expect("LIVE-007 is in the catalog");
        (invariant.check)(&check).err()
    }

    #[test]
    fn a_holders_call_in_the_domain_must_succeed_and_take_effect() {
        let bera = U256::from(10u64).pow(U256::from(18u64));
        let threshold = U256::from(300_000u64) * bera;
        let (before, after) = (world(false, U256::ZERO), world(false, threshold));
        let set = Setting::MinEffectiveBalance {
            pool: 0,
            value: threshold,
        };
        assert_eq!(live_007(&before, &after, set.clone(), true), None);
        // Its own event must announce what the calldata set.
        let other = Setting::MinEffectiveBalance {
            pool: 0,
            value: bera,
        };
        assert!(
            live_007_announcing(&before, &after, set.clone(), true, vec![other])
                .is_some_and(|m| m.contains("its event announces"))
        );
        assert!(
            live_007_announcing(&before, &after, set.clone(), true, Vec::new())
                .is_some_and(|m| m.contains("its event announces"))
        );
        // Refused to governance inside SPEC's domain.
        assert!(live_007(&before, &before, set.clone(), false)
            .is_some_and(|m| m.contains("was refused")));
        // Succeeded without its effect.
        assert!(live_007(&before, &before, set, true).is_some_and(|m| m.contains("not 300000")));
        // Below FIRST_DEPOSIT_AMOUNT: SPEC forbids it, so a refusal is right and a success is a violation.
        let low = Setting::MinEffectiveBalance {
            pool: 0,
            value: bera,
        };
        assert_eq!(live_007(&before, &before, low.clone(), false), None);
        assert!(live_007(&before, &world(false, bera), low, true)
            .is_some_and(|m| m.contains("SPEC forbids")));
        // Pausing a paused pool may be refused; an unpause that leaves the pool paused has no effect.
        let paused = world(true, U256::ZERO);
        assert_eq!(
            live_007(&paused, &paused, Setting::PausePool { pool: 0 }, false),
            None
        );
        assert!(
            live_007(&paused, &paused, Setting::UnpausePool { pool: 0 }, true)
                .is_some_and(|m| m.contains("still paused"))
        );
    }

    /// The new pool: a deployment must leave its proxies initialized and be announced by the one event naming
    /// them; an activation is forbidden before the oracle's report, owed after it, and must mint the dead shares.
    #[test]
    fn a_new_pool_is_deployed_initialized_and_activated_once_with_its_dead_shares() {
        use crate::formulas::FIRST_DEPOSIT_AMOUNT;
        use crate::observation::{CoreAddresses, PoolDeployed, PubkeyOf};
        let core = CoreAddresses {
            smart_operator: Address::repeat_byte(0x81),
            staking_pool: Address::repeat_byte(0x82),
            rewards_vault: Address::repeat_byte(0x83),
            incentive_collector: Address::repeat_byte(0x84),
        };
        let mut undeployed = world(false, U256::ZERO);
        undeployed.new_pool.predicted = core;
        let mut deployed = undeployed.clone();
        deployed.new_pool.core = core;
        deployed.new_pool.cl_operator = core.smart_operator;
        deployed.new_pool.initialized = [1; 4];
        let deploy = Setting::DeployPool {
            pubkey: PubkeyOf::NewPool,
            value: FIRST_DEPOSIT_AMOUNT,
            credentials_ok: true,
            zero_account: false,
        };
        let announced = StepEvents {
            pools_deployed: vec![PoolDeployed {
                pubkey: PubkeyOf::NewPool,
                core,
            }],
            ..Default::default()
        };
        assert_eq!(
            live_007_with_events(
                &undeployed,
                &deployed,
                deploy.clone(),
                true,
                announced.clone()
            ),
            None
        );
        let mut uninitialized = deployed.clone();
        uninitialized.new_pool.initialized[3] = 0;
        assert!(
            live_007_with_events(&undeployed, &uninitialized, deploy.clone(), true, announced)
                .is_some_and(|m| m.contains("initialized"))
        );
        assert!(live_007(&undeployed, &deployed, deploy, true)
            .is_some_and(|m| m.contains("its events announce")));

        let activate = Setting::ActivatePool {
            pubkey: PubkeyOf::NewPool,
        };
        // Before the oracle saw the first deposit: refused rightly, and forbidden to succeed.
        assert_eq!(
            live_007(&deployed, &deployed, activate.clone(), false),
            None
        );
        assert!(live_007(&deployed, &deployed, activate.clone(), true)
            .is_some_and(|m| m.contains("SPEC forbids")));
        let mut reported = deployed.clone();
        reported.new_pool.reported = FIRST_DEPOSIT_AMOUNT;
        let mut active = reported.clone();
        active.new_pool.active = true;
        active.new_pool.supply = FIRST_DEPOSIT_AMOUNT;
        assert_eq!(live_007(&reported, &active, activate.clone(), true), None);
        assert!(live_007(&reported, &reported, activate.clone(), false)
            .is_some_and(|m| m.contains("was refused")));
        let mut no_shares = active.clone();
        no_shares.new_pool.supply = U256::ZERO;
        assert!(live_007(&reported, &no_shares, activate.clone(), true)
            .is_some_and(|m| m.contains("dead shares")));
        // Once active, never again.
        assert!(
            live_007(&active, &active, activate, true).is_some_and(|m| m.contains("SPEC forbids"))
        );
    }

    #[test]
    fn a_pool_not_yet_active_takes_any_report_up_to_the_cap_and_keeps_it() {
        let cap = crate::formulas::MAX_EFFECTIVE_BALANCE * U256::from(2u8);
        let report = |balance: U256, ref_slot: u64| Setting::NewPoolReport {
            balance,
            ref_slot: U256::from(ref_slot),
        };
        // The step's caller (governance in these tests) holds the feeder role.
        let mut undeployed = world(false, U256::ZERO);
        undeployed.feeders = vec![true];
        let mut deployed = undeployed.clone();
        deployed.new_pool.core.staking_pool = Address::repeat_byte(0x82);
        // Before the factory deployed it the oracle does not know the pubkey: a refusal is allowed.
        assert_eq!(
            live_007(&undeployed, &undeployed, report(cap, 1), false),
            None
        );
        // Deployed, not active: the cap itself is in the domain, one wei above is not.
        assert!(live_007(&deployed, &deployed, report(cap, 1), false)
            .is_some_and(|m| m.contains("was refused")));
        assert_eq!(
            live_007(
                &deployed,
                &deployed,
                report(cap + U256::from(1u8), 1),
                false
            ),
            None
        );
        // A stale refSlot may be refused.
        let mut reported = deployed.clone();
        reported.new_pool.reported = cap;
        reported.new_pool.reported_ref_slot = U256::from(1u8);
        assert_eq!(live_007(&reported, &reported, report(cap, 1), false), None);
        // Accepted: the oracle keeps both the balance and the refSlot.
        let mut kept = reported.clone();
        kept.new_pool.reported = U256::from(7u8);
        kept.new_pool.reported_ref_slot = U256::from(2u8);
        assert_eq!(
            live_007(&reported, &kept, report(U256::from(7u8), 2), true),
            None
        );
        let mut slot_lost = kept.clone();
        slot_lost.new_pool.reported_ref_slot = U256::from(1u8);
        assert!(
            live_007(&reported, &slot_lost, report(U256::from(7u8), 2), true)
                .is_some_and(|m| m.contains("refSlot 1"))
        );
        // Active: bounded by books the harness does not observe for this pool, so any refusal is allowed.
        let mut active = deployed.clone();
        active.new_pool.active = true;
        assert_eq!(live_007(&active, &active, report(cap, 1), false), None);
    }
}
