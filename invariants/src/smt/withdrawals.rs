//! Withdrawals (`contracts/src/core/WithdrawalVault.sol`, `StakingPool._processWithdrawal`): the finalization
//! delay `block.number < requestBlock + 129600` (reverts `NotFinalizable`), the vault's per-pool books
//! (`_funds`, `_owed`, `_attributedWithdrawn`) and the pool's `frozenTotalAssets` after a full exit.

use alloy_primitives::U256;
use z3::ast::{Bool, Int};

use super::formulas::{Rounding, BERA_SUPPLY_BOUND, FIRST_DEPOSIT_AMOUNT, GWEI, WITHDRAWAL_DELAY};
use super::model::{
    all, int, num, preview_deposit, preview_redeem, preview_withdraw, to_assets, Ctx,
};
use super::shares::BELOW_CL_DEPOSIT;
use super::{Check, Control};

/// Block numbers are 64-bit on every EVM chain (and in revm).
fn max_block() -> Int {
    int(U256::from(u64::MAX))
}

pub(crate) const PROPERTIES: &[Check] = &[
    Check {
        id: "SMT-WD-001",
        statement: "finalization-delay arithmetic: for every request block and block number (64-bit), \
                    requestBlock + 129600 cannot overflow and a request passes the check exactly when at least \
                    129600 blocks have passed since it was made",
        build: delay_exact,
    },
    Check {
        id: "SMT-WD-002",
        statement: "the vault's per-pool books never underflow: with _owed = the pool's unfinalized requests and \
                    amounts up to 10^9 BERA, syncing payouts, recording and finalizing a request (when the pool's \
                    funds cover it) never wrap, and _owed stays the sum of the rest",
        build: ledger_never_underflows,
    },
    Check {
        id: "SMT-WD-003",
        statement: "after a full exit, frozenTotalAssets -= assets never underflows: redeeming n <= supply shares \
                    or withdrawing `a` for at most supply shares never takes more than frozenTotalAssets",
        build: frozen_never_underflows,
    },
];

pub(crate) const CONTROLS: &[Control] = &[
    Control {
        check: Check {
            id: "NEG-WD-001",
            statement: "SMT-WD-001 with the check off by one (`block.number < requestBlock + DELAY - 1`): a request \
                        is finalizable 129599 blocks after it was made",
            build: neg_delay_exact,
        },
        of: "SMT-WD-001",
        variant: "delay-off-by-one",
    },
    Control {
        check: Check {
            id: "NEG-WD-002",
            statement: "SMT-WD-002 with _owed credited with the shares burnt instead of the assets: after a donation \
                        y and a deposit x, finalizing a withdrawal of `a` underflows _owed",
            build: neg_ledger_never_underflows,
        },
        of: "SMT-WD-002",
        variant: "owed-shares",
    },
    Control {
        check: Check {
            id: "NEG-WD-003",
            statement: "SMT-WD-003 with previewRedeem rounding up: after a penalty and a full exit, redeeming shares \
                        takes more than frozenTotalAssets",
            build: neg_frozen_never_underflows,
        },
        of: "SMT-WD-003",
        variant: "redeem-ceil",
    },
];

fn delay_claim(ctx: &mut Ctx, delay_minus: u64) -> Bool {
    let request_block = ctx.input("requestBlock", &num(0), &max_block());
    let block = ctx.input("block", &request_block, &max_block());
    let due = ctx.add(&request_block, &num(WITHDRAWAL_DELAY));
    let due = &due - num(delay_minus);
    let passes = block.ge(&due);
    let elapsed = &block - &request_block;
    ctx.name("elapsed", &elapsed);
    let mut claim = ctx.take_guards();
    claim.push(passes.iff(elapsed.ge(num(WITHDRAWAL_DELAY))));
    all(&claim)
}

fn delay_exact(ctx: &mut Ctx) -> Bool {
    delay_claim(ctx, 0)
}

fn neg_delay_exact(ctx: &mut Ctx) -> Bool {
    delay_claim(ctx, 1)
}

