//! z3 encodings of the functions in [`super::formulas`], over unbounded `Int` with explicit uint256 bounds.
//!
//! Every uint256 is an `Int` constrained to `[0, 2^256)`. Each operation that can revert in Solidity records
//! its "does not revert" condition as a *guard* (checked `+`/`-` stay in range, a `mulDiv` divisor is non-zero
//! and its result fits 256 bits); a property either assumes the guards (it speaks of executions that succeed)
//! or claims them (it states that nothing overflows). Floor division is encoded by a fresh quotient `q` with
//! `q*d <= x*y < q*d + d`, which is what OpenZeppelin's 512-bit `mulDiv` computes; rounding up adds one when
//! `q*d != x*y`. Where a (deliberately wrong) formula wraps, [`Ctx::wrapping_mul`] encodes `mod 2^256`.
//!
//! Path conditions ([`Ctx::when`]) scope both definitions and guards, so `if (fee == 0) return 0;` is encoded
//! faithfully: the division's constraints bind only when `fee != 0`.

use std::str::FromStr;
use std::time::{Duration, Instant};

use alloy_primitives::U256;
use z3::ast::{Bool, Int};
use z3::{Params, SatResult, Solver, Tactic};

use super::formulas::Rounding;
use super::{ProofReport, ProofResult};

/// `2^256` as a z3 numeral.
pub(crate) fn two_256() -> Int {
    int(U256::MAX) + 1
}

/// A `U256` as a z3 numeral.
pub(crate) fn int(value: U256) -> Int {
    Int::from_str(&value.to_string()).expect("a decimal numeral")
}

/// A `u64` as a z3 numeral.
pub(crate) fn num(value: u64) -> Int {
    Int::from_u64(value)
}

/// Conjunction of `items` (`true` when empty).
pub(crate) fn all(items: &[Bool]) -> Bool {
    if items.is_empty() {
        Bool::from_bool(true)
    } else {
        Bool::and(items)
    }
}

/// One query: a solver, the named values a counterexample reports, the current path condition and the guards
/// collected so far.
pub(crate) struct Ctx {
    solver: Solver,
    named: Vec<(String, Int)>,
    path: Vec<Bool>,
    guards: Vec<Bool>,
    lemmas: Vec<Bool>,
    fresh: usize,
    config: Config,
    /// Rules used whose proof failed (the check must then not claim a proof).
    pub(crate) unproved_rules: Vec<&'static str>,
}

/// A pure arithmetic fact, `forall vars: premise => conclusion`, proved once on its own (in a tiny query of
/// its own, on fresh integers) and then instantiated in a model with [`Ctx::apply_rule`]. Instantiating a valid
/// universal fact excludes no execution, so it is sound; it spares z3 from rediscovering the fact inside a
/// large nonlinear query, where its search is erratic.
pub(crate) struct Rule {
    /// Name, for reports.
    pub(crate) name: &'static str,
    /// Number of variables.
    pub(crate) arity: usize,
    /// `(premise, conclusion)` over the variables.
    pub(crate) build: fn(&[Int]) -> (Bool, Bool),
}

impl Rule {
    /// Whether the rule is valid (proved by z3 within a few seconds; cached per rule).
    fn proved(&'static self) -> bool {
        use std::collections::HashMap;
        use std::sync::{Mutex, OnceLock};
        static PROVED: OnceLock<Mutex<HashMap<&'static str, bool>>> = OnceLock::new();
        let cache = PROVED.get_or_init(|| Mutex::new(HashMap::new()));
        if let Some(&known) = cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(self.name)
        {
            return known;
        }
        let valid = std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    // Polynomial identities need the products multiplied out (`som`, sums of monomials) and the
                    // defining equations of a rule solved first; plain `smt` does not find them.
                    let mut som = Params::new();
                    som.set_bool("som", true);
                    let simplify = Tactic::new("simplify").with(&som);
                    let solver = simplify
                        .and_then(&Tactic::new("solve-eqs"))
                        .and_then(&simplify)
                        .and_then(&Tactic::new("smt"))
                        .solver();
                    let mut params = Params::new();
                    params.set_u32("timeout", 5_000);
                    solver.set_params(&params);
                    let vars: Vec<Int> = (0..self.arity)
                        .map(|i| Int::new_const(format!("v{i}")))
                        .collect();
                    let (premise, conclusion) = (self.build)(&vars);
                    solver.assert(&premise);
                    solver.assert(conclusion.not());
                    solver.check() == SatResult::Unsat
                })
                .join()
                .unwrap_or(false)
        });
        cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(self.name, valid);
        valid
    }
}

