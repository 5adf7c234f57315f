//! The prove command's output: the z3 proofs of the suite's arithmetic as tables.

use std::time::{Duration, Instant};

use poolguard_invariants::smt::{negative_controls, prove_all, render_table, ProofResult};

/// Proves every SMT property (and, with `controls`, runs the negative controls) with a per-query `timeout`,
/// printing the tables on stdout. Returns whether all were proved (and every control gave a counterexample).
pub fn prove(controls: bool, timeout: Duration) -> bool {
    let started = Instant::now();
    let reports = prove_all(timeout);
    println!("{}", render_table(&reports));
    println!("{} properties in {:.1?}", reports.len(), started.elapsed());
    let mut ok = reports
        .iter()
        .all(|r| matches!(r.result, ProofResult::Proved));
    if controls {
        let controls = negative_controls(timeout);
        println!(
            "\nnegative controls (each must give a counterexample):\n{}",
            render_table(&controls)
        );
        ok &= controls
            .iter()
            .all(|r| matches!(r.result, ProofResult::Counterexample(_)));
    }
    ok
}
