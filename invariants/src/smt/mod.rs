//! SMT-checked invariants: z3 models of the suite's arithmetic, proved for every input in range.
//!
//! Fuzzing samples; this proves. Each property below is a statement about the Solidity arithmetic of
//! `contracts/src/core/` (share conversion in `StBERA.sol`, fees in `FeeMath.sol`, the withdrawal delay and the
//! per-pool books in `WithdrawalVault.sol`, dead shares in `StakingPool.activate`), encoded in z3's integer
//! theory: a uint256 is an `Int` in `[0, 2^256)` with explicit bounds, checked arithmetic is a guard (the
//! property speaks of executions that do not revert, or claims that nothing reverts), and a wrapping operation
//! is encoded `mod 2^256`. Nonlinear 256-bit bit-vector queries time out; the same statements over bounded
//! integers prove in milliseconds to seconds.
//!
//! Three lists:
//! - [`prove_all`]: the real properties; each must come back [`ProofResult::Proved`].
//! - [`negative_controls`]: each property stated over a deliberately wrong formula (rounding the wrong way,
//!   a 25% cap, missing dead shares, ...); each must come back [`ProofResult::Counterexample`], and the test
//!   `tests/prove.rs` replays that counterexample on the matching broken contract variant ([`variants`]) in revm
//!   to show the loss. A control that found nothing would mean the model cannot see the bug it is about.
//! - [`findings`]: statements of `SPEC.md` that the contracts as written do *not* satisfy; each comes back a
//!   counterexample, replayed on the real contracts by `tests/prove.rs`. Empty now: the one finding,
//!   FIND-FEE-001 (`FeeMath.splitFeeShares`' floored split could give a recipient shares worth a few wei more than its
//!   fee), is fixed; SMT-FEE-002 proves the fix and NEG-FEE-006 keeps the old formula as a negative control.
//!
//! Every model is tied to the bytecode: [`formulas`] evaluates the same functions in Rust with the contracts'
//! exact rounding and revert behaviour, the unit tests of this module check that the z3 encodings agree with
//! [`formulas`] point by point, and `tests/smt_differential.rs` checks [`formulas`] against the compiled
//! contracts in revm on tens of thousands of random and edge inputs.
//!
//! z3 is the system library (Debian `libz3-dev`, found through pkg-config); see the README.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// The evaluators live at the crate root, where the fuzzing oracle uses them too, without z3.
pub use crate::formulas;
mod model;
pub mod variants;

mod fees;
mod inflation;
mod shares;
mod withdrawals;

use z3::ast::Bool;

/// Outcome of one SMT query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProofResult {
    /// The statement holds for every input in range (its negation is unsatisfiable).
    Proved,
    /// z3 found inputs that violate the statement: `(name, decimal value)` of the model's named inputs and
    /// intermediate values.
    Counterexample(Vec<(String, String)>),
    /// z3 gave up (timeout, incomplete theory); the reason z3 reported.
    Unknown(String),
}

impl ProofResult {
    /// `"proved"`, `"counterexample"` or `"unknown"`.
    pub fn label(&self) -> &'static str {
        match self {
            ProofResult::Proved => "proved",
            ProofResult::Counterexample(_) => "counterexample",
            ProofResult::Unknown(_) => "unknown",
        }
    }

    /// The value named `name` in a counterexample.
    pub fn value(&self, name: &str) -> Option<&str> {
        match self {
            ProofResult::Counterexample(values) => values
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str()),
            _ => None,
        }
    }
}

/// The result of checking one property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofReport {
    /// Stable id, e.g. `SMT-SHARE-001` (`NEG-…` for a negative control, `FIND-…` for a finding).
    pub property: &'static str,
    /// What is claimed, in words.
    pub statement: &'static str,
    /// What z3 said.
    pub result: ProofResult,
    /// Time spent building and solving the query.
    pub elapsed: Duration,
}

/// One SMT check: an id, its statement, and the builder that asserts the model's hypotheses into a fresh query
/// and returns the claim.
pub(crate) struct Check {
    pub(crate) id: &'static str,
    pub(crate) statement: &'static str,
    pub(crate) build: fn(&mut model::Ctx) -> Bool,
}

impl Check {
    /// Runs the query. A builder may state lemmas ([`model::Ctx::lemma`]) on the way to its claim: then the
    /// check is a chain of queries over the same model, lemma `i` proved with lemmas `0..i` assumed, the claim
    /// with all of them assumed; each lemma is valid for the model, so assuming it excludes no execution, and
    /// a counterexample at any step is a real one (reported with `failedStep`). Every query runs on a thread of
    /// its own: z3's context is per thread, so each starts from a fresh context and its result and time do not
    /// depend on which queries ran before it.
    fn run(&self, timeout: Duration) -> ProofReport {
        let steps = self.step_count();
        let mut elapsed = Duration::ZERO;
        for step in 0..=steps {
            let mut report = self.run_step(step, timeout);
            elapsed += report.elapsed;
            let last = step == steps;
            if last || report.result != ProofResult::Proved {
                match (&mut report.result, last) {
                    (ProofResult::Counterexample(values), false) => {
                        values.insert(0, ("failedStep".to_string(), format!("lemma {step}")));
                    }
                    (ProofResult::Unknown(reason), false) => {
                        *reason = format!("lemma {step}: {reason}")
                    }
                    _ => {}
                }
                report.elapsed = elapsed;
                return report;
            }
        }
        unreachable!("the last step returns")
    }

