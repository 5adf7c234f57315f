//! Fees (`contracts/src/core/FeeMath.sol`, charged by `StakingPool._chargeFees` and
//! `SmartOperator.accrueEarnedBGTFees`): on a reward `R` already counted in totalAssets `A = A0 + R`,
//! `commission = R*cb/10000`, `protocolFee = R*pb/10000` (floor), shares for both minted jointly,
//! `T = F*(S+1)/(A+1-F)` with `F = commission + protocolFee`, split pro rata, each part floored.
//! Rates: `cb` is BeraChef's commission (capped at 2000 there and in `SmartOperator.queueValCommission`),
//! `pb` the protocol fee (capped at 2000 in `SmartOperator.setProtocolFeePercentage`).

use alloy_primitives::U256;
use z3::ast::{Bool, Int};

use super::formulas::{Rounding, BERA_SUPPLY_BOUND, FIRST_DEPOSIT_AMOUNT, GWEI, MAX_COMMISSION, MAX_PROTOCOL_FEE};
use super::model::{Rule, all, fee_of, int, num, preview_redeem, split_fee_shares, split_fee_shares_with_total, two_256, Ctx};
use super::{Check, Control};

pub(crate) const PROPERTIES: &[Check] = &[
    Check {
        id: "SMT-FEE-001",
        statement: "for every commission and protocol fee <= 2000 bps, the commission and protocol-fee shares \
                    minted on a reward R are together worth at most (cb+pb)/10000 of R (exact price after minting)",
        build: fees_within_rates,
    },
    Check {
        id: "SMT-FEE-002",
        statement: "for every bps <= 2000, each recipient's new shares are worth (previewRedeem) at most its own \
                    bps/10000 of R, whenever its fee does not exceed the share supply (always, for fees up to the \
                    10,000e18 dead shares; see FIND-FEE-001 beyond)",
        build: each_fee_within_rate,
    },
    Check {
        id: "SMT-FEE-003",
        statement: "with both rates at most 2000 bps, stakers keep >= 60% of every reward: the existing shares' \
                    exact value rises by >= 0.6*R",
        build: stakers_keep_sixty_percent,
    },
    Check {
        id: "SMT-FEE-004",
        statement: "the fee math cannot overflow or underflow: for rewards up to 10^9 BERA (all BERA), \
                    totalAssets and supply up to 2^255, feeOf, splitFeeShares, netOfFees and minting never revert",
        build: fee_math_never_reverts,
    },
    Check {
        id: "SMT-FEE-005",
        statement: "the setters reject bps > 2000: setProtocolFeePercentage and queueValCommission (SmartOperator \
                    and BeraChef) accept a rate only if it is <= 2000",
        build: setters_cap_rates,
    },
];

pub(crate) const CONTROLS: &[Control] = &[
    Control {
        check: Check {
            id: "NEG-FEE-001",
            statement: "SMT-FEE-001 with the fee shares priced before the reward is counted (totalAssets = A0): \
                        on a fresh pool an oracle reward R mints fee shares worth more than the fees",
            build: neg_fees_within_rates,
        },
        of: "SMT-FEE-001",
        variant: "fee-before-reward",
    },
    Control {
        check: Check {
            id: "NEG-FEE-002",
            statement: "SMT-FEE-002 with the fee shares priced before the reward is counted: on a fresh pool an \
                        oracle reward R gives a recipient shares worth more than its bps/10000 of R",
            build: neg_each_fee_within_rate,
        },
        of: "SMT-FEE-002",
        variant: "fee-before-reward",
    },
    Control {
        check: Check {
            id: "NEG-FEE-003",
            statement: "SMT-FEE-003 with a 25% cap on each rate: on a fresh pool an oracle reward R leaves stakers \
                        less than 60%",
            build: neg_stakers_keep_sixty_percent,
        },
        of: "SMT-FEE-003",
        variant: "cap-25",
    },
    Control {
        check: Check {
            id: "NEG-FEE-004",
            statement: "SMT-FEE-004 with feeShares as plain checked `fee*(supply+1)/(totalAssets+1-fee)` instead \
                        of mulDiv: some in-range reward makes the fee math revert",
            build: neg_fee_math_never_reverts,
        },
        of: "SMT-FEE-004",
        variant: "fee-plain-mul",
    },
    Control {
        check: Check {
            id: "NEG-FEE-005",
            statement: "SMT-FEE-005 with a 25% cap: a setter accepts a rate above 2000 bps",
            build: neg_setters_cap_rates,
        },
        of: "SMT-FEE-005",
        variant: "cap-25",
    },
];

