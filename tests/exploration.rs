//! Exploration that follows the state: amounts that are a portion of what the sender holds when the step runs,
//! ABI id arguments that name requests that exist, and behaviour features that tell who achieved what.

mod common;

use alloy_primitives::U256;
use poolguard::actions::{Action, Amount, Op, Report};
use poolguard::bindings::IERC20;
use poolguard::engine::runner::behaviour_features;
use poolguard::engine::{run_sequence, RunOptions, RunResult, StopOn};
use poolguard::observe::Observer;
use poolguard::world::{World, BERA};

fn index(world: &World, address: alloy_primitives::Address) -> u8 {
    world.actors.index_of(address).expect("an actor")
}

fn step(caller: u8, op: Op) -> Action {
    Action {
        origin: None,
        caller,
        roll: 0,
        op,
    }
}

fn submit(who: u8, amount: U256) -> Action {
    step(
        who,
        Op::Submit {
            pool: 0,
            receiver: who,
            amount,
        },
    )
}

fn redeem(who: u8, shares: Amount) -> Action {
    step(
        who,
        Op::RequestRedeem {
            pool: 0,
            shares,
            max_fee: U256::from(1u8),
            value: U256::from(1u8),
        },
    )
}

/// Runs `actions` from the deployed snapshot; every step must succeed.
fn run_all_ok(world: &mut World, observer: &Observer, actions: &[Action]) -> RunResult {
    let run = run_sequence(world, observer, actions, &StopOn::Never, RunOptions::BARE);
    assert!(
        run.steps.iter().all(|s| s.success),
        "{:?}",
        run.steps.iter().map(|s| &s.revert).collect::<Vec<_>>()
    );
    run
}

