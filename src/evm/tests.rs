//! Tests of the chain and its inspectors.

use super::*;
use alloy_primitives::{address, hex, keccak256, Address, Bytes, B256, U256};
use revm::context::result::InvalidTransaction;

const ALICE: Address = address!("00000000000000000000000000000000000a11ce");
const BOB: Address = address!("0000000000000000000000000000000000000b0b");

/// Initcode that returns `runtime` as the deployed code.
fn initcode(runtime: &[u8]) -> Bytes {
    let len = u16::try_from(runtime.len()).expect("runtime fits PUSH2");
    let [lh, ll] = len.to_be_bytes();
    // PUSH2 len PUSH2 15 PUSH1 0 CODECOPY PUSH2 len PUSH1 0 RETURN  (15 bytes)
    let mut code = vec![
        0x61, lh, ll, 0x61, 0x00, 0x0f, 0x60, 0x00, 0x39, 0x61, lh, ll, 0x60, 0x00, 0xf3,
    ];
    assert_eq!(code.len(), 15);
    code.extend_from_slice(runtime);
    code.into()
}

fn deploy(chain: &mut Chain, runtime: &[u8]) -> Address {
    let nonce = chain.nonce(ALICE);
    let out = chain.deploy(ALICE, initcode(runtime), U256::ZERO).unwrap();
    assert!(out.success, "deploy failed: {out:?}");
    let addr = out.created.unwrap();
    assert_eq!(addr, ALICE.create(nonce));
    assert_eq!(chain.code(addr), Bytes::copy_from_slice(runtime));
    addr
}

// PUSH1 0 CALLDATALOAD DUP1 PUSH1 0 SSTORE PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN
const STORE: &[u8] = &hex!("6000358060005560005260206000f3");
// PUSH4 deadbeef PUSH1 0 MSTORE PUSH1 32 PUSH1 0 REVERT
const REVERTER: &[u8] = &hex!("63deadbeef60005260206000fd");
// NUMBER -> m[0], TIMESTAMP -> m[32], CHAINID -> m[64]; RETURN 96 bytes
const BLOCKINFO: &[u8] = &hex!("43600052426020524660405260606000f3");
// PUSH1 0 CALLDATALOAD PUSH4 12345678 EQ PUSH1 0x11 JUMPI PUSH1 0 PUSH1 0 REVERT JUMPDEST STOP
const BRANCHY: &[u8] = &hex!("60003563123456781460115760006000fd5b00");
// INVALID
const INVALID: &[u8] = &hex!("fe");

fn word(x: u64) -> Bytes {
    U256::from(x).to_be_bytes::<32>().to_vec().into()
}

#[test]
fn fresh_chain_env() {
    let chain = Chain::new();
    assert_eq!(chain.block_number(), 1);
    assert_eq!(chain.timestamp(), 1_700_000_000);
    assert_eq!(chain.chain_id(), 80094);
    assert_eq!(chain.balance(ALICE), U256::ZERO);
    assert!(chain.code(ALICE).is_empty());
}

#[test]
fn store_call_success_and_output() {
    let mut chain = Chain::new();
    let c = deploy(&mut chain, STORE);
    let out = chain.call(ALICE, c, word(42), U256::ZERO).unwrap();
    assert!(out.success);
    assert_eq!(out.output, word(42));
    assert!(out.gas_used > 21_000);
    assert_eq!(chain.storage(c, U256::ZERO), U256::from(42));
    // Nonce check is disabled but nonces are still bumped.
    assert_eq!(chain.nonce(ALICE), 2);
}

#[test]
fn revert_gives_revert_data() {
    let mut chain = Chain::new();
    let c = deploy(&mut chain, REVERTER);
    let out = chain.call(BOB, c, Bytes::new(), U256::ZERO).unwrap();
    assert!(!out.success);
    assert!(out.reverted());
    assert_eq!(out.halt, None);
    assert_eq!(out.output, word(0xdeadbeef));
    // The reverted tx is still committed: BOB's nonce was bumped.
    assert_eq!(chain.nonce(BOB), 1);
}

