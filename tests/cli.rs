//! The command line as a user meets it: findings of a variant replay on that variant exactly as the printed hint
//! says, bad input gets a clear error (exit 2) naming what is wrong, and Ctrl-C ends a campaign with its summary.

mod common;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A variant every campaign catches within its first runs (a deposit mints a bonus).
const FAST_VARIANT: &str = "value-002-deposit-bonus";
const FAST_INVARIANT: &str = "VALUE-002";

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A variant campaign writes its findings apart from the suite's, records the variant in them, and the printed
/// `reproduce:` hint, run verbatim, reproduces the violation; the gate of the suite does not take them for its own
/// regressions.
#[test]
fn variant_findings_replay_as_printed_and_stay_out_of_the_suites_gate() {
    let cwd = scratch("variant-findings");
    let (code, text) = common::poolguard_in(
        &cwd,
        &[
            "fuzz",
            "--variant",
            FAST_VARIANT,
            "--runs",
            "64",
            "--seed",
            "1",
            "--paranoid",
        ],
    );
    assert_eq!(code, 1, "the variant is caught:\n{text}");
    assert!(text.contains("first seen at run "), "{text}");
    assert!(
        text.contains(
            "paranoid: every observation matched the full one, and every plan's view the chain's"
        ),
        "{text}"
    );
    assert!(text.contains("line coverage of the suite: "), "{text}");
    let expected = format!("corpus/findings/variants/{FAST_VARIANT}/{FAST_INVARIANT}.json");
    let hint = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("reproduce: "))
        .find(|hint| hint.ends_with(&expected))
        .unwrap_or_else(|| panic!("a reproduce hint for {expected}:\n{text}"));
    let finding: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(cwd.join(&expected)).unwrap()).unwrap();
    assert_eq!(finding["variant"], FAST_VARIANT);
    assert!(
        finding["first_seen"]["run"]
            .as_u64()
            .is_some_and(|run| run >= 1),
        "{finding:#}"
    );

    let words: Vec<&str> = hint.split_whitespace().collect();
    assert_eq!(&words[..2], ["poolguard", "replay"], "{hint}");
    let (code, text) = common::poolguard_in(&cwd, &words[1..]);
    assert_eq!(code, 1, "the hint reproduces the violation:\n{text}");
    assert!(!text.contains("did NOT reproduce"), "{text}");

    // The same finding stripped of its variant, with another suite's hash: replay warns about the hash, and export
    // refuses to write a reproducer of a suite on which it does not reproduce.
    let mut stripped = finding.clone();
    stripped.as_object_mut().unwrap().remove("variant");
    stripped["suite"] = "0000000000000000".into();
    let file = cwd.join("stripped.json");
    std::fs::write(&file, serde_json::to_string_pretty(&stripped).unwrap()).unwrap();
    let (code, text) = common::poolguard_in(&cwd, &["replay", file.to_str().unwrap()]);
    assert_eq!(code, 0, "the correct suite does not violate it:\n{text}");
    assert!(
        text.contains("made on suite 0000000000000000 but this suite's bytecode hashes to"),
        "{text}"
    );
    let (code, text) = common::poolguard_in(
        &cwd,
        &[
            "export",
            "--cast",
            file.to_str().unwrap(),
            "--out",
            "cast-out",
        ],
    );
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains(&format!("{FAST_INVARIANT} does not reproduce")),
        "{text}"
    );
    assert!(!cwd.join("cast-out/replay.sh").exists());

    // The suite's own gate neither replays it by default (it is not in corpus/findings/) nor accepts it when
    // pointed at it: a variant's finding is no regression of the suite.
    let dir = cwd.join(format!("corpus/findings/variants/{FAST_VARIANT}"));
    let out = cwd.join("gate");
    let (code, text) = common::poolguard_in(
        &cwd,
        &[
            "gate",
            "--runs",
            "8",
            "--no-coverage",
            "--regressions",
            dir.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains(&format!("made on variant {FAST_VARIANT}")),
        "{text}"
    );
}

/// The arguments of a short one-worker campaign on `variant` that keeps no corpus, then `extra`.
fn quick_campaign<'a>(variant: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "fuzz",
        "--variant",
        variant,
        "--runs",
        "64",
        "--seed",
        "1",
        "--workers",
        "1",
        "--no-save",
    ];
    args.extend(extra);
    args
}

