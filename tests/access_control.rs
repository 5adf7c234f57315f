//! Table-driven: every privileged function of every contract reverts, with its permission error, for every
//! named account without the privilege — including the role holders of the other pool. Where the privilege
//! belongs to a named account, a positive control shows that account is not refused.

mod common;

use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::SolCall;
use poolguard::bindings::{
    IAccessControl, IAccountingOracle, IBeaconDeposit, IBeraChef, IDeploy, IIncentiveCollector,
    IOwnable, ISharedInit, ISmartOperator, IStakingPool, IStakingPoolContractsFactory,
    IStakingRewardsVault, IWithdrawalRequests, IWithdrawalVault, IBGT, IUUPS,
};
use poolguard::world::World;

/// One privileged entry point.
struct Row {
    label: String,
    target: Address,
    data: Bytes,
    /// Named accounts holding the privilege (empty: only a contract, or nobody, holds it).
    authorized: Vec<Address>,
    /// The custom error every other account must get.
    error: &'static str,
}

fn row<C: SolCall>(
    label: impl Into<String>,
    target: Address,
    call: C,
    authorized: &[Address],
    error: &'static str,
) -> Row {
    Row {
        label: label.into(),
        target,
        data: call.abi_encode().into(),
        authorized: authorized.to_vec(),
        error,
    }
}

const OWNABLE: &str = "OwnableUnauthorizedAccount";
const ACCESS: &str = "AccessControlUnauthorizedAccount";
const INIT: &str = "InvalidInitialization";

fn role(
    w: &World,
    operator: Address,
    getter: impl SolCall<Return = alloy_primitives::FixedBytes<32>>,
) -> alloy_primitives::FixedBytes<32> {
    w.view(operator, &getter).unwrap()
}

