//! Storage-layout safety: the committed baseline matches the suite, a variable inserted in the middle of the
//! SmartOperator's storage fails `poolguard layout` and the gate (JUnit and SARIF located at the declaration), and
//! one appended after the last passes.

mod common;

use std::path::PathBuf;

const INSERTED: &str = "layout-smart-operator-inserted-variable";
const APPENDED: &str = "layout-smart-operator-appended-variable";

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("layout-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn poolguard(dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    let contracts = common::contracts_root().display().to_string();
    let mut all = vec!["--contracts", contracts.as_str()];
    all.extend(args);
    common::poolguard_in(dir, &all)
}

#[test]
fn the_baseline_matches_the_suite_and_an_inserted_variable_fails_while_an_appended_one_passes() {
    let dir = scratch("cli");
    let (code, text) = poolguard(&dir, &["layout"]);
    assert_eq!(
        code, 0,
        "the committed contracts/storage-layout.json matches the suite (after an intended layout change, \
         re-record it with `poolguard layout --write`):\n{text}"
    );
    for contract in [
        "SmartOperator",
        "StakingPool",
        "WithdrawalVault",
        "AccountingOracle",
        "StakingPoolContractsFactory",
    ] {
        assert!(
            text.contains(&format!(":{contract}: compatible")),
            "{contract} is checked:\n{text}"
        );
    }

    let (code, text) = poolguard(&dir, &["layout", "--variant", INSERTED]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("SmartOperator: 1 incompatible change(s)")
            && text.contains(
                "a new variable _boostCooldown was inserted at slot 5 offset 0, before _pubkey"
            ),
        "{text}"
    );
    assert!(
        text.contains("StakingPool.sol:StakingPool: compatible"),
        "other contracts are unaffected:\n{text}"
    );

    let (code, text) = poolguard(&dir, &["layout", "--variant", APPENDED]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("SmartOperator: appended _boostCooldown (compatible)"),
        "{text}"
    );

    let (code, text) = poolguard(&dir, &["layout", "--write", "--variant", APPENDED]);
    assert_eq!(code, 2, "a baseline records the suite itself: {text}");
}

#[test]
fn the_gate_fails_an_inserted_variable_in_junit_and_sarif() {
    let dir = scratch("gate");
    let out = dir.join("report");
    let (code, text) = poolguard(
        &dir,
        &[
            "gate",
            "--variant",
            INSERTED,
            "--runs",
            "2",
            "--no-coverage",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("_boostCooldown: a new variable _boostCooldown was inserted"),
        "{text}"
    );
    let junit = std::fs::read_to_string(out.join("junit.xml")).unwrap();
    assert!(
        junit.contains("<testsuite name=\"storage-layout\""),
        "{junit}"
    );
    assert!(junit.contains("type=\"StorageLayout\""), "{junit}");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.sarif")).unwrap()).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let layout = results
        .iter()
        .find(|r| r["ruleId"] == "STORAGE-LAYOUT")
        .unwrap_or_else(|| panic!("a storage-layout result: {sarif:#}"));
    let location = &layout["locations"][0]["physicalLocation"];
    assert!(
        location["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("src/core/SmartOperator.sol"),
        "{location:#}"
    );
    let line = location["region"]["startLine"].as_u64().unwrap() as usize;
    let source = std::fs::read_to_string(
        common::contracts_root()
            .join(".poolguard/variants")
            .join(INSERTED)
            .join("src/core/SmartOperator.sol"),
    )
    .unwrap();
    assert!(
        source
            .lines()
            .nth(line - 1)
            .unwrap()
            .contains("uint256 internal _boostCooldown;"),
        "located at the declaration (line {line})"
    );

    // The suite itself passes the same check in the gate.
    let out = dir.join("suite-report");
    let (code, text) = poolguard(
        &dir,
        &[
            "gate",
            "--runs",
            "2",
            "--no-coverage",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("SmartOperator.sol:SmartOperator: compatible"),
        "{text}"
    );
    let junit = std::fs::read_to_string(out.join("junit.xml")).unwrap();
    assert!(
        junit.contains("<testsuite name=\"storage-layout\" tests=\"7\""),
        "{junit}"
    );
}
