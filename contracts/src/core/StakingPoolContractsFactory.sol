// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {BeaconProxy} from "@openzeppelin/contracts/proxy/beacon/BeaconProxy.sol";
import {UpgradeableBeacon} from "@openzeppelin/contracts/proxy/beacon/UpgradeableBeacon.sol";
import {Create2} from "@openzeppelin/contracts/utils/Create2.sol";
import {Constants} from "../Constants.sol";
import {IStakingPoolContractsFactory} from "../interfaces/IStakingPoolContractsFactory.sol";
import {IBeaconDeposit} from "../interfaces/IBeaconDeposit.sol";
import {IAccountingOracle} from "../interfaces/IAccountingOracle.sol";
import {IStakingPool} from "../interfaces/IStakingPool.sol";

interface IPerPoolInit {
    function initialize(bytes calldata pubkey) external;
}

interface IPoolInit {
    function initialize(bytes calldata pubkey, bytes calldata credentials, address defaultSharesRecipient) external;
}

interface IOperatorInit {
    function initialize(bytes calldata pubkey, address validatorAdmin) external;
}

/// @title Deploys each validator's StakingPool, SmartOperator, StakingRewardsVault and IncentiveCollector as
/// beacon proxies at CREATE2 addresses predictable from the pubkey, and activates pools.
contract StakingPoolContractsFactory is OwnableUpgradeable, UUPSUpgradeable, IStakingPoolContractsFactory {
    uint8 internal constant KIND_OPERATOR = 0;
    uint8 internal constant KIND_POOL = 1;
    uint8 internal constant KIND_REWARDS_VAULT = 2;
    uint8 internal constant KIND_INCENTIVE_COLLECTOR = 3;

    /// @inheritdoc IStakingPoolContractsFactory
    address public beaconDeposit;
    /// @inheritdoc IStakingPoolContractsFactory
    address public withdrawalRequests;
    /// @inheritdoc IStakingPoolContractsFactory
    address public bgt;
    /// @inheritdoc IStakingPoolContractsFactory
    address public beraChef;
    /// @inheritdoc IStakingPoolContractsFactory
    address public withdrawalVault;
    /// @inheritdoc IStakingPoolContractsFactory
    address public accountingOracle;
    /// @inheritdoc IStakingPoolContractsFactory
    address public protocolFeeRecipient;
    /// @inheritdoc IStakingPoolContractsFactory
    address public stakingPoolBeacon;
    /// @inheritdoc IStakingPoolContractsFactory
    address public smartOperatorBeacon;
    /// @inheritdoc IStakingPoolContractsFactory
    address public stakingRewardsVaultBeacon;
    /// @inheritdoc IStakingPoolContractsFactory
    address public incentiveCollectorBeacon;

    mapping(bytes32 => CoreContracts) internal _core;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Chain contracts the factory wires into every pool.
    struct ChainContracts {
        address beaconDeposit;
        address withdrawalRequests;
        address bgt;
        address beraChef;
    }

    /// @notice Implementations behind the per-pool beacons.
    struct Implementations {
        address stakingPool;
        address smartOperator;
        address stakingRewardsVault;
        address incentiveCollector;
    }

    /// @notice Initializes the proxy and creates the four beacons, owned by this factory.
    /// @param governance The owner.
    function initialize(address governance, ChainContracts calldata chain, Implementations calldata impls)
        external
        initializer
    {
        __Ownable_init(governance);
        __UUPSUpgradeable_init();
        beaconDeposit = chain.beaconDeposit;
        withdrawalRequests = chain.withdrawalRequests;
        bgt = chain.bgt;
        beraChef = chain.beraChef;
        stakingPoolBeacon = address(new UpgradeableBeacon(impls.stakingPool, address(this)));
        smartOperatorBeacon = address(new UpgradeableBeacon(impls.smartOperator, address(this)));
        stakingRewardsVaultBeacon = address(new UpgradeableBeacon(impls.stakingRewardsVault, address(this)));
        incentiveCollectorBeacon = address(new UpgradeableBeacon(impls.incentiveCollector, address(this)));
    }

    /// @inheritdoc IStakingPoolContractsFactory
    function setSharedContracts(address withdrawalVault_, address accountingOracle_) external onlyOwner {
        if (withdrawalVault != address(0)) revert AlreadySet();
        if (withdrawalVault_ == address(0) || accountingOracle_ == address(0)) revert ZeroAddress();
        withdrawalVault = withdrawalVault_;
        accountingOracle = accountingOracle_;
    }

    /// @inheritdoc IStakingPoolContractsFactory
    function setProtocolFeeRecipient(address recipient) external onlyOwner {
        protocolFeeRecipient = recipient;
        emit ProtocolFeeRecipientUpdated(recipient);
    }

    /// @inheritdoc IStakingPoolContractsFactory
    function governance() external view returns (address) {
        return owner();
    }

    /// @inheritdoc IStakingPoolContractsFactory
    function deployStakingPoolContracts(
        bytes calldata pubkey,
        bytes calldata credentials,
        bytes calldata signature,
        address validatorAdmin,
        address defaultSharesRecipient
    ) external payable returns (CoreContracts memory core) {
        if (withdrawalVault == address(0)) revert NotConfigured();
        if (msg.value != Constants.FIRST_DEPOSIT_AMOUNT) revert InvalidDepositAmount();
        if (validatorAdmin == address(0) || defaultSharesRecipient == address(0)) revert ZeroAddress();
        if (IBeaconDeposit(beaconDeposit).getOperator(pubkey) != address(0)) revert OperatorAlreadySet();
        if (keccak256(credentials) != keccak256(abi.encodePacked(bytes1(0x01), bytes11(0), withdrawalVault))) {
            revert InvalidCredentials();
        }
        core.smartOperator = _deployProxy(smartOperatorBeacon, _salt(pubkey, KIND_OPERATOR));
        core.stakingPool = _deployProxy(stakingPoolBeacon, _salt(pubkey, KIND_POOL));
        core.stakingRewardsVault = _deployProxy(stakingRewardsVaultBeacon, _salt(pubkey, KIND_REWARDS_VAULT));
        core.incentiveCollector = _deployProxy(incentiveCollectorBeacon, _salt(pubkey, KIND_INCENTIVE_COLLECTOR));
        _core[keccak256(pubkey)] = core;
        IOperatorInit(core.smartOperator).initialize(pubkey, validatorAdmin);
        IPoolInit(core.stakingPool).initialize(pubkey, credentials, defaultSharesRecipient);
        IPerPoolInit(core.stakingRewardsVault).initialize(pubkey);
        IPerPoolInit(core.incentiveCollector).initialize(pubkey);
        IBeaconDeposit(beaconDeposit).deposit{value: msg.value}(pubkey, credentials, signature, core.smartOperator);
        emit StakingPoolContractsDeployed(
            pubkey, core.smartOperator, core.stakingPool, core.stakingRewardsVault, core.incentiveCollector
        );
    }

    /// @inheritdoc IStakingPoolContractsFactory
    function activateStakingPool(bytes calldata pubkey) external {
        CoreContracts memory core = _core[keccak256(pubkey)];
        if (core.stakingPool == address(0)) revert UnknownPool();
        (uint256 reported,) = IAccountingOracle(accountingOracle).getLastReport(pubkey);
        if (reported < Constants.FIRST_DEPOSIT_AMOUNT) revert ActivationNotReady();
        IStakingPool(core.stakingPool).activate();
        emit StakingPoolActivated(pubkey);
    }

    /// @inheritdoc IStakingPoolContractsFactory
    function getCoreContracts(bytes calldata pubkey) external view returns (CoreContracts memory) {
        return _core[keccak256(pubkey)];
    }

    /// @inheritdoc IStakingPoolContractsFactory
    function predictStakingPoolContractsAddresses(bytes calldata pubkey)
        external
        view
        returns (CoreContracts memory core)
    {
        core.smartOperator = _predict(smartOperatorBeacon, _salt(pubkey, KIND_OPERATOR));
        core.stakingPool = _predict(stakingPoolBeacon, _salt(pubkey, KIND_POOL));
        core.stakingRewardsVault = _predict(stakingRewardsVaultBeacon, _salt(pubkey, KIND_REWARDS_VAULT));
        core.incentiveCollector = _predict(incentiveCollectorBeacon, _salt(pubkey, KIND_INCENTIVE_COLLECTOR));
    }

    /// @inheritdoc IStakingPoolContractsFactory
    function upgradeStakingPoolBeaconImpl(address newImplementation) external onlyOwner {
        UpgradeableBeacon(stakingPoolBeacon).upgradeTo(newImplementation);
    }

    /// @inheritdoc IStakingPoolContractsFactory
    function upgradeSmartOperatorBeaconImpl(address newImplementation) external onlyOwner {
        UpgradeableBeacon(smartOperatorBeacon).upgradeTo(newImplementation);
    }

    /// @inheritdoc IStakingPoolContractsFactory
    function upgradeStakingRewardsVaultBeaconImpl(address newImplementation) external onlyOwner {
        UpgradeableBeacon(stakingRewardsVaultBeacon).upgradeTo(newImplementation);
    }

    /// @inheritdoc IStakingPoolContractsFactory
    function upgradeIncentiveCollectorBeaconImpl(address newImplementation) external onlyOwner {
        UpgradeableBeacon(incentiveCollectorBeacon).upgradeTo(newImplementation);
    }

    function _authorizeUpgrade(address) internal override onlyOwner {}

    function _salt(bytes calldata pubkey, uint8 kind) internal pure returns (bytes32) {
        return keccak256(abi.encode(pubkey, kind));
    }

    function _deployProxy(address beacon, bytes32 salt) internal returns (address) {
        return address(new BeaconProxy{salt: salt}(beacon, ""));
    }

    function _predict(address beacon, bytes32 salt) internal view returns (address) {
        bytes memory initcode = abi.encodePacked(type(BeaconProxy).creationCode, abi.encode(beacon, bytes("")));
        return Create2.computeAddress(salt, keccak256(initcode));
    }
}
