// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "./Test.sol";

import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {WithdrawalRequests} from "../../src/chain/WithdrawalRequests.sol";
import {BeaconDeposit} from "../../src/chain/BeaconDeposit.sol";
import {BGT} from "../../src/chain/BGT.sol";
import {BeraChef} from "../../src/chain/BeraChef.sol";
import {WBERA} from "../../src/chain/WBERA.sol";
import {IncentiveToken} from "../../src/chain/IncentiveToken.sol";
import {StakingPool} from "../../src/core/StakingPool.sol";
import {SmartOperator} from "../../src/core/SmartOperator.sol";
import {StakingRewardsVault} from "../../src/core/StakingRewardsVault.sol";
import {IncentiveCollector} from "../../src/core/IncentiveCollector.sol";
import {StakingPoolContractsFactory} from "../../src/core/StakingPoolContractsFactory.sol";
import {WithdrawalVault} from "../../src/core/WithdrawalVault.sol";
import {AccountingOracle} from "../../src/core/AccountingOracle.sol";
import {ContractActor, ContractActorNoReceiver, ForceSender} from "../../src/harness/ContractActor.sol";
import {IWithdrawalRequests} from "../../src/interfaces/IWithdrawalRequests.sol";
import {IBeaconDeposit} from "../../src/interfaces/IBeaconDeposit.sol";
import {IStakingPoolContractsFactory} from "../../src/interfaces/IStakingPoolContractsFactory.sol";
import {IAccountingOracle} from "../../src/interfaces/IAccountingOracle.sol";
import {ISmartOperator} from "../../src/interfaces/ISmartOperator.sol";

interface IPoolguardAccessControl {
    function grantRole(bytes32 role, address account) external;
}

