//! Ties each SMT model to the bytecode: the model's formulas (`poolguard_invariants::smt::formulas`, whose z3
//! encodings the invariants crate checks point by point) are evaluated in Rust and the same functions of the
//! compiled contracts in revm, on random and edge inputs; any disagreement, in value or in reverting, fails.
//!
//! - share conversion: the very StBERA code through `contracts/src/harness/StBERAExposer.sol` (any supply and
//!   totalAssets), and the real StakingPool driven through deposits, donations and oracle reports;
//! - fees: `FeeMath` through `contracts/src/harness/FeeMathExposer.sol`, and the fee shares the real pool mints
//!   on oracle rewards;
//! - setters: `setProtocolFeePercentage` and `queueValCommission` on a real SmartOperator;
//! - withdrawals: the finalization delay on the real WithdrawalVault, and its per-pool books (`poolOwed`,
//!   `poolFunds`) against the Rust ledger fed with the vault's own events.
//!
//! Deterministic (fixed seeds).

mod common;

use std::time::Instant;

use alloy_primitives::{Address, Bytes, Log, Uint, U256};
use alloy_sol_types::{sol, SolCall, SolEvent};
use poolguard::bindings::{
    IAccountingOracle, IBeaconDeposit, ISmartOperator, IStBERA, IStakingPool, IWithdrawalVault,
    IERC20,
};
use poolguard::evm::Chain;
use poolguard::world::{World, BERA};
use poolguard_invariants::smt::formulas as f;

sol! {
    interface IStBERAExposer {
        function setState(uint256 supply, uint256 assets) external;
    }
    interface IFeeMathExposer {
        function feeOf(uint256 reward, uint256 bps) external pure returns (uint256);
        function feeShares(uint256 fee, uint256 supply, uint256 totalAssets) external pure returns (uint256);
        function splitFeeShares(uint256 commission, uint256 protocolFee, uint256 supply, uint256 totalAssets)
            external pure returns (uint256 commissionShares, uint256 protocolShares);
        function netOfFees(uint256 amount, uint256 commissionBps, uint256 protocolBps) external pure returns (uint256);
    }
}

/// splitmix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// Edge values (0, 1, 2, 2^255, near 2^256, the SPEC constants and their neighbours), random widths, and
    /// values near `near`.
    fn u256(&mut self, near: &[U256]) -> U256 {
        let one = U256::from(1);
        let edges = [
            U256::ZERO,
            one,
            U256::from(2),
            one << 255,
            (one << 255) - one,
            (one << 255) + one,
            U256::MAX,
            U256::MAX - one,
            U256::MAX / U256::from(2),
            U256::MAX / f::FIRST_DEPOSIT_AMOUNT,
            f::FIRST_DEPOSIT_AMOUNT,
            f::FIRST_DEPOSIT_AMOUNT + one,
            f::FIRST_DEPOSIT_AMOUNT - one,
            f::BERA_SUPPLY_BOUND,
            BERA * U256::from(250_000u64),
            BERA * U256::from(10_000_000u64),
            U256::from(f::WITHDRAWAL_DELAY),
            U256::from(f::GWEI),
            U256::from(2000u64),
            U256::from(2001u64),
            U256::from(10_000u64),
        ];
        match self.below(10) {
            0..=2 => self.pick(&edges),
            3 => U256::from(self.below(100_000)),
            4 | 5 => {
                let bits = 1 + self.below(256) as usize;
                let v = U256::from_limbs([self.next(), self.next(), self.next(), self.next()]);
                if bits == 256 {
                    v
                } else {
                    v & ((one << bits) - one)
                }
            }
            6 => BERA * U256::from(self.below(10_000_000)) + U256::from(self.next()),
            _ if !near.is_empty() => {
                let base = self.pick(near);
                let delta = U256::from(self.below(4));
                if self.below(2) == 0 {
                    base.saturating_add(delta)
                } else {
                    base.saturating_sub(delta)
                }
            }
            _ => U256::from(self.next()),
        }
    }
}

