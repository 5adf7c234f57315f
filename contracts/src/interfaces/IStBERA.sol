// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title stBERA share math (ERC-4626 conversions with one virtual share and one virtual asset).
/// @notice The ERC-20 functions of the share token come from OpenZeppelin's ERC20 and are not repeated here.
interface IStBERA {
    /// @notice BERA backing all shares.
    function totalAssets() external view returns (uint256);
    /// @notice `assets*(supply+1)/(totalAssets+1)`, rounded down.
    function convertToShares(uint256 assets) external view returns (uint256);
    /// @notice `shares*(totalAssets+1)/(supply+1)`, rounded down.
    function convertToAssets(uint256 shares) external view returns (uint256);
    /// @notice Shares minted for depositing `assets` (rounded down).
    function previewDeposit(uint256 assets) external view returns (uint256);
    /// @notice Assets needed to mint `shares` (rounded up).
    function previewMint(uint256 shares) external view returns (uint256);
    /// @notice Shares burnt to withdraw `assets` (rounded up).
    function previewWithdraw(uint256 assets) external view returns (uint256);
    /// @notice Assets paid for redeeming `shares` (rounded down).
    function previewRedeem(uint256 shares) external view returns (uint256);
}