pub(crate) const FINDINGS: &[Check] = &[Check {
    id: "FIND-FEE-001",
    statement: "SPEC: each recipient's new shares are worth (rounded down) at most rate x reward. Without \
                SMT-FEE-002's precondition (fee <= supply) this fails: for rates <= 2000 bps some supply, \
                totalAssets and reward give one recipient shares worth more than its bps/10000 of the reward (the \
                other recipient's floored fraction of a share is missing from the supply); by analysis the excess is \
                about fee/supply wei, so on a real pool it needs a single reward whose fee exceeds the supply",
    build: find_each_fee_within_rate,
}];

/// `q*d <= p < (c+1)*d` with `d > 0` gives `q <= c` (a floored quotient below `c + 1` is at most `c`).
static FLOOR_BELOW: Rule = Rule {
    name: "floor-below",
    arity: 4,
    build: |v| {
        let (q, d, p, c) = (&v[0], &v[1], &v[2], &v[3]);
        (Bool::and(&[d.gt(0), (q * d).le(p), p.lt((c + 1) * d)]), q.le(c))
    },
};

/// The quantities of one fee charge.
struct Charge {
    supply: Int,
    assets_before: Int,
    reward: Int,
    total_assets: Int,
    commission_bps: Int,
    protocol_bps: Int,
    commission: Int,
    protocol_fee: Int,
    commission_shares: Int,
    protocol_shares: Int,
    /// The joint fee shares before the split (`feeShares(commission + protocolFee, ...)`).
    joint_shares: Int,
    supply_after: Int,
}

/// Where the charge starts from.
enum Start {
    /// Any supply and totalAssets.
    Any,
    /// A fresh pool (supply = totalAssets = the dead shares) and an oracle reward of whole gwei from 1% to
    /// 100% of the pool (100 to 10,000 BERA).
    FreshOracle,
}

/// How the shares are computed.
#[derive(Clone, Copy)]
enum Split {
    /// `FeeMath.splitFeeShares` as written.
    Real,
    /// Priced with the pre-reward totalAssets.
    BeforeReward,
}

/// The rates of a charge: free up to a cap, or pinned.
#[derive(Clone, Copy)]
enum Rates {
    /// Each rate anywhere in `[0, cap]`.
    UpTo(u64),
    /// Both rates at `cap`.
    AtCap(u64),
}

fn charge(ctx: &mut Ctx, start: Start, rates: Rates, split: Split) -> Charge {
    let (supply, assets_before, reward) = match start {
        Start::Any => (ctx.uint("supply"), ctx.uint("totalAssetsBefore"), ctx.uint("reward")),
        Start::FreshOracle => {
            let s = ctx.fixed("supply", FIRST_DEPOSIT_AMOUNT);
            let a0 = ctx.fixed("totalAssetsBefore", FIRST_DEPOSIT_AMOUNT);
            let max = FIRST_DEPOSIT_AMOUNT / U256::from(GWEI);
            let g = ctx.input("rewardGwei", &int(max / U256::from(100)), &int(max));
            let r = &g * num(GWEI);
            ctx.name("reward", &r);
            (s, a0, r)
        }
    };
    let (commission_bps, protocol_bps) = match rates {
        Rates::UpTo(cap) => (ctx.input("commissionBps", &num(0), &num(cap)), ctx.input("protocolBps", &num(0), &num(cap))),
        Rates::AtCap(cap) => (ctx.fixed("commissionBps", U256::from(cap)), ctx.fixed("protocolBps", U256::from(cap))),
    };
    let total_assets = ctx.add(&assets_before, &reward);
    let commission = fee_of(ctx, &reward, &commission_bps);
    let protocol_fee = fee_of(ctx, &reward, &protocol_bps);
    ctx.name("commission", &commission);
    ctx.name("protocolFee", &protocol_fee);
    let priced_at = match split {
        Split::Real => &total_assets,
        Split::BeforeReward => &assets_before,
    };
    let (commission_shares, protocol_shares, joint_shares) =
        split_fee_shares_with_total(ctx, &commission, &protocol_fee, &supply, priced_at);
    ctx.name("commissionShares", &commission_shares);
    ctx.name("protocolShares", &protocol_shares);
    let minted = ctx.add(&supply, &commission_shares);
    let supply_after = ctx.add(&minted, &protocol_shares);
    Charge {
        supply,
        assets_before,
        reward,
        total_assets,
        commission_bps,
        protocol_bps,
        commission,
        protocol_fee,
        commission_shares,
        protocol_shares,
        joint_shares,
        supply_after,
    }
}

fn combined_claim(c: &Charge) -> Bool {
    let minted = &c.commission_shares + &c.protocol_shares;
    let fees = &c.commission + &c.protocol_fee;
    Bool::and(&[
        (&minted * (&c.total_assets + 1)).le(&fees * (&c.supply_after + 1)),
        (&fees * 10_000).le((&c.commission_bps + &c.protocol_bps) * &c.reward),
    ])
}