/// A bare chain with the two exposers deployed.
struct Exposers {
    chain: Chain,
    stbera: Address,
    fee_math: Address,
    caller: Address,
}

fn exposers() -> Exposers {
    let artifacts = common::artifacts();
    let mut chain = Chain::new();
    let caller = Address::repeat_byte(0x42);
    chain.set_balance(caller, BERA);
    let mut deploy = |name: &str| {
        let code = artifacts
            .get(name)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .bytecode
            .clone();
        let out = chain.deploy(caller, code, U256::ZERO).unwrap();
        assert!(out.success, "deploying {name}");
        out.created.unwrap()
    };
    let stbera = deploy("StBERAExposer");
    let fee_math = deploy("FeeMathExposer");
    Exposers {
        chain,
        stbera,
        fee_math,
        caller,
    }
}

/// Calls a view; `None` when it reverts.
fn call<C: SolCall>(chain: &Chain, to: Address, call: &C) -> Option<C::Return> {
    let out = chain
        .view(Address::ZERO, to, call.abi_encode().into())
        .unwrap();
    assert!(
        out.halt.is_none(),
        "{} halted: {:?}",
        C::SIGNATURE,
        out.halt
    );
    out.success
        .then(|| C::abi_decode_returns(&out.output).expect("decodes"))
}

fn agree<T: PartialEq + std::fmt::Debug>(
    what: &str,
    inputs: &[U256],
    model: Option<T>,
    evm: Option<T>,
) {
    assert_eq!(
        model, evm,
        "{what}{inputs:?}: model (left) and bytecode (right) disagree (None = reverts)"
    );
}

const SHARE_STATES: usize = 5_000;
const ARGS_PER_STATE: usize = 10;

#[test]
fn share_conversion_model_matches_stbera_bytecode() {
    let start = Instant::now();
    let mut x = exposers();
    let mut rng = Rng(0x5eed_0001);
    let mut inputs = 0usize;
    for _ in 0..SHARE_STATES {
        let supply = rng.u256(&[]);
        let assets = rng.u256(&[supply]);
        let out = x
            .chain
            .call(
                x.caller,
                x.stbera,
                IStBERAExposer::setStateCall { supply, assets }
                    .abi_encode()
                    .into(),
                U256::ZERO,
            )
            .unwrap();
        assert!(out.success, "setState({supply}, {assets})");
        for _ in 0..ARGS_PER_STATE {
            let a = rng.u256(&[supply, assets]);
            let st = [a, supply, assets];
            agree(
                "previewDeposit",
                &st,
                f::preview_deposit(a, supply, assets),
                call(
                    &x.chain,
                    x.stbera,
                    &IStBERA::previewDepositCall { assets: a },
                ),
            );
            agree(
                "previewMint",
                &st,
                f::preview_mint(a, supply, assets),
                call(&x.chain, x.stbera, &IStBERA::previewMintCall { shares: a }),
            );
            agree(
                "previewWithdraw",
                &st,
                f::preview_withdraw(a, supply, assets),
                call(
                    &x.chain,
                    x.stbera,
                    &IStBERA::previewWithdrawCall { assets: a },
                ),
            );
            agree(
                "previewRedeem",
                &st,
                f::preview_redeem(a, supply, assets),
                call(
                    &x.chain,
                    x.stbera,
                    &IStBERA::previewRedeemCall { shares: a },
                ),
            );
            agree(
                "convertToShares",
                &st,
                f::convert_to_shares(a, supply, assets),
                call(
                    &x.chain,
                    x.stbera,
                    &IStBERA::convertToSharesCall { assets: a },
                ),
            );
            agree(
                "convertToAssets",
                &st,
                f::convert_to_assets(a, supply, assets),
                call(
                    &x.chain,
                    x.stbera,
                    &IStBERA::convertToAssetsCall { shares: a },
                ),
            );
            inputs += 1;
        }
    }
    assert!(inputs >= 50_000);
    println!(
        "share conversion: {inputs} inputs x 6 functions agree with the bytecode in {:.1?}",
        start.elapsed()
    );
}

