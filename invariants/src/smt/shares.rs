//! Share conversion (`contracts/src/core/StBERA.sol`): ERC-4626 with one virtual share and one virtual asset,
//! `shares = assets*(supply+1)/(totalAssets+1)` floored for deposit/redeem, ceiled for withdraw/mint.
//!
//! The properties quantify over every supply `S`, totalAssets `A` and argument in `[0, 2^256)` for which the
//! calls do not revert. The negative controls pin the state a fresh pool reaches (supply = totalAssets =
//! FIRST_DEPOSIT_AMOUNT, the dead shares) plus a fee-free donation `y`, so that their counterexamples can be
//! replayed on a freshly deployed broken variant: commission set to 0, donate `y` to the rewards vault, then
//! the calls named in the control.

use alloy_primitives::U256;
use z3::ast::{Bool, Int};

use super::formulas::{Rounding, FIRST_DEPOSIT_AMOUNT, GWEI};
use super::model::{
    int, num, preview_deposit, preview_mint, preview_redeem, preview_withdraw, to_assets,
    to_shares, Ctx,
};
use super::{Check, Control};

/// Upper bound of amounts in replayable controls: 10^6 BERA (what an actor can be funded with).
pub(crate) const REPLAY_BOUND: U256 = U256::from_limbs([2_003_764_205_206_896_640, 54_210, 0, 0]);
/// Below MIN_CL_DEPOSIT_AMOUNT the pool keeps deposits buffered, so withdrawals are served from the buffer.
pub(crate) const BELOW_CL_DEPOSIT: U256 = U256::from_limbs([1_864_712_049_423_024_127, 542, 0, 0]);

pub(crate) const PROPERTIES: &[Check] = &[
    Check {
        id: "SMT-SHARE-001",
        statement: "deposit then redeem never returns more than was deposited: \
                    previewRedeem(previewDeposit(a)) <= a in the state after the deposit, for all supply, totalAssets, a",
        build: deposit_then_redeem,
    },
    Check {
        id: "SMT-SHARE-002",
        statement: "previewWithdraw never under-charges: the shares burnt for `a` assets are worth at least `a` \
                    (w*(A+1) >= a*(S+1) and previewRedeem(w) >= a)",
        build: withdraw_charges_enough,
    },
    Check {
        id: "SMT-SHARE-003",
        statement: "previewMint never under-charges: the assets charged for `n` shares are at least their value \
                    (m*(S+1) >= n*(A+1) and previewDeposit(m) >= n)",
        build: mint_charges_enough,
    },
    Check {
        id: "SMT-SHARE-004",
        statement: "previewDeposit never over-pays: the shares minted for `a` are worth at most `a` \
                    (d*(A+1) <= a*(S+1) and previewRedeem(d) <= a)",
        build: deposit_pays_no_more,
    },
    Check {
        id: "SMT-SHARE-005",
        statement: "previewRedeem never over-pays: the assets paid for `n` shares are at most their value \
                    (r*(S+1) <= n*(A+1) and previewWithdraw(r) <= n)",
        build: redeem_pays_no_more,
    },
    Check {
        id: "SMT-SHARE-006",
        statement: "for the same state, shares minted are monotone in assets: a1 <= a2 implies \
                    previewDeposit(a1) <= previewDeposit(a2), and a1 reverts only if a2 does",
        build: deposit_monotone,
    },
];

pub(crate) const CONTROLS: &[Control] = &[
    Control {
        check: Check {
            id: "NEG-SHARE-001",
            statement: "SMT-SHARE-001 with previewDeposit rounding up, from a fresh pool after a donation y: \
                        deposit a then redeem returns r > a (r a whole-gwei amount, paid out by requestRedeem). \
                        (Rounding previewRedeem up instead is no counterexample: after a floored deposit the \
                        shares' exact value is at most a, so even its ceiling is.)",
            build: neg_deposit_then_redeem,
        },
        of: "SMT-SHARE-001",
        variant: "deposit-ceil",
    },
    Control {
        check: Check {
            id: "NEG-SHARE-002",
            statement: "SMT-SHARE-002 with previewWithdraw rounding down: after a donation y and a deposit x, \
                        withdrawing `a` burns shares worth less than `a`",
            build: neg_withdraw_charges_enough,
        },
        of: "SMT-SHARE-002",
        variant: "withdraw-floor",
    },
    Control {
        check: Check {
            id: "NEG-SHARE-003",
            statement: "SMT-SHARE-003 with previewMint rounding down: after a donation y, previewMint(n) is below \
                        the value of n shares and buys fewer than n",
            build: neg_mint_charges_enough,
        },
        of: "SMT-SHARE-003",
        variant: "mint-floor",
    },
    Control {
        check: Check {
            id: "NEG-SHARE-004",
            statement: "SMT-SHARE-004 with previewDeposit rounding up: after a donation y, depositing `a` mints \
                        shares redeemable for more than `a`",
            build: neg_deposit_pays_no_more,
        },
        of: "SMT-SHARE-004",
        variant: "deposit-ceil",
    },
    Control {
        check: Check {
            id: "NEG-SHARE-005",
            statement: "SMT-SHARE-005 with previewRedeem rounding up: after a donation y, previewRedeem(n) exceeds \
                        the value of n shares",
            build: neg_redeem_pays_no_more,
        },
        of: "SMT-SHARE-005",
        variant: "redeem-ceil",
    },
    Control {
        check: Check {
            id: "NEG-SHARE-006",
            statement: "SMT-SHARE-006 with previewDeposit as unchecked `assets*(supply+1)/(totalAssets+1)` \
                        (wrapping, not mulDiv): on a fresh pool a1 < a2 mints more shares than a2",
            build: neg_deposit_monotone,
        },
        of: "SMT-SHARE-006",
        variant: "deposit-wrapping",
    },
];

