// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Deploys and activates each validator's pool contracts.
interface IStakingPoolContractsFactory {
    /// @notice The four per-pool contracts.
    struct CoreContracts {
        address smartOperator;
        address stakingPool;
        address stakingRewardsVault;
        address incentiveCollector;
    }

    /// @notice A pool's contracts were deployed.
    event StakingPoolContractsDeployed(
        bytes pubkey, address smartOperator, address stakingPool, address stakingRewardsVault, address incentiveCollector
    );
    /// @notice A pool was activated.
    event StakingPoolActivated(bytes pubkey);
    /// @notice The protocol fee recipient changed.
    event ProtocolFeeRecipientUpdated(address recipient);

    /// @notice msg.value is not FIRST_DEPOSIT_AMOUNT.
    error InvalidDepositAmount();
    /// @notice The pubkey already has an operator.
    error OperatorAlreadySet();
    /// @notice Credentials do not point at the WithdrawalVault.
    error InvalidCredentials();
    /// @notice Unknown pubkey.
    error UnknownPool();
    /// @notice The oracle has not reported FIRST_DEPOSIT_AMOUNT yet.
    error ActivationNotReady();
    /// @notice Zero address.
    error ZeroAddress();
    /// @notice Shared contracts already set.
    error AlreadySet();
    /// @notice Shared contracts not set yet.
    error NotConfigured();

    /// @notice Deploy `pubkey`'s pool contracts and make the first deposit (exactly FIRST_DEPOSIT_AMOUNT).
    function deployStakingPoolContracts(
        bytes calldata pubkey,
        bytes calldata credentials,
        bytes calldata signature,
        address validatorAdmin,
        address defaultSharesRecipient
    ) external payable returns (CoreContracts memory);
    /// @notice Anyone: activate once the oracle reported at least FIRST_DEPOSIT_AMOUNT.
    function activateStakingPool(bytes calldata pubkey) external;
    /// @notice `pubkey`'s contracts (zero addresses if none).
    function getCoreContracts(bytes calldata pubkey) external view returns (CoreContracts memory);
    /// @notice Addresses `pubkey`'s contracts have or will have.
    function predictStakingPoolContractsAddresses(bytes calldata pubkey) external view returns (CoreContracts memory);
    /// @notice Owner, once: set the WithdrawalVault and AccountingOracle.
    function setSharedContracts(address withdrawalVault, address accountingOracle) external;
    /// @notice Owner: set the protocol fee recipient.
    function setProtocolFeeRecipient(address recipient) external;
    /// @notice Owner: upgrade the StakingPool beacon.
    function upgradeStakingPoolBeaconImpl(address newImplementation) external;
    /// @notice Owner: upgrade the SmartOperator beacon.
    function upgradeSmartOperatorBeaconImpl(address newImplementation) external;
    /// @notice Owner: upgrade the StakingRewardsVault beacon.
    function upgradeStakingRewardsVaultBeaconImpl(address newImplementation) external;
    /// @notice Owner: upgrade the IncentiveCollector beacon.
    function upgradeIncentiveCollectorBeaconImpl(address newImplementation) external;

    /// @notice Governance (the owner of the factory, the vault and the oracle; admin of every SmartOperator).
    function governance() external view returns (address);
    /// @notice Recipient of protocol-fee shares.
    function protocolFeeRecipient() external view returns (address);
    /// @notice Stand-in for the consensus layer deposit contract.
    function beaconDeposit() external view returns (address);
    /// @notice The EIP-7002-style predeploy.
    function withdrawalRequests() external view returns (address);
    /// @notice The BGT token.
    function bgt() external view returns (address);
    /// @notice BeraChef.
    function beraChef() external view returns (address);
    /// @notice The shared WithdrawalVault.
    function withdrawalVault() external view returns (address);
    /// @notice The shared AccountingOracle.
    function accountingOracle() external view returns (address);
    /// @notice Beacon of the StakingPool implementation.
    function stakingPoolBeacon() external view returns (address);
    /// @notice Beacon of the SmartOperator implementation.
    function smartOperatorBeacon() external view returns (address);
    /// @notice Beacon of the StakingRewardsVault implementation.
    function stakingRewardsVaultBeacon() external view returns (address);
    /// @notice Beacon of the IncentiveCollector implementation.
    function incentiveCollectorBeacon() external view returns (address);
}