#[test]
fn halt_is_reported() {
    let mut chain = Chain::new();
    let c = deploy(&mut chain, INVALID);
    let out = chain.call(BOB, c, Bytes::new(), U256::ZERO).unwrap();
    assert!(!out.success);
    assert!(!out.reverted());
    assert!(out.halt.is_some(), "{out:?}");
    assert_eq!(out.gas_used, chain.gas_limit());
}

#[test]
fn unfunded_value_transfer_is_an_error() {
    let mut chain = Chain::new();
    let err = chain
        .call(BOB, ALICE, Bytes::new(), U256::from(1))
        .unwrap_err();
    assert!(err.is_insufficient_funds(), "{err}");
    assert_eq!(chain.nonce(BOB), 0, "nothing committed");

    chain.set_balance(BOB, U256::from(10));
    let out = chain.call(BOB, ALICE, Bytes::new(), U256::from(3)).unwrap();
    assert!(out.success);
    assert_eq!(chain.balance(BOB), U256::from(7));
    assert_eq!(chain.balance(ALICE), U256::from(3));

    // Deploy with unfunded value too.
    let err = chain
        .deploy(ALICE, initcode(STORE), U256::from(100))
        .unwrap_err();
    assert!(err.is_insufficient_funds());
}

#[test]
fn roll_and_warp_are_seen_by_contracts() {
    let mut chain = Chain::new();
    let c = deploy(&mut chain, BLOCKINFO);
    let read = |chain: &Chain| {
        let out = chain.view(ALICE, c, Bytes::new()).unwrap();
        assert!(out.success);
        let w = |i: usize| U256::from_be_slice(&out.output[32 * i..32 * (i + 1)]);
        (w(0), w(1), w(2))
    };
    assert_eq!(
        read(&chain),
        (
            U256::from(1),
            U256::from(1_700_000_000u64),
            U256::from(80094)
        )
    );
    chain.roll(10);
    assert_eq!(chain.block_number(), 11);
    assert_eq!(chain.timestamp(), 1_700_000_020);
    chain.warp(100);
    assert_eq!(chain.block_number(), 11);
    let (n, t, _) = read(&chain);
    assert_eq!((n, t), (U256::from(11), U256::from(1_700_000_120u64)));
    // Committing calls see the same environment.
    let out = chain.call(BOB, c, Bytes::new(), U256::ZERO).unwrap();
    assert_eq!(U256::from_be_slice(&out.output[..32]), U256::from(11));
    chain.set_block(500, 2_000_000_000);
    let (n, t, _) = read(&chain);
    assert_eq!((n, t), (U256::from(500), U256::from(2_000_000_000u64)));
}

#[test]
fn view_does_not_commit() {
    let mut chain = Chain::new();
    let c = deploy(&mut chain, STORE);
    let out = chain.view(BOB, c, word(7)).unwrap();
    assert!(out.success);
    assert_eq!(out.output, word(7));
    assert_eq!(chain.storage(c, U256::ZERO), U256::ZERO);
    assert_eq!(chain.nonce(BOB), 0);
}

#[test]
fn clone_is_an_independent_snapshot() {
    let mut chain = Chain::new();
    let c = deploy(&mut chain, STORE);
    chain.call(ALICE, c, word(1), U256::ZERO).unwrap();
    let snapshot = chain.clone();
    chain.call(ALICE, c, word(2), U256::ZERO).unwrap();
    chain.set_balance(BOB, U256::from(5));
    chain.roll(3);
    assert_eq!(chain.storage(c, U256::ZERO), U256::from(2));
    assert_eq!(snapshot.storage(c, U256::ZERO), U256::from(1));
    assert_eq!(snapshot.balance(BOB), U256::ZERO);
    assert_eq!(snapshot.block_number(), 1);
    // Restoring the snapshot resets everything.
    let mut restored = snapshot.clone();
    let out = restored.view(ALICE, c, word(9)).unwrap();
    assert_eq!(out.output, word(9));
    restored.call(ALICE, c, word(3), U256::ZERO).unwrap();
    assert_eq!(restored.storage(c, U256::ZERO), U256::from(3));
    assert_eq!(snapshot.storage(c, U256::ZERO), U256::from(1));
    assert_eq!(chain.storage(c, U256::ZERO), U256::from(2));
}