/// The values of each recipient's new shares (previewRedeem after minting); assumes no revert.
fn recipient_values(ctx: &mut Ctx, c: &Charge) -> (Int, Int) {
    let vc = preview_redeem(ctx, &c.commission_shares, &c.supply_after, &c.total_assets);
    let vp = preview_redeem(ctx, &c.protocol_shares, &c.supply_after, &c.total_assets);
    ctx.name("commissionValue", &vc);
    ctx.name("protocolValue", &vp);
    ctx.assume_no_revert();
    (vc, vp)
}

fn each_claim_of(c: &Charge, vc: &Int, vp: &Int) -> Bool {
    Bool::and(&[
        (vc * 10_000).le(&c.commission_bps * &c.reward),
        (vp * 10_000).le(&c.protocol_bps * &c.reward),
    ])
}

fn each_claim(ctx: &mut Ctx, c: &Charge) -> Bool {
    let (vc, vp) = recipient_values(ctx, c);
    each_claim_of(c, &vc, &vp)
}

fn sixty_claim(c: &Charge) -> Bool {
    // (S+1)*(A+1)/(S'+1) >= (A0+1) + 0.6*R, multiplied out.
    ((&c.supply + 1) * (&c.total_assets + 1) * 10)
        .ge((&c.supply_after + 1) * ((&c.assets_before + 1) * 10 + &c.reward * 6))
}

fn fees_within_rates(ctx: &mut Ctx) -> Bool {
    let c = charge(ctx, Start::Any, Rates::UpTo(MAX_COMMISSION), Split::Real);
    ctx.assume_no_revert();
    combined_claim(&c)
}

/// What the split guarantees, as lemmas: each part is at most its pro-rata share of the joint shares, the two
/// parts lose less than two shares together, and the joint shares are worth at most the fees.
fn split_lemmas(ctx: &mut Ctx, c: &Charge) {
    let fees = &c.commission + &c.protocol_fee;
    let t = &c.joint_shares;
    ctx.lemma(Bool::and(&[
        (&c.commission_shares * &fees).le(t * &c.commission),
        (&c.protocol_shares * &fees).le(t * &c.protocol_fee),
        (&c.commission_shares + &c.protocol_shares).le(t),
        (&c.commission_shares + &c.protocol_shares + 1).ge(t),
    ]));
    ctx.lemma((t * (&c.total_assets + 1 - &fees)).le(&fees * (&c.supply + 1)));
}

fn each_fee_within_rate(ctx: &mut Ctx) -> Bool {
    let c = charge(ctx, Start::Any, Rates::UpTo(MAX_COMMISSION), Split::Real);
    ctx.assume(c.commission.le(&c.supply));
    ctx.assume(c.protocol_fee.le(&c.supply));
    let (vc, vp) = recipient_values(ctx, &c);
    split_lemmas(ctx, &c);
    // Each part's shares are worth at most its fee at the price of the joint minting...
    let s1_t = &c.supply + 1 + &c.joint_shares;
    let a1 = &c.total_assets + 1;
    ctx.lemma(Bool::and(&[
        (&c.commission_shares * &a1).le(&c.commission * &s1_t),
        (&c.protocol_shares * &a1).le(&c.protocol_fee * &s1_t),
    ]));
    // ...and the supply after minting is at most one share short of that price's (the floors of the split).
    ctx.lemma(Bool::and(&[
        (&c.commission_shares * &a1).lt((&c.commission + 1) * (&c.supply_after + 1)),
        (&c.protocol_shares * &a1).lt((&c.protocol_fee + 1) * (&c.supply_after + 1)),
    ]));
    // So, floored, each is worth at most its fee; and each fee is at most its rate of the reward.
    let (a1, s2) = (&c.total_assets + 1, &c.supply_after + 1);
    ctx.apply_rule(&FLOOR_BELOW, &[&vc, &s2, &(&c.commission_shares * &a1), &c.commission]);
    ctx.apply_rule(&FLOOR_BELOW, &[&vp, &s2, &(&c.protocol_shares * &a1), &c.protocol_fee]);
    ctx.lemma(Bool::and(&[vc.le(&c.commission), vp.le(&c.protocol_fee)]));
    ctx.lemma(Bool::and(&[
        (&c.commission * 10_000).le(&c.commission_bps * &c.reward),
        (&c.protocol_fee * 10_000).le(&c.protocol_bps * &c.reward),
    ]));
    each_claim_of(&c, &vc, &vp)
}

fn stakers_keep_sixty_percent(ctx: &mut Ctx) -> Bool {
    let c = charge(ctx, Start::Any, Rates::UpTo(MAX_COMMISSION), Split::Real);
    ctx.assume_no_revert();
    split_lemmas(ctx, &c);
    ctx.lemma(((&c.commission + &c.protocol_fee) * 10).le(&c.reward * 4));
    sixty_claim(&c)
}