/// `0 <= m` and `x <= y` give `x*m <= y*m`.
pub(crate) static MUL_LE: Rule = Rule {
    name: "mul-le",
    arity: 3,
    build: |v| {
        let (x, y, m) = (&v[0], &v[1], &v[2]);
        (Bool::and(&[m.ge(0), x.le(y)]), (x * m).le(y * m))
    },
};

/// `0 < m` and `x < y` give `x*m < y*m`.
pub(crate) static MUL_LT: Rule = Rule {
    name: "mul-lt",
    arity: 3,
    build: |v| {
        let (x, y, m) = (&v[0], &v[1], &v[2]);
        (Bool::and(&[m.gt(0), x.lt(y)]), (x * m).lt(y * m))
    },
};

/// `0 < f` and `u*f <= v*f` give `u <= v`.
pub(crate) static CANCEL_LE: Rule = Rule {
    name: "cancel-le",
    arity: 3,
    build: |v| {
        let (u, w, f) = (&v[0], &v[1], &v[2]);
        (Bool::and(&[f.gt(0), (u * f).le(w * f)]), u.le(w))
    },
};

/// `0 < f` and `u*f < v*f` give `u < v`.
pub(crate) static CANCEL_LT: Rule = Rule {
    name: "cancel-lt",
    arity: 3,
    build: |v| {
        let (u, w, f) = (&v[0], &v[1], &v[2]);
        (Bool::and(&[f.gt(0), (u * f).lt(w * f)]), u.lt(w))
    },
};

/// `0 <= x <= e` and `0 <= y < m` give `x*y < m*(e+1)` (a `mulDiv(x, y, e+1)` with `x <= e` fits below `m`).
pub(crate) static PRODUCT_BELOW: Rule = Rule {
    name: "product-below",
    arity: 4,
    build: |v| {
        let (x, e, y, m) = (&v[0], &v[1], &v[2], &v[3]);
        (
            Bool::and(&[x.ge(0), x.le(e), y.ge(0), y.lt(m)]),
            (x * y).lt(m * (e + 1)),
        )
    },
};

/// How a query is posed: z3's random seed and how `if/else` values are encoded. Every configuration states
/// the same formula (up to equivalence), so any definite answer is the answer; `Check::run` tries several
/// because z3's nonlinear-integer search is sensitive to both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Config {
    /// z3's `random_seed`.
    pub(crate) seed: u32,
    /// `true`: an `if/else` value is a fresh variable bound by two implications; `false`: an `ite` term.
    pub(crate) select_vars: bool,
}

impl Ctx {
    /// A fresh query with a solver timeout.
    pub(crate) fn new(timeout: Duration) -> Self {
        Self::with_config(timeout, Config::default())
    }

    /// A fresh query posed in configuration `config`.
    pub(crate) fn with_config(timeout: Duration, config: Config) -> Self {
        let solver = Solver::new();
        let mut params = Params::new();
        params.set_u32(
            "timeout",
            u32::try_from(timeout.as_millis())
                .unwrap_or(u32::MAX)
                .max(1),
        );
        params.set_u32("random_seed", config.seed);
        solver.set_params(&params);
        Self {
            solver,
            named: Vec::new(),
            path: Vec::new(),
            guards: Vec::new(),
            lemmas: Vec::new(),
            fresh: 0,
            config,
            unproved_rules: Vec::new(),
        }
    }

    /// The underlying solver (for the encoding-agreement tests).
    #[cfg(test)]
    pub(crate) fn solver(&self) -> &Solver {
        &self.solver
    }

    fn path_condition(&self) -> Bool {
        all(&self.path)
    }

