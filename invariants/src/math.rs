//! The suite's share arithmetic restated in Rust (ERC-4626 with one virtual share and one virtual asset).

use alloy_primitives::{U256, U512};

/// Rounding direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    /// Toward zero.
    Floor,
    /// Away from zero.
    Ceil,
}

/// `a * b / d` in 512-bit precision; `None` when `d` is zero or the result does not fit 256 bits.
pub fn mul_div(a: U256, b: U256, d: U256, rounding: Rounding) -> Option<U256> {
    if d.is_zero() {
        return None;
    }
    let product = U512::from(a) * U512::from(b);
    let d = U512::from(d);
    let mut q = product / d;
    if rounding == Rounding::Ceil && !(product % d).is_zero() {
        q += U512::from(1u8);
    }
    (q <= U512::from(U256::MAX)).then(|| U256::from(q))
}

/// `assets*(supply+1)/(totalAssets+1)`.
pub fn to_shares(
    assets: U256,
    supply: U256,
    total_assets: U256,
    rounding: Rounding,
) -> Option<U256> {
    mul_div(
        assets,
        supply.checked_add(U256::from(1u8))?,
        total_assets.checked_add(U256::from(1u8))?,
        rounding,
    )
}

/// `shares*(totalAssets+1)/(supply+1)`.
pub fn to_assets(
    shares: U256,
    supply: U256,
    total_assets: U256,
    rounding: Rounding,
) -> Option<U256> {
    mul_div(
        shares,
        total_assets.checked_add(U256::from(1u8))?,
        supply.checked_add(U256::from(1u8))?,
        rounding,
    )
}

/// `amount * bps / 10000`, rounded down.
pub fn fee_of(amount: U256, bps: U256) -> U256 {
    mul_div(amount, bps, U256::from(10_000u64), Rounding::Floor).unwrap_or(U256::MAX)
}

/// `amount` less one floor over both fees' combined rate, as the contracts count uncollected rewards. It is
/// monotone in `amount`, and never above what stakers keep once each fee is charged on its own (rounded down):
/// `fee_of(a, c) + fee_of(a, p) <= fee_of(a, c + p)`.
pub fn net_of_fees(amount: U256, commission_bps: U256, protocol_bps: U256) -> U256 {
    amount.saturating_sub(fee_of(amount, commission_bps.saturating_add(protocol_bps)))
}

/// Compares two prices `(a_num+1)/(a_den+1)` and `(b_num+1)/(b_den+1)`: true when the first is lower.
pub fn price_lower(a_assets: U256, a_supply: U256, b_assets: U256, b_supply: U256) -> bool {
    let one = U512::from(1u8);
    (U512::from(a_assets) + one) * (U512::from(b_supply) + one)
        < (U512::from(b_assets) + one) * (U512::from(a_supply) + one)
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
                        let net = net_of_fees(a, c, p);
                        let next = net_of_fees(a + U256::from(1u8), c, p);
                        assert!(
                            next >= net,
                            "net({a}+1) = {next} < net({a}) = {net} at {c}+{p} bps"
                        );
                        let kept = a - fee_of(a, c) - fee_of(a, p);
                        assert!(
                            net <= kept,
                            "net({a}) = {net} above kept {kept} at {c}+{p} bps"
                        );
                    }
                }
            }
        }
    }
}
