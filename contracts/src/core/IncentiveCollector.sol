// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IIncentiveCollector} from "../interfaces/IIncentiveCollector.sol";
import {IStakingPoolContractsFactory} from "../interfaces/IStakingPoolContractsFactory.sol";

/// @title Per-pool incentive collector: anyone buys the accumulated incentive tokens for `payoutAmount` BERA,
/// which goes to the StakingRewardsVault as a reward (bearing commission and protocol fee when collected).
contract IncentiveCollector is Initializable, IIncentiveCollector {
    using SafeERC20 for IERC20;

    /// @notice Payout of a fresh collector.
    uint256 public constant INITIAL_PAYOUT_AMOUNT = 100 ether;

    address internal _smartOperator;
    address internal _rewardsVault;
    /// @inheritdoc IIncentiveCollector
    uint256 public payoutAmount;
    /// @inheritdoc IIncentiveCollector
    uint256 public queuedPayoutAmount;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    /// @notice Called once by the factory right after deployment.
    /// @param pubkey The validator pubkey.
    function initialize(bytes calldata pubkey) external initializer {
        IStakingPoolContractsFactory.CoreContracts memory core =
            IStakingPoolContractsFactory(msg.sender).predictStakingPoolContractsAddresses(pubkey);
        _smartOperator = core.smartOperator;
        _rewardsVault = core.stakingRewardsVault;
        payoutAmount = INITIAL_PAYOUT_AMOUNT;
    }

    /// @inheritdoc IIncentiveCollector
    function claim(address[] calldata tokens) external payable {
        uint256 payout = payoutAmount;
        if (msg.value != payout) revert IncorrectPayoutAmount();
        (bool ok,) = _rewardsVault.call{value: payout}("");
        if (!ok) revert TransferFailed();
        for (uint256 i; i < tokens.length; ++i) {
            IERC20 token = IERC20(tokens[i]);
            uint256 balance = token.balanceOf(address(this));
            if (balance > 0) token.safeTransfer(msg.sender, balance);
        }
        emit IncentivesClaimed(msg.sender, payout);
        uint256 queued = queuedPayoutAmount;
        if (queued != 0) {
            queuedPayoutAmount = 0;
            payoutAmount = queued;
            emit PayoutAmountUpdated(payout, queued);
        }
    }

    /// @inheritdoc IIncentiveCollector
    function queuePayoutAmountChange(uint256 newPayoutAmount) external {
        if (msg.sender != _smartOperator) revert Unauthorized();
        if (newPayoutAmount == 0) revert ZeroPayout();
        queuedPayoutAmount = newPayoutAmount;
        emit PayoutAmountChangeQueued(newPayoutAmount);
    }
}
