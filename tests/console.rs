//! `poolguard console`: a script drives a whole lifecycle, a violation on a broken variant and `save`, and the
//! saved file replays; the session moves back and forth through its steps; an interactive session under tmux
//! completes words, decodes a revert and shows a violation.

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// A variant whose violation one step shows: anyone may set the protocol fee.
const VARIANT: &str = "access-001-open-protocol-fee";

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("console-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn contracts() -> String {
    common::contracts_root().display().to_string()
}

/// Runs `poolguard console` on `script`'s text (with `args` before `--script`).
fn console(dir: &std::path::Path, args: &[&str], script: &str) -> (i32, String) {
    let file = dir.join("script.txt");
    std::fs::write(&file, script).unwrap();
    let contracts = contracts();
    let mut all = vec!["--contracts", contracts.as_str(), "console"];
    all.extend(args);
    all.extend(["--script", file.to_str().unwrap()]);
    common::poolguard_in(dir, &all)
}

/// The line of step `n`'s outcome, with the lines under it (events, violations) up to the next command.
fn step_text(text: &str, n: usize) -> String {
    let start = text
        .find(&format!("\n#{n:<3} "))
        .unwrap_or_else(|| panic!("no step {n} in:\n{text}"));
    let rest = &text[start + 1..];
    let end = rest.find("\n> ").unwrap_or(rest.len());
    rest[..end].to_string()
}

#[test]
fn a_script_runs_a_lifecycle_shows_a_violation_and_saves_what_replay_reproduces() {
    let dir = scratch("lifecycle");
    let saved = dir.join("out/finding.json");
    let script = format!(
        "# deposit, request, wait out the delay, finalize\n\
         submit staker1 pool0 1000e18\n\
         request-withdrawal staker1 pool0 50e18\n\
         roll 129600\n\
         cl-process-withdrawals\n\
         finalize staker1 1\n\
         state pool0\n\
         # a privileged function called by the attacker, through its ABI\n\
         call pool0.StakingPool setMinEffectiveBalance(1)\n\
         set-protocol-fee attacker pool0 500\n\
         check\n\
         trace\n\
         save {}\n",
        saved.display()
    );
    let (code, text) = console(&dir, &["--variant", VARIANT], &script);
    assert_eq!(code, 1, "a violation was seen:\n{text}");
    let submit = step_text(&text, 0);
    assert!(
        submit
            .contains("staker1: pool0.submit(receiver=staker1) value=1000000000000000000000 -> ok"),
        "{submit}"
    );
    assert!(
        submit.contains("Deposit(sender=staker1, receiver=staker1"),
        "events by name: {submit}"
    );
    let request = step_text(&text, 1);
    assert!(
        request.contains("50000000000 gwei") && request.contains("-> ok"),
        "{request}"
    );
    assert!(
        request.contains("WithdrawalRequested(requestId=1"),
        "{request}"
    );
    assert!(
        step_text(&text, 2).contains("roll +129600 blocks -> ok"),
        "{text}"
    );
    let finalize = step_text(&text, 4);
    assert!(
        finalize.contains("-> ok")
            && finalize.contains("WithdrawalRequestFinalized(requestId=1, user=staker1"),
        "{finalize}"
    );
    assert!(
        text.contains("staker1                            950000000000000000000"),
        "state shows share balances:\n{text}"
    );
    let call = step_text(&text, 5);
    assert!(
        call.contains(
            "attacker: pool0.StakingPool.setMinEffectiveBalance(1) -> reverted: Unauthorized()"
        ),
        "a decoded revert: {call}"
    );
    let breach = step_text(&text, 6);
    assert!(breach.contains("VIOLATION ACCESS-001"), "{breach}");
    assert!(
        text.contains("ACCESS-001   VIOLATED"),
        "check explains it:\n{text}"
    );
    assert!(
        text.contains("events (1):") && text.contains("ProtocolFeePercentageUpdated(bps=500)"),
        "trace:\n{text}"
    );
    assert!(text.contains("(finding ACCESS-001)"), "{text}");

    let finding: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    assert_eq!(finding["variant"], VARIANT);
    assert_eq!(finding["invariant"], "ACCESS-001");
    assert_eq!(finding["step"], 6);
    assert_eq!(finding["sequence"].as_array().unwrap().len(), 7);
    assert_eq!(
        finding["sequence"][5]["op"]["op"], "call",
        "an ABI call saves as an exact call"
    );

    // The saved file replays on the variant it records, and on the suite itself it is no finding.
    let (code, text) = common::poolguard_in(
        &dir,
        &[
            "--contracts",
            &contracts(),
            "replay",
            saved.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("violated ACCESS-001 at step 6"), "{text}");
    assert!(
        text.contains("setMinEffectiveBalance(1) -> reverted: Unauthorized()"),
        "{text}"
    );
    let (code, text) = common::poolguard_in(
        &dir,
        &[
            "--contracts",
            &contracts(),
            "replay",
            saved.to_str().unwrap(),
            "--variant",
            "none-such",
        ],
    );
    assert_eq!(code, 2, "{text}");

    // The console loads the finding and steps through it.
    let (code, text) = console(
        &dir,
        &[saved.to_str().unwrap()],
        "step 2\nlist\ngoto 7\nback\nstep\n",
    );
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("loaded 7 steps"), "{text}");
    assert!(
        text.contains("#6   (not run) attacker: SetProtocolFee"),
        "list shows what is ahead:\n{text}"
    );
    assert!(
        text.matches("VIOLATION ACCESS-001").count() >= 2,
        "goto 7 and the last step both show it:\n{text}"
    );
}

