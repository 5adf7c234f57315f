//! The replay command's output: the finding, the decoded step-by-step trace, the violations, and whether the
//! finding reproduced.

use crate::engine::replay::Replayed;

/// Prints `replayed` on stdout.
pub fn print(replayed: &Replayed) {
    let (finding, result) = (&replayed.finding, &replayed.result);
    if !finding.invariant.is_empty() {
        println!("finding: {} — {}", finding.invariant, finding.statement);
    }
    for line in &result.trace {
        println!("{line}");
    }
    if result.violations.is_empty() {
        println!("\nno invariant violated");
    } else {
        println!();
        for v in &result.violations {
            println!("violated {} at step {}: {}", v.invariant, v.step, v.message);
        }
    }
    if !finding.invariant.is_empty() && !replayed.reproduced() {
        println!("{} did NOT reproduce", finding.invariant);
    }
}