#[test]
fn cheat_codes() {
    let mut chain = Chain::new();
    let c = deploy(&mut chain, STORE);
    chain.set_storage(c, U256::from(5), U256::from(77));
    assert_eq!(chain.storage(c, U256::from(5)), U256::from(77));
    // Setting storage keeps code.
    assert_eq!(chain.code(c), Bytes::from_static(STORE));
    // Etch code onto a fresh address and call it.
    let etched = address!("00000000000000000000000000000000000e7c4e");
    chain.set_code(etched, Bytes::from_static(STORE));
    let out = chain.call(BOB, etched, word(11), U256::ZERO).unwrap();
    assert!(out.success);
    assert_eq!(chain.storage(etched, U256::ZERO), U256::from(11));
    // Balances survive code edits.
    chain.set_balance(etched, U256::from(9));
    chain.set_code(etched, Bytes::from_static(REVERTER));
    assert_eq!(chain.balance(etched), U256::from(9));
    assert!(chain
        .call(BOB, etched, Bytes::new(), U256::ZERO)
        .unwrap()
        .reverted());
}

/// Runtime code forwarding calldata word 0 to `target` via CALL and returning its 32-byte
/// return data.
fn proxy(target: Address) -> Vec<u8> {
    // m[0] = calldata[0]; CALL(gas, target, 0, 0, 32, 0, 32); POP; RETURN(0, 32)
    let mut code = hex!("6000356000526020600060206000600073").to_vec();
    code.extend_from_slice(target.as_slice());
    code.extend_from_slice(&hex!("5af15060206000f3"));
    code
}

#[test]
fn nested_calls_work() {
    let mut chain = Chain::new();
    let store = deploy(&mut chain, STORE);
    let p1 = deploy(&mut chain, &proxy(store));
    let p2 = deploy(&mut chain, &proxy(p1));
    let out = chain.call(BOB, p2, word(99), U256::ZERO).unwrap();
    assert!(out.success, "{out:?}");
    assert_eq!(out.output, word(99));
    assert_eq!(chain.storage(store, U256::ZERO), U256::from(99));
    assert_eq!(chain.view(BOB, p2, word(3)).unwrap().output, word(3));

    // Coverage is collected inside nested frames too.
    let branchy = deploy(&mut chain, BRANCHY);
    let p3 = deploy(&mut chain, &proxy(branchy));
    let mut insp = CoverageInspector::new();
    let out = chain
        .call_inspected(BOB, p3, word(0x1234_5678), U256::ZERO, &mut insp)
        .unwrap();
    assert!(out.success);
    let (edges, cmps) = insp.take();
    assert_eq!(edges, vec![edge_id(keccak256(BRANCHY), 11, true)]);
    assert_eq!(cmps.len(), 1);
}

#[test]
fn logs_and_failed_deploys() {
    let mut chain = Chain::new();
    // m[0] = 42; LOG1(0, 32, topic 0x77); STOP
    let c = deploy(&mut chain, &hex!("602a600052607760206000a100"));
    let out = chain.call(BOB, c, Bytes::new(), U256::ZERO).unwrap();
    assert!(out.success);
    assert_eq!(out.logs.len(), 1);
    assert_eq!(out.logs[0].address, c);
    assert_eq!(out.logs[0].topics(), &[B256::from(U256::from(0x77))]);
    assert_eq!(out.logs[0].data.data, word(42));

    // Initcode that reverts: no address, revert data returned, nonce still bumped.
    let nonce = chain.nonce(ALICE);
    let out = chain
        .deploy(ALICE, Bytes::from_static(REVERTER), U256::ZERO)
        .unwrap();
    assert!(out.reverted());
    assert_eq!(out.created, None);
    assert_eq!(out.output, word(0xdeadbeef));
    assert_eq!(chain.nonce(ALICE), nonce + 1);
    assert!(chain.code(ALICE.create(nonce)).is_empty());
}

