// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The shared accounting oracle: feeders report validators' consensus-layer balances.
interface IAccountingOracle {
    /// @notice A report was accepted.
    event TotalDepositsReported(bytes pubkey, uint256 balanceGwei, uint256 refSlot);
    /// @notice Bounds changed.
    event BoundsUpdated(uint256 maxIncreaseBps, uint256 maxDecreaseBps);

    /// @notice refSlot not above the last one for this pubkey.
    error StaleReport();
    /// @notice Change beyond the configured bound.
    error ReportOutOfBounds();
    /// @notice Unknown pubkey.
    error UnknownPool();
    /// @notice Invalid bounds.
    error InvalidBounds();
    /// @notice The pool exited fully.
    error PoolExited();

    /// @notice May report.
    function FEEDER_ROLE() external view returns (bytes32);
    /// @notice FEEDER_ROLE: report `pubkey`'s balance for `refSlot`.
    function updateTotalDeposits(bytes calldata pubkey, uint256 balanceGwei, uint256 refSlot) external;
    /// @notice Governance: per-report bounds in bps.
    function setBounds(uint256 maxIncreaseBps, uint256 maxDecreaseBps) external;
    /// @notice Last reported balance (wei) and refSlot for `pubkey`.
    function getLastReport(bytes calldata pubkey) external view returns (uint256 balanceWei, uint256 refSlot);
    /// @notice Max increase per report (bps).
    function maxIncreaseBps() external view returns (uint256);
    /// @notice Max decrease per report (bps).
    function maxDecreaseBps() external view returns (uint256);
}
