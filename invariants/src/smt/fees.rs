//! Fees (`contracts/src/core/FeeMath.sol`, charged by `StakingPool._chargeFees` and
//! `SmartOperator.accrueEarnedBGTFees`): on a reward `R` already counted in totalAssets `A = A0 + R`,
//! `commission = R*cb/10000`, `protocolFee = R*pb/10000` (floor), shares for both minted jointly,
//! `T = F*(S+1)/(A+1-F)` with `F = commission + protocolFee`, split pro rata, each part floored; then each part
//! in turn gives back one share if it is worth more than its fee at the price after minting, and should a part
//! still be, each part is priced on its own (`feeShares(fee, S, A)`).
//! Rates: `cb` is BeraChef's commission (capped at 2000 there and in `SmartOperator.queueValCommission`),
//! `pb` the protocol fee (capped at 2000 in `SmartOperator.setProtocolFeePercentage`).

use alloy_primitives::U256;
use z3::ast::{Bool, Int};

use super::formulas::{
    Rounding, BERA_SUPPLY_BOUND, FIRST_DEPOSIT_AMOUNT, GWEI, MAX_COMMISSION, MAX_PROTOCOL_FEE,
};
use super::model::{
    all, fee_of, fee_split, int, num, preview_redeem, two_256, Ctx, FeeSplit, Rule, SplitKind,
    CANCEL_LE, CANCEL_LT, MUL_LE, MUL_LT, PRODUCT_BELOW,
};
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
        statement: "for every commission and protocol fee <= 2000 bps, supply and totalAssets, each recipient's new \
                    shares are worth (previewRedeem after minting) at most its own bps/10000 of R, and giving back \
                    one share suffices: splitFeeShares never takes its per-part fallback and gives back at most one \
                    share of the floored split in all",
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
    Control {
        check: Check {
            id: "NEG-FEE-006",
            statement: "SMT-FEE-002 with the floored pro-rata split alone (no share given back; FIND-FEE-001): for \
                        rates <= 2000 bps some supply, totalAssets and reward give one recipient shares worth more \
                        than its bps/10000 of R (the other part's floored fraction of a share is missing from the \
                        supply; it takes a fee above the supply)",
            build: neg_floor_split_each_fee_within_rate,
        },
        of: "SMT-FEE-002",
        variant: "fee-floor-split",
    },
];

/// Statements of SPEC that the contracts do not satisfy: none since FIND-FEE-001 (the floored split, now the
/// control NEG-FEE-006) was fixed.
pub(crate) const FINDINGS: &[Check] = &[];

/// `q*d <= p < (c+1)*d` with `d > 0` gives `q <= c` (a floored quotient below `c + 1` is at most `c`).
static FLOOR_BELOW: Rule = Rule {
    name: "floor-below",
    arity: 4,
    build: |v| {
        let (q, d, p, c) = (&v[0], &v[1], &v[2], &v[3]);
        (
            Bool::and(&[d.gt(0), (q * d).le(p), p.lt((c + 1) * d)]),
            q.le(c),
        )
    },
};

// The arithmetic of "one share given back suffices" (SMT-FEE-002), in the scaled deficits of the two parts:
// with `K = S+1`, `D = A+1-F` and parts `(x1, x2)`, `v1 = c*K - x1*D` and `v2 = p*K - x2*D` (each part's exact share
// `fee*K/D` less the part, times `D`). The commission part is worth more than its fee after minting iff
// `G1 = (c+1)*v2 - (A-c)*v1 - K*(A+1) >= 0`, the protocol part iff `G2 = (p+1)*v1 - (A-p)*v2 - K*(A+1) >= 0`;
// giving back a share adds `D` to that part's deficit.

