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

    /// @notice Commission and protocol-fee shares minted together, so that neither dilutes the other, each
    /// recipient's new shares worth at most its fee (rounded down) at the price after both are minted,
    /// `shares*(totalAssets+1)/(supply+commissionShares+protocolShares+1)`.
    /// @dev The shares for `commission + protocolFee` are split pro rata, each part rounded down. The two floors can
    /// lose up to one share together, so the supply after minting can fall short of the one the price was planned
    /// for; when a fee exceeds the supply (a share is then worth more than a wei), a part can be worth a few wei more
    /// than its fee. So each part in turn gives back one share if it is worth more than its fee at the price after
    /// minting. With each fee at most a fifth of a reward already counted in `totalAssets` (both callers cap their
    /// rates at 2000 bps) this one step suffices, and at most one share is given back in all (poolguard's
    /// SMT-FEE-002). Beyond that, should a part still be worth more than its fee (only for fees of about half of
    /// `totalAssets` or more), each part is priced on its own, `feeShares(fee, supply, totalAssets)`, which the
    /// other part's shares can only dilute.
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
        if (_worthAfterMint(commissionShares, supply + commissionShares + protocolShares, totalAssets) > commission) {
            --commissionShares;
        }
        if (_worthAfterMint(protocolShares, supply + commissionShares + protocolShares, totalAssets) > protocolFee) {
            --protocolShares;
        }
        uint256 supplyAfter = supply + commissionShares + protocolShares;
        if (
            _worthAfterMint(commissionShares, supplyAfter, totalAssets) > commission
                || _worthAfterMint(protocolShares, supplyAfter, totalAssets) > protocolFee
        ) {
            commissionShares = feeShares(commission, supply, totalAssets);
            protocolShares = feeShares(protocolFee, supply, totalAssets);
        }
    }

    /// @dev `shares` valued, rounded down, at the price once the supply is `supplyAfter` (StBERA.previewRedeem).
    function _worthAfterMint(uint256 shares, uint256 supplyAfter, uint256 totalAssets) private pure returns (uint256) {
        return Math.mulDiv(shares, totalAssets + 1, supplyAfter + 1);
    }

    /// @notice What stakers keep at least of `amount` not yet charged, after both fees: `amount` less one floor over
    /// the combined rate. One floor keeps the result monotone in `amount` (with a floor per fee, one more wei of
    /// reward can step both floors at once and lower it, so a donation could lower the share price); and since
    /// `feeOf(a, c) + feeOf(a, p) <= feeOf(a, c + p)`, collecting the reward later, when each fee is charged on its
    /// own, never gives stakers less than this.
    function netOfFees(uint256 amount, uint256 commissionBps, uint256 protocolBps) internal pure returns (uint256) {
        return amount - feeOf(amount, commissionBps + protocolBps);
    }
}
