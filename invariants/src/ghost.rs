//! The harness-side ghost model: what each actor put in, took out and was entitled to gain, kept alongside the
//! chain so that "no free value" can be checked without trusting the contracts' own books.

use alloy_primitives::{Address, U256};
use serde::{Deserialize, Serialize};

use crate::formulas::{
    to_assets, Rounding, DEFAULT_MIN_EFFECTIVE_BALANCE, ORACLE_MAX_DECREASE_BPS,
    ORACLE_MAX_INCREASE_BPS,
};
use crate::observation::{
    Deposit, FeeMint, Finalization, Observation, OracleBounds, Setting, ShareTransfer, StepRecord,
    SuiteFunction,
};

/// Per-actor and per-pool bookkeeping, updated after every step.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ghost {
    /// BERA each actor deposited for its own shares.
    pub deposited: Vec<U256>,
    /// BERA paid to each actor by finalized withdrawal requests.
    pub paid_out: Vec<U256>,
    /// What each actor's shares gained from share-price increases (rounded up per step).
    pub gain: Vec<U256>,
    /// Actors that received shares other than by depositing their own BERA (transfers, fee shares, deposits
    /// paid by someone else), or whose callback re-entered the suite: their wealth is not bounded by their own
    /// deposits.
    pub tainted: Vec<bool>,
    /// Per pool: consensus-layer losses the frozen books of an exited pool cannot see (a penalty the oracle
    /// never reported before the exit, or one applied after it), which the exit settlement cannot pay.
    pub exit_shortfall: Vec<U256>,
    /// Outsiders a privileged call by an insider named (a role granted to them, ownership transferred, …):
    /// from then on they may hold a privilege legitimately.
    #[serde(default)]
    pub empowered: Vec<Address>,
    /// Per pool: BERA the pool's live books count at the consensus layer and the validator does not hold, made
    /// by the harness: what its penalties took from the validator, and what its accepted reports stated above the
    /// validator's real balance (the oracle is trusted within its bounds, SPEC; a report's excess is booked as a
    /// reward the consensus layer never pays). The pool sees a penalty only once the oracle reports it, and an
    /// over-report not until a later report corrects it, so a withdrawal requested in between is priced at the
    /// books' rate; when this exceeds the validator's unrequested stake, the consensus layer can no longer pay the
    /// requested part in full. No contract can see it, so ACCT-004 excuses a live pool's uncovered requests up
    /// to this amount (and no further).
    #[serde(default)]
    pub live_cl_losses: Vec<U256>,
    /// Per request id `i+1` at index `i`: the block of the step in which the harness first saw it (the block its
    /// transaction ran in), kept apart from the `requestBlock` the vault stores, so that a request's delay is
    /// decided by what the harness did (LIVE-004).
    #[serde(default)]
    pub request_blocks: Vec<u64>,
    /// Per pool: the refSlot of the last oracle report the harness saw accepted (a successful `updateTotalDeposits`
    /// it sent, by its calldata), after the step. ORACLE-002 compares with [`Ghost::ref_slots_before`], not with
    /// the oracle's `getLastReport`, which a bug that forgets to record a report moves.
    #[serde(default)]
    pub ref_slots: Vec<U256>,
    /// [`Ghost::ref_slots`] as it was before the step.
    #[serde(default)]
    pub ref_slots_before: Vec<U256>,
    /// Per pool: whether the harness has seen it active (the world activates every pool when it deploys it):
    /// from then on its dead shares are SPEC's FIRST_DEPOSIT_AMOUNT, minted 1:1, whatever `deadShares()` says
    /// (SHARE-003).
    #[serde(default)]
    pub activated: Vec<bool>,
    /// Per pool: BGT its SmartOperator received and has not yet charged fees on, by the chain's account: what BGT
    /// minted to it (BGT's `Minted`) less what `BGTFeesAccrued` charged, after the step. SPEC charges the fee once on
    /// each BGT increase, so on a live pool this is exactly the operator's balance above `lastAccruedBgtBalance`
    /// (FEE-002); where BGT bears no fee (an inactive or exited pool) or an upgrade may have changed the operator's
    /// code, it is taken from the operator as it stands.
    #[serde(default)]
    pub bgt_unaccrued: Vec<U256>,
    /// [`Ghost::bgt_unaccrued`] as it was before the step.
    #[serde(default)]
    pub bgt_unaccrued_before: Vec<U256>,
    /// Per pool: BERA of redeemed BGT in its rewards vault that the pool has not collected yet, by the harness's
    /// account, after the step: it grows by each successful `redeemBGT(amount)` (calldata; that BERA already bore
    /// its fees, SPEC) and is the first to leave when the pool collects (the vault's balance falls). Where a
    /// callback re-entered the suite (a redemption and a collection in an order the harness does not see) or an
    /// upgrade changed code, it is taken from the vault as it stands.
    #[serde(default)]
    pub precharged: Vec<U256>,
    /// [`Ghost::precharged`] as it was before the step.
    #[serde(default)]
    pub precharged_before: Vec<U256>,
    /// The oracle's bounds by the harness's account, after the step: SPEC's +1% / -5% as deployed, then what
    /// each successful `setBounds` asked for (calldata). ORACLE-003 and LIVE-007 judge reports by these, and
    /// the oracle's own `maxIncreaseBps`/`maxDecreaseBps` must equal them. Taken from the oracle as it stands
    /// only after a re-entry or an upgrade (calls the harness does not see, code it did not deploy).
    #[serde(default = "spec_oracle_bounds")]
    pub oracle_bounds: OracleBounds,
    /// [`Ghost::oracle_bounds`] as it was before the step.
    #[serde(default = "spec_oracle_bounds")]
    pub oracle_bounds_before: OracleBounds,
    /// Per pool: its minimum effective balance by the harness's account, after the step: SPEC's default
    /// MIN_EFFECTIVE_BALANCE for every pool deployed, then what each successful `setMinEffectiveBalance` asked
    /// for (calldata); resynchronised as [`Ghost::oracle_bounds`] is. EXIT-001 judges breaches by it.
    #[serde(default)]
    pub min_effective_balance: Vec<U256>,
}

