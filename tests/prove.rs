//! `poolguard prove` as a test: every SMT property is proved, every negative control yields a counterexample,
//! and each counterexample, replayed on the matching broken contract variant in revm, shows the loss; no finding
//! is open (FIND-FEE-001 is fixed and kept as the control NEG-FEE-006). Prints the tables.
//!
//! Variants are the textual patches of `poolguard_invariants::smt::variants`, applied to a copy of
//! `contracts/` under cargo's target tmp folder (`CARGO_TARGET_TMPDIR/smt-variants/<name>`, `node_modules`
//! symlinked), so solc's content-hash cache makes reruns cheap.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use alloy_primitives::{Address, Bytes, Uint, U256};
use alloy_sol_types::{sol, SolCall};
use poolguard::bindings::{
    IAccountingOracle, IBeaconDeposit, IBeraChef, ISmartOperator, IStBERA, IStakingPool,
    IWithdrawalVault, IERC20,
};
use poolguard::compile::{Artifacts, SuiteCompiler};
use poolguard::evm::{CallOutcome, Chain};
use poolguard::world::{World, WorldConfig, BERA};
use poolguard_invariants::smt::{self, formulas as f, ProofReport, ProofResult};

const TIMEOUT: Duration = Duration::from_secs(20);

/// The tests of this binary run one at a time: `prove_all` is timed (the issue: the whole run under 30 s), and
/// on a 2-core machine a replay running beside it would eat into z3's time.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

sol! {
    interface IStBERAExposer {
        function setState(uint256 supply, uint256 assets) external;
    }
    interface IFeeMathExposer {
        function splitFeeShares(uint256 commission, uint256 protocolFee, uint256 supply, uint256 totalAssets)
            external pure returns (uint256 commissionShares, uint256 protocolShares);
    }
}

// ------------------------------------------------------------------------------------------------ the proofs

#[test]
fn every_property_is_proved_within_30_seconds() {
    let _serial = serial();
    let start = Instant::now();
    let reports = smt::prove_all(TIMEOUT);
    let wall = start.elapsed();
    println!("{}", smt::render_table(&reports));
    println!("prove_all wall time: {wall:.1?}");
    let ids: Vec<&str> = reports.iter().map(|r| r.property).collect();
    for needed in [
        "SMT-SHARE-001",
        "SMT-INFL-001",
        "SMT-FEE-003",
        "SMT-WD-001",
        "SMT-WD-002",
    ] {
        assert!(ids.contains(&needed), "{needed} is checked");
    }
    let failed: Vec<String> = reports
        .iter()
        .filter(|r| r.result != ProofResult::Proved)
        .map(|r| format!("{} {:?}", r.property, r.result))
        .collect();
    assert!(failed.is_empty(), "not proved: {failed:#?}");
    assert!(wall < Duration::from_secs(30), "prove_all took {wall:?}");
}

fn controls() -> &'static BTreeMap<&'static str, ProofReport> {
    static CONTROLS: OnceLock<BTreeMap<&'static str, ProofReport>> = OnceLock::new();
    CONTROLS.get_or_init(|| {
        let reports = smt::negative_controls(TIMEOUT);
        println!("{}", smt::render_table(&reports));
        reports.into_iter().map(|r| (r.property, r)).collect()
    })
}

#[test]
fn every_negative_control_has_a_counterexample() {
    let _serial = serial();
    let reports = controls();
    for (property, _) in smt::property_ids() {
        assert!(
            reports
                .keys()
                .any(|id| smt::control_info(id).is_some_and(|(of, _)| of == property)),
            "{property} has a negative control"
        );
    }
    for (id, r) in reports {
        assert!(
            matches!(r.result, ProofResult::Counterexample(_)),
            "{id}: {:?}",
            r.result
        );
        let (of, variant) = smt::control_info(id).expect("known control");
        assert!(
            smt::property_ids().iter().any(|(p, _)| *p == of),
            "{id} controls {of}"
        );
        assert!(
            smt::variants::variant(variant).is_some(),
            "{id}: variant {variant}"
        );
    }
}

// ------------------------------------------------------------------------------------------------ helpers

/// The counterexample of control `id`: its named values.
fn cex(id: &str) -> BTreeMap<String, U256> {
    let r = controls()
        .get(id)
        .unwrap_or_else(|| panic!("no control {id}"));
    match &r.result {
        ProofResult::Counterexample(values) => values
            .iter()
            .filter_map(|(n, v)| v.parse::<U256>().ok().map(|v| (n.clone(), v)))
            .collect(),
        other => panic!("{id}: no counterexample: {other:?}"),
    }
}

fn get(values: &BTreeMap<String, U256>, name: &str) -> U256 {
    *values
        .get(name)
        .unwrap_or_else(|| panic!("counterexample has no {name}: {values:?}"))
}

