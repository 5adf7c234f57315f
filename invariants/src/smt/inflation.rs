//! First-depositor inflation (`StakingPool.activate` mints FIRST_DEPOSIT_AMOUNT dead shares 1:1).
//!
//! The dead shares keep the supply at or above 10^22 while the pool is not fully exited
//! (`_processWithdrawal` refuses to burn into them), and no action can make totalAssets exceed all BERA in
//! existence ([`BERA_SUPPLY_BOUND`]): donations only raise totalAssets, withdrawals and penalties lower it.
//! So every state an attacker can reach, by any mix of deposits, donations and withdrawals, has
//! `supply >= 10^22` and `totalAssets <= 10^27`; the property quantifies over all of them.

use alloy_primitives::U256;
use z3::ast::Bool;

use super::formulas::{BERA_SUPPLY_BOUND, FIRST_DEPOSIT_AMOUNT, GWEI};
use super::model::{int, num, preview_deposit, preview_redeem, two_256, Ctx};
use super::shares::REPLAY_BOUND;
use super::{Check, Control};

pub(crate) const PROPERTIES: &[Check] = &[Check {
    id: "SMT-INFL-001",
    statement: "with the dead shares (supply >= 10,000e18) and totalAssets <= 10^9 BERA, no donation lets an \
                attacker make a later depositor of >= 1 gwei lose more than 0.1%: the shares minted are worth \
                >= 99.9% of the deposit right after it",
    build: no_inflation_loss,
}];

pub(crate) const CONTROLS: &[Control] = &[Control {
    check: Check {
        id: "NEG-INFL-001",
        statement: "SMT-INFL-001 without dead shares (a pool that starts empty): the attacker deposits x, donates \
                    y, and a victim's deposit v loses more than 0.1%",
        build: neg_no_inflation_loss,
    },
    of: "SMT-INFL-001",
    variant: "no-dead-shares",
}];

/// The victim deposits `v` into `(supply, totalAssets)`; returns the claim "worth >= 99.9% of v".
fn victim(ctx: &mut Ctx, supply: &z3::ast::Int, total_assets: &z3::ast::Int, bound: U256) -> Bool {
    let v = ctx.input("victimDeposit", &num(GWEI), &int(bound));
    let shares = preview_deposit(ctx, &v, supply, total_assets);
    ctx.assume(shares.ge(1)); // a deposit minting zero shares reverts (ZeroShares): nothing is lost
    ctx.name("victimShares", &shares);
    let s2 = ctx.add(supply, &shares);
    let a2 = ctx.add(total_assets, &v);
    let worth = preview_redeem(ctx, &shares, &s2, &a2);
    ctx.name("victimValue", &worth);
    ctx.assume_no_revert();
    (&worth * 1000).ge(&v * 999)
}

fn no_inflation_loss(ctx: &mut Ctx) -> Bool {
    let supply = ctx.input("supply", &int(FIRST_DEPOSIT_AMOUNT), &(two_256() - 1));
    let total_assets = ctx.input("totalAssets", &num(0), &int(BERA_SUPPLY_BOUND));
    victim(ctx, &supply, &total_assets, BERA_SUPPLY_BOUND)
}

fn neg_no_inflation_loss(ctx: &mut Ctx) -> Bool {
    // The broken pool starts with supply = totalAssets = 0.
    let zero = num(0);
    let x = ctx.input("attackerDeposit", &num(1), &int(REPLAY_BOUND));
    let minted = preview_deposit(ctx, &x, &zero, &zero);
    ctx.assume(minted.ge(1));
    ctx.name("attackerShares", &minted);
    let y = ctx.input("donation", &num(0), &int(REPLAY_BOUND));
    let total_assets = ctx.add(&x, &y);
    victim(ctx, &minted, &total_assets, REPLAY_BOUND)
}
