// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title EIP-7002-style withdrawal request predeploy (stand-in).
/// @notice Raw interface like EIP-7002: calldata `pubkey(48) ++ amountGwei(uint64, big-endian)` with the fee as
/// `msg.value` adds a request; empty calldata returns the current fee. The typed views below serve the harness.
interface IWithdrawalRequests {
    /// @notice A request was queued.
    event WithdrawalRequested(address source, bytes pubkey, uint64 amountGwei);
    /// @notice Fee below the current fee.
    error FeeTooLow();
    /// @notice Calldata not 56 bytes.
    error InvalidRequestLength();
    /// @notice Caller is not the system.
    error NotSystem();
    /// @notice Nothing to dequeue.
    error QueueEmpty();

    /// @notice The fee for one request, in wei.
    function fee() external view returns (uint256);
    /// @notice System: set the fee.
    function setFee(uint256 newFee) external;
    /// @notice Number of queued, unprocessed requests.
    function pendingCount() external view returns (uint256);
    /// @notice Total number of requests ever made.
    function requestCount() external view returns (uint256);
    /// @notice Request `index` (0-based, over all requests ever made).
    function getRequest(uint256 index) external view returns (address source, bytes memory pubkey, uint64 amountGwei);
    /// @notice Only the consensus layer (BeaconDeposit): pop the oldest pending request.
    function dequeue() external returns (address source, bytes memory pubkey, uint64 amountGwei);
}
