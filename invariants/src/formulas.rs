//! Pure-Rust evaluators of the suite's arithmetic, with the contracts' exact rounding and revert behaviour.
//!
//! Every function here mirrors one Solidity expression (file and function named in its doc) and returns `None`
//! exactly where the contract reverts (checked-arithmetic panic, division by zero, an OpenZeppelin `mulDiv`
//! whose result does not fit 256 bits). The z3 models of [`crate::smt`] (feature `smt`) encode the same functions;
//! the differential test (`tests/smt_differential.rs`) evaluates these evaluators and the compiled contracts in
//! revm on the same inputs, and that module's unit tests check that the z3 encodings agree with these evaluators,
//! so the chain z3 model = Rust formula = bytecode is checked end to end. The fuzzing oracle (the catalog, the
//! ghost) computes with these same functions, so the formulas it holds the suite to are the tested ones: there is
//! no second copy.

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
/// `Constants.MIN_CL_DEPOSIT_AMOUNT`: 10,000 BERA, the smallest buffer forwarded to BeaconDeposit.
pub const MIN_CL_DEPOSIT_AMOUNT: U256 = FIRST_DEPOSIT_AMOUNT;
/// `Constants.MAX_EFFECTIVE_BALANCE`: a pool's capacity, 10,000,000 BERA (deposits above it are refunded).
pub const MAX_EFFECTIVE_BALANCE: U256 =
    U256::from_limbs([1_590_897_978_359_414_784, 542_101, 0, 0]);
/// `Constants.DEFAULT_MIN_EFFECTIVE_BALANCE`: SPEC's MIN_EFFECTIVE_BALANCE, 250,000 BERA, every pool's full-exit
/// threshold until governance sets another.
pub const DEFAULT_MIN_EFFECTIVE_BALANCE: U256 =
    U256::from_limbs([9_724_313_088_156_499_968, 13_552, 0, 0]);
/// The oracle's bounds as deployed, in bps: SPEC's "+1% / -5%". `initialize` takes no bounds, so the code is
/// the only place they are configured, and the harness holds it to SPEC's figures.
pub const ORACLE_MAX_INCREASE_BPS: u64 = 100;
/// See [`ORACLE_MAX_INCREASE_BPS`].
pub const ORACLE_MAX_DECREASE_BPS: u64 = 500;
/// An upper bound on all BERA that can ever exist, used where a property needs one: 10^9 BERA (10^27 wei),
/// twice Berachain's genesis supply of 5×10^8 BERA.
pub const BERA_SUPPLY_BOUND: U256 =
    U256::from_limbs([11_515_845_246_265_065_472, 54_210_108, 0, 0]);

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
    // A zero share or asset amount (most holders' balance in most pools) needs no division.
    if x.is_zero() || y.is_zero() {
        return Some(U256::ZERO);
    }
    // The product nearly always fits 256 bits, where dividing is several times cheaper than in 512.
    let (q, r) = match x.checked_mul(y) {
        Some(product) => product.div_rem(d),
        None => {
            let product: U512 = x.widening_mul(y);
            let (q, r) = product.div_rem(U512::from(d));
            if q.as_limbs()[4..].iter().any(|&limb| limb != 0) {
                return None;
            }
            (
                U256::from_limbs_slice(&q.as_limbs()[..4]),
                U256::from_limbs_slice(&r.as_limbs()[..4]),
            )
        }
    };
    match rounding {
        Rounding::Floor => Some(q),
        Rounding::Ceil if r.is_zero() => Some(q),
        Rounding::Ceil => q.checked_add(U256::from(1)),
    }
}

/// `StBERA._toShares`: `assets.mulDiv(totalSupply() + 1, totalAssets() + 1, rounding)`.
pub fn to_shares(
    assets: U256,
    supply: U256,
    total_assets: U256,
    rounding: Rounding,
) -> Option<U256> {
    mul_div(
        assets,
        supply.checked_add(U256::from(1))?,
        total_assets.checked_add(U256::from(1))?,
        rounding,
    )
}

/// `StBERA._toAssets`: `shares.mulDiv(totalAssets() + 1, totalSupply() + 1, rounding)`.
pub fn to_assets(
    shares: U256,
    supply: U256,
    total_assets: U256,
    rounding: Rounding,
) -> Option<U256> {
    mul_div(
        shares,
        total_assets.checked_add(U256::from(1))?,
        supply.checked_add(U256::from(1))?,
        rounding,
    )
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
    mul_div(
        reward,
        bps,
        U256::from(ONE_HUNDRED_PERCENT),
        Rounding::Floor,
    )
}

