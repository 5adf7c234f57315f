//! End-to-end: the whole life of two pools on the compiled suite (issue "first slice", item 4).

mod common;

use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::{SolCall, SolEvent};
use poolguard::bindings::{
    IAccountingOracle, IBeaconDeposit, IBeraChef, IOwnable, ISmartOperator, IStBERA, IStakingPool,
    IStakingPoolContractsFactory, IWithdrawalRequests, IWithdrawalVault, IBGT, IERC20, IUUPS,
};
use poolguard::world::{World, BERA, WITHDRAWAL_DELAY};

fn bera(n: u64) -> U256 {
    BERA * U256::from(n)
}

fn gwei(wei: U256) -> U256 {
    wei / U256::from(1_000_000_000u64)
}

/// Calls and expects success.
fn ok<C: SolCall>(w: &mut World, from: Address, to: Address, call: C, value: U256) -> C::Return {
    w.call(from, to, &call, value)
        .unwrap_or_else(|e| panic!("{}: {e}", C::SIGNATURE))
}

/// Calls and expects a revert with the custom error `name`.
fn reverts<C: SolCall>(
    w: &mut World,
    from: Address,
    to: Address,
    call: C,
    value: U256,
    name: &str,
) {
    let outcome = w.try_call(from, to, &call, value).unwrap();
    assert!(
        !outcome.success,
        "{} by {} should revert with {name}",
        C::SIGNATURE,
        w.actors.name(from)
    );
    assert_eq!(
        w.decoder.error_name(&outcome.output),
        Some(name),
        "{}: {}",
        C::SIGNATURE,
        w.reason(&outcome)
    );
}

fn view<C: SolCall>(w: &World, to: Address, call: C) -> C::Return {
    w.view(to, &call)
        .unwrap_or_else(|e| panic!("{}: {e}", C::SIGNATURE))
}

/// The feeder reports the consensus layer's actual balance for pool `i`.
fn report_actual_balance(w: &mut World, i: usize) -> U256 {
    let pubkey = w.pools[i].pubkey.clone();
    let balance = view(
        w,
        w.contracts.beacon_deposit,
        IBeaconDeposit::validatorBalanceCall {
            pubkey: pubkey.clone(),
        },
    );
    let last = view(
        w,
        w.contracts.accounting_oracle,
        IAccountingOracle::getLastReportCall {
            pubkey: pubkey.clone(),
        },
    );
    let (feeder, oracle) = (w.actors.feeder, w.contracts.accounting_oracle);
    let report = IAccountingOracle::updateTotalDepositsCall {
        pubkey,
        balanceGwei: gwei(balance),
        refSlot: last.refSlot + U256::from(1),
    };
    ok(w, feeder, oracle, report, U256::ZERO);
    balance
}

fn shares_of(w: &World, pool: Address, who: Address) -> U256 {
    view(w, pool, IERC20::balanceOfCall { account: who })
}

fn assets_of(w: &World, pool: Address, shares: U256) -> U256 {
    view(w, pool, IStBERA::previewRedeemCall { shares })
}