    /// Asserts `fact` under the current path condition (a definition or a hypothesis).
    pub(crate) fn assume(&self, fact: Bool) {
        if self.path.is_empty() {
            self.solver.assert(&fact);
        } else {
            self.solver.assert(self.path_condition().implies(&fact));
        }
    }

    /// Records `ok` (under the current path condition) as a condition for the execution not to revert.
    pub(crate) fn guard(&mut self, ok: Bool) {
        let ok = if self.path.is_empty() {
            ok
        } else {
            self.path_condition().implies(&ok)
        };
        self.guards.push(ok);
    }

    /// The guards collected since the last call, leaving none.
    pub(crate) fn take_guards(&mut self) -> Vec<Bool> {
        std::mem::take(&mut self.guards)
    }

    /// Assumes every guard collected so far: the property speaks of executions that do not revert.
    pub(crate) fn assume_no_revert(&mut self) {
        for g in self.take_guards() {
            self.solver.assert(&g);
        }
    }

    /// States an intermediate fact about the model, to be proved on its own before the claim (see
    /// `Check::run`); must be stated after everything it depends on is asserted.
    pub(crate) fn lemma(&mut self, fact: Bool) {
        self.lemmas.push(fact);
    }

    /// Asserts the instance of `rule` at `args` (the rule is proved first, once).
    pub(crate) fn apply_rule(&mut self, rule: &'static Rule, args: &[&Int]) {
        assert_eq!(args.len(), rule.arity, "rule {}", rule.name);
        if !rule.proved() {
            self.unproved_rules.push(rule.name);
            return;
        }
        let args: Vec<Int> = args.iter().map(|a| (*a).clone()).collect();
        let (premise, conclusion) = (rule.build)(&args);
        self.solver.assert(premise.implies(&conclusion));
    }

    /// How many lemmas the builder stated.
    pub(crate) fn lemma_count(&self) -> usize {
        self.lemmas.len()
    }

    /// For step `step` of a chain: asserts lemmas `0..step` and returns lemma `step`, or `None` for the final
    /// step (the claim).
    pub(crate) fn lemma_step(&mut self, step: usize) -> Option<Bool> {
        for lemma in self.lemmas.iter().take(step) {
            self.solver.assert(lemma);
        }
        self.lemmas.get(step).cloned()
    }

    /// Runs `body` with `cond` added to the path condition.
    pub(crate) fn when<T>(&mut self, cond: Bool, body: impl FnOnce(&mut Self) -> T) -> T {
        self.path.push(cond);
        let out = body(self);
        self.path.pop();
        out
    }

    /// Reports `value` under `name` in a counterexample.
    pub(crate) fn name(&mut self, name: &str, value: &Int) {
        self.named.push((name.to_string(), value.clone()));
    }

    /// A named input in `[lo, hi]` (inclusive).
    pub(crate) fn input(&mut self, name: &str, lo: &Int, hi: &Int) -> Int {
        let x = Int::new_const(name);
        self.solver.assert(x.ge(lo));
        self.solver.assert(x.le(hi));
        self.name(name, &x);
        x
    }

    /// A named uint256 input.
    pub(crate) fn uint(&mut self, name: &str) -> Int {
        self.input(name, &num(0), &int(U256::MAX))
    }

    /// A named input fixed to `value` (a pinned state of a replayable control, still reported).
    pub(crate) fn fixed(&mut self, name: &str, value: U256) -> Int {
        let v = int(value);
        self.name(name, &v);
        v
    }

    fn fresh_int(&mut self, prefix: &str) -> Int {
        self.fresh += 1;
        Int::new_const(format!("{prefix}!{}", self.fresh))
    }

    /// `if cond { then } else { otherwise }`: an `ite` term, or (see [`Config::select_vars`]) a fresh variable
    /// bound by two implications, so that nonlinear arithmetic sees an atom and the case split stays
    /// propositional.
    pub(crate) fn select(&mut self, cond: &Bool, then: &Int, otherwise: &Int) -> Int {
        if !self.config.select_vars {
            return cond.ite(then, otherwise);
        }
        let v = self.fresh_int("sel");
        self.assume(cond.implies(v.eq(then)));
        self.assume(cond.not().implies(v.eq(otherwise)));
        v
    }