fn table(w: &World) -> Vec<Row> {
    let c = w.contracts.clone();
    let a = &w.actors;
    let (gov, system, feeder, attacker) = (a.governance, a.system, a.feeder, a.attacker);
    let nobody: &[Address] = &[];
    let mut rows = Vec::new();

    for p in &w.pools {
        let i = p.index;
        let pk = p.pubkey.clone();
        let r = &p.roles;
        let pool = p.staking_pool;
        let op = p.smart_operator;
        rows.push(row(
            format!("pool{i} StakingPool.updateTotalDeposits (oracle)"),
            pool,
            IStakingPool::updateTotalDepositsCall {
                value: U256::from(1u64),
            },
            nobody,
            "Unauthorized",
        ));
        rows.push(row(
            format!("pool{i} StakingPool.notifyWithdrawalRequest (vault)"),
            pool,
            IStakingPool::notifyWithdrawalRequestCall {
                user: attacker,
                assets: U256::from(1u64),
            },
            nobody,
            "Unauthorized",
        ));
        rows.push(row(
            format!("pool{i} StakingPool.notifyRedeemRequest (vault)"),
            pool,
            IStakingPool::notifyRedeemRequestCall {
                user: attacker,
                shares: U256::from(1u64),
            },
            nobody,
            "Unauthorized",
        ));
        rows.push(row(
            format!("pool{i} StakingPool.mintFeeShares (operator)"),
            pool,
            IStakingPool::mintFeeSharesCall {
                recipient: attacker,
                shares: U256::from(1u64),
            },
            nobody,
            "Unauthorized",
        ));
        rows.push(row(
            format!("pool{i} StakingPool.receiveRewards (rewards vault)"),
            pool,
            IStakingPool::receiveRewardsCall {},
            nobody,
            "Unauthorized",
        ));
        rows.push(row(
            format!("pool{i} StakingPool.activate (factory)"),
            pool,
            IStakingPool::activateCall {},
            nobody,
            "Unauthorized",
        ));
        rows.push(row(
            format!("pool{i} StakingPool.pause (governance)"),
            pool,
            IStakingPool::pauseCall {},
            &[gov],
            "Unauthorized",
        ));
        rows.push(row(
            format!("pool{i} StakingPool.unpause (governance)"),
            pool,
            IStakingPool::unpauseCall {},
            &[gov],
            "Unauthorized",
        ));
        rows.push(row(
            format!("pool{i} StakingPool.setMinEffectiveBalance (governance)"),
            pool,
            IStakingPool::setMinEffectiveBalanceCall {
                value: U256::from(300_000u64) * poolguard::world::BERA,
            },
            &[gov],
            "Unauthorized",
        ));
        rows.push(row(
            format!("pool{i} StakingPool.initialize (nobody)"),
            pool,
            pool_init(pk.clone()),
            nobody,
            INIT,
        ));

        rows.push(row(
            format!("pool{i} SmartOperator.queueValCommission (commission manager)"),
            op,
            ISmartOperator::queueValCommissionCall {
                bps: alloy_primitives::Uint::from(1000),
            },
            &[r.commission_manager],
            ACCESS,
        ));
        rows.push(row(
            format!("pool{i} SmartOperator.setProtocolFeePercentage (protocol fee manager)"),
            op,
            ISmartOperator::setProtocolFeePercentageCall {
                bps: U256::from(1000),
            },
            &[r.protocol_fee_manager],
            ACCESS,
        ));
        let weights = vec![ISmartOperator::RewardWeight {
            receiver: attacker,
            percentageNumerator: alloy_primitives::Uint::from(10_000),
        }];
        rows.push(row(
            format!("pool{i} SmartOperator.queueRewardsAllocation (rewards allocation manager)"),
            op,
            ISmartOperator::queueRewardsAllocationCall {
                startBlock: 1_000_000,
                weights,
            },
            &[r.rewards_allocation_manager],
            ACCESS,
        ));
        rows.push(row(format!("pool{i} SmartOperator.queueIncentiveCollectorPayoutAmountChange (incentive manager)"), op, ISmartOperator::queueIncentiveCollectorPayoutAmountChangeCall { newPayoutAmount: U256::from(50u64) }, &[r.incentive_collector_manager], ACCESS));
        rows.push(row(
            format!("pool{i} SmartOperator.queueDropBoost (BGT manager)"),
            op,
            ISmartOperator::queueDropBoostCall { amount: 1 },
            &[r.bgt_manager],
            ACCESS,
        ));
        rows.push(row(
            format!("pool{i} SmartOperator.redeemBGT (BGT manager)"),
            op,
            ISmartOperator::redeemBGTCall {
                amount: U256::from(1u64),
            },
            &[r.bgt_manager],
            ACCESS,
        ));
        let managers = [
            (
                "COMMISSION_MANAGER_ROLE",
                role(w, op, ISmartOperator::COMMISSION_MANAGER_ROLECall {}),
            ),
            (
                "PROTOCOL_FEE_MANAGER_ROLE",
                role(w, op, ISmartOperator::PROTOCOL_FEE_MANAGER_ROLECall {}),
            ),
            (
                "REWARDS_ALLOCATION_MANAGER_ROLE",
                role(
                    w,
                    op,
                    ISmartOperator::REWARDS_ALLOCATION_MANAGER_ROLECall {},
                ),
            ),
            (
                "INCENTIVE_COLLECTOR_MANAGER_ROLE",
                role(
                    w,
                    op,
                    ISmartOperator::INCENTIVE_COLLECTOR_MANAGER_ROLECall {},
                ),
            ),
            (
                "BGT_MANAGER_ROLE",
                role(w, op, ISmartOperator::BGT_MANAGER_ROLECall {}),
            ),
        ];
        for (name, role_id) in managers {
            rows.push(row(
                format!("pool{i} SmartOperator.grantRole({name}) (validator admin)"),
                op,
                IAccessControl::grantRoleCall {
                    role: role_id,
                    account: attacker,
                },
                &[r.validator_admin],
                ACCESS,
            ));
            rows.push(row(
                format!("pool{i} SmartOperator.revokeRole({name}) (validator admin)"),
                op,
                IAccessControl::revokeRoleCall {
                    role: role_id,
                    account: attacker,
                },
                &[r.validator_admin],
                ACCESS,
            ));
        }
        let validator_admin_role = role(w, op, ISmartOperator::VALIDATOR_ADMIN_ROLECall {});
        rows.push(row(
            format!("pool{i} SmartOperator.grantRole(VALIDATOR_ADMIN_ROLE) (governance)"),
            op,
            IAccessControl::grantRoleCall {
                role: validator_admin_role,
                account: attacker,
            },
            &[gov],
            ACCESS,
        ));
        rows.push(row(format!("pool{i} SmartOperator.grantRole(DEFAULT_ADMIN_ROLE) (governance, not the validator)"), op, IAccessControl::grantRoleCall { role: Default::default(), account: attacker }, &[gov], ACCESS));
        rows.push(row(
            format!("pool{i} SmartOperator.initialize (nobody)"),
            op,
            operator_init(pk.clone(), attacker),
            nobody,
            INIT,
        ));

        rows.push(row(
            format!("pool{i} StakingRewardsVault.withdrawRewards (pool)"),
            p.rewards_vault,
            IStakingRewardsVault::withdrawRewardsCall { amount: U256::ZERO },
            nobody,
            "Unauthorized",
        ));
        rows.push(row(
            format!("pool{i} StakingRewardsVault.addPrecharged (operator)"),
            p.rewards_vault,
            IStakingRewardsVault::addPrechargedCall {
                amount: U256::from(1u64),
            },
            nobody,
            "Unauthorized",
        ));
        rows.push(row(
            format!("pool{i} StakingRewardsVault.recoverERC20 (governance)"),
            p.rewards_vault,
            IStakingRewardsVault::recoverERC20Call {
                token: c.incentive_token,
                to: attacker,
                amount: U256::ZERO,
            },
            &[gov],
            "Unauthorized",
        ));
        rows.push(row(
            format!("pool{i} StakingRewardsVault.initialize (nobody)"),
            p.rewards_vault,
            per_pool_init(pk.clone()),
            nobody,
            INIT,
        ));
        rows.push(row(
            format!("pool{i} IncentiveCollector.queuePayoutAmountChange (operator)"),
            p.incentive_collector,
            IIncentiveCollector::queuePayoutAmountChangeCall {
                newPayoutAmount: U256::from(1u64),
            },
            nobody,
            "Unauthorized",
        ));
        rows.push(row(
            format!("pool{i} IncentiveCollector.initialize (nobody)"),
            p.incentive_collector,
            per_pool_init(pk.clone()),
            nobody,
            INIT,
        ));

        rows.push(row(
            format!("pool{i} WithdrawalVault.notifyFullExit (its pool)"),
            c.withdrawal_vault,
            IWithdrawalVault::notifyFullExitCall {
                pubkey: pk.clone(),
                requestConsensusExit: true,
            },
            nobody,
            "Unauthorized",
        ));
        rows.push(row(
            format!("pool{i} WithdrawalVault.receivePoolFunds (its pool)"),
            c.withdrawal_vault,
            IWithdrawalVault::receivePoolFundsCall { pubkey: pk.clone() },
            nobody,
            "Unauthorized",
        ));
        rows.push(row(
            format!("pool{i} AccountingOracle.updateTotalDeposits (feeder)"),
            c.accounting_oracle,
            IAccountingOracle::updateTotalDepositsCall {
                pubkey: pk.clone(),
                balanceGwei: U256::from(10_000_000_000_000u64),
                refSlot: U256::from(99u64),
            },
            &[feeder],
            ACCESS,
        ));
        rows.push(row(
            format!("pool{i} BeaconDeposit.rewardValidator (system)"),
            c.beacon_deposit,
            IBeaconDeposit::rewardValidatorCall { pubkey: pk.clone() },
            &[system],
            "NotSystem",
        ));
        rows.push(row(
            format!("pool{i} BeaconDeposit.penalizeValidator (system)"),
            c.beacon_deposit,
            IBeaconDeposit::penalizeValidatorCall {
                pubkey: pk.clone(),
                amount: U256::ZERO,
            },
            &[system],
            "NotSystem",
        ));
        rows.push(row(
            format!("pool{i} BeraChef.queueValCommission (the validator's operator)"),
            c.bera_chef,
            IBeraChef::queueValCommissionCall {
                valPubkey: pk.clone(),
                commissionRate: alloy_primitives::Uint::from(100),
            },
            nobody,
            "NotOperator",
        ));
        let chef_weights = vec![IBeraChef::Weight {
            receiver: attacker,
            percentageNumerator: alloy_primitives::Uint::from(10_000),
        }];
        rows.push(row(
            format!("pool{i} BeraChef.queueNewRewardAllocation (the validator's operator)"),
            c.bera_chef,
            IBeraChef::queueNewRewardAllocationCall {
                valPubkey: pk.clone(),
                startBlock: 1_000_000,
                weights: chef_weights,
            },
            nobody,
            "NotOperator",
        ));
    }

    let f = c.factory;
    rows.push(row(
        "Factory.setSharedContracts (governance)",
        f,
        IStakingPoolContractsFactory::setSharedContractsCall {
            withdrawalVault: attacker,
            accountingOracle: attacker,
        },
        &[gov],
        OWNABLE,
    ));
    rows.push(row(
        "Factory.setProtocolFeeRecipient (governance)",
        f,
        IStakingPoolContractsFactory::setProtocolFeeRecipientCall {
            recipient: attacker,
        },
        &[gov],
        OWNABLE,
    ));
    rows.push(row(
        "Factory.upgradeStakingPoolBeaconImpl (governance)",
        f,
        IStakingPoolContractsFactory::upgradeStakingPoolBeaconImplCall {
            newImplementation: c.staking_pool_impl,
        },
        &[gov],
        OWNABLE,
    ));
    rows.push(row(
        "Factory.upgradeSmartOperatorBeaconImpl (governance)",
        f,
        IStakingPoolContractsFactory::upgradeSmartOperatorBeaconImplCall {
            newImplementation: c.smart_operator_impl,
        },
        &[gov],
        OWNABLE,
    ));
    rows.push(row(
        "Factory.upgradeStakingRewardsVaultBeaconImpl (governance)",
        f,
        IStakingPoolContractsFactory::upgradeStakingRewardsVaultBeaconImplCall {
            newImplementation: c.rewards_vault_impl,
        },
        &[gov],
        OWNABLE,
    ));
    rows.push(row(
        "Factory.upgradeIncentiveCollectorBeaconImpl (governance)",
        f,
        IStakingPoolContractsFactory::upgradeIncentiveCollectorBeaconImplCall {
            newImplementation: c.incentive_collector_impl,
        },
        &[gov],
        OWNABLE,
    ));
    rows.push(row(
        "Factory.upgradeToAndCall (governance)",
        f,
        IUUPS::upgradeToAndCallCall {
            newImplementation: c.factory_impl,
            data: Bytes::new(),
        },
        &[gov],
        OWNABLE,
    ));
    rows.push(row(
        "Factory.transferOwnership (governance)",
        f,
        IOwnable::transferOwnershipCall { newOwner: attacker },
        &[gov],
        OWNABLE,
    ));
    rows.push(row(
        "Factory.renounceOwnership (governance)",
        f,
        IOwnable::renounceOwnershipCall {},
        &[gov],
        OWNABLE,
    ));
    rows.push(row(
        "Factory.initialize (nobody)",
        f,
        factory_init(attacker),
        nobody,
        INIT,
    ));
    for (name, beacon_getter) in [
        (
            "StakingPool",
            IStakingPoolContractsFactory::stakingPoolBeaconCall {}.abi_encode(),
        ),
        (
            "SmartOperator",
            IStakingPoolContractsFactory::smartOperatorBeaconCall {}.abi_encode(),
        ),
        (
            "StakingRewardsVault",
            IStakingPoolContractsFactory::stakingRewardsVaultBeaconCall {}.abi_encode(),
        ),
        (
            "IncentiveCollector",
            IStakingPoolContractsFactory::incentiveCollectorBeaconCall {}.abi_encode(),
        ),
    ] {
        let out = w
            .chain
            .view(Address::ZERO, f, beacon_getter.into())
            .unwrap();
        let beacon = Address::from_word(alloy_primitives::B256::from_slice(&out.output));
        rows.push(row(
            format!("{name} beacon.upgradeTo (factory)"),
            beacon,
            BeaconUpgrade::upgradeToCall {
                newImplementation: attacker,
            },
            nobody,
            OWNABLE,
        ));
        rows.push(row(
            format!("{name} beacon.transferOwnership (factory)"),
            beacon,
            IOwnable::transferOwnershipCall { newOwner: attacker },
            nobody,
            OWNABLE,
        ));
    }

    let v = c.withdrawal_vault;
    rows.push(row(
        "WithdrawalVault.pause (governance)",
        v,
        IWithdrawalVault::pauseCall {},
        &[gov],
        OWNABLE,
    ));
    rows.push(row(
        "WithdrawalVault.unpause (governance)",
        v,
        IWithdrawalVault::unpauseCall {},
        &[gov],
        OWNABLE,
    ));
    rows.push(row(
        "WithdrawalVault.upgradeToAndCall (governance)",
        v,
        IUUPS::upgradeToAndCallCall {
            newImplementation: c.withdrawal_vault_impl,
            data: Bytes::new(),
        },
        &[gov],
        OWNABLE,
    ));
    rows.push(row(
        "WithdrawalVault.transferOwnership (governance)",
        v,
        IOwnable::transferOwnershipCall { newOwner: attacker },
        &[gov],
        OWNABLE,
    ));
    rows.push(row(
        "WithdrawalVault.renounceOwnership (governance)",
        v,
        IOwnable::renounceOwnershipCall {},
        &[gov],
        OWNABLE,
    ));
    rows.push(row(
        "WithdrawalVault.initialize (nobody)",
        v,
        ISharedInit::initializeCall {
            governance: attacker,
            factory: attacker,
        },
        nobody,
        INIT,
    ));

    let o = c.accounting_oracle;
    let feeder_role = w.view(o, &IAccountingOracle::FEEDER_ROLECall {}).unwrap();
    rows.push(row(
        "AccountingOracle.setBounds (governance)",
        o,
        IAccountingOracle::setBoundsCall {
            maxIncreaseBps: U256::from(100u64),
            maxDecreaseBps: U256::from(500u64),
        },
        &[gov],
        ACCESS,
    ));
    rows.push(row(
        "AccountingOracle.grantRole(FEEDER_ROLE) (governance)",
        o,
        IAccessControl::grantRoleCall {
            role: feeder_role,
            account: attacker,
        },
        &[gov],
        ACCESS,
    ));
    rows.push(row(
        "AccountingOracle.revokeRole(FEEDER_ROLE) (governance)",
        o,
        IAccessControl::revokeRoleCall {
            role: feeder_role,
            account: feeder,
        },
        &[gov],
        ACCESS,
    ));
    rows.push(row(
        "AccountingOracle.upgradeToAndCall (governance)",
        o,
        IUUPS::upgradeToAndCallCall {
            newImplementation: c.accounting_oracle_impl,
            data: Bytes::new(),
        },
        &[gov],
        ACCESS,
    ));
    rows.push(row(
        "AccountingOracle.initialize (nobody)",
        o,
        ISharedInit::initializeCall {
            governance: attacker,
            factory: attacker,
        },
        nobody,
        INIT,
    ));

    rows.push(row(
        "BeaconDeposit.processWithdrawalRequests (system)",
        c.beacon_deposit,
        IBeaconDeposit::processWithdrawalRequestsCall {
            maxRequests: U256::from(1u64),
        },
        &[system],
        "NotSystem",
    ));
    rows.push(row(
        "WithdrawalRequests.setFee (system)",
        c.withdrawal_requests,
        IWithdrawalRequests::setFeeCall {
            newFee: U256::from(1u64),
        },
        &[system],
        "NotSystem",
    ));
    rows.push(row(
        "WithdrawalRequests.dequeue (BeaconDeposit)",
        c.withdrawal_requests,
        IWithdrawalRequests::dequeueCall {},
        nobody,
        "NotSystem",
    ));
    rows.push(row(
        "WithdrawalRequests.setConsensusLayer (system, once)",
        c.withdrawal_requests,
        IDeploy::setConsensusLayerCall { cl: attacker },
        nobody,
        "NotSystem",
    ));
    rows.push(row(
        "BGT.mint (system)",
        c.bgt,
        IBGT::mintCall {
            to: attacker,
            amount: U256::ZERO,
        },
        &[system],
        "NotSystem",
    ));
    rows.push(row(
        "BGT.notifyStakerReward (system)",
        c.bgt,
        IBGT::notifyStakerRewardCall { account: attacker },
        &[system],
        "NotSystem",
    ));
    rows.push(row(
        "IncentiveToken.mint (system)",
        c.incentive_token,
        IDeploy::mintCall {
            to: attacker,
            amount: U256::from(1u64),
        },
        &[system],
        "NotSystem",
    ));

    for (name, implementation, data) in [
        (
            "StakingPool",
            c.staking_pool_impl,
            pool_init(w.pools[0].pubkey.clone()).abi_encode(),
        ),
        (
            "SmartOperator",
            c.smart_operator_impl,
            operator_init(w.pools[0].pubkey.clone(), attacker).abi_encode(),
        ),
        (
            "StakingRewardsVault",
            c.rewards_vault_impl,
            per_pool_init(w.pools[0].pubkey.clone()).abi_encode(),
        ),
        (
            "IncentiveCollector",
            c.incentive_collector_impl,
            per_pool_init(w.pools[0].pubkey.clone()).abi_encode(),
        ),
    ] {
        rows.push(Row {
            label: format!("{name} implementation.initialize (nobody)"),
            target: implementation,
            data: data.into(),
            authorized: vec![],
            error: INIT,
        });
    }
    rows.push(row(
        "Factory implementation.initialize (nobody)",
        c.factory_impl,
        factory_init(attacker),
        nobody,
        INIT,
    ));
    rows.push(row(
        "WithdrawalVault implementation.initialize (nobody)",
        c.withdrawal_vault_impl,
        ISharedInit::initializeCall {
            governance: attacker,
            factory: attacker,
        },
        nobody,
        INIT,
    ));
    rows.push(row(
        "AccountingOracle implementation.initialize (nobody)",
        c.accounting_oracle_impl,
        ISharedInit::initializeCall {
            governance: attacker,
            factory: attacker,
        },
        nobody,
        INIT,
    ));
    rows
}