/// Why a pool exited fully: the `reason` of `FullExitTriggered(frozenTotalAssets, reason)`, with the codes
/// IStakingPool documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ExitReason {
    /// A withdrawal whose consensus-layer part would take totalDeposits below the minimum effective balance.
    Withdrawal = 1,
    /// A zero report: the validator is gone.
    ZeroReport = 2,
    /// A report whose penalty took totalDeposits below the minimum effective balance once it had been reached.
    Penalty = 3,
}

/// `FeeMath.feeShares`: `0` for a zero fee, else `Math.mulDiv(fee, supply + 1, totalAssets + 1 - fee)`.
pub fn fee_shares(fee: U256, supply: U256, total_assets: U256) -> Option<U256> {
    if fee.is_zero() {
        return Some(U256::ZERO);
    }
    let denominator = total_assets.checked_add(U256::from(1))?.checked_sub(fee)?;
    mul_div(
        fee,
        supply.checked_add(U256::from(1))?,
        denominator,
        Rounding::Floor,
    )
}

/// `FeeMath._worthAfterMint`: `shares` valued at the price once the supply is `supply_after`,
/// `Math.mulDiv(shares, totalAssets + 1, supplyAfter + 1)` (floor).
pub fn worth_after_mint(shares: U256, supply_after: U256, total_assets: U256) -> Option<U256> {
    mul_div(
        shares,
        total_assets.checked_add(U256::from(1))?,
        supply_after.checked_add(U256::from(1))?,
        Rounding::Floor,
    )
}

/// `FeeMath.splitFeeShares`: the shares for `commission + protocolFee` minted jointly and split pro rata, each part
/// floored ([`floor_split_fee_shares`]); then the commission part, and after it the protocol part, gives back one
/// share if it is worth more than its fee at the price after minting ([`worth_after_mint`]); should either part
/// still be worth more than its fee, each part is `feeShares(fee, supply, totalAssets)` on its own. Returns
/// `(commissionShares, protocolShares)`.
pub fn split_fee_shares(
    commission: U256,
    protocol_fee: U256,
    supply: U256,
    total_assets: U256,
) -> Option<(U256, U256)> {
    let total = commission.checked_add(protocol_fee)?;
    if total.is_zero() {
        return Some((U256::ZERO, U256::ZERO));
    }
    let (mut commission_shares, mut protocol_shares) =
        floor_split_fee_shares(commission, protocol_fee, supply, total_assets)?;
    let supply_after = |c: U256, p: U256| supply.checked_add(c)?.checked_add(p);
    if worth_after_mint(
        commission_shares,
        supply_after(commission_shares, protocol_shares)?,
        total_assets,
    )? > commission
    {
        commission_shares = commission_shares.checked_sub(U256::from(1))?;
    }
    if worth_after_mint(
        protocol_shares,
        supply_after(commission_shares, protocol_shares)?,
        total_assets,
    )? > protocol_fee
    {
        protocol_shares = protocol_shares.checked_sub(U256::from(1))?;
    }
    let after = supply_after(commission_shares, protocol_shares)?;
    // Solidity's `||` short-circuits: the protocol part is valued only when the commission part is not over.
    let over = worth_after_mint(commission_shares, after, total_assets)? > commission
        || worth_after_mint(protocol_shares, after, total_assets)? > protocol_fee;
    if over {
        return Some((
            fee_shares(commission, supply, total_assets)?,
            fee_shares(protocol_fee, supply, total_assets)?,
        ));
    }
    Some((commission_shares, protocol_shares))
}

/// The pro-rata split of `FeeMath.splitFeeShares` alone (the whole function before FIND-FEE-001 was fixed, now the
/// broken variant `fee-floor-split`): `shares = feeShares(commission + protocolFee, supply, totalAssets)`, then
/// `(shares*commission/total, shares*protocolFee/total)`, each floored. `(0, 0)` for zero fees.
pub fn floor_split_fee_shares(
    commission: U256,
    protocol_fee: U256,
    supply: U256,
    total_assets: U256,
) -> Option<(U256, U256)> {
    let total = commission.checked_add(protocol_fee)?;
    if total.is_zero() {
        return Some((U256::ZERO, U256::ZERO));
    }
    let shares = fee_shares(total, supply, total_assets)?;
    let commission_shares = mul_div(shares, commission, total, Rounding::Floor)?;
    let protocol_shares = mul_div(shares, protocol_fee, total, Rounding::Floor)?;
    Some((commission_shares, protocol_shares))
}

