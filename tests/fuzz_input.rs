//! The libFuzzer side on real bytecode: the artifacts bundle the fuzz targets load on a ClusterFuzzLite runner
//! deploys the same world, and a raw libFuzzer input converts to and from JSON and replays with the CLI.

mod common;

use std::path::PathBuf;
use std::process::Command;

use poolguard::compile::Artifacts;
use poolguard::engine::corpus::load_sequences;
use poolguard::engine::{run_sequence, RunOptions, StopOn};
use poolguard::fuzzinput::{decode, encode, Alphabet};
use poolguard::observe::Observer;
use poolguard::world::{World, WorldConfig};

fn temp_dir(tag: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("poolguard-fuzzinput-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_artifacts_bundle_deploys_the_same_world() {
    let artifacts = common::artifacts();
    let bundle = artifacts.to_bundle();
    let loaded = Artifacts::from_bundle(&bundle).unwrap();
    assert!(!loaded.compiled_fresh());
    assert_eq!(loaded.iter().count(), artifacts.iter().count());
    let a = World::deploy(artifacts, WorldConfig::default()).unwrap();
    let b = World::deploy(&loaded, WorldConfig::default()).unwrap();
    assert_eq!(a.contracts, b.contracts);
    assert_eq!(a.pools, b.pools);
    assert!(
        Artifacts::from_bundle(b"{\"format\": \"something-else\", \"contracts\": []}").is_err()
    );
    assert!(Artifacts::from_bundle(b"not json").is_err());
}

#[test]
fn regressions_run_the_same_through_the_libfuzzer_format() {
    let mut world = common::world();
    let observer = Observer::new(&world);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join("regressions");
    let (sequences, bad) = load_sequences(&dir);
    assert!(bad.is_empty() && !sequences.is_empty());
    for seq in sequences {
        let raw = encode(&seq, Alphabet::Full).unwrap();
        let back = decode(&raw, Alphabet::Full);
        assert_eq!(back, seq);
        let coverage = RunOptions {
            collect_coverage: true,
            keep_trace: false,
        };
        let a = run_sequence(&mut world, &observer, &seq, &StopOn::Never, coverage);
        let b = run_sequence(&mut world, &observer, &back, &StopOn::Never, coverage);
        assert_eq!(a.edges, b.edges);
        assert_eq!(a.violations, b.violations);
    }
}

#[test]
fn cli_converts_and_replays_a_libfuzzer_input() {
    common::artifacts(); // npm and the compile cache, before the CLI runs
    let root = env!("CARGO_MANIFEST_DIR");
    let dir = temp_dir("cli");
    let finding =
        PathBuf::from(root).join("corpus/regressions/value-002-dust-deposit-rounding.json");
    let raw = dir.join("crash-0123");
    let json = dir.join("back.json");
    let bin = env!("CARGO_BIN_EXE_poolguard");
    let contracts = format!("{root}/contracts");
    let run = |args: &[&str]| {
        let out = Command::new(bin)
            .arg("--contracts")
            .arg(&contracts)
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, stdout, stderr) = run(&[
        "corpus",
        "export",
        finding.to_str().unwrap(),
        raw.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let (code, stdout, stderr) = run(&[
        "corpus",
        "import",
        raw.to_str().unwrap(),
        json.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let original = poolguard::engine::Finding::load(&finding).unwrap().sequence;
    let imported = poolguard::engine::Finding::load(&json).unwrap().sequence;
    assert_eq!(imported, original);
    // A raw input (no extension, not JSON) replays: the regression holds on the correct suite.
    let (code, stdout, stderr) = run(&["replay", raw.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stderr.contains("a libFuzzer input"), "{stderr}");
    assert!(stdout.contains("no invariant violated"), "{stdout}");
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with('#')).count(),
        original.len(),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
