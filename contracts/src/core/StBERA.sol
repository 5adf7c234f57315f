// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20Upgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC20/ERC20Upgradeable.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IStBERA} from "../interfaces/IStBERA.sol";

/// @title stBERA: the liquid share token with ERC-4626 conversions (one virtual share, one virtual asset).
/// @notice Rounding always favours the pool: deposit/redeem previews floor, mint/withdraw previews ceil.
abstract contract StBERA is ERC20Upgradeable, IStBERA {
    using Math for uint256;

    // solhint-disable-next-line func-name-mixedcase
    function __StBERA_init() internal onlyInitializing {
        __ERC20_init("Staked BERA", "stBERA");
    }

    /// @inheritdoc IStBERA
    function totalAssets() public view virtual returns (uint256);

    /// @inheritdoc IStBERA
    function convertToShares(uint256 assets) public view returns (uint256) {
        return _toShares(assets, Math.Rounding.Floor);
    }

    /// @inheritdoc IStBERA
    function convertToAssets(uint256 shares) public view returns (uint256) {
        return _toAssets(shares, Math.Rounding.Floor);
    }

    /// @inheritdoc IStBERA
    function previewDeposit(uint256 assets) public view returns (uint256) {
        return _toShares(assets, Math.Rounding.Floor);
    }

    /// @inheritdoc IStBERA
    function previewMint(uint256 shares) public view returns (uint256) {
        return _toAssets(shares, Math.Rounding.Ceil);
    }

    /// @inheritdoc IStBERA
    function previewWithdraw(uint256 assets) public view returns (uint256) {
        return _toShares(assets, Math.Rounding.Ceil);
    }

    /// @inheritdoc IStBERA
    function previewRedeem(uint256 shares) public view returns (uint256) {
        return _toAssets(shares, Math.Rounding.Floor);
    }

    function _toShares(uint256 assets, Math.Rounding rounding) internal view returns (uint256) {
        return assets.mulDiv(totalSupply() + 1, totalAssets() + 1, rounding);
    }

    function _toAssets(uint256 shares, Math.Rounding rounding) internal view returns (uint256) {
        return shares.mulDiv(totalAssets() + 1, totalSupply() + 1, rounding);
    }
}
