//! The invariant catalog. Each entry: a stable id, a category, one sentence, the broken variant of the suite
//! (under `contracts/variants/`) that proves the check can fire, and the check itself.

use std::fmt;

use alloy_primitives::{Address, U256};
use serde::{Deserialize, Serialize};

use crate::ensure;
use crate::formulas::{
    fee_of, fee_shares, finalizable, net_of_fees, split_fee_shares, to_assets, to_shares,
    ExitReason, Rounding, MAX_EFFECTIVE_BALANCE, WITHDRAWAL_DELAY,
};
use crate::ghost::{bgt_ledger_applies, Ghost};
use crate::observation::{
    AcceptedReport, Burn, Conversions, Deposit, DepositsUpdated, FeeMint, Finalization,
    Observation, OracleBounds, PoolObservation, Previews, Privilege, Reentry, ReportArgs,
    RequestObservation, Role, RoleOp, StepRecord, SuiteCall, SuiteFunction,
};
use crate::refusals::Refused;

/// What an invariant is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Category {
    /// stBERA supply and balances.
    Shares,
    /// totalAssets, buffers and solvency.
    Accounting,
    /// Share-vault properties: no value for free.
    NoFreeValue,
    /// The share price.
    ExchangeRate,
    /// Commission and protocol fee caps.
    Fees,
    /// Roles, upgrades.
    AccessControl,
    /// Withdrawal requests.
    Withdrawals,
    /// Pause and full exit.
    PauseAndExit,
    /// Oracle reports.
    Oracle,
    /// What must stay possible: an unexpected refusal is the violation.
    Liveness,
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// The inputs of a check: the world before and after one step, the step, the ghost (already updated).
#[derive(Debug, Clone, Copy)]
pub struct Check<'a> {
    /// Before the step.
    pub prev: &'a Observation,
    /// After the step.
    pub next: &'a Observation,
    /// The step.
    pub step: &'a StepRecord,
    /// The ghost model after the step.
    pub ghost: &'a Ghost,
}

/// One invariant.
#[derive(Debug, Clone, Copy)]
pub struct Invariant {
    /// Stable id, e.g. `SHARE-001`.
    pub id: &'static str,
    /// Category.
    pub category: Category,
    /// One sentence.
    pub statement: &'static str,
    /// The broken variant (a patch under `contracts/variants/`) that this invariant must catch.
    pub broken_variant: &'static str,
    /// The check: `Err(explanation)` on a violation.
    pub check: fn(&Check<'_>) -> Result<(), String>,
}

/// An invariant that failed at a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// Invariant id.
    pub invariant: String,
    /// Step index in the sequence.
    pub step: usize,
    /// What was wrong.
    pub message: String,
}

/// Runs every check of the catalog.
pub fn check_all(check: &Check<'_>) -> Vec<Violation> {
    CATALOG
        .iter()
        .filter_map(|inv| {
            (inv.check)(check).err().map(|message| Violation {
                invariant: inv.id.to_string(),
                step: check.step.index,
                message,
            })
        })
        .collect()
}

/// Looks an invariant up by id.
pub fn find(id: &str) -> Option<&'static Invariant> {
    CATALOG.iter().find(|inv| inv.id == id)
}

fn pools<'a>(
    c: &'a Check<'_>,
) -> impl Iterator<Item = (usize, &'a PoolObservation, &'a PoolObservation)> + 'a {
    c.prev
        .pools
        .iter()
        .zip(&c.next.pools)
        .enumerate()
        .map(|(i, (a, b))| (i, a, b))
}

/// Every role change the step asked for, with its sender's actor index: the transaction's, then each successful
/// re-entry's (a contract actor's callback grants, revokes or renounces as the contract). None when the step
/// failed, since then nothing it asked for stayed.
fn role_ops_asked(c: &Check<'_>) -> Vec<(Option<usize>, RoleOp)> {
    if !c.step.success {
        return Vec::new();
    }
    let reentries = c.step.events.reentries.iter().filter(|r| r.success);
    c.step
        .role_op
        .map(|op| (c.prev.actor_index(c.step.caller), op))
        .into_iter()
        .chain(reentries.filter_map(|r| r.role_op.map(|op| (c.prev.actor_index(r.by), op))))
        .collect()
}

/// The changes of pool `pool`'s roles (role, actor, whether held after) that `asked` makes legitimately: a grant or
/// revoke by a holder of the role's admin role, a renounce by the holder. The roles held are those of `before`
/// as the changes apply in order, so an admin granted earlier in the step may grant in turn.
fn authorised_role_changes(
    asked: &[(Option<usize>, RoleOp)],
    pool: usize,
    before: &PoolObservation,
) -> Vec<(Role, usize, bool)> {
    let mut held = if asked.is_empty() {
        Vec::new()
    } else {
        before.roles.clone()
    };
    let mut explained = Vec::new();
    for (sender, op) in asked {
        let (role, account, is) = match *op {
            RoleOp::Grant {
                pool: p,
                role,
                account,
            } if p == pool => (role, Some(account), true),
            RoleOp::Revoke {
                pool: p,
                role,
                account,
            } if p == pool => (role, Some(account), false),
            RoleOp::Renounce { pool: p, role } if p == pool => (role, None, false),
            _ => continue,
        };
        let authorised = match account {
            Some(_) => sender.is_some_and(|x| held[role.admin().index()].get(x) == Some(&true)),
            None => sender.is_some(),
        };
        let Some(k) = account.or(*sender).filter(|_| authorised) else {
            continue;
        };
        if let Some(slot) = held[role.index()].get_mut(k) {
            *slot = is;
        }
        explained.push((role, k, is));
    }
    explained
}

const MAX_BPS: u64 = 2000;

/// SPEC: request ids are an ERC-721 "BSPWR".
const REQUEST_TOKEN_SYMBOL: &str = "BSPWR";
/// Rounding slack in wei for checks that compare values computed at different prices.
const DUST: u64 = 1_000_000;

/// `Σ reward × bps / 10000`, each rounded down (each reward is charged on its own).
fn fee_sum(rewards: &[U256], bps: U256) -> U256 {
    rewards
        .iter()
        .map(|r| fee_of(*r, bps).unwrap_or(U256::MAX))
        .fold(U256::ZERO, U256::saturating_add)
}

/// The fees one reward bore, and who takes them (FEE-002's exact part).
struct ChargedFees {
    /// The commission, `reward * commission bps / 10000`.
    commission: U256,
    /// The protocol fee, `reward * protocol fee bps / 10000`.
    protocol_fee: U256,
    /// The default shares recipient, who takes the commission.
    validator: Address,
    /// The protocol fee recipient.
    protocol: Address,
}

impl ChargedFees {
    /// Holds a step's fee mints in pool `i` exactly, `after` being the state the shares were minted into. One fee
    /// alone gets SPEC's `fee*(supply+1)/(totalAssets+1-fee)` shares. Two fees minted together cannot both follow that
    /// formula (each would dilute the other), and SPEC gives no formula for them, only that each recipient's shares
    /// are worth its fee rounded down; they are held to the rounding rule FeeMath documents for a joint mint
    /// ([`split_fee_shares`], which tests/prove.rs checks against the compiled bytecode): a reference model, so any
    /// share a rounding step moves between the stakers and a recipient is seen, even where each part stays worth at
    /// most its fee. One address taking both fees is held to the sum of its parts.
    fn check_minted(
        &self,
        i: usize,
        mints: &[FeeMint],
        after: &PoolObservation,
    ) -> Result<(), String> {
        let mints = || mints.iter().filter(|m| m.pool == i);
        let minted_to = |who: Address| -> U256 {
            mints()
                .filter(|m| m.recipient == who)
                .map(|m| m.shares)
                .sum()
        };
        let minted: U256 = mints().map(|m| m.shares).sum();
        let Some(supply) = after.total_supply.checked_sub(minted) else {
            return Err(format!(
                "pool{i}: {minted} fee shares minted, more than the supply {} after the step",
                after.total_supply
            ));
        };
        let assets = after.total_assets;
        let worth = |shares: U256| {
            to_assets(shares, after.total_supply, assets, Rounding::Floor).unwrap_or(U256::MAX)
        };
        // What each recipient is owed: one fee alone by SPEC's formula (nothing for a zero fee), two by the joint split.
        let alone = self.commission.is_zero() || self.protocol_fee.is_zero();
        let (commission_shares, protocol_shares) = if alone {
            (
                fee_shares(self.commission, supply, assets).unwrap_or(U256::MAX),
                fee_shares(self.protocol_fee, supply, assets).unwrap_or(U256::MAX),
            )
        } else {
            split_fee_shares(self.commission, self.protocol_fee, supply, assets)
                .unwrap_or((U256::MAX, U256::MAX))
        };
        let parts = if self.validator == self.protocol {
            vec![(
                self.validator,
                self.commission.saturating_add(self.protocol_fee),
                commission_shares.saturating_add(protocol_shares),
            )]
        } else {
            vec![
                (self.validator, self.commission, commission_shares),
                (self.protocol, self.protocol_fee, protocol_shares),
            ]
        };
        for (who, fee, expected) in parts {
            let shares = minted_to(who);
            ensure(shares == expected, || {
                if alone {
                    format!("pool{i}: {shares} fee shares minted to {who} for a fee of {fee}, where fee*(supply+1)/(totalAssets+1-fee) with supply {supply} and totalAssets {assets} makes {expected}")
                } else {
                    format!(
                    "pool{i}: {shares} fee shares minted to {who}, worth {} at the price after minting, for a fee of {fee}; FeeMath's joint split of a commission of {} and a protocol fee of {} with supply {supply} and totalAssets {assets} makes {expected} ({commission_shares} and {protocol_shares}), worth {}",
                    worth(shares),
                    self.commission,
                    self.protocol_fee,
                    worth(expected)
                )
                }
            })?;
        }
        Ok(())
    }
}

