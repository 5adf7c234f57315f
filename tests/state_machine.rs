//! A proptest state-machine test: a Rust reference model of one pool (shares, assets, buffer, consensus-layer
//! balance, fees, withdrawal requests and their funding, full exit) runs side by side with the contracts over
//! generated sequences. After every step the model's expectations (the step succeeds or reverts, the shares it
//! mints, burns and pays as fees) and its state (supply, totalAssets, deposits, buffer, every balance, the
//! WithdrawalVault's books, every request) must equal the chain's exactly. proptest shrinks a failing sequence
//! to a minimal one.
//!
//! Fixed case count and seed ([`CASES`], [`SEED`]): the same sequences on every run. The model follows
//! `contracts/src/core/{StakingPool,StBERA,FeeMath,WithdrawalVault}.sol` and the AccountingOracle's bounds (a change
//! to that arithmetic must be made in the model too: that is the point).

mod common;

use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use alloy_primitives::{Address, U256};
use poolguard::actions::{Action, Amount, Op, Report};
use poolguard::compile::SuiteCompiler;
use poolguard::execute::execute;
use poolguard::observe::Observer;
use poolguard::variants::find_variant;
use poolguard::world::{World, WorldConfig};
use poolguard_invariants::formulas::{
    fee_of, mul_div, net_of_fees, to_assets, to_shares, Rounding,
};
use poolguard_invariants::Observation;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use proptest_state_machine::ReferenceStateMachine;

/// Cases per run.
const CASES: u32 = 64;
/// The RNG seed (deterministic in CI and locally).
const SEED: u64 = 0x5eed_0001;
/// Longest generated sequence.
const MAX_STEPS: usize = 32;

const BERA: u128 = 1_000_000_000_000_000_000;
const GWEI: u64 = 1_000_000_000;
const MIN_CL_DEPOSIT: u128 = 10_000 * BERA;
const MIN_EFFECTIVE_BALANCE: u128 = 250_000 * BERA;
const MAX_EFFECTIVE_BALANCE: u128 = 10_000_000 * BERA;
const WITHDRAWAL_DELAY: u64 = 129_600;
const COMMISSION_DELAY: u32 = 16_382;
const ORACLE_UP_BPS: u64 = 100;
const STAKERS: usize = 3;

fn u(x: u128) -> U256 {
    U256::from(x)
}

fn floor_gwei(x: U256) -> U256 {
    x - x % U256::from(GWEI)
}

/// One step of the model, in the pool under test (pool 0).
#[derive(Debug, Clone)]
enum Transition {
    /// `submit` by staker `staker` with `amount` wei.
    Deposit { staker: usize, amount: U256 },
    /// A plain transfer to the StakingRewardsVault (an execution-layer reward).
    Donate { staker: usize, amount: U256 },
    /// `processRewards()`.
    ProcessRewards,
    /// The consensus layer credits `bps` of the validator's balance, then the feeder reports honestly.
    ClRewardAndReport { bps: u64 },
    /// `setProtocolFeePercentage(bps)` by the protocol-fee manager.
    SetProtocolFee { bps: u16 },
    /// `queueValCommission(bps)`, then after BeraChef's delay `activateQueuedValCommission`.
    SetCommission { bps: u16 },
    /// `requestRedeem(shares)` by `staker` (max fee and value 1 wei).
    RequestRedeem { staker: usize, shares: U256 },
    /// Roll to the request's finalization block, then `finalizeWithdrawalRequest(index + 1)`.
    Finalize { index: usize },
}

/// A withdrawal request, as the model books it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Request {
    user: usize,
    assets: U256,
    shares: U256,
    block: u64,
    finalized: bool,
}

/// What the last transition must have done on chain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Expected {
    /// The transition's main call succeeds.
    ok: bool,
    /// Shares minted by deposits.
    minted: U256,
    /// Commission and protocol-fee shares minted.
    fees: (U256, U256),
    /// Shares burnt by withdrawal requests.
    burnt: U256,
}