    /// Checked `a + b`: guarded to stay below `2^256`.
    pub(crate) fn add(&mut self, a: &Int, b: &Int) -> Int {
        let sum = a + b;
        self.guard(sum.lt(two_256()));
        sum
    }

    /// Checked `a - b`: guarded not to go below zero.
    pub(crate) fn sub(&mut self, a: &Int, b: &Int) -> Int {
        self.guard(a.ge(b));
        a - b
    }

    /// Checked `a * b`: guarded to stay below `2^256`.
    pub(crate) fn mul(&mut self, a: &Int, b: &Int) -> Int {
        let product = a * b;
        self.guard(product.lt(two_256()));
        product
    }

    /// Floor of `x*y/d` as a fresh quotient (defined when `d > 0`; no guard).
    pub(crate) fn floor_div(&mut self, x: &Int, y: &Int, d: &Int) -> Int {
        let q = self.fresh_int("q");
        let p = x * y;
        let qd = &q * d;
        let def = Bool::and(&[qd.le(&p), p.lt(&qd + d), q.ge(0)]);
        self.assume(d.gt(0).implies(&def));
        q
    }

    /// OpenZeppelin `Math.mulDiv(x, y, d, rounding)`: guarded by `d > 0` and a result below `2^256`.
    pub(crate) fn mul_div(&mut self, x: &Int, y: &Int, d: &Int, rounding: Rounding) -> Int {
        let q = self.floor_div(x, y, d);
        let result = match rounding {
            Rounding::Floor => q,
            Rounding::Ceil => {
                let exact = (&q * d).eq(x * y);
                self.select(&exact, &q, &(&q + 1))
            }
        };
        self.guard(d.gt(0));
        self.guard(result.lt(two_256()));
        result
    }

    /// Whether OpenZeppelin `Math.mulDiv(x, y, d)` (floor) exceeds `bound`, encoded without a fresh quotient as
    /// `x*y >= (bound+1)*d` (the same for `d > 0`) and guarded like [`Ctx::mul_div`]: `d > 0` and a quotient below
    /// `2^256`, i.e. `x*y < 2^256*d`.
    pub(crate) fn mul_div_exceeds(&mut self, x: &Int, y: &Int, d: &Int, bound: &Int) -> Bool {
        self.guard(d.gt(0));
        self.guard((x * y).lt(two_256() * d));
        (x * y).ge((bound + 1) * d)
    }

    /// `unchecked { a * b }`: the product mod `2^256` (for deliberately wrong formulas).
    pub(crate) fn wrapping_mul(&mut self, a: &Int, b: &Int) -> Int {
        let k = self.fresh_int("k");
        let w = self.fresh_int("w");
        self.assume(Bool::and(&[
            (a * b).eq(&k * two_256() + &w),
            k.ge(0),
            w.ge(0),
            w.lt(two_256()),
        ]));
        w
    }

    /// Unchecked floor division `a / b` for `b > 0` (Solidity's `/`; guarded by `b > 0`).
    pub(crate) fn div(&mut self, a: &Int, b: &Int) -> Int {
        self.guard(b.gt(0));
        self.floor_div(a, &num(1), b)
    }

    /// Checks `claim` for every assignment satisfying what was asserted: `Proved` when its negation is
    /// unsatisfiable, `Counterexample` with the named values when it is satisfiable, `Unknown` otherwise.
    pub(crate) fn check(
        self,
        property: &'static str,
        statement: &'static str,
        claim: Bool,
    ) -> ProofReport {
        let start = Instant::now();
        if !self.unproved_rules.is_empty() {
            let reason = format!("rules not proved: {}", self.unproved_rules.join(", "));
            return ProofReport {
                property,
                statement,
                result: ProofResult::Unknown(reason),
                elapsed: start.elapsed(),
            };
        }
        self.solver.assert(claim.not());
        let result = match self.solver.check() {
            SatResult::Unsat => ProofResult::Proved,
            SatResult::Sat => match self.solver.get_model() {
                Some(model) => ProofResult::Counterexample(
                    self.named
                        .iter()
                        .map(|(name, value)| {
                            let v = model
                                .eval(value, true)
                                .map(|v| v.to_string())
                                .unwrap_or_else(|| "?".into());
                            (name.clone(), v)
                        })
                        .collect(),
                ),
                None => ProofResult::Unknown("satisfiable but z3 returned no model".into()),
            },
            SatResult::Unknown => ProofResult::Unknown(
                self.solver
                    .get_reason_unknown()
                    .unwrap_or_else(|| "unknown".into()),
            ),
        };
        ProofReport {
            property,
            statement,
            result,
            elapsed: start.elapsed(),
        }
    }
}

