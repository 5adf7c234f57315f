// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title BeraChef (stand-in): per-validator commission queue (capped at 20%) and reward allocations.
interface IBeraChef {
    /// @notice One reward-allocation weight.
    struct Weight {
        address receiver;
        uint96 percentageNumerator;
    }

    /// @notice A commission change was queued.
    event QueueValCommission(bytes valPubkey, uint96 commissionRate);
    /// @notice A queued commission became active.
    event ValCommissionSet(bytes valPubkey, uint96 oldCommissionRate, uint96 newCommissionRate);
    /// @notice A reward allocation was queued.
    event QueueRewardAllocation(bytes valPubkey, uint64 startBlock, Weight[] weights);

    /// @notice Caller is not the validator's operator.
    error NotOperator();
    /// @notice Commission above 20%.
    error InvalidCommissionValue();
    /// @notice A commission change is already queued.
    error CommissionChangeAlreadyQueued();
    /// @notice No queued commission, or its delay has not passed.
    error CommissionNotQueuedOrDelayNotPassed();
    /// @notice Weights do not sum to 100% or are empty.
    error InvalidRewardAllocationWeights();
    /// @notice Start block not in the future.
    error InvalidStartBlock();

    /// @notice Default commission of a validator that never queued one.
    function DEFAULT_COMMISSION_RATE() external view returns (uint96);
    /// @notice Cap of the commission.
    function MAX_COMMISSION_RATE() external view returns (uint96);
    /// @notice Blocks before a queued commission can be activated.
    function commissionChangeDelay() external view returns (uint64);
    /// @notice Queue `commissionRate` (bps) for `valPubkey`; only its operator.
    function queueValCommission(bytes calldata valPubkey, uint96 commissionRate) external;
    /// @notice Activate `valPubkey`'s queued commission after the delay; anyone.
    function activateQueuedValCommission(bytes calldata valPubkey) external;
    /// @notice Active commission of `valPubkey` in bps.
    function getValCommissionOnIncentiveTokens(bytes calldata valPubkey) external view returns (uint96);
    /// @notice Queued commission of `valPubkey` and the block it was queued at.
    function getValQueuedCommissionOnIncentiveTokens(bytes calldata valPubkey)
        external
        view
        returns (uint32 blockNumberLast, uint96 commissionRate);
    /// @notice Queue a reward allocation; only `valPubkey`'s operator.
    function queueNewRewardAllocation(bytes calldata valPubkey, uint64 startBlock, Weight[] calldata weights) external;
    /// @notice The queued reward allocation's start block and number of weights.
    function getQueuedRewardAllocation(bytes calldata valPubkey) external view returns (uint64 startBlock, uint256 count);
}