    fn step_count(&self) -> usize {
        std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let mut ctx = model::Ctx::new(Duration::from_secs(1));
                    let _ = (self.build)(&mut ctx);
                    ctx.lemma_count()
                })
                .join()
                .expect("an SMT builder panicked")
        })
    }

    /// One step, as a small portfolio: z3's nonlinear search is sensitive to its random seed and to how
    /// `if/else` values are encoded, so the step is posed in a few equivalent configurations, each with a
    /// short budget, then in the first again with whatever is left of `timeout`; the first definite answer
    /// (proved or counterexample; both are sound in every configuration) is the result.
    fn run_step(&self, step: usize, timeout: Duration) -> ProofReport {
        let start = Instant::now();
        let quick = timeout.min(Duration::from_millis(2_500));
        let configs = [
            model::Config {
                seed: 0,
                select_vars: false,
            },
            model::Config {
                seed: 0,
                select_vars: true,
            },
            model::Config {
                seed: 1,
                select_vars: false,
            },
            model::Config {
                seed: 2,
                select_vars: true,
            },
        ];
        let mut last = None;
        for (i, config) in configs
            .iter()
            .chain(std::iter::once(&configs[0]))
            .enumerate()
        {
            let budget = if i < configs.len() {
                quick
            } else {
                timeout.saturating_sub(start.elapsed())
            };
            if budget.is_zero() {
                break;
            }
            let report = self.run_once(step, budget, *config);
            if !matches!(report.result, ProofResult::Unknown(_)) {
                return ProofReport {
                    elapsed: start.elapsed(),
                    ..report
                };
            }
            last = Some(report);
        }
        let report = last.expect("at least one attempt");
        ProofReport {
            elapsed: start.elapsed(),
            ..report
        }
    }

    fn run_once(&self, step: usize, timeout: Duration, config: model::Config) -> ProofReport {
        std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let start = Instant::now();
                    let mut ctx = model::Ctx::with_config(timeout, config);
                    let claim = (self.build)(&mut ctx);
                    let goal = ctx.lemma_step(step).unwrap_or(claim);
                    let mut report = ctx.check(self.id, self.statement, goal);
                    report.elapsed = start.elapsed();
                    report
                })
                .join()
                .expect("an SMT query panicked")
        })
    }
}

/// A negative control: a check over a deliberately wrong formula, and the contract variant it matches.
pub(crate) struct Control {
    pub(crate) check: Check,
    /// The property it is the control of.
    pub(crate) of: &'static str,
    /// Name of the [`variants::Variant`] the counterexample replays on.
    pub(crate) variant: &'static str,
}

fn all_properties() -> Vec<&'static Check> {
    shares::PROPERTIES
        .iter()
        .chain(inflation::PROPERTIES)
        .chain(fees::PROPERTIES)
        .chain(withdrawals::PROPERTIES)
        .collect()
}

fn all_controls() -> Vec<&'static Control> {
    shares::CONTROLS
        .iter()
        .chain(inflation::CONTROLS)
        .chain(fees::CONTROLS)
        .chain(withdrawals::CONTROLS)
        .collect()
}

/// Checks every property; each should be [`ProofResult::Proved`]. `timeout` bounds each z3 query.
pub fn prove_all(timeout: Duration) -> Vec<ProofReport> {
    all_properties()
        .into_iter()
        .map(|c| c.run(timeout))
        .collect()
}

/// Checks every negative control; each should be a [`ProofResult::Counterexample`].
pub fn negative_controls(timeout: Duration) -> Vec<ProofReport> {
    all_controls()
        .into_iter()
        .map(|c| c.check.run(timeout))
        .collect()
}

/// Checks the statements of `SPEC.md` that the contracts are known to violate; each should be a
/// [`ProofResult::Counterexample`] until the contracts are fixed (then the statement belongs in
/// [`prove_all`]). None at present.
pub fn findings(timeout: Duration) -> Vec<ProofReport> {
    fees::FINDINGS.iter().map(|c| c.run(timeout)).collect()
}

/// The ids and statements of every property, without solving.
pub fn property_ids() -> Vec<(&'static str, &'static str)> {
    all_properties()
        .into_iter()
        .map(|c| (c.id, c.statement))
        .collect()
}

/// For a negative control id: the property it controls and the name of the [`variants::Variant`] that its
/// counterexample replays on.
pub fn control_info(control: &str) -> Option<(&'static str, &'static str)> {
    all_controls()
        .into_iter()
        .find(|c| c.check.id == control)
        .map(|c| (c.of, c.variant))
}

/// Renders reports as a plain-text table: property, result, time.
pub fn render_table(reports: &[ProofReport]) -> String {
    let width = reports
        .iter()
        .map(|r| r.property.len())
        .max()
        .unwrap_or(8)
        .max(8);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<width$}  {:<14}  {:>10}",
        "property", "result", "time"
    );
    let _ = writeln!(out, "{:-<width$}  {:-<14}  {:->10}", "", "", "");
    let mut total = Duration::ZERO;
    for r in reports {
        total += r.elapsed;
        let _ = writeln!(
            out,
            "{:<width$}  {:<14}  {:>8.1}ms",
            r.property,
            r.result.label(),
            r.elapsed.as_secs_f64() * 1e3
        );
        match &r.result {
            ProofResult::Counterexample(values) => {
                let shown: Vec<String> = values.iter().map(|(n, v)| format!("{n}={v}")).collect();
                let _ = writeln!(out, "{:width$}    {}", "", shown.join(" "));
            }
            ProofResult::Unknown(reason) => {
                let _ = writeln!(out, "{:width$}    {reason}", "");
            }
            ProofResult::Proved => {}
        }
    }
    let _ = writeln!(out, "{:-<width$}  {:-<14}  {:->10}", "", "", "");
    let _ = writeln!(
        out,
        "{:<width$}  {:<14}  {:>8.1}ms",
        "total",
        format!("{} checks", reports.len()),
        total.as_secs_f64() * 1e3
    );
    out
}

#[cfg(test)]
mod agreement;
