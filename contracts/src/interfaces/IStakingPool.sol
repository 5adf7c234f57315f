// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title A validator's staking pool: deposits, reward collection, withdrawal bookkeeping, full exit.
interface IStakingPool {
    /// @notice `sender` deposited `assets` for `shares` minted to `receiver`.
    event Deposit(address indexed sender, address indexed receiver, uint256 assets, uint256 shares);
    /// @notice Part of a deposit above the capacity was refunded.
    event DepositRefunded(address indexed sender, uint256 amount);
    /// @notice Buffered BERA was forwarded to BeaconDeposit.
    event DepositedToConsensusLayer(uint256 amount);
    /// @notice Rewards were collected; `chargeable` of them bore fees.
    event RewardsCollected(uint256 amount, uint256 chargeable);
    /// @notice Fee shares were minted.
    event FeeSharesMinted(address indexed recipient, uint256 shares, uint256 feeAssets);
    /// @notice The oracle reported; `reward` or `penalty` was recognised: `reward` is the reported balance above
    /// `expectedClBalance()` (0 for a zero report: the validator is gone), `penalty` a non-zero report's shortfall
    /// below it, `totalDeposits` the value after a non-zero report.
    event TotalDepositsUpdated(uint256 totalDeposits, uint256 reward, uint256 penalty);
    /// @notice A withdrawal was booked: `shares` of `user` burnt for `assets`, `fromBuffer` of them paid from the
    /// buffer and `fromConsensusLayer` asked of the consensus layer. On a live pool the two add up to `assets`; once
    /// the pool has exited, and for the request that exits it, the frozen totalAssets pays and both are 0.
    event WithdrawalNotified(address indexed user, uint256 assets, uint256 shares, uint256 fromBuffer, uint256 fromConsensusLayer);
    /// @notice The pool exited fully; totalAssets frozen at `frozenTotalAssets`. `reason`: 1 a withdrawal whose
    /// consensus-layer part would take totalDeposits below minEffectiveBalance, 2 a zero report, 3 a report whose
    /// penalty took totalDeposits below minEffectiveBalance after it had been reached.
    event FullExitTriggered(uint256 frozenTotalAssets, uint8 reason);
    /// @notice The pool was activated and `deadShares` minted.
    event StakingPoolActivated(address indexed defaultSharesRecipient, uint256 deadShares);
    /// @notice The full-exit threshold changed.
    event MinEffectiveBalanceUpdated(uint256 minEffectiveBalance);

    /// @notice Zero amount.
    error ZeroAmount();
    /// @notice Deposit would mint no shares.
    error ZeroShares();
    /// @notice The pool is not active yet.
    error NotActive();
    /// @notice The pool is already active.
    error AlreadyActive();
    /// @notice The pool exited fully.
    error PoolFullyExited();
    /// @notice The pool is at capacity.
    error CapacityReached();
    /// @notice Withdrawal not possible now (threshold not reached and buffer too small).
    error WithdrawalNotAllowed();
    /// @notice The burn would take the supply below the dead shares.
    error DeadSharesLocked();
    /// @notice Caller lacks the required privilege.
    error Unauthorized();
    /// @notice Sending BERA failed.
    error TransferFailed();
    /// @notice Invalid threshold.
    error InvalidMinEffectiveBalance();

    /// @notice Deposit `msg.value` and mint shares to `receiver`.
    function submit(address receiver) external payable returns (uint256 shares);
    /// @notice Collect rewards from the StakingRewardsVault and BGT fee accrual; anyone.
    function processRewards() external;
    /// @notice Only the AccountingOracle: the validator's consensus-layer balance is `value` wei (0: exited).
    function updateTotalDeposits(uint256 value) external;
    /// @notice Only the WithdrawalVault: burn shares of `user` for `assets`.
    function notifyWithdrawalRequest(address user, uint256 assets)
        external
        returns (uint256 sharesBurnt, uint256 clAmountGwei, bool fullExit);
    /// @notice Only the WithdrawalVault: burn `shares` of `user`; returns assets (whole gwei unless exited).
    function notifyRedeemRequest(address user, uint256 shares)
        external
        returns (uint256 assets, uint256 clAmountGwei, bool fullExit);
    /// @notice Only the SmartOperator: mint `shares` fee shares to `recipient`.
    function mintFeeShares(address recipient, uint256 shares) external;
    /// @notice Only the StakingRewardsVault: receive collected rewards.
    function receiveRewards() external payable;
    /// @notice Only the factory: activate and mint the dead shares.
    function activate() external;
    /// @notice Governance: stop deposits.
    function pause() external;
    /// @notice Governance: resume deposits.
    function unpause() external;
    /// @notice Governance: set the full-exit threshold.
    function setMinEffectiveBalance(uint256 value) external;

    /// @notice BERA on the consensus layer per the pool's books (net of pending withdrawals).
    function totalDeposits() external view returns (uint256);
    /// @notice BERA held by the pool and not yet forwarded.
    function bufferedAssets() external view returns (uint256);
    /// @notice Consensus-layer withdrawals requested and not yet paid out.
    function pendingClWithdrawals() external view returns (uint256);
    /// @notice Cumulative consensus-layer withdrawals requested for partial withdrawals.
    function clWithdrawalsRequested() external view returns (uint256);
    /// @notice The balance the oracle should report absent rewards or penalties.
    function expectedClBalance() external view returns (uint256);
    /// @notice The full-exit threshold.
    function minEffectiveBalance() external view returns (uint256);
    /// @notice Whether the consensus-layer balance has reached minEffectiveBalance once.
    function minEffectiveBalanceReached() external view returns (bool);
    /// @notice Whether the pool was activated.
    function isActive() external view returns (bool);
    /// @notice Whether the pool exited fully.
    function isFullyExited() external view returns (bool);
    /// @notice Frozen totalAssets after a full exit.
    function frozenTotalAssets() external view returns (uint256);
    /// @notice Shares minted at activation that the supply may not fall below while the pool lives.
    function deadShares() external view returns (uint256);
    /// @notice Recipient of the dead shares and of commission shares.
    function defaultSharesRecipient() external view returns (address);
    /// @notice The validator pubkey.
    function pubkey() external view returns (bytes memory);
    /// @notice Rewards in the StakingRewardsVault not yet charged fees, net of those fees.
    function pendingRewardsNetOfFees() external view returns (uint256);
}
