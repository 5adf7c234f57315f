//! The CI gate and the reproducers, end to end through the binary: on a broken variant the gate exits 1 and writes
//! JUnit and SARIF that validate (SARIF against the official 2.1.0 schema), LCOV and HTML; the Foundry export of
//! its finding fails under forge (npm-pinned 1.7.1, through the Node solc front) on the variant and passes on the
//! correct suite; the `cast` export is a syntactically valid script with a genesis of the world. On the correct
//! suite the gate exits 0.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use poolguard::variants::Variant;

const VARIANT: &str = "fee-001-commission-cap-25";
const BROKEN: &str = "FEE-001";

fn poolguard(args: &[&str]) -> (i32, String) {
    common::poolguard_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The gate on the broken variant, run once: (exit code, output, report folder).
fn variant_gate() -> &'static (i32, String, PathBuf) {
    static RUN: OnceLock<(i32, String, PathBuf)> = OnceLock::new();
    RUN.get_or_init(|| {
        let out = scratch("gate-variant");
        let (code, text) = poolguard(&[
            "gate",
            "--variant",
            VARIANT,
            "--regressions",
            "corpus/regressions",
            "--out",
            out.to_str().unwrap(),
        ]);
        (code, text, out)
    })
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn assert_valid_sarif(path: &Path) -> serde_json::Value {
    let schema = read_json(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json"),
    );
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let log = read_json(path);
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF does not validate: {errors:#?}");
    assert_eq!(log["version"], "2.1.0");
    log
}

fn junit(path: &Path) -> quick_junit::Report {
    quick_junit::Report::deserialize_from_str(&std::fs::read_to_string(path).unwrap())
        .expect("JUnit parses")
}

#[test]
fn gate_on_a_broken_variant_exits_1_with_valid_reports() {
    let (code, text, out) = variant_gate();
    assert_eq!(*code, 1, "{text}");

    let report = junit(&out.join("junit.xml"));
    let invariants = report
        .test_suites
        .iter()
        .find(|s| s.name.as_str() == "invariants")
        .expect("invariants suite");
    assert_eq!(
        invariants.test_cases.len(),
        poolguard_invariants::CATALOG.len()
    );
    let failed: Vec<&str> = invariants
        .test_cases
        .iter()
        .filter(|c| !matches!(c.status, quick_junit::TestCaseStatus::Success { .. }))
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(failed, vec![BROKEN], "exactly the broken invariant fails");

    let log = assert_valid_sarif(&out.join("results.sarif"));
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "one result per violation");
    assert_eq!(results[0]["ruleId"], BROKEN);
    let location = &results[0]["locations"][0]["physicalLocation"];
    let uri = location["artifactLocation"]["uri"].as_str().unwrap();
    assert!(
        uri.ends_with("src/core/SmartOperator.sol"),
        "located in the SmartOperator: {uri}"
    );
    let line = location["region"]["startLine"].as_i64().unwrap();
    let source = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(uri)).unwrap();
    let at = source
        .lines()
        .nth(usize::try_from(line - 1).unwrap())
        .unwrap();
    assert!(
        at.contains("function queueValCommission"),
        "line {line} is the failing call's function: {at}"
    );
    assert!(
        results[0]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("QueueCommission"),
        "shrunk sequence in the message"
    );

    let lcov = std::fs::read_to_string(out.join("lcov.info")).unwrap();
    assert!(
        lcov.contains("SF:src/core/StakingPool.sol"),
        "LCOV names the suite's files"
    );
    let hit_lines = lcov
        .lines()
        .filter(|l| l.starts_with("DA:") && !l.ends_with(",0"))
        .count();
    assert!(hit_lines > 100, "the corpus covers lines: {hit_lines}");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for needle in [
        "VIOLATED",
        "<svg",
        "queueValCommission",
        "Calls and reverts per action",
        "StakingPool",
    ] {
        assert!(html.contains(needle), "HTML report lacks {needle:?}");
    }
    assert!(!html.contains("<script"), "self-contained, no scripts");
    assert!(out
        .join("findings")
        .join(format!("{BROKEN}.json"))
        .is_file());
}