/// The reference model of pool 0.
#[derive(Debug, Clone)]
struct Model {
    block: u64,
    supply: U256,
    dead: U256,
    stakers: [U256; STAKERS],
    validator: U256,
    protocol: U256,
    bera: [U256; STAKERS],
    total_deposits: U256,
    buffered: U256,
    vault_rewards: U256,
    cl_balance: U256,
    cl_requested: U256,
    reached: bool,
    exited: bool,
    frozen: U256,
    commission_bps: u64,
    protocol_bps: u64,
    funds: U256,
    owed: U256,
    exit_pending: bool,
    requests: Vec<Request>,
    last: Expected,
}

/// The revert of a transition (the model's state is left as it was).
struct Revert;

impl Model {
    fn total_assets(&self) -> U256 {
        if self.exited {
            return self.frozen;
        }
        self.total_deposits
            + self.buffered
            + net_of_fees(
                self.vault_rewards,
                U256::from(self.commission_bps),
                U256::from(self.protocol_bps),
            )
            .expect("rates within the caps")
    }

    fn charge_fees(&mut self, reward: U256) {
        if reward.is_zero() {
            return;
        }
        let commission = fee_of(reward, U256::from(self.commission_bps)).expect("fits");
        let protocol = fee_of(reward, U256::from(self.protocol_bps)).expect("fits");
        let total = commission + protocol;
        if total.is_zero() {
            return;
        }
        // FeeMath.splitFeeShares: the joint shares split pro rata, each part then worth at most its fee at the
        // price after minting (one share given back if not), else each part priced on its own.
        let (supply, assets) = (self.supply, self.total_assets());
        let fee_shares = |fee: U256| {
            if fee.is_zero() {
                U256::ZERO
            } else {
                mul_div(fee, supply + u(1), assets + u(1) - fee, Rounding::Floor).unwrap()
            }
        };
        let worth = |shares: U256, supply_after: U256| {
            mul_div(shares, assets + u(1), supply_after + u(1), Rounding::Floor).unwrap()
        };
        let shares = fee_shares(total);
        let mut cs = mul_div(shares, commission, total, Rounding::Floor).unwrap();
        let mut ps = mul_div(shares, protocol, total, Rounding::Floor).unwrap();
        if worth(cs, supply + cs + ps) > commission {
            cs -= u(1);
        }
        if worth(ps, supply + cs + ps) > protocol {
            ps -= u(1);
        }
        if worth(cs, supply + cs + ps) > commission || worth(ps, supply + cs + ps) > protocol {
            cs = fee_shares(commission);
            ps = fee_shares(protocol);
        }
        self.validator += cs;
        self.protocol += ps;
        self.supply += cs + ps;
        self.last.fees.0 += cs;
        self.last.fees.1 += ps;
    }

    fn collect(&mut self) {
        let amount = std::mem::take(&mut self.vault_rewards);
        if amount.is_zero() {
            return;
        }
        if self.exited {
            self.funds += amount;
            return;
        }
        self.buffered += amount;
        self.charge_fees(amount);
    }

    fn forward(&mut self) {
        if self.buffered < u(MIN_CL_DEPOSIT) {
            return;
        }
        let amount = floor_gwei(self.buffered);
        self.buffered -= amount;
        self.total_deposits += amount;
        self.cl_balance += amount;
        if self.total_deposits >= u(MIN_EFFECTIVE_BALANCE) {
            self.reached = true;
        }
    }