const FEE_INPUTS: usize = 50_000;

#[test]
fn fee_model_matches_fee_math_bytecode() {
    let start = Instant::now();
    let x = exposers();
    let mut rng = Rng(0x5eed_0002);
    let bps_edges = [0u64, 1, 500, 1999, 2000, 2001, 2500, 9999, 10_000, 10_001];
    for _ in 0..FEE_INPUTS {
        let reward = rng.u256(&[]);
        let bps = if rng.below(2) == 0 {
            U256::from(rng.pick(&bps_edges))
        } else {
            rng.u256(&[])
        };
        agree(
            "feeOf",
            &[reward, bps],
            f::fee_of(reward, bps),
            call(
                &x.chain,
                x.fee_math,
                &IFeeMathExposer::feeOfCall { reward, bps },
            ),
        );

        let supply = rng.u256(&[]);
        let total_assets = rng.u256(&[supply]);
        let fee = rng.u256(&[total_assets, total_assets + U256::from(1), U256::ZERO]);
        agree(
            "feeShares",
            &[fee, supply, total_assets],
            f::fee_shares(fee, supply, total_assets),
            call(
                &x.chain,
                x.fee_math,
                &IFeeMathExposer::feeSharesCall {
                    fee,
                    supply,
                    totalAssets: total_assets,
                },
            ),
        );

        let commission = rng.u256(&[fee]);
        let protocol = rng.u256(&[fee, total_assets]);
        agree(
            "splitFeeShares",
            &[commission, protocol, supply, total_assets],
            f::split_fee_shares(commission, protocol, supply, total_assets),
            call(
                &x.chain,
                x.fee_math,
                &IFeeMathExposer::splitFeeSharesCall {
                    commission,
                    protocolFee: protocol,
                    supply,
                    totalAssets: total_assets,
                },
            )
            .map(|r| (r.commissionShares, r.protocolShares)),
        );

        let (cb, pb) = (
            U256::from(rng.pick(&bps_edges)),
            U256::from(rng.pick(&bps_edges)),
        );
        agree(
            "netOfFees",
            &[reward, cb, pb],
            f::net_of_fees(reward, cb, pb),
            call(
                &x.chain,
                x.fee_math,
                &IFeeMathExposer::netOfFeesCall {
                    amount: reward,
                    commissionBps: cb,
                    protocolBps: pb,
                },
            ),
        );
    }
    println!(
        "fee math: {FEE_INPUTS} inputs x 4 functions agree with the bytecode in {:.1?}",
        start.elapsed()
    );
}

const SPLIT_PATH_INPUTS: usize = 20_000;

