//! Pure-Rust evaluators of the suite's arithmetic, with the contracts' exact rounding and revert behaviour.
//!
//! Every function here mirrors one Solidity expression (file and function named in its doc) and returns `None`
//! exactly where the contract reverts (checked-arithmetic panic, division by zero, an OpenZeppelin `mulDiv`
//! whose result does not fit 256 bits). The z3 models in the sibling modules encode the same functions; the
//! differential test (`tests/smt_differential.rs`) evaluates these evaluators and the compiled contracts in revm on
//! the same inputs, and the crate's unit tests check that the z3 encodings agree with these evaluators, so the
//! chain z3 model = Rust formula = bytecode is checked end to end.

use alloy_primitives::{U256, U512};

/// `Constants.ONE_HUNDRED_PERCENT`: 100% in basis points.
pub const ONE_HUNDRED_PERCENT: u64 = 10_000;
/// `Constants.MAX_COMMISSION`: cap of the validator commission (bps), also `BeraChef.MAX_COMMISSION_RATE`.
pub const MAX_COMMISSION: u64 = 2_000;
/// `Constants.MAX_PROTOCOL_FEE`: cap of the protocol fee (bps).
pub const MAX_PROTOCOL_FEE: u64 = 2_000;
/// `Constants.WITHDRAWAL_REQUEST_FINALIZATION_BLOCK_DELAY`.
pub const WITHDRAWAL_DELAY: u64 = 129_600;
/// `Constants.GWEI`: consensus-layer amounts are whole gwei.
pub const GWEI: u64 = 1_000_000_000;
/// `Constants.FIRST_DEPOSIT_AMOUNT`: 10,000 BERA, minted 1:1 as the pool's dead shares at activation.
pub const FIRST_DEPOSIT_AMOUNT: U256 = U256::from_limbs([1_864_712_049_423_024_128, 542, 0, 0]);
/// An upper bound on all BERA that can ever exist, used where a property needs one: 10^9 BERA (10^27 wei),
/// twice Berachain's genesis supply of 5×10^8 BERA.
pub const BERA_SUPPLY_BOUND: U256 = U256::from_limbs([11_515_845_246_265_065_472, 54_210_108, 0, 0]);

/// OpenZeppelin `Math.Rounding` as used by the suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    /// Toward zero (`Math.Rounding.Floor`).
    Floor,
    /// Away from zero (`Math.Rounding.Ceil`).
    Ceil,
}

/// OpenZeppelin 5.1 `Math.mulDiv(x, y, d, rounding)`: `x*y/d` computed in full 512-bit precision; reverts
/// (`None`) when `d == 0`, when the floored quotient does not fit 256 bits, or when rounding up adds one to
/// `2^256 - 1` (the `+` after `mulDiv` is checked).
pub fn mul_div(x: U256, y: U256, d: U256, rounding: Rounding) -> Option<U256> {
    if d.is_zero() {
        return None;
    }
    let product: U512 = x.widening_mul(y);
    let d512 = U512::from(d);
    let (q, r) = product.div_rem(d512);
    if q.as_limbs()[4..].iter().any(|&limb| limb != 0) {
        return None;
    }
    let q = U256::from_limbs_slice(&q.as_limbs()[..4]);
    match rounding {
        Rounding::Floor => Some(q),
        Rounding::Ceil if r.is_zero() => Some(q),
        Rounding::Ceil => q.checked_add(U256::from(1)),
    }
}

/// `StBERA._toShares`: `assets.mulDiv(totalSupply() + 1, totalAssets() + 1, rounding)`.
pub fn to_shares(assets: U256, supply: U256, total_assets: U256, rounding: Rounding) -> Option<U256> {
    mul_div(assets, supply.checked_add(U256::from(1))?, total_assets.checked_add(U256::from(1))?, rounding)
}

/// `StBERA._toAssets`: `shares.mulDiv(totalAssets() + 1, totalSupply() + 1, rounding)`.
pub fn to_assets(shares: U256, supply: U256, total_assets: U256, rounding: Rounding) -> Option<U256> {
    mul_div(shares, total_assets.checked_add(U256::from(1))?, supply.checked_add(U256::from(1))?, rounding)
}

/// `StBERA.previewDeposit` (floor): shares minted for `assets`.
pub fn preview_deposit(assets: U256, supply: U256, total_assets: U256) -> Option<U256> {
    to_shares(assets, supply, total_assets, Rounding::Floor)
}