#[test]
fn senders_with_code_are_rejected() {
    // EIP-3607 cannot be disabled without revm's `optional_eip3607` feature.
    let mut chain = Chain::new();
    let c = deploy(&mut chain, STORE);
    let err = chain.call(c, c, word(1), U256::ZERO).unwrap_err();
    assert!(matches!(
        err,
        EvmError::Transaction(InvalidTransaction::RejectCallerWithCode)
    ));
}

#[test]
fn chain_is_send_sync() {
    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync::<Chain>();
    assert_send_sync::<CoverageInspector>();
}

#[test]
fn large_contracts_deploy() {
    let mut chain = Chain::new();
    // 60 KB runtime: over EIP-170 (24 KiB) and an initcode over EIP-3860 (48 KiB).
    let runtime = vec![0u8; 60_000];
    let c = deploy(&mut chain, &runtime);
    assert_eq!(chain.code(c).len(), 60_000);
}

#[test]
fn coverage_inspector_records_edges_and_cmps() {
    let mut chain = Chain::new();
    let c = deploy(&mut chain, BRANCHY);
    let code_hash = keccak256(BRANCHY);
    let mut insp = CoverageInspector::new();

    let out = chain
        .call_inspected(BOB, c, word(0x1234_5678), U256::ZERO, &mut insp)
        .unwrap();
    assert!(out.success, "{out:?}");
    let (edges, cmps) = insp.take();
    assert_eq!(edges, vec![edge_id(code_hash, 11, true)]);
    assert_eq!(
        cmps,
        vec![(U256::from(0x1234_5678), U256::from(0x1234_5678))]
    );

    let out = chain
        .call_inspected(BOB, c, word(5), U256::ZERO, &mut insp)
        .unwrap();
    assert!(out.reverted());
    let (edges, cmps) = insp.take();
    assert_eq!(edges, vec![edge_id(code_hash, 11, false)]);
    // EQ operands: top = the PUSH4 constant, second = the calldata word.
    assert_eq!(cmps, vec![(U256::from(0x1234_5678), U256::from(5))]);
    assert_ne!(edge_id(code_hash, 11, true), edge_id(code_hash, 11, false));

    // Each pair comes with the site it was compared at: the EQ at pc 8.
    chain
        .call_inspected(BOB, c, word(6), U256::ZERO, &mut insp)
        .unwrap();
    let (_, cmps, sites) = insp.take_with_sites();
    assert_eq!(cmps, vec![(U256::from(0x1234_5678), U256::from(6))]);
    assert_eq!(sites, vec![site_id(code_hash, 8)]);

    // Inspected calls commit like plain calls.
    assert_eq!(chain.nonce(BOB), 3);
    assert!(insp.edges().is_empty() && insp.cmps().is_empty());
}

