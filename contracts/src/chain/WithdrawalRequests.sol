// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IWithdrawalRequests} from "../interfaces/IWithdrawalRequests.sol";

/// @title EIP-7002-style withdrawal request predeploy (stand-in).
/// @dev Like EIP-7002, requests are raw 56-byte calls (`pubkey ++ uint64 amountGwei`) paying the fee as value,
/// and an empty call returns the fee. The fee is fixed by the system rather than excess-based: the suite only
/// needs "a fee that must be paid", and a fixed fee keeps the harness deterministic.
contract WithdrawalRequests is IWithdrawalRequests {
    struct Request {
        address source;
        bytes pubkey;
        uint64 amountGwei;
    }

    /// @notice The system address (the harness playing the chain).
    address public immutable system;
    /// @notice The consensus layer (BeaconDeposit) that dequeues requests.
    address public consensusLayer;
    uint256 private _fee = 1;
    Request[] private _requests;
    uint256 private _head;

    /// @param system_ The system address.
    constructor(address system_) {
        system = system_;
    }

    /// @notice System, once: the contract allowed to dequeue.
    function setConsensusLayer(address cl) external {
        if (msg.sender != system || consensusLayer != address(0)) revert NotSystem();
        consensusLayer = cl;
    }

    /// @inheritdoc IWithdrawalRequests
    function fee() public view returns (uint256) {
        return _fee;
    }

    /// @inheritdoc IWithdrawalRequests
    function setFee(uint256 newFee) external {
        if (msg.sender != system) revert NotSystem();
        _fee = newFee;
    }

    /// @inheritdoc IWithdrawalRequests
    function pendingCount() external view returns (uint256) {
        return _requests.length - _head;
    }

    /// @inheritdoc IWithdrawalRequests
    function requestCount() external view returns (uint256) {
        return _requests.length;
    }

    /// @inheritdoc IWithdrawalRequests
    function getRequest(uint256 index) external view returns (address, bytes memory, uint64) {
        Request storage r = _requests[index];
        return (r.source, r.pubkey, r.amountGwei);
    }

    /// @inheritdoc IWithdrawalRequests
    function dequeue() external returns (address, bytes memory, uint64) {
        if (msg.sender != consensusLayer) revert NotSystem();
        if (_head >= _requests.length) revert QueueEmpty();
        Request storage r = _requests[_head++];
        return (r.source, r.pubkey, r.amountGwei);
    }

    /// @notice EIP-7002 entry: empty calldata returns the fee; 56 bytes add a request.
    fallback(bytes calldata input) external payable returns (bytes memory) {
        if (input.length == 0) return abi.encode(_fee);
        if (input.length != 56) revert InvalidRequestLength();
        if (msg.value < _fee) revert FeeTooLow();
        bytes memory pubkey = input[0:48];
        uint64 amountGwei = uint64(bytes8(input[48:56]));
        _requests.push(Request({source: msg.sender, pubkey: pubkey, amountGwei: amountGwei}));
        emit WithdrawalRequested(msg.sender, pubkey, amountGwei);
        return "";
    }
}