    fn step(&mut self, t: &Transition) -> Result<(), Revert> {
        match *t {
            Transition::Deposit { staker, amount } => {
                if self.exited || amount.is_zero() || amount > self.bera[staker] {
                    return Err(Revert);
                }
                self.collect();
                let held = self.total_deposits + self.buffered;
                let room = u(MAX_EFFECTIVE_BALANCE).saturating_sub(held);
                if room.is_zero() {
                    return Err(Revert);
                }
                let accepted = amount.min(room);
                let shares =
                    to_shares(accepted, self.supply, self.total_assets(), Rounding::Floor).unwrap();
                if shares.is_zero() {
                    return Err(Revert);
                }
                self.buffered += accepted;
                self.stakers[staker] += shares;
                self.supply += shares;
                self.bera[staker] -= accepted;
                self.last.minted = shares;
                self.forward();
            }
            Transition::Donate { staker, amount } => {
                if amount > self.bera[staker] {
                    return Err(Revert);
                }
                self.bera[staker] -= amount;
                self.vault_rewards += amount;
            }
            Transition::ProcessRewards => {
                self.collect();
                if !self.exited {
                    self.forward();
                }
            }
            Transition::ClRewardAndReport { bps } => {
                let reward = floor_gwei(self.cl_balance * U256::from(bps) / U256::from(10_000u64));
                // The consensus layer's credit is its own transaction: it stays even if the report reverts.
                self.cl_balance += reward;
                let mut next = self.clone();
                if next.report().is_ok() {
                    *self = next;
                } else {
                    self.last.ok = false;
                }
            }
            Transition::SetProtocolFee { bps } => {
                if bps > 2000 {
                    return Err(Revert);
                }
                self.collect();
                if !self.exited {
                    self.forward();
                }
                self.protocol_bps = u64::from(bps);
            }
            Transition::SetCommission { bps } => {
                if bps > 2000 {
                    return Err(Revert);
                }
                self.block += u64::from(COMMISSION_DELAY);
                self.commission_bps = u64::from(bps);
            }
            Transition::RequestRedeem { staker, shares } => self.redeem(staker, shares)?,
            Transition::Finalize { index } => {
                let Some(r) = self.requests.get(index).cloned() else {
                    return Err(Revert);
                };
                self.block = self.block.max(r.block + WITHDRAWAL_DELAY);
                if r.finalized || self.funds < r.assets {
                    return Err(Revert);
                }
                self.funds -= r.assets;
                self.owed -= r.assets;
                self.bera[r.user] += r.assets;
                self.requests[index].finalized = true;
            }
        }
        Ok(())
    }

    /// The feeder's honest report of the consensus-layer balance.
    fn report(&mut self) -> Result<(), Revert> {
        if self.exited {
            return Err(Revert);
        }
        let value = self.cl_balance;
        let expected = self.total_deposits + self.cl_requested;
        let up = expected * U256::from(ORACLE_UP_BPS) / U256::from(10_000u64);
        if value > expected + up || value < expected {
            return Err(Revert); // out of bounds (a drop never happens here)
        }
        self.collect();
        let reward = value - expected;
        self.total_deposits += reward;
        self.charge_fees(reward);
        if self.total_deposits >= u(MIN_EFFECTIVE_BALANCE) {
            self.reached = true;
        }
        Ok(())
    }

