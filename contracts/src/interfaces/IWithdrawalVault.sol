// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The shared withdrawal vault: request ids, finalization after the delay, per-pool funds.
interface IWithdrawalVault {
    /// @notice One withdrawal request.
    struct WithdrawalRequest {
        bytes pubkey;
        address user;
        uint256 assetsRequested;
        uint256 sharesBurnt;
        uint256 requestBlock;
    }

    /// @notice A request was recorded.
    event WithdrawalRequested(
        uint256 indexed requestId, bytes pubkey, address indexed user, uint256 assets, uint256 shares, uint256 fee
    );
    /// @notice A request was paid.
    event WithdrawalRequestFinalized(uint256 indexed requestId, address indexed user, uint256 assets);
    /// @notice A pool exited fully.
    event FullExitNotified(bytes pubkey, uint256 funds);
    /// @notice A pool sent funds.
    event PoolFundsReceived(bytes pubkey, uint256 amount);
    /// @notice The consensus-layer withdrawal request was sent.
    event ConsensusWithdrawalRequested(bytes pubkey, uint64 amountGwei, uint256 fee);

    /// @notice Unknown pubkey.
    error UnknownPool();
    /// @notice Caller lacks the required privilege.
    error Unauthorized();
    /// @notice Zero amount.
    error ZeroAmount();
    /// @notice The fee is above maxFee or msg.value.
    error FeeTooHigh();
    /// @notice Unknown or already finalized request.
    error InvalidRequest();
    /// @notice The finalization delay has not passed.
    error NotFinalizable();
    /// @notice The pool's funds cannot pay this request yet.
    error InsufficientPoolFunds();
    /// @notice Request ids are not transferable.
    error NonTransferable();
    /// @notice Sending BERA failed.
    error TransferFailed();
    /// @notice Nothing to request.
    error NoExitPending();
    /// @notice The EIP-7002 request failed.
    error ConsensusRequestFailed();

    /// @notice Request `amountGwei` gwei of BERA from `pubkey`'s pool; burns shares; fee for the CL request.
    function requestWithdrawal(bytes calldata pubkey, uint256 amountGwei, uint256 maxFee)
        external
        payable
        returns (uint256 requestId);
    /// @notice Redeem `shares` of `pubkey`'s pool; fee for the CL request.
    function requestRedeem(bytes calldata pubkey, uint256 shares, uint256 maxFee)
        external
        payable
        returns (uint256 requestId);
    /// @notice Pay request `requestId` after the delay; anyone.
    function finalizeWithdrawalRequest(uint256 requestId) external;
    /// @notice Pay several requests.
    function finalizeWithdrawalRequests(uint256[] calldata requestIds) external;
    /// @notice Only a pool: it exited fully; `msg.value` is its remaining BERA.
    function notifyFullExit(bytes calldata pubkey, bool requestConsensusExit) external payable;
    /// @notice Only a pool: BERA for the requests being recorded.
    function receivePoolFunds(bytes calldata pubkey) external payable;
    /// @notice Anyone: send the pending full-exit request of an exited pool, paying the fee.
    function sendPendingExitRequest(bytes calldata pubkey, uint256 maxFee) external payable;
    /// @notice Governance: stop new requests.
    function pause() external;
    /// @notice Governance: resume.
    function unpause() external;

    /// @notice Request `requestId`.
    function getRequest(uint256 requestId) external view returns (WithdrawalRequest memory);
    /// @notice Whether `requestId` was finalized.
    function isFinalized(uint256 requestId) external view returns (bool);
    /// @notice Number of requests ever made (ids are 1..count).
    function requestCount() external view returns (uint256);
    /// @notice BERA available for `pubkey`'s requests, including consensus-layer payouts not yet synced.
    function poolFunds(bytes calldata pubkey) external view returns (uint256);
    /// @notice Sum of `pubkey`'s unfinalized requests.
    function poolOwed(bytes calldata pubkey) external view returns (uint256);
    /// @notice Whether a full-exit CL request is still to be sent for `pubkey`.
    function exitRequestPending(bytes calldata pubkey) external view returns (bool);
}