/// The oracle's bounds SPEC gives (+1% / -5%).
pub fn spec_oracle_bounds() -> OracleBounds {
    OracleBounds {
        max_increase_bps: U256::from(ORACLE_MAX_INCREASE_BPS),
        max_decrease_bps: U256::from(ORACLE_MAX_DECREASE_BPS),
    }
}

/// Whether the BGT ledger ([`Ghost::bgt_unaccrued`]) judges pool `before`→`after` in `step`: the pool is active and
/// not exited on both sides (only then does its operator's BGT bear fees) and no code was upgraded.
pub fn bgt_ledger_applies(
    before: &crate::observation::PoolObservation,
    after: &crate::observation::PoolObservation,
    step: &StepRecord,
) -> bool {
    before.is_active
        && after.is_active
        && !before.is_fully_exited
        && !after.is_fully_exited
        && step.events.upgrades == 0
}

/// BGT a pool's operator holds above the mark it last accrued at (zero below it).
pub fn bgt_pending(pool: &crate::observation::PoolObservation) -> U256 {
    pool.operator_bgt.saturating_sub(pool.last_accrued_bgt)
}

impl Ghost {
    /// A ghost for `initial`.
    pub fn new(initial: &Observation) -> Self {
        let n = initial.actors.len();
        let mut tainted = vec![false; n];
        // Holders at the start (dead shares) did not deposit for them.
        for pool in &initial.pools {
            for (i, shares) in pool.share_balances.iter().enumerate() {
                if !shares.is_zero() {
                    tainted[i] = true;
                }
            }
        }
        Self {
            deposited: vec![U256::ZERO; n],
            paid_out: vec![U256::ZERO; n],
            gain: vec![U256::ZERO; n],
            tainted,
            exit_shortfall: vec![U256::ZERO; initial.pools.len()],
            live_cl_losses: vec![U256::ZERO; initial.pools.len()],
            empowered: Vec::new(),
            // Requests before the first observation have no step: their own record is all there is.
            request_blocks: initial.requests.iter().map(|r| r.block).collect(),
            // Likewise the reports made while the world was deployed.
            ref_slots: initial
                .pools
                .iter()
                .map(|p| p.last_report.ref_slot)
                .collect(),
            ref_slots_before: initial
                .pools
                .iter()
                .map(|p| p.last_report.ref_slot)
                .collect(),
            activated: initial.pools.iter().map(|p| p.is_active).collect(),
            bgt_unaccrued: initial.pools.iter().map(bgt_pending).collect(),
            bgt_unaccrued_before: initial.pools.iter().map(bgt_pending).collect(),
            precharged: initial.pools.iter().map(|p| p.precharged).collect(),
            precharged_before: initial.pools.iter().map(|p| p.precharged).collect(),
            oracle_bounds: spec_oracle_bounds(),
            oracle_bounds_before: spec_oracle_bounds(),
            min_effective_balance: vec![DEFAULT_MIN_EFFECTIVE_BALANCE; initial.pools.len()],
        }
    }