/// Compiles variant `name` (once per test binary; cached on disk by solc's content hashes).
fn variant_artifacts(name: &str) -> Artifacts {
    let variant = smt::variants::variant(name).unwrap_or_else(|| panic!("no variant {name}"));
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("smt-variants")
        .join(name);
    let contracts = common::contracts_root();
    fs::create_dir_all(&root).unwrap();
    let src = root.join("src");
    if src.exists() {
        fs::remove_dir_all(&src).unwrap();
    }
    copy_dir(&contracts.join("src"), &src);
    for file in [
        "foundry.toml",
        "remappings.txt",
        "package.json",
        "package-lock.json",
        "solc-front.js",
    ] {
        if contracts.join(file).exists() {
            fs::copy(contracts.join(file), root.join(file)).unwrap();
        }
    }
    let modules = root.join("node_modules");
    if !modules.exists() {
        std::os::unix::fs::symlink(contracts.join("node_modules"), &modules).unwrap();
    }
    variant.apply(&root).unwrap_or_else(|e| panic!("{e}"));
    common::artifacts(); // the real suite first: it sets up npm if needed
    SuiteCompiler::new(&root)
        .compile()
        .unwrap_or_else(|e| panic!("compiling variant {name}: {e}"))
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn deploy(artifacts: &Artifacts) -> World {
    World::deploy(artifacts, WorldConfig::default()).unwrap_or_else(|e| panic!("deploying: {e}"))
}

fn view<C: SolCall>(w: &World, to: Address, c: C) -> C::Return {
    w.view(to, &c)
        .unwrap_or_else(|e| panic!("{}: {e}", C::SIGNATURE))
}

fn ok<C: SolCall>(w: &mut World, from: Address, to: Address, c: C, value: U256) -> C::Return {
    w.call(from, to, &c, value)
        .unwrap_or_else(|e| panic!("{}: {e}", C::SIGNATURE))
}

fn attempt<C: SolCall>(
    w: &mut World,
    from: Address,
    to: Address,
    c: C,
    value: U256,
) -> CallOutcome {
    w.try_call(from, to, &c, value)
        .unwrap_or_else(|e| panic!("{}: {e}", C::SIGNATURE))
}

/// `true` when the outcome is Solidity's arithmetic panic (`Panic(0x11)`).
fn is_arithmetic_panic(out: &CallOutcome) -> bool {
    !out.success
        && out.output.len() == 36
        && out.output[..4] == [0x4e, 0x48, 0x7b, 0x71]
        && out.output[35] == 0x11
}

/// Makes pool 0's commission `bps` (queue, BeraChef's delay, activate).
fn set_commission(w: &mut World, bps: u64) {
    let p = w.pools[0].clone();
    ok(
        w,
        p.roles.commission_manager,
        p.smart_operator,
        ISmartOperator::queueValCommissionCall {
            bps: Uint::from(bps),
        },
        U256::ZERO,
    );
    w.chain.roll(16_382);
    let (attacker, chef) = (w.actors.attacker, w.contracts.bera_chef);
    ok(
        w,
        attacker,
        chef,
        IBeraChef::activateQueuedValCommissionCall {
            valPubkey: p.pubkey.clone(),
        },
        U256::ZERO,
    );
}

fn set_protocol_fee(w: &mut World, bps: U256) {
    let p = w.pools[0].clone();
    ok(
        w,
        p.roles.protocol_fee_manager,
        p.smart_operator,
        ISmartOperator::setProtocolFeePercentageCall { bps },
        U256::ZERO,
    );
}

/// Sends `amount` of plain BERA from the attacker to pool 0's rewards vault (funding the attacker as needed).
fn donate(w: &mut World, amount: U256) {
    if amount.is_zero() {
        return;
    }
    let (attacker, vault) = (w.actors.attacker, w.pools[0].rewards_vault);
    let balance = w.chain.balance(attacker);
    w.chain.set_balance(attacker, balance + amount);
    let out = w.chain.call(attacker, vault, Bytes::new(), amount).unwrap();
    assert!(out.success, "donation");
}

fn process(w: &mut World) {
    let (attacker, pool) = (w.actors.attacker, w.pools[0].staking_pool);
    ok(
        w,
        attacker,
        pool,
        IStakingPool::processRewardsCall {},
        U256::ZERO,
    );
}

/// `who` deposits `amount` into pool 0 (funded as needed); returns the shares minted.
fn deposit(w: &mut World, who: Address, amount: U256) -> U256 {
    let balance = w.chain.balance(who);
    w.chain.set_balance(who, balance + amount);
    let pool = w.pools[0].staking_pool;
    ok(
        w,
        who,
        pool,
        IStakingPool::submitCall { receiver: who },
        amount,
    )
}

fn supply_assets(w: &World) -> (U256, U256) {
    let pool = w.pools[0].staking_pool;
    (
        view(w, pool, IERC20::totalSupplyCall {}),
        view(w, pool, IStBERA::totalAssetsCall {}),
    )
}

fn balance_of(w: &World, who: Address) -> U256 {
    view(
        w,
        w.pools[0].staking_pool,
        IERC20::balanceOfCall { account: who },
    )
}

/// The consensus layer pays `reward` (or, negative, takes a penalty) and the feeder reports it for pool 0.
fn oracle_report(w: &mut World, balance_wei: U256) {
    let p = w.pools[0].clone();
    let (feeder, oracle, gov) = (
        w.actors.feeder,
        w.contracts.accounting_oracle,
        w.actors.governance,
    );
    ok(
        w,
        gov,
        oracle,
        IAccountingOracle::setBoundsCall {
            maxIncreaseBps: U256::from(10_000),
            maxDecreaseBps: U256::from(10_000),
        },
        U256::ZERO,
    );
    let last = view(
        w,
        oracle,
        IAccountingOracle::getLastReportCall {
            pubkey: p.pubkey.clone(),
        },
    );
    let report = IAccountingOracle::updateTotalDepositsCall {
        pubkey: p.pubkey.clone(),
        balanceGwei: balance_wei / U256::from(f::GWEI),
        refSlot: last.refSlot + U256::from(1),
    };
    ok(w, feeder, oracle, report, U256::ZERO);
}

fn oracle_reward(w: &mut World, reward: U256) {
    let p = w.pools[0].clone();
    let (system, bd) = (w.actors.system, w.contracts.beacon_deposit);
    ok(
        w,
        system,
        bd,
        IBeaconDeposit::rewardValidatorCall {
            pubkey: p.pubkey.clone(),
        },
        reward,
    );
    let expected = view(w, p.staking_pool, IStakingPool::expectedClBalanceCall {});
    oracle_report(w, expected + reward);
}

/// Fee shares minted to pool 0's validator and protocol recipient by `action`.
fn fee_shares_of(w: &mut World, action: impl FnOnce(&mut World)) -> (U256, U256) {
    let (validator, protocol) = (
        w.pools[0].roles.default_shares_recipient,
        w.actors.protocol_fee_recipient,
    );
    let before = (balance_of(w, validator), balance_of(w, protocol));
    action(w);
    (
        balance_of(w, validator) - before.0,
        balance_of(w, protocol) - before.1,
    )
}

/// Puts a fresh pool 0 at zero commission (the protocol fee is 0 by default), so donations bear no fee.
fn fee_free(w: &mut World) {
    set_commission(w, 0);
}

fn dead() -> U256 {
    f::FIRST_DEPOSIT_AMOUNT
}

fn line(id: &str, variant: &str, what: String) {
    println!("{id} replayed on {variant}: {what}");
}

// ------------------------------------------------------------------------------------------------ replays

#[test]
fn neg_share_001_replays_deposit_ceil() {
    let _serial = serial();
    let v = cex("NEG-SHARE-001");
    let mut w = deploy(&variant_artifacts("deposit-ceil"));
    fee_free(&mut w);
    assert_eq!(supply_assets(&w), (dead(), dead()), "a fresh pool");
    donate(&mut w, get(&v, "donation"));
    let staker = w.actors.stakers[0];
    let assets = get(&v, "assets");
    let shares = deposit(&mut w, staker, assets);
    assert_eq!(shares, get(&v, "shares"));
    let vault = w.contracts.withdrawal_vault;
    let pubkey = w.pools[0].pubkey.clone();
    let id = ok(
        &mut w,
        staker,
        vault,
        IWithdrawalVault::requestRedeemCall {
            pubkey,
            shares,
            maxFee: U256::ZERO,
        },
        U256::ZERO,
    );
    w.chain.roll(f::WITHDRAWAL_DELAY);
    let before = w.chain.balance(staker);
    ok(
        &mut w,
        staker,
        vault,
        IWithdrawalVault::finalizeWithdrawalRequestCall { requestId: id },
        U256::ZERO,
    );
    let paid = w.chain.balance(staker) - before;
    assert_eq!(paid, get(&v, "redeemed"));
    assert!(paid > assets, "deposit {assets}, redeemed {paid}");
    line(
        "NEG-SHARE-001",
        "deposit-ceil",
        format!(
            "deposited {assets} wei, redeemed and was paid {paid} wei: the pool lost {} wei",
            paid - assets
        ),
    );
}

#[test]
fn neg_share_002_replays_withdraw_floor() {
    let _serial = serial();
    let v = cex("NEG-SHARE-002");
    let mut w = deploy(&variant_artifacts("withdraw-floor"));
    fee_free(&mut w);
    donate(&mut w, get(&v, "donation"));
    let staker = w.actors.stakers[0];
    let minted = deposit(&mut w, staker, get(&v, "deposit"));
    assert_eq!(minted, get(&v, "depositShares"));
    let (s, a) = supply_assets(&w);
    let assets = get(&v, "amountGwei") * U256::from(f::GWEI);
    let vault = w.contracts.withdrawal_vault;
    let pubkey = w.pools[0].pubkey.clone();
    let before = balance_of(&w, staker);
    ok(
        &mut w,
        staker,
        vault,
        IWithdrawalVault::requestWithdrawalCall {
            pubkey,
            amountGwei: get(&v, "amountGwei"),
            maxFee: U256::ZERO,
        },
        U256::ZERO,
    );
    let burnt = before - balance_of(&w, staker);
    assert_eq!(burnt, get(&v, "sharesBurnt"));
    assert!(
        burnt * (a + U256::from(1)) < assets * (s + U256::from(1)),
        "burnt shares worth less than paid"
    );
    let worth = f::preview_redeem(burnt, s, a).unwrap();
    line("NEG-SHARE-002", "withdraw-floor", format!("withdrew {assets} wei for {burnt} shares worth {worth} wei (exact {}·{}/{}): the other holders lost the difference", burnt, a + U256::from(1), s + U256::from(1)));
}

#[test]
fn neg_share_003_replays_mint_floor() {
    let _serial = serial();
    let v = cex("NEG-SHARE-003");
    let mut w = deploy(&variant_artifacts("mint-floor"));
    fee_free(&mut w);
    donate(&mut w, get(&v, "donation"));
    process(&mut w);
    let (s, a) = supply_assets(&w);
    let shares = get(&v, "shares");
    let pool = w.pools[0].staking_pool;
    let charged = view(&w, pool, IStBERA::previewMintCall { shares });
    assert_eq!(charged, get(&v, "assetsCharged"));
    assert!(
        charged * (s + U256::from(1)) < shares * (a + U256::from(1)),
        "the quote is below the shares' value"
    );
    let staker = w.actors.stakers[0];
    let bought = deposit(&mut w, staker, charged);
    assert!(bought < shares);
    line("NEG-SHARE-003", "mint-floor", format!("previewMint({shares}) quoted {charged} wei, below the shares' value; paying it bought {bought} shares"));
}

#[test]
fn neg_share_004_replays_deposit_ceil() {
    let _serial = serial();
    let v = cex("NEG-SHARE-004");
    let mut w = deploy(&variant_artifacts("deposit-ceil"));
    fee_free(&mut w);
    donate(&mut w, get(&v, "donation"));
    let staker = w.actors.stakers[0];
    let assets = get(&v, "assets");
    let minted = deposit(&mut w, staker, assets);
    assert_eq!(minted, get(&v, "shares"));
    let worth = view(
        &w,
        w.pools[0].staking_pool,
        IStBERA::previewRedeemCall { shares: minted },
    );
    assert_eq!(worth, get(&v, "redeemable"));
    assert!(worth > assets);
    line(
        "NEG-SHARE-004",
        "deposit-ceil",
        format!("deposited {assets} wei, received {minted} shares redeemable for {worth} wei"),
    );
}

#[test]
fn neg_share_005_replays_redeem_ceil() {
    let _serial = serial();
    let v = cex("NEG-SHARE-005");
    let mut w = deploy(&variant_artifacts("redeem-ceil"));
    fee_free(&mut w);
    donate(&mut w, get(&v, "donation"));
    process(&mut w);
    let (s, a) = supply_assets(&w);
    let shares = get(&v, "shares");
    let paid = view(
        &w,
        w.pools[0].staking_pool,
        IStBERA::previewRedeemCall { shares },
    );
    assert_eq!(paid, get(&v, "assetsPaid"));
    assert!(paid * (s + U256::from(1)) > shares * (a + U256::from(1)));
    let fair = f::preview_redeem(shares, s, a).unwrap();
    line(
        "NEG-SHARE-005",
        "redeem-ceil",
        format!("previewRedeem({shares}) = {paid} wei, above the shares' value {fair}"),
    );
}

#[test]
fn neg_share_006_replays_deposit_wrapping() {
    let _serial = serial();
    let v = cex("NEG-SHARE-006");
    let w = deploy(&variant_artifacts("deposit-wrapping"));
    let real = common::world();
    let pool = w.pools[0].staking_pool;
    assert_eq!(
        supply_assets(&w),
        (get(&v, "supply"), get(&v, "totalAssets"))
    );
    let (a1, a2) = (get(&v, "assets1"), get(&v, "assets2"));
    let (d1, d2) = (
        view(&w, pool, IStBERA::previewDepositCall { assets: a1 }),
        view(&w, pool, IStBERA::previewDepositCall { assets: a2 }),
    );
    assert_eq!((d1, d2), (get(&v, "shares1"), get(&v, "shares2")));
    assert!(a1 < a2 && d1 > d2);
    let real_d2 = view(
        &real,
        real.pools[0].staking_pool,
        IStBERA::previewDepositCall { assets: a2 },
    );
    assert_eq!(Some(real_d2), f::preview_deposit(a2, dead(), dead()));
    line(
        "NEG-SHARE-006",
        "deposit-wrapping",
        format!(
            "previewDeposit({a1}) = {d1} > previewDeposit({a2}) = {d2} (the real pool: {real_d2})"
        ),
    );
}

/// The inflation attack of NEG-INFL-001 on `w` (pool 0): attacker deposit, donation, victim deposit; returns
/// (victim shares, their value).
fn inflation_attack(w: &mut World, v: &BTreeMap<String, U256>) -> (U256, U256) {
    fee_free(w);
    let attacker = w.actors.attacker;
    deposit(w, attacker, get(v, "attackerDeposit"));
    donate(w, get(v, "donation"));
    let victim = w.actors.stakers[1];
    let deposit_amount = get(v, "victimDeposit");
    let balance = w.chain.balance(victim);
    w.chain.set_balance(victim, balance + deposit_amount);
    let pool = w.pools[0].staking_pool;
    let out = attempt(
        w,
        victim,
        pool,
        IStakingPool::submitCall { receiver: victim },
        deposit_amount,
    );
    if !out.success {
        return (U256::ZERO, U256::ZERO);
    }
    let shares = balance_of(w, victim);
    (shares, view(w, pool, IStBERA::previewRedeemCall { shares }))
}

#[test]
fn neg_infl_001_replays_no_dead_shares() {
    let _serial = serial();
    let v = cex("NEG-INFL-001");
    let mut w = deploy(&variant_artifacts("no-dead-shares"));
    assert_eq!(
        supply_assets(&w),
        (U256::ZERO, U256::ZERO),
        "the broken pool starts empty"
    );
    let (shares, worth) = inflation_attack(&mut w, &v);
    assert_eq!(
        (shares, worth),
        (get(&v, "victimShares"), get(&v, "victimValue"))
    );
    let deposited = get(&v, "victimDeposit");
    assert!(worth * U256::from(1000) < deposited * U256::from(999));
    // The same attack on the real pool (dead shares) costs the victim at most 0.1%.
    let mut real = common::world();
    let (real_shares, real_worth) = inflation_attack(&mut real, &v);
    assert!(real_shares.is_zero() || real_worth * U256::from(1000) >= deposited * U256::from(999));
    line(
        "NEG-INFL-001",
        "no-dead-shares",
        format!("victim deposited {deposited} wei, holds shares worth {worth} wei ({} ppm lost, > 1000); on the real pool: worth {real_worth}", (deposited - worth) * U256::from(1_000_000) / deposited),
    );
}

/// Sets pool 0's rates as in a fee control's counterexample and pays the oracle reward; returns the state
/// before (supply, totalAssets), the fee shares minted, and the state after.
fn fee_charge(
    w: &mut World,
    v: &BTreeMap<String, U256>,
) -> ((U256, U256), (U256, U256), (U256, U256)) {
    let (cb, pb) = (get(v, "commissionBps"), get(v, "protocolBps"));
    if cb != U256::from(500) {
        set_commission(w, cb.to::<u64>());
    }
    set_protocol_fee(w, pb);
    let rates = view(
        w,
        w.pools[0].smart_operator,
        ISmartOperator::feeRatesCall {},
    );
    assert_eq!((rates.commissionBps, rates.protocolFeeBps), (cb, pb));
    let before = supply_assets(w);
    assert_eq!(
        before,
        (get(v, "supply"), get(v, "totalAssetsBefore")),
        "a fresh pool"
    );
    let reward = get(v, "reward");
    let minted = fee_shares_of(w, |w| oracle_reward(w, reward));
    (before, minted, supply_assets(w))
}

#[test]
fn neg_fee_001_replays_fee_before_reward() {
    let _serial = serial();
    let v = cex("NEG-FEE-001");
    let mut w = deploy(&variant_artifacts("fee-before-reward"));
    let (_, (cs, ps), (s2, a)) = fee_charge(&mut w, &v);
    assert_eq!(
        (cs, ps),
        (get(&v, "commissionShares"), get(&v, "protocolShares"))
    );
    let fees = get(&v, "commission") + get(&v, "protocolFee");
    let one = U256::from(1);
    assert!(
        (cs + ps) * (a + one) > fees * (s2 + one),
        "fee shares worth more than the fees"
    );
    let worth = f::preview_redeem(cs + ps, s2, a).unwrap();
    line(
        "NEG-FEE-001",
        "fee-before-reward",
        format!(
            "fees {fees} wei, fee shares worth {worth} wei: stakers lost {} wei",
            worth - fees
        ),
    );
}

#[test]
fn neg_fee_002_replays_fee_before_reward() {
    let _serial = serial();
    let v = cex("NEG-FEE-002");
    let mut w = deploy(&variant_artifacts("fee-before-reward"));
    let (_, (cs, ps), (s2, a)) = fee_charge(&mut w, &v);
    assert_eq!(
        (cs, ps),
        (get(&v, "commissionShares"), get(&v, "protocolShares"))
    );
    let pool = w.pools[0].staking_pool;
    let (vc, vp) = (
        view(&w, pool, IStBERA::previewRedeemCall { shares: cs }),
        view(&w, pool, IStBERA::previewRedeemCall { shares: ps }),
    );
    assert_eq!(
        (vc, vp),
        (get(&v, "commissionValue"), get(&v, "protocolValue"))
    );
    let reward = get(&v, "reward");
    let (cb, pb) = (get(&v, "commissionBps"), get(&v, "protocolBps"));
    let tenk = U256::from(10_000);
    assert!(vc * tenk > cb * reward || vp * tenk > pb * reward);
    let _ = (s2, a);
    line(
        "NEG-FEE-002",
        "fee-before-reward",
        format!("reward {reward} wei, rates {cb}/{pb} bps: commission shares worth {vc} wei (cap {}), protocol shares worth {vp} wei (cap {})", cb * reward / tenk, pb * reward / tenk),
    );
}

#[test]
fn neg_fee_003_replays_cap_25() {
    let _serial = serial();
    let v = cex("NEG-FEE-003");
    let mut w = deploy(&variant_artifacts("cap-25"));
    let ((s, a0), (cs, ps), (s2, a)) = fee_charge(&mut w, &v);
    assert_eq!(
        (cs, ps),
        (get(&v, "commissionShares"), get(&v, "protocolShares"))
    );
    let reward = get(&v, "reward");
    let one = U256::from(1);
    let kept_scaled = (s + one) * (a + one) * U256::from(10);
    assert!(
        kept_scaled < (s2 + one) * ((a0 + one) * U256::from(10) + reward * U256::from(6)),
        "stakers keep < 60%"
    );
    let gain = (s + one) * (a + one) / (s2 + one) - (a0 + one);
    line(
        "NEG-FEE-003",
        "cap-25",
        format!(
            "reward {reward}: existing shares gained {gain} wei = {}% of it",
            gain * U256::from(100) / reward
        ),
    );
}

/// A bare chain with `artifacts`' FeeMathExposer; returns (chain, address).
fn fee_math_exposer(artifacts: &Artifacts) -> (Chain, Address) {
    let mut chain = Chain::new();
    let from = Address::repeat_byte(0x42);
    let code = artifacts.get("FeeMathExposer").unwrap().bytecode.clone();
    let out = chain.deploy(from, code, U256::ZERO).unwrap();
    (chain, out.created.unwrap())
}

#[test]
fn neg_fee_004_replays_fee_plain_mul() {
    let _serial = serial();
    let v = cex("NEG-FEE-004");
    let (supply, reward, before) = (
        get(&v, "supply"),
        get(&v, "reward"),
        get(&v, "totalAssetsBefore"),
    );
    let (c, p) = (get(&v, "commission"), get(&v, "protocolFee"));
    let call = IFeeMathExposer::splitFeeSharesCall {
        commission: c,
        protocolFee: p,
        supply,
        totalAssets: before + reward,
    };
    let (chain, exposer) = fee_math_exposer(&variant_artifacts("fee-plain-mul"));
    let broken = chain
        .view(Address::ZERO, exposer, call.abi_encode().into())
        .unwrap();
    assert!(
        is_arithmetic_panic(&broken),
        "the broken fee math reverts with an arithmetic panic"
    );
    let (chain, exposer) = fee_math_exposer(common::artifacts());
    let real = chain
        .view(Address::ZERO, exposer, call.abi_encode().into())
        .unwrap();
    assert!(real.success);
    assert!(f::split_fee_shares(c, p, supply, before + reward).is_some());
    line("NEG-FEE-004", "fee-plain-mul", format!("splitFeeShares({c}, {p}, {supply}, {}) panics (0x11): the reward could never be collected; the real FeeMath returns", before + reward));
}

#[test]
fn neg_fee_005_replays_cap_25() {
    let _serial = serial();
    let v = cex("NEG-FEE-005");
    let bps = get(&v, "bps");
    let mut w = deploy(&variant_artifacts("cap-25"));
    let p = w.pools[0].clone();
    set_protocol_fee(&mut w, bps);
    assert_eq!(
        view(
            &w,
            p.smart_operator,
            ISmartOperator::protocolFeePercentageCall {}
        ),
        bps
    );
    ok(
        &mut w,
        p.roles.commission_manager,
        p.smart_operator,
        ISmartOperator::queueValCommissionCall {
            bps: Uint::from(bps.to::<u128>()),
        },
        U256::ZERO,
    );
    let mut real = common::world();
    let rp = real.pools[0].clone();
    let out = attempt(
        &mut real,
        rp.roles.protocol_fee_manager,
        rp.smart_operator,
        ISmartOperator::setProtocolFeePercentageCall { bps },
        U256::ZERO,
    );
    assert_eq!(
        real.decoder.error_name(&out.output),
        Some("InvalidFeePercentage")
    );
    line("NEG-FEE-005", "cap-25", format!("setProtocolFeePercentage({bps}) and queueValCommission({bps}) accepted (the real operator: InvalidFeePercentage)"));
}

/// A staker deposits and requests a buffered withdrawal of 1 BERA from pool 0; returns (staker, request id).
fn small_request(w: &mut World) -> (Address, U256) {
    let staker = w.actors.stakers[0];
    deposit(w, staker, BERA * U256::from(10));
    let (vault, pubkey) = (w.contracts.withdrawal_vault, w.pools[0].pubkey.clone());
    let id = ok(
        w,
        staker,
        vault,
        IWithdrawalVault::requestWithdrawalCall {
            pubkey,
            amountGwei: U256::from(f::GWEI),
            maxFee: U256::ZERO,
        },
        U256::ZERO,
    );
    (staker, id)
}

#[test]
fn neg_wd_001_replays_delay_off_by_one() {
    let _serial = serial();
    let v = cex("NEG-WD-001");
    let elapsed = get(&v, "elapsed").to::<u64>();
    let mut broken = deploy(&variant_artifacts("delay-off-by-one"));
    let mut real = common::world();
    let vault = real.contracts.withdrawal_vault;
    let mut outcomes = Vec::new();
    for w in [&mut broken, &mut real] {
        let (staker, id) = small_request(w);
        w.chain.roll(elapsed);
        outcomes.push(attempt(
            w,
            staker,
            vault,
            IWithdrawalVault::finalizeWithdrawalRequestCall { requestId: id },
            U256::ZERO,
        ));
    }
    assert!(
        outcomes[0].success,
        "the broken vault pays {elapsed} blocks after the request"
    );
    assert_eq!(
        real.decoder.error_name(&outcomes[1].output),
        Some("NotFinalizable")
    );
    line(
        "NEG-WD-001",
        "delay-off-by-one",
        format!(
            "finalized {elapsed} blocks after the request (< {}); the real vault: NotFinalizable",
            f::WITHDRAWAL_DELAY
        ),
    );
}

#[test]
fn neg_wd_002_replays_owed_shares() {
    let _serial = serial();
    let v = cex("NEG-WD-002");
    let mut w = deploy(&variant_artifacts("owed-shares"));
    fee_free(&mut w);
    donate(&mut w, get(&v, "donation"));
    let staker = w.actors.stakers[0];
    assert_eq!(
        deposit(&mut w, staker, get(&v, "deposit")),
        get(&v, "depositShares")
    );
    let (vault, pubkey) = (w.contracts.withdrawal_vault, w.pools[0].pubkey.clone());
    let amount_gwei = get(&v, "amountGwei");
    let id = ok(
        &mut w,
        staker,
        vault,
        IWithdrawalVault::requestWithdrawalCall {
            pubkey: pubkey.clone(),
            amountGwei: amount_gwei,
            maxFee: U256::ZERO,
        },
        U256::ZERO,
    );
    let owed = view(&w, vault, IWithdrawalVault::poolOwedCall { pubkey });
    assert_eq!(owed, get(&v, "sharesBurnt"));
    w.chain.roll(f::WITHDRAWAL_DELAY);
    let out = attempt(
        &mut w,
        staker,
        vault,
        IWithdrawalVault::finalizeWithdrawalRequestCall { requestId: id },
        U256::ZERO,
    );
    assert!(
        is_arithmetic_panic(&out),
        "finalize underflows _owed: {}",
        w.reason(&out)
    );
    let assets = amount_gwei * U256::from(f::GWEI);
    line("NEG-WD-002", "owed-shares", format!("_owed = {owed} < assets {assets}: finalize panics (0x11), the staker's {assets} wei can never be paid"));
}

#[test]
fn neg_wd_003_replays_redeem_ceil() {
    let _serial = serial();
    let v = cex("NEG-WD-003");
    let mut w = deploy(&variant_artifacts("redeem-ceil"));
    let penalty = get(&v, "penaltyGwei") * U256::from(f::GWEI);
    oracle_report(&mut w, dead() - penalty);
    oracle_report(&mut w, U256::ZERO); // a zero report: full exit
    let pool = w.pools[0].staking_pool;
    assert!(view(&w, pool, IStakingPool::isFullyExitedCall {}));
    assert_eq!(
        view(&w, pool, IStakingPool::frozenTotalAssetsCall {}),
        get(&v, "frozenTotalAssets")
    );
    let holder = w.pools[0].roles.default_shares_recipient;
    let shares = get(&v, "sharesRedeemed");
    assert!(balance_of(&w, holder) >= shares);
    let (vault, pubkey) = (w.contracts.withdrawal_vault, w.pools[0].pubkey.clone());
    let out = attempt(
        &mut w,
        holder,
        vault,
        IWithdrawalVault::requestRedeemCall {
            pubkey,
            shares,
            maxFee: U256::ZERO,
        },
        U256::ZERO,
    );
    assert!(
        is_arithmetic_panic(&out),
        "frozenTotalAssets underflows: {}",
        w.reason(&out)
    );
    line("NEG-WD-003", "redeem-ceil", format!("after a {penalty} wei penalty and a full exit, redeeming {shares} shares panics (0x11): their {} wei are locked", get(&v, "frozenTotalAssets")));
}

// ------------------------------------------------------------------------------------------------ findings

#[test]
fn no_finding_is_open() {
    let _serial = serial();
    let reports = smt::findings(TIMEOUT);
    assert!(reports.is_empty(), "open findings: {reports:#?}");
}

/// splitFeeShares and previewRedeem of the fee exposer's and the StBERA exposer's bytecode (from `artifacts`) at
/// supply `s`, totalAssets `a`: the shares of each recipient and their values after minting.
fn exposed_split(
    artifacts: &Artifacts,
    c: U256,
    p: U256,
    s: U256,
    a: U256,
) -> ((U256, U256), (U256, U256)) {
    let (mut chain, fee_math) = fee_math_exposer(artifacts);
    let from = Address::repeat_byte(0x42);
    let stbera = chain
        .deploy(
            from,
            artifacts.get("StBERAExposer").unwrap().bytecode.clone(),
            U256::ZERO,
        )
        .unwrap()
        .created
        .unwrap();
    let split = IFeeMathExposer::splitFeeSharesCall {
        commission: c,
        protocolFee: p,
        supply: s,
        totalAssets: a,
    };
    let out = chain
        .view(Address::ZERO, fee_math, split.abi_encode().into())
        .unwrap();
    assert!(out.success, "splitFeeShares({c}, {p}, {s}, {a})");
    let shares = IFeeMathExposer::splitFeeSharesCall::abi_decode_returns(&out.output).unwrap();
    let (cs, ps) = (shares.commissionShares, shares.protocolShares);
    chain
        .call(
            from,
            stbera,
            IStBERAExposer::setStateCall {
                supply: s + cs + ps,
                assets: a,
            }
            .abi_encode()
            .into(),
            U256::ZERO,
        )
        .unwrap();
    let value = |shares: U256| {
        let out = chain
            .view(
                Address::ZERO,
                stbera,
                IStBERA::previewRedeemCall { shares }.abi_encode().into(),
            )
            .unwrap();
        IStBERA::previewRedeemCall::abi_decode_returns(&out.output).unwrap()
    };
    ((cs, ps), (value(cs), value(ps)))
}

#[test]
fn neg_fee_006_replays_fee_floor_split() {
    let _serial = serial();
    let v = cex("NEG-FEE-006");
    let tenk = U256::from(10_000);
    let broken = variant_artifacts("fee-floor-split");

    // 1. z3's counterexample on the broken FeeMath and StBERA bytecode (through the exposers), then on the real one.
    let (s, a) = (
        get(&v, "supply"),
        get(&v, "totalAssetsBefore") + get(&v, "reward"),
    );
    let (c, p, reward) = (
        get(&v, "commission"),
        get(&v, "protocolFee"),
        get(&v, "reward"),
    );
    let (cb, pb) = (get(&v, "commissionBps"), get(&v, "protocolBps"));
    let ((cs, ps), (vc, vp)) = exposed_split(&broken, c, p, s, a);
    assert_eq!(
        (cs, ps),
        (get(&v, "commissionShares"), get(&v, "protocolShares"))
    );
    assert_eq!(
        (vc, vp),
        (get(&v, "commissionValue"), get(&v, "protocolValue"))
    );
    assert!(
        vc * tenk > cb * reward || vp * tenk > pb * reward,
        "a recipient's shares are worth more than its rate of the reward"
    );
    let ((real_cs, real_ps), (real_vc, real_vp)) = exposed_split(common::artifacts(), c, p, s, a);
    assert!(
        real_vc <= c && real_vp <= p,
        "the real split: ({real_vc}, {real_vp}) for fees ({c}, {p})"
    );
    assert_eq!(Some((real_cs, real_ps)), f::split_fee_shares(c, p, s, a));
    line(
        "NEG-FEE-006",
        "fee-floor-split",
        format!(
            "rates {cb}/{pb} bps, reward {reward} wei, supply {s}, totalAssets {a}: fees ({c}, {p}) wei, shares ({cs}, {ps}) worth ({vc}, {vp}) wei; the real split mints ({real_cs}, {real_ps}) worth ({real_vc}, {real_vp})"
        ),
    );

    // 2. End to end on a fresh pool at BeraChef's default 5% commission and a 20% protocol fee, with a donation
    // found by a deterministic search over the broken formula: the broken pool over-pays, the real one does not.
    let (cb, pb) = (U256::from(500), U256::from(2000));
    let fees_of = |r: U256| (f::fee_of(r, cb).unwrap(), f::fee_of(r, pb).unwrap());
    let over = |r: U256| {
        let (c, p) = fees_of(r);
        let (cs, ps) = f::floor_split_fee_shares(c, p, dead(), dead() + r).unwrap();
        let s2 = dead() + cs + ps;
        f::preview_redeem(cs, s2, dead() + r).unwrap() > c
            || f::preview_redeem(ps, s2, dead() + r).unwrap() > p
    };
    let mut r = dead() * U256::from(20);
    let step = U256::from(1_000_003_000_000_000_007u64);
    let mut tries = 0;
    while !over(r) {
        r += step;
        tries += 1;
        assert!(tries < 1_000_000, "no over-payment found");
    }
    let (c, p) = fees_of(r);
    let mut values = Vec::new();
    for mut w in [deploy(&broken), common::world()] {
        set_protocol_fee(&mut w, pb);
        donate(&mut w, r);
        let (cs, ps) = fee_shares_of(&mut w, process);
        let pool = w.pools[0].staking_pool;
        values.push((
            (cs, ps),
            (
                view(&w, pool, IStBERA::previewRedeemCall { shares: cs }),
                view(&w, pool, IStBERA::previewRedeemCall { shares: ps }),
            ),
        ));
    }
    let (((cs, ps), (vc, vp)), ((real_cs, real_ps), (real_vc, real_vp))) = (values[0], values[1]);
    assert!(
        vc > c || vp > p,
        "end to end on the broken pool: ({vc}, {vp}) for fees ({c}, {p})"
    );
    assert!(
        real_vc <= c && real_vp <= p,
        "end to end on the real pool: ({real_vc}, {real_vp}) for fees ({c}, {p})"
    );
    line(
        "NEG-FEE-006",
        "fee-floor-split",
        format!(
            "fresh pool, 5% commission, 20% protocol fee, donation {r} wei: fees ({c}, {p}) wei, shares ({cs}, {ps}) worth ({vc}, {vp}); the real pool mints ({real_cs}, {real_ps}) worth ({real_vc}, {real_vp})"
        ),
    );
}