/// `StBERA.previewMint` (ceil): assets charged for `shares`.
pub fn preview_mint(shares: U256, supply: U256, total_assets: U256) -> Option<U256> {
    to_assets(shares, supply, total_assets, Rounding::Ceil)
}

/// `StBERA.previewWithdraw` (ceil): shares burnt to withdraw `assets`.
pub fn preview_withdraw(assets: U256, supply: U256, total_assets: U256) -> Option<U256> {
    to_shares(assets, supply, total_assets, Rounding::Ceil)
}

/// `StBERA.previewRedeem` (floor): assets paid for `shares`.
pub fn preview_redeem(shares: U256, supply: U256, total_assets: U256) -> Option<U256> {
    to_assets(shares, supply, total_assets, Rounding::Floor)
}

/// `StBERA.convertToShares` (floor).
pub fn convert_to_shares(assets: U256, supply: U256, total_assets: U256) -> Option<U256> {
    to_shares(assets, supply, total_assets, Rounding::Floor)
}

/// `StBERA.convertToAssets` (floor).
pub fn convert_to_assets(shares: U256, supply: U256, total_assets: U256) -> Option<U256> {
    to_assets(shares, supply, total_assets, Rounding::Floor)
}

/// `FeeMath.feeOf`: `Math.mulDiv(reward, bps, 10000)`, floor.
pub fn fee_of(reward: U256, bps: U256) -> Option<U256> {
    mul_div(reward, bps, U256::from(ONE_HUNDRED_PERCENT), Rounding::Floor)
}

/// `FeeMath.feeShares`: `0` for a zero fee, else `Math.mulDiv(fee, supply + 1, totalAssets + 1 - fee)`.
pub fn fee_shares(fee: U256, supply: U256, total_assets: U256) -> Option<U256> {
    if fee.is_zero() {
        return Some(U256::ZERO);
    }
    let denominator = total_assets.checked_add(U256::from(1))?.checked_sub(fee)?;
    mul_div(fee, supply.checked_add(U256::from(1))?, denominator, Rounding::Floor)
}

/// `FeeMath.splitFeeShares`: the shares for `commission + protocolFee` minted jointly, split pro rata, each
/// part floored. Returns `(commissionShares, protocolShares)`.
pub fn split_fee_shares(commission: U256, protocol_fee: U256, supply: U256, total_assets: U256) -> Option<(U256, U256)> {
    let total = commission.checked_add(protocol_fee)?;
    if total.is_zero() {
        return Some((U256::ZERO, U256::ZERO));
    }
    let shares = fee_shares(total, supply, total_assets)?;
    let commission_shares = mul_div(shares, commission, total, Rounding::Floor)?;
    let protocol_shares = mul_div(shares, protocol_fee, total, Rounding::Floor)?;
    Some((commission_shares, protocol_shares))
}

/// `FeeMath.netOfFees`: `amount - feeOf(amount, commissionBps) - feeOf(amount, protocolBps)` (checked).
pub fn net_of_fees(amount: U256, commission_bps: U256, protocol_bps: U256) -> Option<U256> {
    amount.checked_sub(fee_of(amount, commission_bps)?)?.checked_sub(fee_of(amount, protocol_bps)?)
}

/// `SmartOperator.setProtocolFeePercentage`'s guard: accepted iff `bps <= MAX_PROTOCOL_FEE`.
pub fn protocol_fee_accepted(bps: U256) -> bool {
    bps <= U256::from(MAX_PROTOCOL_FEE)
}

/// `SmartOperator.queueValCommission(uint96)` then `BeraChef.queueValCommission`: accepted iff
/// `bps <= MAX_COMMISSION` (both contracts check the same cap).
pub fn commission_accepted(bps: u128) -> bool {
    bps <= u128::from(MAX_COMMISSION)
}

/// `WithdrawalVault._finalize`'s delay check, `block.number < requestBlock + DELAY` reverting `NotFinalizable`:
/// `Some(true)` when the request may be finalized at `block`, `Some(false)` when the check reverts, `None`
/// when `requestBlock + DELAY` overflows (a panic).
pub fn finalizable(request_block: U256, block: U256) -> Option<bool> {
    let due = request_block.checked_add(U256::from(WITHDRAWAL_DELAY))?;
    Some(block >= due)
}

/// Why [`PoolLedger::finalize`] refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LedgerError {
    /// `InsufficientPoolFunds`: the pool's funds do not cover the request (a designed revert).
    InsufficientPoolFunds,
    /// A checked subtraction or addition would wrap (a Solidity panic): must never happen.
    Arithmetic,
}