    fn redeem(&mut self, staker: usize, shares: U256) -> Result<(), Revert> {
        if shares.is_zero() {
            return Err(Revert);
        }
        self.collect();
        let mut assets =
            to_assets(shares, self.supply, self.total_assets(), Rounding::Floor).unwrap();
        if !self.exited {
            assets = floor_gwei(assets);
        }
        if assets.is_zero() || self.stakers[staker] < shares {
            return Err(Revert);
        }
        let mut cl_gwei = U256::ZERO;
        let mut full_exit = false;
        if self.exited {
            self.frozen -= assets;
        } else {
            let before = self.total_assets();
            if self.supply < self.dead + shares {
                return Err(Revert);
            }
            if !self.reached {
                if assets > self.buffered {
                    return Err(Revert);
                }
                self.buffered -= assets;
                self.funds += assets;
            } else {
                let from_buffer = assets.min(floor_gwei(self.buffered));
                let from_cl = assets - from_buffer;
                if !from_cl.is_zero()
                    && (from_cl > self.total_deposits
                        || self.total_deposits - from_cl < u(MIN_EFFECTIVE_BALANCE))
                {
                    self.exited = true;
                    self.frozen = before - assets;
                    self.funds += std::mem::take(&mut self.buffered);
                    self.exit_pending = true;
                    full_exit = true;
                } else {
                    self.buffered -= from_buffer;
                    self.total_deposits -= from_cl;
                    self.cl_requested += from_cl;
                    self.funds += from_buffer;
                    cl_gwei = from_cl / U256::from(GWEI);
                }
            }
        }
        self.stakers[staker] -= shares;
        self.supply -= shares;
        // The EIP-7002 fee (1 wei) is paid when a consensus-layer request goes out.
        if !cl_gwei.is_zero() || (full_exit && self.exit_pending) {
            self.bera[staker] -= u(1);
            if full_exit {
                self.exit_pending = false;
            }
        }
        self.owed += assets;
        self.requests.push(Request {
            user: staker,
            assets,
            shares,
            block: self.block,
            finalized: false,
        });
        self.last.burnt = shares;
        Ok(())
    }
}

/// Actor indexes and the deployed start state, read once from the correct suite.
struct Layout {
    stakers: [u8; STAKERS],
    validator: u8,
    protocol_recipient: u8,
    protocol_fee_manager: u8,
    commission_manager: u8,
    feeder: u8,
    start: Model,
}

fn layout_of(world: &World) -> Layout {
    let actors = world.actors.all();
    let index = |a: Address| actors.iter().position(|x| *x == a).expect("actor") as u8;
    let pool = &world.pools[0];
    let observer = Observer::new(world);
    let o = observer.observe(world);
    let p = &o.pools[0];
    let stakers: [u8; STAKERS] = std::array::from_fn(|i| index(world.actors.stakers[i]));
    let validator = index(pool.roles.default_shares_recipient);
    let protocol_recipient = index(world.actors.protocol_fee_recipient);
    let start = Model {
        block: o.block,
        supply: p.total_supply,
        dead: p.dead_shares,
        stakers: std::array::from_fn(|i| p.share_balances[stakers[i] as usize]),
        validator: p.share_balances[validator as usize],
        protocol: p.share_balances[protocol_recipient as usize],
        bera: std::array::from_fn(|i| o.actor_bera[stakers[i] as usize]),
        total_deposits: p.total_deposits,
        buffered: p.buffered_assets,
        vault_rewards: p.rewards_vault_balance,
        cl_balance: p.cl_balance,
        cl_requested: U256::ZERO,
        reached: p.min_effective_balance_reached,
        exited: p.is_fully_exited,
        frozen: U256::ZERO,
        commission_bps: p.commission_bps.saturating_to(),
        protocol_bps: p.effective_protocol_fee_bps.saturating_to(),
        funds: p.vault_funds,
        owed: p.vault_owed,
        exit_pending: false,
        requests: Vec::new(),
        last: Expected {
            ok: true,
            ..Expected::default()
        },
    };
    Layout {
        stakers,
        validator,
        protocol_recipient,
        protocol_fee_manager: index(pool.roles.protocol_fee_manager),
        commission_manager: index(pool.roles.commission_manager),
        feeder: index(world.actors.feeder),
        start,
    }
}

fn layout() -> &'static Layout {
    static LAYOUT: std::sync::OnceLock<Layout> = std::sync::OnceLock::new();
    LAYOUT.get_or_init(|| layout_of(&common::world()))
}

/// The reference state machine (generation and shrinking).
struct PoolMachine;

fn amount() -> impl Strategy<Value = U256> {
    prop_oneof![
        (1u64..1_000_000_000_000).prop_map(U256::from),
        (1u128..50_000, 0u128..BERA).prop_map(|(b, w)| u(b * BERA + w)),
        (100_000u128..400_000).prop_map(|b| u(b * BERA)),
    ]
}