/// `FeeMath.netOfFees`: `amount - feeOf(amount, commissionBps + protocolBps)` (checked): one floor over the
/// combined rate, so the result is monotone in `amount`.
pub fn net_of_fees(amount: U256, commission_bps: U256, protocol_bps: U256) -> Option<U256> {
    amount.checked_sub(fee_of(amount, commission_bps.checked_add(protocol_bps)?)?)
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
        self.owed = self
            .owed
            .checked_add(assets)
            .ok_or(LedgerError::Arithmetic)?;
        Ok(())
    }

    /// `receivePoolFunds` / `notifyFullExit`: the pool sends `amount`.
    pub fn receive(&mut self, amount: U256) -> Result<(), LedgerError> {
        self.funds = self
            .funds
            .checked_add(amount)
            .ok_or(LedgerError::Arithmetic)?;
        Ok(())
    }

    /// `_syncConsensusPayouts`: payouts for the pubkey beyond those already attributed join `funds`.
    pub fn sync(&mut self, withdrawn: U256) -> Result<(), LedgerError> {
        if withdrawn > self.attributed {
            self.funds = self
                .funds
                .checked_add(withdrawn - self.attributed)
                .ok_or(LedgerError::Arithmetic)?;
            self.attributed = withdrawn;
        }
        Ok(())
    }

    /// `poolFunds(pubkey)`: funds including consensus-layer payouts not yet synced.
    pub fn pool_funds(&self, withdrawn: U256) -> Option<U256> {
        let pending = if withdrawn > self.attributed {
            withdrawn - self.attributed
        } else {
            U256::ZERO
        };
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
        self.owed = self
            .owed
            .checked_sub(assets)
            .ok_or(LedgerError::Arithmetic)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One more wei of uncollected reward never lowers what stakers are counted to keep (a donation never lowers
    /// the share price), and the count never exceeds what they keep once each fee is charged on its own. Every
    /// rate pair up to the caps on a grid, every amount near a multiple of the fee denominator.
    #[test]
    fn net_of_fees_is_monotone_and_below_what_stakers_keep() {
        let bps: Vec<u64> = (0..=2000).step_by(37).chain([1, 1999, 2000]).collect();
        for &c in &bps {
            for &p in &bps {
                let (c, p) = (U256::from(c), U256::from(p));
                for base in [0u64, 10_000, 99_990_000, 1_000_000_007] {
                    for a in base..base + 40 {
                        let a = U256::from(a);
                        let net = net_of_fees(a, c, p).unwrap();
                        let next = net_of_fees(a + U256::from(1u8), c, p).unwrap();
                        assert!(
                            next >= net,
                            "net({a}+1) = {next} < net({a}) = {net} at {c}+{p} bps"
                        );
                        let kept = a - fee_of(a, c).unwrap() - fee_of(a, p).unwrap();
                        assert!(
                            net <= kept,
                            "net({a}) = {net} above kept {kept} at {c}+{p} bps"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn constants_match_their_decimal_values() {
        assert_eq!(
            FIRST_DEPOSIT_AMOUNT,
            U256::from(10_000u64) * U256::from(10u64).pow(U256::from(18))
        );
        assert_eq!(
            MAX_EFFECTIVE_BALANCE,
            U256::from(10_000_000u64) * U256::from(10u64).pow(U256::from(18))
        );
        assert_eq!(
            DEFAULT_MIN_EFFECTIVE_BALANCE,
            U256::from(250_000u64) * U256::from(10u64).pow(U256::from(18))
        );
        assert_eq!(BERA_SUPPLY_BOUND, U256::from(10u64).pow(U256::from(27)));
    }

    #[test]
    fn mul_div_is_full_precision_and_reverts_only_on_result_overflow() {
        let max = U256::MAX;
        assert_eq!(mul_div(max, max, max, Rounding::Floor), Some(max));
        assert_eq!(
            mul_div(max, U256::from(2), U256::from(2), Rounding::Ceil),
            Some(max)
        );
        assert_eq!(
            mul_div(max, U256::from(2), U256::from(1), Rounding::Floor),
            None
        );
        assert_eq!(
            mul_div(U256::from(1), U256::from(1), U256::ZERO, Rounding::Floor),
            None
        );
        assert_eq!(
            mul_div(U256::from(7), U256::from(1), U256::from(2), Rounding::Floor),
            Some(U256::from(3))
        );
        assert_eq!(
            mul_div(U256::from(7), U256::from(1), U256::from(2), Rounding::Ceil),
            Some(U256::from(4))
        );
        // floor = 2^256 - 1 with a remainder: the checked `+ 1` of rounding up reverts.
        assert_eq!(
            mul_div(max, U256::from(3), U256::from(2), Rounding::Floor),
            None
        );
        let half_up = mul_div(max, max - U256::from(1), max, Rounding::Ceil);
        assert_eq!(half_up, Some(max - U256::from(1)));
    }

    /// The 256-bit shortcut gives what the 512-bit division gives, on products on both sides of 2^256.
    #[test]
    fn mul_div_agrees_with_the_512_bit_division_where_the_product_fits_256_bits_and_where_not() {
        fn in_512(x: U256, y: U256, d: U256, rounding: Rounding) -> Option<U256> {
            let product: U512 = x.widening_mul(y);
            let (q, r) = product.div_rem(U512::from(d));
            let q = U256::checked_from_limbs_slice(q.as_limbs())?;
            match rounding {
                Rounding::Floor => Some(q),
                Rounding::Ceil if r.is_zero() => Some(q),
                Rounding::Ceil => q.checked_add(U256::from(1)),
            }
        }
        let one = U256::from(1);
        let half = U256::from(1) << 128;
        let values = [
            U256::ZERO,
            one,
            U256::from(3),
            U256::from(10_000u64),
            U256::from(10u64).pow(U256::from(27)),
            half - one,
            half,
            half + one,
            U256::MAX >> 1,
            U256::MAX - one,
            U256::MAX,
        ];
        let mut both_sides = (false, false);
        for &x in &values {
            for &y in &values {
                both_sides.0 |= x.checked_mul(y).is_some();
                both_sides.1 |= x.checked_mul(y).is_none();
                for &d in &values[1..] {
                    for rounding in [Rounding::Floor, Rounding::Ceil] {
                        assert_eq!(
                            mul_div(x, y, d, rounding),
                            in_512(x, y, d, rounding),
                            "mul_div({x}, {y}, {d}, {rounding:?})"
                        );
                    }
                }
            }
        }
        assert_eq!(both_sides, (true, true));
    }

    /// splitmix64.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }

        /// A value of up to `bits` random bits (the width itself random), or a small one.
        fn value(&mut self, bits: u32) -> U256 {
            if self.next().is_multiple_of(4) {
                return U256::from(self.next() % 100);
            }
            let width = 1 + (self.next() % u64::from(bits)) as usize;
            let v = U256::from_limbs([self.next(), self.next(), self.next(), self.next()]);
            if width >= 256 {
                v
            } else {
                v & ((U256::from(1) << width) - U256::from(1))
            }
        }
    }

    /// One sample of a reward's two fees at rates drawn by `rate`: `(commission, protocol fee, supply, totalAssets)`,
    /// totalAssets holding the reward. A `small` sample has a supply far below the fees, the regime where the floored
    /// split alone over-pays.
    fn capped_fees(
        rng: &mut Rng,
        small: bool,
        rate: impl Fn(&mut Rng) -> U256,
    ) -> (U256, U256, U256, U256) {
        let supply = if small {
            U256::from(rng.next() % 10_000)
        } else {
            rng.value(200)
        };
        let reward = rng.value(if small { 100 } else { 200 }).max(U256::from(1));
        let total_assets = rng.value(200) + reward;
        let commission_bps = rate(rng);
        let protocol_bps = rate(rng);
        (
            fee_of(reward, commission_bps).unwrap(),
            fee_of(reward, protocol_bps).unwrap(),
            supply,
            total_assets,
        )
    }

    /// Each recipient's shares, valued at the price after minting, against its fee: `(commission ok, protocol ok)`.
    fn within_fees(c: U256, p: U256, s: U256, a: U256, (cs, ps): (U256, U256)) -> (bool, bool) {
        let after = s + cs + ps;
        (
            preview_redeem(cs, after, a).unwrap() <= c,
            preview_redeem(ps, after, a).unwrap() <= p,
        )
    }

    /// SMT-FEE-002 sampled: for rates <= 2000 bps each recipient's shares are worth at most its fee, and they are the
    /// floored split less at most one share in all (the fallback is never taken), also where fees exceed the supply,
    /// the regime where the floored split alone over-pays (which this sampling must meet).
    #[test]
    fn split_within_fees_and_one_share_of_the_floored_split_at_capped_rates() {
        let mut rng = Rng(0xfee5);
        let (mut given_back, mut floor_over) = (0usize, 0usize);
        for i in 0..200_000 {
            let (c, p, s, a) = capped_fees(&mut rng, i % 2 == 0, |rng| {
                U256::from([0, 1, 1999, 2000, rng.next() % 2001][(rng.next() % 5) as usize])
            });
            let (cs, ps) = split_fee_shares(c, p, s, a).unwrap();
            let (c0, p0) = floor_split_fee_shares(c, p, s, a).unwrap();
            assert!(
                cs <= c0 && ps <= p0 && (c0 - cs) + (p0 - ps) <= U256::from(1),
                "{c} {p} {s} {a}: ({cs}, {ps}) from ({c0}, {p0})"
            );
            assert_eq!(
                within_fees(c, p, s, a, (cs, ps)),
                (true, true),
                "{c} {p} {s} {a}"
            );
            given_back += usize::from((cs, ps) != (c0, p0));
            floor_over += usize::from(within_fees(c, p, s, a, (c0, p0)) != (true, true));
        }
        println!("{given_back} given back, {floor_over} floored splits over");
        assert!(
            given_back > 100 && floor_over == given_back,
            "{given_back} given back, {floor_over} floored splits over"
        );
    }

    /// For any fees (not only capped ones) that do not revert, neither recipient's shares are worth more than its fee.
    #[test]
    fn split_within_fees_for_any_fees() {
        let mut rng = Rng(0xfee6);
        let (mut fallbacks, mut checked) = (0usize, 0usize);
        for _ in 0..200_000 {
            let bits = if rng.next().is_multiple_of(2) {
                16
            } else {
                200
            };
            let s = rng.value(bits);
            let a = rng.value(200);
            let c = if rng.next().is_multiple_of(2) {
                a / U256::from(1 + rng.next() % 4)
            } else {
                rng.value(200)
            };
            let p = (a - c.min(a)) / U256::from(1 + rng.next() % 4);
            let Some(split) = split_fee_shares(c, p, s, a) else {
                continue;
            };
            checked += 1;
            assert_eq!(
                within_fees(c, p, s, a, split),
                (true, true),
                "{c} {p} {s} {a}: {split:?}"
            );
            let own = (fee_shares(c, s, a).unwrap(), fee_shares(p, s, a).unwrap());
            fallbacks +=
                usize::from(split == own && split != floor_split_fee_shares(c, p, s, a).unwrap());
        }
        println!("{checked} checked, {fallbacks} fallbacks");
        assert!(
            checked > 100_000 && fallbacks > 100,
            "{checked} checked, {fallbacks} fallbacks"
        );
    }

    #[test]
    fn ledger_finalize_refuses_short_funds_and_never_wraps() {
        let mut l = PoolLedger::default();
        l.record(U256::from(10)).unwrap();
        assert_eq!(
            l.finalize(U256::from(10), U256::from(3)),
            Err(LedgerError::InsufficientPoolFunds)
        );
        l.receive(U256::from(7)).unwrap();
        assert_eq!(l.finalize(U256::from(10), U256::from(3)), Ok(()));
        assert_eq!(
            (l.funds, l.owed, l.attributed),
            (U256::ZERO, U256::ZERO, U256::from(3))
        );
    }
    /// FEE-002's bound for two fees minted together: each part is worth (at the price after minting) at most its fee
    /// and at least its fee less two shares (one share rounded up), at capped rates; the bound is met, not loose.
    #[test]
    fn each_part_of_a_two_fee_split_is_worth_its_fee_within_two_shares() {
        let mut rng = Rng(0xfee7);
        let mut worst = U256::ZERO;
        for i in 0..200_000 {
            let (c, p, s, a) = capped_fees(&mut rng, i % 2 == 0, |rng| {
                U256::from([1, 1999, 2000, 1 + rng.next() % 2000][(rng.next() % 4) as usize])
            });
            if c.is_zero() || p.is_zero() {
                continue;
            }
            let (cs, ps) = split_fee_shares(c, p, s, a).unwrap();
            let after = s + cs + ps;
            let share = to_assets(U256::from(1), after, a, Rounding::Ceil).unwrap();
            for (fee, shares) in [(c, cs), (p, ps)] {
                let worth = preview_redeem(shares, after, a).unwrap();
                assert!(
                    worth <= fee && worth + share * U256::from(2) >= fee,
                    "{c} {p} {s} {a}"
                );
                worst = worst.max((fee - worth) * U256::from(1000) / share);
            }
        }
        assert!(
            worst > U256::from(1900),
            "worst shortfall {worst} thousandths of a share"
        );
    }
}