#[test]
fn snapshots_back_and_errors() {
    let dir = scratch("moves");
    let script = "submit staker1 pool0 1000e18\n\
                  snapshot one\n\
                  submit staker2 pool1 5bera\n\
                  transfer-shares staker2 pool1 staker1 50%\n\
                  restore one\n\
                  list\n\
                  submit staker2 pool1 7bera\n\
                  back\n\
                  list\n\
                  step\n\
                  request-redeem staker1 pool0 all roll=10\n\
                  grant-role pool0 VALIDATOR_ADMIN staker1\n\
                  report pool1 -1%\n\
                  report pool0 20000000bera\n\
                  transfer-shares attacker pool0 staker1 0%\n\
                  pause-pool contract_actor pool1 signed-by governance\n\
                  call pool0.StakingPool pause() from contract_actor signed-by=governance\n";
    let (code, text) = console(&dir, &[], script);
    assert_eq!(code, 0, "the suite holds:\n{text}");
    assert!(text.contains("restored one: step 1"), "{text}");
    assert!(
        text.contains("pool1.transfer(to=staker1, 50.00% of held) -> ok"),
        "a portion of what is held:\n{text}"
    );
    // After `back`, the step left behind is there to step through again.
    assert!(text.contains("at step 1 of 2"), "{text}");
    assert!(
        text.contains(
            "#1   (not run) staker2: pool1.submit(receiver=staker2) value=7000000000000000000"
        ),
        "{text}"
    );
    assert!(text.contains("vault.requestRedeem(pool0, 100.00% of held shares, maxFee=0) value=0 [+10 blocks] -> ok"), "{text}");
    assert!(
        text.contains("governance: pool0.operator.grantRole(VALIDATOR_ADMIN_ROLE, staker1) -> ok"),
        "the usual sender: {text}"
    );
    assert!(
        text.contains("feeder: oracle.updateTotalDeposits(pool1, Delta(-100)) -> ok"),
        "{text}"
    );
    // A balance named outright, sent as whole gwei: twice the largest balance, far outside an active pool's bounds.
    assert!(
        text.contains("feeder: oracle.updateTotalDeposits(pool0, Gwei(20000000000000000)) -> reverted: ReportOutOfBounds()"),
        "{text}"
    );
    // 0% is none of it: sent as zero though the attacker holds no shares (a zero transfer is allowed).
    assert!(
        text.contains("pool0.transfer(to=staker1, none of held) -> ok"),
        "the zero edge:\n{text}"
    );

    // A contract actor's transaction signed by governance: the suite checks msg.sender and refuses it.
    assert!(
        text.contains("contract_actor (signed by governance): PausePool { pool: 1 } -> reverted: Unauthorized()"),
        "{text}"
    );
    assert!(
        text.contains("contract_actor (signed by governance): pool0.StakingPool.pause()"),
        "{text}"
    );

    // A command that cannot be read stops the script at its line, exit 2.
    for (script, expected) in [
        (
            "submit staker1 pool0 1000e18\nsubmitt staker1\n",
            "script.txt:2: unknown command \"submitt\"",
        ),
        (
            "submit staker1 pool9 1\n",
            "pool9 does not exist (this world has 2 pools)",
        ),
        ("submit staker1 pool0 12abc\n", "not an amount: \"12abc\""),
        (
            "report pool0 1500\n",
            "report is sent in gwei: 1500 wei is not a whole number of gwei",
        ),
        (
            "transfer-shares staker1 pool0 staker2 0.004%\n",
            "0.004% is less than 0.01% of a holding (0% is none of it)",
        ),
        (
            "request-withdrawal staker1 pool0 1.5\n",
            "is not a whole number of wei",
        ),
        (
            "call pool0.StakingPool nothing()\n",
            "no state-changing function nothing on pool0.StakingPool",
        ),
        (
            "call pool0.StakingPool setMinEffectiveBalance(staker1)\n",
            "setMinEffectiveBalance(uint256): uint256 value: not an amount",
        ),
        ("grant-role pool0 staker1\n", "grant-role needs role=<role>"),
        (
            "pause-pool staker1 pool0 signed-by governance\n",
            "`signed-by` signs a contract actor's step; staker1 sends its own transactions",
        ),
        (
            "pause-pool contract_actor pool0 signed-by contract_actor_no_receiver\n",
            "contract_actor_no_receiver has code: it cannot sign a transaction",
        ),
        (
            "pause-pool contract_actor pool0 signed-by\n",
            "`signed-by` needs an actor",
        ),
        ("restore nowhere\n", "no snapshot \"nowhere\""),
        ("step\n", "nothing loaded to step through"),
    ] {
        let (code, text) = console(&dir, &[], script);
        assert_eq!(code, 2, "{script}: {text}");
        assert!(
            text.contains(expected),
            "{script}: expected {expected:?} in:\n{text}"
        );
        assert!(!text.contains("panicked"), "{text}");
    }
}