/// Over its fee after minting, in the scaled deficits (for the commission part; the protocol part with the roles
/// swapped): `x1*(A+1) >= (c+1)*(S+x1+x2+1)` iff `G1 >= 0` (`D*(x1*(A+1) - (c+1)*(S+x1+x2+1)) = G1`).
static OVER_FEE: Rule = Rule {
    name: "over-fee",
    arity: 8,
    build: |v| {
        let (x1, x2, c, p, s, a, v1, v2) = (&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
        let d = (a + 1) - (c + p);
        let (k, a1) = (s + 1, a + 1);
        (
            Bool::and(&[d.gt(0), v1.eq(c * &k - x1 * &d), v2.eq(p * &k - x2 * &d)]),
            (x1 * &a1)
                .ge((c + 1) * (((s + x1) + x2) + 1))
                .iff(((c + 1) * v2 - (a - c) * v1 - &k * &a1).ge(0)),
        )
    },
};

/// A floored part (`x*F <= T*fee` with `T*D <= F*K`, `F = c + p`) is at most its exact share: `x*D <= fee*K`.
static PART_BELOW_SHARE: Rule = Rule {
    name: "part-below-share",
    arity: 7,
    build: |v| {
        let (fee, c, p, x, t, k, d) = (&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]);
        (
            Bool::and(&[
                fee.ge(0),
                c.ge(0),
                p.ge(0),
                (c + p).ge(1),
                d.ge(1),
                k.ge(1),
                t.ge(0),
                x.ge(0),
                (x * (c + p)).le(t * fee),
                (t * d).le((c + p) * k),
            ]),
            (x * d).le(fee * k),
        )
    },
};

/// The floors of the two parts lose less than two shares of `T`: `c0 + p0 <= T <= c0 + p0 + 1`.
static FLOOR_PARTS: Rule = Rule {
    name: "floor-parts",
    arity: 5,
    build: |v| {
        let (c, p, c0, p0, t) = (&v[0], &v[1], &v[2], &v[3], &v[4]);
        let f = c + p;
        (
            Bool::and(&[
                c.ge(0),
                p.ge(0),
                f.ge(1),
                (c0 * &f).le(t * c),
                (t * c).lt(c0 * &f + &f),
                (p0 * &f).le(t * p),
                (t * p).lt(p0 * &f + &f),
            ]),
            Bool::and(&[(c0 + p0).le(t), t.le(c0 + p0 + 1)]),
        )
    },
};

/// The deficits `v1 = c*K - c0*D`, `v2 = p*K - p0*D` of the floored parts of `T = floor(F*K/D)` add up to less than
/// `2D`, and to at least `D` when the floors lost a share (`c0 + p0 + 1 = T`).
static LOSS_BOUNDS: Rule = Rule {
    name: "loss-bounds",
    arity: 9,
    build: |v| {
        let (c, p, c0, p0, t, k, d, v1, v2) = (
            &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8],
        );
        (
            Bool::and(&[
                d.ge(1),
                (c0 + p0).le(t),
                t.le(c0 + p0 + 1),
                (t * d).le((c + p) * k),
                ((c + p) * k).lt(t * d + d),
                v1.eq(c * k - c0 * d),
                v2.eq(p * k - p0 * d),
            ]),
            Bool::and(&[
                (v1 + v2).lt(d * 2),
                (c0 + p0 + 1).eq(t).implies((v1 + v2).ge(d)),
            ]),
        )
    },
};

/// The floored split with no share lost to the floors of the parts (`c0 + p0 = T`): both parts are their exact
/// shares floored at the same point, `p*v1 = c*v2`.
static NO_LOSS_PROPORTIONAL: Rule = Rule {
    name: "no-loss-proportional",
    arity: 9,
    build: |v| {
        let (c, p, c0, p0, t, k, d, v1, v2) = (
            &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8],
        );
        (
            Bool::and(&[
                c.ge(0),
                p.ge(0),
                (c + p).gt(0),
                (c0 * (c + p)).le(t * c),
                (p0 * (c + p)).le(t * p),
                (c0 + p0).eq(t),
                v1.eq(c * k - c0 * d),
                v2.eq(p * k - p0 * d),
            ]),
            (p * v1).eq(c * v2),
        )
    },
};

// The case rules are stated for a part `x` (fee `f`, deficit `ux`) and the other part `y` (fee `g`, deficit `uy`),
// so that each serves both parts; `ax`, `ay`, `oy`, `wx`, `wy` are the deficits under the names the checks use.