/// @title The world of poolguard, rebuilt in Solidity.
/// @notice `deployWorld()` does exactly what poolguard's Rust `World::deploy` (src/world.rs) does in its
/// revm chain: the same actors (addresses from `keccak256("poolguard.actor.<name>")`), the same balances,
/// the same CREATEs from `governance` in the same order (nonces 0..15, each asserted against
/// `vm.computeCreateAddress`), the same calls from the same senders, two pools created through the factory
/// and activated, then block 1000. Every contract therefore lands at the address poolguard reports with
/// `poolguard world --json`, and a sequence replayed with `step(...)` (PoolguardInvariants) sees the same
/// chain as poolguard's. Chain id 80094, genesis block 1 at timestamp 1,700,000,000, 2 s per block.
abstract contract PoolguardWorld is Test {
    uint256 internal constant BERA = 1 ether;
    uint256 internal constant FIRST_DEPOSIT_AMOUNT = 10_000 ether;
    uint256 internal constant START_BLOCK = 1_000;
    uint256 internal constant GENESIS_NUMBER = 1;
    uint256 internal constant GENESIS_TIMESTAMP = 1_700_000_000;
    uint256 internal constant BLOCK_TIME = 2;
    uint256 internal constant CHAIN_ID = 80094;
    uint256 internal constant WITHDRAWAL_DELAY = 129_600;
    uint256 internal constant NUM_POOLS = 2;
    uint256 internal constant NUM_STAKERS = 3;
    /// @notice 5 named + 3 stakers + 7 role holders per pool.
    uint256 internal constant NUM_ACTORS = 5 + NUM_STAKERS + 7 * NUM_POOLS;

    /// @notice Role indexes, in poolguard's `Role::ALL` order.
    uint8 internal constant ROLE_DEFAULT_ADMIN = 0;
    uint8 internal constant ROLE_VALIDATOR_ADMIN = 1;
    uint8 internal constant ROLE_COMMISSION_MANAGER = 2;
    uint8 internal constant ROLE_PROTOCOL_FEE_MANAGER = 3;
    uint8 internal constant ROLE_REWARDS_ALLOCATION_MANAGER = 4;
    uint8 internal constant ROLE_INCENTIVE_COLLECTOR_MANAGER = 5;
    uint8 internal constant ROLE_BGT_MANAGER = 6;
    uint8 internal constant NUM_ROLES = 7;

    /// @notice The per-pool role holders (Rust `PoolRoles`).
    struct PoolRoles {
        address validatorAdmin;
        address commissionManager;
        address protocolFeeManager;
        address rewardsAllocationManager;
        address incentiveCollectorManager;
        address bgtManager;
        address defaultSharesRecipient;
    }

    /// @notice One pool (Rust `Pool`).
    struct Pool {
        bytes pubkey;
        bytes credentials;
        address stakingPool;
        address smartOperator;
        address rewardsVault;
        address incentiveCollector;
        PoolRoles roles;
    }

    // Actors.
    address public governance;
    address public system;
    address public feeder;
    address public protocolFeeRecipient;
    address public attacker;
    address[NUM_STAKERS] public stakers;

    // Shared contracts.
    address public beaconDeposit;
    address public withdrawalRequests;
    address public bgt;
    address public beraChef;
    address public wbera;
    address public incentiveToken;
    address public factory;
    address public withdrawalVault;
    address public accountingOracle;
    address public stakingPoolImpl;
    address public smartOperatorImpl;
    address public rewardsVaultImpl;
    address public incentiveCollectorImpl;
    address public factoryImpl;
    address public withdrawalVaultImpl;
    address public accountingOracleImpl;
    /// @notice Harness-only contracts, deployed by `contractOrigin` (nonces 0, 1, 2) as Rust does.
    address public contractOrigin;
    address public forceSender;
    address public contractActor;
    address public contractActorNoReceiver;
    /// @notice Fresh copies of the upgradeable implementations (poolguard's `Contracts::upgrade_copies`), what
    /// the Upgrade op installs.
    address public stakingPoolImplCopy;
    address public smartOperatorImplCopy;
    address public factoryImplCopy;
    address public withdrawalVaultImplCopy;
    address public accountingOracleImplCopy;

    Pool[NUM_POOLS] internal _pools;

    /// @notice Every actor, sorted ascending by address (Rust `Actors::all()`, a BTreeMap's keys).
    address[] internal _actors;
    /// @notice 1 + index in `_actors`; 0 for non-actors.
    mapping(address => uint256) internal _actorSlot;
    mapping(address => string) internal _actorName;

    // ------------------------------------------------------------------ identities

    /// @notice Rust `actor_address`: the low 20 bytes of keccak256("poolguard.actor.<name>").
    function actorAddress(string memory name) public pure returns (address) {
        return address(uint160(uint256(keccak256(bytes(string.concat("poolguard.actor.", name))))));
    }

    /// @notice Rust `pool_pubkey`: keccak256("poolguard.pubkey.<i>.a") ++ keccak256("poolguard.pubkey.<i>.b")[..16].
    function poolPubkey(uint256 index) public pure returns (bytes memory) {
        string memory i = vm.toString(index);
        bytes32 a = keccak256(bytes(string.concat("poolguard.pubkey.", i, ".a")));
        bytes32 b = keccak256(bytes(string.concat("poolguard.pubkey.", i, ".b")));
        return abi.encodePacked(a, bytes16(b));
    }

    // ------------------------------------------------------------------ views

    function actors() public view returns (address[] memory) {
        return _actors;
    }

    function actorCount() public view returns (uint256) {
        return _actors.length;
    }

    /// @notice The actor an action's `caller` byte names (index modulo the actor count), as in Rust.
    function actorAt(uint256 index) public view returns (address) {
        return _actors[index % _actors.length];
    }

    /// @notice Index of `who` in `actors()`; `found` false for non-actors.
    function actorIndex(address who) public view returns (bool found, uint256 index) {
        uint256 s = _actorSlot[who];
        return (s != 0, s == 0 ? 0 : s - 1);
    }

    function actorName(address who) public view returns (string memory) {
        string memory n = _actorName[who];
        return bytes(n).length == 0 ? vm.toString(who) : n;
    }

    function poolCount() public pure returns (uint256) {
        return NUM_POOLS;
    }

    function pubkey(uint256 i) public view returns (bytes memory) {
        return _pools[i].pubkey;
    }

    function credentials(uint256 i) public view returns (bytes memory) {
        return _pools[i].credentials;
    }

    function stakingPool(uint256 i) public view returns (address) {
        return _pools[i].stakingPool;
    }

    function smartOperator(uint256 i) public view returns (address) {
        return _pools[i].smartOperator;
    }

    function rewardsVault(uint256 i) public view returns (address) {
        return _pools[i].rewardsVault;
    }

    function incentiveCollector(uint256 i) public view returns (address) {
        return _pools[i].incentiveCollector;
    }

    function poolRoles(uint256 i) public view returns (PoolRoles memory) {
        return _pools[i].roles;
    }

    /// @notice Holder of role `role` (poolguard `Role::ALL` index) of pool `i`; DEFAULT_ADMIN: governance.
    function roleHolder(uint256 i, uint8 role) public view returns (address) {
        PoolRoles storage r = _pools[i].roles;
        if (role == ROLE_DEFAULT_ADMIN) return governance;
        if (role == ROLE_VALIDATOR_ADMIN) return r.validatorAdmin;
        if (role == ROLE_COMMISSION_MANAGER) return r.commissionManager;
        if (role == ROLE_PROTOCOL_FEE_MANAGER) return r.protocolFeeManager;
        if (role == ROLE_REWARDS_ALLOCATION_MANAGER) return r.rewardsAllocationManager;
        if (role == ROLE_INCENTIVE_COLLECTOR_MANAGER) return r.incentiveCollectorManager;
        return r.bgtManager;
    }

    /// @notice Role id of poolguard `Role::ALL[role]`: zero for DEFAULT_ADMIN_ROLE, else keccak256(name).
    function roleId(uint8 role) public pure returns (bytes32) {
        if (role == ROLE_DEFAULT_ADMIN) return bytes32(0);
        if (role == ROLE_VALIDATOR_ADMIN) return keccak256("VALIDATOR_ADMIN_ROLE");
        if (role == ROLE_COMMISSION_MANAGER) return keccak256("COMMISSION_MANAGER_ROLE");
        if (role == ROLE_PROTOCOL_FEE_MANAGER) return keccak256("PROTOCOL_FEE_MANAGER_ROLE");
        if (role == ROLE_REWARDS_ALLOCATION_MANAGER) return keccak256("REWARDS_ALLOCATION_MANAGER_ROLE");
        if (role == ROLE_INCENTIVE_COLLECTOR_MANAGER) return keccak256("INCENTIVE_COLLECTOR_MANAGER_ROLE");
        return keccak256("BGT_MANAGER_ROLE");
    }

    /// @notice poolguard `Role::admin`: DEFAULT_ADMIN administers itself and VALIDATOR_ADMIN, VALIDATOR_ADMIN the rest.
    function roleAdmin(uint8 role) public pure returns (uint8) {
        return role <= ROLE_VALIDATOR_ADMIN ? ROLE_DEFAULT_ADMIN : ROLE_VALIDATOR_ADMIN;
    }

    // ------------------------------------------------------------------ deployment

    /// @notice Builds poolguard's world (Rust `World::deploy` with the default `WorldConfig`: 2 pools, 3 stakers).
    function deployWorld() internal virtual {
        // Rust `Chain::new`: block 1, timestamp 1,700,000,000, chain id 80094 (gas price and basefee 0 are forge's defaults).
        vm.chainId(CHAIN_ID);
        vm.roll(GENESIS_NUMBER);
        vm.warp(GENESIS_TIMESTAMP);

        governance = _addActor("governance");
        system = _addActor("system");
        feeder = _addActor("feeder");
        protocolFeeRecipient = _addActor("protocol_fee_recipient");
        attacker = _addActor("attacker");
        for (uint256 i = 0; i < NUM_STAKERS; i++) {
            stakers[i] = _addActor(string.concat("staker", vm.toString(i)));
        }

        vm.deal(system, 1_000_000_000 * BERA);
        vm.deal(governance, 100_000_000 * BERA);
        vm.deal(attacker, 1_000_000 * BERA);
        vm.deal(feeder, 100_000 * BERA);
        vm.deal(protocolFeeRecipient, 100_000 * BERA);
        for (uint256 i = 0; i < NUM_STAKERS; i++) {
            vm.deal(stakers[i], 20_000_000 * BERA);
        }

        // Every CREATE comes from governance, nonces 0.. in Rust's order.
        require(vm.getNonce(governance) == 0, "PoolguardWorld: governance already has a nonce");
        vm.startPrank(governance, governance);
        withdrawalRequests = _created(address(new WithdrawalRequests(system)), 0);
        beaconDeposit = _created(address(new BeaconDeposit(system, IWithdrawalRequests(withdrawalRequests))), 1);
        vm.stopPrank();
        vm.prank(system, system);
        WithdrawalRequests(payable(withdrawalRequests)).setConsensusLayer(beaconDeposit);
        vm.startPrank(governance, governance);
        bgt = _created(address(new BGT(system)), 2);
        beraChef = _created(address(new BeraChef(IBeaconDeposit(beaconDeposit))), 3);
        wbera = _created(address(new WBERA()), 4);
        incentiveToken = _created(address(new IncentiveToken(system)), 5);

        stakingPoolImpl = _created(address(new StakingPool()), 6);
        smartOperatorImpl = _created(address(new SmartOperator()), 7);
        rewardsVaultImpl = _created(address(new StakingRewardsVault()), 8);
        incentiveCollectorImpl = _created(address(new IncentiveCollector()), 9);
        factoryImpl = _created(address(new StakingPoolContractsFactory()), 10);
        withdrawalVaultImpl = _created(address(new WithdrawalVault()), 11);
        accountingOracleImpl = _created(address(new AccountingOracle()), 12);

        bytes memory factoryInit = abi.encodeCall(
            StakingPoolContractsFactory.initialize,
            (
                governance,
                StakingPoolContractsFactory.ChainContracts({
                    beaconDeposit: beaconDeposit,
                    withdrawalRequests: withdrawalRequests,
                    bgt: bgt,
                    beraChef: beraChef
                }),
                StakingPoolContractsFactory.Implementations({
                    stakingPool: stakingPoolImpl,
                    smartOperator: smartOperatorImpl,
                    stakingRewardsVault: rewardsVaultImpl,
                    incentiveCollector: incentiveCollectorImpl
                })
            )
        );
        factory = _created(address(new ERC1967Proxy(factoryImpl, factoryInit)), 13);
        bytes memory sharedInit = abi.encodeWithSignature("initialize(address,address)", governance, factory);
        withdrawalVault = _created(address(new ERC1967Proxy(withdrawalVaultImpl, sharedInit)), 14);
        accountingOracle = _created(address(new ERC1967Proxy(accountingOracleImpl, sharedInit)), 15);
        vm.stopPrank();

        vm.prank(governance, governance);
        IStakingPoolContractsFactory(factory).setSharedContracts(withdrawalVault, accountingOracle);
        vm.prank(governance, governance);
        IStakingPoolContractsFactory(factory).setProtocolFeeRecipient(protocolFeeRecipient);
        bytes32 feederRole = IAccountingOracle(accountingOracle).FEEDER_ROLE();
        vm.prank(governance, governance);
        IPoolguardAccessControl(accountingOracle).grantRole(feederRole, feeder);

        for (uint256 i = 0; i < NUM_POOLS; i++) {
            _createPool(i);
        }

        // Rust: set_block(START_BLOCK, timestamp + (START_BLOCK - block) * BLOCK_TIME).
        uint256 now_ = block.timestamp + (START_BLOCK - block.number) * BLOCK_TIME;
        vm.roll(START_BLOCK);
        vm.warp(now_);

        _sortActors();
        _deployContractActors();
        _labelWorld();
        _afterDeployWorld();
    }

    /// @notice Hook for layers above (PoolguardInvariants initialises its ghost here).
    function _afterDeployWorld() internal virtual {}

    function _createPool(uint256 index) private {
        string memory p = string.concat("pool", vm.toString(index), ".");
        Pool storage pool = _pools[index];
        PoolRoles storage roles = pool.roles;
        roles.validatorAdmin = _addActor(string.concat(p, "validator_admin"));
        roles.commissionManager = _addActor(string.concat(p, "commission_manager"));
        roles.protocolFeeManager = _addActor(string.concat(p, "protocol_fee_manager"));
        roles.rewardsAllocationManager = _addActor(string.concat(p, "rewards_allocation_manager"));
        roles.incentiveCollectorManager = _addActor(string.concat(p, "incentive_collector_manager"));
        roles.bgtManager = _addActor(string.concat(p, "bgt_manager"));
        roles.defaultSharesRecipient = _addActor(string.concat(p, "default_shares_recipient"));
        vm.deal(roles.validatorAdmin, 100_000 * BERA);
        vm.deal(roles.commissionManager, 100_000 * BERA);
        vm.deal(roles.protocolFeeManager, 100_000 * BERA);
        vm.deal(roles.rewardsAllocationManager, 100_000 * BERA);
        vm.deal(roles.incentiveCollectorManager, 100_000 * BERA);
        vm.deal(roles.bgtManager, 100_000 * BERA);
        vm.deal(roles.defaultSharesRecipient, 100_000 * BERA);

        pool.pubkey = poolPubkey(index);
        pool.credentials = abi.encodePacked(bytes1(0x01), bytes11(0), withdrawalVault);
        bytes memory signature = new bytes(96);
        for (uint256 k = 0; k < 96; k++) {
            signature[k] = 0xab;
        }

        vm.prank(roles.validatorAdmin, roles.validatorAdmin);
        IStakingPoolContractsFactory(factory).deployStakingPoolContracts{value: FIRST_DEPOSIT_AMOUNT}(
            pool.pubkey, pool.credentials, signature, roles.validatorAdmin, roles.defaultSharesRecipient
        );
        IStakingPoolContractsFactory.CoreContracts memory core =
            IStakingPoolContractsFactory(factory).getCoreContracts(pool.pubkey);
        pool.stakingPool = core.stakingPool;
        pool.smartOperator = core.smartOperator;
        pool.rewardsVault = core.stakingRewardsVault;
        pool.incentiveCollector = core.incentiveCollector;

        // The oracle sees the first deposit; anyone (here: system) may then activate.
        vm.prank(feeder, feeder);
        IAccountingOracle(accountingOracle).updateTotalDeposits(pool.pubkey, FIRST_DEPOSIT_AMOUNT / 1 gwei, 1);
        vm.prank(system, system);
        IStakingPoolContractsFactory(factory).activateStakingPool(pool.pubkey);

        // The validator hands out its manager roles.
        ISmartOperator op = ISmartOperator(core.smartOperator);
        _grant(roles.validatorAdmin, address(op), op.COMMISSION_MANAGER_ROLE(), roles.commissionManager);
        _grant(roles.validatorAdmin, address(op), op.PROTOCOL_FEE_MANAGER_ROLE(), roles.protocolFeeManager);
        _grant(roles.validatorAdmin, address(op), op.REWARDS_ALLOCATION_MANAGER_ROLE(), roles.rewardsAllocationManager);
        _grant(
            roles.validatorAdmin, address(op), op.INCENTIVE_COLLECTOR_MANAGER_ROLE(), roles.incentiveCollectorManager
        );
        _grant(roles.validatorAdmin, address(op), op.BGT_MANAGER_ROLE(), roles.bgtManager);
    }

    function _grant(address from, address target, bytes32 role, address account) private {
        vm.prank(from, from);
        IPoolguardAccessControl(target).grantRole(role, account);
    }

    function _created(address created, uint256 nonce) private view returns (address) {
        address expected = vm.computeCreateAddress(governance, nonce);
        require(
            created == expected,
            string.concat(
                "PoolguardWorld: CREATE #", vm.toString(nonce), " landed at ", vm.toString(created),
                ", poolguard has ", vm.toString(expected)
            )
        );
        return created;
    }

    /// @dev Rust's order: ForceSender, then the contract actors, which follow every sorted externally owned actor,
    /// then the implementation copies.
    function _deployContractActors() private {
        contractOrigin = actorAddress("contract_origin");
        vm.deal(contractOrigin, 1_000 * BERA);
        vm.startPrank(contractOrigin, contractOrigin);
        forceSender = address(new ForceSender());
        contractActor = address(new ContractActor());
        contractActorNoReceiver = address(new ContractActorNoReceiver());
        stakingPoolImplCopy = address(new StakingPool());
        smartOperatorImplCopy = address(new SmartOperator());
        factoryImplCopy = address(new StakingPoolContractsFactory());
        withdrawalVaultImplCopy = address(new WithdrawalVault());
        accountingOracleImplCopy = address(new AccountingOracle());
        vm.stopPrank();
        require(
            accountingOracleImplCopy == vm.computeCreateAddress(contractOrigin, 7), "PoolguardWorld: implementation copies"
        );
        require(contractActor == vm.computeCreateAddress(contractOrigin, 1), "PoolguardWorld: contract actor address");
        // Rust's world arms the second contract actor's callbacks to refuse BERA after its last deployment from
        // contract_origin (src/world.rs, HOOK_REVERT); setHook is anyone's to call and moves no nonce of theirs here.
        ContractActorNoReceiver(payable(contractActorNoReceiver)).setHook(1, address(0), "", 0);
        address[2] memory wallets = [contractActor, contractActorNoReceiver];
        string[2] memory names = ["contract_actor", "contract_actor_no_receiver"];
        for (uint256 i = 0; i < 2; i++) {
            vm.deal(wallets[i], 20_000_000 * BERA);
            _actorName[wallets[i]] = names[i];
            _actors.push(wallets[i]);
            _actorSlot[wallets[i]] = _actors.length;
        }
    }

    function _addActor(string memory name) private returns (address a) {
        a = actorAddress(name);
        _actorName[a] = name;
        _actors.push(a);
    }

    function _sortActors() private {
        uint256 n = _actors.length;
        for (uint256 i = 1; i < n; i++) {
            address key = _actors[i];
            uint256 j = i;
            while (j > 0 && _actors[j - 1] > key) {
                _actors[j] = _actors[j - 1];
                j--;
            }
            _actors[j] = key;
        }
        for (uint256 i = 0; i < n; i++) {
            _actorSlot[_actors[i]] = i + 1;
        }
    }

    function _labelWorld() private {
        for (uint256 i = 0; i < _actors.length; i++) {
            vm.label(_actors[i], _actorName[_actors[i]]);
        }
        vm.label(beaconDeposit, "BeaconDeposit");
        vm.label(withdrawalRequests, "WithdrawalRequests");
        vm.label(bgt, "BGT");
        vm.label(beraChef, "BeraChef");
        vm.label(wbera, "WBERA");
        vm.label(incentiveToken, "IncentiveToken");
        vm.label(factory, "Factory");
        vm.label(withdrawalVault, "WithdrawalVault");
        vm.label(accountingOracle, "AccountingOracle");
        for (uint256 i = 0; i < NUM_POOLS; i++) {
            string memory p = string.concat("pool", vm.toString(i), ".");
            vm.label(_pools[i].stakingPool, string.concat(p, "StakingPool"));
            vm.label(_pools[i].smartOperator, string.concat(p, "SmartOperator"));
            vm.label(_pools[i].rewardsVault, string.concat(p, "StakingRewardsVault"));
            vm.label(_pools[i].incentiveCollector, string.concat(p, "IncentiveCollector"));
        }
    }
}
