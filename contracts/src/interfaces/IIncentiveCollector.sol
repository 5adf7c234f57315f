// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Per-pool incentive collector: sells accumulated incentive tokens for a fixed BERA payout.
interface IIncentiveCollector {
    /// @notice Incentives claimed by `claimer` for `payout` BERA.
    event IncentivesClaimed(address indexed claimer, uint256 payout);
    /// @notice A payout change was queued.
    event PayoutAmountChangeQueued(uint256 newPayoutAmount);
    /// @notice The payout amount changed.
    event PayoutAmountUpdated(uint256 oldPayoutAmount, uint256 newPayoutAmount);
    /// @notice msg.value is not the payout amount.
    error IncorrectPayoutAmount();
    /// @notice Caller lacks the required privilege.
    error Unauthorized();
    /// @notice Zero payout.
    error ZeroPayout();
    /// @notice Sending BERA failed.
    error TransferFailed();

    /// @notice Pay exactly `payoutAmount` BERA and receive the collector's balance of each token.
    function claim(address[] calldata tokens) external payable;
    /// @notice Only the SmartOperator: queue a payout change applied after the next claim.
    function queuePayoutAmountChange(uint256 newPayoutAmount) external;
    /// @notice Current payout.
    function payoutAmount() external view returns (uint256);
    /// @notice Queued payout (0: none).
    function queuedPayoutAmount() external view returns (uint256);
}