/// A portion of the holding is planned from the sender's balance when its step runs: 100% redeems exactly what
/// it holds (whatever earlier steps left), a hair over 100% asks for more and is refused.
#[test]
fn a_portion_of_the_holding_is_what_the_sender_holds_when_the_step_runs() {
    let mut world = common::world();
    let observer = Observer::new(&world);
    let staker = index(&world, world.actors.stakers[0]);
    let holder = world.actors.stakers[0];
    let shares_of = |world: &World| {
        world
            .view(
                world.pools[0].staking_pool,
                &IERC20::balanceOfCall { account: holder },
            )
            .unwrap()
    };

    let over = run_sequence(
        &mut world,
        &observer,
        &[
            submit(staker, U256::from(1_000u64) * BERA),
            redeem(staker, Amount::Held { held_bps: 10_001 }),
        ],
        &StopOn::Never,
        RunOptions::BARE,
    );
    assert!(over.steps[0].success && !over.steps[1].success, "{over:?}");
    assert!(shares_of(&world) > U256::ZERO);

    let all = run_all_ok(
        &mut world,
        &observer,
        &[
            submit(staker, U256::from(1_000u64) * BERA + U256::from(12_345u64)),
            redeem(staker, Amount::Held { held_bps: 5_000 }),
            redeem(staker, Amount::Held { held_bps: 10_000 }),
        ],
    );
    assert_eq!(shares_of(&world), U256::ZERO, "100% left nothing behind");
    assert!(all.violations.is_empty(), "{:?}", all.violations);

    // The JSON form: an exact amount is the hex string it always was, a portion an object.
    let json = serde_json::to_string(&[
        Amount::Exact(U256::from(16u8)),
        Amount::Held { held_bps: 5_000 },
    ])
    .unwrap();
    assert_eq!(json, r#"["0x10",{"held_bps":5000}]"#);
    let back: Vec<Amount> = serde_json::from_str(&json).unwrap();
    assert_eq!(back[1].of(U256::from(7u8)), U256::from(3u8));
}

/// An ABI call's id parameter with a small seed names a request that exists now: finalizing with seed 7 after one
/// request finalizes request 1 (a raw 7 names none), and approving with seed 0 names the caller's own request.
#[test]
fn id_arguments_of_abi_calls_name_existing_requests() {
    let mut world = common::world();
    let observer = Observer::new(&world);
    let staker = index(&world, world.actors.stakers[0]);
    let finalize = world
        .entry_points
        .iter()
        .position(|e| e.key() == "WithdrawalVault.finalizeWithdrawalRequest(uint256)")
        .expect("the vault's finalize is an entry point") as u16;
    let mut late = step(
        staker,
        Op::AbiCall {
            entry: finalize,
            args: vec![U256::from(7u8)],
            value: U256::ZERO,
        },
    );
    late.roll = 129_600;
    let run = run_all_ok(
        &mut world,
        &observer,
        &[
            submit(staker, U256::from(1_000u64) * BERA),
            redeem(staker, Amount::Held { held_bps: 2_500 }),
            late,
        ],
    );
    assert!(run.violations.is_empty(), "{:?}", run.violations);

    // An even seed names a request the caller holds: the second staker approves its own request (id 2), where
    // "any request" would have named the first staker's (id 1) and been refused.
    let mut world = common::world();
    let other = index(&world, world.actors.stakers[1]);
    let approve = world
        .entry_points
        .iter()
        .position(|e| e.key() == "WithdrawalVault.approve(address,uint256)")
        .expect("the vault's approve is an entry point") as u16;
    run_all_ok(
        &mut world,
        &observer,
        &[
            submit(staker, U256::from(1_000u64) * BERA),
            submit(other, U256::from(1_000u64) * BERA),
            redeem(staker, Amount::Held { held_bps: 2_500 }),
            redeem(other, Amount::Held { held_bps: 2_500 }),
            step(
                other,
                Op::AbiCall {
                    entry: approve,
                    args: vec![U256::from(1u8), U256::ZERO],
                    value: U256::ZERO,
                },
            ),
        ],
    );
}

/// Behaviour features tell a contract actor's success from a staker's on the same function (the same code
/// edges), and a refused step adds none.
#[test]
fn behaviour_features_tell_who_achieved_what() {
    let mut world = common::world();
    let observer = Observer::new(&world);
    let staker = index(&world, world.actors.stakers[0]);
    let wallet = index(&world, world.actors.contracts[0]);
    let attacker = index(&world, world.actors.attacker);
    let run = run_sequence(
        &mut world,
        &observer,
        &[
            submit(staker, U256::from(10u64) * BERA),
            submit(wallet, U256::from(10u64) * BERA),
            redeem(attacker, Amount::Exact(U256::from(10u64) * BERA)),
        ],
        &StopOn::Never,
        RunOptions::BARE,
    );
    let features: Vec<Vec<u64>> = run
        .steps
        .iter()
        .map(|s| behaviour_features(&world, s))
        .collect();
    assert!(run.steps[0].success && run.steps[1].success && !run.steps[2].success);
    assert_eq!(features[0].len(), 1);
    assert_eq!(features[1].len(), 1);
    assert_ne!(
        features[0], features[1],
        "who succeeded is part of the feature"
    );
    assert!(features[2].is_empty(), "a refused step adds no feature");
}

/// Arguments planned from state (issue 15, calls that land): `Finalize` with id 0 finalizes the sender's own due
/// request, else the oldest due one, and sends nothing when no request exists; a portion (other than none) of an
/// empty holding (BGT the operator does not hold, shares nobody allowed the sender) sends nothing, and a portion of the
/// operator's unboosted BGT redeems within it.
#[test]
fn calls_are_planned_from_state() {
    use poolguard::bindings::IWithdrawalVault;
    let mut world = common::world();
    let observer = Observer::new(&world);
    let first = index(&world, world.actors.stakers[0]);
    let second = index(&world, world.actors.stakers[1]);
    let outsider = index(&world, world.actors.attacker);
    let manager = index(&world, world.pools[0].roles.bgt_manager);
    let finalize = |who| step(who, Op::Finalize { id: 0 });
    let finalized = |world: &World, id: u64| {
        world
            .view(
                world.contracts.withdrawal_vault,
                &IWithdrawalVault::isFinalizedCall {
                    requestId: U256::from(id),
                },
            )
            .unwrap()
    };

    let nothing = run_sequence(
        &mut world,
        &observer,
        &[
            finalize(first),
            step(
                manager,
                Op::RedeemBgt {
                    pool: 0,
                    amount: Amount::Held { held_bps: 10_000 },
                },
            ),
            step(
                second,
                Op::TransferSharesFrom {
                    pool: 0,
                    from: first,
                    to: second,
                    amount: Amount::Held { held_bps: 5_000 },
                },
            ),
        ],
        &StopOn::Never,
        RunOptions::BARE,
    );
    assert!(
        nothing.steps.iter().all(|s| s.target.is_none()),
        "no request, no BGT, no allowance: nothing to send ({:?})",
        nothing.steps
    );

    let mut due = vec![
        submit(first, U256::from(1_000u64) * BERA),
        redeem(first, Amount::Held { held_bps: 5_000 }),
        submit(second, U256::from(1_000u64) * BERA),
        redeem(second, Amount::Held { held_bps: 5_000 }),
    ];
    // SPEC's finalization delay.
    due.push(Action {
        origin: None,
        caller: first,
        roll: 129_600,
        op: Op::Wait {},
    });
    due.push(finalize(second));
    run_all_ok(&mut world, &observer, &due);
    assert!(
        finalized(&world, 2) && !finalized(&world, 1),
        "the sender's own request first"
    );
    due.push(finalize(outsider));
    run_all_ok(&mut world, &observer, &due);
    assert!(
        finalized(&world, 1),
        "then the oldest due one, whoever holds it"
    );

    let bgt = U256::from(40u64) * BERA;
    let redeemed = run_all_ok(
        &mut world,
        &observer,
        &[
            step(
                manager,
                Op::MintBgt {
                    pool: 0,
                    amount: bgt,
                },
            ),
            step(
                manager,
                Op::RedeemBgt {
                    pool: 0,
                    amount: Amount::Held { held_bps: 2_500 },
                },
            ),
            step(
                manager,
                Op::RedeemBgt {
                    pool: 0,
                    amount: Amount::Held { held_bps: 10_000 },
                },
            ),
        ],
    );
    assert!(redeemed.steps.iter().all(|s| s.target.is_some()));
    let unboosted = world
        .view(
            world.contracts.bgt,
            &poolguard::bindings::IBGT::unboostedBalanceOfCall {
                account: world.pools[0].smart_operator,
            },
        )
        .unwrap();
    assert_eq!(
        unboosted,
        U256::ZERO,
        "a quarter, then all of what was left"
    );
}

/// `WaitUntilDue` rolls to the block at which the queued item falls due, read from state: right after a request
/// it rolls SPEC's whole delay, so that the request's own finalization lands on the first block it may; with
/// nothing queued it rolls nothing. The trace an export replays records the roll it made.
#[test]
fn waiting_until_due_lands_on_the_due_block() {
    use poolguard::report::steps::plan_sequence;
    let mut world = common::world();
    let observer = Observer::new(&world);
    let staker = index(&world, world.actors.stakers[0]);
    let wait = step(staker, Op::WaitUntilDue {});

    let start = world.chain.block_number();
    let idle = run_all_ok(&mut world, &observer, std::slice::from_ref(&wait));
    assert!(idle.steps[0].target.is_none());
    assert_eq!(world.chain.block_number(), start, "nothing queued: no roll");

    let sequence = [
        submit(staker, U256::from(1_000u64) * BERA),
        redeem(staker, Amount::Held { held_bps: 5_000 }),
        wait.clone(),
        step(staker, Op::Finalize { id: 0 }),
    ];
    run_all_ok(&mut world, &observer, &sequence);
    let rolled = world.chain.block_number() - start;
    assert_eq!(rolled, poolguard_invariants::formulas::WITHDRAWAL_DELAY);

    let (planned, _) = plan_sequence(&mut world, &sequence, None);
    assert_eq!(
        u64::from(planned[2].roll),
        poolguard_invariants::formulas::WITHDRAWAL_DELAY,
        "the export rolls what the step rolled"
    );

    // A boost queued at BGT (no view says when it falls due: read from storage) activates right after the wait.
    let boosted = |world: &World| {
        world
            .view(
                world.contracts.bgt,
                &poolguard::bindings::IBGT::boostsCall {
                    account: world.pools[0].smart_operator,
                },
            )
            .unwrap()
    };
    let boost = [
        step(
            staker,
            Op::MintBgt {
                pool: 0,
                amount: U256::from(5u64) * BERA,
            },
        ),
        step(staker, Op::QueueBoost { pool: 0 }),
        wait,
        step(staker, Op::ActivateBoost { pool: 0 }),
    ];
    run_all_ok(&mut world, &observer, &boost);
    assert_eq!(
        boosted(&world),
        5 * 10u128.pow(18),
        "active right after the wait"
    );
    assert_eq!(
        world.chain.block_number() - start,
        8_192,
        "BGT's delay, and one block"
    );
}

#[test]
fn arguments_land_on_the_boundaries_the_suite_compares_them_with() {
    use poolguard::actions::OpKind;
    use poolguard::engine::strategy::{random_op, GenContext};
    use rand::{rngs::SmallRng, SeedableRng};
    let mut world = common::world();
    let observer = Observer::new(&world);
    let manager = index(&world, world.pools[0].roles.commission_manager);
    let queue = |bps| step(manager, Op::QueueCommission { pool: 0, bps });
    let coverage = RunOptions {
        collect_coverage: true,
        keep_trace: false,
    };
    // 25% is refused by the 20% cap: the suite compared the argument with 2000, a boundary of the op kind.
    let run = run_sequence(
        &mut world,
        &observer,
        &[queue(2500)],
        &StopOn::Never,
        coverage,
    );
    assert!(!run.steps[0].success);
    let kind = OpKind::QueueCommission as u16;
    assert!(
        run.boundaries().any(|b| b == (kind, U256::from(2000u16))),
        "{:?}",
        run.argument_cmps
    );
    // Without coverage nothing is learned.
    let bare = run_sequence(
        &mut world,
        &observer,
        &[queue(2500)],
        &StopOn::Never,
        RunOptions::BARE,
    );
    assert!(bare.boundaries().next().is_none());
    // Learned, the boundary and its neighbours come up among fresh ops of that kind (and never before).
    let mut ctx = GenContext::new(&world);
    let mut rng = SmallRng::seed_from_u64(3);
    let edge = |op: &Op| {
        matches!(
            op,
            Op::QueueCommission {
                bps: 1999..=2001,
                ..
            }
        )
    };
    let fresh = |ctx: &GenContext, rng: &mut SmallRng| {
        (0..2000)
            .filter(|_| edge(&random_op(rng, ctx, OpKind::QueueCommission, 0)))
            .count()
    };
    let before = fresh(&ctx, &mut rng);
    ctx.learn_boundaries(run.boundaries());
    let after = fresh(&ctx, &mut rng);
    assert!(after > before + 100, "{before} -> {after}");
}

/// The pool a campaign deploys itself goes through SPEC's whole lifecycle, in the default world and with no
/// invariant firing: activation is refused before the deployment and before the oracle reports the first
/// deposit, then goes through; a second deployment of the same pubkey is refused.
#[test]
fn a_campaign_deploys_reports_and_activates_a_pool_of_its_own() {
    use poolguard::bindings::{IStakingPool, IERC20};
    use poolguard::world::FIRST_DEPOSIT_AMOUNT;
    let mut world = common::world();
    let observer = Observer::new(&world);
    let deployer = index(&world, world.actors.stakers[0]);
    let feeder = index(&world, world.actors.feeder);
    let book = |who| {
        world
            .address_book
            .iter()
            .position(|a| *a == who)
            .expect("in the address book") as u8
    };
    let (admin, recipient) = (book(world.actors.stakers[0]), book(world.actors.stakers[1]));
    let deploy = step(deployer, Op::DeployPool { admin, recipient });
    let report = step(
        feeder,
        Op::OracleReportNewPool {
            report: Report::Honest,
        },
    );
    let activate = step(deployer, Op::ActivatePool {});
    let run = run_sequence(
        &mut world,
        &observer,
        &[
            activate.clone(),
            deploy.clone(),
            activate.clone(),
            report,
            activate,
            deploy,
        ],
        &StopOn::Never,
        RunOptions::BARE,
    );
    assert!(run.violations.is_empty(), "{:?}", run.violations);
    let landed: Vec<bool> = run.steps.iter().map(|s| s.success).collect();
    assert_eq!(
        landed,
        [false, true, false, true, true, false],
        "{:?}",
        run.steps.iter().map(|s| &s.revert).collect::<Vec<_>>()
    );
    let pool = world.new_pool.predicted.staking_pool;
    assert!(world.view(pool, &IStakingPool::isActiveCall {}).unwrap());
    assert_eq!(
        world
            .view(
                pool,
                &IERC20::balanceOfCall {
                    account: world.actors.stakers[1]
                }
            )
            .unwrap(),
        FIRST_DEPOSIT_AMOUNT
    );
}

/// Tokens sent to a rewards vault by mistake are recovered by governance, all of them when it asks for all it
/// holds, with no invariant firing; an outsider's recovery is refused.
#[test]
fn governance_recovers_tokens_sent_to_a_rewards_vault() {
    use poolguard::bindings::IERC20;
    let mut world = common::world();
    let observer = Observer::new(&world);
    let system = index(&world, world.actors.system);
    let governance = index(&world, world.actors.governance);
    let outsider = index(&world, world.actors.attacker);
    let staker = world
        .address_book
        .iter()
        .position(|a| *a == world.actors.stakers[0])
        .expect("in the address book") as u8;
    let recover = |who| {
        step(
            who,
            Op::RecoverTokens {
                pool: 0,
                to: staker,
                amount: Amount::Held { held_bps: 10_000 },
            },
        )
    };
    let run = run_sequence(
        &mut world,
        &observer,
        &[
            step(
                system,
                Op::SendTokensToRewardsVault {
                    pool: 0,
                    amount: U256::from(5u8) * BERA,
                },
            ),
            recover(outsider),
            recover(governance),
        ],
        &StopOn::Never,
        RunOptions::BARE,
    );
    assert!(run.violations.is_empty(), "{:?}", run.violations);
    let landed: Vec<bool> = run.steps.iter().map(|s| s.success).collect();
    assert_eq!(landed, [true, false, true]);
    let held = |who| {
        world
            .view(
                world.contracts.incentive_token,
                &IERC20::balanceOfCall { account: who },
            )
            .unwrap()
    };
    assert_eq!(held(world.pools[0].rewards_vault), U256::ZERO);
    assert_eq!(held(world.actors.stakers[0]), U256::from(5u8) * BERA);
}
