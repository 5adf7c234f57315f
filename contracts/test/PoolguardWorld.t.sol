// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {PoolguardWorld} from "./utils/PoolguardWorld.sol";

/// @title PoolguardWorld lands every contract and actor where poolguard's revm world has it.
/// @notice The expected addresses below were copied from `poolguard world --json` (default world: 2 pools,
/// 3 stakers). If the suite's deployment order or constructor arguments change in src/world.rs, regenerate
/// them from that command and update PoolguardWorld.deployWorld to match.
contract PoolguardWorldTest is PoolguardWorld {
    function setUp() public {
        deployWorld();
    }

    function _a(string memory hex_) private pure returns (address) {
        return vm.parseAddress(hex_);
    }

    function test_chainMatchesPoolguard() public view {
        assertEq(block.number, 1000, "block");
        assertEq(block.timestamp, 1700001998, "timestamp");
        assertEq(block.chainid, 80094, "chain id");
    }

    function test_sharedContractAddressesMatchPoolguard() public view {
        assertEq(accountingOracle, _a("0xcd86c77ced2fbc1dc7d6d7d8489817494a3e44ac"), "accounting_oracle");
        assertEq(accountingOracleImpl, _a("0xac1b4f9d4208e36451b19ff834e70ee1da352370"), "accounting_oracle_impl");
        assertEq(beaconDeposit, _a("0xc1b6dc5031957d15a07a5334e987406e85681237"), "beacon_deposit");
        assertEq(beraChef, _a("0x7fdec13c705c604592f50651d827237962a67772"), "bera_chef");
        assertEq(bgt, _a("0x87a6ffff0bfdd3d5c92c5a8f062f1ea2e6b0d2eb"), "bgt");
        assertEq(factory, _a("0x5ec9e29144e8725a8fc03872db1a898aa4e9dd99"), "factory");
        assertEq(factoryImpl, _a("0x35654b5b4095a4c91813be3f8f95b4c517c47cca"), "factory_impl");
        assertEq(incentiveCollectorImpl, _a("0xd201e5a409ab24e77cad0acf7498bad8d89702cd"), "incentive_collector_impl");
        assertEq(incentiveToken, _a("0x3515e1f02fbc503049b17fd85d47cf88823f68de"), "incentive_token");
        assertEq(rewardsVaultImpl, _a("0xc0ae1017b3438f554bebb151a96fff9e2516cfcd"), "rewards_vault_impl");
        assertEq(smartOperatorImpl, _a("0xef0f6f09d309af50fff20f54d18a2ffa6852a05e"), "smart_operator_impl");
        assertEq(stakingPoolImpl, _a("0xa308268b44ba9b3667e1907733a88619fdc5f28a"), "staking_pool_impl");
        assertEq(wbera, _a("0x0ae383c28eeda536785ae14b07524834cd09f108"), "wbera");
        assertEq(withdrawalRequests, _a("0xd5244ee82eef7745933d64bdbbecc0252059bd30"), "withdrawal_requests");
        assertEq(withdrawalVault, _a("0x8468f7346227f92b032337763447113c71e95fcb"), "withdrawal_vault");
        assertEq(withdrawalVaultImpl, _a("0x9af11e47fd4c596213680e7f8350c8b7d92d9426"), "withdrawal_vault_impl");
    }

    function test_actorsMatchPoolguard() public view {
        address[] memory all = actors();
        assertEq(all.length, 24, "actor count");
        assertEq(all[0], _a("0x00ec027a9a7725b0451ff145f8ea4e09603bd679"), "actor 0 (pool0.bgt_manager)");
        assertEq(all[1], _a("0x10484a19649f76dc6bd548909e4322e2e6534f61"), "actor 1 (staker1)");
        assertEq(all[2], _a("0x1d80bc8573e60e1f611850c8486995b6ac1906d4"), "actor 2 (pool0.incentive_collector_manager)");
        assertEq(all[3], _a("0x494f6bacc722432f4f6032d4b5d1823fcc9aca37"), "actor 3 (pool0.commission_manager)");
        assertEq(all[4], _a("0x4a5dc35ce42a02e3f68546b94fe787b1bbdb8fb8"), "actor 4 (system)");
        assertEq(all[5], _a("0x577674052134bddd6250df1087fcf80ca220dec1"), "actor 5 (protocol_fee_recipient)");
        assertEq(all[6], _a("0x58abb49a71d3c0b679a11e631a468e884f1c9876"), "actor 6 (pool0.validator_admin)");
        assertEq(all[7], _a("0x58b1f2ec25cc06acf25f0b76b490aced48ca7a9b"), "actor 7 (attacker)");
        assertEq(all[8], _a("0x660ef3aca3c9460e4c23aa3ff5c265a6b987984e"), "actor 8 (pool1.rewards_allocation_manager)");
        assertEq(all[9], _a("0x6d6fa7d1af0053400095fc8615c49c861f7dec00"), "actor 9 (pool1.incentive_collector_manager)");
        assertEq(all[10], _a("0x79ce410f26444c193ffc9b954245bd9a9fda4c11"), "actor 10 (pool1.validator_admin)");
        assertEq(all[11], _a("0x877b74cbb99747cfb45a8b632e95cbacbdcd17ec"), "actor 11 (governance)");
        assertEq(all[12], _a("0x8c441d849a25a953b11b7d320e1fa5a6e5e197e9"), "actor 12 (feeder)");
        assertEq(all[13], _a("0x8c634f88ddcf384271c8ed4cfa8dca37e8842a57"), "actor 13 (staker0)");
        assertEq(all[14], _a("0x9124ecf54dd85bd034790a0354b74f8c9b67d1f7"), "actor 14 (pool1.protocol_fee_manager)");
        assertEq(all[15], _a("0x9b872d171c78802667ade38fe5c6cc1fa847e576"), "actor 15 (pool0.default_shares_recipient)");
        assertEq(all[16], _a("0xaf6fe387ee246198493cf3ac1aa4f0fea2b471cd"), "actor 16 (pool1.commission_manager)");
        assertEq(all[17], _a("0xb7b7bfec4d0f8a660aa2b6c44233956c0f15d7c0"), "actor 17 (pool1.default_shares_recipient)");
        assertEq(all[18], _a("0xc78f70480a54e11d8c0143dec6e72e64eb2e6d1d"), "actor 18 (pool0.protocol_fee_manager)");
        assertEq(all[19], _a("0xca42928dc9d4e4812e1695c73e1fc0d1c5c5395a"), "actor 19 (pool0.rewards_allocation_manager)");
        assertEq(all[20], _a("0xd18ae576152a7475fa169b63493750a1c75efd9c"), "actor 20 (pool1.bgt_manager)");
        assertEq(all[21], _a("0xdcec1448a0632d8da67776e6e3c16bcbafc4f6b8"), "actor 21 (staker2)");
        assertEq(all[22], _a("0x5422773b4b492296c958dbb704f75603b3e0c9f7"), "actor 22 (contract_actor)");
        assertEq(all[23], _a("0x1a8d547b982229ff92ece8ef4f7012e97ea115f2"), "actor 23 (contract_actor_no_receiver)");
        assertEq(actorAddress("pool0.bgt_manager"), _a("0x00ec027a9a7725b0451ff145f8ea4e09603bd679"), "pool0.bgt_manager");
        assertEq(actorAddress("staker1"), _a("0x10484a19649f76dc6bd548909e4322e2e6534f61"), "staker1");
        assertEq(actorAddress("pool0.incentive_collector_manager"), _a("0x1d80bc8573e60e1f611850c8486995b6ac1906d4"), "pool0.incentive_collector_manager");
        assertEq(actorAddress("pool0.commission_manager"), _a("0x494f6bacc722432f4f6032d4b5d1823fcc9aca37"), "pool0.commission_manager");
        assertEq(actorAddress("system"), _a("0x4a5dc35ce42a02e3f68546b94fe787b1bbdb8fb8"), "system");
        assertEq(actorAddress("protocol_fee_recipient"), _a("0x577674052134bddd6250df1087fcf80ca220dec1"), "protocol_fee_recipient");
        assertEq(actorAddress("pool0.validator_admin"), _a("0x58abb49a71d3c0b679a11e631a468e884f1c9876"), "pool0.validator_admin");
        assertEq(actorAddress("attacker"), _a("0x58b1f2ec25cc06acf25f0b76b490aced48ca7a9b"), "attacker");
        assertEq(actorAddress("pool1.rewards_allocation_manager"), _a("0x660ef3aca3c9460e4c23aa3ff5c265a6b987984e"), "pool1.rewards_allocation_manager");
        assertEq(actorAddress("pool1.incentive_collector_manager"), _a("0x6d6fa7d1af0053400095fc8615c49c861f7dec00"), "pool1.incentive_collector_manager");
        assertEq(actorAddress("pool1.validator_admin"), _a("0x79ce410f26444c193ffc9b954245bd9a9fda4c11"), "pool1.validator_admin");
        assertEq(actorAddress("governance"), _a("0x877b74cbb99747cfb45a8b632e95cbacbdcd17ec"), "governance");
        assertEq(actorAddress("feeder"), _a("0x8c441d849a25a953b11b7d320e1fa5a6e5e197e9"), "feeder");
        assertEq(actorAddress("staker0"), _a("0x8c634f88ddcf384271c8ed4cfa8dca37e8842a57"), "staker0");
        assertEq(actorAddress("pool1.protocol_fee_manager"), _a("0x9124ecf54dd85bd034790a0354b74f8c9b67d1f7"), "pool1.protocol_fee_manager");
        assertEq(actorAddress("pool0.default_shares_recipient"), _a("0x9b872d171c78802667ade38fe5c6cc1fa847e576"), "pool0.default_shares_recipient");
        assertEq(actorAddress("pool1.commission_manager"), _a("0xaf6fe387ee246198493cf3ac1aa4f0fea2b471cd"), "pool1.commission_manager");
        assertEq(actorAddress("pool1.default_shares_recipient"), _a("0xb7b7bfec4d0f8a660aa2b6c44233956c0f15d7c0"), "pool1.default_shares_recipient");
        assertEq(actorAddress("pool0.protocol_fee_manager"), _a("0xc78f70480a54e11d8c0143dec6e72e64eb2e6d1d"), "pool0.protocol_fee_manager");
        assertEq(actorAddress("pool0.rewards_allocation_manager"), _a("0xca42928dc9d4e4812e1695c73e1fc0d1c5c5395a"), "pool0.rewards_allocation_manager");
        assertEq(actorAddress("pool1.bgt_manager"), _a("0xd18ae576152a7475fa169b63493750a1c75efd9c"), "pool1.bgt_manager");
        assertEq(actorAddress("staker2"), _a("0xdcec1448a0632d8da67776e6e3c16bcbafc4f6b8"), "staker2");
        assertEq(governance, actorAddress("governance"), "governance");
        assertEq(system, actorAddress("system"), "system");
        assertEq(feeder, actorAddress("feeder"), "feeder");
        assertEq(protocolFeeRecipient, actorAddress("protocol_fee_recipient"), "protocol_fee_recipient");
        assertEq(attacker, actorAddress("attacker"), "attacker");
        for (uint256 i = 0; i < 3; i++) {
            assertEq(stakers[i], actorAddress(string.concat("staker", vm.toString(i))), "staker");
        }
    }

    function test_poolAddressesMatchPoolguard() public view {
        assertEq(pubkey(0), hex"d489d2cc4ceb8ff0bd94b099de008e4aec688ab9da722242f2629279e0d48f8c8c1a609fd987a4bb4d681021077606ce", "pool0.pubkey");
        assertEq(credentials(0), hex"0100000000000000000000008468f7346227f92b032337763447113c71e95fcb", "pool0.credentials");
        assertEq(stakingPool(0), _a("0x7498193e4f27f116fe27de765445f2a6bea175f3"), "pool0.staking_pool");
        assertEq(smartOperator(0), _a("0x09237d0ca85cf7de74a9e10be3750082a5731fb5"), "pool0.smart_operator");
        assertEq(rewardsVault(0), _a("0x6f184b36d98a4f1417f68409d092c3cbe6ddd07d"), "pool0.rewards_vault");
        assertEq(incentiveCollector(0), _a("0xf2f3570037f8cefa39bee85023e1e3d3af4c95c1"), "pool0.incentive_collector");
        PoolRoles memory r0 = poolRoles(0);
        assertEq(r0.bgtManager, _a("0x00ec027a9a7725b0451ff145f8ea4e09603bd679"), "pool0.bgt_manager");
        assertEq(r0.commissionManager, _a("0x494f6bacc722432f4f6032d4b5d1823fcc9aca37"), "pool0.commission_manager");
        assertEq(r0.defaultSharesRecipient, _a("0x9b872d171c78802667ade38fe5c6cc1fa847e576"), "pool0.default_shares_recipient");
        assertEq(r0.incentiveCollectorManager, _a("0x1d80bc8573e60e1f611850c8486995b6ac1906d4"), "pool0.incentive_collector_manager");
        assertEq(r0.protocolFeeManager, _a("0xc78f70480a54e11d8c0143dec6e72e64eb2e6d1d"), "pool0.protocol_fee_manager");
        assertEq(r0.rewardsAllocationManager, _a("0xca42928dc9d4e4812e1695c73e1fc0d1c5c5395a"), "pool0.rewards_allocation_manager");
        assertEq(r0.validatorAdmin, _a("0x58abb49a71d3c0b679a11e631a468e884f1c9876"), "pool0.validator_admin");
        assertEq(pubkey(1), hex"ff1ece477a2a277334ec9b84d241cbef32fa34ad053b1a37a944cb29b74065a49211aa5982d9a6f8b251b624172b8a4a", "pool1.pubkey");
        assertEq(credentials(1), hex"0100000000000000000000008468f7346227f92b032337763447113c71e95fcb", "pool1.credentials");
        assertEq(stakingPool(1), _a("0xbe60f0eaeb28d3eca0ba5d4d1a0c8c9aadb5ef4b"), "pool1.staking_pool");
        assertEq(smartOperator(1), _a("0xdf07a428b26656b6da527c2e8dad1e8a34582231"), "pool1.smart_operator");
        assertEq(rewardsVault(1), _a("0xc29e8af7cc7851a5f160eff8523bb5945b73d772"), "pool1.rewards_vault");
        assertEq(incentiveCollector(1), _a("0x5d66487bce1353aa8ae8782c4af694df3218a742"), "pool1.incentive_collector");
        PoolRoles memory r1 = poolRoles(1);
        assertEq(r1.bgtManager, _a("0xd18ae576152a7475fa169b63493750a1c75efd9c"), "pool1.bgt_manager");
        assertEq(r1.commissionManager, _a("0xaf6fe387ee246198493cf3ac1aa4f0fea2b471cd"), "pool1.commission_manager");
        assertEq(r1.defaultSharesRecipient, _a("0xb7b7bfec4d0f8a660aa2b6c44233956c0f15d7c0"), "pool1.default_shares_recipient");
        assertEq(r1.incentiveCollectorManager, _a("0x6d6fa7d1af0053400095fc8615c49c861f7dec00"), "pool1.incentive_collector_manager");
        assertEq(r1.protocolFeeManager, _a("0x9124ecf54dd85bd034790a0354b74f8c9b67d1f7"), "pool1.protocol_fee_manager");
        assertEq(r1.rewardsAllocationManager, _a("0x660ef3aca3c9460e4c23aa3ff5c265a6b987984e"), "pool1.rewards_allocation_manager");
        assertEq(r1.validatorAdmin, _a("0x79ce410f26444c193ffc9b954245bd9a9fda4c11"), "pool1.validator_admin");
    }
}