#[test]
fn sink_sees_every_jumpi_and_compare() {
    use std::sync::Mutex;
    static EVENTS: Mutex<Vec<CoverageEvent>> = Mutex::new(Vec::new());
    fn sink(e: &CoverageEvent) {
        EVENTS.lock().unwrap().push(*e);
    }
    let mut chain = Chain::new();
    // The 100-iteration loop of `cmp_cap_is_respected`.
    let looping = hex!("60005b80606411156011576001016002565b00");
    let c = deploy(&mut chain, &looping);
    let mut insp = CoverageInspector::with_cmp_cap(10).with_sink(sink);
    let out = chain
        .call_inspected(BOB, c, Bytes::new(), U256::ZERO, &mut insp)
        .unwrap();
    assert!(out.success, "{out:?}");
    let events = std::mem::take(&mut *EVENTS.lock().unwrap());
    let h = keccak256(looping);
    let jumps: Vec<u64> = events
        .iter()
        .filter_map(|e| {
            if let CoverageEvent::Edge(id) = e {
                Some(*id)
            } else {
                None
            }
        })
        .collect();
    // 100 iterations take the loop (JUMPI not taken), the 101st leaves it.
    assert_eq!(jumps.len(), 101);
    assert_eq!(
        jumps
            .iter()
            .filter(|id| **id == edge_id(h, 10, false))
            .count(),
        100
    );
    assert_eq!(jumps[100], edge_id(h, 10, true));
    let cmps: Vec<_> = events
        .iter()
        .filter_map(|e| {
            if let CoverageEvent::Cmp { site, a, b } = e {
                Some((*site, *a, *b))
            } else {
                None
            }
        })
        .collect();
    assert_eq!(cmps.len(), 101, "uncapped");
    assert!(cmps.iter().all(|(site, _, _)| *site == site_id(h, 6)));
    assert_eq!((cmps[3].1, cmps[3].2), (U256::from(100), U256::from(3)));
    // What `take` returns is unchanged by the sink.
    let (edges, capped) = insp.take();
    assert_eq!(capped.len(), 10);
    assert_eq!(edges, vec![edge_id(h, 10, false), edge_id(h, 10, true)]);
}

#[test]
fn cmp_cap_is_respected() {
    let mut chain = Chain::new();
    // Loop 100 times: i = 0; loop: i < 100 ? (i += 1; jump loop) : stop.
    // 0: PUSH1 0           (i)
    // 2: JUMPDEST
    // 3: DUP1 PUSH1 100 GT  -> 100 > i
    // 7: ISZERO PUSH1 0x11 JUMPI
    // 11: PUSH1 1 ADD PUSH1 2 JUMP
    // 17: JUMPDEST STOP
    let looping = hex!("60005b80606411156011576001016002565b00");
    let c = deploy(&mut chain, &looping);
    let mut insp = CoverageInspector::with_cmp_cap(10);
    let out = chain
        .call_inspected(BOB, c, Bytes::new(), U256::ZERO, &mut insp)
        .unwrap();
    assert!(out.success, "{out:?}");
    let (edges, cmps) = insp.take();
    assert_eq!(cmps.len(), 10);
    assert_eq!(cmps[3], (U256::from(100), U256::from(3)));
    // Both directions of the loop's JUMPI, each recorded once.
    let h = keccak256(looping);
    assert_eq!(edges, vec![edge_id(h, 10, false), edge_id(h, 10, true)]);
}