/// The catalog.
pub static CATALOG: &[Invariant] = &[
    Invariant {
        id: "SHARE-001",
        category: Category::Shares,
        statement: "The stBERA balances of all holders sum to totalSupply.",
        broken_variant: "share-001-mint-without-supply",
        check: |c| {
            for (i, _, p) in pools(c) {
                let sum = p.share_balances.iter().fold(p.other_share_balances, |acc, b| acc.saturating_add(*b));
                ensure(sum == p.total_supply, || format!("pool{i}: balances sum to {sum}, totalSupply is {}", p.total_supply))?;
            }
            Ok(())
        },
    },
    Invariant {
        id: "SHARE-002",
        category: Category::Shares,
        statement: "totalSupply changes only by deposit mints, fee mints and withdrawal burns, and each holder's balance by exactly the mints, burns and transfers the pool's events name for it.",
        broken_variant: "share-002-silent-mint",
        check: |c| {
            let e = &c.step.events;
            for (i, a, b) in pools(c) {
                let minted: U256 = e.deposits.iter().filter(|d| d.pool == i).map(|d| d.shares).sum::<U256>()
                    + e.fee_mints.iter().filter(|f| f.pool == i).map(|f| f.shares).sum::<U256>();
                let burnt: U256 = e.burns.iter().filter(|w| w.pool == i).map(|w| w.shares).sum();
                let expected = (a.total_supply + minted).checked_sub(burnt);
                ensure(expected == Some(b.total_supply), || {
                    format!("pool{i}: supply {} -> {}, events mint {minted} and burn {burnt}", a.total_supply, b.total_supply)
                })?;
                // The events are what VALUE-002/003/004, FEE-002 and EXIT-003 price, so they are tied to storage
                // here: the shares must move for the holder each event names (a deposit minted to its sender
                // while the event names the receiver keeps the supply right and every price check quiet).
                // Each of the pool's events as (holder, shares in, shares out): a step names few holders, and most
                // name none, so every holder's flow is a pass over this short list.
                let moves: Vec<(Address, U256, U256)> = e
                    .deposits
                    .iter()
                    .filter(|d| d.pool == i)
                    .map(|d| (d.receiver, d.shares, U256::ZERO))
                    .chain(e.fee_mints.iter().filter(|f| f.pool == i).map(|f| (f.recipient, f.shares, U256::ZERO)))
                    .chain(e.burns.iter().filter(|w| w.pool == i).map(|w| (w.user, U256::ZERO, w.shares)))
                    .chain(e.share_transfers.iter().filter(|t| t.pool == i).flat_map(|t| {
                        [(t.to, t.amount, U256::ZERO), (t.from, U256::ZERO, t.amount)]
                    }))
                    .collect();
                let flow = |who: Address| {
                    moves
                        .iter()
                        .filter(|(holder, _, _)| *holder == who)
                        .fold((U256::ZERO, U256::ZERO), |(inflow, outflow), (_, add, take)| (inflow + add, outflow + take))
                };
                for ((who, before), after) in c.next.actors.iter().zip(&a.share_balances).zip(&b.share_balances) {
                    let (inflow, outflow) = flow(*who);
                    ensure((*before + inflow).checked_sub(outflow) == Some(*after), || {
                        format!(
                            "pool{i}: {who} holds {before} -> {after} shares, its events add {inflow} and take {outflow}"
                        )
                    })?;
                }
                let (inflow, outflow) = c.next.other_holders.iter().fold((U256::ZERO, U256::ZERO), |(x, y), who| {
                    let (inflow, outflow) = flow(*who);
                    (x + inflow, y + outflow)
                });
                ensure((a.other_share_balances + inflow).checked_sub(outflow) == Some(b.other_share_balances), || {
                    format!(
                        "pool{i}: the address book's other holders hold {} -> {} shares, their events add {inflow} and take {outflow}",
                        a.other_share_balances, b.other_share_balances
                    )
                })?;
            }
            Ok(())
        },
    },
    Invariant {
        id: "SHARE-003",
        category: Category::Shares,
        statement: "While a pool has not fully exited its supply never falls below the dead shares minted at activation.",
        broken_variant: "share-003-burn-dead-shares",
        check: |c| {
            for (i, _, p) in pools(c) {
                // The floor from SPEC, not only the suite's `deadShares()`: a pool the harness saw active minted
                // FIRST_DEPOSIT_AMOUNT dead shares (1:1 at activation), which a wrong stored value cannot lower.
                let spec_floor = if c.ghost.activated.get(i).copied().unwrap_or(false) {
                    crate::formulas::FIRST_DEPOSIT_AMOUNT
                } else {
                    U256::ZERO
                };
                let floor = p.dead_shares.max(spec_floor);
                ensure(p.is_fully_exited || p.total_supply >= floor, || {
                    format!(
                        "pool{i}: supply {} below dead shares {floor} (deadShares() says {})",
                        p.total_supply, p.dead_shares
                    )
                })?;
            }
            Ok(())
        },
    },
    Invariant {
        id: "ACCT-001",
        category: Category::Accounting,
        statement: "totalAssets equals totalDeposits + bufferedAssets + uncollected rewards net of their fees + the operator's rebaseable BGT; and the rewards vault's prechargedAmount is the BERA of redeemed BGT (which bore its fees when redeemed) that the pool has not collected yet, by the harness's own account of redemptions and collections.",
        broken_variant: "acct-001-gross-rewards",
        check: |c| {
            for (i, _, p) in pools(c) {
                if let Some(&expected) = c.ghost.precharged.get(i) {
                    ensure(p.precharged == expected, || {
                        format!(
                            "pool{i}: its rewards vault has {} precharged, but the BGT redeemed into it and not yet collected is {expected}",
                            p.precharged
                        )
                    })?;
                }
                if p.is_fully_exited || !p.is_active {
                    continue;
                }
                let (cb, pb) = (p.commission_bps, p.effective_protocol_fee_bps);
                let pre = p.precharged.min(p.rewards_vault_balance);
                let rewards = pre + net_or_zero(p.rewards_vault_balance - pre, cb, pb);
                let bgt = if p.operator_bgt <= p.last_accrued_bgt {
                    p.operator_bgt
                } else {
                    p.last_accrued_bgt + net_or_zero(p.operator_bgt - p.last_accrued_bgt, cb, pb)
                };
                let sum = p.total_deposits + p.buffered_assets + rewards + bgt;
                ensure(sum == p.total_assets, || {
                    format!(
                        "pool{i}: totalAssets {} but deposits {} + buffer {} + rewards {rewards} + BGT {bgt} = {sum}",
                        p.total_assets, p.total_deposits, p.buffered_assets
                    )
                })?;
            }
            Ok(())
        },
    },
    Invariant {
        id: "ACCT-002",
        category: Category::Accounting,
        statement: "A pool holds at least its bufferedAssets in BERA.",
        broken_variant: "acct-002-buffer-not-kept",
        check: |c| {
            for (i, _, p) in pools(c) {
                ensure(p.pool_balance >= p.buffered_assets, || {
                    format!("pool{i}: holds {} BERA, buffer says {}", p.pool_balance, p.buffered_assets)
                })?;
            }
            Ok(())
        },
    },
    Invariant {
        id: "ACCT-003",
        category: Category::Accounting,
        statement: "The WithdrawalVault holds at least the sum of every pool's funds on its books (`_funds` in \
                    storage plus the consensus-layer payouts not yet booked), and poolFunds() reports exactly \
                    that figure.",
        broken_variant: "acct-003-funds-double-counted",
        check: |c| {
            // The books are read from storage and the payouts from the BeaconDeposit stand-in, so that a wrong
            // poolFunds() can neither hide a shortfall nor go unnoticed itself (LIVE-004 and ACCT-004 trust it to
            // say what a pool may pay out).
            for (i, p) in c.next.pools.iter().enumerate() {
                ensure(p.vault_funds == p.vault_funds_in_storage(), || {
                    format!(
                        "poolFunds(pool{i}) reports {} but the vault's books hold {} (_funds {} + unbooked payouts \
                         {} − {})",
                        p.vault_funds,
                        p.vault_funds_in_storage(),
                        p.vault_funds_booked,
                        p.cl_withdrawn,
                        p.vault_withdrawn_attributed
                    )
                })?;
            }
            let total: U256 = c.next.pools.iter().map(|p| p.vault_funds_in_storage()).sum();
            ensure(c.next.withdrawal_vault_balance >= total, || {
                format!("vault holds {} but its pools' funds sum to {total}", c.next.withdrawal_vault_balance)
            })
        },
    },
    Invariant {
        id: "ACCT-004",
        category: Category::Accounting,
        statement: "Each pool's unfinalized requests (and, once exited, its frozen totalAssets) are covered by that pool's own funds in the vault plus what the consensus layer still owes it, less consensus-layer losses the books cannot see (not yet reported by the oracle, or after the freeze), up to what the harness's penalties took and its accepted reports overstated; an exited pool's operator BGT (BERA-backed 1:1) and the BERA in its rewards vault count as owed to it.",
        broken_variant: "acct-004-cl-part-not-requested",
        check: |c| {
            for (i, _, p) in pools(c) {
                // An exited pool is also owed its operator's BGT: BERA-backed 1:1 in the BGT contract (read from the
                // chain stand-in, not the pool), it reaches the pool's funds in the vault once redeemed and collected.
                // The frozen books leave it out, but a withdrawal that triggered the exit was priced with its share of
                // it. So is the BERA in its rewards vault (raw balance): redeemed BGT lands there, and anyone's
                // `processRewards` forwards an exited pool's rewards to the vault.
                // A live pool is owed what the vault really asked the consensus layer for and it has not paid yet
                // (the WithdrawalRequests stand-in's queue, capped at the validator's balance), not what the pool's
                // books say was requested: a request that asks for less than the books record is never paid.
                let queued = c.next.queued_cl_withdrawals(i);
                let receivable = if p.is_fully_exited {
                    p.cl_balance
                        + c.ghost.exit_shortfall.get(i).copied().unwrap_or_default()
                        + p.operator_bgt
                        + p.rewards_vault_balance
                } else {
                    queued.min(p.cl_balance)
                };
                // A live pool's requested consensus-layer part that the validator can no longer pay, excused only
                // up to the penalties the harness applied: the pool cannot see a loss before the oracle reports it.
                let unseen_loss = if p.is_fully_exited {
                    U256::ZERO
                } else {
                    let unpayable = (queued - receivable).saturating_add(c.next.unpaid_processed_cl_withdrawals(i));
                    unpayable.min(c.ghost.live_cl_losses.get(i).copied().unwrap_or_default())
                };
                let claims = if p.is_fully_exited { p.vault_owed + p.frozen_total_assets } else { p.vault_owed };
                ensure(p.vault_funds + receivable + unseen_loss >= claims, || {
                    format!(
                        "pool{i}: funds {} + receivable {receivable} + unseen loss {unseen_loss} < claims {claims} (owed {}, frozen {})",
                        p.vault_funds, p.vault_owed, p.frozen_total_assets
                    )
                })?;
            }
            Ok(())
        },
    },
    Invariant {
        id: "WD-001",
        category: Category::Withdrawals,
        statement: "A finalized request pays exactly assetsRequested to its user, once, out of the WithdrawalVault, and no request becomes finalized without it.",
        broken_variant: "wd-001-finalize-twice",
        check: |c| {
            for (n, &Finalization { id, user, assets }) in c.step.events.finalized.iter().enumerate() {
                ensure(!c.step.events.finalized[..n].iter().any(|f| f.id == id), || {
                    format!("request {id} finalized twice in one step")
                })?;
                let index = id as usize - 1;
                let before = c.prev.requests.get(index);
                let after = c.next.requests.get(index);
                ensure(before.is_some_and(|r| !r.finalized), || format!("request {id} finalized again"))?;
                ensure(after.is_some_and(|r| r.finalized && r.assets == assets && r.user == user), || {
                    format!("request {id} paid {assets} to {user}, books say {after:?}")
                })?;
            }
            // The other way round, from the vault's book: a request that became finalized without its event (so
            // without the payment checked below) is a request closed unpaid.
            for (index, after) in c.next.requests.iter().enumerate() {
                let id = index as u64 + 1;
                if after.finalized && !c.prev.requests.get(index).is_some_and(|r| r.finalized) {
                    ensure(c.step.events.finalized.iter().any(|f| f.id == id), || {
                        format!("request {id} ({} to {}) became finalized with no WithdrawalRequestFinalized", after.assets, after.user)
                    })?;
                }
            }
            // Every user's BERA moves by exactly what finalizations paid it (finalize sends no value), except an
            // account a callback's own call in the step involved: the contract actor that re-entered (it may have
            // spent or received), and the account that call went to or named (a plain send, a forced send to it).
            let finalize = [SuiteFunction::FinalizeWithdrawalRequest, SuiteFunction::FinalizeWithdrawalRequests];
            if c.step.success && c.step.call.is_some_and(|call| finalize.contains(&call.function)) {
                for (a, who) in c.next.actors.iter().enumerate() {
                    let involved = |r: &&Reentry| {
                        r.by == *who || (r.success && (r.target == *who || r.named.contains(who)))
                    };
                    if c.step.events.reentries.iter().any(|r| involved(&r)) {
                        continue;
                    }
                    let paid: U256 = c.step.events.finalized.iter().filter(|f| f.user == *who).map(|f| f.assets).sum();
                    let delta = c.next.actor_bera[a].checked_sub(c.prev.actor_bera[a]);
                    ensure(delta == Some(paid), || {
                        format!("actor {who} received {:?} but finalizations paid {paid}", delta)
                    })?;
                }
                // All of it left the vault (raw balance): this covers users that are not actors, and a payment
                // that stays in the vault for a user the loop above skipped.
                if c.step.events.reentries.is_empty() {
                    let paid: U256 = c.step.events.finalized.iter().map(|f| f.assets).sum();
                    let (before, after) = (c.prev.withdrawal_vault_balance, c.next.withdrawal_vault_balance);
                    ensure(after.checked_add(paid) == Some(before), || {
                        format!("the WithdrawalVault went from {before} to {after} wei, finalizations paid {paid}")
                    })?;
                }
            }
            Ok(())
        },
    },
    Invariant {
        id: "WD-002",
        category: Category::Withdrawals,
        statement: "No request is finalized before requestBlock + 129,600.",
        broken_variant: "wd-002-short-delay",
        check: |c| {
            // Every request that became finalized in the step, with or without an event, is judged by the block
            // the harness saw it appear in (the ghost), not by the `requestBlock` the vault stored: a vault that
            // stores the wrong block passes its own delay check.
            for (index, after) in c.next.requests.iter().enumerate() {
                let before = c.prev.requests.get(index);
                if !after.finalized || before.is_some_and(|r| r.finalized) {
                    continue;
                }
                let requested = c.ghost.request_blocks.get(index).copied().unwrap_or(c.next.block);
                ensure(finalizable(U256::from(requested), U256::from(c.next.block)) == Some(true), || {
                    format!(
                        "request {} made at block {requested} (the vault stores {}) finalized at block {}",
                        index + 1,
                        after.block,
                        c.next.block
                    )
                })?;
            }
            Ok(())
        },
    },
    Invariant {
        id: "WD-003",
        category: Category::Withdrawals,
        statement: "Request ids are never reused: existing requests never change except to become finalized, and never become unfinalized; each WithdrawalRequested event announces a request made in its step, with the pool, user, assets and shares the vault stored for it; and each id is SPEC's non-transferable ERC-721 \"BSPWR\" token, held by the request's user until the request is finalized.",
        broken_variant: "wd-003-reuse-id",
        check: |c| {
            ensure(c.next.request_token_symbol == REQUEST_TOKEN_SYMBOL, || {
                format!("the vault's request token is {:?}, not SPEC's {REQUEST_TOKEN_SYMBOL:?}", c.next.request_token_symbol)
            })?;
            for (i, r) in c.next.requests.iter().enumerate() {
                let holder = if r.finalized { Address::ZERO } else { r.user };
                ensure(r.owner == holder, || {
                    format!(
                        "request {}: its id is held by {}, not by {holder} ({})",
                        i + 1,
                        r.owner,
                        if r.finalized { "finalized, so burnt" } else { "its user, until it is finalized" }
                    )
                })?;
            }
            ensure(c.next.requests.len() >= c.prev.requests.len(), || "request count decreased".to_string())?;
            for (i, (a, b)) in c.prev.requests.iter().zip(&c.next.requests).enumerate() {
                ensure(a.user == b.user && a.assets == b.assets && a.shares == b.shares && a.block == b.block, || {
                    format!("request {} changed: {a:?} -> {b:?}", i + 1)
                })?;
                ensure(!a.finalized || b.finalized, || format!("request {} became unfinalized", i + 1))?;
            }
            for event in &c.step.events.requested {
                let stored = usize::try_from(event.id)
                    .ok()
                    .filter(|id| *id > c.prev.requests.len())
                    .and_then(|id| c.next.requests.get(id - 1));
                ensure(
                    stored.is_some_and(|r| {
                        (r.pool, r.user, r.assets, r.shares) == (event.pool, event.user, event.assets, event.shares)
                    }),
                    || format!("{event:?} does not describe a request made in the step as stored: {stored:?}"),
                )?;
            }
            Ok(())
        },
    },
    Invariant {
        id: "VALUE-001",
        category: Category::NoFreeValue,
        statement: "Previews and conversions round on the pool's side: previewDeposit, previewRedeem, convertToShares and convertToAssets round down, previewMint and previewWithdraw round up (ERC-4626).",
        broken_variant: "value-001-redeem-rounds-up",
        check: |c| {
            for (i, _, p) in pools(c) {
                let Previews { probe: x, deposit: dep, mint, withdraw: wd, redeem: red } = p.previews;
                let (s, t) = (p.total_supply, p.total_assets);
                let expect = (
                    to_shares(x, s, t, Rounding::Floor),
                    to_assets(x, s, t, Rounding::Ceil),
                    to_shares(x, s, t, Rounding::Ceil),
                    to_assets(x, s, t, Rounding::Floor),
                );
                ensure(expect == (Some(dep), Some(mint), Some(wd), Some(red)), || {
                    format!("pool{i}: previews of {x}: deposit {dep} mint {mint} withdraw {wd} redeem {red}, expected {expect:?}")
                })?;
                let Conversions { to_shares: shares, to_assets: assets } = p.conversions;
                ensure((Some(shares), Some(assets)) == (expect.0, expect.3), || {
                    format!("pool{i}: convertToShares({x}) = {shares}, convertToAssets({x}) = {assets}, expected {:?} and {:?} (rounded down)", expect.0, expect.3)
                })?;
            }
            Ok(())
        },
    },
    Invariant {
        id: "VALUE-002",
        category: Category::NoFreeValue,
        statement: "Shares minted by a deposit are worth at most the deposit (deposit-then-redeem never returns more) and at least 99.9% of it less one share's rounding (no donation makes a depositor lose more than 0.1%); a deposit costs its sender exactly the assets its Deposit events credit (the rest of msg.value refunded), and those are all of msg.value up to the capacity MAX_EFFECTIVE_BALANCE leaves once the rewards are collected.",
        broken_variant: "value-002-deposit-bonus",
        check: |c| {
            // The shares are priced after the step, which is the price right after the mint only when no callback
            // re-entered: a contract depositor's hook, run by its refund, may itself move the price (a donation to
            // the rewards vault raises it for every holder, the depositor included).
            let reentered = c.step.events.reentries.iter().any(|r| r.success);
            for &Deposit { pool: i, assets, shares, .. } in c.step.events.deposits.iter().filter(|_| !reentered) {
                let p = &c.next.pools[i];
                let worth = to_assets(shares, p.total_supply, p.total_assets, Rounding::Floor).unwrap_or(U256::MAX);
                ensure(worth <= assets, || format!("pool{i}: {shares} shares for {assets} are worth {worth}"))?;
                let floor = assets - assets / U256::from(1000u64);
                // Two floors (shares, then their value) can lose up to one share's worth.
                let share_price = to_assets(U256::from(1u8), p.total_supply, p.total_assets, Rounding::Ceil).unwrap_or(U256::MAX);
                ensure(worth.saturating_add(share_price).saturating_add(U256::from(1u8)) >= floor, || {
                    format!("pool{i}: deposit of {assets} is worth only {worth} (> 0.1% loss)")
                })?;
                ensure(!shares.is_zero(), || format!("pool{i}: deposit of {assets} minted no shares"))?;
            }
            // The `assets` priced above is the event's; tie it to what the sender paid (raw balances): a
            // successful deposit transaction costs its sender exactly the assets its Deposit events credit, the
            // rest of msg.value refunded. A callback of a contract sender may itself move BERA, so such steps
            // are left out.
            let step = c.step;
            let Some(i) = step.call.filter(|call| call.function == SuiteFunction::Deposit).and_then(|call| call.pool) else {
                return Ok(());
            };
            let Some((before, after)) = sender_bera(c) else {
                return Ok(());
            };
            let credited: U256 = step.events.deposits.iter().filter(|d| d.pool == i && d.sender == step.caller).map(|d| d.assets).sum();
            ensure(after.checked_add(credited) == Some(before), || {
                format!(
                    "pool{i}: {} sent {} wei to deposit, its Deposit events credit {credited}, but its balance went from {before} to {after}",
                    step.caller, step.value
                )
            })?;
            // And what is credited is SPEC's share of msg.value: all of it up to the capacity left once the
            // rewards vault's BERA is collected into the buffer (MAX_EFFECTIVE_BALANCE less totalDeposits and the
            // buffer), computed here from the state before the step.
            let p = &c.prev.pools[i];
            let held = p.total_deposits.saturating_add(p.buffered_assets).saturating_add(p.rewards_vault_balance);
            let accepted = step.value.min(MAX_EFFECTIVE_BALANCE.saturating_sub(held));
            ensure(credited == accepted, || {
                format!(
                    "pool{i}: a deposit of {} wei with {held} wei held (deposits, buffer and uncollected rewards) accepts {accepted} wei up to the capacity, but {credited} was credited",
                    step.value
                )
            })
        },
    },
    Invariant {
        id: "VALUE-003",
        category: Category::NoFreeValue,
        statement: "A withdrawal burns shares worth at least the assets it books (no assets for free), and books them as a request for the same holder, assets and shares, the amount its sender asked for; and the parts its WithdrawalNotified names are the ones that moved (the consensus-layer part is what clWithdrawalsRequested grew by, the buffer part what left the buffer), adding up to the assets on a live pool and both zero where the frozen pool pays (IStakingPool).",
        broken_variant: "value-003-cheap-withdrawal",
        check: |c| {
            let (prev, next, step) = (c.prev, c.next, c.step);
            for &Burn { pool: i, assets, shares, .. } in &step.events.burns {
                let (before, p) = (&prev.pools[i], &next.pools[i]);
                // A burn that fully exits the pool prices at the frozen value (the pool's own flip, not its event).
                if before.is_fully_exited != p.is_fully_exited {
                    continue;
                }
                // The state the burn priced against: this step's burn undone.
                let worth = to_assets(shares, p.total_supply + shares, p.total_assets + assets, Rounding::Floor)
                    .unwrap_or(U256::ZERO);
                ensure(worth >= assets, || format!("pool{i}: {shares} shares worth {worth} booked {assets}"))?;
            }
            // The burn's figures (its shares tied to storage by SHARE-002) are what the vault must pay: every burn is
            // one new request of the step, same pool, holder, assets and shares, and no request appears without one.
            let new_requests = next.requests.get(prev.requests.len()..).unwrap_or_default();
            let mut unmatched: Vec<&RequestObservation> = new_requests.iter().collect();
            for burn in &step.events.burns {
                let found = unmatched.iter().position(|r| {
                    r.pool == Some(burn.pool) && r.user == burn.user && r.assets == burn.assets && r.shares == burn.shares
                });
                let Some(found) = found else {
                    return Err(format!(
                        "pool{}: {} shares of {} burnt for {} with no request booking them (new requests: {new_requests:?})",
                        burn.pool, burn.shares, burn.user, burn.assets
                    ));
                };
                unmatched.remove(found);
            }
            ensure(unmatched.is_empty(), || format!("requests booked with no burn: {unmatched:?}"))?;
            // WithdrawalNotified's parts (IStakingPool): they add up to the assets while the pool is live; the frozen
            // pool pays a request once it has exited, and the request that exits it, and those name no parts.
            for burn in &step.events.burns {
                let parts = burn.from_buffer.checked_add(burn.from_cl);
                let ok = if prev.pools[burn.pool].is_fully_exited {
                    parts == Some(U256::ZERO)
                } else {
                    parts == Some(burn.assets) || (step.events.exited(burn.pool) && parts == Some(U256::ZERO))
                };
                ensure(ok, || {
                    format!(
                        "pool{}: WithdrawalNotified for {} assets names {} from the buffer and {} from the consensus layer",
                        burn.pool, burn.assets, burn.from_buffer, burn.from_cl
                    )
                })?;
            }
            // The parts each WithdrawalNotified names are the ones that moved. What it asks of the consensus layer
            // is what the pool's clWithdrawalsRequested grew by (it grows nowhere else). In a step with no full exit
            // and no re-entry, what it takes from the buffer is what left the buffer beyond the rewards the request
            // collected into it first (the rewards vault's raw drop; nothing for an exited pool).
            for (i, before, p) in pools(c) {
                let burns = || step.events.burns.iter().filter(move |b| b.pool == i);
                let sum = |part: fn(&Burn) -> U256| burns().fold(U256::ZERO, |acc, b| acc.saturating_add(part(b)));
                let from_cl = sum(|b| b.from_cl);
                let grew = p.cl_withdrawals_requested.checked_sub(before.cl_withdrawals_requested);
                ensure(grew == Some(from_cl), || {
                    format!(
                        "pool{i}: clWithdrawalsRequested went from {} to {}, but the step's WithdrawalNotified events ask the consensus layer for {from_cl}",
                        before.cl_withdrawals_requested, p.cl_withdrawals_requested
                    )
                })?;
                let quiet = !step.events.exited(i) && step.events.reentries.is_empty();
                if burns().next().is_none() || !quiet {
                    continue;
                }
                let from_buffer = sum(|b| b.from_buffer);
                // An exited pool's collected rewards go on to the vault, not into its (empty) buffer.
                let collected = if before.is_fully_exited {
                    U256::ZERO
                } else {
                    before.rewards_vault_balance.saturating_sub(p.rewards_vault_balance)
                };
                ensure(before.buffered_assets.saturating_add(collected) == p.buffered_assets.saturating_add(from_buffer), || {
                    format!(
                        "pool{i}: the buffer went from {} (+ {collected} collected) to {}, but the step's WithdrawalNotified events take {from_buffer} from it",
                        before.buffered_assets, p.buffered_assets
                    )
                })?;
            }
            // What the sender asked for, from the calldata the harness sent: a withdrawal's assets, a redemption's
            // shares.
            let asked = step.call.filter(|_| step.success && step.events.reentries.is_empty());
            if let Some(SuiteCall { function, amount: Some(amount), .. }) = asked {
                let booked = match function {
                    SuiteFunction::RequestWithdrawal => new_requests.iter().map(|r| r.assets).collect::<Vec<_>>(),
                    SuiteFunction::RequestRedeem => new_requests.iter().map(|r| r.shares).collect(),
                    _ => return Ok(()),
                };
                ensure(booked == [amount] && new_requests.iter().all(|r| r.user == step.caller), || {
                    format!("{} asked {function:?} for {amount}; the vault booked {new_requests:?}", step.caller)
                })?;
            }
            Ok(())
        },
    },
    Invariant {
        id: "VALUE-004",
        category: Category::NoFreeValue,
        statement: "No account that only ever deposited its own BERA (shares from no one else, no callback of its own that re-entered the suite) ends with more than it deposited plus its pro-rata gains from share-price increases.",
        broken_variant: "value-004-skim-on-redeem",
        check: |c| {
            for (a, who) in c.next.actors.iter().enumerate() {
                if c.ghost.tainted[a] {
                    continue;
                }
                let mut wealth = c.ghost.paid_out[a];
                for p in &c.next.pools {
                    wealth += to_assets(p.share_balances[a], p.total_supply, p.total_assets, Rounding::Floor).unwrap_or_default();
                }
                for r in c.next.requests.iter().filter(|r| r.user == *who && !r.finalized) {
                    wealth += r.assets;
                }
                let bound = c.ghost.deposited[a] + c.ghost.gain[a] + U256::from(DUST);
                ensure(wealth <= bound, || {
                    format!("{who}: wealth {wealth} exceeds deposits {} + gains {}", c.ghost.deposited[a], c.ghost.gain[a])
                })?;
            }
            Ok(())
        },
    },
    Invariant {
        id: "RATE-001",
        category: Category::ExchangeRate,
        statement: "The share price, with uncollected rewards counted at the maximum fees, never falls except through an oracle report below the pool's booked consensus-layer balance, or a full exit.",
        broken_variant: "rate-001-rewards-lost",
        check: |c| {
            for (i, a, b) in pools(c) {
                // What excuses a fall comes from the harness, not from the pool's events: a report the harness sent
                // (or a contract actor re-entered with) below the balance the pool's books expect (ORACLE-003's
                // centre), or the pool's own exit flip. A pool that books a reward as a penalty is not excused.
                let books = a.books_cl_balance();
                let penalised = c.step.successful_calls().any(|call| {
                    call.function == SuiteFunction::UpdateTotalDeposits
                        && call.pool == Some(i)
                        && match (call.report.and_then(|r| r.balance), books) {
                            (Some(balance), Some(books)) => balance < books,
                            _ => true,
                        }
                });
                let excused = penalised || a.is_fully_exited != b.is_fully_exited;
                if excused || !a.is_active {
                    continue;
                }
                let (ga, gb) = (guaranteed_assets(a), guaranteed_assets(b));
                ensure(!price_lower(gb, b.total_supply, ga, a.total_supply), || {
                    format!("pool{i}: price fell from {ga}/{} to {gb}/{}", a.total_supply, b.total_supply)
                })?;
            }
            Ok(())
        },
    },
    Invariant {
        id: "FEE-001",
        category: Category::Fees,
        statement: "The active and queued commission and the protocol fee are at most 2000 bps, always.",
        broken_variant: "fee-001-commission-cap-25",
        check: |c| {
            for (i, _, p) in pools(c) {
                let cap = U256::from(MAX_BPS);
                ensure(p.commission_bps <= cap && p.queued_commission_bps <= cap && p.protocol_fee_bps <= cap, || {
                    format!(
                        "pool{i}: commission {} queued {} protocol fee {}",
                        p.commission_bps, p.queued_commission_bps, p.protocol_fee_bps
                    )
                })?;
            }
            Ok(())
        },
    },
    Invariant {
        id: "FEE-002",
        category: Category::Fees,
        statement: "Fees go to the default shares recipient and the protocol fee recipient only, each fee mint is worth at most 20% of the rewards recognised in its step and both together at most 40%; and they are close: where a step recognises one reward and nothing else moves the price, the commission recipient's new shares are worth the commission rate × reward rounded down, and the protocol fee recipient's the protocol fee rate × reward, within a few shares and dust, at the rates in force before the step; and where nothing after the mint moves the price, the shares are exact: SPEC's fee*(supply+1)/(totalAssets+1-fee) for one fee; for two, which SPEC gives no formula for, the rounding rule FeeMath documents for a joint mint (the shares for both fees split pro rata and floored, each part giving back a share if it is worth more than its fee). Every BGT the SmartOperator earns bears them once: the BGT minted to a live pool's operator (BGT's own events) less what BGTFeesAccrued charged is exactly its balance above lastAccruedBgtBalance, and no accrual charges more.",
        broken_variant: "fee-002-double-fee",
        check: |c| {
            for (i, before, p) in pools(c) {
                // Every BGT the operator earns bears the fees once (SPEC: `accrueEarnedBGTFees` charges on each BGT
                // increase). The chain's account of it (BGT minted to the operator, less what BGTFeesAccrued
                // charged: the ghost) must be exactly what the operator still has to charge, its BGT above the
                // mark it last accrued at; and no accrual charges BGT that was never earned, or twice.
                if bgt_ledger_applies(before, p, c.step) {
                    let (minted, accrued) = c.step.events.bgt_flow(i);
                    let owed = c.ghost.bgt_unaccrued_before.get(i).copied().unwrap_or_default().saturating_add(minted);
                    ensure(accrued <= owed, || {
                        format!("pool{i}: fees charged on {accrued} BGT, but its operator earned only {owed} BGT not yet charged")
                    })?;
                    let uncharged = owed - accrued;
                    ensure(p.last_accrued_bgt.checked_add(uncharged) == Some(p.operator_bgt), || {
                        format!(
                            "pool{i}: its operator holds {} BGT and last accrued at {}, but the chain minted it {uncharged} BGT that has not borne fees yet",
                            p.operator_bgt, p.last_accrued_bgt
                        )
                    })?;
                }
                // A full exit in the step reprices the pool: the fee shares' worth afterwards says nothing.
                if c.step.events.exited(i) {
                    continue;
                }
                let rewards: Vec<U256> = c.step.events.rewards.iter().filter(|r| r.pool == i).map(|r| r.amount).collect();
                let reward: U256 = rewards.iter().copied().sum();
                let worth_of = |shares: U256| to_assets(shares, p.total_supply, p.total_assets, Rounding::Floor).unwrap_or(U256::MAX);
                let validator = before.default_shares_recipient;
                let protocol = before.protocol_fee_recipient;
                let (mut commission_worth, mut protocol_worth, mut total) = (U256::ZERO, U256::ZERO, U256::ZERO);
                // The shares are priced after the step. A redemption in the same step, after the fee mint, rounds in
                // the pool's favour and so lifts the price a little: a fee exactly at the cap may then read a few
                // parts in 10^15 above it. A billionth of the cap covers that (the exactness check below allows the
                // same), far below a rate one basis point too high.
                let redeemed = c.step.events.burns.iter().any(|b| b.pool == i);
                let cap = |bps: u64| {
                    let cap = fee_of(reward, U256::from(bps)).unwrap_or(U256::MAX);
                    let moved = if redeemed { cap / U256::from(1_000_000_000u64) } else { U256::ZERO };
                    cap.saturating_add(moved).saturating_add(U256::from(DUST))
                };
                for &FeeMint { recipient, shares, .. } in c.step.events.fee_mints.iter().filter(|f| f.pool == i) {
                    let worth = worth_of(shares);
                    total += worth;
                    ensure(worth <= cap(MAX_BPS), || {
                        format!("pool{i}: fee shares for {recipient} worth {worth} on rewards of {reward}")
                    })?;
                    ensure(recipient == validator || recipient == protocol, || {
                        format!("pool{i}: {shares} fee shares minted to {recipient}, neither the default shares recipient {validator} nor the protocol fee recipient {protocol}")
                    })?;
                    if recipient == validator {
                        commission_worth += worth;
                    } else {
                        protocol_worth += worth;
                    }
                }
                ensure(total <= cap(2 * MAX_BPS), || {
                    format!("pool{i}: fees worth {total} on rewards of {reward}")
                })?;
                // A BGT accrual alone in its step announces the shares it minted: they are the step's fee mints, the
                // commission's to the default shares recipient, the protocol fee's to its recipient (one address
                // taking both: their sum).
                let accrual = c.step.events.bgt_accrued.iter().find(|a| a.pool == i).filter(|_| rewards.len() == 1);
                if let Some(accrual) = accrual {
                    let minted_to = |who: Address| -> U256 {
                        c.step.events.fee_mints.iter().filter(|f| f.pool == i && f.recipient == who).map(|f| f.shares).sum()
                    };
                    let said = if validator == protocol {
                        vec![(validator, accrual.commission_shares + accrual.protocol_shares)]
                    } else {
                        vec![(validator, accrual.commission_shares), (protocol, accrual.protocol_shares)]
                    };
                    for (who, shares) in said {
                        ensure(minted_to(who) == shares, || {
                            format!("pool{i}: BGTFeesAccrued says {shares} fee shares for {who}, but {} were minted to it", minted_to(who))
                        })?;
                    }
                }
                // Exactness is judged at the price after the step, which is the price after the fee mint only when
                // nothing else in the step moves it: one reward, no penalty (an oracle report collects the vault's
                // rewards, then counts the consensus layer's), no callback that re-entered (it may change a rate).
                let penalised = c.step.events.penalties.iter().any(|x| x.pool == i);
                if rewards.len() != 1 || penalised || c.step.events.reentries.iter().any(|r| r.success) {
                    continue;
                }
                // When that one reward is a collection, its amount comes from raw balances: what left the rewards
                // vault, less what its redeemed BGT already bore (`precharged`, by the ghost's account); the pool's
                // RewardsCollected, which the fees below are priced on, must say the same.
                let collected = before.rewards_vault_balance.saturating_sub(p.rewards_vault_balance);
                if !collected.is_zero() && !before.is_fully_exited {
                    // What was precharged by the harness's account, not the vault's book.
                    let precharged = c.ghost.precharged_before.get(i).copied().unwrap_or(before.precharged);
                    let chargeable = collected - collected.min(precharged);
                    ensure(rewards == [chargeable], || {
                        format!(
                            "pool{i}: {collected} wei left the rewards vault, {precharged} of it precharged, so {chargeable} bears fees; the pool recognised {rewards:?}"
                        )
                    })?;
                }
                // When it is the consensus layer's growth in the report the transaction itself sent (calldata, no
                // re-entry) and the rewards vault gave nothing, its amount is the reported balance above the books
                // (computed here, ORACLE-003's centre), whatever the pool's TotalDepositsUpdated says. (No growth: the
                // one reward is another kind, BGT accrued by the report's collection.)
                let report = c.step.call.filter(|call| c.step.success && call.function == SuiteFunction::UpdateTotalDeposits && call.pool == Some(i));
                if let (Some(SuiteCall { report: Some(ReportArgs { balance: Some(value), .. }), .. }), true) = (report, collected.is_zero() && !before.is_fully_exited) {
                    if let Some(growth) = before.books_cl_balance().and_then(|books| value.checked_sub(books)).filter(|growth| !growth.is_zero()) {
                        ensure(rewards == [growth], || {
                            format!("pool{i}: the report of {value} is {growth} above the books, the reward; the pool recognised {rewards:?}")
                        })?;
                    }
                }
                // The rates are those SPEC puts in force, read before the step (when its rewards were recognised):
                // the commission active in BeraChef (a chain stand-in, not the suite's feeRates()), the protocol fee
                // from its getter, zero without a recipient. The rewards come from the suite's events: what the
                // harness sent does not say which step recognises it.
                let (commission_bps, protocol_bps) = (before.commission_bps, before.effective_protocol_fee_bps);
                let mut expected = [
                    ("commission", commission_worth, fee_sum(&rewards, commission_bps)),
                    ("protocol fee", protocol_worth, fee_sum(&rewards, protocol_bps)),
                ];
                if validator == protocol {
                    // One address takes both fees: its mints are checked together.
                    expected = [
                        ("commission and protocol fee", commission_worth, expected[0].2 + expected[1].2),
                        ("nothing else", protocol_worth, U256::ZERO),
                    ];
                }
                // Each split floors and may give a share back; a billionth of the fee and dust cover the price moving
                // within the step after the mint (the same step's redemption rounds in the pool's favour), far below
                // a rate off by a basis point (a ten-thousandth of the reward, a two-thousandth of a 20% fee).
                let one_share = worth_of(U256::from(1)) + U256::from(1);
                let slack = one_share * U256::from(4) + U256::from(2 + DUST);
                for (what, worth, expected) in expected {
                    let slack = slack + expected / U256::from(1_000_000_000u64);
                    ensure(worth <= expected + slack && worth + slack >= expected, || {
                        format!(
                            "pool{i}: {what} shares worth {worth}, where commission {commission_bps} bps and protocol fee {protocol_bps} bps of rewards {rewards:?} make {expected}"
                        )
                    })?;
                }
                // Where nothing after the fee mint moves the price (no deposit, redemption, re-entry or upgrade in the
                // step), the state after the step is the one the shares were minted into, and SPEC holds without slack.
                let quiet = !redeemed
                    && c.step.events.reentries.is_empty()
                    && c.step.events.upgrades == 0
                    && c.step.events.deposits.iter().all(|d| d.pool != i);
                if quiet {
                    let fees = ChargedFees {
                        commission: fee_sum(&rewards, commission_bps),
                        protocol_fee: fee_sum(&rewards, protocol_bps),
                        validator,
                        protocol,
                    };
                    fees.check_minted(i, &c.step.events.fee_mints, p)?;
                }
            }
            Ok(())
        },
    },
    Invariant {
        id: "ACCESS-001",
        category: Category::AccessControl,
        statement: "Every privileged call by an account without its privilege reverts.",
        broken_variant: "access-001-open-protocol-fee",
        check: |c| {
            let Some(privilege) = c.step.privilege else { return Ok(()) };
            if !c.step.success || c.step.system {
                return Ok(());
            }
            ensure(holds(c.prev, c.step.caller, privilege, c.step.target), || {
                format!("{} by {} succeeded without {privilege:?}", c.step.op, c.step.caller)
            })
        },
    },
    Invariant {
        id: "ACCESS-002",
        category: Category::AccessControl,
        statement: "Role membership changes only through grantRole/revokeRole by the role's admin or renounceRole by the holder.",
        broken_variant: "access-002-self-grant",
        check: |c| {
            let asked = role_ops_asked(c);
            for (i, a, b) in pools(c) {
                let explained = authorised_role_changes(&asked, i, a);
                for role in Role::ALL {
                    let r = role.index();
                    for (k, (was, is)) in a.roles[r].iter().zip(&b.roles[r]).enumerate() {
                        ensure(was == is || explained.contains(&(role, k, *is)), || {
                            format!("pool{i}: {} of actor {k} changed {was} -> {is} in {}", role.solidity_name(), c.step.op)
                        })?;
                    }
                }
            }
            Ok(())
        },
    },
    Invariant {
        id: "ACCESS-003",
        category: Category::AccessControl,
        statement: "DEFAULT_ADMIN_ROLE is only ever granted by a DEFAULT_ADMIN_ROLE holder: VALIDATOR_ADMIN_ROLE cannot grant it.",
        broken_variant: "access-003-validator-admin-is-admin",
        check: |c| {
            for (i, a, b) in pools(c) {
                let d = Role::DefaultAdmin.index();
                let gained = a.roles[d].iter().zip(&b.roles[d]).any(|(was, is)| !was && *is);
                if gained {
                    // Granted by whoever asked, the step's own call or a contract actor's callback.
                    let asked = role_ops_asked(c);
                    let explained = authorised_role_changes(&asked, i, a);
                    for (k, _) in a.roles[d].iter().zip(&b.roles[d]).enumerate().filter(|(_, (was, is))| !**was && **is) {
                        ensure(explained.contains(&(Role::DefaultAdmin, k, true)), || {
                            format!("pool{i}: DEFAULT_ADMIN_ROLE granted to actor {k} in {}, by no DEFAULT_ADMIN_ROLE holder", c.step.op)
                        })?;
                    }
                }
            }
            Ok(())
        },
    },
    Invariant {
        id: "ACCESS-004",
        category: Category::AccessControl,
        statement: "A call about one pool never changes another pool's roles, supply or fee rates.",
        broken_variant: "access-004-shared-fee-storage",
        check: |c| {
            let Some(target) = c.step.pool else { return Ok(()) };
            // A contract actor's callback that re-entered made a call of its own, which may be about any pool
            // (a deposit into another pool from a fee refund is legitimate).
            if c.step.system || c.step.events.reentries.iter().any(|r| r.success) {
                return Ok(());
            }
            for (i, a, b) in pools(c) {
                if i == target {
                    continue;
                }
                ensure(
                    a.roles == b.roles
                        && a.total_supply == b.total_supply
                        && a.commission_bps == b.commission_bps
                        && a.protocol_fee_bps == b.protocol_fee_bps,
                    || format!("{} on pool{target} changed pool{i}", c.step.op),
                )?;
            }
            Ok(())
        },
    },
    Invariant {
        id: "ACCESS-005",
        category: Category::AccessControl,
        statement: "Only governance upgrades: an implementation or beacon slot of a suite proxy, or a beacon's \
                    implementation, changes (or an Upgraded event is emitted) only in a call by governance.",
        broken_variant: "access-005-open-beacon-upgrade",
        check: |c| {
            // From storage before against after, not only from `Upgraded` logs: a swap that skips the event is
            // still an upgrade.
            let swapped = c.next.implementations.iter().find(|n| {
                c.prev
                    .implementations
                    .iter()
                    .any(|p| p.holder == n.holder && p.points_to != n.points_to)
            });
            let upgraded = c.step.events.upgrades > 0 || swapped.is_some();
            // By the step's caller, or by a contract actor's callback that governs what it called (an owner that
            // repeats its own upgrade when paid).
            let governed = c.prev.governs(c.step.caller, c.step.target)
                || c.step.events.reentries.iter().any(|r| r.success && c.prev.governs(r.by, Some(r.target)));
            ensure(!upgraded || governed, || match swapped {
                Some(s) => format!(
                    "{} by {} pointed {} at {} (not governance)",
                    c.step.op, c.step.caller, s.holder, s.points_to
                ),
                None => format!("{} by {} upgraded an implementation", c.step.op, c.step.caller),
            })
        },
    },
    Invariant {
        id: "ACCESS-006",
        category: Category::AccessControl,
        statement: "An account holding no role, ownership or system address of the suite (the attacker) never \
                    successfully calls a state-changing function that entry-points.toml does not declare \
                    permissionless, unless a privileged call named it first.",
        broken_variant: "access-006-unprotected-sweep",
        check: |c| {
            let step = c.step;
            let outsider = |who| c.prev.outsiders.contains(who) && !c.ghost.empowered.contains(who);
            let breach = |who: &alloy_primitives::Address, entry: &str| {
                format!(
                    "{who} (no role, ownership or system address) called {entry} successfully, which \
                     entry-points.toml does not declare permissionless"
                )
            };
            if let Some(entry) = &step.entry {
                ensure(!(step.success && outsider(&step.caller) && !step.permissionless), || breach(&step.caller, entry))?;
            }
            // A contract actor's callback calls as the contract: the same rule, in the middle of a step.
            for r in &step.events.reentries {
                if let Some(entry) = &r.entry {
                    ensure(!(step.success && r.success && outsider(&r.by) && !r.permissionless), || {
                        format!("{} (re-entering from a callback)", breach(&r.by, entry))
                    })?;
                }
            }
            Ok(())
        },
    },
    Invariant {
        id: "PAUSE-001",
        category: Category::PauseAndExit,
        statement: "A paused pool accepts no deposit and a paused WithdrawalVault records no request.",
        broken_variant: "pause-001-receive-ignores-pause",
        check: |c| {
            // A deposit by its event (tied to storage by SHARE-002) or by the harness's own successful call; a
            // request by its event or by growth of the vault's book.
            let called = c.step.successful_calls().filter(|call| call.function == SuiteFunction::Deposit).filter_map(|call| call.pool);
            for i in c.step.events.deposits.iter().map(|d| d.pool).chain(called) {
                ensure(!c.prev.pools[i].paused, || format!("pool{i}: deposit while paused"))?;
            }
            let recorded = !c.step.events.requested.is_empty() || c.next.requests.len() > c.prev.requests.len();
            ensure(!recorded || !c.prev.withdrawal_vault_paused, || {
                "request recorded while the vault is paused".to_string()
            })
        },
    },
    Invariant {
        id: "EXIT-001",
        category: Category::PauseAndExit,
        statement: "A live pool that has reached the minimum effective balance never sits below it: a breach always ends in a full exit. Conversely, a live pool whose totalDeposits moves to the threshold or above has reached it (SPEC: withdrawals take from the consensus layer once its balance has first reached minEffectiveBalance). The threshold is SPEC's MIN_EFFECTIVE_BALANCE (250,000 BERA) for every pool deployed, and changes only to what a successful setMinEffectiveBalance asks for.",
        broken_variant: "exit-001-no-exit-on-breach",
        check: |c| {
            for (i, before, p) in pools(c) {
                // The threshold is the harness's own (SPEC's default, or what governance set), and the pool's
                // must be it: a threshold moved by anything else hides every breach below the real one.
                let threshold = c.ghost.min_effective_balance.get(i).copied().unwrap_or(p.min_effective_balance);
                ensure(p.min_effective_balance == threshold, || {
                    format!("pool{i}: minEffectiveBalance is {}, but governance set {threshold} (SPEC's default 250,000 BERA until it sets another)", p.min_effective_balance)
                })?;
                ensure(p.is_fully_exited || !p.min_effective_balance_reached || p.total_deposits >= threshold, || {
                    format!("pool{i}: totalDeposits {} below minimum {threshold} without a full exit", p.total_deposits)
                })?;
                // Only when totalDeposits moved: a threshold lowered under the live balance is reached at the next
                // forward or report, not by the setting itself.
                let moved = p.total_deposits != before.total_deposits;
                ensure(!moved || p.is_fully_exited || p.min_effective_balance_reached || p.total_deposits < threshold, || {
                    format!("pool{i}: totalDeposits moved to {} (minimum {threshold}), but the pool has not reached the minimum effective balance", p.total_deposits)
                })?;
            }
            Ok(())
        },
    },
    Invariant {
        id: "EXIT-002",
        category: Category::PauseAndExit,
        statement: "A zero report on an active pool exits it fully (SPEC: the validator is gone); only a withdrawal request or an oracle report on that pool triggers its full exit, and its FullExitTriggered names which (IStakingPool's codes: 1 a withdrawal, 2 a zero report, 3 a report's penalty).",
        broken_variant: "exit-002-anyone-exits",
        check: |c| {
            // SPEC: a zero report means the validator is gone, a full exit.
            let step = c.step;
            let sent = step.call.filter(|call| step.success && call.function == SuiteFunction::UpdateTotalDeposits);
            if let Some(SuiteCall { pool: Some(i), report: Some(ReportArgs { balance: Some(value), .. }), .. }) = sent {
                let (a, b) = (&c.prev.pools[i], &c.next.pools[i]);
                ensure(!value.is_zero() || !a.is_active || b.is_fully_exited, || {
                    format!("pool{i}: a zero report was accepted and the pool did not exit")
                })?;
            }
            for (i, a, b) in pools(c) {
                if !a.is_fully_exited && b.is_fully_exited {
                    let triggers =
                        [SuiteFunction::RequestWithdrawal, SuiteFunction::RequestRedeem, SuiteFunction::UpdateTotalDeposits];
                    // The step's transaction or a contract actor's re-entry may have made the triggering call.
                    let allowed = c.step.calls().any(|call| triggers.contains(&call.function) && call.pool == Some(i));
                    ensure(allowed, || format!("pool{i} exited in {}", c.step.op))?;
                    // The reason, from the calldata of the step's own call (a re-entry may have been the trigger).
                    let own = c.step.call.filter(|call| call.pool == Some(i) && c.step.events.reentries.is_empty());
                    let cause = own.and_then(|call| match (call.function, call.report) {
                        (SuiteFunction::RequestWithdrawal | SuiteFunction::RequestRedeem, _) => Some(ExitReason::Withdrawal),
                        (SuiteFunction::UpdateTotalDeposits, Some(ReportArgs { balance: Some(value), .. })) => {
                            Some(if value.is_zero() { ExitReason::ZeroReport } else { ExitReason::Penalty })
                        }
                        _ => None,
                    });
                    if let Some(cause) = cause {
                        let given: Vec<u8> = c.step.events.full_exits.iter().filter(|x| x.pool == i).map(|x| x.reason).collect();
                        ensure(given == [cause as u8], || {
                            format!("pool{i} exited on {cause:?} (code {}), its FullExitTriggered events give the codes {given:?}", cause as u8)
                        })?;
                    }
                }
            }
            Ok(())
        },
    },
    Invariant {
        id: "EXIT-003",
        category: Category::PauseAndExit,
        statement: "A full exit freezes totalAssets at the value its FullExitTriggered announces, which is what the pool's books hold for its stakers at the exit: totalDeposits as the step left it, plus the buffer it hands the WithdrawalVault (the rewards it collected first included), less the assets of the withdrawal that triggered it (the operator's BGT stays with the operator); after it no deposit succeeds and totalAssets falls only by the assets of withdrawals.",
        broken_variant: "exit-003-frozen-not-reduced",
        check: |c| {
            for (i, a, b) in pools(c) {
                // The exit's own step (nothing re-entered to withdraw after it): totalAssets reads the frozen value.
                if !a.is_fully_exited && c.step.events.reentries.is_empty() {
                    // The harness's own sum, not the pool's `_settledAssets`: every exit collects the rewards vault
                    // into the buffer first and hands the whole buffer over; a report leaves totalDeposits as it
                    // booked it (a zero report untouched), a withdrawal books its assets as a request. The BGT is
                    // counted in totalAssets and taken out again, so it is on neither side.
                    for exit in c.step.events.full_exits.iter().filter(|x| x.pool == i) {
                        ensure(b.total_assets == exit.frozen_total_assets, || {
                            format!("pool{i}: FullExitTriggered froze totalAssets at {}, but it reads {}", exit.frozen_total_assets, b.total_assets)
                        })?;
                        let withdrawn: U256 = c.step.events.burns.iter().filter(|w| w.pool == i).map(|w| w.assets).sum();
                        let held = b.total_deposits + a.buffered_assets + a.rewards_vault_balance;
                        let settled = held.saturating_sub(withdrawn);
                        ensure(exit.frozen_total_assets == settled, || {
                            format!(
                                "pool{i}: the exit froze totalAssets at {}, but the books hold {settled} for the stakers (totalDeposits {} + buffer {} + rewards collected {} - withdrawn {withdrawn})",
                                exit.frozen_total_assets, b.total_deposits, a.buffered_assets, a.rewards_vault_balance
                            )
                        })?;
                    }
                }
                if !a.is_fully_exited {
                    continue;
                }
                ensure(!c.step.events.deposits.iter().any(|d| d.pool == i), || format!("pool{i}: deposit after exit"))?;
                let out: U256 = c.step.events.burns.iter().filter(|w| w.pool == i).map(|w| w.assets).sum();
                ensure(a.total_assets.checked_sub(out) == Some(b.total_assets), || {
                    format!("pool{i}: exited totalAssets {} -> {} with withdrawals of {out}", a.total_assets, b.total_assets)
                })?;
            }
            Ok(())
        },
    },
    Invariant {
        id: "ORACLE-001",
        category: Category::Oracle,
        statement: "Only feeders' reports are accepted.",
        broken_variant: "oracle-001-anyone-reports",
        check: |c| {
            if !c.step.events.reports.is_empty() {
                // Sent by the step's caller, or by a feeder's callback that re-entered with a report.
                let fed_back = c.step.events.reentries.iter().any(|r| {
                    r.success
                        && r.call.is_some_and(|call| call.function == SuiteFunction::UpdateTotalDeposits)
                        && holds(c.prev, r.by, Privilege::Feeder, Some(r.target))
                });
                ensure(fed_back || holds(c.prev, c.step.caller, Privilege::Feeder, c.step.target), || {
                    format!("report accepted from {}", c.step.caller)
                })?;
            }
            // The same from what the harness sent, whatever the oracle emits: a successful `updateTotalDeposits`
            // (the transaction's own call, or a contract actor's re-entry) by an account without FEEDER_ROLE.
            if c.step.success && c.step.call.is_some_and(|call| call.function == SuiteFunction::UpdateTotalDeposits) {
                ensure(holds(c.prev, c.step.caller, Privilege::Feeder, c.step.target), || {
                    format!("updateTotalDeposits succeeded from {}, who holds no FEEDER_ROLE", c.step.caller)
                })?;
            }
            for r in &c.step.events.reentries {
                if r.success && r.call.is_some_and(|call| call.function == SuiteFunction::UpdateTotalDeposits) {
                    ensure(holds(c.prev, r.by, Privilege::Feeder, Some(r.target)), || {
                        format!("updateTotalDeposits succeeded re-entered from {}, who holds no FEEDER_ROLE", r.by)
                    })?;
                }
            }
            Ok(())
        },
    },
    Invariant {
        id: "ORACLE-002",
        category: Category::Oracle,
        statement: "An accepted report's refSlot is above the pool's last one (no stale or replayed report).",
        broken_variant: "oracle-002-replay",
        check: |c| {
            for &AcceptedReport { pool: i, ref_slot: slot, .. } in &c.step.events.reports {
                let last = c.prev.pools[i].last_report.ref_slot;
                ensure(slot > last, || format!("pool{i}: report for refSlot {slot} after {last}"))?;
            }
            // The same from what the harness sent: every accepted `updateTotalDeposits` (its calldata) against the
            // last refSlot accepted for the pool before the step (the ghost), which no stored value of the oracle
            // can move.
            for call in c.step.successful_calls().filter(|call| call.function == SuiteFunction::UpdateTotalDeposits) {
                let (Some(i), Some(report)) = (call.pool, call.report) else {
                    continue;
                };
                let last = c.ghost.ref_slots_before.get(i).copied().unwrap_or_default();
                ensure(report.ref_slot > last, || {
                    format!("pool{i}: report for refSlot {} accepted after one for refSlot {last}", report.ref_slot)
                })?;
            }
            Ok(())
        },
    },
    Invariant {
        id: "ORACLE-003",
        category: Category::Oracle,
        statement: "An accepted non-zero report on an active pool is within the governance bounds of the balance the pool's books expect, and moves totalDeposits by exactly its difference from that balance (a reward above it, a penalty below), as its TotalDepositsUpdated says (no reward for a zero report). The bounds are SPEC's +1% / -5% as deployed, and change only to what a successful setBounds asks for.",
        broken_variant: "oracle-003-no-bounds",
        check: |c| {
            // The reports are the accepted `updateTotalDeposits` calls, read from the calldata the harness sent (an
            // event could carry another balance), and the events too (a report accepted through another path).
            let called = c.step.successful_calls().filter_map(|call| match (call.function, call.pool, call.report) {
                (SuiteFunction::UpdateTotalDeposits, Some(i), Some(report)) => Some((i, report.balance)),
                _ => None,
            });
            let evented = c.step.events.reports.iter().map(|r| (r.pool, Some(r.balance)));
            // The bounds are the harness's own: SPEC's as deployed, then what governance's calldata set.
            let bounds = c.ghost.oracle_bounds;
            ensure(c.next.oracle_bounds == bounds, || {
                format!(
                    "the oracle's bounds are +{}/-{} bps, but governance set +{}/-{} (SPEC's +100/-500 until it sets others)",
                    c.next.oracle_bounds.max_increase_bps, c.next.oracle_bounds.max_decrease_bps, bounds.max_increase_bps, bounds.max_decrease_bps
                )
            })?;
            for (i, value) in called.chain(evented) {
                let p = &c.prev.pools[i];
                let Some(value) = value else {
                    return Err(format!("pool{i}: a report past 2^256 wei was accepted"));
                };
                if value.is_zero() || !p.is_active {
                    continue;
                }
                // The centre is the balance the books imply, computed here (SPEC's totalDeposits plus the unpaid
                // consensus-layer withdrawals), not the suite's expectedClBalance(), which the oracle centres on.
                let Some(expected) = p.books_cl_balance() else {
                    continue;
                };
                let OracleBounds { max_increase_bps: up, max_decrease_bps: down } = c.ghost.oracle_bounds_before;
                let ten_thousand = U256::from(10_000u64);
                let hi = expected.saturating_add(expected.saturating_mul(up) / ten_thousand);
                let lo = expected.saturating_sub(expected.saturating_mul(down) / ten_thousand);
                ensure(value <= hi && value >= lo, || {
                    format!(
                        "pool{i}: report {value} outside [{lo}, {hi}] around the books' {expected} (expectedClBalance() says {})",
                        p.expected_cl_balance
                    )
                })?;
            }
            // How the pool booked the report the transaction sent (calldata; one call, no re-entry): SPEC
            // makes growth over the books a reward and a drop a penalty, so totalDeposits moves by exactly the
            // difference, whatever the pool's TotalDepositsUpdated says.
            let step = c.step;
            let sent = step.call.filter(|call| step.success && step.events.reentries.is_empty() && call.function == SuiteFunction::UpdateTotalDeposits);
            if let Some(SuiteCall { pool: Some(i), report: Some(ReportArgs { balance: Some(value), .. }), .. }) = sent {
                let (a, b) = (&c.prev.pools[i], &c.next.pools[i]);
                let Some(books) = a.books_cl_balance() else {
                    return Ok(());
                };
                // The pool's TotalDepositsUpdated words the same (IStakingPool): the growth over the books as its
                // reward (none for a zero report, the validator gone), the drop below them as its penalty.
                let updated: Vec<&DepositsUpdated> = step.events.deposits_updated.iter().filter(|u| u.pool == i).collect();
                if let [said] = updated[..] {
                    let reward = value.saturating_sub(books);
                    ensure(said.reward == reward, || {
                        format!("pool{i}: report {value} against books of {books}: TotalDepositsUpdated says a reward of {}, not {reward}", said.reward)
                    })?;
                    if !value.is_zero() {
                        let penalty = books.saturating_sub(value);
                        ensure(said.penalty == penalty && said.total_deposits == b.total_deposits, || {
                            format!(
                                "pool{i}: report {value} against books of {books}: TotalDepositsUpdated says totalDeposits {} and a penalty of {}, where totalDeposits is {} and the drop {penalty}",
                                said.total_deposits, said.penalty, b.total_deposits
                            )
                        })?;
                    }
                } else if a.is_active && !a.is_fully_exited {
                    return Err(format!("pool{i}: an accepted report with {} TotalDepositsUpdated events", updated.len()));
                }
                // A report that exits the pool (its deposits fell below the minimum) books first: the exit leaves
                // totalDeposits as the report put it.
                if value.is_zero() || !a.is_active || a.is_fully_exited {
                    return Ok(());
                }
                let booked = if value >= books {
                    a.total_deposits.checked_add(value - books)
                } else {
                    Some(a.total_deposits.saturating_sub(books - value))
                };
                ensure(booked == Some(b.total_deposits), || {
                    format!(
                        "pool{i}: report {value} against books of {books} should take totalDeposits from {} to {booked:?}, it is {}",
                        a.total_deposits, b.total_deposits
                    )
                })?;
            }
            Ok(())
        },
    },
    Invariant {
        id: "LIVE-001",
        category: Category::Liveness,
        statement: "A deposit, and a withdrawal or redemption request for no more than the holder owns, is refused \
                    only for a reason SPEC gives and only where that reason holds, judged from the state before the \
                    step and the calldata: for a deposit, the pool paused, inactive or exited, a zero amount, no \
                    capacity left, an amount worth no share, or a contract depositor refusing the refund of what \
                    exceeds the capacity; for a request, the vault paused, an inactive pool, a zero amount (or, for \
                    a redemption, shares worth less than a gwei), the holder's own shares short of a withdrawal \
                    (never of a redemption of shares it owns), the dead shares, a buffer that cannot serve it \
                    before the minimum effective balance, the predeploy's fee above maxFee or msg.value, or a \
                    contract holder that refuses a refund it is due; for a pending exit request \
                    (`sendPendingExitRequest`), no exit pending (the pool never exited, or the vault queued its \
                    exit already), the fee above maxFee or msg.value, or a contract payer that refuses a refund it \
                    is due. Whoever the holder is (an EOA or a \
                    contract with or without an ERC-721 receiver), nothing else may stop it from entering or \
                    leaving.",
        broken_variant: "live-001-request-needs-receiver",
        check: |c| {
            let step = c.step;
            let Some(call) = step.call.filter(|_| !step.success) else {
                return Ok(());
            };
            let (Some(i), Some(holder)) = (call.pool, c.prev.actor_index(step.caller)) else {
                return Ok(());
            };
            let Some(pool) = c.prev.pools.get(i) else {
                return Ok(());
            };
            // Only a request for no more than the holder owns (its shares, or what they are worth, rounded
            // down, before the step) must go through; a larger one may be refused for any reason.
            if matches!(call.function, SuiteFunction::RequestWithdrawal | SuiteFunction::RequestRedeem) {
                let (Some(amount), Some(&owned)) = (call.amount, pool.share_balances.get(holder)) else {
                    return Ok(());
                };
                let within = match call.function {
                    SuiteFunction::RequestRedeem => amount <= owned,
                    SuiteFunction::RequestWithdrawal => {
                        to_assets(owned, pool.total_supply, pool.total_assets, Rounding::Floor).is_some_and(|worth| amount <= worth)
                    }
                    _ => return Ok(()),
                };
                if !within {
                    return Ok(());
                }
            }
            let Some(reason) = step.revert.as_deref() else {
                return Ok(());
            };
            // A transaction the chain rejected never ran (its sender cannot pay the value it sends); a contract
            // actor that sends more BERA than it has fails in its own call, before the suite runs.
            let unpaid = c.prev.actor_bera.get(holder).is_some_and(|bera| step.value > *bera);
            if reason.starts_with("rejected:") || unpaid {
                return Ok(());
            }
            let name = reason.split('(').next().unwrap_or(reason);
            let refused = Refused { prev: c.prev, pool, call: &call, caller: step.caller, value: step.value };
            refused.judge(name, reason).map_err(|why| {
                let what = match call.function {
                    SuiteFunction::Deposit => "a deposit",
                    SuiteFunction::SendPendingExitRequest => "a pending exit request",
                    _ => "a request",
                };
                format!("{what} by {} on pool{i} was refused with {reason}, but {why}", step.caller)
            })
        },
    },
    Invariant {
        id: "LIVE-002",
        category: Category::Liveness,
        statement: "Every view of the suite the harness reads (supply, assets, previews, fees, requests, roles) answers \
                    in every state: a view that reverts stops every integrator and wallet that reads it, and is \
                    reported with its reason instead of being read as zero.",
        broken_variant: "live-002-pending-withdrawals-underflow",
        check: |c| match c.next.view_failures.first() {
            None => Ok(()),
            Some(first) => Err(format!(
                "{} view(s) reverted after {}: {first}",
                c.next.view_failures.len(),
                c.step.op
            )),
        },
    },
    Invariant {
        id: "LIVE-003",
        category: Category::Liveness,
        statement: "BERA never stays in a contract that only passes it on (each pool's SmartOperator and \
                    IncentiveCollector, the AccountingOracle, the factory), nor in a pool beyond its booked buffer: \
                    those balances rise only by BERA forced into them, which a step's calldata names, so no payment, \
                    claim or reward is stranded where no function can move it. Likewise the WithdrawalVault's BERA \
                    beyond its pools' books (storage `_funds` plus unbooked consensus-layer payouts) rises only by a \
                    plain transfer or forced send to it.",
        broken_variant: "live-003-collector-keeps-overpayment",
        check: |c| {
            let named = |who: &Address| {
                c.step.named.contains(who) || c.step.events.reentries.iter().any(|r| r.named.contains(who))
            };
            for after in &c.next.forwarders {
                let before = c.prev.forwarders.iter().find(|f| f.contract == after.contract);
                let before = before.map_or(U256::ZERO, |f| f.balance);
                if after.balance > before && !named(&after.contract) {
                    return Err(format!(
                        "{} now holds {} BERA (wei), {} more than before {}, and no step forced BERA into it",
                        after.forwarder,
                        after.balance,
                        after.balance - before,
                        c.step.op
                    ));
                }
            }
            // A pool passes on all it does not book: the BERA it holds beyond its buffer (raw balance less
            // `bufferedAssets`) likewise rises only by BERA forced into it; a payment it keeps unbooked (an overflow
            // not refunded, a reward not counted) is stranded, whatever its events say.
            for (i, a, b) in pools(c) {
                let unbooked = |p: &PoolObservation| p.pool_balance.saturating_sub(p.buffered_assets);
                let (before, after) = (unbooked(a), unbooked(b));
                ensure(after <= before || named(&b.staking_pool), || {
                    format!(
                        "pool{i} holds {after} wei beyond its buffer, {} more than before {}, and no step forced BERA into it",
                        after - before,
                        c.step.op
                    )
                })?;
            }
            // The vault books every payment it is meant to keep (a pool's buffer, an exit's funds, late rewards, a
            // consensus-layer payout through `withdrawnAmount`); what it holds beyond its books is a donation,
            // and it grows only when one is made: a plain transfer (a vault call that is none of the suite's
            // functions) or a forced send, by the transaction or a re-entry.
            let vault = c.next.withdrawal_vault;
            let surplus = |o: &Observation| {
                let books = o.pools.iter().fold(U256::ZERO, |sum, p| sum.saturating_add(p.vault_funds_in_storage()));
                o.withdrawal_vault_balance.saturating_sub(books)
            };
            let donated = named(&vault)
                || (c.step.target == Some(vault) && c.step.call.is_none() && !c.step.value.is_zero())
                || c.step.events.reentries.iter().any(|r| r.target == vault && r.call.is_none());
            let (before, after) = (surplus(c.prev), surplus(c.next));
            ensure(after <= before || donated, || {
                format!(
                    "the WithdrawalVault holds {after} wei beyond its pools' books, {} more than before {}, and no \
                     step sent BERA to it outside a booking call",
                    after - before,
                    c.step.op
                )
            })?;
            Ok(())
        },
    },
    Invariant {
        id: "LIVE-004",
        category: Category::Liveness,
        statement: "Every request past its delay whose pool holds the funds can be finalized by anyone, and pays its \
                    user: a finalize transaction naming only such requests (distinct, unfinalized, 129,600 blocks old \
                    by the harness's own record of when it was made, within their pools' funds together) is refused \
                    only when a contract user may refuse its payment; and a finalize that succeeds finalizes every \
                    request it names.",
        broken_variant: "live-004-payouts-not-synced",
        check: |c| {
            let step = c.step;
            if !step.call.is_some_and(|call| SuiteFunction::FINALIZE.contains(&call.function)) {
                return Ok(());
            }
            if step.success {
                for &id in &step.request_ids {
                    let done = usize::try_from(id)
                        .ok()
                        .and_then(|id| id.checked_sub(1))
                        .and_then(|index| c.next.requests.get(index))
                        .is_some_and(|r| r.finalized);
                    ensure(done, || format!("{} succeeded but request {id} is not finalized", step.op))?;
                }
                return Ok(());
            }
            let reason = step.revert.as_deref().unwrap_or_default();
            // A transaction the chain rejected never ran; a batch may outgrow the block's gas.
            let out_of_gas = step.request_ids.len() > 1 && reason.contains("OutOfGas");
            if step.request_ids.is_empty() || reason.starts_with("rejected:") || out_of_gas {
                return Ok(());
            }
            match finalize_must_succeed(c, &step.request_ids) {
                None => Ok(()),
                Some(why) => Err(format!("{} by {} was refused ({reason}), but {why}", step.op, step.caller)),
            }
        },
    },
    Invariant {
        id: "LIVE-005",
        category: Category::Liveness,
        statement: "A full exit asks the consensus layer for the validator's whole balance: every consensus-layer \
                    request queued for a fully exited pool asks for amount 0, a request for amount 0 is queued only for such a pool, and a withdrawal or redemption that \
                    fully exits a pool whose validator holds a balance queues that request in the same transaction.",
        broken_variant: "live-005-exit-asks-one-gwei",
        check: |c| {
            let queued = c.next.cl_requests.get(c.prev.cl_requests.len()..).unwrap_or_default();
            for r in queued {
                let exited = r.pool.and_then(|p| c.next.pools.get(p)).map(|p| p.is_fully_exited);
                ensure(exited != Some(true) || r.amount_gwei == 0, || {
                    format!(
                        "pool{} is fully exited but {} queued a consensus-layer request for {} gwei, not its whole balance",
                        r.pool.unwrap_or_default(),
                        c.step.op,
                        r.amount_gwei
                    )
                })?;
                // And only a full exit asks for the whole balance: SPEC's full exit, and only then.
                ensure(exited != Some(false) || r.amount_gwei != 0, || {
                    format!(
                        "pool{} has not exited, but {} asked the consensus layer for its validator's whole balance (a request for 0 gwei)",
                        r.pool.unwrap_or_default(),
                        c.step.op
                    )
                })?;
            }
            let requests = [SuiteFunction::RequestWithdrawal, SuiteFunction::RequestRedeem];
            let Some(call) = c.step.call.filter(|call| c.step.success && requests.contains(&call.function)) else {
                return Ok(());
            };
            let Some(p) = call.pool else {
                return Ok(());
            };
            let (Some(before), Some(after)) = (c.prev.pools.get(p), c.next.pools.get(p)) else {
                return Ok(());
            };
            if before.is_fully_exited || !after.is_fully_exited || before.cl_balance.is_zero() {
                return Ok(());
            }
            ensure(queued.iter().any(|r| r.pool == Some(p) && r.amount_gwei == 0), || {
                format!(
                    "{} fully exited pool{p} (validator balance {}) without asking the consensus layer for it",
                    c.step.op, before.cl_balance
                )
            })
        },
    },
    Invariant {
        id: "LIVE-006",
        category: Category::Liveness,
        statement: "Overpaid request fees are refunded to the payer: a successful withdrawal, redemption or pending \
                    exit request costs its sender exactly the fees the consensus layer's withdrawal predeploy was \
                    paid (raw balances of both), whatever it sent as msg.value.",
        broken_variant: "live-006-refund-one-wei-short",
        check: |c| {
            let step = c.step;
            let paying = step.call.is_some_and(|call| SuiteFunction::PAYING_REQUESTS.contains(&call.function));
            let Some((before, after)) = sender_bera(c).filter(|_| paying) else {
                return Ok(());
            };
            let charged = c.next.cl_request_fees.saturating_sub(c.prev.cl_request_fees);
            ensure(after.checked_add(charged) == Some(before), || {
                format!(
                    "{} sent {} wei with {}; the predeploy was paid {charged} in fees, but the sender's balance went \
                     from {before} to {after}",
                    step.caller, step.value, step.op
                )
            })
        },
    },
    Invariant {
        id: "LIVE-007",
        category: Category::Liveness,
        statement: "A call that sets something SPEC names (a pause, the minimum effective balance, the oracle's \
                    bounds, the protocol fee recipient or rate, a queued commission, payout or reward allocation, a \
                    BGT redemption, a boost queued, activated or dropped, a BGT-staker reward claimed, an upgrade, \
                    an owner, tokens recovered from a rewards vault), reports a validator's balance, claims \
                    incentives, or deploys or activates a pool succeeds for the holder of its privilege whenever its \
                    arguments lie in the domain SPEC gives it, never succeeds where SPEC forbids it, and leaves \
                    exactly what its calldata asked for, which its own event (where the interface gives it one) \
                    announces: a deployment, the four predicted contracts initialized, the validator's operator set \
                    and the pool inactive; an activation, the pool active with the first deposit's dead shares; a \
                    claim or a token recovery, the tokens moved (by the token's own transfers) to the claimer or the \
                    recipient it names, and nowhere else. A \
                    deposit or processRewards() leaves the pool's rewards collected (the rewards vault empty, the \
                    operator's BGT fees accrued) and a buffer that reached MIN_CL_DEPOSIT_AMOUNT forwarded to the \
                    pool's own validator.",
        broken_variant: "live-007-payout-change-lost",
        check: |c| {
            let step = c.step;
            let Some(setting) = step.setting.as_ref().filter(|_| !step.system) else {
                return Ok(());
            };
            let domain = setting.domain(c.prev, c.next.block, c.ghost.oracle_bounds_before);
            if step.success {
                if let Err(outside) = &domain {
                    if outside.forbidden {
                        return Err(format!("{} by {} succeeded, but SPEC forbids it: {}", step.op, step.caller, outside.why));
                    }
                }
                // A callback of a contract actor may change state after the call: only a call alone is judged.
                if !step.events.reentries.is_empty() {
                    return Ok(());
                }
                setting
                    .effect(c.prev, c.next, &step.events)
                    .map_err(|what| format!("{} by {} succeeded, but {what}", step.op, step.caller))?;
                // Its own event names what the calldata set (what indexers and monitors read).
                return setting
                    .announcement(&step.events, c.next)
                    .map_err(|what| format!("{} by {} succeeded, but {what}", step.op, step.caller));
            }
            let reason = step.revert.as_deref().unwrap_or_default();
            // A transaction the chain rejected never ran.
            if domain.is_err() || reason.starts_with("rejected:") || !step.events.reentries.is_empty() {
                return Ok(());
            }
            let entitled = setting
                .privilege()
                .is_none_or(|privilege| holds(c.prev, step.caller, privilege, step.target));
            ensure(!entitled, || {
                format!(
                    "{} by {}, who may make it, was refused ({reason}), though its arguments lie in SPEC's domain: {setting:?}",
                    step.op, step.caller
                )
            })
        },
    },
];

