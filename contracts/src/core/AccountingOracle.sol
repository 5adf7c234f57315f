// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {Constants} from "../Constants.sol";
import {IAccountingOracle} from "../interfaces/IAccountingOracle.sol";
import {IStakingPool} from "../interfaces/IStakingPool.sol";
import {IStakingPoolContractsFactory} from "../interfaces/IStakingPoolContractsFactory.sol";

/// @title The shared accounting oracle: feeders report each validator's consensus-layer balance.
/// @notice Reports are per pubkey with strictly increasing refSlots, and bounded per report relative to the
/// balance the pool expects (its books plus withdrawals still in flight), except a zero (exit) report.
contract AccountingOracle is AccessControlUpgradeable, UUPSUpgradeable, IAccountingOracle {
    /// @inheritdoc IAccountingOracle
    bytes32 public constant FEEDER_ROLE = keccak256("FEEDER_ROLE");

    IStakingPoolContractsFactory internal _factory;
    mapping(bytes32 => uint256) internal _balance;
    mapping(bytes32 => uint256) internal _refSlot;
    /// @inheritdoc IAccountingOracle
    uint256 public maxIncreaseBps;
    /// @inheritdoc IAccountingOracle
    uint256 public maxDecreaseBps;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initializes the proxy.
    /// @param governance DEFAULT_ADMIN_ROLE holder (upgrades, feeders, bounds).
    /// @param factory The pool factory.
    function initialize(address governance, IStakingPoolContractsFactory factory) external initializer {
        __AccessControl_init();
        __UUPSUpgradeable_init();
        _grantRole(DEFAULT_ADMIN_ROLE, governance);
        _factory = factory;
        maxIncreaseBps = 100;
        maxDecreaseBps = 500;
    }

    /// @inheritdoc IAccountingOracle
    function updateTotalDeposits(bytes calldata pubkey, uint256 balanceGwei, uint256 refSlot)
        external
        onlyRole(FEEDER_ROLE)
    {
        address poolAddress = _factory.getCoreContracts(pubkey).stakingPool;
        if (poolAddress == address(0)) revert UnknownPool();
        bytes32 key = keccak256(pubkey);
        if (refSlot <= _refSlot[key]) revert StaleReport();
        if (balanceGwei > Constants.MAX_EFFECTIVE_BALANCE * 2 / Constants.GWEI) revert ReportOutOfBounds();
        uint256 value = balanceGwei * Constants.GWEI;
        IStakingPool pool = IStakingPool(poolAddress);
        if (pool.isFullyExited()) revert PoolExited();
        bool active = pool.isActive();
        if (active && value != 0) {
            uint256 expected = pool.expectedClBalance();
            uint256 up = expected * maxIncreaseBps / Constants.ONE_HUNDRED_PERCENT;
            uint256 down = expected * maxDecreaseBps / Constants.ONE_HUNDRED_PERCENT;
            if (value > expected + up || value + down < expected) revert ReportOutOfBounds();
        }
        _balance[key] = value;
        _refSlot[key] = refSlot;
        emit TotalDepositsReported(pubkey, balanceGwei, refSlot);
        if (active) pool.updateTotalDeposits(value);
    }

    /// @inheritdoc IAccountingOracle
    function setBounds(uint256 maxIncreaseBps_, uint256 maxDecreaseBps_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (maxIncreaseBps_ > Constants.ONE_HUNDRED_PERCENT || maxDecreaseBps_ > Constants.ONE_HUNDRED_PERCENT) {
            revert InvalidBounds();
        }
        maxIncreaseBps = maxIncreaseBps_;
        maxDecreaseBps = maxDecreaseBps_;
        emit BoundsUpdated(maxIncreaseBps_, maxDecreaseBps_);
    }

    /// @inheritdoc IAccountingOracle
    function getLastReport(bytes calldata pubkey) external view returns (uint256 balanceWei, uint256 refSlot) {
        bytes32 key = keccak256(pubkey);
        return (_balance[key], _refSlot[key]);
    }

    function _authorizeUpgrade(address) internal override onlyRole(DEFAULT_ADMIN_ROLE) {}
}
