// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IBeaconDeposit} from "../interfaces/IBeaconDeposit.sol";
import {IWithdrawalRequests} from "../interfaces/IWithdrawalRequests.sol";

/// @title BeaconDeposit with the consensus layer folded in (stand-in).
/// @notice Keeps deposited BERA and a balance per pubkey, as the consensus layer would. The system address
/// (the harness) credits rewards, applies penalties and processes EIP-7002 requests, paying the validator's
/// withdrawal-credentials address with a plain value transfer, as execution-payload withdrawals do.
contract BeaconDeposit is IBeaconDeposit {
    uint256 private constant MIN_DEPOSIT = 1 gwei;

    /// @inheritdoc IBeaconDeposit
    address public immutable system;
    /// @notice The EIP-7002 request queue this consensus layer serves.
    IWithdrawalRequests public immutable withdrawalRequests;

    mapping(bytes32 => address) private _operators;
    mapping(bytes32 => uint256) private _balances;
    mapping(bytes32 => uint256) private _withdrawn;
    mapping(bytes32 => address) private _withdrawalAddress;
    uint64 private _depositCount;
    /// @notice BERA removed by penalties (kept here, owed to nobody).
    uint256 public slashed;

    /// @param system_ The system address.
    /// @param requests The EIP-7002 predeploy.
    constructor(address system_, IWithdrawalRequests requests) {
        system = system_;
        withdrawalRequests = requests;
    }

    modifier onlySystem() {
        if (msg.sender != system) revert NotSystem();
        _;
    }

    /// @inheritdoc IBeaconDeposit
    function deposit(bytes calldata pubkey, bytes calldata credentials, bytes calldata signature, address operator)
        external
        payable
    {
        if (pubkey.length != 48) revert InvalidPubKeyLength();
        if (credentials.length != 32) revert InvalidCredentialsLength();
        if (msg.value % 1 gwei != 0) revert DepositNotMultipleOfGwei();
        if (msg.value < MIN_DEPOSIT) revert InsufficientDeposit();
        bytes32 key = keccak256(pubkey);
        if (_operators[key] == address(0)) {
            if (operator == address(0)) revert ZeroOperatorOnFirstDeposit();
            if (signature.length != 96) revert InvalidSignatureLength();
            _operators[key] = operator;
            _withdrawalAddress[key] = address(uint160(uint256(bytes32(credentials))));
            emit OperatorUpdated(pubkey, operator, address(0));
        } else if (operator != address(0)) {
            revert OperatorAlreadySet();
        }
        _balances[key] += msg.value;
        emit Deposit(pubkey, credentials, uint64(msg.value / 1 gwei), signature, _depositCount++);
    }

    /// @inheritdoc IBeaconDeposit
    function getOperator(bytes calldata pubkey) external view returns (address) {
        return _operators[keccak256(pubkey)];
    }

    /// @inheritdoc IBeaconDeposit
    function validatorBalance(bytes calldata pubkey) external view returns (uint256) {
        return _balances[keccak256(pubkey)];
    }

    /// @inheritdoc IBeaconDeposit
    function withdrawnAmount(bytes calldata pubkey) external view returns (uint256) {
        return _withdrawn[keccak256(pubkey)];
    }

    /// @inheritdoc IBeaconDeposit
    function withdrawalAddress(bytes calldata pubkey) external view returns (address) {
        return _withdrawalAddress[keccak256(pubkey)];
    }

    /// @inheritdoc IBeaconDeposit
    function rewardValidator(bytes calldata pubkey) external payable onlySystem {
        bytes32 key = keccak256(pubkey);
        if (_operators[key] == address(0)) revert UnknownValidator();
        _balances[key] += msg.value;
        emit ValidatorRewarded(pubkey, msg.value);
    }

    /// @inheritdoc IBeaconDeposit
    function penalizeValidator(bytes calldata pubkey, uint256 amount) external onlySystem {
        bytes32 key = keccak256(pubkey);
        if (_operators[key] == address(0)) revert UnknownValidator();
        if (amount > _balances[key]) revert PenaltyExceedsBalance();
        _balances[key] -= amount;
        slashed += amount;
        emit ValidatorPenalized(pubkey, amount);
    }

    /// @inheritdoc IBeaconDeposit
    function processWithdrawalRequests(uint256 maxRequests) external onlySystem returns (uint256 processed) {
        while (processed < maxRequests && withdrawalRequests.pendingCount() > 0) {
            (address source, bytes memory pubkey, uint64 amountGwei) = withdrawalRequests.dequeue();
            processed++;
            bytes32 key = keccak256(pubkey);
            address to = _withdrawalAddress[key];
            // EIP-7002: only the withdrawal-credentials address may request; others are dropped.
            if (to == address(0) || source != to) continue;
            uint256 balance = _balances[key];
            uint256 amount = amountGwei == 0 ? balance : uint256(amountGwei) * 1 gwei;
            if (amount > balance) amount = balance;
            if (amount == 0) continue;
            _balances[key] = balance - amount;
            _withdrawn[key] += amount;
            (bool ok,) = to.call{value: amount}("");
            require(ok, "withdrawal transfer failed");
            emit WithdrawalProcessed(pubkey, to, amount);
        }
    }
}
