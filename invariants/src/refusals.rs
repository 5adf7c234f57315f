//! The refusals SPEC gives a deposit, a withdrawal request, a redemption request and a full exit's pending
//! consensus-layer request (LIVE-001), each with the condition under which SPEC gives it.
//!
//! An error's name alone says little: a pool that refuses every redemption with `ZeroShares`, or a vault that
//! finds no pool for any pubkey, names a refusal SPEC has, in a state where SPEC does not give it. So each refusal
//! is judged against its cause, read from the state before the step and the transaction's calldata, never from
//! the suite's own verdict. The step itself can move a cause only one way, and each condition allows for that
//! move: it collects rewards before it prices anything, which raises the buffer by at most the rewards vault's
//! balance and the share price by no more than rounding (the vault's rewards are already counted in
//! `totalAssets`, net of fees), and the fee shares it mints only raise the supply.

use alloy_primitives::{hex, Address, U256};

use crate::ensure as only_if;
use crate::formulas::{
    preview_deposit, to_assets, to_shares, Rounding, GWEI, MAX_EFFECTIVE_BALANCE,
};
use crate::observation::{Observation, PoolObservation, SuiteCall, SuiteFunction};

/// A refused deposit, withdrawal or redemption request, or pending exit request, with what decides whether SPEC
/// gives its refusal.
#[derive(Debug, Clone, Copy)]
pub struct Refused<'a> {
    /// The world before the step.
    pub prev: &'a Observation,
    /// The pool the call names, before the step.
    pub pool: &'a PoolObservation,
    /// The call, decoded from its calldata.
    pub call: &'a SuiteCall,
    /// Who made it (the holder of a request, the depositor).
    pub caller: Address,
    /// The BERA it sent.
    pub value: U256,
}