/// The fee path of one reward with `fee_shares` given: every guard, claimed.
fn never_reverts(ctx: &mut Ctx, plain_mul: bool) -> Bool {
    let half = two_256() / 2;
    let supply = ctx.input("supply", &num(0), &(&half - 1));
    let reward = ctx.input("reward", &num(0), &int(BERA_SUPPLY_BOUND));
    let assets_before = ctx.input("totalAssetsBefore", &num(0), &(&half - 1));
    ctx.assume((&assets_before + &reward).lt(&half));
    let commission_bps = ctx.input("commissionBps", &num(0), &num(MAX_COMMISSION));
    let protocol_bps = ctx.input("protocolBps", &num(0), &num(MAX_PROTOCOL_FEE));
    // Before collection: pendingRewardsNetOfFees / rebaseableBgtAmount.
    let _ = super::model::net_of_fees(ctx, &reward, &commission_bps, &protocol_bps);
    // updateTotalDeposits: totalDeposits += reward (or the vault's BERA joins the buffer).
    let total_assets = ctx.add(&assets_before, &reward);
    let commission = fee_of(ctx, &reward, &commission_bps);
    let protocol_fee = fee_of(ctx, &reward, &protocol_bps);
    let (cs, ps) = if plain_mul {
        // The wrong feeShares: fee * (supply + 1) / (totalAssets + 1 - fee), checked, no mulDiv.
        let total = ctx.add(&commission, &protocol_fee);
        let zero = total.eq(0);
        let (c, p) = ctx.when(zero.not(), |ctx| {
            let s1 = ctx.add(&supply, &num(1));
            let a1 = ctx.add(&total_assets, &num(1));
            let den = ctx.sub(&a1, &total);
            let product = ctx.mul(&total, &s1);
            let shares = ctx.div(&product, &den);
            let c = ctx.mul_div(&shares, &commission, &total, Rounding::Floor);
            let p = ctx.mul_div(&shares, &protocol_fee, &total, Rounding::Floor);
            (c, p)
        });
        (ctx.select(&zero, &num(0), &c), ctx.select(&zero, &num(0), &p))
    } else {
        split_fee_shares(ctx, &commission, &protocol_fee, &supply, &total_assets)
    };
    ctx.name("commission", &commission);
    ctx.name("protocolFee", &protocol_fee);
    let minted = ctx.add(&supply, &cs);
    let _ = ctx.add(&minted, &ps);
    all(&ctx.take_guards())
}

fn fee_math_never_reverts(ctx: &mut Ctx) -> Bool {
    never_reverts(ctx, false)
}

fn setter_claim(ctx: &mut Ctx, cap: u64) -> Bool {
    let bps = ctx.uint("bps");
    let protocol_accepted = bps.le(num(cap));
    // queueValCommission(uint96): the ABI refuses >= 2^96, SmartOperator and BeraChef each check the cap.
    let (operator_cap, bera_chef_cap) = (num(cap), num(cap));
    let commission_accepted = Bool::and(&[bps.lt(Int::from_u128(1u128 << 96)), bps.le(&operator_cap), bps.le(&bera_chef_cap)]);
    Bool::and(&[protocol_accepted.implies(bps.le(2000)), commission_accepted.implies(bps.le(2000))])
}

fn setters_cap_rates(ctx: &mut Ctx) -> Bool {
    setter_claim(ctx, MAX_COMMISSION.max(MAX_PROTOCOL_FEE))
}

fn neg_fees_within_rates(ctx: &mut Ctx) -> Bool {
    let c = charge(ctx, Start::FreshOracle, Rates::UpTo(MAX_COMMISSION), Split::BeforeReward);
    ctx.assume_no_revert();
    combined_claim(&c)
}

fn neg_each_fee_within_rate(ctx: &mut Ctx) -> Bool {
    let c = charge(ctx, Start::FreshOracle, Rates::UpTo(MAX_COMMISSION), Split::BeforeReward);
    each_claim(ctx, &c)
}

fn neg_stakers_keep_sixty_percent(ctx: &mut Ctx) -> Bool {
    let c = charge(ctx, Start::FreshOracle, Rates::AtCap(2_500), Split::Real);
    ctx.assume_no_revert();
    sixty_claim(&c)
}

fn neg_fee_math_never_reverts(ctx: &mut Ctx) -> Bool {
    never_reverts(ctx, true)
}

fn neg_setters_cap_rates(ctx: &mut Ctx) -> Bool {
    setter_claim(ctx, 2_500)
}

fn find_each_fee_within_rate(ctx: &mut Ctx) -> Bool {
    let c = charge(ctx, Start::Any, Rates::UpTo(MAX_COMMISSION), Split::Real);
    each_claim(ctx, &c)
}
