// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IBGT} from "../interfaces/IBGT.sol";

/// @title BGT (stand-in): non-transferable, minted by the system to validators' operators, redeemable 1:1.
/// @notice Every BGT is backed by BERA paid in at mint, so `redeem` always pays from this contract's balance.
contract BGT is IBGT {
    struct QueuedBoost {
        uint32 blockNumberLast;
        uint128 balance;
    }

    /// @notice Token name.
    string public constant name = "Bera Governance Token";
    /// @notice Token symbol.
    string public constant symbol = "BGT";
    /// @notice Decimals.
    uint8 public constant decimals = 18;
    /// @notice The system address.
    address public immutable system;
    /// @inheritdoc IBGT
    uint64 public constant activateBoostDelay = 8191;
    /// @inheritdoc IBGT
    uint64 public constant dropBoostDelay = 8191;

    mapping(address => uint256) private _balances;
    uint256 private _totalSupply;
    /// @inheritdoc IBGT
    mapping(address => uint128) public boosts;
    /// @inheritdoc IBGT
    mapping(address => uint128) public queuedBoost;
    mapping(bytes32 => uint128) private _boostees;
    mapping(address => mapping(bytes32 => QueuedBoost)) private _boostQueue;
    mapping(address => mapping(bytes32 => QueuedBoost)) private _dropQueue;
    mapping(address => mapping(bytes32 => uint128)) private _boosted;
    /// @inheritdoc IBGT
    mapping(address => uint256) public stakerRewards;

    /// @param system_ The system address.
    constructor(address system_) {
        system = system_;
    }

    /// @inheritdoc IBGT
    function mint(address to, uint256 amount) external payable {
        if (msg.sender != system) revert NotSystem();
        if (msg.value != amount) revert InvalidMintValue();
        _balances[to] += amount;
        _totalSupply += amount;
        emit Minted(to, amount);
    }

    /// @inheritdoc IBGT
    function notifyStakerReward(address account) external payable {
        if (msg.sender != system) revert NotSystem();
        stakerRewards[account] += msg.value;
    }

    /// @inheritdoc IBGT
    function queueBoost(bytes calldata pubkey, uint128 amount) external {
        if (amount == 0) revert InvalidAmount();
        if (unboostedBalanceOf(msg.sender) < amount) revert NotEnoughBalance();
        queuedBoost[msg.sender] += amount;
        QueuedBoost storage q = _boostQueue[msg.sender][keccak256(pubkey)];
        q.blockNumberLast = uint32(block.number);
        q.balance += amount;
        emit QueueBoost(msg.sender, pubkey, amount);
    }

    /// @inheritdoc IBGT
    function activateBoost(address user, bytes calldata pubkey) external returns (bool) {
        bytes32 key = keccak256(pubkey);
        QueuedBoost storage q = _boostQueue[user][key];
        if (q.balance == 0) return false;
        if (block.number <= uint256(q.blockNumberLast) + activateBoostDelay) return false;
        uint128 amount = q.balance;
        delete _boostQueue[user][key];
        queuedBoost[user] -= amount;
        boosts[user] += amount;
        _boosted[user][key] += amount;
        _boostees[key] += amount;
        emit ActivateBoost(user, pubkey, amount);
        return true;
    }

    /// @inheritdoc IBGT
    function queueDropBoost(bytes calldata pubkey, uint128 amount) external {
        if (amount == 0) revert InvalidAmount();
        bytes32 key = keccak256(pubkey);
        QueuedBoost storage q = _dropQueue[msg.sender][key];
        if (uint256(q.balance) + amount > _boosted[msg.sender][key]) revert NotEnoughBoostedBalance();
        q.blockNumberLast = uint32(block.number);
        q.balance += amount;
        emit QueueDropBoost(msg.sender, pubkey, amount);
    }

    /// @inheritdoc IBGT
    function dropBoost(address user, bytes calldata pubkey) external returns (bool) {
        bytes32 key = keccak256(pubkey);
        QueuedBoost storage q = _dropQueue[user][key];
        if (q.balance == 0) return false;
        if (block.number <= uint256(q.blockNumberLast) + dropBoostDelay) return false;
        uint128 amount = q.balance;
        delete _dropQueue[user][key];
        boosts[user] -= amount;
        _boosted[user][key] -= amount;
        _boostees[key] -= amount;
        emit DropBoost(user, pubkey, amount);
        return true;
    }

    /// @inheritdoc IBGT
    function redeem(address receiver, uint256 amount) external {
        if (amount == 0) revert InvalidAmount();
        if (unboostedBalanceOf(msg.sender) < amount) revert NotEnoughBalance();
        _balances[msg.sender] -= amount;
        _totalSupply -= amount;
        emit Redeem(msg.sender, receiver, amount);
        (bool ok,) = receiver.call{value: amount}("");
        if (!ok) revert TransferFailed();
    }

    /// @inheritdoc IBGT
    function claimStakerReward() external returns (uint256 amount) {
        amount = stakerRewards[msg.sender];
        if (amount == 0) return 0;
        stakerRewards[msg.sender] = 0;
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed();
    }

    /// @inheritdoc IBGT
    function balanceOf(address account) external view returns (uint256) {
        return _balances[account];
    }

    /// @inheritdoc IBGT
    function totalSupply() external view returns (uint256) {
        return _totalSupply;
    }

    /// @inheritdoc IBGT
    function unboostedBalanceOf(address account) public view returns (uint256) {
        return _balances[account] - boosts[account] - queuedBoost[account];
    }

    /// @inheritdoc IBGT
    function boostees(bytes calldata pubkey) external view returns (uint128) {
        return _boostees[keccak256(pubkey)];
    }

    /// @inheritdoc IBGT
    function transfer(address, uint256) external pure returns (bool) {
        revert NotTransferable();
    }
}