/// No share lost to the floors (`g*ux = f*uy`), each fee at most a fifth of A: `x` is not over its fee.
static NO_LOSS_NOT_OVER: Rule = Rule {
    name: "no-loss-not-over",
    arity: 8,
    build: |v| {
        let (f, g, a, ux, uy, ka1, ax, ay) =
            (&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
        (
            Bool::and(&[
                f.ge(1),
                g.ge(0),
                (f * 5).le(a),
                (g * 5).le(a),
                ux.ge(0),
                uy.ge(0),
                ka1.ge(1),
                (g * ux).eq(f * uy),
                ax.eq(ux),
                ay.eq(uy),
            ]),
            ((f + 1) * ay).lt((a - f) * ax + ka1),
        )
    },
};

/// One share lost (`ux + uy >= D`), each fee at most a fifth of A, `x` over its fee (against the other's deficit
/// `oy = uy`): once `x` gave back a share (`wx = ux + D`), `y` is not over its fee, at its deficit `uy` or under
/// another name `wy` for it.
static LOSS_ONE_GIVE_BACK: Rule = Rule {
    name: "loss-one-give-back",
    arity: 10,
    build: |v| {
        let (f, g, a, ux, uy, d, ka1, oy, wx, wy) = (
            &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9],
        );
        (
            Bool::and(&[
                f.ge(1),
                g.ge(0),
                (f * 5).le(a),
                (g * 5).le(a),
                ux.ge(0),
                uy.ge(0),
                d.ge(1),
                ka1.ge(d),
                (ux + uy).ge(d),
                oy.eq(uy),
                ((f + 1) * oy).ge((a - f) * ux + ka1),
                wx.eq(ux + d),
            ]),
            Bool::and(&[
                ((g + 1) * wx).lt((a - g) * uy + ka1),
                wy.eq(uy).implies(((g + 1) * wx).lt((a - g) * wy + ka1)),
            ]),
        )
    },
};

/// Less than two shares lost (`ux + uy < 2D`), `f` at most a fifth of A: once `x` gave back a share (`wx = ux + D`),
/// it is not over its fee (the other's deficit unchanged, `wy = uy`).
static GIVE_BACK_ENOUGH: Rule = Rule {
    name: "give-back-enough",
    arity: 8,
    build: |v| {
        let (f, a, ux, uy, d, ka1, wx, wy) =
            (&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
        (
            Bool::and(&[
                f.ge(1),
                (f * 5).le(a),
                ux.ge(0),
                uy.ge(0),
                d.ge(1),
                ka1.ge(0),
                (ux + uy).lt(d * 2),
                wx.eq(ux + d),
            ]),
            wy.eq(uy).implies(((f + 1) * wy).lt((a - f) * wx + ka1)),
        )
    },
};

/// The over-fee form at equal deficits is equal.
static SAME_OVER: Rule = Rule {
    name: "same-over",
    arity: 7,
    build: |v| {
        let (f, a, x, y, x2, y2, ka1) = (&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]);
        (
            Bool::and(&[x.eq(x2), y.eq(y2)]),
            ((f + 1) * y - (a - f) * x - ka1).eq((f + 1) * y2 - (a - f) * x2 - ka1),
        )
    },
};

/// `x = y - 1` gives `x*d = y*d - d`, and `x = y` gives `x*d = y*d` (a share given back, or not, in the deficit).
static SHIFT: Rule = Rule {
    name: "shift",
    arity: 3,
    build: |v| {
        let (x, y, d) = (&v[0], &v[1], &v[2]);
        (
            Bool::or(&[x.eq(y - 1), x.eq(y)]),
            Bool::and(&[
                x.eq(y - 1).implies((x * d).eq(y * d - d)),
                x.eq(y).implies((x * d).eq(y * d)),
            ]),
        )
    },
};