fn ledger_never_underflows(ctx: &mut Ctx) -> Bool {
    let bound = int(BERA_SUPPLY_BOUND);
    let funds = ctx.input("funds", &num(0), &bound);
    let rest = ctx.input("owedByOtherRequests", &num(0), &bound);
    let assets = ctx.input("assets", &num(0), &bound);
    let withdrawn = ctx.input("withdrawn", &num(0), &bound);
    let attributed = ctx.input("attributed", &num(0), &bound);
    // _record of this request on top of the others: _owed += assets.
    let owed = ctx.add(&rest, &assets);
    // _syncConsensusPayouts.
    let ahead = withdrawn.gt(&attributed);
    let delta = ctx.when(ahead.clone(), |ctx| ctx.sub(&withdrawn, &attributed));
    let credited = ctx.select(&ahead, &delta, &num(0));
    let synced = ctx.add(&funds, &credited);
    // _finalize, past `if (_funds[key] < assets) revert InsufficientPoolFunds()`.
    let covered = synced.ge(&assets);
    let owed_after = ctx.when(covered.clone(), |ctx| {
        let _ = ctx.sub(&synced, &assets);
        ctx.sub(&owed, &assets)
    });
    let mut claim = ctx.take_guards();
    claim.push(covered.implies(owed_after.eq(&rest)));
    all(&claim)
}

fn frozen_never_underflows(ctx: &mut Ctx) -> Bool {
    let supply = ctx.uint("supply");
    let frozen = ctx.uint("frozenTotalAssets");
    let shares = ctx.input("sharesRedeemed", &num(0), &supply);
    let paid = preview_redeem(ctx, &shares, &supply, &frozen);
    ctx.name("assetsRedeemed", &paid);
    let withdrawn = ctx.uint("assetsWithdrawn");
    let burnt = preview_withdraw(ctx, &withdrawn, &supply, &frozen);
    ctx.name("sharesBurnt", &burnt);
    ctx.assume(burnt.le(&supply)); // _burn needs the user to hold them
    ctx.assume_no_revert();
    Bool::and(&[paid.le(&frozen), withdrawn.le(&frozen)])
}

fn neg_ledger_never_underflows(ctx: &mut Ctx) -> Bool {
    // A donation of at least 10% of the pool makes a share worth more than one wei of BERA.
    let half = BELOW_CL_DEPOSIT / U256::from(2);
    let bera = U256::from(GWEI) * U256::from(GWEI);
    let dead = int(FIRST_DEPOSIT_AMOUNT);
    let s0 = ctx.fixed("supply0", FIRST_DEPOSIT_AMOUNT);
    let y = ctx.input("donation", &int(bera * U256::from(1_000)), &int(half));
    let a0 = ctx.add(&dead, &y);
    let x = ctx.input("deposit", &int(bera), &int(half));
    let minted = preview_deposit(ctx, &x, &s0, &a0);
    ctx.name("depositShares", &minted);
    let s = ctx.add(&s0, &minted);
    let a = ctx.add(&a0, &x);
    let gwei = ctx.input("amountGwei", &num(GWEI), &int(half / U256::from(GWEI)));
    let assets = &gwei * num(GWEI);
    ctx.assume(assets.le(&x)); // at most the deposit: served from the buffer, paid for by the depositor's shares
    let burnt = preview_withdraw(ctx, &assets, &s, &a);
    ctx.assume(burnt.le(&minted)); // the depositor holds them
    ctx.name("sharesBurnt", &burnt);
    // The wrong _record: _owed += shares. The pool sent `assets` to the vault, so funds cover them.
    ctx.assume_no_revert();
    burnt.ge(&assets)
}

fn neg_frozen_never_underflows(ctx: &mut Ctx) -> Bool {
    let supply = ctx.fixed("supply", FIRST_DEPOSIT_AMOUNT);
    let penalty_gwei = ctx.input(
        "penaltyGwei",
        &num(1),
        &int(FIRST_DEPOSIT_AMOUNT / U256::from(20 * GWEI)),
    );
    let frozen = int(FIRST_DEPOSIT_AMOUNT) - &penalty_gwei * num(GWEI);
    ctx.name("frozenTotalAssets", &frozen);
    let shares = ctx.input("sharesRedeemed", &num(1), &supply);
    let paid = to_assets(ctx, &shares, &supply, &frozen, Rounding::Ceil); // the wrong rounding
    ctx.name("assetsRedeemed", &paid);
    ctx.assume_no_revert();
    paid.le(&frozen)
}