impl ReferenceStateMachine for PoolMachine {
    type State = Model;
    type Transition = Transition;

    fn init_state() -> BoxedStrategy<Model> {
        Just(layout().start.clone()).boxed()
    }

    fn transitions(state: &Model) -> BoxedStrategy<Transition> {
        let balances = state.stakers;
        let requests = state.requests.len();
        let redeem =
            (0..STAKERS, 1u64..=11_000).prop_map(move |(staker, frac)| Transition::RequestRedeem {
                staker,
                shares: (balances[staker] * U256::from(frac) / U256::from(10_000u64)).max(u(1)),
            });
        let mut options: Vec<(u32, BoxedStrategy<Transition>)> = vec![
            (
                6,
                (0..STAKERS, amount())
                    .prop_map(|(staker, amount)| Transition::Deposit { staker, amount })
                    .boxed(),
            ),
            (
                2,
                (0..STAKERS, 1u128..5_000, 0u128..BERA)
                    .prop_map(|(staker, b, w)| Transition::Donate {
                        staker,
                        amount: u(b * BERA + w),
                    })
                    .boxed(),
            ),
            (1, Just(Transition::ProcessRewards).boxed()),
            (
                3,
                (0u64..=150)
                    .prop_map(|bps| Transition::ClRewardAndReport { bps })
                    .boxed(),
            ),
            (
                2,
                (0u16..=2_200)
                    .prop_map(|bps| Transition::SetProtocolFee { bps })
                    .boxed(),
            ),
            (
                1,
                (0u16..=2_000)
                    .prop_map(|bps| Transition::SetCommission { bps })
                    .boxed(),
            ),
            (4, redeem.boxed()),
        ];
        if requests > 0 {
            options.push((
                3,
                (0..requests)
                    .prop_map(|index| Transition::Finalize { index })
                    .boxed(),
            ));
        }
        proptest::strategy::Union::new_weighted(options).boxed()
    }

    fn preconditions(state: &Model, transition: &Transition) -> bool {
        // Shrinking may remove the request a finalization refers to.
        !matches!(transition, Transition::Finalize { index } if *index >= state.requests.len())
    }

    fn apply(mut state: Model, transition: &Transition) -> Model {
        state.last = Expected {
            ok: true,
            ..Expected::default()
        };
        let mut next = state.clone();
        match next.step(transition) {
            Ok(()) => next,
            Err(Revert) => {
                // A revert changes nothing but what happened before the reverting call (block rolls, a CL
                // credit), which `step` applies to `state` only through `last`.
                if let Transition::Finalize { index } = transition {
                    if let Some(r) = state.requests.get(*index) {
                        state.block = state.block.max(r.block + WITHDRAWAL_DELAY);
                    }
                }
                if let Transition::SetCommission { .. } = transition {
                    state.block += u64::from(COMMISSION_DELAY);
                }
                state.last = Expected::default();
                state
            }
        }
    }
}