/// Rough per-call overhead measurement:
/// `cargo test --release --lib evm::tests::bench -- --ignored --nocapture`.
///
/// With glibc malloc, the large clone is ~10x slower than the allocator-bound cost because
/// dropping the clone trims the heap and the next clone page-faults it back in; compare
/// with `GLIBC_TUNABLES=glibc.malloc.trim_threshold=1000000000`.
#[test]
#[ignore = "benchmark: prints timings, run with --ignored --nocapture in release"]
fn bench_call_overhead() {
    let mut chain = Chain::new();
    let c = deploy(&mut chain, STORE);
    let n = 200_000u64;
    let t = std::time::Instant::now();
    for i in 0..n {
        chain.call(ALICE, c, word(i), U256::ZERO).unwrap();
    }
    let call = t.elapsed() / n as u32;
    let t = std::time::Instant::now();
    for i in 0..n {
        chain.view(ALICE, c, word(i)).unwrap();
    }
    let view = t.elapsed() / n as u32;
    let mut insp = CoverageInspector::new();
    let t = std::time::Instant::now();
    for i in 0..n {
        chain
            .call_inspected(ALICE, c, word(i), U256::ZERO, &mut insp)
            .unwrap();
        insp.take();
    }
    let inspected = t.elapsed() / n as u32;
    let t = std::time::Instant::now();
    for _ in 0..n {
        std::hint::black_box(chain.clone());
    }
    let clone = t.elapsed() / n as u32;
    // A protocol-sized state: 20 contracts x 200 slots.
    for a in 0..20u64 {
        let who = Address::with_last_byte(a as u8 + 0x40);
        chain.set_code(who, Bytes::from_static(STORE));
        for slot in 0..200u64 {
            chain.set_storage(who, U256::from(slot), U256::from(slot + 1));
        }
    }
    let m = 20_000u32;
    let t = std::time::Instant::now();
    for _ in 0..m {
        std::hint::black_box(chain.clone());
    }
    let big_clone = t.elapsed() / m;
    println!(
        "call {call:?} view {view:?} inspected {inspected:?} clone {clone:?} \
         clone(20x200 slots) {big_clone:?}"
    );
}

/// [`Chain::state_id`] names what calls can see: it moves with every change they could read, stays on a reverted
/// call (only the sender's nonce moves) and on a call that writes a slot its own value, and comes back with a reset
/// from a clone. An empty sender (no balance, no nonce, no code) does change it, whether it was in the database or
/// not: its first nonce makes it non-empty, which `EXTCODEHASH` tells.
#[test]
fn the_state_id_moves_exactly_when_what_calls_see_changes() {
    let mut chain = Chain::new();
    let store = deploy(&mut chain, STORE);
    let reverter = deploy(&mut chain, REVERTER);
    let snapshot = chain.clone();
    let deployed = chain.state_id();
    assert_eq!(snapshot.state_id(), deployed, "a clone holds the same");

    let out = chain
        .call(ALICE, reverter, Bytes::new(), U256::ZERO)
        .unwrap();
    assert!(out.reverted());
    assert_eq!(chain.nonce(ALICE), 3);
    assert_eq!(chain.state_id(), deployed, "a reverted call");
    chain.call(ALICE, store, word(0), U256::ZERO).unwrap();
    assert_eq!(chain.state_id(), deployed, "a slot written its own value");
    chain.view(ALICE, store, word(5)).unwrap();
    assert_eq!(chain.state_id(), deployed, "a view");
    chain.roll(0);
    assert_eq!(chain.state_id(), deployed, "no block rolled");

    let mut ids = vec![deployed];
    let mut moved = |chain: &Chain, what: &str| {
        assert!(
            !ids.contains(&chain.state_id()),
            "{what}: an id seen before"
        );
        ids.push(chain.state_id());
    };
    chain.call(BOB, reverter, Bytes::new(), U256::ZERO).unwrap();
    moved(&chain, "a reverted call by a sender that did not exist");
    // CAROL is in the database, touched and empty, before her first transaction.
    const CAROL: Address = address!("00000000000000000000000000000000000ca201");
    let before = chain.state_id();
    chain.call(ALICE, CAROL, Bytes::new(), U256::ZERO).unwrap();
    assert_eq!(chain.nonce(CAROL), 0);
    assert_eq!(
        chain.state_id(),
        before,
        "a call that only touches an empty account"
    );
    chain
        .call(CAROL, reverter, Bytes::new(), U256::ZERO)
        .unwrap();
    moved(&chain, "a reverted call by an empty sender in the database");
    chain.call(ALICE, store, word(5), U256::ZERO).unwrap();
    moved(&chain, "a slot written");
    chain.set_balance(BOB, U256::from(10));
    moved(&chain, "a balance set");
    chain.call(BOB, ALICE, Bytes::new(), U256::from(3)).unwrap();
    moved(&chain, "value sent");
    chain.roll(1);
    moved(&chain, "a block rolled");
    chain.warp(1);
    moved(&chain, "time warped");
    chain.set_storage(store, U256::from(1), U256::from(2));
    moved(&chain, "a slot set");
    chain.set_code(BOB, STORE.to_vec().into());
    moved(&chain, "code set");
    deploy(&mut chain, STORE);
    moved(&chain, "a contract deployed");
    chain.set_gas_limit(chain.gas_limit() / 2);
    moved(&chain, "the gas limit");

    chain.clone_from(&snapshot);
    assert_eq!(chain.state_id(), deployed, "reset from the clone");
    assert_eq!(chain.storage(store, U256::ZERO), U256::ZERO);
}