/// The sender's BERA before and after a successful step with no re-entry (a callback of a contract sender may
/// itself move BERA), when the sender is an actor: what the step's own call cost it.
fn sender_bera(c: &Check<'_>) -> Option<(U256, U256)> {
    let step = c.step;
    if !step.success || !step.events.reentries.is_empty() {
        return None;
    }
    let a = c.prev.actor_index(step.caller)?;
    Some((c.prev.actor_bera[a], c.next.actor_bera[a]))
}

/// LIVE-004's refusal check: `None` when SPEC lets a finalize transaction naming `ids` be refused in the state
/// before the step (an id named twice, unknown, finalized, not yet due, its pool short of funds, or a contract
/// user that may refuse its payment), else the description of why it had to go through.
fn finalize_must_succeed(c: &Check<'_>, ids: &[u64]) -> Option<String> {
    let mut need = vec![U256::ZERO; c.prev.pools.len()];
    for (n, &id) in ids.iter().enumerate() {
        if ids[..n].contains(&id) {
            return None;
        }
        let index = usize::try_from(id).ok()?.checked_sub(1)?;
        let request = c.prev.requests.get(index)?;
        // The delay runs from the block the harness saw the request appear in, not the vault's own record.
        let requested_at = *c.ghost.request_blocks.get(index)?;
        if request.finalized
            || finalizable(U256::from(requested_at), U256::from(c.next.block)) != Some(true)
            || c.prev.contract_actors.contains(&request.user)
        {
            return None;
        }
        let need = need.get_mut(request.pool?)?;
        *need = need.saturating_add(request.assets);
    }
    for (pool, need) in c.prev.pools.iter().zip(&need) {
        if *need > pool.vault_funds {
            return None;
        }
    }
    Some(format!(
        "requests {ids:?} were due (requested {WITHDRAWAL_DELAY}+ blocks before block {}), unfinalized and within \
         their pools' funds",
        c.next.block
    ))
}