/// Random inputs rarely reach splitFeeShares' correction (fees above the supply) or its fallback (fees of about half
/// of totalAssets): here half the inputs are capped fees (<= 2000 bps of a reward counted in totalAssets) on a small
/// supply, half fees of a quarter to all of totalAssets, and each path must be taken.
#[test]
fn fee_split_paths_match_fee_math_bytecode() {
    let start = Instant::now();
    let x = exposers();
    let mut rng = Rng(0x5eed_0006);
    let (mut given_back, mut fallbacks, mut reverts) = (0usize, 0usize, 0usize);
    let bits = |rng: &mut Rng, max: u64| {
        let width = 1 + rng.below(max) as usize;
        U256::from_limbs([rng.next(), rng.next(), rng.next(), rng.next()])
            & ((U256::from(1) << width) - U256::from(1))
    };
    for i in 0..SPLIT_PATH_INPUTS {
        let (commission, protocol, supply, total_assets) = if i % 2 == 0 {
            let supply = U256::from(rng.below(10_000));
            let reward = bits(&mut rng, 120).max(U256::from(1));
            let total_assets = reward
                + if rng.below(2) == 0 {
                    U256::from(rng.below(1_000))
                } else {
                    bits(&mut rng, 120)
                };
            let bps = |rng: &mut Rng| {
                U256::from([0, 1, 1999, 2000, rng.below(2001)][rng.below(5) as usize])
            };
            let (cb, pb) = (bps(&mut rng), bps(&mut rng));
            (
                f::fee_of(reward, cb).unwrap(),
                f::fee_of(reward, pb).unwrap(),
                supply,
                total_assets,
            )
        } else {
            let supply = if rng.below(2) == 0 {
                U256::from(rng.below(10_000))
            } else {
                bits(&mut rng, 200)
            };
            let total_assets = bits(&mut rng, 200);
            let commission = total_assets / U256::from(1 + rng.below(4));
            let protocol = (total_assets - commission) / U256::from(1 + rng.below(4))
                + U256::from(rng.below(3));
            (commission, protocol, supply, total_assets)
        };
        let model = f::split_fee_shares(commission, protocol, supply, total_assets);
        agree(
            "splitFeeShares",
            &[commission, protocol, supply, total_assets],
            model,
            call(
                &x.chain,
                x.fee_math,
                &IFeeMathExposer::splitFeeSharesCall {
                    commission,
                    protocolFee: protocol,
                    supply,
                    totalAssets: total_assets,
                },
            )
            .map(|r| (r.commissionShares, r.protocolShares)),
        );
        let Some(split) = model else {
            reverts += 1;
            continue;
        };
        let floor = f::floor_split_fee_shares(commission, protocol, supply, total_assets).unwrap();
        let own = (
            f::fee_shares(commission, supply, total_assets).unwrap(),
            f::fee_shares(protocol, supply, total_assets).unwrap(),
        );
        if split != floor && split == own {
            fallbacks += 1;
        } else if split != floor {
            given_back += 1;
        }
    }
    assert!(
        given_back >= 100 && fallbacks >= 100,
        "{given_back} given back, {fallbacks} fallbacks"
    );
    println!(
        "fee split paths: {SPLIT_PATH_INPUTS} inputs agree with the bytecode ({given_back} gave back a share, {fallbacks} fell back, {reverts} reverted) in {:.1?}",
        start.elapsed()
    );
}

// ------------------------------------------------------------------------------------------------ real pools

fn view<C: SolCall>(w: &World, to: Address, c: C) -> C::Return {
    w.view(to, &c)
        .unwrap_or_else(|e| panic!("{}: {e}", C::SIGNATURE))
}

fn ok<C: SolCall>(w: &mut World, from: Address, to: Address, c: C, value: U256) -> C::Return {
    w.call(from, to, &c, value)
        .unwrap_or_else(|e| panic!("{}: {e}", C::SIGNATURE))
}

/// Makes the commission `bps` on pool `i` (queue, BeraChef's delay, activate).
fn set_commission(w: &mut World, i: usize, bps: u64) {
    let p = w.pools[i].clone();
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
    let chef = w.contracts.bera_chef;
    ok(
        w,
        w.actors.attacker,
        chef,
        poolguard::bindings::IBeraChef::activateQueuedValCommissionCall {
            valPubkey: p.pubkey.clone(),
        },
        U256::ZERO,
    );
}

/// Lets the oracle accept any report (governance widens the per-report bounds to 100%).
fn open_oracle_bounds(w: &mut World) {
    let (gov, oracle) = (w.actors.governance, w.contracts.accounting_oracle);
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
}