/// [`Chain::accounts_changed_since`] names every account a change since an earlier state touched (a slot written
/// by a call, a balance sent, a cheat), nothing for a block rolled, and answers `None` where it cannot tell: a state
/// from before a reset to a clone, a change through `db_mut`, more changes than it remembers.
#[test]
fn the_accounts_changed_since_a_state_are_named_or_unknown() {
    let mut chain = Chain::new();
    let store = deploy(&mut chain, STORE);
    let snapshot = chain.clone();
    let start = chain.state_id();
    assert_eq!(chain.accounts_changed_since(start), Some(vec![]));
    chain.roll(1);
    assert_eq!(chain.accounts_changed_since(start), Some(vec![]), "a roll");
    chain.call(ALICE, store, word(5), U256::ZERO).unwrap();
    let written = chain.accounts_changed_since(start).unwrap();
    assert!(written.contains(&store), "{written:?}");
    let mid = chain.state_id();
    chain.set_balance(BOB, U256::from(10));
    chain.set_code(CAROL_CODE, STORE.to_vec().into());
    let since_mid = chain.accounts_changed_since(mid).unwrap();
    assert!(
        since_mid.contains(&BOB) && since_mid.contains(&CAROL_CODE) && !since_mid.contains(&store),
        "{since_mid:?}"
    );
    let before_reset = chain.state_id();
    chain.clone_from(&snapshot);
    assert_eq!(chain.accounts_changed_since(before_reset), None, "a reset");
    // A return to a snapshot names what changed since the last return to it.
    chain.return_to(&snapshot);
    chain.roll(2);
    chain.call(ALICE, store, word(6), U256::ZERO).unwrap();
    chain.set_balance(BOB, U256::from(11));
    let before_return = chain.state_id();
    chain.return_to(&snapshot);
    assert_eq!(chain.state_id(), snapshot.state_id());
    let returned = chain.accounts_changed_since(before_return).unwrap();
    assert!(
        returned.contains(&store) && returned.contains(&BOB) && !returned.contains(&CAROL_CODE),
        "{returned:?}"
    );
    chain.db_mut();
    let before_return = chain.state_id();
    chain.return_to(&snapshot);
    assert_eq!(
        chain.accounts_changed_since(before_return),
        None,
        "a return after db_mut"
    );
    chain.db_mut();
    assert_eq!(chain.accounts_changed_since(start), None, "db_mut");
    let later = chain.state_id();
    for k in 0..=16u64 {
        chain.set_storage(store, U256::from(1), U256::from(k + 1));
    }
    assert_eq!(
        chain.accounts_changed_since(later),
        None,
        "too many changes ago"
    );
}

const CAROL_CODE: Address = address!("00000000000000000000000000000000000ca202");

/// State ids are unique across threads (each hands out ids from blocks of its own).
#[test]
fn state_ids_never_repeat_across_threads() {
    let ids: Vec<u64> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    let mut chain = Chain::new();
                    (0..100_000u64)
                        .map(|n| {
                            chain.set_balance(ALICE, U256::from(n));
                            chain.state_id()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("worker"))
            .collect()
    });
    let distinct: std::collections::HashSet<u64> = ids.iter().copied().collect();
    assert_eq!(distinct.len(), ids.len());
}