/// [`net_of_fees`], or 0 where the suite's formula reverts (rates above 100% together): nothing is counted.
fn net_or_zero(amount: U256, commission_bps: U256, protocol_bps: U256) -> U256 {
    net_of_fees(amount, commission_bps, protocol_bps).unwrap_or_default()
}

/// Whether the price `(a_assets+1)/(a_supply+1)` is below `(b_assets+1)/(b_supply+1)`, cross-multiplied in 512
/// bits (a comparison of the harness's, not a formula of the suite).
fn price_lower(a_assets: U256, a_supply: U256, b_assets: U256, b_supply: U256) -> bool {
    use alloy_primitives::U512;
    let one = U512::from(1u8);
    (U512::from(a_assets) + one) * (U512::from(b_supply) + one)
        < (U512::from(b_assets) + one) * (U512::from(a_supply) + one)
}

/// totalAssets with uncollected BERA and BGT rewards counted at the maximum fees (20% + 20%).
fn guaranteed_assets(p: &PoolObservation) -> U256 {
    if p.is_fully_exited {
        return p.total_assets;
    }
    let cap = U256::from(MAX_BPS);
    let pre = p.precharged.min(p.rewards_vault_balance);
    let vault = pre + net_or_zero(p.rewards_vault_balance - pre, cap, cap);
    let bgt = if p.operator_bgt <= p.last_accrued_bgt {
        p.operator_bgt
    } else {
        p.last_accrued_bgt + net_or_zero(p.operator_bgt - p.last_accrued_bgt, cap, cap)
    };
    p.total_deposits + p.buffered_assets + vault + bgt
}

