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

    /// @notice Commission and protocol-fee shares minted together, so that neither dilutes the other: the
    /// shares for `commission + protocolFee` are split pro rata, each part rounded down, and each recipient's
    /// new shares are worth (rounded down) exactly its fee.
    function splitFeeShares(uint256 commission, uint256 protocolFee, uint256 supply, uint256 totalAssets)
        internal
        pure
        returns (uint256 commissionShares, uint256 protocolShares)
    {
        uint256 total = commission + protocolFee;
        if (total == 0) return (0, 0);
        uint256 shares = feeShares(total, supply, totalAssets);
        commissionShares = Math.mulDiv(shares, commission, total);
        protocolShares = Math.mulDiv(shares, protocolFee, total);
    }

    /// @notice What stakers keep of `amount` not yet charged, after both fees.
    function netOfFees(uint256 amount, uint256 commissionBps, uint256 protocolBps) internal pure returns (uint256) {
        return amount - feeOf(amount, commissionBps) - feeOf(amount, protocolBps);
    }
}