impl Refused<'_> {
    /// `Ok` when SPEC gives the refusal named `name` (the decoded error's name; `reason` is the whole decoded
    /// revert) in this state; otherwise why it does not.
    pub fn judge(&self, name: &str, reason: &str) -> Result<(), String> {
        match self.call.function {
            SuiteFunction::Deposit => self.deposit(name),
            SuiteFunction::RequestWithdrawal | SuiteFunction::RequestRedeem => {
                self.request(name, reason)
            }
            SuiteFunction::SendPendingExitRequest => self.pending_exit(name),
            _ => Ok(()),
        }
    }

    fn contract(&self) -> bool {
        self.prev.contract_actors.contains(&self.caller)
    }

    /// SPEC's refusals of `submit(receiver)` and of a plain transfer to the pool.
    fn deposit(&self, name: &str) -> Result<(), String> {
        let p = self.pool;
        let value = self.value;
        // The most the pool can hold once the step has collected its rewards, and so the least room it can have.
        let held = p.total_deposits.saturating_add(p.buffered_assets);
        let room =
            MAX_EFFECTIVE_BALANCE.saturating_sub(held.saturating_add(p.rewards_vault_balance));
        match name {
            "EnforcedPause" => only_if(p.paused, || "the pool is not paused".into()),
            "NotActive" => only_if(!p.is_active, || "the pool is active".into()),
            "PoolFullyExited" => only_if(p.is_fully_exited, || "the pool has not exited".into()),
            "ZeroAmount" => only_if(value.is_zero(), || format!("the deposit is of {value} wei")),
            "CapacityReached" => {
                only_if(room.is_zero(), || {
                    format!("{room} wei of capacity is left even once the rewards vault's are collected")
                })
            }
            // The step's collection raises the share price by no more than rounding: a deposit worth two shares
            // before it is worth at least one.
            "ZeroShares" => {
                let shares = preview_deposit(value.min(room), p.total_supply, p.total_assets)
                    .unwrap_or(U256::MAX);
                only_if(shares <= U256::from(1), || {
                    format!("the {value} wei accepted buy {shares} shares")
                })
            }
            // The depositor refuses the refund of what exceeds the capacity: only a contract can, and only when a
            // refund is due.
            "TransferFailed" => only_if(self.contract() && value > room, || {
                format!("no refund is due to {} (a deposit of {value} wei, {room} wei of capacity left)", self.caller)
            }),
            "ERC20InvalidReceiver" => only_if(self.call.receiver == Some(Address::ZERO), || {
                "the deposit names a receiver".into()
            }),
            _ => Err("not a refusal SPEC gives a deposit".into()),
        }
    }

    /// SPEC's refusals of `requestWithdrawal` and `requestRedeem` (the vault paused, an unknown or inactive pool, a
    /// zero amount, the holder's shares short of a withdrawal, the dead shares, an unfunded buffer before the
    /// minimum effective balance, a fee above maxFee or msg.value, a refund its contract holder refuses). The
    /// step's own call is never a re-entry: a callback's re-entry fails inside the callback, so a re-entrancy guard
    /// that refuses the step's own call is stuck, or guards a call the suite makes to itself within the request.
    fn request(&self, name: &str, reason: &str) -> Result<(), String> {
        let (prev, p) = (self.prev, self.pool);
        let Some(amount) = self.call.amount else {
            return Ok(());
        };
        let redeem = self.call.function == SuiteFunction::RequestRedeem;
        let gwei = U256::from(GWEI);
        // What the request is worth before the step: a withdrawal names its assets; a redemption's shares are
        // priced as before the step, which the step's collection can only raise.
        let assets = if redeem {
            to_assets(amount, p.total_supply, p.total_assets, Rounding::Floor).unwrap_or(U256::MAX)
        } else {
            amount
        };
        let fee = prev.cl_request_fee;
        match name {
            "EnforcedPause" => only_if(prev.withdrawal_vault_paused, || {
                "the vault is not paused".into()
            }),
            "UnknownPool" => Err("the pubkey is a deployed pool's".into()),
            "NotActive" => only_if(!p.is_active, || "the pool is active".into()),
            // A redemption books whole gwei before an exit: shares worth less than one gwei (two, for the
            // price's rounding within the step) book nothing.
            "ZeroAmount" => only_if(
                amount.is_zero() || (redeem && assets < gwei * U256::from(2)),
                || {
                    format!(
                        "the request is for {amount} {}, worth {assets} wei",
                        if redeem { "shares" } else { "wei" }
                    )
                },
            ),
            "ZeroShares" => only_if(amount.is_zero(), || {
                format!("the request burns shares for {amount}")
            }),
            // Only the holder's own balance may fall short, and only of a withdrawal (its shares are priced in
            // the step): a redemption of shares it owns burns no more than it has.
            "ERC20InsufficientBalance" => only_if(
                !redeem
                    && reason
                        .to_lowercase()
                        .contains(&hex::encode(self.caller.as_slice())),
                || "the request is for no more than the holder owns".into(),
            ),
            "DeadSharesLocked" => {
                let burnt = if redeem {
                    amount
                } else {
                    to_shares(amount, p.total_supply, p.total_assets, Rounding::Ceil)
                        .map_or(U256::MAX, |shares| shares.saturating_add(U256::from(1)))
                };
                only_if(
                    !p.is_fully_exited && p.total_supply < p.dead_shares.saturating_add(burnt),
                    || {
                        format!(
                            "burning {burnt} of {} shares leaves the {} dead shares",
                            p.total_supply, p.dead_shares
                        )
                    },
                )
            }
            "WithdrawalNotAllowed" => only_if(
                !p.is_fully_exited
                    && !p.min_effective_balance_reached
                    && (redeem || amount > p.buffered_assets),
                || {
                    if p.is_fully_exited {
                        "the pool has exited".to_string()
                    } else if p.min_effective_balance_reached {
                        "the pool has reached the minimum effective balance".to_string()
                    } else {
                        format!(
                            "its buffer of {} wei covers the {amount} wei",
                            p.buffered_assets
                        )
                    }
                },
            ),
            "FeeTooHigh" => {
                let max_fee = self.call.max_fee.unwrap_or(U256::ZERO);
                only_if(fee > max_fee || fee > self.value, || {
                    format!(
                        "the predeploy's fee of {fee} is within maxFee {max_fee} and the {} sent",
                        self.value
                    )
                })
            }
            // The holder refuses the refund of what it paid above the fee: only a contract can, and only when a
            // refund is due. The fee is charged only when the request reaches the consensus layer, certain when
            // a live pool past its minimum balance cannot serve it from its buffer, even with the rewards the step
            // collects.
            "TransferFailed" => {
                let buffer = p.buffered_assets.saturating_add(p.rewards_vault_balance);
                let reaches_cl = p.min_effective_balance_reached
                    && !p.is_fully_exited
                    && assets.saturating_sub(gwei * U256::from(2)) > buffer;
                let refund_due = self.value > fee || (!self.value.is_zero() && !reaches_cl);
                only_if(self.contract() && refund_due, || {
                    if self.contract() {
                        format!(
                            "no refund is due to {}: it sent {} wei, no more than the fee of {fee} a request that reaches the consensus layer is charged",
                            self.caller, self.value
                        )
                    } else {
                        format!("{} is no contract: it cannot refuse a refund", self.caller)
                    }
                })
            }
            _ => Err("not a refusal SPEC gives a request".into()),
        }
    }

    /// The refusals of `sendPendingExitRequest(pubkey, maxFee)`, which sends the consensus-layer exit a full exit
    /// asked for when nothing sent it yet. SPEC does not name the function; it is held to SPEC's terms for every
    /// consensus-layer request (the predeploy's fee within maxFee and msg.value, the surplus refunded): refused
    /// only with no exit pending (the pool never exited, or the vault already queued its request for the whole
    /// balance, amount 0), the fee above maxFee or msg.value, or a contract payer that refuses a refund it is due.
    /// The vault is not paused for it (SPEC pauses new requests only) and the step's own call is no re-entry.
    fn pending_exit(&self, name: &str) -> Result<(), String> {
        let fee = self.prev.cl_request_fee;
        let max_fee = self.call.max_fee.unwrap_or(U256::ZERO);
        match name {
            "NoExitPending" => {
                let exit_sent = self
                    .call
                    .pool
                    .is_some_and(|pool| self.prev.vault_exit_queued(pool));
                only_if(!self.pool.is_fully_exited || exit_sent, || {
                    "the pool has exited and the vault has not queued its exit request".into()
                })
            }
            "FeeTooHigh" => only_if(fee > max_fee || fee > self.value, || {
                format!(
                    "the predeploy's fee of {fee} is within maxFee {max_fee} and the {} sent",
                    self.value
                )
            }),
            // Only a refund can fail, and one is due only for what was paid above the fee.
            "TransferFailed" => only_if(self.contract() && self.value > fee, || {
                format!(
                    "no refund is due to {}: it sent {} wei, no more than the fee of {fee}",
                    self.caller, self.value
                )
            }),
            _ => Err("not a refusal SPEC gives a pending exit request".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observation::ClRequestObservation;

    const BERA: u64 = 1_000_000_000_000_000_000;

    fn bera(n: u64) -> U256 {
        U256::from(n) * U256::from(BERA)
    }

    /// A live pool past its minimum balance: 1M BERA of shares at a price of 1, 10 BERA buffered.
    fn world() -> (Observation, Address, Address) {
        let (eoa, contract) = (Address::repeat_byte(1), Address::repeat_byte(2));
        let pool = PoolObservation {
            total_supply: bera(1_000_000),
            total_assets: bera(1_000_000),
            total_deposits: bera(999_990),
            buffered_assets: bera(10),
            dead_shares: bera(10_000),
            is_active: true,
            min_effective_balance_reached: true,
            ..Default::default()
        };
        let prev = Observation {
            pools: vec![pool],
            contract_actors: vec![contract],
            cl_request_fee: U256::from(1),
            ..Default::default()
        };
        (prev, eoa, contract)
    }

    fn judge(
        prev: &Observation,
        call: SuiteCall,
        caller: Address,
        value: U256,
        name: &str,
    ) -> Result<(), String> {
        let refused = Refused {
            prev,
            pool: &prev.pools[0],
            call: &call,
            caller,
            value,
        };
        refused.judge(name, &format!("{name}()"))
    }

    fn call(function: SuiteFunction, amount: Option<U256>, max_fee: Option<U256>) -> SuiteCall {
        SuiteCall {
            function,
            pool: Some(0),
            amount,
            report: None,
            max_fee,
            receiver: None,
        }
    }

    #[test]
    fn a_deposit_is_refused_only_where_its_cause_holds() {
        let (mut prev, eoa, contract) = world();
        let deposit = call(SuiteFunction::Deposit, None, None);
        let one = bera(1);
        // A refund is due only above the capacity left, and only a contract can refuse it.
        assert!(judge(&prev, deposit, contract, one, "TransferFailed").is_err());
        assert!(judge(&prev, deposit, eoa, bera(20_000_000), "TransferFailed").is_err());
        assert!(judge(&prev, deposit, contract, bera(20_000_000), "TransferFailed").is_ok());
        assert!(judge(&prev, deposit, eoa, one, "EnforcedPause").is_err());
        assert!(judge(&prev, deposit, eoa, one, "CapacityReached").is_err());
        assert!(judge(&prev, deposit, eoa, one, "ZeroShares").is_err());
        assert!(judge(&prev, deposit, eoa, U256::from(1), "ZeroShares").is_ok());
        assert!(judge(&prev, deposit, eoa, one, "ZeroAmount").is_err());
        assert!(judge(&prev, deposit, eoa, U256::ZERO, "ZeroAmount").is_ok());
        assert!(judge(&prev, deposit, eoa, one, "Panic(17)").is_err());
        prev.pools[0].paused = true;
        prev.pools[0].total_deposits = MAX_EFFECTIVE_BALANCE;
        assert!(judge(&prev, deposit, eoa, one, "EnforcedPause").is_ok());
        assert!(judge(&prev, deposit, eoa, one, "CapacityReached").is_ok());
    }

    #[test]
    fn a_request_is_refused_only_where_its_cause_holds() {
        let (mut prev, eoa, contract) = world();
        let fee = U256::from(1);
        let redeem = |shares: U256, max_fee: U256| {
            call(SuiteFunction::RequestRedeem, Some(shares), Some(max_fee))
        };
        let withdraw =
            |assets: U256| call(SuiteFunction::RequestWithdrawal, Some(assets), Some(fee));
        let shares = bera(100);
        // A deployed pool's pubkey is never unknown; zero shares only for zero; a redemption books nothing only
        // below a gwei's worth.
        assert!(judge(&prev, redeem(shares, fee), eoa, fee, "UnknownPool").is_err());
        assert!(judge(&prev, redeem(shares, fee), eoa, fee, "ZeroShares").is_err());
        assert!(judge(&prev, redeem(shares, fee), eoa, fee, "ZeroAmount").is_err());
        assert!(judge(&prev, redeem(U256::from(999), fee), eoa, fee, "ZeroAmount").is_ok());
        assert!(judge(&prev, withdraw(U256::ZERO), eoa, fee, "ZeroAmount").is_ok());
        // The fee: refused only above maxFee or msg.value.
        assert!(judge(&prev, redeem(shares, fee), eoa, fee, "FeeTooHigh").is_err());
        assert!(judge(&prev, redeem(shares, U256::ZERO), eoa, fee, "FeeTooHigh").is_ok());
        assert!(judge(&prev, redeem(shares, fee), eoa, U256::ZERO, "FeeTooHigh").is_ok());
        // A contract holder that pays the fee exactly, on a request that reaches the consensus layer, is owed no
        // refund; one that pays more is.
        assert!(judge(&prev, withdraw(bera(100)), contract, fee, "TransferFailed").is_err());
        assert!(judge(
            &prev,
            withdraw(bera(100)),
            contract,
            U256::from(2),
            "TransferFailed"
        )
        .is_ok());
        assert!(judge(
            &prev,
            withdraw(bera(100)),
            eoa,
            U256::from(2),
            "TransferFailed"
        )
        .is_err());
        // Served from the buffer, the request pays no fee: all it sent is refunded.
        assert!(judge(&prev, withdraw(bera(5)), contract, fee, "TransferFailed").is_ok());
        // The dead shares and the buffer before the minimum balance.
        assert!(judge(&prev, redeem(shares, fee), eoa, fee, "DeadSharesLocked").is_err());
        assert!(judge(
            &prev,
            redeem(bera(990_001), fee),
            eoa,
            fee,
            "DeadSharesLocked"
        )
        .is_ok());
        assert!(judge(&prev, withdraw(bera(100)), eoa, fee, "WithdrawalNotAllowed").is_err());
        assert!(judge(&prev, withdraw(bera(100)), eoa, fee, "EnforcedPause").is_err());
        assert!(judge(
            &prev,
            withdraw(bera(100)),
            eoa,
            fee,
            "ReentrancyGuardReentrantCall"
        )
        .is_err());
        prev.pools[0].min_effective_balance_reached = false;
        prev.withdrawal_vault_paused = true;
        assert!(judge(&prev, withdraw(bera(100)), eoa, fee, "WithdrawalNotAllowed").is_ok());
        assert!(judge(&prev, withdraw(bera(5)), eoa, fee, "WithdrawalNotAllowed").is_err());
        assert!(judge(&prev, withdraw(bera(100)), eoa, fee, "EnforcedPause").is_ok());
    }

    #[test]
    fn a_pending_exit_request_is_refused_only_where_its_cause_holds() {
        let (mut prev, eoa, contract) = world();
        let fee = U256::from(1);
        let send = |max_fee: U256| call(SuiteFunction::SendPendingExitRequest, None, Some(max_fee));
        // No exit pending: the pool has not exited, or the vault queued the exit (amount 0) already; a request for
        // the whole balance queued by someone else sends nothing for the pool.
        assert!(judge(&prev, send(fee), eoa, fee, "NoExitPending").is_ok());
        prev.pools[0].is_fully_exited = true;
        assert!(judge(&prev, send(fee), eoa, fee, "NoExitPending").is_err());
        let exit = |source| ClRequestObservation {
            source,
            pool: Some(0),
            amount_gwei: 0,
        };
        prev.cl_requests.push(exit(eoa));
        assert!(judge(&prev, send(fee), eoa, fee, "NoExitPending").is_err());
        prev.cl_requests.push(exit(prev.withdrawal_vault));
        assert!(judge(&prev, send(fee), eoa, fee, "NoExitPending").is_ok());
        // A re-entry guard never stops the step's own call.
        assert!(judge(&prev, send(fee), eoa, fee, "ReentrancyGuardReentrantCall").is_err());
        // A contract payer refuses a refund only when one is due: it paid more than the fee.
        assert!(judge(&prev, send(fee), contract, fee, "TransferFailed").is_err());
        assert!(judge(&prev, send(fee), contract, U256::from(2), "TransferFailed").is_ok());
        assert!(judge(&prev, send(fee), eoa, U256::from(2), "TransferFailed").is_err());
        // The fee: refused only above maxFee or msg.value.
        assert!(judge(&prev, send(fee), eoa, fee, "FeeTooHigh").is_err());
        assert!(judge(&prev, send(U256::ZERO), eoa, fee, "FeeTooHigh").is_ok());
        assert!(judge(&prev, send(fee), eoa, U256::ZERO, "FeeTooHigh").is_ok());
        // No pool to find, no pause: not refusals this call has.
        assert!(judge(&prev, send(fee), eoa, fee, "EnforcedPause").is_err());
        assert!(judge(&prev, send(fee), eoa, fee, "UnknownPool").is_err());
    }
}