/// Waits until the tmux pane shows `wanted` (up to 60 s: the first command deploys the world).
fn pane_shows(socket: &str, wanted: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let out = Command::new("tmux")
            .args([
                "-L",
                socket,
                "capture-pane",
                "-p",
                "-J",
                "-S",
                "-200",
                "-t",
                "console",
            ])
            .output()
            .unwrap();
        let pane = String::from_utf8_lossy(&out.stdout).to_string();
        if pane.contains(wanted) || Instant::now() > deadline {
            return pane;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn keys(socket: &str, keys: &[&str]) {
    let status = Command::new("tmux")
        .args(["-L", socket, "send-keys", "-t", "console"])
        .args(keys)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn an_interactive_session_under_tmux_completes_decodes_and_shows_a_violation() {
    if Command::new("tmux").arg("-V").output().is_err() {
        // .ci/run installs tmux; a machine without it cannot drive a terminal program.
        eprintln!("skipped: tmux is not installed (apt-get install tmux)");
        return;
    }
    let dir = scratch("tmux");
    let socket = format!("poolguard-console-test-{}", std::process::id());
    let command = format!(
        "HOME={} {} --contracts {} console --variant {VARIANT}",
        dir.display(),
        env!("CARGO_BIN_EXE_poolguard"),
        contracts()
    );
    let started = Command::new("tmux")
        .args([
            "-L",
            &socket,
            "new-session",
            "-d",
            "-s",
            "console",
            "-x",
            "200",
            "-y",
            "50",
            &command,
        ])
        .status()
        .unwrap();
    assert!(started.success());
    let quit = || {
        let _ = Command::new("tmux")
            .args(["-L", &socket, "kill-server"])
            .status();
    };
    let pane = pane_shows(&socket, "poolguard[0]>");
    if !pane.contains("poolguard[0]>") {
        quit();
        panic!("no prompt:\n{pane}");
    }
    // Completion: `set-prot` + Tab completes the op's name.
    keys(&socket, &["set-prot", "Tab"]);
    let pane = pane_shows(&socket, "set-protocol-fee");
    keys(&socket, &[" attacker pool0 700", "Enter"]);
    let violation = pane_shows(&socket, "VIOLATION ACCESS-001");
    keys(
        &socket,
        &["call pool0.StakingPool setMinEffectiveBalance(1)", "Enter"],
    );
    let revert = pane_shows(&socket, "reverted: Unauthorized()");
    keys(&socket, &["quit", "Enter"]);
    quit();
    assert!(
        pane.contains("poolguard[0]> set-protocol-fee"),
        "completed:\n{pane}"
    );
    assert!(
        violation.contains("attacker: SetProtocolFee { pool: 0, bps: 700 } -> ok"),
        "{violation}"
    );
    assert!(violation.contains("VIOLATION ACCESS-001"), "{violation}");
    assert!(revert.contains("reverted: Unauthorized()"), "{revert}");
}