/// A part worth more than its fee after minting (`x*a1 >= rhs >= 1`) is not zero, and a non-zero floored part
/// (`x*F <= T*fee`, `F >= 1`) has a non-zero fee.
static OVER_NEEDS_FEE: Rule = Rule {
    name: "over-needs-fee",
    arity: 6,
    build: |v| {
        let (x, a1, rhs, f, t, fee) = (&v[0], &v[1], &v[2], &v[3], &v[4], &v[5]);
        (
            Bool::and(&[
                x.ge(0),
                a1.ge(1),
                rhs.ge(1),
                (x * a1).ge(rhs),
                f.ge(1),
                t.ge(0),
                fee.ge(0),
                (x * f).le(t * fee),
            ]),
            Bool::and(&[x.ge(1), fee.ge(1)]),
        )
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
    /// `splitFeeShares`' intermediate values.
    split: FeeSplit,
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
    /// The floored pro-rata split alone, no share given back (the variant `fee-floor-split`).
    FloorOnly,
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
        Start::Any => (
            ctx.uint("supply"),
            ctx.uint("totalAssetsBefore"),
            ctx.uint("reward"),
        ),
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
        Rates::UpTo(cap) => (
            ctx.input("commissionBps", &num(0), &num(cap)),
            ctx.input("protocolBps", &num(0), &num(cap)),
        ),
        Rates::AtCap(cap) => (
            ctx.fixed("commissionBps", U256::from(cap)),
            ctx.fixed("protocolBps", U256::from(cap)),
        ),
    };
    let total_assets = ctx.add(&assets_before, &reward);
    let commission = fee_of(ctx, &reward, &commission_bps);
    let protocol_fee = fee_of(ctx, &reward, &protocol_bps);
    ctx.name("commission", &commission);
    ctx.name("protocolFee", &protocol_fee);
    let (priced_at, kind) = match split {
        Split::Real => (&total_assets, SplitKind::Fixed),
        Split::BeforeReward => (&assets_before, SplitKind::Fixed),
        Split::FloorOnly => (&total_assets, SplitKind::FloorOnly),
    };
    let split = fee_split(ctx, &commission, &protocol_fee, &supply, priced_at, kind);
    let (commission_shares, protocol_shares) = (
        split.commission_shares.clone(),
        split.protocol_shares.clone(),
    );
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
        split,
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
    combined_lemmas(ctx, &c);
    combined_claim(&c)
}

/// The terms of a charge's split used by the lemmas: `K = S+1`, `A1 = A+1`, `F` the fees, `D = A1-F`.
struct Terms {
    k: Int,
    a1: Int,
    fees: Int,
    d: Int,
}

fn terms(c: &Charge) -> Terms {
    let (k, a1, fees) = (
        &c.supply + 1,
        &c.total_assets + 1,
        &c.commission + &c.protocol_fee,
    );
    let d = &a1 - &fees;
    Terms { k, a1, fees, d }
}

/// The floored split, as lemmas: `D > 0`; the joint shares `T` are worth at most the fees (`T*D <= F*K`, the
/// definition of `feeShares`) and the floored parts add up to at most `T` (`(c0+p0)*F <= T*F`).
fn floor_split_lemmas(ctx: &mut Ctx, c: &Charge, t: &Terms) {
    let s = &c.split;
    let parts = &s.floor_commission + &s.floor_protocol;
    ctx.lemma(t.d.gt(0));
    ctx.apply_rule(&CANCEL_LE, &[&parts, &s.joint, &t.fees]);
    ctx.lemma(Bool::and(&[
        (&s.joint * &t.d).le(&t.fees * &t.k),
        parts.le(&s.joint),
    ]));
}

/// What the split guarantees together, as lemmas: without the fallback each part is at most its floored part, with
/// it each part is `feeShares` of its own fee (`m*(A1-fee) <= fee*K`); either way all the new shares together are
/// worth at most the fees at the price after minting, `(m1+m2)*D <= F*K`.
fn combined_lemmas(ctx: &mut Ctx, c: &Charge) {
    let t = terms(c);
    let s = &c.split;
    let (m1, m2) = (&c.commission_shares, &c.protocol_shares);
    floor_split_lemmas(ctx, c, &t);
    ctx.lemma(Bool::and(&[
        s.fallback.not().implies(Bool::and(&[
            m1.le(&s.floor_commission),
            m2.le(&s.floor_protocol),
        ])),
        s.fallback.implies(Bool::and(&[
            (m1 * (&t.a1 - &c.commission)).le(&c.commission * &t.k),
            (m2 * (&t.a1 - &c.protocol_fee)).le(&c.protocol_fee * &t.k),
        ])),
    ]));
    let minted = m1 + m2;
    ctx.apply_rule(&MUL_LE, &[&minted, &s.joint, &t.d]);
    ctx.apply_rule(&MUL_LE, &[&t.d, &(&t.a1 - &c.commission), m1]);
    ctx.apply_rule(&MUL_LE, &[&t.d, &(&t.a1 - &c.protocol_fee), m2]);
    ctx.lemma((&minted * &t.d).le(&t.fees * &t.k));
}

/// Each fee is at most a fifth of the reward, which totalAssets counts (rates <= 2000 bps).
fn fifth_lemma(ctx: &mut Ctx, c: &Charge) {
    ctx.lemma(Bool::and(&[
        (&c.commission * 5).le(&c.reward),
        (&c.protocol_fee * 5).le(&c.reward),
        c.reward.le(&c.total_assets),
    ]));
}

