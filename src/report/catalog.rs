//! The invariants command's output: the catalog as a table.

use poolguard_invariants::CATALOG;

/// Prints the invariant catalog on stdout: id, category, broken variant, statement.
pub fn print() {
    println!(
        "{:<11} {:<14} {:<36} statement",
        "id", "category", "broken variant"
    );
    for inv in CATALOG {
        println!(
            "{:<11} {:<14} {:<36} {}",
            inv.id,
            inv.category.to_string(),
            inv.broken_variant,
            inv.statement
        );
    }
}
