//! Every invariant can fire: each broken variant of the suite (`contracts/variants/`) is caught by its own
//! invariant within a fixed budget, and the catalog has exactly one variant per invariant.

mod common;

use std::sync::Mutex;
use std::time::Instant;

use poolguard::compile::SuiteCompiler;
use poolguard::engine::{run_campaign, Budget, CampaignConfig};
use poolguard::variants::load_variants;
use poolguard::world::{World, WorldConfig};
use poolguard_invariants::CATALOG;

/// Sequences per campaign before giving up (the campaign stops as soon as the variant's invariant fires): issue
/// 12's own bound, "caught within 60 s", as runs (a 60-s campaign runs about 18,000 on this machine,
/// BENCHMARKS.md). The deepest variants (reentrancy through a callback: a contract holder's two requests, its hook
/// armed, the delay, its own finalize) are found anywhere from a few hundred to over 10,000 runs depending on the
/// seed, with this generator as with the one before it (BENCHMARKS.md §14: over seeds 11 to 18, 5 of 8 within
/// 10,000 runs for both), so a tighter budget made the test a lottery on them.
const BUDGET_RUNS: u64 = 18_000;

/// Seeds tried in turn: a variant is caught when a campaign of [`BUDGET_RUNS`] on one of them finds it. A
/// campaign is a random search: the slowest variants (a confused deputy among seven role holders, the dead
/// shares' holder withdrawing) take 300 to 4,000+ runs depending on the seed, with this generator as with the
/// one before it (BENCHMARKS.md §8), so one seed alone made the test a lottery on them.
const SEEDS: [u64; 2] = [7, 8];

/// Every invariant names its own broken variant, and every variant breaks an invariant of the catalog. An
/// invariant may have more variants than the one it names: the extra ones exercise a detection capability
/// (ABI-driven calls of functions nobody wrote an op for, …) through that invariant.
#[test]
fn every_invariant_has_its_variant_and_every_variant_an_invariant() {
    let variants = load_variants(&common::contracts_root().join("variants")).unwrap();
    for inv in CATALOG {
        let named = variants
            .iter()
            .find(|v| v.name == inv.broken_variant)
            .unwrap_or_else(|| panic!("{}: no variant {}", inv.id, inv.broken_variant));
        assert_eq!(
            named.invariant, inv.id,
            "{} breaks {}",
            named.name, named.invariant
        );
    }
    for v in &variants {
        assert!(
            CATALOG.iter().any(|inv| inv.id == v.invariant),
            "{} breaks {}, which is not in the catalog",
            v.name,
            v.invariant
        );
    }
}

#[test]
fn every_broken_variant_is_caught_by_its_invariant() {
    let root = common::contracts_root();
    common::artifacts(); // npm set-up and the base compile, once
    let variants = load_variants(&root.join("variants")).unwrap();
    let cache = root.join(".poolguard").join("variants");
    let queue = Mutex::new(variants.iter().collect::<Vec<_>>());
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let Some(v) = queue.lock().unwrap().pop() else {
                    break;
                };
                let started = Instant::now();
                let dir = v
                    .materialize(&root, &cache)
                    .unwrap_or_else(|e| panic!("{}: {e}", v.name));
                let artifacts = SuiteCompiler::new(&dir)
                    .compile()
                    .unwrap_or_else(|e| panic!("{}: {e}", v.name));
                let world = World::deploy(&artifacts, WorldConfig::default())
                    .unwrap_or_else(|e| panic!("{}: {e}", v.name));
                let compiled = started.elapsed();
                let mut runs = 0;
                let mut finding = None;
                for seed in SEEDS {
                    let config = CampaignConfig {
                        seed,
                        budget: Budget::Runs(BUDGET_RUNS),
                        stop_on: Some(v.invariant.clone()),
                        shrink_attempts: 200,
                        ..CampaignConfig::default()
                    };
                    let report = run_campaign(&world, &config, &|_| {});
                    runs += report.progress.runs;
                    finding = report.findings.get(&v.invariant).cloned();
                    if finding.is_some() {
                        break;
                    }
                }
                results.lock().unwrap().push((
                    v.name.clone(),
                    v.invariant.clone(),
                    finding,
                    runs,
                    compiled,
                    started.elapsed(),
                ));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by(|a, b| a.0.cmp(&b.0));
    let mut missed = Vec::new();
    println!(
        "{:<40} {:<11} {:>6} {:>8} {:>9}  shrunk",
        "variant", "invariant", "runs", "compile", "total"
    );
    for (name, id, finding, runs, compiled, total) in &results {
        let shrunk = finding
            .as_ref()
            .map(|f| format!("{} steps (from {})", f.sequence.len(), f.original_length));
        println!(
            "{name:<40} {id:<11} {runs:>6} {:>7.1}s {:>8.1}s  {}",
            compiled.as_secs_f64(),
            total.as_secs_f64(),
            shrunk.clone().unwrap_or_else(|| "MISSED".into())
        );
        if finding.is_none() {
            missed.push(name.clone());
        }
    }
    assert!(
        missed.is_empty(),
        "variants not caught within {BUDGET_RUNS} runs on any of seeds {SEEDS:?}: {missed:?}"
    );
}