/// A fresh integer defined as `value` (a definitional extension: it excludes no execution).
fn define(ctx: &mut Ctx, name: &str, value: &Int) -> Int {
    let x = Int::new_const(name);
    ctx.assume(x.eq(value));
    x
}

/// Why one share given back per part suffices at rates <= 2000 bps, as lemmas (see the rules above): the scaled
/// deficits `u1, u2` of the floored parts are non-negative and below `2D` together; if the floors lost no share,
/// `p*u1 = c*u2` and neither part is over its fee; if they lost one (`u1 + u2 >= D`), a part over its fee is no
/// longer over once it gave back a share, and the other part is not over then either. So the final check passes
/// and at most one share is given back. Returns that claim.
fn one_share_suffices(ctx: &mut Ctx, c: &Charge, t: &Terms) -> Bool {
    let s = &c.split;
    let (cf, pf, a) = (&c.commission, &c.protocol_fee, &c.total_assets);
    let path = &s.path;
    let (c0, p0, c1, p1, joint) = (
        &path.floor_commission,
        &path.floor_protocol,
        &path.stepped_commission,
        &path.stepped_protocol,
        &path.joint,
    );
    let deficit = |fee: &Int, part: &Int| fee * &t.k - part * &t.d;
    let u1 = define(ctx, "u1", &deficit(cf, c0));
    let u2 = define(ctx, "u2", &deficit(pf, p0));
    let w1 = define(ctx, "w1", &deficit(cf, c1));
    let w2 = define(ctx, "w2", &deficit(pf, p1));
    let ka1 = define(ctx, "ka1", &(&t.k * &t.a1));
    let positive = t.fees.gt(0);
    fifth_lemma(ctx, c);
    ctx.lemma(t.d.gt(0));
    ctx.apply_rule(&MUL_LE, &[&num(1), &t.k, &t.a1]);
    ctx.lemma(Bool::and(&[ka1.ge(&t.a1), t.a1.ge(&t.d)]));
    // The floors: c0 + p0 <= T <= c0 + p0 + 1, and the deficits of the floored parts.
    ctx.apply_rule(&FLOOR_PARTS, &[cf, pf, c0, p0, joint]);
    ctx.apply_rule(&PART_BELOW_SHARE, &[cf, cf, pf, c0, joint, &t.k, &t.d]);
    ctx.apply_rule(&PART_BELOW_SHARE, &[pf, cf, pf, p0, joint, &t.k, &t.d]);
    ctx.apply_rule(&LOSS_BOUNDS, &[cf, pf, c0, p0, joint, &t.k, &t.d, &u1, &u2]);
    ctx.apply_rule(
        &NO_LOSS_PROPORTIONAL,
        &[cf, pf, c0, p0, joint, &t.k, &t.d, &u1, &u2],
    );
    let parts = c0 + p0;
    ctx.lemma(positive.implies(Bool::and(&[
        parts.le(joint),
        (&parts + 1).ge(joint),
        u1.ge(0),
        u2.ge(0),
    ])));
    ctx.lemma(positive.implies(Bool::and(&[
        (&u1 + &u2).lt(&t.d * 2),
        (&parts + 1).eq(joint).implies((&u1 + &u2).ge(&t.d)),
        parts.eq(joint).implies((pf * &u1).eq(cf * &u2)),
    ])));
    // The four checks in the scaled deficits.
    let supply = &c.supply;
    ctx.apply_rule(&OVER_FEE, &[c0, p0, cf, pf, supply, a, &u1, &u2]);
    ctx.apply_rule(&OVER_FEE, &[p0, c1, pf, cf, supply, a, &u2, &w1]);
    ctx.apply_rule(&OVER_FEE, &[c1, p1, cf, pf, supply, a, &w1, &w2]);
    ctx.apply_rule(&OVER_FEE, &[p1, c1, pf, cf, supply, a, &w2, &w1]);
    let g1 = |v1: &Int, v2: &Int| ((cf + 1) * v2 - (a - cf) * v1 - &ka1).ge(0);
    let g2 = |v1: &Int, v2: &Int| ((pf + 1) * v1 - (a - pf) * v2 - &ka1).ge(0);
    ctx.lemma(positive.implies(Bool::and(&[
        s.commission_back.iff(g1(&u1, &u2)),
        s.protocol_back.iff(g2(&w1, &u2)),
        s.fallback.iff(Bool::or(&[g1(&w1, &w2), g2(&w1, &w2)])),
    ])));
    // Giving back a share adds D to the deficit; a part over its fee has a non-zero fee.
    ctx.apply_rule(&SHIFT, &[c1, c0, &t.d]);
    ctx.apply_rule(&SHIFT, &[p1, p0, &t.d]);
    let s0 = ((supply + c0) + p0) + 1;
    let s1 = ((supply + c1) + p0) + 1;
    ctx.apply_rule(&MUL_LE, &[&num(1), &(cf + 1), &s0]);
    ctx.apply_rule(&MUL_LE, &[&num(1), &(pf + 1), &s1]);
    ctx.apply_rule(
        &OVER_NEEDS_FEE,
        &[c0, &t.a1, &((cf + 1) * &s0), &t.fees, joint, cf],
    );
    ctx.apply_rule(
        &OVER_NEEDS_FEE,
        &[p0, &t.a1, &((pf + 1) * &s1), &t.fees, joint, pf],
    );
    ctx.lemma(
        positive.implies(Bool::and(&[
            s.commission_back
                .implies(Bool::and(&[w1.eq(&u1 + &t.d), cf.ge(1)])),
            s.commission_back.not().implies(w1.eq(&u1)),
            s.protocol_back
                .implies(Bool::and(&[w2.eq(&u2 + &t.d), pf.ge(1)])),
            s.protocol_back.not().implies(w2.eq(&u2)),
        ])),
    );
    // The cases: the commission part over its fee, the protocol part over (the commission not), neither.
    let (back1, back2) = (s.commission_back.clone(), s.protocol_back.clone());
    ctx.apply_rule(&NO_LOSS_NOT_OVER, &[cf, pf, a, &u1, &u2, &ka1, &u1, &u2]);
    ctx.apply_rule(&NO_LOSS_NOT_OVER, &[pf, cf, a, &u2, &u1, &ka1, &u2, &w1]);
    ctx.apply_rule(
        &LOSS_ONE_GIVE_BACK,
        &[cf, pf, a, &u1, &u2, &t.d, &ka1, &u2, &w1, &w2],
    );
    ctx.apply_rule(
        &LOSS_ONE_GIVE_BACK,
        &[pf, cf, a, &u2, &u1, &t.d, &ka1, &w1, &w2, &w1],
    );
    ctx.apply_rule(&GIVE_BACK_ENOUGH, &[cf, a, &u1, &u2, &t.d, &ka1, &w1, &w2]);
    ctx.apply_rule(&GIVE_BACK_ENOUGH, &[pf, a, &u2, &u1, &t.d, &ka1, &w2, &w1]);
    ctx.apply_rule(&SAME_OVER, &[cf, a, &u1, &u2, &w1, &w2, &ka1]);
    ctx.apply_rule(&SAME_OVER, &[pf, a, &u2, &w1, &w2, &w1, &ka1]);
    ctx.lemma(
        Bool::and(&[positive.clone(), back1.clone()])
            .implies(Bool::and(&[back2.not(), s.fallback.not()])),
    );
    ctx.lemma(Bool::and(&[positive.clone(), back1.not(), back2.clone()]).implies(s.fallback.not()));
    ctx.lemma(Bool::and(&[positive.clone(), back1.not(), back2.not()]).implies(s.fallback.not()));
    let claim = Bool::and(&[
        s.fallback.not(),
        Bool::and(&[s.commission_back.clone(), s.protocol_back.clone()]).not(),
    ]);
    ctx.lemma(claim.clone());
    claim
}