/// The consensus layer pays `reward` to pool `i`'s validator and the feeder reports the new balance.
fn oracle_reward(w: &mut World, i: usize, reward: U256) {
    let p = w.pools[i].clone();
    let (system, feeder) = (w.actors.system, w.actors.feeder);
    let (bd, oracle) = (w.contracts.beacon_deposit, w.contracts.accounting_oracle);
    if !reward.is_zero() {
        ok(
            w,
            system,
            bd,
            IBeaconDeposit::rewardValidatorCall {
                pubkey: p.pubkey.clone(),
            },
            reward,
        );
    }
    let expected = view(w, p.staking_pool, IStakingPool::expectedClBalanceCall {});
    let last = view(
        w,
        oracle,
        IAccountingOracle::getLastReportCall {
            pubkey: p.pubkey.clone(),
        },
    );
    let gwei = U256::from(f::GWEI);
    let report = IAccountingOracle::updateTotalDepositsCall {
        pubkey: p.pubkey.clone(),
        balanceGwei: (expected + reward) / gwei,
        refSlot: last.refSlot + U256::from(1),
    };
    ok(w, feeder, oracle, report, U256::ZERO);
}

fn supply_and_assets(w: &World, pool: Address) -> (U256, U256) {
    (
        view(w, pool, IERC20::totalSupplyCall {}),
        view(w, pool, IStBERA::totalAssetsCall {}),
    )
}