/// A copy of the suite in `dir` (its sources, tests and settings; `node_modules` linked), whose only variant is
/// `variant`, a copy of the fast variant: a suite the default `--contracts` does not find.
fn suite_elsewhere(dir: &std::path::Path, variant: &str) {
    fn copy(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            // Installed, built or cached, and the suite's own variants: none belong to the copy.
            if ["node_modules", ".poolguard", "cache", "out"].contains(&name.as_ref())
                || name.starts_with("variants")
            {
                continue;
            }
            let (from, to) = (entry.path(), to.join(entry.file_name()));
            if entry.file_type().unwrap().is_dir() {
                copy(&from, &to);
            } else {
                std::fs::copy(&from, &to).unwrap();
            }
        }
    }
    let suite = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("contracts");
    copy(&suite, dir);
    std::os::unix::fs::symlink(suite.join("node_modules"), dir.join("node_modules")).unwrap();
    std::fs::create_dir_all(dir.join("variants")).unwrap();
    std::fs::copy(
        suite.join(format!("variants/{FAST_VARIANT}.json")),
        dir.join(format!("variants/{variant}.json")),
    )
    .unwrap();
}

/// A campaign on a suite given with `--contracts` prints a `reproduce:` hint that names that suite (quoted where a
/// shell would split it), and the hint, run verbatim by a shell, reproduces the finding; without `--contracts` the
/// replay would not find the variant. The gate's hint for a finding made on another variant, and `layout`'s for an
/// implementation the baseline lacks, work as printed on that suite too.
#[test]
fn a_hint_names_the_suite_the_run_was_given() {
    let cwd = scratch("suite-elsewhere");
    let variant = "elsewhere-deposit-bonus";
    suite_elsewhere(&cwd.join("suite elsewhere"), variant);
    let (code, text) = common::poolguard_in(
        &cwd,
        &quick_campaign(
            variant,
            &["--contracts", "suite elsewhere", "--findings", "kept"],
        ),
    );
    assert_eq!(code, 1, "the variant is caught:\n{text}");
    let expected = format!(
        "reproduce: poolguard --contracts 'suite elsewhere' replay kept/{FAST_INVARIANT}.json"
    );
    let hint = text
        .lines()
        .map(str::trim)
        .find(|l| *l == expected)
        .unwrap_or_else(|| panic!("{expected}:\n{text}"));
    let (code, replayed) = run_as_printed(&cwd, hint.strip_prefix("reproduce: ").unwrap());
    assert_eq!(code, 1, "{hint}:\n{replayed}");
    assert!(
        replayed.contains(&format!("violated {FAST_INVARIANT}")),
        "{replayed}"
    );
    // The default suite has no such variant: the hint needs the suite it names.
    let (code, text) =
        common::poolguard_in(&cwd, &["replay", &format!("kept/{FAST_INVARIANT}.json")]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains(variant), "{text}");

    // Gated on the suite itself, the variant's finding cannot be replayed: the gate names the one that can.
    let (code, text) = common::poolguard_in(
        &cwd,
        &[
            "--contracts",
            "suite elsewhere",
            "gate",
            "--regressions",
            "kept",
            "--runs",
            "1",
            "--no-coverage",
            "--out",
            "gate-suite",
        ],
    );
    assert_eq!(
        code, 1,
        "a regression that cannot be replayed fails the gate:\n{text}"
    );
    let expected = format!(
        "gate it with `poolguard --contracts 'suite elsewhere' gate --variant {variant} --regressions kept`"
    );
    assert!(text.contains(&expected), "{expected}:\n{text}");
    let command = expected
        .trim_start_matches("gate it with `")
        .trim_end_matches('`');
    let (code, gated) = run_as_printed(&cwd, command);
    assert_eq!(code, 1, "{command}:\n{gated}");
    assert!(
        gated.contains(&format!(
            "regression kept/{FAST_INVARIANT}.json: still violates {FAST_INVARIANT}"
        )),
        "{gated}"
    );

    // An implementation the suite's baseline lacks: `layout` names the command that records it, for this suite.
    let baseline = cwd.join("suite elsewhere/storage-layout.json");
    let mut recorded: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    let contracts = recorded["contracts"].as_object_mut().unwrap();
    let dropped = contracts.keys().next().unwrap().clone();
    contracts.remove(&dropped);
    std::fs::write(&baseline, recorded.to_string()).unwrap();
    let (code, text) = common::poolguard_in(&cwd, &["--contracts", "suite elsewhere", "layout"]);
    assert_eq!(code, 0, "a new implementation is compatible:\n{text}");
    let expected = format!(
        "note: {dropped}: new upgradeable implementation, not in the baseline \
         (`poolguard --contracts 'suite elsewhere' layout --write` adds it)"
    );
    assert!(text.contains(&expected), "{expected}:\n{text}");
    let (code, written) = run_as_printed(
        &cwd,
        "poolguard --contracts 'suite elsewhere' layout --write",
    );
    assert_eq!(code, 0, "{written}");
    let (code, text) = common::poolguard_in(&cwd, &["--contracts", "suite elsewhere", "layout"]);
    assert_eq!(code, 0, "{text}");
    assert!(!text.contains("not in the baseline"), "recorded:\n{text}");
}

