//! `poolguard mutate` on two mutants of the WithdrawalVault: one an invariant kills (two arguments of an event
//! swapped), one no invariant can see (an initializer call that does nothing deleted); the report (JSON, HTML, SARIF), the variant
//! and finding files, resuming, `--list` and bad input.

mod common;

use std::path::{Path, PathBuf};

/// `WithdrawalRequested(id, …, shares, …)` emitted with `id` and `shares` swapped: the event announces a request
/// the vault did not store (WD-003).
const KILLED: &str = "src/core/WithdrawalVault.sol:113:swap-arguments:1";
/// `__ReentrancyGuard_init()` deleted from `initialize`: OpenZeppelin 5's guard treats the unset status as not
/// entered, so nothing any execution can see changes (argued equivalent in invariants/MUTANTS.md).
const SURVIVED: &str = "src/core/WithdrawalVault.sol:48:delete-call:0";

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("mutate-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn poolguard(dir: &Path, args: &[&str]) -> (i32, String) {
    let contracts = common::contracts_root().display().to_string();
    let mut all = vec!["--contracts", contracts.as_str()];
    all.extend(args);
    common::poolguard_in(dir, &all)
}

#[test]
fn mutate_reports_a_killed_and_a_surviving_mutant_and_resumes() {
    let dir = scratch("run");
    let args = [
        "mutate",
        "--files",
        "src/core/WithdrawalVault.sol",
        "--filter",
        KILLED,
        "--filter",
        SURVIVED,
        "--runs",
        // The swapped event is caught within a few runs (0.3 s) on seed 0: any request shows it; 300 leaves room.
        "300",
        "--jobs",
        "2",
        "--out",
        "out",
        "--min-score",
        "90",
    ];
    let (code, text) = poolguard(&dir, &args);
    assert_eq!(code, 1, "a score of 50% is below --min-score 90:\n{text}");
    assert!(
        text.contains(&format!("{KILLED} killed by WD-003")),
        "{text}"
    );
    assert!(
        text.contains(&format!("{SURVIVED} survived 300 runs")),
        "{text}"
    );
    assert!(text.contains("mutation score: 50.0%"), "{text}");

    let out = dir.join("out");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("mutants.json")).unwrap()).unwrap();
    assert_eq!(report["format"], "poolguard-mutants/1");
    assert_eq!(report["totals"]["mutants"], 2);
    assert_eq!(report["totals"]["killed"], 1);
    assert_eq!(report["totals"]["survived"], 1);
    assert_eq!(report["by_operator"]["swap-arguments"]["killed"], 1);
    assert_eq!(report["by_operator"]["delete-call"]["survived"], 1);
    let mutants = report["mutants"].as_array().unwrap();
    let killed = mutants.iter().find(|m| m["id"] == KILLED).unwrap();
    assert_eq!(killed["status"], "killed");
    assert_eq!(killed["original"], "id, pubkey, msg.sender, assets, shares");
    assert_eq!(
        killed["replacement"],
        "shares, pubkey, msg.sender, assets, id"
    );
    assert!(killed["shrunk_length"].as_u64().unwrap() >= 1);
    let survived = mutants.iter().find(|m| m["id"] == SURVIVED).unwrap();
    assert_eq!(survived["status"], "survived");

    // The survivor in the SARIF log, at its line; in the HTML page with its diff.
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("mutants.sarif")).unwrap()).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{sarif}");
    assert_eq!(results[0]["ruleId"], "MUTANT-SURVIVED");
    let location = &results[0]["locations"][0]["physicalLocation"];
    assert!(location["artifactLocation"]["uri"]
        .as_str()
        .unwrap()
        .ends_with("src/core/WithdrawalVault.sol"));
    assert_eq!(location["region"]["startLine"], 48);
    let html = std::fs::read_to_string(out.join("mutants.html")).unwrap();
    assert!(
        html.contains(SURVIVED) && html.contains("- __ReentrancyGuard_init();"),
        "{html}"
    );

    // The killing finding replays on the mutant's variant file, which it names.
    let finding =
        std::fs::read_dir(out.join("findings/core.WithdrawalVault.sol-113-swap-arguments-1"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
    let (code, replayed) = poolguard(&dir, &["replay", finding.to_str().unwrap()]);
    assert_eq!(code, 1, "the finding reproduces on the mutant:\n{replayed}");
    let variant = out.join("variants/core.WithdrawalVault.sol-48-delete-call-0.json");
    assert!(variant.is_file());

    // Run again: both results are reused, nothing is compiled or fuzzed.
    let (code, again) = poolguard(&dir, &args);
    assert_eq!(code, 1, "{again}");
    assert!(
        again.contains("2 of 2 mutants already have results") && !again.contains("[1/"),
        "{again}"
    );
}

#[test]
fn mutate_lists_mutants_and_rejects_bad_input() {
    let dir = scratch("list");
    let (code, text) = poolguard(
        &dir,
        &["mutate", "--files", "src/core/StBERA.sol", "--list"],
    );
    assert_eq!(code, 0, "{text}");
    for operator in ["swap-rounding", "widen-visibility", "swap-muldiv"] {
        assert!(
            text.contains(&format!(":{operator}:0\t")),
            "{operator} in:\n{text}"
        );
    }
    assert!(
        !text.contains("src/core/StakingPool.sol"),
        "only the file asked for:\n{text}"
    );

    for (args, message) in [
        (
            vec!["mutate", "--files", "src/[", "--list"],
            "is not a glob",
        ),
        (
            vec!["mutate", "--files", "src/none/*.sol"],
            "no mutant to run",
        ),
        (vec!["mutate", "--jobs", "0"], "--jobs must be at least 1"),
        (
            vec!["mutate", "--min-score", "120"],
            "--min-score is a percentage",
        ),
        (
            vec!["mutate", "--since", "no-such-revision", "--list"],
            "git diff no-such-revision",
        ),
    ] {
        let (code, text) = poolguard(&dir, &args);
        assert_eq!(code, 2, "{args:?}:\n{text}");
        assert!(text.contains(message), "{args:?}: {message:?} in:\n{text}");
        assert!(!text.contains("panicked"), "{text}");
    }
}