#[test]
fn real_pool_previews_deposits_and_fee_shares_match_the_model() {
    let start = Instant::now();
    let mut w = common::world();
    open_oracle_bounds(&mut w);
    let mut rng = Rng(0x5eed_0003);
    let p = w.pools[0].clone();
    let pool = p.staking_pool;
    let (validator, protocol) = (
        p.roles.default_shares_recipient,
        w.actors.protocol_fee_recipient,
    );
    let stakers = w.actors.stakers.clone();
    let (mut previews, mut deposits, mut charges) = (0usize, 0usize, 0usize);
    for step in 0..400 {
        match rng.below(4) {
            0 => {
                // A deposit mints exactly previewDeposit(assets) at the state it meets.
                ok(
                    &mut w,
                    stakers[0],
                    pool,
                    IStakingPool::processRewardsCall {},
                    U256::ZERO,
                );
                let (s, a) = supply_and_assets(&w, pool);
                let amount = U256::from(1 + rng.below(20_000)) * BERA
                    / U256::from(1 + rng.below(1_000))
                    + U256::from(rng.below(1_000_000));
                let who = stakers[rng.below(stakers.len() as u64) as usize];
                let minted = ok(
                    &mut w,
                    who,
                    pool,
                    IStakingPool::submitCall { receiver: who },
                    amount,
                );
                assert_eq!(
                    Some(minted),
                    f::preview_deposit(amount, s, a),
                    "step {step}: submit({amount}) at ({s}, {a})"
                );
                deposits += 1;
            }
            1 => {
                // A donation to the rewards vault (fees are charged when it is collected).
                let amount =
                    U256::from(1 + rng.below(5_000)) * BERA / U256::from(1 + rng.below(100));
                let out = w
                    .chain
                    .call(w.actors.attacker, p.rewards_vault, Bytes::new(), amount)
                    .unwrap();
                assert!(out.success);
            }
            2 => {
                // An oracle reward: the commission and protocol-fee shares are splitFeeShares of the fees.
                ok(
                    &mut w,
                    stakers[0],
                    pool,
                    IStakingPool::processRewardsCall {},
                    U256::ZERO,
                );
                let pb = U256::from(rng.pick(&[0u64, 1, 700, 1999, 2000]));
                ok(
                    &mut w,
                    p.roles.protocol_fee_manager,
                    p.smart_operator,
                    ISmartOperator::setProtocolFeePercentageCall { bps: pb },
                    U256::ZERO,
                );
                let rates = view(&w, p.smart_operator, ISmartOperator::feeRatesCall {});
                let (s, a) = supply_and_assets(&w, pool);
                let expected_cl = view(&w, pool, IStakingPool::expectedClBalanceCall {});
                let reward = (expected_cl * U256::from(rng.below(300)) / U256::from(10_000))
                    / U256::from(f::GWEI)
                    * U256::from(f::GWEI);
                let (v0, p0) = (
                    view(&w, pool, IERC20::balanceOfCall { account: validator }),
                    view(&w, pool, IERC20::balanceOfCall { account: protocol }),
                );
                oracle_reward(&mut w, 0, reward);
                let (v1, p1) = (
                    view(&w, pool, IERC20::balanceOfCall { account: validator }),
                    view(&w, pool, IERC20::balanceOfCall { account: protocol }),
                );
                let c = f::fee_of(reward, rates.commissionBps).unwrap();
                let pf = f::fee_of(reward, rates.protocolFeeBps).unwrap();
                let expected = f::split_fee_shares(c, pf, s, a + reward).unwrap();
                assert_eq!(
                    (v1 - v0, p1 - p0),
                    expected,
                    "step {step}: fee shares on reward {reward} at ({s}, {a})"
                );
                assert_eq!(
                    view(&w, pool, IERC20::totalSupplyCall {}),
                    s + expected.0 + expected.1
                );
                charges += 1;
            }
            _ => {
                if rng.below(3) == 0 {
                    let bps = rng.pick(&[0u64, 500, 2000]);
                    set_commission(&mut w, 0, bps);
                }
            }
        }
        // Previews at whatever state the pool is in.
        let (s, a) = supply_and_assets(&w, pool);
        for _ in 0..20 {
            let x = rng.u256(&[s, a]);
            let st = [x, s, a];
            agree(
                "pool.previewDeposit",
                &st,
                f::preview_deposit(x, s, a),
                w.view(pool, &IStBERA::previewDepositCall { assets: x })
                    .ok(),
            );
            agree(
                "pool.previewMint",
                &st,
                f::preview_mint(x, s, a),
                w.view(pool, &IStBERA::previewMintCall { shares: x }).ok(),
            );
            agree(
                "pool.previewWithdraw",
                &st,
                f::preview_withdraw(x, s, a),
                w.view(pool, &IStBERA::previewWithdrawCall { assets: x })
                    .ok(),
            );
            agree(
                "pool.previewRedeem",
                &st,
                f::preview_redeem(x, s, a),
                w.view(pool, &IStBERA::previewRedeemCall { shares: x }).ok(),
            );
            previews += 1;
        }
    }
    assert!(
        deposits > 10 && charges > 10,
        "deposits {deposits}, charges {charges}"
    );
    println!(
        "real pool: {previews} preview inputs x 4, {deposits} deposits, {charges} fee charges agree with the model in {:.1?}",
        start.elapsed()
    );
}

#[test]
fn setters_accept_exactly_the_modelled_rates() {
    let start = Instant::now();
    let mut w = common::world();
    let p = w.pools[0].clone();
    let mut rng = Rng(0x5eed_0004);
    let mut n = 0;
    let edges = [0u64, 1, 1999, 2000, 2001, 2500, 10_000, u64::MAX];
    for i in 0..300 {
        let bps = if i < edges.len() {
            U256::from(edges[i])
        } else if rng.below(2) == 0 {
            U256::from(rng.below(4_000))
        } else {
            rng.u256(&[])
        };
        let out = w
            .try_call(
                p.roles.protocol_fee_manager,
                p.smart_operator,
                &ISmartOperator::setProtocolFeePercentageCall { bps },
                U256::ZERO,
            )
            .unwrap();
        assert_eq!(
            out.success,
            f::protocol_fee_accepted(bps),
            "setProtocolFeePercentage({bps})"
        );
        let c: u128 = if i < edges.len() {
            u128::from(edges[i]) & ((1 << 96) - 1)
        } else {
            u128::from(rng.below(4_000))
        };
        // BeraChef holds one queued change at a time: each attempt starts from the same state.
        let saved = w.chain.clone();
        let out = w
            .try_call(
                p.roles.commission_manager,
                p.smart_operator,
                &ISmartOperator::queueValCommissionCall { bps: Uint::from(c) },
                U256::ZERO,
            )
            .unwrap();
        assert_eq!(
            out.success,
            f::commission_accepted(c),
            "queueValCommission({c}): {}",
            w.reason(&out)
        );
        w.chain = saved;
        n += 2;
    }
    println!(
        "setters: {n} calls agree with the model in {:.1?}",
        start.elapsed()
    );
}