fn each_fee_within_rate(ctx: &mut Ctx) -> Bool {
    let c = charge(ctx, Start::Any, Rates::UpTo(MAX_COMMISSION), Split::Real);
    let (vc, vp) = recipient_values(ctx, &c);
    let t = terms(&c);
    let one_share = one_share_suffices(ctx, &c, &t);
    let s = &c.split;
    let (cf, pf) = (&c.commission, &c.protocol_fee);
    let (m1, m2) = (&c.commission_shares, &c.protocol_shares);
    let s2 = &c.supply_after + 1;
    ctx.lemma(t.d.gt(0));
    // Without the fallback, each part passed the final check; with it, each part is feeShares of its own fee,
    // worth at most its fee at the price it was planned for, and the other part's shares only dilute it.
    ctx.lemma(s.fallback.not().implies(Bool::and(&[
        (m1 * &t.a1).lt((cf + 1) * &s2),
        (m2 * &t.a1).lt((pf + 1) * &s2),
    ])));
    ctx.lemma(s.fallback.implies(Bool::and(&[
        (m1 * (&t.a1 - cf)).le(cf * &t.k),
        (m2 * (&t.a1 - pf)).le(pf * &t.k),
    ])));
    ctx.lemma(Bool::and(&[
        (m1 * &t.a1).lt((cf + 1) * &s2),
        (m2 * &t.a1).lt((pf + 1) * &s2),
    ]));
    // So, floored, each is worth at most its fee; and each fee is at most its rate of the reward.
    ctx.apply_rule(&FLOOR_BELOW, &[&vc, &s2, &(m1 * &t.a1), cf]);
    ctx.apply_rule(&FLOOR_BELOW, &[&vp, &s2, &(m2 * &t.a1), pf]);
    ctx.lemma(Bool::and(&[vc.le(cf), vp.le(pf)]));
    ctx.lemma(Bool::and(&[
        (cf * 10_000).le(&c.commission_bps * &c.reward),
        (pf * 10_000).le(&c.protocol_bps * &c.reward),
    ]));
    Bool::and(&[each_claim_of(&c, &vc, &vp), one_share])
}