/// The chain side: the actions a transition becomes, the last of which is the one whose success is checked.
fn actions(l: &Layout, state_before: &Model, t: &Transition) -> Vec<Action> {
    let act = |caller: u8, roll: u32, op: Op| Action {
        origin: None,
        caller,
        roll,
        op,
    };
    let system = 0; // any caller: system ops run as the system account
    match *t {
        Transition::Deposit { staker, amount } => {
            vec![act(
                l.stakers[staker],
                0,
                Op::Submit {
                    pool: 0,
                    receiver: l.stakers[staker],
                    amount,
                },
            )]
        }
        Transition::Donate { staker, amount } => vec![act(
            l.stakers[staker],
            0,
            Op::DonateToRewardsVault { pool: 0, amount },
        )],
        Transition::ProcessRewards => vec![act(l.stakers[0], 0, Op::ProcessRewards { pool: 0 })],
        Transition::ClRewardAndReport { bps } => {
            let reward =
                floor_gwei(state_before.cl_balance * U256::from(bps) / U256::from(10_000u64));
            vec![
                act(
                    system,
                    0,
                    Op::ClReward {
                        pool: 0,
                        amount: reward,
                    },
                ),
                act(
                    l.feeder,
                    0,
                    Op::OracleReport {
                        pool: 0,
                        report: Report::Honest,
                    },
                ),
            ]
        }
        Transition::SetProtocolFee { bps } => vec![act(
            l.protocol_fee_manager,
            0,
            Op::SetProtocolFee { pool: 0, bps },
        )],
        Transition::SetCommission { bps } => vec![
            act(
                l.commission_manager,
                0,
                Op::QueueCommission { pool: 0, bps },
            ),
            act(
                l.stakers[0],
                COMMISSION_DELAY,
                Op::ActivateCommission { pool: 0 },
            ),
        ],
        Transition::RequestRedeem { staker, shares } => {
            vec![act(
                l.stakers[staker],
                0,
                Op::RequestRedeem {
                    pool: 0,
                    shares: Amount::Exact(shares),
                    max_fee: u(1),
                    value: u(1),
                },
            )]
        }
        Transition::Finalize { index } => {
            let roll = state_before
                .requests
                .get(index)
                .map(|r| (r.block + WITHDRAWAL_DELAY).saturating_sub(state_before.block))
                .unwrap_or(0);
            vec![act(
                l.stakers[0],
                u32::try_from(roll).unwrap_or(u32::MAX),
                Op::Finalize {
                    id: index as u64 + 1,
                },
            )]
        }
    }
}

/// Compares the chain after a step with the model's expectation.
fn compare(
    l: &Layout,
    m: &Model,
    o: &Observation,
    ok: bool,
    events: &poolguard_invariants::StepEvents,
) -> Result<(), String> {
    let p = &o.pools[0];
    let mut diffs = Vec::new();
    let mut eq = |what: &str, chain: String, model: String| {
        if chain != model {
            diffs.push(format!("{what}: chain {chain}, model {model}"));
        }
    };
    eq("call succeeded", ok.to_string(), m.last.ok.to_string());
    let minted: U256 = events
        .deposits
        .iter()
        .filter(|d| d.pool == 0)
        .map(|d| d.shares)
        .sum();
    let fee = |who: u8| -> U256 {
        let a = o.actors[who as usize];
        events
            .fee_mints
            .iter()
            .filter(|f| f.pool == 0 && f.recipient == a)
            .map(|f| f.shares)
            .sum()
    };
    let burnt: U256 = events
        .burns
        .iter()
        .filter(|b| b.pool == 0)
        .map(|b| b.shares)
        .sum();
    eq(
        "shares minted",
        minted.to_string(),
        m.last.minted.to_string(),
    );
    eq(
        "commission shares",
        fee(l.validator).to_string(),
        m.last.fees.0.to_string(),
    );
    eq(
        "protocol-fee shares",
        fee(l.protocol_recipient).to_string(),
        m.last.fees.1.to_string(),
    );
    eq("shares burnt", burnt.to_string(), m.last.burnt.to_string());
    eq(
        "totalSupply",
        p.total_supply.to_string(),
        m.supply.to_string(),
    );
    eq(
        "totalAssets",
        p.total_assets.to_string(),
        m.total_assets().to_string(),
    );
    eq(
        "totalDeposits",
        p.total_deposits.to_string(),
        m.total_deposits.to_string(),
    );
    eq(
        "bufferedAssets",
        p.buffered_assets.to_string(),
        m.buffered.to_string(),
    );
    eq(
        "rewards vault",
        p.rewards_vault_balance.to_string(),
        m.vault_rewards.to_string(),
    );
    eq(
        "CL balance",
        p.cl_balance.to_string(),
        m.cl_balance.to_string(),
    );
    eq(
        "isFullyExited",
        p.is_fully_exited.to_string(),
        m.exited.to_string(),
    );
    eq(
        "minEffectiveBalanceReached",
        p.min_effective_balance_reached.to_string(),
        m.reached.to_string(),
    );
    eq(
        "commission bps",
        p.commission_bps.to_string(),
        m.commission_bps.to_string(),
    );
    eq(
        "protocol fee bps",
        p.effective_protocol_fee_bps.to_string(),
        m.protocol_bps.to_string(),
    );
    for i in 0..STAKERS {
        eq(
            &format!("staker{i} shares"),
            p.share_balances[l.stakers[i] as usize].to_string(),
            m.stakers[i].to_string(),
        );
        eq(
            &format!("staker{i} BERA"),
            o.actor_bera[l.stakers[i] as usize].to_string(),
            m.bera[i].to_string(),
        );
    }
    eq(
        "validator shares",
        p.share_balances[l.validator as usize].to_string(),
        m.validator.to_string(),
    );
    eq(
        "protocol recipient shares",
        p.share_balances[l.protocol_recipient as usize].to_string(),
        m.protocol.to_string(),
    );
    eq(
        "vault funds",
        p.vault_funds.to_string(),
        m.funds.to_string(),
    );
    eq("vault owed", p.vault_owed.to_string(), m.owed.to_string());
    eq(
        "requests",
        o.requests.len().to_string(),
        m.requests.len().to_string(),
    );
    for (r, mr) in o.requests.iter().zip(&m.requests) {
        let chain = (r.user, r.assets, r.shares, r.block, r.finalized);
        let model = (
            o.actors[l.stakers[mr.user] as usize],
            mr.assets,
            mr.shares,
            mr.block,
            mr.finalized,
        );
        eq("request", format!("{chain:?}"), format!("{model:?}"));
    }
    if diffs.is_empty() {
        Ok(())
    } else {
        Err(diffs.join("; "))
    }
}