#[test]
fn finalization_delay_and_vault_books_match_the_model() {
    let start = Instant::now();
    let mut w = common::world();
    let mut rng = Rng(0x5eed_0005);
    let vault = w.contracts.withdrawal_vault;
    let stakers = w.actors.stakers.clone();
    let gwei = U256::from(f::GWEI);
    let mut ledgers = vec![f::PoolLedger::default(); w.pools.len()];
    let mut pending: Vec<(U256, usize, U256, u64)> = Vec::new(); // id, pool, assets, requestBlock
    let (mut attempts, mut steps) = (0usize, 0usize);
    for _ in 0..60 {
        let i = rng.below(w.pools.len() as u64) as usize;
        let p = w.pools[i].clone();
        let who = stakers[rng.below(stakers.len() as u64) as usize];
        // A buffered deposit, then a withdrawal request served from the buffer, at a random block.
        let amount = BERA * U256::from(1 + rng.below(4_000));
        ok(
            &mut w,
            who,
            p.staking_pool,
            IStakingPool::submitCall { receiver: who },
            amount,
        );
        let block = w.chain.block_number() + rng.below(1_000_000);
        w.chain.set_block(
            block,
            w.chain.timestamp() + 2 * (block - w.chain.block_number()),
        );
        let buffered = view(&w, p.staking_pool, IStakingPool::bufferedAssetsCall {});
        let want = (amount.min(buffered) * U256::from(1 + rng.below(100)) / U256::from(100)) / gwei;
        if want.is_zero() {
            continue;
        }
        let out = w
            .try_call(
                who,
                vault,
                &IWithdrawalVault::requestWithdrawalCall {
                    pubkey: p.pubkey.clone(),
                    amountGwei: want,
                    maxFee: U256::ZERO,
                },
                U256::ZERO,
            )
            .unwrap();
        if !out.success {
            continue;
        }
        apply_vault_events(&w, &out.logs, &mut ledgers, &mut pending);
        steps += 1;
        check_books(&w, &ledgers);

        // The delay check at many blocks around (and far from) the due block, without committing.
        let (id, _, _, request_block) = *pending.last().unwrap();
        let saved = (w.chain.block_number(), w.chain.timestamp());
        let due = request_block + f::WITHDRAWAL_DELAY;
        for k in 0..250 {
            let at = match k {
                0 => due - 1,
                1 => due,
                2 => due + 1,
                3 => request_block,
                4 => u64::MAX - 1,
                _ => request_block + rng.below(3 * f::WITHDRAWAL_DELAY),
            };
            w.chain.set_block(
                at,
                saved
                    .1
                    .saturating_add(at.saturating_sub(saved.0).saturating_mul(2)),
            );
            let out = w
                .chain
                .view(
                    who,
                    vault,
                    IWithdrawalVault::finalizeWithdrawalRequestCall { requestId: id }
                        .abi_encode()
                        .into(),
                )
                .unwrap();
            let model = f::finalizable(U256::from(request_block), U256::from(at))
                .expect("64-bit blocks cannot overflow");
            let not_yet =
                !out.success && w.decoder.error_name(&out.output) == Some("NotFinalizable");
            assert_eq!(
                !not_yet,
                model,
                "finalize at block {at} for a request at {request_block}: {}",
                w.reason(&out)
            );
            attempts += 1;
        }
        w.chain.set_block(saved.0, saved.1);

        // Finalize some due requests for real (moves the books).
        w.chain.roll(f::WITHDRAWAL_DELAY);
        let due_ids: Vec<U256> = pending
            .iter()
            .filter(|r| rng.below(2) == 0 && r.3 + f::WITHDRAWAL_DELAY <= w.chain.block_number())
            .map(|r| r.0)
            .collect();
        for id in due_ids {
            let out = w
                .try_call(
                    stakers[0],
                    vault,
                    &IWithdrawalVault::finalizeWithdrawalRequestCall { requestId: id },
                    U256::ZERO,
                )
                .unwrap();
            assert!(out.success, "finalize {id}: {}", w.reason(&out));
            apply_vault_events(&w, &out.logs, &mut ledgers, &mut pending);
            steps += 1;
            check_books(&w, &ledgers);
        }
    }
    assert!(attempts >= 10_000, "{attempts} delay checks");
    println!("withdrawals: {attempts} finalize-delay checks and {steps} book updates agree with the model in {:.1?}", start.elapsed());
}