fn state(ctx: &mut Ctx) -> (Int, Int) {
    (ctx.uint("supply"), ctx.uint("totalAssets"))
}

fn deposit_then_redeem(ctx: &mut Ctx) -> Bool {
    let (s, a) = state(ctx);
    let assets = ctx.uint("assets");
    let shares = preview_deposit(ctx, &assets, &s, &a);
    ctx.name("shares", &shares);
    let s2 = ctx.add(&s, &shares);
    let a2 = ctx.add(&a, &assets);
    let back = preview_redeem(ctx, &shares, &s2, &a2);
    ctx.name("redeemed", &back);
    ctx.assume_no_revert();
    back.le(&assets)
}

fn withdraw_charges_enough(ctx: &mut Ctx) -> Bool {
    let (s, a) = state(ctx);
    let assets = ctx.uint("assets");
    let burnt = preview_withdraw(ctx, &assets, &s, &a);
    ctx.name("sharesBurnt", &burnt);
    let worth = preview_redeem(ctx, &burnt, &s, &a);
    ctx.assume_no_revert();
    Bool::and(&[
        (&burnt * (&a + 1)).ge(&assets * (&s + 1)),
        worth.ge(&assets),
    ])
}

fn mint_charges_enough(ctx: &mut Ctx) -> Bool {
    let (s, a) = state(ctx);
    let shares = ctx.uint("shares");
    let charged = preview_mint(ctx, &shares, &s, &a);
    ctx.name("assetsCharged", &charged);
    let bought = preview_deposit(ctx, &charged, &s, &a);
    ctx.assume_no_revert();
    Bool::and(&[
        (&charged * (&s + 1)).ge(&shares * (&a + 1)),
        bought.ge(&shares),
    ])
}

fn deposit_pays_no_more(ctx: &mut Ctx) -> Bool {
    let (s, a) = state(ctx);
    let assets = ctx.uint("assets");
    let minted = preview_deposit(ctx, &assets, &s, &a);
    ctx.name("shares", &minted);
    let worth = preview_redeem(ctx, &minted, &s, &a);
    ctx.assume_no_revert();
    Bool::and(&[
        (&minted * (&a + 1)).le(&assets * (&s + 1)),
        worth.le(&assets),
    ])
}

fn redeem_pays_no_more(ctx: &mut Ctx) -> Bool {
    let (s, a) = state(ctx);
    let shares = ctx.uint("shares");
    let paid = preview_redeem(ctx, &shares, &s, &a);
    ctx.name("assetsPaid", &paid);
    let cost = preview_withdraw(ctx, &paid, &s, &a);
    ctx.assume_no_revert();
    Bool::and(&[(&paid * (&s + 1)).le(&shares * (&a + 1)), cost.le(&shares)])
}

fn deposit_monotone(ctx: &mut Ctx) -> Bool {
    let (s, a) = state(ctx);
    let a1 = ctx.uint("assets1");
    let a2 = ctx.uint("assets2");
    ctx.assume(a1.le(&a2));
    let d2 = preview_deposit(ctx, &a2, &s, &a);
    ctx.assume_no_revert();
    let d1 = preview_deposit(ctx, &a1, &s, &a);
    let ok1 = ctx.take_guards();
    ctx.name("shares1", &d1);
    ctx.name("shares2", &d2);
    let mut claim = ok1;
    claim.push(d1.le(&d2));
    Bool::and(&claim)
}

// ---------------------------------------------------------------- negative controls

/// A fresh pool (supply = totalAssets = the dead shares) after a fee-free donation `y` in `[1, bound]`:
/// returns `(supply, totalAssets)`.
pub(crate) fn fresh_pool_after_donation(ctx: &mut Ctx, bound: U256) -> (Int, Int) {
    let dead = int(FIRST_DEPOSIT_AMOUNT);
    let s = ctx.fixed("supply0", FIRST_DEPOSIT_AMOUNT);
    let y = ctx.input("donation", &num(1), &int(bound));
    let a = ctx.add(&dead, &y);
    (s, a)
}

