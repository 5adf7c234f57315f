// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IBeraChef} from "../interfaces/IBeraChef.sol";
import {IBeaconDeposit} from "../interfaces/IBeaconDeposit.sol";

/// @title BeraChef (stand-in): commission queue capped at 20% and reward-allocation queue per validator.
contract BeraChef is IBeraChef {
    struct QueuedCommission {
        uint32 blockNumberLast;
        uint96 commissionRate;
    }

    struct QueuedAllocation {
        uint64 startBlock;
        uint256 count;
    }

    /// @inheritdoc IBeraChef
    uint96 public constant DEFAULT_COMMISSION_RATE = 500;
    /// @inheritdoc IBeraChef
    uint96 public constant MAX_COMMISSION_RATE = 2000;
    /// @inheritdoc IBeraChef
    uint64 public constant commissionChangeDelay = 16_382;
    uint96 private constant ONE_HUNDRED_PERCENT = 10_000;

    /// @notice Where operators are looked up.
    IBeaconDeposit public immutable beaconDeposit;

    mapping(bytes32 => uint96) private _commission;
    mapping(bytes32 => bool) private _commissionSet;
    mapping(bytes32 => QueuedCommission) private _queuedCommission;
    mapping(bytes32 => QueuedAllocation) private _queuedAllocation;

    /// @param beaconDeposit_ The deposit contract.
    constructor(IBeaconDeposit beaconDeposit_) {
        beaconDeposit = beaconDeposit_;
    }

    modifier onlyOperator(bytes calldata valPubkey) {
        if (msg.sender != beaconDeposit.getOperator(valPubkey)) revert NotOperator();
        _;
    }

    /// @inheritdoc IBeraChef
    function queueValCommission(bytes calldata valPubkey, uint96 commissionRate) external onlyOperator(valPubkey) {
        if (commissionRate > MAX_COMMISSION_RATE) revert InvalidCommissionValue();
        bytes32 key = keccak256(valPubkey);
        if (_queuedCommission[key].blockNumberLast != 0) revert CommissionChangeAlreadyQueued();
        _queuedCommission[key] = QueuedCommission(uint32(block.number), commissionRate);
        emit QueueValCommission(valPubkey, commissionRate);
    }

    /// @inheritdoc IBeraChef
    function activateQueuedValCommission(bytes calldata valPubkey) external {
        bytes32 key = keccak256(valPubkey);
        QueuedCommission memory q = _queuedCommission[key];
        if (q.blockNumberLast == 0 || block.number < uint256(q.blockNumberLast) + commissionChangeDelay) {
            revert CommissionNotQueuedOrDelayNotPassed();
        }
        uint96 old = getValCommissionOnIncentiveTokens(valPubkey);
        _commission[key] = q.commissionRate;
        _commissionSet[key] = true;
        delete _queuedCommission[key];
        emit ValCommissionSet(valPubkey, old, q.commissionRate);
    }

    /// @inheritdoc IBeraChef
    function getValCommissionOnIncentiveTokens(bytes calldata valPubkey) public view returns (uint96) {
        bytes32 key = keccak256(valPubkey);
        return _commissionSet[key] ? _commission[key] : DEFAULT_COMMISSION_RATE;
    }

    /// @inheritdoc IBeraChef
    function getValQueuedCommissionOnIncentiveTokens(bytes calldata valPubkey)
        external
        view
        returns (uint32 blockNumberLast, uint96 commissionRate)
    {
        QueuedCommission memory q = _queuedCommission[keccak256(valPubkey)];
        return (q.blockNumberLast, q.commissionRate);
    }

    /// @inheritdoc IBeraChef
    function queueNewRewardAllocation(bytes calldata valPubkey, uint64 startBlock, Weight[] calldata weights)
        external
        onlyOperator(valPubkey)
    {
        if (startBlock <= block.number) revert InvalidStartBlock();
        if (weights.length == 0 || weights.length > 10) revert InvalidRewardAllocationWeights();
        uint256 total;
        for (uint256 i; i < weights.length; ++i) {
            if (weights[i].receiver == address(0) || weights[i].percentageNumerator == 0) {
                revert InvalidRewardAllocationWeights();
            }
            total += weights[i].percentageNumerator;
        }
        if (total != ONE_HUNDRED_PERCENT) revert InvalidRewardAllocationWeights();
        _queuedAllocation[keccak256(valPubkey)] = QueuedAllocation(startBlock, weights.length);
        emit QueueRewardAllocation(valPubkey, startBlock, weights);
    }

    /// @inheritdoc IBeraChef
    function getQueuedRewardAllocation(bytes calldata valPubkey) external view returns (uint64, uint256) {
        QueuedAllocation memory q = _queuedAllocation[keccak256(valPubkey)];
        return (q.startBlock, q.count);
    }
}