alloy_sol_types::sol! {
    interface BeaconUpgrade { function upgradeTo(address newImplementation) external; }
    interface Inits {
        function initialize(bytes pubkey, bytes credentials, address defaultSharesRecipient) external;
    }
    interface OperatorInit { function initialize(bytes pubkey, address validatorAdmin) external; }
    interface PerPoolInit { function initialize(bytes pubkey) external; }
}

fn pool_init(pubkey: Bytes) -> Inits::initializeCall {
    Inits::initializeCall {
        pubkey,
        credentials: Bytes::from(vec![1u8; 32]),
        defaultSharesRecipient: Address::repeat_byte(1),
    }
}

fn operator_init(pubkey: Bytes, admin: Address) -> OperatorInit::initializeCall {
    OperatorInit::initializeCall {
        pubkey,
        validatorAdmin: admin,
    }
}

fn per_pool_init(pubkey: Bytes) -> PerPoolInit::initializeCall {
    PerPoolInit::initializeCall { pubkey }
}

fn factory_init(governance: Address) -> IDeploy::initializeCall {
    IDeploy::initializeCall {
        governance,
        chain: Default::default(),
        impls: Default::default(),
    }
}

/// Calls `to` as `caller`: a contract actor through its `exec` (a contract cannot sign; the callee sees the
/// contract as `msg.sender` and a revert comes back unchanged).
fn call_as(
    w: &mut World,
    caller: Address,
    to: Address,
    data: Bytes,
) -> poolguard::evm::CallOutcome {
    call_with_value(w, caller, to, data, U256::ZERO)
}