// ------------------------------------------------------------------------------------------------------------
// The suite's functions, mirrored from `formulas`.

/// `StBERA._toShares`.
pub(crate) fn to_shares(
    ctx: &mut Ctx,
    assets: &Int,
    supply: &Int,
    total_assets: &Int,
    rounding: Rounding,
) -> Int {
    let s1 = ctx.add(supply, &num(1));
    let a1 = ctx.add(total_assets, &num(1));
    ctx.mul_div(assets, &s1, &a1, rounding)
}

/// `StBERA._toAssets`.
pub(crate) fn to_assets(
    ctx: &mut Ctx,
    shares: &Int,
    supply: &Int,
    total_assets: &Int,
    rounding: Rounding,
) -> Int {
    let a1 = ctx.add(total_assets, &num(1));
    let s1 = ctx.add(supply, &num(1));
    ctx.mul_div(shares, &a1, &s1, rounding)
}

/// `StBERA.previewDeposit`.
pub(crate) fn preview_deposit(
    ctx: &mut Ctx,
    assets: &Int,
    supply: &Int,
    total_assets: &Int,
) -> Int {
    to_shares(ctx, assets, supply, total_assets, Rounding::Floor)
}

/// `StBERA.previewMint`.
pub(crate) fn preview_mint(ctx: &mut Ctx, shares: &Int, supply: &Int, total_assets: &Int) -> Int {
    to_assets(ctx, shares, supply, total_assets, Rounding::Ceil)
}

/// `StBERA.previewWithdraw`.
pub(crate) fn preview_withdraw(
    ctx: &mut Ctx,
    assets: &Int,
    supply: &Int,
    total_assets: &Int,
) -> Int {
    to_shares(ctx, assets, supply, total_assets, Rounding::Ceil)
}

/// `StBERA.previewRedeem`.
pub(crate) fn preview_redeem(ctx: &mut Ctx, shares: &Int, supply: &Int, total_assets: &Int) -> Int {
    to_assets(ctx, shares, supply, total_assets, Rounding::Floor)
}

/// `FeeMath.feeOf`.
pub(crate) fn fee_of(ctx: &mut Ctx, reward: &Int, bps: &Int) -> Int {
    ctx.mul_div(
        reward,
        bps,
        &num(super::formulas::ONE_HUNDRED_PERCENT),
        Rounding::Floor,
    )
}

/// `FeeMath.feeShares` (the `fee == 0` early return included).
pub(crate) fn fee_shares(ctx: &mut Ctx, fee: &Int, supply: &Int, total_assets: &Int) -> Int {
    fee_shares_with_quotient(ctx, fee, supply, total_assets).0
}

/// `FeeMath.feeShares`, and the quotient of its `mulDiv` (the result when `fee != 0`).
fn fee_shares_with_quotient(
    ctx: &mut Ctx,
    fee: &Int,
    supply: &Int,
    total_assets: &Int,
) -> (Int, Int) {
    let zero = fee.eq(0);
    let q = ctx.when(zero.not(), |ctx| {
        let a1 = ctx.add(total_assets, &num(1));
        let denominator = ctx.sub(&a1, fee);
        let s1 = ctx.add(supply, &num(1));
        ctx.mul_div(fee, &s1, &denominator, Rounding::Floor)
    });
    (ctx.select(&zero, &num(0), &q), q)
}

/// `FeeMath._worthAfterMint(shares, supplyAfter, totalAssets) > fee`: whether `shares` are worth more than `fee` at
/// the price once the supply is `supply_after` ([`Ctx::mul_div_exceeds`]).
pub(crate) fn worth_after_mint_exceeds(
    ctx: &mut Ctx,
    shares: &Int,
    supply_after: &Int,
    total_assets: &Int,
    fee: &Int,
) -> Bool {
    let a1 = ctx.add(total_assets, &num(1));
    let s1 = ctx.add(supply_after, &num(1));
    ctx.mul_div_exceeds(shares, &a1, &s1, fee)
}

