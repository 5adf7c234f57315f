// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The consensus layer's deposit contract (stand-in), with the system hooks the harness drives.
interface IBeaconDeposit {
    /// @notice A deposit was made for `pubkey`.
    event Deposit(bytes pubkey, bytes credentials, uint64 amountGwei, bytes signature, uint64 index);
    /// @notice The first deposit for `pubkey` set its operator.
    event OperatorUpdated(bytes pubkey, address newOperator, address previousOperator);
    /// @notice The consensus layer credited `amount` of rewards to `pubkey`.
    event ValidatorRewarded(bytes pubkey, uint256 amount);
    /// @notice The consensus layer slashed `amount` from `pubkey`.
    event ValidatorPenalized(bytes pubkey, uint256 amount);
    /// @notice The consensus layer paid `amount` to `pubkey`'s withdrawal address.
    event WithdrawalProcessed(bytes pubkey, address to, uint256 amount);

    /// @notice Pubkey is not 48 bytes.
    error InvalidPubKeyLength();
    /// @notice Credentials are not 32 bytes.
    error InvalidCredentialsLength();
    /// @notice Signature is not 96 bytes.
    error InvalidSignatureLength();
    /// @notice Amount is zero or not a whole number of gwei.
    error DepositNotMultipleOfGwei();
    /// @notice Amount below the minimum deposit.
    error InsufficientDeposit();
    /// @notice First deposit without an operator.
    error ZeroOperatorOnFirstDeposit();
    /// @notice A later deposit named an operator.
    error OperatorAlreadySet();
    /// @notice Caller is not the system (the harness playing the chain).
    error NotSystem();
    /// @notice Unknown validator.
    error UnknownValidator();
    /// @notice Penalty larger than the balance.
    error PenaltyExceedsBalance();

    /// @notice Deposits BERA for `pubkey`; the first deposit sets `operator`, later ones must pass 0.
    function deposit(bytes calldata pubkey, bytes calldata credentials, bytes calldata signature, address operator)
        external
        payable;
    /// @notice The operator of `pubkey` (0 if none).
    function getOperator(bytes calldata pubkey) external view returns (address);
    /// @notice The consensus-layer balance of `pubkey`, in wei.
    function validatorBalance(bytes calldata pubkey) external view returns (uint256);
    /// @notice Total BERA the consensus layer has paid out for `pubkey` (execution-payload withdrawals).
    function withdrawnAmount(bytes calldata pubkey) external view returns (uint256);
    /// @notice The withdrawal address set by `pubkey`'s credentials.
    function withdrawalAddress(bytes calldata pubkey) external view returns (address);
    /// @notice The address allowed to call the system hooks.
    function system() external view returns (address);
    /// @notice System: credit `msg.value` of consensus-layer rewards to `pubkey`.
    function rewardValidator(bytes calldata pubkey) external payable;
    /// @notice System: slash `amount` from `pubkey`.
    function penalizeValidator(bytes calldata pubkey, uint256 amount) external;
    /// @notice System: process up to `maxRequests` queued EIP-7002 requests, paying to withdrawal addresses.
    function processWithdrawalRequests(uint256 maxRequests) external returns (uint256 processed);
}
