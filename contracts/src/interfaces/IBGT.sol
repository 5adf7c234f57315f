// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title BGT (stand-in): non-transferable reward token, boosts, 1:1 redemption for BERA.
interface IBGT {
    /// @notice Minted BGT.
    event Minted(address indexed to, uint256 amount);
    /// @notice Boost queued.
    event QueueBoost(address indexed user, bytes pubkey, uint128 amount);
    /// @notice Boost activated.
    event ActivateBoost(address indexed user, bytes pubkey, uint128 amount);
    /// @notice Drop queued.
    event QueueDropBoost(address indexed user, bytes pubkey, uint128 amount);
    /// @notice Boost dropped.
    event DropBoost(address indexed user, bytes pubkey, uint128 amount);
    /// @notice Redeemed BGT for BERA.
    event Redeem(address indexed from, address indexed receiver, uint256 amount);

    /// @notice BGT is not transferable.
    error NotTransferable();
    /// @notice Caller is not the system.
    error NotSystem();
    /// @notice Not enough unboosted BGT.
    error NotEnoughBalance();
    /// @notice Not enough boosted BGT.
    error NotEnoughBoostedBalance();
    /// @notice Delay not passed.
    error NotEnoughTime();
    /// @notice Nothing queued.
    error NothingQueued();
    /// @notice Zero amount.
    error InvalidAmount();
    /// @notice Mint not backed by exactly `amount` BERA.
    error InvalidMintValue();
    /// @notice Paying BERA failed.
    error TransferFailed();

    /// @notice Blocks before a queued boost can be activated.
    function activateBoostDelay() external view returns (uint64);
    /// @notice Blocks before a queued drop can be executed.
    function dropBoostDelay() external view returns (uint64);
    /// @notice System: mint `amount` BGT to `to`, backed by `msg.value == amount` BERA.
    function mint(address to, uint256 amount) external payable;
    /// @notice System: credit `msg.value` BERA of BGT-staker rewards to `account`.
    function notifyStakerReward(address account) external payable;
    /// @notice Queue `amount` of the caller's unboosted BGT to boost `pubkey`.
    function queueBoost(bytes calldata pubkey, uint128 amount) external;
    /// @notice Activate `user`'s queued boost on `pubkey` after the delay.
    function activateBoost(address user, bytes calldata pubkey) external returns (bool);
    /// @notice Queue dropping `amount` of the caller's boost on `pubkey`.
    function queueDropBoost(bytes calldata pubkey, uint128 amount) external;
    /// @notice Drop `user`'s queued drop on `pubkey` after the delay.
    function dropBoost(address user, bytes calldata pubkey) external returns (bool);
    /// @notice Burn `amount` of the caller's unboosted BGT and pay `amount` BERA to `receiver`.
    function redeem(address receiver, uint256 amount) external;
    /// @notice Pay the caller its BGT-staker rewards; returns the amount.
    function claimStakerReward() external returns (uint256);
    /// @notice BGT balance (boosted, queued and free).
    function balanceOf(address account) external view returns (uint256);
    /// @notice Total BGT.
    function totalSupply() external view returns (uint256);
    /// @notice BGT neither boosting nor queued.
    function unboostedBalanceOf(address account) external view returns (uint256);
    /// @notice Active boosts of `account`.
    function boosts(address account) external view returns (uint128);
    /// @notice Queued (not yet active) boosts of `account`.
    function queuedBoost(address account) external view returns (uint128);
    /// @notice Active boost received by `pubkey`.
    function boostees(bytes calldata pubkey) external view returns (uint128);
    /// @notice Unclaimed BGT-staker rewards of `account`.
    function stakerRewards(address account) external view returns (uint256);
    /// @notice Always reverts: BGT is not transferable.
    function transfer(address to, uint256 amount) external returns (bool);
}