/// Which `splitFeeShares` a model charges with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SplitKind {
    /// `FeeMath.splitFeeShares` as written: the floored pro-rata split, one share given back by a part worth more
    /// than its fee, the per-part fallback.
    Fixed,
    /// The floored pro-rata split alone (FIND-FEE-001; the variant `fee-floor-split`).
    FloorOnly,
}

/// The values of one `FeeMath.splitFeeShares`, intermediate ones included (for lemmas). Every value is `0` (every
/// flag false) when both fees are zero.
pub(crate) struct FeeSplit {
    /// The result: commission shares.
    pub(crate) commission_shares: Int,
    /// The result: protocol-fee shares.
    pub(crate) protocol_shares: Int,
    /// `feeShares(commission + protocolFee, supply, totalAssets)`, the joint shares split.
    pub(crate) joint: Int,
    /// The floored pro-rata parts `joint*commission/total`, `joint*protocolFee/total`.
    pub(crate) floor_commission: Int,
    pub(crate) floor_protocol: Int,
    /// The parts after each gave back a share or not.
    pub(crate) stepped_commission: Int,
    pub(crate) stepped_protocol: Int,
    /// The fallback's parts, `feeShares(commission, ...)` and `feeShares(protocolFee, ...)` (defined when taken).
    pub(crate) own_commission: Int,
    pub(crate) own_protocol: Int,
    /// Whether the commission part, then the protocol part, gave back a share.
    pub(crate) commission_back: Bool,
    pub(crate) protocol_back: Bool,
    /// Whether the per-part fallback was taken.
    pub(crate) fallback: Bool,
    /// The intermediate values of the path with non-zero fees, without the zero of the other path (each is that
    /// path's value whenever the fees are not both zero).
    pub(crate) path: SplitPath,
}

/// The values of `splitFeeShares` on its path with non-zero fees.
#[derive(Clone)]
pub(crate) struct SplitPath {
    /// The joint shares `T` (the quotient of `feeShares`' `mulDiv`).
    pub(crate) joint: Int,
    /// The floored pro-rata parts.
    pub(crate) floor_commission: Int,
    pub(crate) floor_protocol: Int,
    /// The parts after each gave back a share or not.
    pub(crate) stepped_commission: Int,
    pub(crate) stepped_protocol: Int,
}

/// `FeeMath.splitFeeShares`: `(commissionShares, protocolShares)`.
#[cfg(test)]
pub(crate) fn split_fee_shares(
    ctx: &mut Ctx,
    commission: &Int,
    protocol_fee: &Int,
    supply: &Int,
    total_assets: &Int,
) -> (Int, Int) {
    let s = fee_split(
        ctx,
        commission,
        protocol_fee,
        supply,
        total_assets,
        SplitKind::Fixed,
    );
    (s.commission_shares, s.protocol_shares)
}