#[test]
fn gate_on_the_suite_exits_0() {
    let out = scratch("gate-suite");
    let (code, text) = poolguard(&[
        "gate",
        "--runs",
        "64",
        "--regressions",
        "corpus/regressions",
        "--no-coverage",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{text}");
    let log = assert_valid_sarif(&out.join("results.sarif"));
    assert_eq!(log["runs"][0]["results"].as_array().map(Vec::len), Some(0));
    let report = junit(&out.join("junit.xml"));
    assert!(report
        .test_suites
        .iter()
        .flat_map(|s| &s.test_cases)
        .all(|c| matches!(c.status, quick_junit::TestCaseStatus::Success { .. })));
    let regressions = report
        .test_suites
        .iter()
        .find(|s| s.name.as_str() == "regressions")
        .unwrap();
    assert!(
        !regressions.test_cases.is_empty(),
        "the saved regressions were replayed"
    );
}

#[test]
fn a_missing_regression_file_is_an_error_not_a_panic() {
    let out = scratch("gate-bad-regression");
    let dir = scratch("bad-regressions");
    std::fs::write(dir.join("broken.json"), "{ not json").unwrap();
    let (code, text) = poolguard(&[
        "gate",
        "--runs",
        "8",
        "--no-coverage",
        "--regressions",
        dir.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "an unreadable regression fails the gate: {text}");
    assert!(text.contains("could not replay"), "{text}");
}

#[test]
fn foundry_export_fails_under_forge_on_the_variant_and_passes_on_the_suite() {
    let (_, _, out) = variant_gate();
    let finding = out.join("findings").join(format!("{BROKEN}.json"));
    // Written outside the suite, in a folder whose name a shell would split.
    let test_file = scratch("foundry-export")
        .join("exported tests")
        .join("Finding.t.sol");
    let (code, text) = poolguard(&[
        "export",
        "--foundry",
        finding.to_str().unwrap(),
        "--variant",
        VARIANT,
        "--out",
        test_file.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{text}");
    let contract = format!("PoolguardFinding_{}_Test", BROKEN.replace('-', "_"));

    // On the broken variant, the printed command, run by a shell as printed (it copies the test into the variant).
    let run_it = text
        .lines()
        .find_map(|l| l.strip_prefix("run it: "))
        .unwrap_or_else(|| panic!("a `run it:` line:\n{text}"));
    let out = Command::new("sh").args(["-c", run_it]).output().unwrap();
    let ran = common::output_text(&out);
    assert!(
        !out.status.success(),
        "the export must fail on the broken variant:\n{run_it}\n{ran}"
    );
    assert!(
        ran.contains(&format!("[FAIL: {BROKEN}")),
        "fails on the same property:\n{ran}"
    );

    let root = common::contracts_root();
    let cache = root.join(".poolguard").join("variants");
    let pristine = Variant {
        name: "reports-test-pristine".into(),
        invariant: String::new(),
        description: "the suite unchanged".into(),
        edits: Vec::new(),
    }
    .materialize(&root, &cache)
    .unwrap();
    let dir = pristine.join("test/findings");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(&test_file, dir.join("Finding.t.sol")).unwrap();
    let (passed, text) = common::forge_test(&pristine, &contract);
    assert!(passed, "the export must pass on the correct suite:\n{text}");
}

#[test]
fn cast_export_is_a_valid_script_with_the_worlds_genesis() {
    let (_, _, out) = variant_gate();
    let finding = out.join("findings").join(format!("{BROKEN}.json"));
    let dir = scratch("cast-export");
    let (code, text) = poolguard(&[
        "export",
        "--cast",
        finding.to_str().unwrap(),
        "--variant",
        VARIANT,
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{text}");
    let script = std::fs::read_to_string(dir.join("replay.sh")).unwrap();
    assert!(
        script.contains("'queueValCommission(uint96)'"),
        "decoded call:\n{script}"
    );
    assert!(script.contains("anvil_impersonateAccount"));
    let syntax = Command::new("bash")
        .arg("-n")
        .arg(dir.join("replay.sh"))
        .status()
        .unwrap();
    assert!(syntax.success(), "bash -n rejects the script");
    let genesis = read_json(&dir.join("genesis.json"));
    let world: serde_json::Value = {
        let (code, text) = poolguard(&["world"]);
        assert_eq!(code, 0);
        // stdout's JSON, then stderr's notes.
        serde_json::Deserializer::from_str(&text[text.find('{').unwrap()..])
            .into_iter::<serde_json::Value>()
            .next()
            .unwrap()
            .unwrap()
    };
    let factory = world["contracts"]["factory"]
        .as_str()
        .unwrap()
        .to_lowercase();
    let code_hex = genesis["alloc"][&factory]["code"]
        .as_str()
        .unwrap_or_default();
    assert!(
        code_hex.len() > 100,
        "the factory proxy's code is in the genesis"
    );
    assert_eq!(genesis["number"], "0x3e8", "block 1000");
}

#[test]
fn export_of_a_missing_file_is_a_clear_error() {
    let (code, text) = poolguard(&["export", "--foundry", "/nonexistent/finding.json"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("/nonexistent/finding.json"), "{text}");
}

/// A withdrawal finding replayed by the exported `cast` script under anvil (npm-pinned 1.7.1): the 129,600-block
/// roll goes through, every step's status matches poolguard's, and the violation (request 1 paid twice on
/// wd-001-finalize-twice) is there on-chain: two `WithdrawalRequestFinalized` logs for id 1.
#[test]
fn cast_script_replays_a_withdrawal_finding_under_anvil() {
    const VARIANT: &str = "wd-001-finalize-twice";
    let dir = scratch("cast-withdrawal");
    let sequence = dir.join("finalize-twice.json");
    // staker1 deposits 5,000 BERA in pool0, requests 1,000 twice, and after the delay finalizes request 1 twice.
    std::fs::write(
        &sequence,
        r#"{ "format": "poolguard-sequence/1", "actions": [
  { "caller": 1, "roll": 0, "op": { "op": "submit", "pool": 0, "receiver": 1, "amount": "0x10f0cf064dd59200000" } },
  { "caller": 1, "roll": 0, "op": { "op": "request_withdrawal", "pool": 0, "amount_gwei": "0xe8d4a51000", "max_fee": "0x0", "value": "0x0" } },
  { "caller": 1, "roll": 0, "op": { "op": "request_withdrawal", "pool": 0, "amount_gwei": "0xe8d4a51000", "max_fee": "0x0", "value": "0x0" } },
  { "caller": 1, "roll": 129600, "op": { "op": "finalize", "id": 1 } },
  { "caller": 1, "roll": 0, "op": { "op": "finalize", "id": 1 } }
] }"#,
    )
    .unwrap();
    let (code, text) = poolguard(&["replay", sequence.to_str().unwrap(), "--variant", VARIANT]);
    assert_eq!(
        code, 1,
        "the sequence violates WD-001 in poolguard:\n{text}"
    );
    assert!(text.contains("WD-001"), "{text}");

    let out = dir.join("script");
    let (code, text) = poolguard(&[
        "export",
        "--cast",
        sequence.to_str().unwrap(),
        "--variant",
        VARIANT,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{text}");
    let (anvil, cast) = (common::foundry_tool("anvil"), common::foundry_tool("cast"));
    let run = Command::new(out.join("replay.sh"))
        .arg("--keep")
        .env("ANVIL", &anvil)
        .env("CAST", &cast)
        .output()
        .expect("running replay.sh");
    let text = common::output_text(&run);
    // Stop the kept anvil whatever happens next.
    let kept = text.split("anvil keeps running at ").nth(1).map(|rest| {
        let url = rest.split_whitespace().next().unwrap().to_string();
        let pid = rest
            .split("(pid ")
            .nth(1)
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        (url, pid)
    });
    struct Kill(Option<String>);
    impl Drop for Kill {
        fn drop(&mut self) {
            if let Some(pid) = &self.0 {
                let _ = Command::new("kill").arg(pid).status();
            }
        }
    }
    let _guard = Kill(kept.as_ref().map(|(_, pid)| pid.clone()));
    assert_eq!(
        run.status.code(),
        Some(0),
        "every step as in poolguard:\n{text}"
    );
    assert!(text.contains("step 4: ok, as in poolguard"), "{text}");
    let (url, _) = kept.expect("--keep leaves anvil running");

    let (code, world) = poolguard(&["world"]);
    assert_eq!(code, 0);
    let world: serde_json::Value =
        serde_json::Deserializer::from_str(&world[world.find('{').unwrap()..])
            .into_iter::<serde_json::Value>()
            .next()
            .unwrap()
            .unwrap();
    let vault = world["contracts"]["withdrawal_vault"].as_str().unwrap();
    let logs = Command::new(&cast)
        .args([
            "logs",
            "--rpc-url",
            &url,
            "--from-block",
            "0",
            "--address",
            vault,
            "--json",
            "WithdrawalRequestFinalized(uint256 indexed,address indexed,uint256)",
            "1",
        ])
        .output()
        .expect("running cast logs");
    assert!(
        logs.status.success(),
        "{}",
        String::from_utf8_lossy(&logs.stderr)
    );
    let logs: serde_json::Value = serde_json::from_slice(&logs.stdout).unwrap();
    assert_eq!(
        logs.as_array().map(Vec::len),
        Some(2),
        "request 1 finalized twice on-chain: {logs:#}"
    );
}