/// Transitions run, by kind: (succeeded, reverted), for the correct suite's summary.
static EXITS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
static TALLY: std::sync::Mutex<std::collections::BTreeMap<String, (u32, u32)>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

thread_local! {
    static WORLD: RefCell<Option<World>> = const { RefCell::new(None) };
}

/// Runs one generated case on the world in [`WORLD`]: every transition on both sides, compared after each.
fn run_case(
    start: Model,
    transitions: &[Transition],
    seen: Option<Arc<AtomicUsize>>,
) -> Result<(), TestCaseError> {
    WORLD.with(|cell| {
        let mut slot = cell.borrow_mut();
        let world = slot.as_mut().expect("a world is installed");
        world.reset();
        let observer = Observer::new(world);
        let l = layout();
        let mut model = start;
        for (step, t) in transitions.iter().enumerate() {
            if let Some(seen) = &seen {
                seen.fetch_add(1, Ordering::SeqCst);
            }
            let planned = actions(l, &model, t);
            let mut merged = poolguard_invariants::StepEvents::default();
            let mut ok = true;
            for (i, action) in planned.iter().enumerate() {
                let executed = execute(world, &poolguard::world::OnChain, action, step, None);
                let record = observer.step_record(world, executed);
                if i + 1 == planned.len() {
                    ok = record.success;
                }
                let e = record.events;
                merged.deposits.extend(e.deposits);
                merged.fee_mints.extend(e.fee_mints);
                merged.burns.extend(e.burns);
            }
            model = PoolMachine::apply(model, t);
            let kind = format!("{t:?}")
                .split([' ', '{'])
                .next()
                .unwrap_or_default()
                .to_string();
            let mut tally = TALLY.lock().unwrap();
            let entry = tally.entry(kind).or_default();
            if model.last.ok {
                entry.0 += 1
            } else {
                entry.1 += 1
            }
            drop(tally);
            let o = observer.observe(world);
            if let Err(diff) = compare(l, &model, &o, ok, &merged) {
                return Err(TestCaseError::fail(format!("step {step} {t:?}: {diff}")));
            }
        }
        if model.exited {
            EXITS.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    })
}

type Case = (Model, Vec<Transition>, Option<Arc<AtomicUsize>>);

/// Runs the state machine on `world` with a fixed seed; `Err` carries proptest's shrunk failing case.
fn run_machine(world: World, cases: u32) -> Result<(), Box<TestError<Case>>> {
    WORLD.with(|cell| *cell.borrow_mut() = Some(world));
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..Config::default()
    };
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&SEED.to_le_bytes());
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
    let result = runner.run(
        &PoolMachine::sequential_strategy(1..=MAX_STEPS),
        |(start, transitions, seen)| run_case(start, &transitions, seen),
    );
    WORLD.with(|cell| *cell.borrow_mut() = None);
    result.map_err(Box::new)
}