/// [`call_as`] sending `value` BERA of the caller's.
fn call_with_value(
    w: &mut World,
    caller: Address,
    to: Address,
    data: Bytes,
    value: U256,
) -> poolguard::evm::CallOutcome {
    let (from, to, data, sent) = if w.actors.is_contract(caller) {
        let exec = poolguard::bindings::IContractActor::execCall { to, data, value };
        (
            w.actors.contract_origin,
            caller,
            exec.abi_encode().into(),
            U256::ZERO,
        )
    } else {
        (caller, to, data, value)
    };
    w.chain.call(from, to, data, sent).unwrap()
}

/// The table generated from the compiled suite, not written by hand: every state-changing entry point of every
/// contract in the world (suite, implementations, chain stand-ins) that `entry-points.toml` does not declare
/// permissionless reverts for every outsider (the attacker and each contract actor: no role, ownership or
/// system address), with arguments that name the caller, a pool and small values, and 1 BERA to a payable one.
/// A function added to a contract later is in this table on the next run, with no change here.
#[test]
fn every_non_permissionless_entry_point_reverts_for_every_outsider() {
    let mut w = common::world();
    let outsiders = w.actors.outsiders();
    assert!(outsiders.len() >= 3, "the attacker and the contract actors");
    // Seeds read by parameter type (poolguard::actions::abi): zero picks the caller for an address, the first
    // pool's pubkey for bytes, the first role id for bytes32; one picks the next of each.
    let seed_sets: [Vec<U256>; 3] = [Vec::new(), vec![U256::ZERO; 8], vec![U256::from(1u8); 8]];
    let mut tried = 0usize;
    let mut functions = std::collections::BTreeSet::new();
    for (i, point) in w.entry_points.clone().iter().enumerate() {
        if point.permissionless.is_some() {
            continue;
        }
        functions.insert(point.key());
        for &who in &outsiders {
            for seeds in &seed_sets {
                let (_, data) = poolguard::actions::abi::calldata(
                    &w,
                    &poolguard::world::OnChain,
                    i as u16,
                    seeds,
                    who,
                )
                .unwrap_or_else(|| panic!("{}: no calldata", point.key()));
                let value = if point.payable {
                    poolguard::world::BERA
                } else {
                    U256::ZERO
                };
                let outcome = call_with_value(&mut w, who, point.address, data, value);
                assert!(
                    !outcome.success,
                    "{} ({}) succeeded for {} with seeds {seeds:?}",
                    point.key(),
                    point.label,
                    w.actors.name(who)
                );
                tried += 1;
            }
        }
    }
    println!(
        "{} privileged functions ({tried} calls by {} outsiders) all refused",
        functions.len(),
        outsiders.len()
    );
    assert!(
        functions.len() >= 40,
        "only {} privileged functions",
        functions.len()
    );
}