/// `FeeMath.splitFeeShares` (or, for `SplitKind::FloorOnly`, its floored split alone), with its intermediate values.
pub(crate) fn fee_split(
    ctx: &mut Ctx,
    commission: &Int,
    protocol_fee: &Int,
    supply: &Int,
    total_assets: &Int,
    kind: SplitKind,
) -> FeeSplit {
    let total = ctx.add(commission, protocol_fee);
    let zero = total.eq(0);
    let split = ctx.when(zero.not(), |ctx| {
        let (joint, quotient) = fee_shares_with_quotient(ctx, &total, supply, total_assets);
        let c0 = ctx.mul_div(&joint, commission, &total, Rounding::Floor);
        let p0 = ctx.mul_div(&joint, protocol_fee, &total, Rounding::Floor);
        let no = Bool::from_bool(false);
        let mut path = SplitPath {
            joint: quotient,
            floor_commission: c0.clone(),
            floor_protocol: p0.clone(),
            stepped_commission: c0.clone(),
            stepped_protocol: p0.clone(),
        };
        if kind == SplitKind::FloorOnly {
            return FeeSplit {
                commission_shares: c0.clone(),
                protocol_shares: p0.clone(),
                joint,
                floor_commission: c0.clone(),
                floor_protocol: p0.clone(),
                stepped_commission: c0.clone(),
                stepped_protocol: p0.clone(),
                own_commission: c0,
                own_protocol: p0,
                commission_back: no.clone(),
                protocol_back: no.clone(),
                fallback: no,
                path,
            };
        }
        // if (_worthAfterMint(c, supply + c + p, totalAssets) > commission) --c;
        let after = ctx.add(supply, &c0);
        let after = ctx.add(&after, &p0);
        let commission_back = worth_after_mint_exceeds(ctx, &c0, &after, total_assets, commission);
        let less = ctx.when(commission_back.clone(), |ctx| ctx.sub(&c0, &num(1)));
        let c1 = ctx.select(&commission_back, &less, &c0);
        // if (_worthAfterMint(p, supply + c + p, totalAssets) > protocolFee) --p;
        let after = ctx.add(supply, &c1);
        let after = ctx.add(&after, &p0);
        let protocol_back = worth_after_mint_exceeds(ctx, &p0, &after, total_assets, protocol_fee);
        let less = ctx.when(protocol_back.clone(), |ctx| ctx.sub(&p0, &num(1)));
        let p1 = ctx.select(&protocol_back, &less, &p0);
        // if (worth(c) > commission || worth(p) > protocolFee) { c = feeShares(commission); p = feeShares(protocolFee); }
        let after = ctx.add(supply, &c1);
        let after = ctx.add(&after, &p1);
        let commission_over = worth_after_mint_exceeds(ctx, &c1, &after, total_assets, commission);
        let protocol_over = ctx.when(commission_over.not(), |ctx| {
            worth_after_mint_exceeds(ctx, &p1, &after, total_assets, protocol_fee)
        });
        let fallback = Bool::or(&[
            commission_over.clone(),
            Bool::and(&[commission_over.not(), protocol_over]),
        ]);
        path.stepped_commission = c1.clone();
        path.stepped_protocol = p1.clone();
        let (fc, fp) = ctx.when(fallback.clone(), |ctx| {
            (
                fee_shares(ctx, commission, supply, total_assets),
                fee_shares(ctx, protocol_fee, supply, total_assets),
            )
        });
        FeeSplit {
            commission_shares: ctx.select(&fallback, &fc, &c1),
            protocol_shares: ctx.select(&fallback, &fp, &p1),
            joint,
            floor_commission: c0,
            floor_protocol: p0,
            stepped_commission: c1,
            stepped_protocol: p1,
            own_commission: fc,
            own_protocol: fp,
            commission_back,
            protocol_back,
            fallback,
            path,
        }
    });
    let z = num(0);
    FeeSplit {
        commission_shares: ctx.select(&zero, &z, &split.commission_shares),
        protocol_shares: ctx.select(&zero, &z, &split.protocol_shares),
        joint: ctx.select(&zero, &z, &split.joint),
        floor_commission: ctx.select(&zero, &z, &split.floor_commission),
        floor_protocol: ctx.select(&zero, &z, &split.floor_protocol),
        stepped_commission: ctx.select(&zero, &z, &split.stepped_commission),
        stepped_protocol: ctx.select(&zero, &z, &split.stepped_protocol),
        own_commission: ctx.select(&zero, &z, &split.own_commission),
        own_protocol: ctx.select(&zero, &z, &split.own_protocol),
        commission_back: Bool::and(&[zero.not(), split.commission_back]),
        protocol_back: Bool::and(&[zero.not(), split.protocol_back]),
        fallback: Bool::and(&[zero.not(), split.fallback]),
        path: split.path,
    }
}

/// `FeeMath.netOfFees`.
pub(crate) fn net_of_fees(
    ctx: &mut Ctx,
    amount: &Int,
    commission_bps: &Int,
    protocol_bps: &Int,
) -> Int {
    let combined = ctx.add(commission_bps, protocol_bps);
    let fee = fee_of(ctx, amount, &combined);
    ctx.sub(amount, &fee)
}
