// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {Constants} from "../Constants.sol";
import {FeeMath} from "./FeeMath.sol";
import {ISmartOperator} from "../interfaces/ISmartOperator.sol";
import {IStakingPool} from "../interfaces/IStakingPool.sol";
import {IStBERA} from "../interfaces/IStBERA.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IStakingRewardsVault} from "../interfaces/IStakingRewardsVault.sol";
import {IIncentiveCollector} from "../interfaces/IIncentiveCollector.sol";
import {IBGT} from "../interfaces/IBGT.sol";
import {IBeraChef} from "../interfaces/IBeraChef.sol";
import {IStakingPoolContractsFactory} from "../interfaces/IStakingPoolContractsFactory.sol";

/// @title The validator's operator for Proof of Liquidity.
/// @notice Roles: DEFAULT_ADMIN_ROLE (governance) administers VALIDATOR_ADMIN_ROLE, which administers the
/// manager roles. BGT earned counts in the pool's totalAssets net of the fees it will bear until
/// `accrueEarnedBGTFees` charges them, once, as fee shares.
contract SmartOperator is AccessControlUpgradeable, ISmartOperator {
    /// @inheritdoc ISmartOperator
    bytes32 public constant VALIDATOR_ADMIN_ROLE = keccak256("VALIDATOR_ADMIN_ROLE");
    /// @inheritdoc ISmartOperator
    bytes32 public constant REWARDS_ALLOCATION_MANAGER_ROLE = keccak256("REWARDS_ALLOCATION_MANAGER_ROLE");
    /// @inheritdoc ISmartOperator
    bytes32 public constant COMMISSION_MANAGER_ROLE = keccak256("COMMISSION_MANAGER_ROLE");
    /// @inheritdoc ISmartOperator
    bytes32 public constant PROTOCOL_FEE_MANAGER_ROLE = keccak256("PROTOCOL_FEE_MANAGER_ROLE");
    /// @inheritdoc ISmartOperator
    bytes32 public constant INCENTIVE_COLLECTOR_MANAGER_ROLE = keccak256("INCENTIVE_COLLECTOR_MANAGER_ROLE");
    /// @inheritdoc ISmartOperator
    bytes32 public constant BGT_MANAGER_ROLE = keccak256("BGT_MANAGER_ROLE");

    IStakingPoolContractsFactory internal _factory;
    IStakingRewardsVault internal _rewardsVault;
    IIncentiveCollector internal _incentiveCollector;
    IBGT internal _bgt;
    IBeraChef internal _beraChef;
    bytes internal _pubkey;
    /// @inheritdoc ISmartOperator
    address public stakingPool;
    /// @inheritdoc ISmartOperator
    uint256 public protocolFeePercentage;
    /// @inheritdoc ISmartOperator
    uint256 public lastAccruedBgtBalance;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Called once by the factory right after deployment.
    /// @param pubkey_ The validator pubkey.
    /// @param validatorAdmin Holder of VALIDATOR_ADMIN_ROLE.
    function initialize(bytes calldata pubkey_, address validatorAdmin) external initializer {
        __AccessControl_init();
        IStakingPoolContractsFactory factory = IStakingPoolContractsFactory(msg.sender);
        IStakingPoolContractsFactory.CoreContracts memory core = factory.predictStakingPoolContractsAddresses(pubkey_);
        _factory = factory;
        stakingPool = core.stakingPool;
        _rewardsVault = IStakingRewardsVault(core.stakingRewardsVault);
        _incentiveCollector = IIncentiveCollector(core.incentiveCollector);
        _bgt = IBGT(factory.bgt());
        _beraChef = IBeraChef(factory.beraChef());
        _pubkey = pubkey_;
        _grantRole(DEFAULT_ADMIN_ROLE, factory.governance());
        _grantRole(VALIDATOR_ADMIN_ROLE, validatorAdmin);
        _setRoleAdmin(REWARDS_ALLOCATION_MANAGER_ROLE, VALIDATOR_ADMIN_ROLE);
        _setRoleAdmin(COMMISSION_MANAGER_ROLE, VALIDATOR_ADMIN_ROLE);
        _setRoleAdmin(PROTOCOL_FEE_MANAGER_ROLE, VALIDATOR_ADMIN_ROLE);
        _setRoleAdmin(INCENTIVE_COLLECTOR_MANAGER_ROLE, VALIDATOR_ADMIN_ROLE);
        _setRoleAdmin(BGT_MANAGER_ROLE, VALIDATOR_ADMIN_ROLE);
    }

    // ---------------------------------------------------------------- managers

    /// @inheritdoc ISmartOperator
    function queueValCommission(uint96 bps) external onlyRole(COMMISSION_MANAGER_ROLE) {
        if (bps > Constants.MAX_COMMISSION) revert InvalidFeePercentage();
        _beraChef.queueValCommission(_pubkey, bps);
    }

    /// @inheritdoc ISmartOperator
    function setProtocolFeePercentage(uint256 bps) external onlyRole(PROTOCOL_FEE_MANAGER_ROLE) {
        if (bps > Constants.MAX_PROTOCOL_FEE) revert InvalidFeePercentage();
        // Rewards earned so far bear the old rate.
        IStakingPool pool = IStakingPool(stakingPool);
        if (pool.isActive()) pool.processRewards();
        protocolFeePercentage = bps;
        emit ProtocolFeePercentageUpdated(bps);
    }

    /// @inheritdoc ISmartOperator
    function queueRewardsAllocation(uint64 startBlock, RewardWeight[] calldata weights)
        external
        onlyRole(REWARDS_ALLOCATION_MANAGER_ROLE)
    {
        IBeraChef.Weight[] memory w = new IBeraChef.Weight[](weights.length);
        for (uint256 i; i < weights.length; ++i) {
            w[i] = IBeraChef.Weight(weights[i].receiver, weights[i].percentageNumerator);
        }
        _beraChef.queueNewRewardAllocation(_pubkey, startBlock, w);
    }

    /// @inheritdoc ISmartOperator
    function queueIncentiveCollectorPayoutAmountChange(uint256 newPayoutAmount)
        external
        onlyRole(INCENTIVE_COLLECTOR_MANAGER_ROLE)
    {
        _incentiveCollector.queuePayoutAmountChange(newPayoutAmount);
    }

    /// @inheritdoc ISmartOperator
    function queueDropBoost(uint128 amount) external onlyRole(BGT_MANAGER_ROLE) {
        _bgt.queueDropBoost(_pubkey, amount);
    }

    /// @inheritdoc ISmartOperator
    function redeemBGT(uint256 amount) external onlyRole(BGT_MANAGER_ROLE) {
        accrueEarnedBGTFees();
        _bgt.redeem(address(_rewardsVault), amount);
        lastAccruedBgtBalance -= amount;
        // This BERA already bore its fees as BGT: the pool must not charge it again.
        _rewardsVault.addPrecharged(amount);
        emit BGTRedeemed(amount);
    }

    // ---------------------------------------------------------------- anyone

    /// @inheritdoc ISmartOperator
    function queueBoost() external {
        uint256 amount = _bgt.unboostedBalanceOf(address(this));
        _bgt.queueBoost(_pubkey, uint128(amount));
    }

    /// @inheritdoc ISmartOperator
    function activateBoost() external {
        _bgt.activateBoost(address(this), _pubkey);
    }

    /// @inheritdoc ISmartOperator
    function dropBoost() external {
        _bgt.dropBoost(address(this), _pubkey);
    }

    /// @inheritdoc ISmartOperator
    function claimBgtStakerReward() external {
        uint256 amount = _bgt.claimStakerReward();
        if (amount == 0) return;
        (bool ok,) = address(_rewardsVault).call{value: amount}("");
        if (!ok) revert TransferFailed();
        emit BgtStakerRewardClaimed(amount);
    }

    /// @inheritdoc ISmartOperator
    function accrueEarnedBGTFees() public {
        uint256 balance = _bgt.balanceOf(address(this));
        uint256 last = lastAccruedBgtBalance;
        lastAccruedBgtBalance = balance;
        if (balance <= last) return;
        IStakingPool pool = IStakingPool(stakingPool);
        // Before activation or after a full exit BGT is not part of totalAssets, so it bears no fee.
        if (!pool.isActive() || pool.isFullyExited()) return;
        uint256 earned = balance - last;
        (uint256 commissionBps, uint256 protocolBps, address protocolRecipient) = feeRates();
        (uint256 commissionShares, uint256 protocolShares) = FeeMath.splitFeeShares(
            FeeMath.feeOf(earned, commissionBps),
            FeeMath.feeOf(earned, protocolBps),
            IERC20(address(pool)).totalSupply(),
            IStBERA(address(pool)).totalAssets()
        );
        if (commissionShares > 0) pool.mintFeeShares(pool.defaultSharesRecipient(), commissionShares);
        if (protocolShares > 0) pool.mintFeeShares(protocolRecipient, protocolShares);
        emit BGTFeesAccrued(earned, commissionShares, protocolShares);
    }

    /// @notice Accepts BERA from BGT only (staker rewards).
    receive() external payable {
        if (msg.sender != address(_bgt)) revert UnexpectedSender();
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ISmartOperator
    function getCommission() public view returns (uint256) {
        return _beraChef.getValCommissionOnIncentiveTokens(_pubkey);
    }

    /// @inheritdoc ISmartOperator
    function feeRates() public view returns (uint256 commissionBps, uint256 protocolFeeBps, address recipient) {
        commissionBps = getCommission();
        recipient = _factory.protocolFeeRecipient();
        protocolFeeBps = recipient == address(0) ? 0 : protocolFeePercentage;
    }

    /// @inheritdoc ISmartOperator
    function rebaseableBgtAmount() external view returns (uint256) {
        uint256 balance = _bgt.balanceOf(address(this));
        uint256 last = lastAccruedBgtBalance;
        if (balance <= last) return balance;
        (uint256 commissionBps, uint256 protocolBps,) = feeRates();
        return last + FeeMath.netOfFees(balance - last, commissionBps, protocolBps);
    }

    /// @inheritdoc ISmartOperator
    function pubkey() external view returns (bytes memory) {
        return _pubkey;
    }
}
