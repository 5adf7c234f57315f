// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC721Upgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC721/ERC721Upgradeable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";
import {ReentrancyGuardUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/ReentrancyGuardUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {Constants} from "../Constants.sol";
import {IWithdrawalVault} from "../interfaces/IWithdrawalVault.sol";
import {IStakingPool} from "../interfaces/IStakingPool.sol";
import {IBeaconDeposit} from "../interfaces/IBeaconDeposit.sol";
import {IWithdrawalRequests} from "../interfaces/IWithdrawalRequests.sol";
import {IStakingPoolContractsFactory} from "../interfaces/IStakingPoolContractsFactory.sol";

/// @title The shared withdrawal vault; every validator's withdrawal credentials point here.
/// @notice Funds are kept per pool: a pool's funds are what it sent here plus what the consensus layer paid out
/// for its pubkey; a request is paid only from its own pool's funds.
contract WithdrawalVault is
    ERC721Upgradeable,
    OwnableUpgradeable,
    PausableUpgradeable,
    ReentrancyGuardUpgradeable,
    UUPSUpgradeable,
    IWithdrawalVault
{
    IStakingPoolContractsFactory internal _factory;
    mapping(uint256 => WithdrawalRequest) internal _requests;
    mapping(uint256 => bool) internal _finalized;
    uint256 internal _requestCount;
    mapping(bytes32 => uint256) internal _funds;
    mapping(bytes32 => uint256) internal _attributedWithdrawn;
    mapping(bytes32 => uint256) internal _owed;
    mapping(bytes32 => bool) internal _exitPending;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Initializes the proxy.
    /// @param governance Owner (upgrades, pause).
    /// @param factory The pool factory.
    function initialize(address governance, IStakingPoolContractsFactory factory) external initializer {
        __ERC721_init("Berachain Staking Pool Withdrawal Request", "BSPWR");
        __Ownable_init(governance);
        __Pausable_init();
        __ReentrancyGuard_init();
        __UUPSUpgradeable_init();
        _factory = factory;
    }

    /// @notice Consensus-layer payouts and pool funds arrive here.
    receive() external payable {}

    // ---------------------------------------------------------------- requests

    /// @inheritdoc IWithdrawalVault
    function requestWithdrawal(bytes calldata pubkey, uint256 amountGwei, uint256 maxFee)
        external
        payable
        whenNotPaused
        nonReentrant
        returns (uint256)
    {
        if (amountGwei == 0) revert ZeroAmount();
        uint256 assets = amountGwei * Constants.GWEI;
        (uint256 shares, uint256 clGwei, bool fullExit) =
            IStakingPool(_pool(pubkey)).notifyWithdrawalRequest(msg.sender, assets);
        return _record(pubkey, assets, shares, clGwei, fullExit, maxFee);
    }

    /// @inheritdoc IWithdrawalVault
    function requestRedeem(bytes calldata pubkey, uint256 shares, uint256 maxFee)
        external
        payable
        whenNotPaused
        nonReentrant
        returns (uint256)
    {
        if (shares == 0) revert ZeroAmount();
        (uint256 assets, uint256 clGwei, bool fullExit) =
            IStakingPool(_pool(pubkey)).notifyRedeemRequest(msg.sender, shares);
        return _record(pubkey, assets, shares, clGwei, fullExit, maxFee);
    }

    function _record(
        bytes calldata pubkey,
        uint256 assets,
        uint256 shares,
        uint256 clGwei,
        bool fullExit,
        uint256 maxFee
    ) internal returns (uint256 id) {
        bytes32 key = keccak256(pubkey);
        uint256 fee;
        if (clGwei > 0) {
            fee = _sendConsensusRequest(pubkey, uint64(clGwei), maxFee);
        } else if (fullExit && _exitPending[key]) {
            fee = _sendConsensusRequest(pubkey, 0, maxFee);
            _exitPending[key] = false;
        }
        _owed[key] += assets;
        id = ++_requestCount;
        _requests[id] = WithdrawalRequest({
            pubkey: pubkey,
            user: msg.sender,
            assetsRequested: assets,
            sharesBurnt: shares,
            requestBlock: block.number
        });
        _mint(msg.sender, id);
        emit WithdrawalRequested(id, pubkey, msg.sender, assets, shares, fee);
        if (msg.value > fee) _send(msg.sender, msg.value - fee);
    }

    function _sendConsensusRequest(bytes calldata pubkey, uint64 amountGwei, uint256 maxFee)
        internal
        returns (uint256 fee)
    {
        address predeploy = _factory.withdrawalRequests();
        fee = IWithdrawalRequests(predeploy).fee();
        if (fee > maxFee || fee > msg.value) revert FeeTooHigh();
        (bool ok,) = predeploy.call{value: fee}(abi.encodePacked(pubkey, amountGwei));
        if (!ok) revert ConsensusRequestFailed();
        emit ConsensusWithdrawalRequested(pubkey, amountGwei, fee);
    }

    /// @inheritdoc IWithdrawalVault
    function sendPendingExitRequest(bytes calldata pubkey, uint256 maxFee) external payable nonReentrant {
        bytes32 key = keccak256(pubkey);
        if (!_exitPending[key]) revert NoExitPending();
        _exitPending[key] = false;
        uint256 fee = _sendConsensusRequest(pubkey, 0, maxFee);
        if (msg.value > fee) _send(msg.sender, msg.value - fee);
    }

    // ---------------------------------------------------------------- finalization

    /// @inheritdoc IWithdrawalVault
    function finalizeWithdrawalRequest(uint256 requestId) external nonReentrant {
        _finalize(requestId);
    }

    /// @inheritdoc IWithdrawalVault
    function finalizeWithdrawalRequests(uint256[] calldata requestIds) external nonReentrant {
        for (uint256 i; i < requestIds.length; ++i) {
            _finalize(requestIds[i]);
        }
    }

    function _finalize(uint256 id) internal {
        WithdrawalRequest storage r = _requests[id];
        if (r.user == address(0) || _finalized[id]) revert InvalidRequest();
        if (block.number < r.requestBlock + Constants.WITHDRAWAL_REQUEST_FINALIZATION_BLOCK_DELAY) {
            revert NotFinalizable();
        }
        bytes32 key = keccak256(r.pubkey);
        _syncConsensusPayouts(key, r.pubkey);
        uint256 assets = r.assetsRequested;
        if (_funds[key] < assets) revert InsufficientPoolFunds();
        _funds[key] -= assets;
        _owed[key] -= assets;
        _finalized[id] = true;
        _burn(id);
        emit WithdrawalRequestFinalized(id, r.user, assets);
        _send(r.user, assets);
    }

    /// @dev Attributes consensus-layer payouts for `pubkey` (public in execution payloads) to its pool.
    function _syncConsensusPayouts(bytes32 key, bytes memory pubkey) internal {
        uint256 withdrawn = IBeaconDeposit(_factory.beaconDeposit()).withdrawnAmount(pubkey);
        uint256 attributed = _attributedWithdrawn[key];
        if (withdrawn > attributed) {
            _funds[key] += withdrawn - attributed;
            _attributedWithdrawn[key] = withdrawn;
        }
    }

    // ---------------------------------------------------------------- pools

    /// @inheritdoc IWithdrawalVault
    function notifyFullExit(bytes calldata pubkey, bool requestConsensusExit) external payable {
        if (msg.sender != _pool(pubkey)) revert Unauthorized();
        bytes32 key = keccak256(pubkey);
        _funds[key] += msg.value;
        if (requestConsensusExit) _exitPending[key] = true;
        emit FullExitNotified(pubkey, msg.value);
    }

    /// @inheritdoc IWithdrawalVault
    function receivePoolFunds(bytes calldata pubkey) external payable {
        if (msg.sender != _pool(pubkey)) revert Unauthorized();
        _funds[keccak256(pubkey)] += msg.value;
        emit PoolFundsReceived(pubkey, msg.value);
    }

    // ---------------------------------------------------------------- governance

    /// @inheritdoc IWithdrawalVault
    function pause() external onlyOwner {
        _pause();
    }

    /// @inheritdoc IWithdrawalVault
    function unpause() external onlyOwner {
        _unpause();
    }

    function _authorizeUpgrade(address) internal override onlyOwner {}

    // ---------------------------------------------------------------- views

    /// @inheritdoc IWithdrawalVault
    function getRequest(uint256 requestId) external view returns (WithdrawalRequest memory) {
        return _requests[requestId];
    }

    /// @inheritdoc IWithdrawalVault
    function isFinalized(uint256 requestId) external view returns (bool) {
        return _finalized[requestId];
    }

    /// @inheritdoc IWithdrawalVault
    function requestCount() external view returns (uint256) {
        return _requestCount;
    }

    /// @inheritdoc IWithdrawalVault
    function poolFunds(bytes calldata pubkey) external view returns (uint256) {
        bytes32 key = keccak256(pubkey);
        uint256 withdrawn = IBeaconDeposit(_factory.beaconDeposit()).withdrawnAmount(pubkey);
        uint256 attributed = _attributedWithdrawn[key];
        return _funds[key] + (withdrawn > attributed ? withdrawn - attributed : 0);
    }

    /// @inheritdoc IWithdrawalVault
    function poolOwed(bytes calldata pubkey) external view returns (uint256) {
        return _owed[keccak256(pubkey)];
    }

    /// @inheritdoc IWithdrawalVault
    function exitRequestPending(bytes calldata pubkey) external view returns (bool) {
        return _exitPending[keccak256(pubkey)];
    }

    // ---------------------------------------------------------------- internals

    /// @dev Request ids can be minted and burnt, never moved.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address) {
        address from = _ownerOf(tokenId);
        if (from != address(0) && to != address(0)) revert NonTransferable();
        return super._update(to, tokenId, auth);
    }

    function _pool(bytes calldata pubkey) internal view returns (address pool) {
        pool = _factory.getCoreContracts(pubkey).stakingPool;
        if (pool == address(0)) revert UnknownPool();
    }

    function _send(address to, uint256 amount) internal {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed();
    }
}