fn stakers_keep_sixty_percent(ctx: &mut Ctx) -> Bool {
    let c = charge(ctx, Start::Any, Rates::UpTo(MAX_COMMISSION), Split::Real);
    ctx.assume_no_revert();
    combined_lemmas(ctx, &c);
    ctx.lemma(((&c.commission + &c.protocol_fee) * 10).le(&c.reward * 4));
    // (S'+1)*D <= K*A1, and 10*D >= 10*(A0+1) + 6*R.
    let t = terms(&c);
    let s2 = &c.supply_after + 1;
    ctx.lemma((&s2 * &t.d).le(&t.k * &t.a1));
    ctx.apply_rule(
        &MUL_LE,
        &[
            &((&c.assets_before + 1) * 10 + &c.reward * 6),
            &(&t.d * 10),
            &s2,
        ],
    );
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
        (
            ctx.select(&zero, &num(0), &c),
            ctx.select(&zero, &num(0), &p),
        )
    } else {
        let split = fee_split(
            ctx,
            &commission,
            &protocol_fee,
            &supply,
            &total_assets,
            SplitKind::Fixed,
        );
        never_reverts_lemmas(
            ctx,
            &split,
            [&supply, &reward, &total_assets, &commission, &protocol_fee],
        );
        (split.commission_shares, split.protocol_shares)
    };
    ctx.name("commission", &commission);
    ctx.name("protocolFee", &protocol_fee);
    let minted = ctx.add(&supply, &cs);
    let _ = ctx.add(&minted, &ps);
    all(&ctx.take_guards())
}

