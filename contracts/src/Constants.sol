// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Constants of the staking-pool suite (SPEC.md, "Constants").
library Constants {
    /// @notice BERA paid to the factory when a pool is created; becomes the pool's dead shares.
    uint256 internal constant FIRST_DEPOSIT_AMOUNT = 10_000 ether;
    /// @notice Smallest buffered amount forwarded to BeaconDeposit.
    uint256 internal constant MIN_CL_DEPOSIT_AMOUNT = 10_000 ether;
    /// @notice Default full-exit threshold of a pool's consensus-layer balance.
    uint256 internal constant DEFAULT_MIN_EFFECTIVE_BALANCE = 250_000 ether;
    /// @notice Pool capacity.
    uint256 internal constant MAX_EFFECTIVE_BALANCE = 10_000_000 ether;
    /// @notice Blocks between a withdrawal request and its finalization.
    uint256 internal constant WITHDRAWAL_REQUEST_FINALIZATION_BLOCK_DELAY = 129_600;
    /// @notice Cap of the validator commission, in basis points.
    uint256 internal constant MAX_COMMISSION = 2000;
    /// @notice Cap of the protocol fee, in basis points.
    uint256 internal constant MAX_PROTOCOL_FEE = 2000;
    /// @notice 100% in basis points.
    uint256 internal constant ONE_HUNDRED_PERCENT = 10_000;
    /// @notice Consensus-layer amounts are whole gwei.
    uint256 internal constant GWEI = 1 gwei;
}
