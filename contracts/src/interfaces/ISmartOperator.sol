// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The validator's operator for Proof of Liquidity: roles, commission, protocol fee, BGT.
/// @notice Role functions (grantRole, revokeRole, renounceRole, hasRole, getRoleAdmin) come from
/// OpenZeppelin's AccessControl.
interface ISmartOperator {
    /// @notice One reward-allocation weight (mirrors BeraChef's).
    struct RewardWeight {
        address receiver;
        uint96 percentageNumerator;
    }

    /// @notice The protocol fee changed.
    event ProtocolFeePercentageUpdated(uint256 bps);
    /// @notice BGT fees were accrued on `earned` new BGT.
    event BGTFeesAccrued(uint256 earned, uint256 commissionShares, uint256 protocolShares);
    /// @notice BGT was redeemed into the StakingRewardsVault.
    event BGTRedeemed(uint256 amount);
    /// @notice BGT-staker rewards forwarded to the StakingRewardsVault.
    event BgtStakerRewardClaimed(uint256 amount);

    /// @notice Rate above 20%.
    error InvalidFeePercentage();
    /// @notice Unexpected BERA sender.
    error UnexpectedSender();
    /// @notice Sending BERA failed.
    error TransferFailed();

    /// @notice Admin role of the four manager roles and the BGT manager role (the validator).
    function VALIDATOR_ADMIN_ROLE() external view returns (bytes32);
    /// @notice May queue reward allocations.
    function REWARDS_ALLOCATION_MANAGER_ROLE() external view returns (bytes32);
    /// @notice May queue the validator commission.
    function COMMISSION_MANAGER_ROLE() external view returns (bytes32);
    /// @notice May set the protocol fee.
    function PROTOCOL_FEE_MANAGER_ROLE() external view returns (bytes32);
    /// @notice May queue incentive payout changes.
    function INCENTIVE_COLLECTOR_MANAGER_ROLE() external view returns (bytes32);
    /// @notice May drop boosts and redeem BGT.
    function BGT_MANAGER_ROLE() external view returns (bytes32);

    /// @notice COMMISSION_MANAGER_ROLE: queue `bps` (<= 2000) in BeraChef.
    function queueValCommission(uint96 bps) external;
    /// @notice PROTOCOL_FEE_MANAGER_ROLE: set the protocol fee (<= 2000 bps); accrues pending BGT fees first.
    function setProtocolFeePercentage(uint256 bps) external;
    /// @notice REWARDS_ALLOCATION_MANAGER_ROLE: queue a reward allocation in BeraChef.
    function queueRewardsAllocation(uint64 startBlock, RewardWeight[] calldata weights) external;
    /// @notice INCENTIVE_COLLECTOR_MANAGER_ROLE: queue the incentive payout amount.
    function queueIncentiveCollectorPayoutAmountChange(uint256 newPayoutAmount) external;
    /// @notice BGT_MANAGER_ROLE: queue dropping `amount` of this operator's boost.
    function queueDropBoost(uint128 amount) external;
    /// @notice BGT_MANAGER_ROLE: redeem `amount` BGT into the StakingRewardsVault as BERA.
    function redeemBGT(uint256 amount) external;
    /// @notice Anyone: queue all unboosted BGT as boost to this validator.
    function queueBoost() external;
    /// @notice Anyone: activate the queued boost.
    function activateBoost() external;
    /// @notice Anyone: execute the queued drop.
    function dropBoost() external;
    /// @notice Anyone: forward BGT-staker rewards to the StakingRewardsVault.
    function claimBgtStakerReward() external;
    /// @notice Anyone: charge commission and protocol fee on BGT earned since the last accrual.
    function accrueEarnedBGTFees() external;

    /// @notice Active commission (bps) read from BeraChef.
    function getCommission() external view returns (uint256);
    /// @notice Commission (bps), effective protocol fee (bps; 0 while no recipient is set) and its recipient.
    function feeRates() external view returns (uint256 commissionBps, uint256 protocolFeeBps, address protocolFeeRecipient);
    /// @notice Protocol fee (bps).
    function protocolFeePercentage() external view returns (uint256);
    /// @notice BGT held, net of fees not yet charged on its unaccrued part.
    function rebaseableBgtAmount() external view returns (uint256);
    /// @notice BGT balance at the last accrual.
    function lastAccruedBgtBalance() external view returns (uint256);
    /// @notice The pool served by this operator.
    function stakingPool() external view returns (address);
    /// @notice The validator pubkey.
    function pubkey() external view returns (bytes memory);
}