/// The WithdrawalVault's per-pool books (`_funds`, `_owed`, `_attributedWithdrawn` of one pubkey).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolLedger {
    /// `_funds[key]`: BERA held for this pool's requests (without unsynced consensus-layer payouts).
    pub funds: U256,
    /// `_owed[key]`: assets of this pool's unfinalized requests.
    pub owed: U256,
    /// `_attributedWithdrawn[key]`: consensus-layer payouts already counted in `funds`.
    pub attributed: U256,
}

impl PoolLedger {
    /// `_record`: a request for `assets` adds them to `owed`.
    pub fn record(&mut self, assets: U256) -> Result<(), LedgerError> {
        self.owed = self.owed.checked_add(assets).ok_or(LedgerError::Arithmetic)?;
        Ok(())
    }

    /// `receivePoolFunds` / `notifyFullExit`: the pool sends `amount`.
    pub fn receive(&mut self, amount: U256) -> Result<(), LedgerError> {
        self.funds = self.funds.checked_add(amount).ok_or(LedgerError::Arithmetic)?;
        Ok(())
    }

    /// `_syncConsensusPayouts`: payouts for the pubkey beyond those already attributed join `funds`.
    pub fn sync(&mut self, withdrawn: U256) -> Result<(), LedgerError> {
        if withdrawn > self.attributed {
            self.funds = self.funds.checked_add(withdrawn - self.attributed).ok_or(LedgerError::Arithmetic)?;
            self.attributed = withdrawn;
        }
        Ok(())
    }

    /// `poolFunds(pubkey)`: funds including consensus-layer payouts not yet synced.
    pub fn pool_funds(&self, withdrawn: U256) -> Option<U256> {
        let pending = if withdrawn > self.attributed { withdrawn - self.attributed } else { U256::ZERO };
        self.funds.checked_add(pending)
    }

    /// `_finalize` (after the delay check): sync, refuse when funds fall short, then
    /// `_funds -= assets; _owed -= assets`.
    pub fn finalize(&mut self, assets: U256, withdrawn: U256) -> Result<(), LedgerError> {
        self.sync(withdrawn)?;
        if self.funds < assets {
            return Err(LedgerError::InsufficientPoolFunds);
        }
        self.funds -= assets;
        self.owed = self.owed.checked_sub(assets).ok_or(LedgerError::Arithmetic)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_match_their_decimal_values() {
        assert_eq!(FIRST_DEPOSIT_AMOUNT, U256::from(10_000u64) * U256::from(10u64).pow(U256::from(18)));
        assert_eq!(BERA_SUPPLY_BOUND, U256::from(10u64).pow(U256::from(27)));
    }

    #[test]
    fn mul_div_is_full_precision_and_reverts_only_on_result_overflow() {
        let max = U256::MAX;
        assert_eq!(mul_div(max, max, max, Rounding::Floor), Some(max));
        assert_eq!(mul_div(max, U256::from(2), U256::from(2), Rounding::Ceil), Some(max));
        assert_eq!(mul_div(max, U256::from(2), U256::from(1), Rounding::Floor), None);
        assert_eq!(mul_div(U256::from(1), U256::from(1), U256::ZERO, Rounding::Floor), None);
        assert_eq!(mul_div(U256::from(7), U256::from(1), U256::from(2), Rounding::Floor), Some(U256::from(3)));
        assert_eq!(mul_div(U256::from(7), U256::from(1), U256::from(2), Rounding::Ceil), Some(U256::from(4)));
        // floor = 2^256 - 1 with a remainder: the checked `+ 1` of rounding up reverts.
        assert_eq!(mul_div(max, U256::from(3), U256::from(2), Rounding::Floor), None);
        let half_up = mul_div(max, max - U256::from(1), max, Rounding::Ceil);
        assert_eq!(half_up, Some(max - U256::from(1)));
    }

    #[test]
    fn ledger_finalize_refuses_short_funds_and_never_wraps() {
        let mut l = PoolLedger::default();
        l.record(U256::from(10)).unwrap();
        assert_eq!(l.finalize(U256::from(10), U256::from(3)), Err(LedgerError::InsufficientPoolFunds));
        l.receive(U256::from(7)).unwrap();
        assert_eq!(l.finalize(U256::from(10), U256::from(3)), Ok(()));
        assert_eq!((l.funds, l.owed, l.attributed), (U256::ZERO, U256::ZERO, U256::from(3)));
    }
}
