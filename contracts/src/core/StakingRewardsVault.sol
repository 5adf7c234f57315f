// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IStakingRewardsVault} from "../interfaces/IStakingRewardsVault.sol";
import {IStakingPool} from "../interfaces/IStakingPool.sol";
import {IStakingPoolContractsFactory} from "../interfaces/IStakingPoolContractsFactory.sol";

/// @title Per-pool vault of BERA rewards; the validator's fee recipient.
contract StakingRewardsVault is Initializable, IStakingRewardsVault {
    using SafeERC20 for IERC20;

    IStakingPoolContractsFactory internal _factory;
    address internal _smartOperator;
    /// @inheritdoc IStakingRewardsVault
    address public stakingPool;
    /// @inheritdoc IStakingRewardsVault
    uint256 public prechargedAmount;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Called once by the factory right after deployment.
    /// @param pubkey The validator pubkey.
    function initialize(bytes calldata pubkey) external initializer {
        IStakingPoolContractsFactory factory = IStakingPoolContractsFactory(msg.sender);
        IStakingPoolContractsFactory.CoreContracts memory core = factory.predictStakingPoolContractsAddresses(pubkey);
        _factory = factory;
        stakingPool = core.stakingPool;
        _smartOperator = core.smartOperator;
    }

    /// @notice Receives BERA rewards.
    receive() external payable {
        emit RewardsReceived(msg.sender, msg.value);
    }

    /// @inheritdoc IStakingRewardsVault
    function withdrawRewards(uint256 amount) external {
        if (msg.sender != stakingPool) revert Unauthorized();
        if (amount > address(this).balance) revert InsufficientBalance();
        // Precharged BERA leaves first.
        prechargedAmount = prechargedAmount > amount ? prechargedAmount - amount : 0;
        emit RewardsWithdrawn(amount);
        IStakingPool(stakingPool).receiveRewards{value: amount}();
    }

    /// @inheritdoc IStakingRewardsVault
    function addPrecharged(uint256 amount) external {
        if (msg.sender != _smartOperator) revert Unauthorized();
        prechargedAmount += amount;
    }

    /// @inheritdoc IStakingRewardsVault
    function recoverERC20(address token, address to, uint256 amount) external {
        if (msg.sender != _factory.governance()) revert Unauthorized();
        IERC20(token).safeTransfer(to, amount);
    }
}
