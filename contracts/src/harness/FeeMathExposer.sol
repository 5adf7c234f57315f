// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {FeeMath} from "../core/FeeMath.sol";

/// @title Test-only exposer of the internal FeeMath library over the full uint256 range.
/// @notice Used by poolguard's differential test (tests/smt_differential.rs). Not part of the suite.
contract FeeMathExposer {
    function feeOf(uint256 reward, uint256 bps) external pure returns (uint256) {
        return FeeMath.feeOf(reward, bps);
    }

    function feeShares(uint256 fee, uint256 supply, uint256 totalAssets) external pure returns (uint256) {
        return FeeMath.feeShares(fee, supply, totalAssets);
    }

    function splitFeeShares(uint256 commission, uint256 protocolFee, uint256 supply, uint256 totalAssets)
        external
        pure
        returns (uint256 commissionShares, uint256 protocolShares)
    {
        return FeeMath.splitFeeShares(commission, protocolFee, supply, totalAssets);
    }

    function netOfFees(uint256 amount, uint256 commissionBps, uint256 protocolBps) external pure returns (uint256) {
        return FeeMath.netOfFees(amount, commissionBps, protocolBps);
    }
}