/// Whether `who` held `privilege` in `obs`.
fn holds(
    obs: &Observation,
    who: alloy_primitives::Address,
    privilege: Privilege,
    target: Option<alloy_primitives::Address>,
) -> bool {
    let Some(a) = obs.actor_index(who) else {
        return false;
    };
    match privilege {
        Privilege::Governance => obs.governs(who, target),
        Privilege::Feeder => obs.feeders[a],
        Privilege::PoolRole { pool, role } => obs
            .pools
            .get(pool)
            .is_some_and(|p| p.roles[role.index()][a]),
    }
}

#[cfg(test)]
mod tests {
    use alloy_primitives::U256;

    use super::{Check, CATALOG};
    use crate::observation::{Observation, PoolObservation, StepRecord};
    use crate::Ghost;

    fn bera(n: u64) -> U256 {
        U256::from(n) * U256::from(10u64).pow(U256::from(18u64))
    }

    /// The exact fee check on its own: the joint split passes, a share moved between the two parts or kept from one
    /// fails; one fee alone follows SPEC's formula and gives the other recipient nothing; one address taking both
    /// is held to the sum.
    #[test]
    fn fee_mints_are_held_to_the_split_exactly() {
        use super::{split_fee_shares, ChargedFees};
        use crate::formulas::fee_shares;
        use crate::observation::FeeMint;
        use alloy_primitives::Address;
        let (validator, protocol) = (Address::repeat_byte(1), Address::repeat_byte(2));
        let (supply, assets) = (bera(10_000), bera(10_100));
        let (commission, protocol_fee) = (bera(20), U256::from(3_000_000_000_000_000_001u128));
        let (cs, ps) = split_fee_shares(commission, protocol_fee, supply, assets).unwrap();
        let check = |fees: &ChargedFees, minted: &[(Address, U256)]| {
            let mints: Vec<FeeMint> = minted
                .iter()
                .map(|&(recipient, shares)| FeeMint {
                    pool: 0,
                    recipient,
                    shares,
                })
                .collect();
            let total: U256 = minted.iter().map(|m| m.1).sum();
            let after = PoolObservation {
                total_supply: supply + total,
                total_assets: assets,
                ..PoolObservation::default()
            };
            fees.check_minted(0, &mints, &after)
        };
        let two = ChargedFees {
            commission,
            protocol_fee,
            validator,
            protocol,
        };
        assert_eq!(check(&two, &[(validator, cs), (protocol, ps)]), Ok(()));
        let one = U256::from(1);
        assert!(check(&two, &[(validator, cs - one), (protocol, ps + one)]).is_err());
        assert!(check(&two, &[(validator, cs), (protocol, ps - one)]).is_err());
        let same = ChargedFees {
            protocol: validator,
            ..two
        };
        assert_eq!(check(&same, &[(validator, cs), (validator, ps)]), Ok(()));
        assert!(check(&same, &[(validator, cs + ps + one)]).is_err());
        let alone = ChargedFees {
            protocol_fee: U256::ZERO,
            ..two
        };
        let expected = fee_shares(commission, supply, assets).unwrap();
        assert_eq!(check(&alone, &[(validator, expected)]), Ok(()));
        assert!(check(&alone, &[(validator, expected), (protocol, one)]).is_err());
        assert!(check(&alone, &[(validator, expected - one)]).is_err());
    }