/// Runs `command`, a `poolguard ...` line as a hint prints it, through `sh` in `cwd` (with this build's binary for
/// `poolguard`); its exit code and output.
fn run_as_printed(cwd: &std::path::Path, command: &str) -> (i32, String) {
    let command = command
        .strip_prefix("poolguard ")
        .map(|rest| format!("'{}' {rest}", env!("CARGO_BIN_EXE_poolguard")))
        .unwrap_or_else(|| panic!("not a poolguard command: {command}"));
    let out = Command::new("sh")
        .args(["-c", &command])
        .current_dir(cwd)
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), common::output_text(&out))
}

/// `--no-save` keeps nothing on disk, except the findings where `--findings` names a folder: a long run that found
/// something keeps it, and its hint names the file written.
#[test]
fn no_save_keeps_findings_only_where_a_folder_is_named() {
    let cwd = scratch("no-save");
    let args = |extra: &[&'static str]| quick_campaign(FAST_VARIANT, extra);
    let (code, text) = common::poolguard_in(&cwd, &args(&[]));
    assert_eq!(code, 1, "the variant is caught:\n{text}");
    assert!(!text.contains("reproduce: "), "{text}");
    assert!(!cwd.join("corpus").exists(), "nothing kept on disk");
    let (code, text) = common::poolguard_in(&cwd, &args(&["--findings", "kept"]));
    assert_eq!(code, 1, "the variant is caught:\n{text}");
    let file = format!("kept/{FAST_INVARIANT}.json");
    assert!(
        text.contains(&format!("reproduce: poolguard replay {file}")),
        "{text}"
    );
    assert!(cwd.join(&file).is_file(), "{text}");
    assert!(!cwd.join("corpus").exists(), "no corpus kept");
}

#[test]
fn bad_arguments_and_files_are_clear_errors() {
    let cwd = scratch("bad-input");
    let (code, text) = common::poolguard_in(&cwd, &["fuzz", "--runs", "0"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("--runs must be at least 1"), "{text}");

    let (code, text) = common::poolguard_in(
        &cwd,
        &["gate", "--regressions", "no-such-folder", "--runs", "1"],
    );
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("no-such-folder: no such folder"), "{text}");

    // The cause once, with the file's name.
    let (code, text) = common::poolguard_in(&cwd, &["replay", "/nonexistent/finding.json"]);
    assert_eq!(code, 2, "{text}");
    assert_eq!(text.matches("No such file").count(), 1, "{text}");
    assert!(text.contains("/nonexistent/finding.json"), "{text}");

    // More actors than a one-byte caller index reaches.
    let (code, text) = common::poolguard_in(&cwd, &["world", "--pools", "40"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("at most 256"), "{text}");

    // A pool the world does not have, and a caller no u8 holds.
    let finding = |caller: &str, pool: &str| {
        format!(
            r#"{{ "format": "poolguard-sequence/1", "actions": [
  {{ "caller": {caller}, "roll": 0, "op": {{ "op": "submit", "pool": {pool}, "receiver": 1, "amount": "0x1" }} }}
] }}"#
        )
    };
    let file = cwd.join("pool7.json");
    std::fs::write(&file, finding("1", "7")).unwrap();
    let (code, text) = common::poolguard_in(&cwd, &["replay", file.to_str().unwrap()]);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("step 0: \"pool\": 7 does not exist (this world has 2 pools"),
        "{text}"
    );
    let file = cwd.join("caller999.json");
    std::fs::write(&file, finding("999", "0")).unwrap();
    let (code, text) = common::poolguard_in(&cwd, &["replay", file.to_str().unwrap()]);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("actions[0].caller: invalid value: integer `999`")
            && text.contains("line 2 column"),
        "names the field and where: {text}"
    );
}

/// SIGINT stops the campaign at the next run: the summary is printed, the finding written, and the exit code says
/// a violation was found.
#[test]
fn sigint_ends_a_campaign_with_its_summary_and_findings() {
    let cwd = scratch("sigint");
    let child = Command::new(env!("CARGO_BIN_EXE_poolguard"))
        .args(["fuzz", "--variant", FAST_VARIANT, "--duration", "10m"])
        .current_dir(&cwd)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let finding = cwd.join(format!(
        "corpus/findings/variants/{FAST_VARIANT}/{FAST_INVARIANT}.json"
    ));
    let started = Instant::now();
    while !finding.is_file() && started.elapsed() < Duration::from_secs(300) {
        std::thread::sleep(Duration::from_millis(200));
    }
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let text = common::output_text(&out);
    assert!(
        started.elapsed() < Duration::from_secs(300),
        "stopped long before its 10 minutes:\n{text}"
    );
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("interrupted"), "{text}");
    assert!(text.contains("invariants violated"), "the summary: {text}");
    assert!(
        text.contains(&format!("{FAST_INVARIANT}: ")),
        "the finding: {text}"
    );
}