fn pool_index(w: &World, pubkey: &Bytes) -> usize {
    w.pools
        .iter()
        .position(|p| &p.pubkey == pubkey)
        .expect("a known pool")
}

/// Feeds the vault's events to the Rust ledgers.
fn apply_vault_events(
    w: &World,
    logs: &[Log],
    ledgers: &mut [f::PoolLedger],
    pending: &mut Vec<(U256, usize, U256, u64)>,
) {
    let vault = w.contracts.withdrawal_vault;
    for log in logs.iter().filter(|l| l.address == vault) {
        if let Ok(e) = IWithdrawalVault::PoolFundsReceived::decode_log(log) {
            ledgers[pool_index(w, &e.pubkey)].receive(e.amount).unwrap();
        } else if let Ok(e) = IWithdrawalVault::FullExitNotified::decode_log(log) {
            ledgers[pool_index(w, &e.pubkey)].receive(e.funds).unwrap();
        } else if let Ok(e) = IWithdrawalVault::WithdrawalRequested::decode_log(log) {
            let i = pool_index(w, &e.pubkey);
            ledgers[i].record(e.assets).unwrap();
            pending.push((e.requestId, i, e.assets, w.chain.block_number()));
        } else if let Ok(e) = IWithdrawalVault::WithdrawalRequestFinalized::decode_log(log) {
            let at = pending
                .iter()
                .position(|r| r.0 == e.requestId)
                .expect("a pending request");
            let (_, i, assets, _) = pending.remove(at);
            assert_eq!(assets, e.assets);
            let withdrawn = view(
                w,
                w.contracts.beacon_deposit,
                IBeaconDeposit::withdrawnAmountCall {
                    pubkey: w.pools[i].pubkey.clone(),
                },
            );
            ledgers[i]
                .finalize(assets, withdrawn)
                .expect("the model finalizes what the vault finalized");
        }
    }
}

fn check_books(w: &World, ledgers: &[f::PoolLedger]) {
    for (i, ledger) in ledgers.iter().enumerate() {
        let pubkey = w.pools[i].pubkey.clone();
        let withdrawn = view(
            w,
            w.contracts.beacon_deposit,
            IBeaconDeposit::withdrawnAmountCall {
                pubkey: pubkey.clone(),
            },
        );
        assert_eq!(
            view(
                w,
                w.contracts.withdrawal_vault,
                IWithdrawalVault::poolOwedCall {
                    pubkey: pubkey.clone()
                }
            ),
            ledger.owed,
            "pool {i} owed"
        );
        assert_eq!(
            Some(view(
                w,
                w.contracts.withdrawal_vault,
                IWithdrawalVault::poolFundsCall { pubkey }
            )),
            ledger.pool_funds(withdrawn),
            "pool {i} funds"
        );
    }
}
