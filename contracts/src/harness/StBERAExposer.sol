// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {StBERA} from "../core/StBERA.sol";

/// @title Test-only exposer of the very StBERA share math, over any (totalSupply, totalAssets).
/// @notice Used by poolguard's differential test (tests/smt_differential.rs) to evaluate the compiled
/// conversions on states a real pool cannot be driven to. Not part of the suite; never deployed by the World.
contract StBERAExposer is StBERA {
    uint256 internal _assets;

    /// @notice Sets totalSupply (by minting to / burning from address(1)) and totalAssets.
    function setState(uint256 supply, uint256 assets) external {
        _burn(address(1), balanceOf(address(1)));
        _mint(address(1), supply);
        _assets = assets;
    }

    /// @inheritdoc StBERA
    function totalAssets() public view override returns (uint256) {
        return _assets;
    }
}