/// Why `splitFeeShares` fits in 256 bits, as lemmas (`K = S+1`, `A1 = A+1`, `F` the fees, `D = A1-F`): with each
/// fee at most a fifth of the reward, `F < D`, so the joint shares `T` (`T*D <= F*K`) are below `K`, the floored
/// parts add up to at most `T`, and so do all the new shares with or without the fallback (`(m1+m2)*D <= F*K`); every
/// supply after minting is then at most `2S`, and each `_worthAfterMint` quotient is below `A1` (its shares are part
/// of the supply it divides by).
fn never_reverts_lemmas(
    ctx: &mut Ctx,
    s: &FeeSplit,
    [supply, reward, total_assets, commission, protocol_fee]: [&Int; 5],
) {
    let (k, a1, fees) = (supply + 1, total_assets + 1, commission + protocol_fee);
    let d = &a1 - &fees;
    let (c0, p0, c1, p1) = (
        &s.floor_commission,
        &s.floor_protocol,
        &s.stepped_commission,
        &s.stepped_protocol,
    );
    let (m1, m2) = (&s.commission_shares, &s.protocol_shares);
    ctx.lemma(Bool::and(&[
        (commission * 5).le(reward),
        (protocol_fee * 5).le(reward),
        reward.le(total_assets),
    ]));
    ctx.lemma(Bool::and(&[
        fees.lt(&d),
        commission.lt(&(&a1 - commission)),
        protocol_fee.lt(&(&a1 - protocol_fee)),
    ]));
    ctx.apply_rule(&MUL_LT, &[&fees, &d, &k]);
    ctx.apply_rule(&CANCEL_LT, &[&s.joint, &k, &d]);
    ctx.lemma(s.joint.lt(&k));
    let parts = c0 + p0;
    ctx.apply_rule(&CANCEL_LE, &[&parts, &s.joint, &fees]);
    ctx.lemma(Bool::and(&[parts.le(&s.joint), c1.le(c0), p1.le(p0)]));
    ctx.lemma(Bool::and(&[
        s.fallback.not().implies(Bool::and(&[m1.le(c0), m2.le(p0)])),
        s.fallback.implies(Bool::and(&[
            (m1 * (&a1 - commission)).le(commission * &k),
            (m2 * (&a1 - protocol_fee)).le(protocol_fee * &k),
        ])),
    ]));
    let minted = m1 + m2;
    ctx.apply_rule(&MUL_LE, &[&minted, &s.joint, &d]);
    ctx.apply_rule(&MUL_LE, &[&d, &(&a1 - commission), m1]);
    ctx.apply_rule(&MUL_LE, &[&d, &(&a1 - protocol_fee), m2]);
    ctx.lemma((&minted * &d).le(&fees * &k));
    ctx.apply_rule(&CANCEL_LT, &[&minted, &k, &d]);
    ctx.lemma(minted.lt(&k));
    // The fallback's own parts: m*(A1-fee) <= fee*K < (A1-fee)*K.
    for (own, fee) in [
        (&s.own_commission, commission),
        (&s.own_protocol, protocol_fee),
    ] {
        ctx.apply_rule(&MUL_LE, &[fee, &(&a1 - fee), &k]);
        ctx.apply_rule(&CANCEL_LE, &[own, &k, &(&a1 - fee)]);
    }
    let bound = two_256();
    for (x, after) in [
        (c0, supply + c0 + p0),
        (p0, supply + c1 + p0),
        (c1, supply + c1 + p1),
        (p1, supply + c1 + p1),
    ] {
        ctx.apply_rule(&PRODUCT_BELOW, &[x, &after, &a1, &bound]);
    }
}

fn fee_math_never_reverts(ctx: &mut Ctx) -> Bool {
    never_reverts(ctx, false)
}

fn setter_claim(ctx: &mut Ctx, cap: u64) -> Bool {
    let bps = ctx.uint("bps");
    let protocol_accepted = bps.le(num(cap));
    // queueValCommission(uint96): the ABI refuses >= 2^96, SmartOperator and BeraChef each check the cap.
    let (operator_cap, bera_chef_cap) = (num(cap), num(cap));
    let commission_accepted = Bool::and(&[
        bps.lt(Int::from_u128(1u128 << 96)),
        bps.le(&operator_cap),
        bps.le(&bera_chef_cap),
    ]);
    Bool::and(&[
        protocol_accepted.implies(bps.le(2000)),
        commission_accepted.implies(bps.le(2000)),
    ])
}

fn setters_cap_rates(ctx: &mut Ctx) -> Bool {
    setter_claim(ctx, MAX_COMMISSION.max(MAX_PROTOCOL_FEE))
}

fn neg_fees_within_rates(ctx: &mut Ctx) -> Bool {
    let c = charge(
        ctx,
        Start::FreshOracle,
        Rates::UpTo(MAX_COMMISSION),
        Split::BeforeReward,
    );
    ctx.assume_no_revert();
    combined_claim(&c)
}

fn neg_each_fee_within_rate(ctx: &mut Ctx) -> Bool {
    let c = charge(
        ctx,
        Start::FreshOracle,
        Rates::UpTo(MAX_COMMISSION),
        Split::BeforeReward,
    );
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

fn neg_floor_split_each_fee_within_rate(ctx: &mut Ctx) -> Bool {
    let c = charge(
        ctx,
        Start::Any,
        Rates::UpTo(MAX_COMMISSION),
        Split::FloorOnly,
    );
    each_claim(ctx, &c)
}