    fn pool(total_deposits: U256, reached: bool, exited: bool) -> Observation {
        Observation {
            pools: vec![PoolObservation {
                min_effective_balance: bera(250_000),
                total_deposits,
                min_effective_balance_reached: reached,
                is_fully_exited: exited,
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    fn exit_001(prev: &Observation, next: &Observation, ghost: &Ghost) -> Option<String> {
        let step = StepRecord::default();
        let check = Check {
            prev,
            next,
            step: &step,
            ghost,
        };
        let invariant = CATALOG
            .iter()
            .find(|i| i.id == "EXIT-001")
            .expect("EXIT-001 is in the catalog");
        (invariant.check)(&check).err()
    }

    #[test]
    fn deposits_moved_to_the_threshold_must_have_reached_it() {
        let ghost = Ghost::default();
        let before = pool(bera(240_000), false, false);
        // Moved exactly to the threshold without the flag: the converse fires.
        let late = exit_001(&before, &pool(bera(250_000), false, false), &ghost);
        assert!(late.is_some_and(|m| m.contains("has not reached")));
        assert_eq!(
            exit_001(&before, &pool(bera(250_000), true, false), &ghost),
            None
        );
        // Below the threshold, or ended in a full exit: nothing to reach.
        assert_eq!(
            exit_001(&before, &pool(bera(249_999), false, false), &ghost),
            None
        );
        assert_eq!(
            exit_001(&before, &pool(bera(260_000), false, true), &ghost),
            None
        );
        // A threshold lowered under a balance that did not move is reached at the next forward or report.
        let mut lowered = Ghost::default();
        lowered.min_effective_balance = vec![bera(200_000)];
        let mut unmoved = pool(bera(240_000), false, false);
        unmoved.pools[0].min_effective_balance = bera(200_000);
        assert_eq!(exit_001(&unmoved, &unmoved, &lowered), None);
        // The breach clause still holds: reached and below, without an exit.
        let breach = exit_001(&before, &pool(bera(200_000), true, false), &ghost);
        assert!(breach.is_some_and(|m| m.contains("below minimum")));
    }
}