fn neg_deposit_then_redeem(ctx: &mut Ctx) -> Bool {
    // Below MIN_CL_DEPOSIT_AMOUNT in all, so the buffer (donation + deposit) serves the redeem.
    let (s, a) = fresh_pool_after_donation(ctx, BELOW_CL_DEPOSIT);
    let assets = ctx.input("assets", &num(1), &int(BELOW_CL_DEPOSIT));
    let donation = &a - int(FIRST_DEPOSIT_AMOUNT);
    ctx.assume((&donation + &assets).le(int(BELOW_CL_DEPOSIT)));
    let shares = to_shares(ctx, &assets, &s, &a, Rounding::Ceil); // the wrong rounding
    ctx.name("shares", &shares);
    let s2 = ctx.add(&s, &shares);
    let a2 = ctx.add(&a, &assets);
    let back = preview_redeem(ctx, &shares, &s2, &a2);
    ctx.name("redeemed", &back);
    // requestRedeem drops sub-gwei dust: ask for a whole-gwei amount so the over-payment survives; and the
    // buffer (donation + deposit) must cover it.
    ctx.assume(back.modulo(num(GWEI)).eq(0));
    ctx.assume(back.le(&donation + &assets));
    ctx.assume_no_revert();
    back.le(&assets)
}

fn neg_withdraw_charges_enough(ctx: &mut Ctx) -> Bool {
    let half = BELOW_CL_DEPOSIT / U256::from(2);
    let (s0, a0) = fresh_pool_after_donation(ctx, half);
    let x = ctx.input("deposit", &num(1), &int(half));
    let minted = preview_deposit(ctx, &x, &s0, &a0);
    ctx.assume(minted.ge(1));
    ctx.name("depositShares", &minted);
    let s = ctx.add(&s0, &minted);
    let a = ctx.add(&a0, &x);
    let gwei = ctx.input("amountGwei", &num(1), &int(half / U256::from(GWEI)));
    let assets = &gwei * num(GWEI);
    ctx.assume(assets.le(&a - int(FIRST_DEPOSIT_AMOUNT))); // served from the buffer
    let burnt = to_shares(ctx, &assets, &s, &a, Rounding::Floor); // the wrong rounding
    ctx.assume(burnt.le(&minted));
    ctx.name("sharesBurnt", &burnt);
    ctx.assume_no_revert();
    (&burnt * (&a + 1)).ge(&assets * (&s + 1))
}

fn neg_mint_charges_enough(ctx: &mut Ctx) -> Bool {
    let (s, a) = fresh_pool_after_donation(ctx, REPLAY_BOUND);
    let shares = ctx.input("shares", &num(1), &int(REPLAY_BOUND));
    let charged = to_assets(ctx, &shares, &s, &a, Rounding::Floor); // the wrong rounding
    ctx.assume(charged.ge(1));
    ctx.name("assetsCharged", &charged);
    let bought = preview_deposit(ctx, &charged, &s, &a);
    ctx.assume(bought.ge(1)); // so that paying the quote is a deposit that goes through (no ZeroShares)
    ctx.name("sharesBought", &bought);
    ctx.assume_no_revert();
    Bool::and(&[
        (&charged * (&s + 1)).ge(&shares * (&a + 1)),
        bought.ge(&shares),
    ])
}

fn neg_deposit_pays_no_more(ctx: &mut Ctx) -> Bool {
    let (s, a) = fresh_pool_after_donation(ctx, REPLAY_BOUND);
    let assets = ctx.input("assets", &num(1), &int(REPLAY_BOUND));
    let minted = to_shares(ctx, &assets, &s, &a, Rounding::Ceil); // the wrong rounding
    ctx.name("shares", &minted);
    let s2 = ctx.add(&s, &minted);
    let a2 = ctx.add(&a, &assets);
    let worth = preview_redeem(ctx, &minted, &s2, &a2);
    ctx.name("redeemable", &worth);
    ctx.assume_no_revert();
    worth.le(&assets)
}

fn neg_redeem_pays_no_more(ctx: &mut Ctx) -> Bool {
    let (s, a) = fresh_pool_after_donation(ctx, REPLAY_BOUND);
    let shares = ctx.input("shares", &num(1), &int(REPLAY_BOUND));
    let paid = to_assets(ctx, &shares, &s, &a, Rounding::Ceil); // the wrong rounding
    ctx.name("assetsPaid", &paid);
    ctx.assume_no_revert();
    (&paid * (&s + 1)).le(&shares * (&a + 1))
}

fn neg_deposit_monotone(ctx: &mut Ctx) -> Bool {
    let s = ctx.fixed("supply", FIRST_DEPOSIT_AMOUNT);
    let a = ctx.fixed("totalAssets", FIRST_DEPOSIT_AMOUNT);
    let a1 = ctx.uint("assets1");
    let a2 = ctx.uint("assets2");
    ctx.assume(a1.le(&a2));
    // unchecked { assets * (totalSupply() + 1) / (totalAssets() + 1) }
    let wrong = |ctx: &mut Ctx, x: &Int| {
        let p = ctx.wrapping_mul(x, &(&s + 1));
        ctx.div(&p, &(&a + 1))
    };
    let d1 = wrong(ctx, &a1);
    let d2 = wrong(ctx, &a2);
    ctx.name("shares1", &d1);
    ctx.name("shares2", &d2);
    ctx.assume_no_revert();
    d1.le(&d2)
}
