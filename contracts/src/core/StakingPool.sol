// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Constants} from "../Constants.sol";
import {StBERA} from "./StBERA.sol";
import {FeeMath} from "./FeeMath.sol";
import {IStakingPool} from "../interfaces/IStakingPool.sol";
import {ISmartOperator} from "../interfaces/ISmartOperator.sol";
import {IStakingRewardsVault} from "../interfaces/IStakingRewardsVault.sol";
import {IWithdrawalVault} from "../interfaces/IWithdrawalVault.sol";
import {IBeaconDeposit} from "../interfaces/IBeaconDeposit.sol";
import {IStakingPoolContractsFactory} from "../interfaces/IStakingPoolContractsFactory.sol";

/// @title A validator's staking pool: stBERA shares over the validator's BERA.
/// @notice totalAssets = totalDeposits + bufferedAssets + rewards waiting in the StakingRewardsVault (net of the
/// fees they will bear) + the SmartOperator's rebaseable BGT. Counting uncollected rewards net of their fees keeps
/// previews exact: collecting rewards and minting fee shares does not move the share price.
contract StakingPool is StBERA, PausableUpgradeable, IStakingPool {
    /// @dev FullExitTriggered reasons.
    uint8 internal constant EXIT_WITHDRAWAL = 1;
    uint8 internal constant EXIT_ZERO_REPORT = 2;
    uint8 internal constant EXIT_PENALTY = 3;

    IStakingPoolContractsFactory internal _factory;
    ISmartOperator internal _smartOperator;
    IStakingRewardsVault internal _rewardsVault;
    IWithdrawalVault internal _withdrawalVault;
    IBeaconDeposit internal _beaconDeposit;
    address internal _oracle;
    bytes internal _pubkey;
    bytes internal _credentials;

    /// @inheritdoc IStakingPool
    address public defaultSharesRecipient;
    /// @inheritdoc IStakingPool
    uint256 public totalDeposits;
    /// @inheritdoc IStakingPool
    uint256 public bufferedAssets;
    /// @inheritdoc IStakingPool
    uint256 public minEffectiveBalance;
    /// @inheritdoc IStakingPool
    bool public minEffectiveBalanceReached;
    /// @inheritdoc IStakingPool
    bool public isActive;
    /// @inheritdoc IStakingPool
    bool public isFullyExited;
    /// @inheritdoc IStakingPool
    uint256 public frozenTotalAssets;
    /// @inheritdoc IStakingPool
    uint256 public deadShares;
    /// @inheritdoc IStakingPool
    uint256 public clWithdrawalsRequested;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Called once by the factory right after deployment.
    /// @param pubkey_ The validator pubkey.
    /// @param credentials_ Its withdrawal credentials (pointing at the WithdrawalVault).
    /// @param defaultSharesRecipient_ Receives the dead shares and commission shares.
    function initialize(bytes calldata pubkey_, bytes calldata credentials_, address defaultSharesRecipient_)
        external
        initializer
    {
        __StBERA_init();
        __Pausable_init();
        IStakingPoolContractsFactory factory = IStakingPoolContractsFactory(msg.sender);
        IStakingPoolContractsFactory.CoreContracts memory core = factory.predictStakingPoolContractsAddresses(pubkey_);
        _factory = factory;
        _smartOperator = ISmartOperator(core.smartOperator);
        _rewardsVault = IStakingRewardsVault(core.stakingRewardsVault);
        _withdrawalVault = IWithdrawalVault(factory.withdrawalVault());
        _beaconDeposit = IBeaconDeposit(factory.beaconDeposit());
        _oracle = factory.accountingOracle();
        _pubkey = pubkey_;
        _credentials = credentials_;
        defaultSharesRecipient = defaultSharesRecipient_;
        minEffectiveBalance = Constants.DEFAULT_MIN_EFFECTIVE_BALANCE;
    }

    modifier only(address who) {
        if (msg.sender != who) revert Unauthorized();
        _;
    }

    modifier onlyGovernance() {
        if (msg.sender != _factory.governance()) revert Unauthorized();
        _;
    }

    // ---------------------------------------------------------------- deposits

    /// @inheritdoc IStakingPool
    function submit(address receiver) external payable returns (uint256) {
        return _deposit(msg.sender, receiver);
    }

    /// @notice Plain BERA transfers deposit for the sender.
    receive() external payable {
        _deposit(msg.sender, msg.sender);
    }

    function _deposit(address sender, address receiver) internal whenNotPaused returns (uint256 shares) {
        if (!isActive) revert NotActive();
        if (isFullyExited) revert PoolFullyExited();
        if (msg.value == 0) revert ZeroAmount();
        _collectRewards();
        uint256 held = totalDeposits + bufferedAssets;
        uint256 room = held >= Constants.MAX_EFFECTIVE_BALANCE ? 0 : Constants.MAX_EFFECTIVE_BALANCE - held;
        if (room == 0) revert CapacityReached();
        uint256 accepted = Math.min(msg.value, room);
        shares = previewDeposit(accepted);
        if (shares == 0) revert ZeroShares();
        bufferedAssets += accepted;
        _mint(receiver, shares);
        emit Deposit(sender, receiver, accepted, shares);
        if (accepted < msg.value) {
            uint256 refund = msg.value - accepted;
            emit DepositRefunded(sender, refund);
            _send(sender, refund);
        }
        _forwardBuffer();
    }

    function _forwardBuffer() internal {
        if (bufferedAssets < Constants.MIN_CL_DEPOSIT_AMOUNT) return;
        uint256 amount = bufferedAssets - (bufferedAssets % Constants.GWEI);
        bufferedAssets -= amount;
        totalDeposits += amount;
        _beaconDeposit.deposit{value: amount}(_pubkey, _credentials, "", address(0));
        if (totalDeposits >= minEffectiveBalance) minEffectiveBalanceReached = true;
        emit DepositedToConsensusLayer(amount);
    }

    // ---------------------------------------------------------------- rewards

    /// @inheritdoc IStakingPool
    function processRewards() external {
        if (!isActive) revert NotActive();
        _collectRewards();
        if (!isFullyExited) _forwardBuffer();
    }

    /// @inheritdoc IStakingPool
    function receiveRewards() external payable only(address(_rewardsVault)) {
        if (isFullyExited) {
            // After a full exit, late rewards go to the WithdrawalVault as the pool's surplus.
            _withdrawalVault.receivePoolFunds{value: msg.value}(_pubkey);
        } else {
            bufferedAssets += msg.value;
        }
    }

    /// @dev Charges BGT fees, then moves the vault's BERA into the buffer and charges fees on the part that has
    /// not borne them yet (redeemed BGT already has).
    function _collectRewards() internal {
        if (!isFullyExited) _smartOperator.accrueEarnedBGTFees();
        uint256 amount = address(_rewardsVault).balance;
        if (amount == 0) return;
        uint256 chargeable = amount - Math.min(_rewardsVault.prechargedAmount(), amount);
        _rewardsVault.withdrawRewards(amount);
        if (isFullyExited) return;
        emit RewardsCollected(amount, chargeable);
        _chargeFees(chargeable);
    }

    /// @dev The reward is already counted in totalAssets.
    function _chargeFees(uint256 reward) internal {
        if (reward == 0) return;
        (uint256 commissionBps, uint256 protocolBps, address protocolRecipient) = _smartOperator.feeRates();
        uint256 commission = FeeMath.feeOf(reward, commissionBps);
        uint256 protocolFee = FeeMath.feeOf(reward, protocolBps);
        (uint256 commissionShares, uint256 protocolShares) =
            FeeMath.splitFeeShares(commission, protocolFee, totalSupply(), totalAssets());
        _mintFee(defaultSharesRecipient, commissionShares, commission);
        _mintFee(protocolRecipient, protocolShares, protocolFee);
    }

    function _mintFee(address recipient, uint256 shares, uint256 fee) internal {
        if (shares == 0) return;
        _mint(recipient, shares);
        emit FeeSharesMinted(recipient, shares, fee);
    }

    /// @inheritdoc IStakingPool
    function mintFeeShares(address recipient, uint256 shares) external only(address(_smartOperator)) {
        _mint(recipient, shares);
        emit FeeSharesMinted(recipient, shares, 0);
    }

    // ---------------------------------------------------------------- oracle

    /// @inheritdoc IStakingPool
    function updateTotalDeposits(uint256 value) external only(_oracle) {
        if (!isActive) revert NotActive();
        if (isFullyExited) revert PoolFullyExited();
        _collectRewards();
        if (value == 0) {
            _fullExit(_settledAssets(totalAssets()), EXIT_ZERO_REPORT);
            emit TotalDepositsUpdated(0, 0, 0);
            return;
        }
        uint256 expected = expectedClBalance();
        uint256 reward;
        uint256 penalty;
        if (value >= expected) {
            reward = value - expected;
            totalDeposits += reward;
            _chargeFees(reward);
        } else {
            penalty = expected - value;
            totalDeposits = totalDeposits > penalty ? totalDeposits - penalty : 0;
        }
        emit TotalDepositsUpdated(totalDeposits, reward, penalty);
        if (totalDeposits >= minEffectiveBalance) {
            minEffectiveBalanceReached = true;
        } else if (minEffectiveBalanceReached) {
            _fullExit(_settledAssets(totalAssets()), EXIT_PENALTY);
        }
    }

    // ---------------------------------------------------------------- withdrawals

    /// @inheritdoc IStakingPool
    function notifyWithdrawalRequest(address user, uint256 assets)
        external
        only(address(_withdrawalVault))
        returns (uint256 sharesBurnt, uint256 clAmountGwei, bool fullExit)
    {
        if (!isActive) revert NotActive();
        if (assets == 0) revert ZeroAmount();
        _collectRewards();
        sharesBurnt = previewWithdraw(assets);
        (clAmountGwei, fullExit) = _processWithdrawal(user, sharesBurnt, assets);
    }

    /// @inheritdoc IStakingPool
    function notifyRedeemRequest(address user, uint256 shares)
        external
        only(address(_withdrawalVault))
        returns (uint256 assets, uint256 clAmountGwei, bool fullExit)
    {
        if (!isActive) revert NotActive();
        if (shares == 0) revert ZeroShares();
        _collectRewards();
        assets = previewRedeem(shares);
        // Consensus-layer amounts are whole gwei; the dust stays with the pool.
        if (!isFullyExited) assets -= assets % Constants.GWEI;
        if (assets == 0) revert ZeroAmount();
        (clAmountGwei, fullExit) = _processWithdrawal(user, shares, assets);
    }

    function _processWithdrawal(address user, uint256 shares, uint256 assets)
        internal
        returns (uint256 clAmountGwei, bool fullExit)
    {
        if (isFullyExited) {
            _burn(user, shares);
            frozenTotalAssets -= assets;
            emit WithdrawalNotified(user, assets, shares, 0, 0);
            return (0, false);
        }
        uint256 assetsBefore = totalAssets();
        if (totalSupply() < deadShares + shares) revert DeadSharesLocked();
        _burn(user, shares);
        if (!minEffectiveBalanceReached) {
            if (assets > bufferedAssets) revert WithdrawalNotAllowed();
            bufferedAssets -= assets;
            _withdrawalVault.receivePoolFunds{value: assets}(_pubkey);
            emit WithdrawalNotified(user, assets, shares, assets, 0);
            return (0, false);
        }
        uint256 fromBuffer = Math.min(assets, bufferedAssets - (bufferedAssets % Constants.GWEI));
        uint256 fromCl = assets - fromBuffer;
        if (fromCl > 0 && (fromCl > totalDeposits || totalDeposits - fromCl < minEffectiveBalance)) {
            emit WithdrawalNotified(user, assets, shares, 0, 0);
            _fullExit(_settledAssets(assetsBefore - assets), EXIT_WITHDRAWAL);
            return (0, true);
        }
        bufferedAssets -= fromBuffer;
        totalDeposits -= fromCl;
        clWithdrawalsRequested += fromCl;
        if (fromBuffer > 0) _withdrawalVault.receivePoolFunds{value: fromBuffer}(_pubkey);
        emit WithdrawalNotified(user, assets, shares, fromBuffer, fromCl);
        return (fromCl / Constants.GWEI, false);
    }

    /// @dev What a full exit can actually pay: the operator's BGT stays with the operator (it reaches the
    /// WithdrawalVault only if redeemed later, as surplus), so it is not part of the frozen value.
    function _settledAssets(uint256 assets) internal view returns (uint256) {
        uint256 bgt = _smartOperator.rebaseableBgtAmount();
        return assets > bgt ? assets - bgt : 0;
    }

    /// @dev Freezes totalAssets, sends all BERA to the WithdrawalVault, asks for the whole validator balance and
    /// stops deposits for good. Rewards must have been collected by the caller.
    function _fullExit(uint256 frozen, uint8 reason) internal {
        isFullyExited = true;
        frozenTotalAssets = frozen;
        uint256 funds = bufferedAssets;
        bufferedAssets = 0;
        if (!paused()) _pause();
        _withdrawalVault.notifyFullExit{value: funds}(_pubkey, true);
        emit FullExitTriggered(frozen, reason);
    }

    // ---------------------------------------------------------------- lifecycle

    /// @inheritdoc IStakingPool
    function activate() external only(address(_factory)) {
        if (isActive) revert AlreadyActive();
        isActive = true;
        // The factory's first deposit becomes the dead shares, 1:1.
        totalDeposits = Constants.FIRST_DEPOSIT_AMOUNT;
        deadShares = Constants.FIRST_DEPOSIT_AMOUNT;
        _mint(defaultSharesRecipient, Constants.FIRST_DEPOSIT_AMOUNT);
        emit StakingPoolActivated(defaultSharesRecipient, Constants.FIRST_DEPOSIT_AMOUNT);
    }

    /// @inheritdoc IStakingPool
    function pause() external onlyGovernance {
        _pause();
    }

    /// @inheritdoc IStakingPool
    function unpause() external onlyGovernance {
        if (isFullyExited) revert PoolFullyExited();
        _unpause();
    }

    /// @inheritdoc IStakingPool
    function setMinEffectiveBalance(uint256 value) external onlyGovernance {
        if (value < Constants.FIRST_DEPOSIT_AMOUNT || value > Constants.MAX_EFFECTIVE_BALANCE) {
            revert InvalidMinEffectiveBalance();
        }
        // Raising the threshold above the live balance would be a breach without an exit.
        if (minEffectiveBalanceReached && value > totalDeposits) revert InvalidMinEffectiveBalance();
        minEffectiveBalance = value;
        emit MinEffectiveBalanceUpdated(value);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc StBERA
    function totalAssets() public view override returns (uint256) {
        if (isFullyExited) return frozenTotalAssets;
        return totalDeposits + bufferedAssets + pendingRewardsNetOfFees() + _smartOperator.rebaseableBgtAmount();
    }

    /// @inheritdoc IStakingPool
    function pendingRewardsNetOfFees() public view returns (uint256) {
        uint256 amount = address(_rewardsVault).balance;
        if (amount == 0) return 0;
        uint256 precharged = Math.min(_rewardsVault.prechargedAmount(), amount);
        (uint256 commissionBps, uint256 protocolBps,) = _smartOperator.feeRates();
        return precharged + FeeMath.netOfFees(amount - precharged, commissionBps, protocolBps);
    }

    /// @inheritdoc IStakingPool
    function pendingClWithdrawals() public view returns (uint256) {
        uint256 withdrawn = _beaconDeposit.withdrawnAmount(_pubkey);
        return clWithdrawalsRequested > withdrawn ? clWithdrawalsRequested - withdrawn : 0;
    }

    /// @inheritdoc IStakingPool
    function expectedClBalance() public view returns (uint256) {
        return totalDeposits + pendingClWithdrawals();
    }

    /// @inheritdoc IStakingPool
    function pubkey() external view returns (bytes memory) {
        return _pubkey;
    }

    function _send(address to, uint256 amount) internal {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed();
    }
}