#[test]
fn whole_life_of_two_pools() {
    let mut w = common::world();
    let c = w.contracts.clone();
    let feeder = w.actors.feeder;
    let (p0, p1) = (w.pools[0].clone(), w.pools[1].clone());
    let stakers = w.actors.stakers.clone();
    let (bd, vault, oracle) = (c.beacon_deposit, c.withdrawal_vault, c.accounting_oracle);
    let (system, governance, attacker) = (w.actors.system, w.actors.governance, w.actors.attacker);

    // --- deposits by three stakers; the buffer is forwarded at 10,000 BERA --------------------------------
    let cl_before = view(
        &w,
        bd,
        IBeaconDeposit::validatorBalanceCall {
            pubkey: p0.pubkey.clone(),
        },
    );
    assert_eq!(
        cl_before,
        bera(10_000),
        "the factory's first deposit is on the consensus layer"
    );
    for (i, &staker) in stakers.iter().enumerate() {
        let expected = view(
            &w,
            p0.staking_pool,
            IStBERA::previewDepositCall {
                assets: bera(4_000),
            },
        );
        let minted = ok(
            &mut w,
            staker,
            p0.staking_pool,
            IStakingPool::submitCall { receiver: staker },
            bera(4_000),
        );
        assert_eq!(minted, expected, "submit mints previewDeposit");
        let buffered = view(&w, p0.staking_pool, IStakingPool::bufferedAssetsCall {});
        if i < 2 {
            assert_eq!(
                buffered,
                bera(4_000) * U256::from(i + 1),
                "below 10,000 BERA the deposit stays buffered"
            );
        } else {
            assert_eq!(
                buffered,
                U256::ZERO,
                "at 12,000 BERA the buffer is forwarded"
            );
        }
    }
    let cl_after = view(
        &w,
        bd,
        IBeaconDeposit::validatorBalanceCall {
            pubkey: p0.pubkey.clone(),
        },
    );
    assert_eq!(cl_after, bera(22_000));
    assert_eq!(
        view(&w, p0.staking_pool, IStakingPool::totalDepositsCall {}),
        bera(22_000)
    );
    reverts(
        &mut w,
        stakers[0],
        p0.staking_pool,
        IStakingPool::submitCall {
            receiver: stakers[0],
        },
        U256::ZERO,
        "ZeroAmount",
    );

    // --- commission 20% (queued, delayed, activated) and protocol fee 20% ---------------------------------
    ok(
        &mut w,
        p0.roles.commission_manager,
        p0.smart_operator,
        ISmartOperator::queueValCommissionCall {
            bps: alloy_primitives::Uint::from(2000),
        },
        U256::ZERO,
    );
    reverts(
        &mut w,
        attacker,
        c.bera_chef,
        IBeraChef::activateQueuedValCommissionCall {
            valPubkey: p0.pubkey.clone(),
        },
        U256::ZERO,
        "CommissionNotQueuedOrDelayNotPassed",
    );
    w.chain.roll(16_382);
    ok(
        &mut w,
        attacker,
        c.bera_chef,
        IBeraChef::activateQueuedValCommissionCall {
            valPubkey: p0.pubkey.clone(),
        },
        U256::ZERO,
    );
    ok(
        &mut w,
        p0.roles.protocol_fee_manager,
        p0.smart_operator,
        ISmartOperator::setProtocolFeePercentageCall {
            bps: U256::from(2000),
        },
        U256::ZERO,
    );
    reverts(
        &mut w,
        p0.roles.commission_manager,
        p0.smart_operator,
        ISmartOperator::queueValCommissionCall {
            bps: alloy_primitives::Uint::from(2001),
        },
        U256::ZERO,
        "InvalidFeePercentage",
    );
    reverts(
        &mut w,
        p0.roles.protocol_fee_manager,
        p0.smart_operator,
        ISmartOperator::setProtocolFeePercentageCall {
            bps: U256::from(2001),
        },
        U256::ZERO,
        "InvalidFeePercentage",
    );
    let rates = view(&w, p0.smart_operator, ISmartOperator::feeRatesCall {});
    assert_eq!(
        (rates.commissionBps, rates.protocolFeeBps),
        (U256::from(2000), U256::from(2000))
    );

    // --- an oracle report of growth mints commission and protocol-fee shares worth <= 20% each -----------
    let validator = p0.roles.default_shares_recipient;
    let protocol = w.actors.protocol_fee_recipient;
    let staker_value = |w: &World| {
        stakers
            .iter()
            .map(|&s| assets_of(w, p0.staking_pool, shares_of(w, p0.staking_pool, s)))
            .sum::<U256>()
    };
    let (v_before, p_before, s_before) = (
        shares_of(&w, p0.staking_pool, validator),
        shares_of(&w, p0.staking_pool, protocol),
        staker_value(&w),
    );
    let assets_before = view(&w, p0.staking_pool, IStBERA::totalAssetsCall {});
    let reward = bera(200); // < 1% of 22,000: inside the oracle's bound
    ok(
        &mut w,
        system,
        bd,
        IBeaconDeposit::rewardValidatorCall {
            pubkey: p0.pubkey.clone(),
        },
        reward,
    );
    report_actual_balance(&mut w, 0);
    assert_eq!(
        view(&w, p0.staking_pool, IStBERA::totalAssetsCall {}),
        assets_before + reward
    );
    let commission_value = assets_of(
        &w,
        p0.staking_pool,
        shares_of(&w, p0.staking_pool, validator) - v_before,
    );
    let protocol_value = assets_of(
        &w,
        p0.staking_pool,
        shares_of(&w, p0.staking_pool, protocol) - p_before,
    );
    let cap = reward * U256::from(2000) / U256::from(10_000);
    assert!(
        commission_value <= cap && commission_value + U256::from(1_000_000u64) > cap,
        "commission {commission_value} vs cap {cap}"
    );
    assert!(
        protocol_value <= cap && protocol_value + U256::from(1_000_000u64) > cap,
        "protocol fee {protocol_value} vs cap {cap}"
    );
    let staker_gain = staker_value(&w) - s_before;
    assert!(staker_gain > U256::ZERO, "stakers gain from growth");
    // Stakers hold 12,000 of 22,000 shares: they keep >= 60% of their pro-rata part.
    let pro_rata = reward * U256::from(12_000) / U256::from(22_000);
    assert!(
        staker_gain * U256::from(10) >= pro_rata * U256::from(6) - U256::from(1_000),
        "stakers keep >= 60%: {staker_gain} of {pro_rata}"
    );
    // A report beyond +1% is refused; a replayed refSlot is refused.
    let last = view(
        &w,
        oracle,
        IAccountingOracle::getLastReportCall {
            pubkey: p0.pubkey.clone(),
        },
    );
    let too_high = gwei(last.balanceWei * U256::from(102) / U256::from(100));
    reverts(
        &mut w,
        feeder,
        oracle,
        IAccountingOracle::updateTotalDepositsCall {
            pubkey: p0.pubkey.clone(),
            balanceGwei: too_high,
            refSlot: last.refSlot + U256::from(1),
        },
        U256::ZERO,
        "ReportOutOfBounds",
    );
    reverts(
        &mut w,
        feeder,
        oracle,
        IAccountingOracle::updateTotalDepositsCall {
            pubkey: p0.pubkey.clone(),
            balanceGwei: gwei(last.balanceWei),
            refSlot: last.refSlot,
        },
        U256::ZERO,
        "StaleReport",
    );

    // --- BGT earned (fees once, as shares) and redeemed (no second charge) ---------------------------------
    let bgt = c.bgt;
    ok(
        &mut w,
        system,
        bgt,
        IBGT::mintCall {
            to: p0.smart_operator,
            amount: bera(1_000),
        },
        bera(1_000),
    );
    let ta_with_bgt = view(&w, p0.staking_pool, IStBERA::totalAssetsCall {});
    let before_bgt = view(&w, p0.staking_pool, IERC20::totalSupplyCall {});
    let v_before = shares_of(&w, p0.staking_pool, validator);
    ok(
        &mut w,
        attacker,
        p0.smart_operator,
        ISmartOperator::accrueEarnedBGTFeesCall {},
        U256::ZERO,
    );
    let bgt_commission = assets_of(
        &w,
        p0.staking_pool,
        shares_of(&w, p0.staking_pool, validator) - v_before,
    );
    assert!(
        bgt_commission <= bera(200) && bgt_commission + U256::from(1_000_000u64) > bera(200),
        "BGT commission {bgt_commission}"
    );
    assert!(view(&w, p0.staking_pool, IERC20::totalSupplyCall {}) > before_bgt);
    assert!(
        view(&w, p0.staking_pool, IStBERA::totalAssetsCall {}) >= ta_with_bgt + bera(399),
        "accrual counts the fee part"
    );
    reverts(
        &mut w,
        attacker,
        p0.smart_operator,
        ISmartOperator::redeemBGTCall { amount: bera(500) },
        U256::ZERO,
        "AccessControlUnauthorizedAccount",
    );
    ok(
        &mut w,
        p0.roles.bgt_manager,
        p0.smart_operator,
        ISmartOperator::redeemBGTCall { amount: bera(500) },
        U256::ZERO,
    );
    assert_eq!(
        w.chain.balance(p0.rewards_vault),
        bera(500),
        "redeemed BGT arrives as BERA in the rewards vault"
    );
    let supply = view(&w, p0.staking_pool, IERC20::totalSupplyCall {});
    let ta = view(&w, p0.staking_pool, IStBERA::totalAssetsCall {});
    ok(
        &mut w,
        attacker,
        p0.staking_pool,
        IStakingPool::processRewardsCall {},
        U256::ZERO,
    );
    assert_eq!(
        view(&w, p0.staking_pool, IERC20::totalSupplyCall {}),
        supply,
        "redeemed BGT bears no second fee"
    );
    assert_eq!(
        view(&w, p0.staking_pool, IStBERA::totalAssetsCall {}),
        ta,
        "collection does not move totalAssets"
    );
    assert_eq!(
        view(&w, p0.staking_pool, IStakingPool::bufferedAssetsCall {}),
        bera(500)
    );

    // --- reach the minimum effective balance, then a withdrawal through the consensus layer ---------------
    ok(
        &mut w,
        stakers[0],
        p0.staking_pool,
        IStakingPool::submitCall {
            receiver: stakers[0],
        },
        bera(300_000),
    );
    assert!(view(
        &w,
        p0.staking_pool,
        IStakingPool::minEffectiveBalanceReachedCall {}
    ));
    let assets = bera(20_000);
    let shares_expected = view(&w, p0.staking_pool, IStBERA::previewWithdrawCall { assets });
    let shares0 = shares_of(&w, p0.staking_pool, stakers[0]);
    let fee_value = U256::from(10);
    reverts(
        &mut w,
        stakers[0],
        vault,
        IWithdrawalVault::requestWithdrawalCall {
            pubkey: p0.pubkey.clone(),
            amountGwei: gwei(assets),
            maxFee: U256::ZERO,
        },
        fee_value,
        "FeeTooHigh",
    );
    let id = ok(
        &mut w,
        stakers[0],
        vault,
        IWithdrawalVault::requestWithdrawalCall {
            pubkey: p0.pubkey.clone(),
            amountGwei: gwei(assets),
            maxFee: fee_value,
        },
        fee_value,
    );
    assert_eq!(
        shares0 - shares_of(&w, p0.staking_pool, stakers[0]),
        shares_expected,
        "burns previewWithdraw(assets)"
    );
    assert_eq!(
        view(
            &w,
            c.withdrawal_requests,
            IWithdrawalRequests::pendingCountCall {}
        ),
        U256::from(1)
    );
    let request = view(
        &w,
        vault,
        IWithdrawalVault::getRequestCall { requestId: id },
    );
    assert_eq!(request.assetsRequested, assets);
    ok(
        &mut w,
        system,
        bd,
        IBeaconDeposit::processWithdrawalRequestsCall {
            maxRequests: U256::from(10),
        },
        U256::ZERO,
    );
    let request_block = request.requestBlock.to::<u64>();
    let now = w.chain.block_number();
    w.chain.roll(request_block + WITHDRAWAL_DELAY - 1 - now);
    reverts(
        &mut w,
        attacker,
        vault,
        IWithdrawalVault::finalizeWithdrawalRequestCall { requestId: id },
        U256::ZERO,
        "NotFinalizable",
    );
    w.chain.roll(1);
    let balance_before = w.chain.balance(stakers[0]);
    ok(
        &mut w,
        attacker,
        vault,
        IWithdrawalVault::finalizeWithdrawalRequestCall { requestId: id },
        U256::ZERO,
    );
    assert_eq!(
        w.chain.balance(stakers[0]) - balance_before,
        assets,
        "pays exactly assetsRequested to the user"
    );
    reverts(
        &mut w,
        attacker,
        vault,
        IWithdrawalVault::finalizeWithdrawalRequestCall { requestId: id },
        U256::ZERO,
        "InvalidRequest",
    );

    // --- pause stops deposits ---------------------------------------------------------------------------
    reverts(
        &mut w,
        attacker,
        p0.staking_pool,
        IStakingPool::pauseCall {},
        U256::ZERO,
        "Unauthorized",
    );
    ok(
        &mut w,
        governance,
        p0.staking_pool,
        IStakingPool::pauseCall {},
        U256::ZERO,
    );
    reverts(
        &mut w,
        stakers[1],
        p0.staking_pool,
        IStakingPool::submitCall {
            receiver: stakers[1],
        },
        bera(1),
        "EnforcedPause",
    );
    ok(
        &mut w,
        governance,
        p0.staking_pool,
        IStakingPool::unpauseCall {},
        U256::ZERO,
    );
    ok(
        &mut w,
        stakers[1],
        p0.staking_pool,
        IStakingPool::submitCall {
            receiver: stakers[1],
        },
        bera(1),
    );

    // --- pool 1: a withdrawal that would breach the minimum triggers the full exit ------------------------
    let exiter = stakers[2];
    ok(
        &mut w,
        exiter,
        p1.staking_pool,
        IStakingPool::submitCall { receiver: exiter },
        bera(300_000),
    );
    assert!(view(
        &w,
        p1.staking_pool,
        IStakingPool::minEffectiveBalanceReachedCall {}
    ));
    let outcome = w
        .try_call(
            exiter,
            vault,
            &IWithdrawalVault::requestWithdrawalCall {
                pubkey: p1.pubkey.clone(),
                amountGwei: gwei(bera(100_000)),
                maxFee: fee_value,
            },
            fee_value,
        )
        .unwrap();
    assert!(outcome.success, "{}", w.reason(&outcome));
    assert!(
        outcome.logs.iter().any(|l| l.address == p1.staking_pool
            && l.topics().first() == Some(&IStakingPool::FullExitTriggered::SIGNATURE_HASH)),
        "FullExitTriggered emitted"
    );
    assert!(view(
        &w,
        p1.staking_pool,
        IStakingPool::isFullyExitedCall {}
    ));
    assert!(
        !view(&w, p0.staking_pool, IStakingPool::isFullyExitedCall {}),
        "pool 0 is untouched"
    );
    reverts(
        &mut w,
        exiter,
        p1.staking_pool,
        IStakingPool::submitCall { receiver: exiter },
        bera(1),
        "EnforcedPause",
    );
    reverts(
        &mut w,
        governance,
        p1.staking_pool,
        IStakingPool::unpauseCall {},
        U256::ZERO,
        "PoolFullyExited",
    );
    let exit_id = view(&w, vault, IWithdrawalVault::requestCountCall {});
    // The consensus layer pays the whole validator balance; the exiter and then the remaining shares leave.
    ok(
        &mut w,
        system,
        bd,
        IBeaconDeposit::processWithdrawalRequestsCall {
            maxRequests: U256::from(10),
        },
        U256::ZERO,
    );
    assert_eq!(
        view(
            &w,
            bd,
            IBeaconDeposit::validatorBalanceCall {
                pubkey: p1.pubkey.clone()
            }
        ),
        U256::ZERO
    );
    let rest = shares_of(&w, p1.staking_pool, exiter);
    let rest_id = ok(
        &mut w,
        exiter,
        vault,
        IWithdrawalVault::requestRedeemCall {
            pubkey: p1.pubkey.clone(),
            shares: rest,
            maxFee: U256::ZERO,
        },
        U256::ZERO,
    );
    w.chain.roll(WITHDRAWAL_DELAY);
    let before = w.chain.balance(exiter);
    ok(
        &mut w,
        attacker,
        vault,
        IWithdrawalVault::finalizeWithdrawalRequestsCall {
            requestIds: vec![exit_id, rest_id],
        },
        U256::ZERO,
    );
    let received = w.chain.balance(exiter) - before;
    assert!(
        received >= bera(299_999) && received <= bera(300_000),
        "the exiter gets its 300,000 BERA back (less rounding): {received}"
    );

    // --- upgrades: only governance ------------------------------------------------------------------------
    let new_impl = c.staking_pool_impl;
    reverts(
        &mut w,
        attacker,
        c.factory,
        IStakingPoolContractsFactory::upgradeStakingPoolBeaconImplCall {
            newImplementation: new_impl,
        },
        U256::ZERO,
        "OwnableUnauthorizedAccount",
    );
    reverts(
        &mut w,
        p0.roles.validator_admin,
        c.factory,
        IStakingPoolContractsFactory::upgradeStakingPoolBeaconImplCall {
            newImplementation: new_impl,
        },
        U256::ZERO,
        "OwnableUnauthorizedAccount",
    );
    ok(
        &mut w,
        governance,
        c.factory,
        IStakingPoolContractsFactory::upgradeStakingPoolBeaconImplCall {
            newImplementation: new_impl,
        },
        U256::ZERO,
    );
    let vault_impl = c.withdrawal_vault_impl;
    reverts(
        &mut w,
        attacker,
        vault,
        IUUPS::upgradeToAndCallCall {
            newImplementation: vault_impl,
            data: Bytes::new(),
        },
        U256::ZERO,
        "OwnableUnauthorizedAccount",
    );
    ok(
        &mut w,
        governance,
        vault,
        IUUPS::upgradeToAndCallCall {
            newImplementation: vault_impl,
            data: Bytes::new(),
        },
        U256::ZERO,
    );
    assert_eq!(view(&w, c.factory, IOwnable::ownerCall {}), governance);
}
