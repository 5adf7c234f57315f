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

const MISPLACED: &str = "layout-smart-operator-namespace-misplaced";
const PLACED: &str = "layout-smart-operator-namespace-placed";

/// ERC-7201 namespaces: a new one whose slot constant does not match its id fails `poolguard layout`, the same
/// one with the right constant passes (noted as new), and the OpenZeppelin namespaces the baseline records are
/// found in the suite.
#[test]
fn a_namespace_whose_constant_does_not_match_its_id_fails_and_a_matching_one_passes() {
    let dir = scratch("namespaces");
    let (code, text) = poolguard(&dir, &["layout", "--variant", MISPLACED]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("SmartOperator: 1 incompatible change(s)")
            && text.contains(
                "erc7201:poolguard.storage.BoostCooldown: SmartOperator declares namespace"
            )
            && text.contains("holds no bytes32 constant with that value"),
        "{text}"
    );
    let (code, text) = poolguard(&dir, &["layout", "--variant", PLACED]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains(
            "new namespace erc7201:poolguard.storage.BoostCooldown (declared in SmartOperator)"
        ),
        "{text}"
    );
}

/// The namespaces recorded in the baseline guard an upgrade like its variables: a namespace that disappears, a
/// member that disappears and a member whose type changes are each incompatible. Checked against edited copies
/// of the committed baseline, since the OpenZeppelin sources that declare them are not the suite's to edit.
#[test]
fn namespaces_in_the_baseline_must_survive_with_their_members_only_appended() {
    use poolguard::compile::SuiteCompiler;
    use poolguard::layout::{compare, erc7201_slot, read_baseline, Member, Namespace};

    assert_eq!(
        format!("{:#066x}", erc7201_slot("openzeppelin.storage.Ownable")),
        "0x9016d09d72d40fdae2fd8ceac6b6234c7706214fd39c1cd1e609a0528c199300",
        "ERC-7201's formula, as OpenZeppelin's Ownable hard-codes it"
    );
    let root = common::contracts_root();
    let artifacts = common::artifacts();
    let asts = SuiteCompiler::new(&root).all_source_asts().unwrap();
    let baseline = read_baseline(&root).unwrap();
    assert!(compare(&baseline, artifacts, &asts).compatible());
    let vault = "src/core/WithdrawalVault.sol:WithdrawalVault";
    let ids: Vec<&str> = baseline.namespaces[vault]
        .iter()
        .map(|n| n.id.as_str())
        .collect();
    for id in [
        "openzeppelin.storage.ERC721",
        "openzeppelin.storage.Ownable",
        "openzeppelin.storage.ReentrancyGuard",
    ] {
        assert!(ids.contains(&id), "{vault} keeps state in {id}: {ids:?}");
    }

    let edited = |edit: &dyn Fn(&mut Vec<Namespace>)| {
        let mut b = baseline.clone();
        edit(b.namespaces.get_mut(vault).unwrap());
        let report = compare(&b, artifacts, &asts);
        assert!(
            !report.compatible(),
            "{}",
            report.render("poolguard layout --write")
        );
        report.render("poolguard layout --write")
    };
    let owner = |spaces: &mut Vec<Namespace>| {
        spaces
            .iter_mut()
            .find(|n| n.id == "openzeppelin.storage.Ownable")
            .unwrap()
            .members[0]
            .ty = "uint256".into()
    };
    assert!(edited(&owner).contains("member _owner of namespace erc7201:openzeppelin.storage.Ownable changed type: uint256 -> address"));
    let lost_member = |spaces: &mut Vec<Namespace>| {
        spaces
            .iter_mut()
            .find(|n| n.id == "openzeppelin.storage.Pausable")
            .unwrap()
            .members
            .push(Member {
                label: "_pausedAt".into(),
                ty: "uint256".into(),
            })
    };
    assert!(edited(&lost_member)
        .contains("member _pausedAt of namespace erc7201:openzeppelin.storage.Pausable is gone"));
    let lost_namespace = |spaces: &mut Vec<Namespace>| {
        let mut gone = spaces[0].clone();
        gone.id = "openzeppelin.storage.Nonces".into();
        spaces.push(gone)
    };
    assert!(edited(&lost_namespace).contains("namespace erc7201:openzeppelin.storage.Nonces"));
}
