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

/// `amount` less both fees (each rounded down), as the contracts count uncollected rewards.
pub fn net_of_fees(amount: U256, commission_bps: U256, protocol_bps: U256) -> U256 {
    amount
        .saturating_sub(fee_of(amount, commission_bps))
        .saturating_sub(fee_of(amount, protocol_bps))
}

/// Compares two prices `(a_num+1)/(a_den+1)` and `(b_num+1)/(b_den+1)`: true when the first is lower.
pub fn price_lower(a_assets: U256, a_supply: U256, b_assets: U256, b_supply: U256) -> bool {
    let one = U512::from(1u8);
    (U512::from(a_assets) + one) * (U512::from(b_supply) + one)
        < (U512::from(b_assets) + one) * (U512::from(a_supply) + one)
}