#[test]
fn every_privileged_function_reverts_for_every_account_without_its_privilege() {
    let mut w = common::world();
    let rows = table(&w);
    let callers = w.actors.all().to_vec();
    let mut refused = 0usize;
    for row in &rows {
        for &caller in callers.iter().filter(|c| !row.authorized.contains(c)) {
            let outcome = call_as(&mut w, caller, row.target, row.data.clone());
            assert!(
                !outcome.success,
                "{} succeeded for {}",
                row.label,
                w.actors.name(caller)
            );
            assert_eq!(
                w.decoder.error_name(&outcome.output),
                Some(row.error),
                "{} by {}: {}",
                row.label,
                w.actors.name(caller),
                w.reason(&outcome)
            );
            refused += 1;
        }
        // Positive control: the holder is not refused (it may still fail for a reason other than permission).
        for &holder in &row.authorized {
            let mut fresh = w.clone();
            fresh.reset();
            let outcome = fresh
                .chain
                .call(holder, row.target, row.data.clone(), U256::ZERO)
                .unwrap();
            let name = fresh
                .decoder
                .error_name(&outcome.output)
                .map(str::to_string);
            assert!(
                outcome.success || name.as_deref() != Some(row.error),
                "{} refused its holder {}: {}",
                row.label,
                fresh.actors.name(holder),
                fresh.reason(&outcome)
            );
        }
        println!(
            "{:<90} {} callers refused",
            row.label,
            callers.len() - row.authorized.len()
        );
    }
    println!(
        "{} privileged entry points, {refused} unauthorized calls refused",
        rows.len()
    );
    assert!(rows.len() > 80);
}