    /// Accounts for one step.
    pub fn update(&mut self, prev: &Observation, next: &Observation, step: &StepRecord) {
        self.activated.resize(next.pools.len(), false);
        for (seen, pool) in self.activated.iter_mut().zip(&next.pools) {
            *seen |= pool.is_active;
        }
        // An outsider empowered by an insider acts with that privilege, and may pass it on: whom its privileged
        // call names is empowered in turn (governance makes the attacker an admin, who grants a contract actor).
        if step.success
            && step.entry.is_some()
            && !step.permissionless
            && (!prev.outsiders.contains(&step.caller) || self.empowered.contains(&step.caller))
        {
            for who in &step.named {
                if prev.outsiders.contains(who) && !self.empowered.contains(who) {
                    self.empowered.push(*who);
                }
            }
        }
        for _ in self.request_blocks.len()..next.requests.len() {
            self.request_blocks.push(next.block);
        }
        self.ref_slots_before.clone_from(&self.ref_slots);
        for call in step.successful_calls() {
            if let (SuiteFunction::UpdateTotalDeposits, Some(p), Some(report)) =
                (call.function, call.pool, call.report)
            {
                if let Some(last) = self.ref_slots.get_mut(p) {
                    *last = report.ref_slot;
                }
            }
        }
        self.bgt_unaccrued.resize(next.pools.len(), U256::ZERO);
        self.bgt_unaccrued_before.clone_from(&self.bgt_unaccrued);
        self.precharged.resize(next.pools.len(), U256::ZERO);
        self.precharged_before.clone_from(&self.precharged);
        let unseen_order =
            step.events.reentries.iter().any(|r| r.success) || step.events.upgrades > 0;
        // Every pool is deployed with SPEC's default threshold.
        self.min_effective_balance
            .resize(next.pools.len(), DEFAULT_MIN_EFFECTIVE_BALANCE);
        self.oracle_bounds_before = self.oracle_bounds;
        if unseen_order {
            self.oracle_bounds = next.oracle_bounds;
            for (mine, pool) in self.min_effective_balance.iter_mut().zip(&next.pools) {
                *mine = pool.min_effective_balance;
            }
        } else if step.success {
            match step.setting {
                Some(Setting::OracleBounds { bounds }) => self.oracle_bounds = bounds,
                Some(Setting::MinEffectiveBalance { pool, value }) => {
                    if let Some(mine) = self.min_effective_balance.get_mut(pool) {
                        *mine = value;
                    }
                }
                _ => {}
            }
        }
        for (p, (before, after)) in prev.pools.iter().zip(&next.pools).enumerate() {
            let (minted, accrued) = step.events.bgt_flow(p);
            self.bgt_unaccrued[p] = if bgt_ledger_applies(before, after, step) {
                (self.bgt_unaccrued[p].saturating_add(minted)).saturating_sub(accrued)
            } else {
                bgt_pending(after)
            };
            let redeemed = match step.setting {
                Some(Setting::RedeemBgt { pool, amount }) if pool == p && step.success => amount,
                _ => U256::ZERO,
            };
            let collected = before
                .rewards_vault_balance
                .saturating_sub(after.rewards_vault_balance);
            self.precharged[p] = if unseen_order {
                after.precharged
            } else {
                self.precharged[p]
                    .saturating_add(redeemed)
                    .saturating_sub(collected)
            };
        }
        let index = |who| next.actor_index(who);
        for &Deposit {
            sender,
            receiver,
            assets,
            ..
        } in &step.events.deposits
        {
            if let Some(r) = index(receiver) {
                if sender == receiver {
                    self.deposited[r] += assets;
                } else {
                    self.tainted[r] = true;
                }
            }
        }
        // A contract actor whose callback re-entered the suite did more than deposit (it may have donated to the
        // pool it holds shares of, within the same transaction as a deposit): its wealth is no longer judged.
        for reentry in step.events.reentries.iter().filter(|r| r.success) {
            if let Some(r) = index(reentry.by) {
                self.tainted[r] = true;
            }
        }
        for &FeeMint { recipient, .. } in &step.events.fee_mints {
            if let Some(r) = index(recipient) {
                self.tainted[r] = true;
            }
        }
        for &ShareTransfer { to, .. } in &step.events.share_transfers {
            if let Some(r) = index(to) {
                self.tainted[r] = true;
            }
        }
        for &Finalization { user, assets, .. } in &step.events.finalized {
            if let Some(u) = index(user) {
                self.paid_out[u] += assets;
            }
        }
        for (p, (before, after)) in prev.pools.iter().zip(&next.pools).enumerate() {
            for (a, shares) in before.share_balances.iter().enumerate() {
                if shares.is_zero() {
                    continue;
                }
                let v0 = to_assets(
                    *shares,
                    before.total_supply,
                    before.total_assets,
                    Rounding::Floor,
                )
                .unwrap_or_default();
                let v1 = to_assets(
                    *shares,
                    after.total_supply,
                    after.total_assets,
                    Rounding::Ceil,
                )
                .unwrap_or_default();
                if v1 > v0 {
                    self.gain[a] += v1 - v0;
                }
            }
            if !before.is_fully_exited && after.is_fully_exited {
                // The balance the books imply, computed by the harness (not the suite's expectedClBalance()).
                let expected = before.books_cl_balance().unwrap_or(U256::MAX);
                self.exit_shortfall[p] = expected.saturating_sub(before.cl_balance);
            }
            let penalized = step.call.is_some_and(|c| {
                c.function == SuiteFunction::PenalizeValidator && c.pool == Some(p)
            });
            // The report the transaction sent (calldata), accepted on a live pool, above the validator's balance.
            let reported = step
                .call
                .filter(|c| {
                    step.success
                        && c.function == SuiteFunction::UpdateTotalDeposits
                        && c.pool == Some(p)
                })
                .and_then(|c| c.report)
                .and_then(|r| r.balance);
            if let (Some(balance), false) = (reported, before.is_fully_exited) {
                if let Some(losses) = self.live_cl_losses.get_mut(p) {
                    *losses = losses.saturating_add(balance.saturating_sub(before.cl_balance));
                }
            }
            if step.success && penalized {
                let loss = before.cl_balance.saturating_sub(after.cl_balance);
                if before.is_fully_exited {
                    // A penalty on an exited pool's validator is a loss its frozen books cannot see either.
                    self.exit_shortfall[p] += loss;
                } else if let Some(losses) = self.live_cl_losses.get_mut(p) {
                    *losses += loss;
                }
            }
        }
    }
}
