// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Per-pool vault of BERA rewards (EL rewards, redeemed BGT, incentive payouts).
interface IStakingRewardsVault {
    /// @notice Rewards received.
    event RewardsReceived(address indexed from, uint256 amount);
    /// @notice Rewards withdrawn by the pool.
    event RewardsWithdrawn(uint256 amount);
    /// @notice Caller lacks the required privilege.
    error Unauthorized();
    /// @notice Amount above the balance.
    error InsufficientBalance();

    /// @notice Only the pool: send `amount` of rewards to the pool; resets the precharged amount.
    function withdrawRewards(uint256 amount) external;
    /// @notice Only the SmartOperator: `amount` of the balance already bore fees (redeemed BGT).
    function addPrecharged(uint256 amount) external;
    /// @notice Part of the balance that already bore fees.
    function prechargedAmount() external view returns (uint256);
    /// @notice Governance: recover ERC-20 tokens sent here by mistake.
    function recoverERC20(address token, address to, uint256 amount) external;
    /// @notice The pool served.
    function stakingPool() external view returns (address);
}