#[test]
fn the_pool_matches_its_reference_model() {
    TALLY.lock().unwrap().clear();
    if let Err(e) = run_machine(common::world(), CASES) {
        panic!("the contracts disagree with the reference model: {e}");
    }
    // Other tests in this binary add to the tally too; this is what the correct suite's cases exercised.
    let tally = TALLY.lock().unwrap().clone();
    println!("{CASES} cases; transitions (ok, reverted): {tally:?}");
    for kind in [
        "Deposit",
        "RequestRedeem",
        "Finalize",
        "ClRewardAndReport",
        "SetProtocolFee",
        "SetCommission",
    ] {
        assert!(
            tally.get(kind).is_some_and(|(ok, _)| *ok > 0),
            "no successful {kind} in {tally:?}"
        );
    }
    println!(
        "cases ending in a full exit: {}",
        EXITS.load(Ordering::Relaxed)
    );
}

fn variant_world(name: &str) -> World {
    let root = common::contracts_root();
    common::artifacts();
    let v = find_variant(&root.join("variants"), name).unwrap();
    let dir = v
        .materialize(&root, &root.join(".poolguard").join("variants"))
        .unwrap();
    let artifacts = SuiteCompiler::new(&dir).compile().unwrap();
    World::deploy(&artifacts, WorldConfig::default()).unwrap()
}

/// The failing case proptest shrank to, or a panic if the machine passed.
fn shrunk_failure(variant: &str) -> (Vec<Transition>, String) {
    match run_machine(variant_world(variant), CASES).map_err(|e| *e) {
        Err(TestError::Fail(reason, (_, transitions, _))) => (transitions, reason.to_string()),
        Err(e) => panic!("{variant}: {e}"),
        Ok(()) => panic!("{variant}: the reference model did not notice the broken contract"),
    }
}

#[test]
fn a_deposit_bonus_fails_with_a_shrunk_sequence() {
    let (transitions, reason) = shrunk_failure("value-002-deposit-bonus");
    println!("value-002-deposit-bonus: shrunk to {transitions:?}\n  {reason}");
    assert_eq!(
        transitions.len(),
        1,
        "shrunk to one deposit: {transitions:?}"
    );
    assert!(
        matches!(transitions[0], Transition::Deposit { .. }),
        "{transitions:?}"
    );
    assert!(reason.contains("shares minted"), "{reason}");
}

#[test]
fn a_double_fee_fails_with_a_shrunk_sequence() {
    let (transitions, reason) = shrunk_failure("fee-002-double-fee");
    println!("fee-002-double-fee: shrunk to {transitions:?}\n  {reason}");
    assert!(transitions.len() <= 3, "shrunk: {transitions:?}");
    assert!(
        transitions
            .iter()
            .any(|t| matches!(t, Transition::Donate { .. })),
        "{transitions:?}"
    );
    assert!(reason.contains("shares"), "{reason}");
}
