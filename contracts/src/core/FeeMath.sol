// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Constants} from "../Constants.sol";

/// @title Fee arithmetic shared by the pool (BERA rewards) and the SmartOperator (BGT rewards).
library FeeMath {
    /// @notice `reward * bps / 10000`, rounded down.
    function feeOf(uint256 reward, uint256 bps) internal pure returns (uint256) {
        return Math.mulDiv(reward, bps, Constants.ONE_HUNDRED_PERCENT);
    }

    /// @notice Shares worth exactly (rounded down) `fee` once minted, the reward already in `totalAssets`:
    /// `fee*(supply+1)/(totalAssets+1-fee)`.
    function feeShares(uint256 fee, uint256 supply, uint256 totalAssets) internal pure returns (uint256) {
        if (fee == 0) return 0;
        return Math.mulDiv(fee, supply + 1, totalAssets + 1 - fee);
    }

    /// @notice What stakers keep of `amount` not yet charged, after both fees.
    function netOfFees(uint256 amount, uint256 commissionBps, uint256 protocolBps) internal pure returns (uint256) {
        return amount - feeOf(amount, commissionBps) - feeOf(amount, protocolBps);
    }
}
