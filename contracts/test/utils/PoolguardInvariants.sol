// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {PoolguardWorld} from "./PoolguardWorld.sol";
import {ContractActorNoReceiver} from "../../src/harness/ContractActor.sol";
import {Vm} from "./Test.sol";
import {IStakingPool} from "../../src/interfaces/IStakingPool.sol";
import {IStBERA} from "../../src/interfaces/IStBERA.sol";
import {ISmartOperator} from "../../src/interfaces/ISmartOperator.sol";
import {IWithdrawalVault} from "../../src/interfaces/IWithdrawalVault.sol";
import {IAccountingOracle} from "../../src/interfaces/IAccountingOracle.sol";
import {IBeaconDeposit} from "../../src/interfaces/IBeaconDeposit.sol";
import {IWithdrawalRequests} from "../../src/interfaces/IWithdrawalRequests.sol";
import {IBeraChef} from "../../src/interfaces/IBeraChef.sol";
import {IBGT} from "../../src/interfaces/IBGT.sol";
import {IStakingRewardsVault} from "../../src/interfaces/IStakingRewardsVault.sol";
import {IIncentiveCollector} from "../../src/interfaces/IIncentiveCollector.sol";
import {IStakingPoolContractsFactory} from "../../src/interfaces/IStakingPoolContractsFactory.sol";

/// @title poolguard's 30 invariants, its ghost model and its replay step, in Solidity.
/// @notice A port of poolguard's `invariants` crate (catalog.rs, ghost.rs, math.rs, observation.rs) and of its
/// execute/observe stages (src/execute.rs, src/observe.rs, src/actions.rs `plan`):
///
/// - `step(roll, from, to, value, data)` is one poolguard action: roll `roll` blocks (2 s each), then, unless
///   `to` is zero (a plain wait), send the transaction from `from` (msg.sender and tx.origin). A revert is
///   recorded, never propagated. Around it the world is observed exactly as `Observer::observe` does (views,
///   OpenZeppelin ERC-7201 storage for share balances and role membership, the same preview probe, picked by each pool's state),
///   the call's logs are decoded like `Observer::events`, the ghost is updated like `Ghost::update`, and all
///   30 checks run on (prev, next, step, ghost) like `check_all`. The first violation of each invariant is
///   kept (like the runner's per-invariant `seen` set).
/// - `checkInvariant(id)` reverts with `"<ID>: step <n>: <detail>"` if `id` was violated by any step so far;
///   `checkAllInvariants()` does so for the first violated invariant in catalog order.
///
/// The StepRecord's op name, pool, `system` flag, privilege and role operation, which poolguard takes from the
/// typed action, are derived here from the target address and selector (see `_classify`), with the same
/// values `Op::plan` gives for every transaction poolguard can generate.
///
/// Gaps (where this port is not bit-for-bit the Rust check):
/// - Views are STATICCALLs from this contract; poolguard runs them as non-committed calls from address 0.
///   A view that writes state or reads msg.sender would differ (none of the suite's do). Failed or
///   malformed view returns read as zero, like `unwrap_or_default`.
/// - A transaction revm rejects (sender cannot fund `value`) is a failed CALL here; the record is the same
///   (success false, no events), but revm's rejection also skips the sender's nonce bump, which no check reads.
/// - RATE-001's 512-bit price comparison saturates `x + 1` at 2^256 - 1 when a value is 2^256 - 1.
/// - Sums that Rust's U256 would wrap are computed unchecked (wrapping) here, so results match.
/// - ops other than poolguard's 46 (a call poolguard cannot generate) classify as `Unknown`: no pool, no
///   privilege, no role operation.
/// - In the forge invariant suite the world is driven by PoolguardHandler, whose argument bounds mirror
///   poolguard's strategy but whose selection weights are forge's (uniform over handler functions).
abstract contract PoolguardInvariants is PoolguardWorld {
    // ------------------------------------------------------------------ constants

    uint256 internal constant MAX_BPS = 2000;
    uint256 internal constant DUST = 1_000_000;
    uint256 internal constant NUM_INVARIANTS = 37;
    bytes32 internal constant ERC20_STORAGE = 0x52c63247e1f47db19d5ce0460030c497f067ca4cebf71ba98eeadabe20bace00;
    bytes32 internal constant ACCESS_CONTROL_STORAGE =
        0x02dd7bc7dec4dceedda775e58dd541e08a116c6c53815c0bd028192f7b626800;
    bytes32 internal constant UPGRADED = keccak256("Upgraded(address)");
    bytes32 internal constant TRANSFER = keccak256("Transfer(address,address,uint256)");
    uint256 internal constant NO_INDEX = type(uint256).max;

    // Op kinds (poolguard `OpKind`), plus Unknown.
    uint8 internal constant OP_SUBMIT = 0;
    uint8 internal constant OP_SEND_TO_POOL = 1;
    uint8 internal constant OP_DONATE_TO_REWARDS_VAULT = 2;
    uint8 internal constant OP_DONATE_TO_WITHDRAWAL_VAULT = 3;
    uint8 internal constant OP_TRANSFER_SHARES = 4;
    uint8 internal constant OP_APPROVE_SHARES = 5;
    uint8 internal constant OP_TRANSFER_SHARES_FROM = 6;
    uint8 internal constant OP_REQUEST_WITHDRAWAL = 7;
    uint8 internal constant OP_REQUEST_REDEEM = 8;
    uint8 internal constant OP_FINALIZE = 9;
    uint8 internal constant OP_FINALIZE_ALL = 10;
    uint8 internal constant OP_SEND_PENDING_EXIT = 11;
    uint8 internal constant OP_ORACLE_REPORT = 12;
    uint8 internal constant OP_CL_REWARD = 13;
    uint8 internal constant OP_CL_PENALTY = 14;
    uint8 internal constant OP_CL_PROCESS_WITHDRAWALS = 15;
    uint8 internal constant OP_MINT_BGT = 16;
    uint8 internal constant OP_BGT_STAKER_REWARD = 17;
    uint8 internal constant OP_MINT_INCENTIVES = 18;
    uint8 internal constant OP_CLAIM_INCENTIVES = 19;
    uint8 internal constant OP_PROCESS_REWARDS = 20;
    uint8 internal constant OP_ACCRUE_BGT_FEES = 21;
    uint8 internal constant OP_QUEUE_BOOST = 22;
    uint8 internal constant OP_ACTIVATE_BOOST = 23;
    uint8 internal constant OP_QUEUE_DROP_BOOST = 24;
    uint8 internal constant OP_DROP_BOOST = 25;
    uint8 internal constant OP_REDEEM_BGT = 26;
    uint8 internal constant OP_CLAIM_BGT_STAKER_REWARD = 27;
    uint8 internal constant OP_QUEUE_COMMISSION = 28;
    uint8 internal constant OP_ACTIVATE_COMMISSION = 29;
    uint8 internal constant OP_SET_PROTOCOL_FEE = 30;
    uint8 internal constant OP_QUEUE_REWARDS_ALLOCATION = 31;
    uint8 internal constant OP_QUEUE_PAYOUT_CHANGE = 32;
    uint8 internal constant OP_GRANT_ROLE = 33;
    uint8 internal constant OP_REVOKE_ROLE = 34;
    uint8 internal constant OP_RENOUNCE_ROLE = 35;
    uint8 internal constant OP_GRANT_FEEDER = 36;
    uint8 internal constant OP_PAUSE_POOL = 37;
    uint8 internal constant OP_UNPAUSE_POOL = 38;
    uint8 internal constant OP_PAUSE_VAULT = 39;
    uint8 internal constant OP_UNPAUSE_VAULT = 40;
    uint8 internal constant OP_SET_MIN_EFFECTIVE_BALANCE = 41;
    uint8 internal constant OP_SET_ORACLE_BOUNDS = 42;
    uint8 internal constant OP_SET_PROTOCOL_FEE_RECIPIENT = 43;
    uint8 internal constant OP_UPGRADE = 44;
    uint8 internal constant OP_WAIT = 45;
    uint8 internal constant OP_TRANSFER_OWNERSHIP = 46;
    uint8 internal constant OP_UNKNOWN = 47;

    // Privilege kinds (poolguard `Privilege`).
    uint8 internal constant PRIV_NONE = 0;
    uint8 internal constant PRIV_GOVERNANCE = 1;
    uint8 internal constant PRIV_POOL_ROLE = 2;
    uint8 internal constant PRIV_FEEDER = 3;

    // Role operations (poolguard `RoleOp`).
    uint8 internal constant ROLEOP_NONE = 0;
    uint8 internal constant ROLEOP_GRANT = 1;
    uint8 internal constant ROLEOP_REVOKE = 2;
    uint8 internal constant ROLEOP_RENOUNCE = 3;

    // ------------------------------------------------------------------ observation types

    /// @notice poolguard `PoolObservation`. `roles[r]` is a bitmask over actor indexes.
    struct PoolObs {
        uint256 totalSupply;
        uint256 totalAssets;
        uint256 totalDeposits;
        uint256 bufferedAssets;
        uint256 pendingRewardsNet;
        uint256 rebaseableBgt;
        uint256 deadShares;
        uint256 frozenTotalAssets;
        uint256 minEffectiveBalance;
        bool minEffectiveBalanceReached;
        bool isActive;
        bool isFullyExited;
        bool paused;
        uint256 poolBalance;
        uint256 rewardsVaultBalance;
        uint256 precharged;
        uint256 operatorBgt;
        uint256 lastAccruedBgt;
        uint256 commissionBps;
        uint256 queuedCommissionBps;
        uint256 protocolFeeBps;
        uint256 effectiveProtocolFeeBps;
        address protocolFeeRecipient;
        uint256 clBalance;
        uint256 pendingClWithdrawals;
        uint256 expectedClBalance;
        uint256 clWithdrawalsRequested;
        uint256 clWithdrawn;
        uint256 vaultFunds;
        /// The vault's `_funds` for the pool plus the stand-in's payouts not yet booked, from storage.
        uint256 vaultFundsInStorage;
        uint256 vaultOwed;
        uint256 lastReportBalance;
        uint256 lastReportSlot;
        address defaultSharesRecipient;
        uint256[] shareBalances;
        uint256[7] roles;
        /// (probe, previewDeposit, previewMint, previewWithdraw, previewRedeem)
        /// probe, previewDeposit, previewMint, previewWithdraw, previewRedeem, convertToShares, convertToAssets.
        uint256[7] previews;
    }

    /// @notice poolguard `RequestObservation`; `pool` is NO_INDEX for "None".
    struct ReqObs {
        uint256 pool;
        address user;
        uint256 assets;
        uint256 shares;
        uint256 blockNumber;
        bool finalized;
    }

    /// @notice poolguard `Observation`; `feeders` is a bitmask over actor indexes.
    struct Obs {
        uint256 blockNumber;
        PoolObs[] pools;
        uint256[] actorBera;
        address governance;
        /// The WithdrawalVault's owner (OZ's Ownable namespace).
        address vaultOwner;
        uint256 feeders;
        uint256 boundUp;
        uint256 boundDown;
        uint256 withdrawalVaultBalance;
        bool withdrawalVaultPaused;
        ReqObs[] requests;
        /// BERA of each contract that only passes BERA on: per pool SmartOperator then IncentiveCollector, then the
        /// AccountingOracle and the factory (poolguard's `forwarders`).
        uint256[] forwarderBera;
        /// Every request queued at the withdrawal predeploy (poolguard's `cl_requests`).
        ClReqObs[] clRequests;
        /// BERA held by the withdrawal predeploy (poolguard's `cl_request_fees`).
        uint256 clRequestFees;
        /// How many of `clRequests` the consensus layer processed (poolguard's `cl_requests_processed`).
        uint256 clRequestsProcessed;
        /// What each proxy runs, from storage (poolguard's `implementations`): the ERC-1967 implementation slot of
        /// the factory, vault and oracle, each pool proxy's ERC-1967 beacon slot, and each beacon's implementation.
        address[] implementations;
    }

    /// @notice poolguard `ClRequestObservation`; `pool` is NO_INDEX for "None".
    struct ClReqObs {
        uint256 pool;
        uint64 amountGwei;
        /// Whether the WithdrawalVault (the withdrawal credentials) queued it.
        bool fromVault;
    }

    struct DepositEv {
        uint256 pool;
        address sender;
        address receiver;
        uint256 assets;
        uint256 shares;
    }

    struct FeeMintEv {
        uint256 pool;
        address recipient;
        uint256 shares;
    }

    struct BurnEv {
        uint256 pool;
        address user;
        uint256 assets;
        uint256 shares;
    }

    struct AmountEv {
        uint256 pool;
        uint256 amount;
    }

    struct FinalizedEv {
        uint256 id;
        address user;
        uint256 assets;
    }

    struct ReportEv {
        uint256 pool;
        uint256 value;
        uint256 refSlot;
    }

    struct TransferEv {
        uint256 pool;
        address from;
        address to;
        uint256 amount;
    }

    /// @notice poolguard `StepEvents`.
    struct Events {
        DepositEv[] deposits;
        FeeMintEv[] feeMints;
        BurnEv[] burns;
        AmountEv[] rewards;
        AmountEv[] penalties;
        uint256[] fullExits;
        uint256[] requested;
        FinalizedEv[] finalized;
        ReportEv[] reports;
        TransferEv[] shareTransfers;
        uint256 upgrades;
    }

    /// @notice poolguard `StepRecord` (pool NO_INDEX for None; roleOpAccount NO_INDEX for a non-actor).
    struct StepRec {
        uint256 index;
        uint8 op;
        bool system;
        address caller;
        uint256 pool;
        uint8 privKind;
        uint256 privPool;
        uint8 privRole;
        uint8 roleOpKind;
        uint256 roleOpPool;
        uint8 roleOpRole;
        uint256 roleOpAccount;
        bool success;
        /// Whether the calldata names the attacker (an ABI-encoded address word).
        bool namesAttacker;
        /// The selector of the custom error a reverted call returned (zero when none).
        bytes4 revertSelector;
        /// What a request asks for (assets of requestWithdrawal, shares of requestRedeem) and whether it is known.
        uint256 requestAmount;
        bool requestAmountKnown;
        /// The request ids a finalize call names (poolguard's `request_ids`).
        uint256[] requestIds;
        /// Whether the step's governance privilege is the WithdrawalVault's (its owner), not the factory's.
        bool vaultGoverned;
        /// What an oracle report's calldata says (poolguard's `SuiteCall::report`): balanceGwei × 1e9 (and whether
        /// it fits in 256 bits) and refSlot.
        uint256 reportBalance;
        bool reportBalanceKnown;
        uint256 reportRefSlot;
        /// The BERA the caller sends with the call (a contract actor's: the value its `exec` passes on).
        uint256 value;
        Events events;
    }

    // ------------------------------------------------------------------ state

    /// @notice Ghost (poolguard `Ghost`), per actor index / per pool.
    uint256[] internal ghostDeposited;
    uint256[] internal ghostPaidOut;
    uint256[] internal ghostGain;
    bool[] internal ghostTainted;
    /// Per pool: whether the ghost has seen it active (its dead shares are then SPEC_FIRST_DEPOSIT_AMOUNT).
    bool[] internal ghostActivated;
    /// SPEC's FIRST_DEPOSIT_AMOUNT (invariants/src/formulas.rs), not the suite's constant: the dead shares' floor.
    uint256 internal constant SPEC_FIRST_DEPOSIT_AMOUNT = 10_000 ether;
    uint256[] internal ghostExitShortfall;
    uint256[] internal ghostLiveClLosses;
    /// @notice Per request id `i+1`: the block of the step the harness first saw it in (poolguard's `request_blocks`).
    uint256[] internal ghostRequestBlock;
    /// @notice Per pool: the refSlot of the last report the harness saw accepted, after and before the step
    /// (poolguard's `ref_slots`, `ref_slots_before`).
    uint256[] internal ghostRefSlot;
    uint256[] internal ghostRefSlotBefore;

    /// @notice Steps run so far (the next step's index).
    uint256 public stepCount;
    /// @notice Whether the last step's call succeeded.
    bool public lastStepSuccess;
    /// @notice First violation message of each invariant, catalog order; empty while it holds.
    string[37] internal _violations;
    uint256 public violationCount;

    /// @notice The observation after the last step, `prev` of the next one (see `refreshObservation`).
    bytes internal _cachedObs;
    bool internal _cachedObsValid;

    /// @notice 1 + pool index of each per-pool contract (poolguard `pool_of`).
    mapping(address => uint256) internal _poolOf;
    bytes32[NUM_POOLS] internal _pubkeyHash;
    /// @notice contract => storage slot => 1 + (role index * 256 + actor index) for the slots poolguard reads
    /// directly: stBERA balances (StakingPools), role membership (SmartOperators), FEEDER_ROLE (oracle).
    mapping(address => mapping(bytes32 => uint256)) internal _slotCode;

    // ------------------------------------------------------------------ catalog

    function catalogIds() public pure returns (string[37] memory) {
        return [
            "SHARE-001",
            "SHARE-002",
            "SHARE-003",
            "ACCT-001",
            "ACCT-002",
            "ACCT-003",
            "ACCT-004",
            "WD-001",
            "WD-002",
            "WD-003",
            "VALUE-001",
            "VALUE-002",
            "VALUE-003",
            "VALUE-004",
            "RATE-001",
            "FEE-001",
            "FEE-002",
            "ACCESS-001",
            "ACCESS-002",
            "ACCESS-003",
            "ACCESS-004",
            "ACCESS-005",
            "ACCESS-006",
            "PAUSE-001",
            "EXIT-001",
            "EXIT-002",
            "EXIT-003",
            "ORACLE-001",
            "ORACLE-002",
            "ORACLE-003",
            "LIVE-001",
            "LIVE-002",
            "LIVE-003",
            "LIVE-004",
            "LIVE-005",
            "LIVE-006",
            "LIVE-007"
        ];
    }

    function opName(uint8 op) public pure returns (string memory) {
        string[48] memory names = [
            "Submit",
            "SendToPool",
            "DonateToRewardsVault",
            "DonateToWithdrawalVault",
            "TransferShares",
            "ApproveShares",
            "TransferSharesFrom",
            "RequestWithdrawal",
            "RequestRedeem",
            "Finalize",
            "FinalizeAll",
            "SendPendingExit",
            "OracleReport",
            "ClReward",
            "ClPenalty",
            "ClProcessWithdrawals",
            "MintBgt",
            "BgtStakerReward",
            "MintIncentives",
            "ClaimIncentives",
            "ProcessRewards",
            "AccrueBgtFees",
            "QueueBoost",
            "ActivateBoost",
            "QueueDropBoost",
            "DropBoost",
            "RedeemBgt",
            "ClaimBgtStakerReward",
            "QueueCommission",
            "ActivateCommission",
            "SetProtocolFee",
            "QueueRewardsAllocation",
            "QueuePayoutChange",
            "GrantRole",
            "RevokeRole",
            "RenounceRole",
            "GrantFeeder",
            "PausePool",
            "UnpausePool",
            "PauseVault",
            "UnpauseVault",
            "SetMinEffectiveBalance",
            "SetOracleBounds",
            "SetProtocolFeeRecipient",
            "Upgrade",
            "Wait",
            "TransferOwnership",
            "Unknown"
        ];
        return names[op < 48 ? op : 47];
    }

    /// @notice Catalog index of `id`; reverts for an unknown id.
    function catalogIndex(string memory id) public pure returns (uint256) {
        string[37] memory ids = catalogIds();
        bytes32 h = keccak256(bytes(id));
        for (uint256 k = 0; k < NUM_INVARIANTS; k++) {
            if (keccak256(bytes(ids[k])) == h) return k;
        }
        revert(string.concat("unknown invariant id ", id));
    }

    /// @notice The first recorded violation of `id` ("" while it holds).
    function violation(string memory id) public view returns (string memory) {
        return _violations[catalogIndex(id)];
    }

    /// @notice Fails (reverts with a message starting with `id`) if invariant `id` was violated by any step.
    function checkInvariant(string memory id) internal view {
        string memory v = _violations[catalogIndex(id)];
        if (bytes(v).length != 0) revert(v);
    }

    /// @notice Fails with the first violated invariant, in catalog order.
    function checkAllInvariants() internal view {
        if (violationCount == 0) return;
        for (uint256 k = 0; k < NUM_INVARIANTS; k++) {
            if (bytes(_violations[k]).length != 0) revert(_violations[k]);
        }
    }

    // ------------------------------------------------------------------ set-up

    function _afterDeployWorld() internal virtual override {
        for (uint256 i = 0; i < NUM_POOLS; i++) {
            _poolOf[_pools[i].stakingPool] = i + 1;
            _poolOf[_pools[i].smartOperator] = i + 1;
            _poolOf[_pools[i].rewardsVault] = i + 1;
            _poolOf[_pools[i].incentiveCollector] = i + 1;
            _pubkeyHash[i] = keccak256(_pools[i].pubkey);
        }
        _buildSlotCodes();
        _cachedObsValid = false;
        stepCount = 0;
        // Ghost::new(initial observation): holders at the start (dead shares) are tainted.
        uint256 n = _actors.length;
        Obs memory initial = _observe();
        delete ghostDeposited;
        delete ghostPaidOut;
        delete ghostGain;
        delete ghostTainted;
        delete ghostExitShortfall;
        delete ghostLiveClLosses;
        delete ghostRequestBlock;
        for (uint256 k = 0; k < initial.requests.length; k++) {
            ghostRequestBlock.push(initial.requests[k].blockNumber);
        }
        for (uint256 a = 0; a < n; a++) {
            bool holder = false;
            for (uint256 i = 0; i < NUM_POOLS; i++) {
                if (initial.pools[i].shareBalances[a] != 0) holder = true;
            }
            ghostDeposited.push(0);
            ghostPaidOut.push(0);
            ghostGain.push(0);
            ghostTainted.push(holder);
        }
        delete ghostRefSlot;
        delete ghostRefSlotBefore;
        delete ghostActivated;
        for (uint256 i = 0; i < NUM_POOLS; i++) {
            ghostActivated.push(initial.pools[i].isActive);
            ghostExitShortfall.push(0);
            ghostLiveClLosses.push(0);
            ghostRefSlot.push(initial.pools[i].lastReportSlot);
            ghostRefSlotBefore.push(initial.pools[i].lastReportSlot);
        }
    }

    // ------------------------------------------------------------------ the replay primitive

    /// @notice Call after changing the world outside `step` (direct calls, cheatcodes) between two steps, so
    /// that the next step observes its `prev` afresh instead of reusing the previous step's `next`.
    function refreshObservation() internal {
        _cachedObsValid = false;
    }

    /// @notice One poolguard action: roll, call (unless `to` is zero), observe, update the ghost, check.
    /// @return success Whether the call succeeded (true for a plain roll).
    function step(uint32 roll, address from, address to, uint256 value, bytes memory data)
        internal
        returns (bool success)
    {
        uint256 index = stepCount;
        // poolguard's `prev` is the observation taken after the previous step (before this step's roll).
        Obs memory prev = _cachedObsValid ? abi.decode(_cachedObs, (Obs)) : _observe();
        vm.roll(block.number + roll);
        vm.warp(block.timestamp + uint256(roll) * BLOCK_TIME);
        StepRec memory rec = _classify(from, to, data, value);
        rec.index = index;
        rec.success = true;
        Writes memory w = _noWrites();
        if (to != address(0)) {
            vm.recordLogs();
            vm.record();
            vm.prank(from, from);
            bytes memory returned;
            (success, returned) = to.call{value: value}(data);
            if (!success && returned.length >= 4) rec.revertSelector = bytes4(returned);
            w = _recordedWrites();
            vm.stopRecord();
            Vm.Log[] memory logs = vm.getRecordedLogs();
            rec.success = success;
            if (success) rec.events = _decodeEvents(logs);
        } else {
            success = true;
        }
        Obs memory next = _observeAfter(prev, w);
        _updateGhost(prev, next, rec);
        _runChecks(prev, next, rec);
        _cachedObs = abi.encode(next);
        _cachedObsValid = true;
        stepCount = index + 1;
        lastStepSuccess = success;
    }

    /// @notice `step` with the sender given as poolguard's caller byte (index into `actors()` modulo its length).
    function stepAs(uint8 caller, uint32 roll, address to, uint256 value, bytes memory data)
        internal
        returns (bool)
    {
        return step(roll, actorAt(caller), to, value, data);
    }

    // ------------------------------------------------------------------ observe

    /// @notice Storage slots written by a step's call, for the storage poolguard reads directly (share
    /// balances, role membership, FEEDER_ROLE): only those slots can have changed, so only they are re-read.
    struct Writes {
        bytes32[][NUM_POOLS] stakingPool;
        bytes32[][NUM_POOLS] smartOperator;
        bytes32[] oracle;
    }

    function _noWrites() private pure returns (Writes memory w) {
        for (uint256 i = 0; i < NUM_POOLS; i++) {
            w.stakingPool[i] = new bytes32[](0);
            w.smartOperator[i] = new bytes32[](0);
        }
        w.oracle = new bytes32[](0);
    }

    function _recordedWrites() private returns (Writes memory w) {
        for (uint256 i = 0; i < NUM_POOLS; i++) {
            (, w.stakingPool[i]) = vm.accesses(_pools[i].stakingPool);
            (, w.smartOperator[i]) = vm.accesses(_pools[i].smartOperator);
        }
        (, w.oracle) = vm.accesses(accountingOracle);
    }

    /// @notice Reverts if the observation `step` keeps for the next step's `prev` differs from a full
    /// observation of the world now in the directly-read storage (a self-check of the incremental reads).
    function _assertObservationCacheFresh() internal view {
        if (!_cachedObsValid) return;
        Obs memory cached = abi.decode(_cachedObs, (Obs));
        Obs memory fresh = _observe();
        require(cached.feeders == fresh.feeders, "observation cache: feeders differ");
        for (uint256 i = 0; i < NUM_POOLS; i++) {
            for (uint256 r = 0; r < NUM_ROLES; r++) {
                require(cached.pools[i].roles[r] == fresh.pools[i].roles[r], "observation cache: roles differ");
            }
            for (uint256 a = 0; a < _actors.length; a++) {
                require(
                    cached.pools[i].shareBalances[a] == fresh.pools[i].shareBalances[a],
                    "observation cache: share balances differ"
                );
            }
        }
    }

    /// @notice A full observation (poolguard `Observer::observe`).
    function _observe() internal view returns (Obs memory o) {
        o = _observeViews();
        uint256 n = _actors.length;
        bytes32 feederRole = keccak256("FEEDER_ROLE");
        for (uint256 a = 0; a < n; a++) {
            if (_hasRole(accountingOracle, feederRole, _actors[a])) o.feeders |= (uint256(1) << a);
        }
        for (uint256 i = 0; i < NUM_POOLS; i++) {
            PoolObs memory p = o.pools[i];
            address sp = _pools[i].stakingPool;
            address op = _pools[i].smartOperator;
            p.shareBalances = new uint256[](n);
            for (uint256 a = 0; a < n; a++) {
                p.shareBalances[a] = uint256(vm.load(sp, _shareSlot(_actors[a])));
            }
            for (uint8 r = 0; r < NUM_ROLES; r++) {
                bytes32 base = keccak256(abi.encode(roleId(r), ACCESS_CONTROL_STORAGE));
                uint256 bits = 0;
                for (uint256 a = 0; a < n; a++) {
                    if (vm.load(op, keccak256(abi.encode(_actors[a], base))) != bytes32(0)) bits |= (uint256(1) << a);
                }
                p.roles[r] = bits;
            }
        }
    }

    /// @notice The observation after a step: the same values as `_observe`, with the directly-read storage
    /// (share balances, roles, feeders) taken from `prev` except for the slots the step wrote, which are
    /// re-read (the slot -> (actor, role) maps are built at deployment).
    function _observeAfter(Obs memory prev, Writes memory w) internal view returns (Obs memory o) {
        o = _observeViews();
        o.feeders = prev.feeders;
        for (uint256 k = 0; k < w.oracle.length; k++) {
            uint256 code = _slotCode[accountingOracle][w.oracle[k]];
            if (code == 0) continue;
            uint256 a = code - 1;
            bool has = vm.load(accountingOracle, w.oracle[k]) != bytes32(0);
            o.feeders = has ? o.feeders | (uint256(1) << a) : o.feeders & ~(uint256(1) << a);
        }
        for (uint256 i = 0; i < NUM_POOLS; i++) {
            _applyPoolWrites(o.pools[i], prev.pools[i], i, w.stakingPool[i], w.smartOperator[i]);
        }
    }

    function _applyPoolWrites(
        PoolObs memory p,
        PoolObs memory before,
        uint256 i,
        bytes32[] memory poolWrites,
        bytes32[] memory operatorWrites
    ) private view {
        address sp = _pools[i].stakingPool;
        address op = _pools[i].smartOperator;
        uint256 n = before.shareBalances.length;
        p.shareBalances = new uint256[](n);
        for (uint256 a = 0; a < n; a++) {
            p.shareBalances[a] = before.shareBalances[a];
        }
        for (uint256 k = 0; k < poolWrites.length; k++) {
            uint256 code = _slotCode[sp][poolWrites[k]];
            if (code != 0) p.shareBalances[code - 1] = uint256(vm.load(sp, poolWrites[k]));
        }
        for (uint256 r = 0; r < NUM_ROLES; r++) {
            p.roles[r] = before.roles[r];
        }
        for (uint256 k = 0; k < operatorWrites.length; k++) {
            uint256 code = _slotCode[op][operatorWrites[k]];
            if (code == 0) continue;
            uint256 r = (code - 1) / 256;
            uint256 a = (code - 1) % 256;
            bool has = vm.load(op, operatorWrites[k]) != bytes32(0);
            p.roles[r] = has ? p.roles[r] | (uint256(1) << a) : p.roles[r] & ~(uint256(1) << a);
        }
    }

    function _shareSlot(address who) private pure returns (bytes32) {
        return keccak256(abi.encode(who, ERC20_STORAGE));
    }

    /// @notice Records which storage slot of which contract holds which actor's balance or role bit.
    function _buildSlotCodes() private {
        bytes32 feederBase = keccak256(abi.encode(keccak256("FEEDER_ROLE"), ACCESS_CONTROL_STORAGE));
        for (uint256 a = 0; a < _actors.length; a++) {
            address who = _actors[a];
            _slotCode[accountingOracle][keccak256(abi.encode(who, feederBase))] = a + 1;
            for (uint256 i = 0; i < NUM_POOLS; i++) {
                _slotCode[_pools[i].stakingPool][_shareSlot(who)] = a + 1;
                for (uint8 r = 0; r < NUM_ROLES; r++) {
                    bytes32 base = keccak256(abi.encode(roleId(r), ACCESS_CONTROL_STORAGE));
                    _slotCode[_pools[i].smartOperator][keccak256(abi.encode(who, base))] = uint256(r) * 256 + a + 1;
                }
            }
        }
    }

    /// @notice Everything but the directly-read storage.
    function _observeViews() private view returns (Obs memory o) {
        uint256 n = _actors.length;
        o.blockNumber = block.number;
        o.pools = new PoolObs[](NUM_POOLS);
        for (uint256 i = 0; i < NUM_POOLS; i++) {
            o.pools[i] = _observePool(i);
        }
        o.actorBera = new uint256[](n);
        for (uint256 a = 0; a < n; a++) {
            o.actorBera[a] = _actors[a].balance;
        }
        o.governance = _ownerInStorage(factory);
        o.vaultOwner = _ownerInStorage(withdrawalVault);
        o.boundUp = _vu(accountingOracle, abi.encodeCall(IAccountingOracle.maxIncreaseBps, ()));
        o.boundDown = _vu(accountingOracle, abi.encodeCall(IAccountingOracle.maxDecreaseBps, ()));
        o.withdrawalVaultBalance = withdrawalVault.balance;
        o.withdrawalVaultPaused = _pausedInStorage(withdrawalVault);
        o.requests = _observeRequests();
        o.forwarderBera = new uint256[](2 * NUM_POOLS + 2);
        for (uint256 i = 0; i < NUM_POOLS; i++) {
            o.forwarderBera[2 * i] = _pools[i].smartOperator.balance;
            o.forwarderBera[2 * i + 1] = _pools[i].incentiveCollector.balance;
        }
        o.forwarderBera[2 * NUM_POOLS] = accountingOracle.balance;
        o.forwarderBera[2 * NUM_POOLS + 1] = factory.balance;
        o.clRequests = _observeClRequests();
        o.clRequestFees = withdrawalRequests.balance;
        o.clRequestsProcessed = _satSub(o.clRequests.length, IWithdrawalRequests(withdrawalRequests).pendingCount());
        o.implementations = _observeImplementations();
    }

    bytes32 internal constant ERC1967_IMPLEMENTATION = 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc;
    bytes32 internal constant ERC1967_BEACON = 0xa3f0ad74e5423aebfd80d3ef4346578335a9a72aeaee59ff6cb3582b35133d50;
    /// @notice `UpgradeableBeacon._implementation` (OZ 5: after Ownable's `_owner`), from solc's layout.
    uint256 internal constant BEACON_IMPLEMENTATION_SLOT = 1;
    /// @notice OZ's Ownable namespace: `_owner` is its first word.
    bytes32 internal constant OWNABLE_STORAGE = 0x9016d09d72d40fdae2fd8ceac6b6234c7706214fd39c1cd1e609a0528c199300;
    /// @notice WithdrawalVault `_funds` and `_attributedWithdrawn` (solc's layout, storage-layout.json).
    uint256 internal constant VAULT_FUNDS_SLOT = 4;
    uint256 internal constant VAULT_ATTRIBUTED_SLOT = 5;

    function _ownerInStorage(address target) internal view returns (address) {
        return address(uint160(uint256(vm.load(target, OWNABLE_STORAGE))));
    }

    function _observeImplementations() private view returns (address[] memory out) {
        out = new address[](3 + 5 * NUM_POOLS);
        out[0] = address(uint160(uint256(vm.load(factory, ERC1967_IMPLEMENTATION))));
        out[1] = address(uint160(uint256(vm.load(withdrawalVault, ERC1967_IMPLEMENTATION))));
        out[2] = address(uint160(uint256(vm.load(accountingOracle, ERC1967_IMPLEMENTATION))));
        for (uint256 i = 0; i < NUM_POOLS; i++) {
            Pool storage pool = _pools[i];
            address[4] memory proxies = [pool.stakingPool, pool.smartOperator, pool.rewardsVault, pool.incentiveCollector];
            for (uint256 k = 0; k < 4; k++) {
                out[3 + 5 * i + k] = address(uint160(uint256(vm.load(proxies[k], ERC1967_BEACON))));
            }
            // The StakingPool's beacon's implementation (each pool's other beacons are the same contracts as
            // pool 0's; their implementations change only with the same beacon's).
            out[3 + 5 * i + 4] = address(uint160(uint256(vm.load(out[3 + 5 * i], bytes32(BEACON_IMPLEMENTATION_SLOT)))));
        }
    }

    function _observeClRequests() private view returns (ClReqObs[] memory reqs) {
        IWithdrawalRequests queue = IWithdrawalRequests(withdrawalRequests);
        reqs = new ClReqObs[](queue.requestCount());
        for (uint256 k = 0; k < reqs.length; k++) {
            (address source, bytes memory pubkey, uint64 amountGwei) = queue.getRequest(k);
            reqs[k] = ClReqObs({
                pool: _poolOfPubkeyHash(keccak256(pubkey)), amountGwei: amountGwei, fromVault: source == withdrawalVault
            });
        }
    }

    function _observeRequests() private view returns (ReqObs[] memory reqs) {
        uint256 count = _vu(withdrawalVault, abi.encodeCall(IWithdrawalVault.requestCount, ()));
        if (count > 100_000) count = 0; // a broken count view: poolguard's u64 loop would not end either
        reqs = new ReqObs[](count);
        for (uint256 id = 1; id <= count; id++) {
            ReqObs memory r = reqs[id - 1];
            r.pool = NO_INDEX;
            (bool ok, bytes memory ret) =
                withdrawalVault.staticcall(abi.encodeCall(IWithdrawalVault.getRequest, (id)));
            if (ok && ret.length >= 7 * 32) {
                IWithdrawalVault.WithdrawalRequest memory w = abi.decode(ret, (IWithdrawalVault.WithdrawalRequest));
                r.pool = _poolOfPubkeyHash(keccak256(w.pubkey));
                r.user = w.user;
                r.assets = w.assetsRequested;
                r.shares = w.sharesBurnt;
                r.blockNumber = w.requestBlock;
            }
            r.finalized = _vu(withdrawalVault, abi.encodeCall(IWithdrawalVault.isFinalized, (id))) != 0;
        }
    }

    /// @notice The probe amount a pool with this supply and these assets is previewed at (poolguard `probe_for`):
    /// chosen by the pool's state, so a pool a step left unchanged is previewed at the same amount as before.
    function _probeFor(uint256 supply, uint256 assets) private pure returns (uint256) {
        uint256[3] memory probes = [uint256(1), 1_000_000_000_000_000_007, 123_456_789_000_000_000_000_000];
        unchecked {
            uint64 low = uint64(assets);
            uint64 word = uint64(supply) ^ ((low << 29) | (low >> 35));
            uint64 mixed = (word * 0x9E3779B97F4A7C15) >> 32;
            return probes[mixed % 3];
        }
    }

    function _observePool(uint256 i) private view returns (PoolObs memory p) {
        Pool storage pool = _pools[i];
        address sp = pool.stakingPool;
        address op = pool.smartOperator;
        bytes memory key = pool.pubkey;
        p.totalSupply = _vu(sp, abi.encodeWithSignature("totalSupply()"));
        p.totalAssets = _vu(sp, abi.encodeCall(IStBERA.totalAssets, ()));
        p.totalDeposits = _vu(sp, abi.encodeCall(IStakingPool.totalDeposits, ()));
        p.bufferedAssets = _vu(sp, abi.encodeCall(IStakingPool.bufferedAssets, ()));
        p.pendingRewardsNet = _vu(sp, abi.encodeCall(IStakingPool.pendingRewardsNetOfFees, ()));
        p.rebaseableBgt = _vu(op, abi.encodeCall(ISmartOperator.rebaseableBgtAmount, ()));
        p.deadShares = _vu(sp, abi.encodeCall(IStakingPool.deadShares, ()));
        p.frozenTotalAssets = _vu(sp, abi.encodeCall(IStakingPool.frozenTotalAssets, ()));
        p.minEffectiveBalance = _vu(sp, abi.encodeCall(IStakingPool.minEffectiveBalance, ()));
        p.minEffectiveBalanceReached = _vu(sp, abi.encodeCall(IStakingPool.minEffectiveBalanceReached, ())) != 0;
        p.isActive = _vu(sp, abi.encodeCall(IStakingPool.isActive, ())) != 0;
        p.isFullyExited = _vu(sp, abi.encodeCall(IStakingPool.isFullyExited, ())) != 0;
        p.paused = _pausedInStorage(sp);
        p.poolBalance = sp.balance;
        p.rewardsVaultBalance = pool.rewardsVault.balance;
        p.precharged = _vu(pool.rewardsVault, abi.encodeCall(IStakingRewardsVault.prechargedAmount, ()));
        p.operatorBgt = _vu(bgt, abi.encodeCall(IBGT.balanceOf, (op)));
        p.lastAccruedBgt = _vu(op, abi.encodeCall(ISmartOperator.lastAccruedBgtBalance, ()));
        // The rates SPEC puts in force (BeraChef's active commission, the getters), not feeRates().
        p.commissionBps = _vu(beraChef, abi.encodeCall(IBeraChef.getValCommissionOnIncentiveTokens, (key)));
        (, p.queuedCommissionBps) =
            _v2(beraChef, abi.encodeCall(IBeraChef.getValQueuedCommissionOnIncentiveTokens, (key)), 2);
        p.protocolFeeBps = _vu(op, abi.encodeCall(ISmartOperator.protocolFeePercentage, ()));
        p.protocolFeeRecipient = address(uint160(_vu(factory, abi.encodeWithSignature("protocolFeeRecipient()"))));
        p.effectiveProtocolFeeBps = p.protocolFeeRecipient == address(0) ? 0 : p.protocolFeeBps;
        p.clBalance = _vu(beaconDeposit, abi.encodeCall(IBeaconDeposit.validatorBalance, (key)));
        p.pendingClWithdrawals = _vu(sp, abi.encodeCall(IStakingPool.pendingClWithdrawals, ()));
        p.expectedClBalance = _vu(sp, abi.encodeCall(IStakingPool.expectedClBalance, ()));
        p.clWithdrawalsRequested = _vu(sp, abi.encodeCall(IStakingPool.clWithdrawalsRequested, ()));
        p.clWithdrawn = _vu(beaconDeposit, abi.encodeCall(IBeaconDeposit.withdrawnAmount, (key)));
        p.vaultFunds = _vu(withdrawalVault, abi.encodeCall(IWithdrawalVault.poolFunds, (key)));
        {
            bytes32 h = keccak256(key);
            uint256 booked = uint256(vm.load(withdrawalVault, keccak256(abi.encode(h, VAULT_FUNDS_SLOT))));
            uint256 attributed = uint256(vm.load(withdrawalVault, keccak256(abi.encode(h, VAULT_ATTRIBUTED_SLOT))));
            p.vaultFundsInStorage = booked + _satSub(p.clWithdrawn, attributed);
        }
        p.vaultOwed = _vu(withdrawalVault, abi.encodeCall(IWithdrawalVault.poolOwed, (key)));
        (p.lastReportBalance, p.lastReportSlot) =
            _v2(accountingOracle, abi.encodeCall(IAccountingOracle.getLastReport, (key)), 2);
        p.defaultSharesRecipient =
            address(uint160(_vu(sp, abi.encodeCall(IStakingPool.defaultSharesRecipient, ()))));
        uint256 probe = _probeFor(p.totalSupply, p.totalAssets);
        p.previews[0] = probe;
        p.previews[1] = _vu(sp, abi.encodeCall(IStBERA.previewDeposit, (probe)));
        p.previews[2] = _vu(sp, abi.encodeCall(IStBERA.previewMint, (probe)));
        p.previews[3] = _vu(sp, abi.encodeCall(IStBERA.previewWithdraw, (probe)));
        p.previews[4] = _vu(sp, abi.encodeCall(IStBERA.previewRedeem, (probe)));
        p.previews[5] = _vu(sp, abi.encodeCall(IStBERA.convertToShares, (probe)));
        p.previews[6] = _vu(sp, abi.encodeCall(IStBERA.convertToAssets, (probe)));
    }

    function _hasRole(address target, bytes32 role, address who) internal view returns (bool) {
        bytes32 slot = keccak256(abi.encode(who, keccak256(abi.encode(role, ACCESS_CONTROL_STORAGE))));
        return vm.load(target, slot) != bytes32(0);
    }

    /// @notice First return word of a view (0 when it fails or returns less).
    function _vu(address to, bytes memory data) internal view returns (uint256 v) {
        (bool ok, bytes memory ret) = to.staticcall(data);
        if (ok && ret.length >= 32) v = abi.decode(ret, (uint256));
    }

    /// @notice First two return words of a view returning `words` static words (zeros on failure).
    function _v2(address to, bytes memory data, uint256 words) internal view returns (uint256 a, uint256 b) {
        (bool ok, bytes memory ret) = to.staticcall(data);
        if (ok && ret.length >= 32 * words) {
            assembly {
                a := mload(add(ret, 32))
                b := mload(add(ret, 64))
            }
        }
    }

    function _poolOfPubkeyHash(bytes32 h) internal view returns (uint256) {
        for (uint256 i = 0; i < NUM_POOLS; i++) {
            if (_pubkeyHash[i] == h) return i;
        }
        return NO_INDEX;
    }

    /// @notice OZ's Pausable namespace (`_paused` is its first byte): the flag `whenNotPaused` tests, read as poolguard
    /// reads it, not through `paused()`.
    bytes32 internal constant PAUSABLE_STORAGE = 0xcd5ed15c6e187e77e9aee88184c21f4f2182ab5827cb3b7e07fbedcd63f03300;

    function _pausedInStorage(address target) internal view returns (bool) {
        return uint256(vm.load(target, PAUSABLE_STORAGE)) & 0xff != 0;
    }

    function _idx(address who) internal view returns (uint256) {
        uint256 s = _actorSlot[who];
        return s == 0 ? NO_INDEX : s - 1;
    }

    // ------------------------------------------------------------------ events (Observer::events)

    function _decodeEvents(Vm.Log[] memory logs) private view returns (Events memory e) {
        uint256 n = logs.length;
        e.deposits = new DepositEv[](n);
        e.feeMints = new FeeMintEv[](n);
        e.burns = new BurnEv[](n);
        e.rewards = new AmountEv[](2 * n);
        e.penalties = new AmountEv[](n);
        e.fullExits = new uint256[](n);
        e.requested = new uint256[](n);
        e.finalized = new FinalizedEv[](n);
        e.reports = new ReportEv[](n);
        e.shareTransfers = new TransferEv[](n);
        uint256[11] memory c; // counts, in Events field order (upgrades last)
        for (uint256 k = 0; k < n; k++) {
            _decodeLog(logs[k], e, c);
        }
        _trim(e, c);
    }

    function _decodeLog(Vm.Log memory log, Events memory e, uint256[11] memory c) private view {
        if (log.topics.length == 0) return;
        bytes32 t = log.topics[0];
        if (t == UPGRADED) {
            c[10]++;
            return;
        }
        if (log.emitter == withdrawalVault) {
            if (t == IWithdrawalVault.WithdrawalRequested.selector && log.topics.length == 3) {
                e.requested[c[6]++] = uint256(log.topics[1]);
            } else if (
                t == IWithdrawalVault.WithdrawalRequestFinalized.selector && log.topics.length == 3
                    && log.data.length >= 32
            ) {
                e.finalized[c[7]++] = FinalizedEv({
                    id: uint256(log.topics[1]),
                    user: address(uint160(uint256(log.topics[2]))),
                    assets: abi.decode(log.data, (uint256))
                });
            }
            return;
        }
        if (log.emitter == accountingOracle) {
            if (t == IAccountingOracle.TotalDepositsReported.selector && log.data.length >= 128) {
                (bytes memory key, uint256 gwei_, uint256 slot) = abi.decode(log.data, (bytes, uint256, uint256));
                uint256 i = _poolOfPubkeyHash(keccak256(key));
                if (i != NO_INDEX) {
                    unchecked {
                        e.reports[c[8]++] = ReportEv({pool: i, value: gwei_ * 1 gwei, refSlot: slot});
                    }
                }
            }
            return;
        }
        uint256 slotPlusOne = _poolOf[log.emitter];
        if (slotPlusOne == 0) return;
        _decodePoolLog(log, slotPlusOne - 1, e, c);
    }

    function _decodePoolLog(Vm.Log memory log, uint256 i, Events memory e, uint256[11] memory c) private view {
        bytes32 t = log.topics[0];
        uint256 nt = log.topics.length;
        bytes memory d = log.data;
        if (t == IStakingPool.Deposit.selector && nt == 3 && d.length >= 64) {
            (uint256 assets, uint256 shares) = abi.decode(d, (uint256, uint256));
            e.deposits[c[0]++] = DepositEv({
                pool: i,
                sender: address(uint160(uint256(log.topics[1]))),
                receiver: address(uint160(uint256(log.topics[2]))),
                assets: assets,
                shares: shares
            });
        } else if (t == IStakingPool.FeeSharesMinted.selector && nt == 2 && d.length >= 64) {
            (uint256 shares,) = abi.decode(d, (uint256, uint256));
            e.feeMints[c[1]++] =
                FeeMintEv({pool: i, recipient: address(uint160(uint256(log.topics[1]))), shares: shares});
        } else if (t == IStakingPool.WithdrawalNotified.selector && nt == 2 && d.length >= 128) {
            (uint256 assets, uint256 shares) = abi.decode(d, (uint256, uint256));
            e.burns[c[2]++] =
                BurnEv({pool: i, user: address(uint160(uint256(log.topics[1]))), assets: assets, shares: shares});
        } else if (t == IStakingPool.RewardsCollected.selector && nt == 1 && d.length >= 64) {
            (, uint256 chargeable) = abi.decode(d, (uint256, uint256));
            e.rewards[c[3]++] = AmountEv({pool: i, amount: chargeable});
        } else if (t == IStakingPool.TotalDepositsUpdated.selector && nt == 1 && d.length >= 96) {
            (, uint256 reward, uint256 penalty) = abi.decode(d, (uint256, uint256, uint256));
            if (reward != 0) e.rewards[c[3]++] = AmountEv({pool: i, amount: reward});
            if (penalty != 0) e.penalties[c[4]++] = AmountEv({pool: i, amount: penalty});
        } else if (t == IStakingPool.FullExitTriggered.selector && nt == 1 && d.length >= 64) {
            e.fullExits[c[5]++] = i;
        } else if (t == ISmartOperator.BGTFeesAccrued.selector && nt == 1 && d.length >= 96) {
            (uint256 earned) = abi.decode(d, (uint256));
            e.rewards[c[3]++] = AmountEv({pool: i, amount: earned});
        } else if (t == TRANSFER && nt == 3 && d.length >= 32) {
            address from = address(uint160(uint256(log.topics[1])));
            address to = address(uint160(uint256(log.topics[2])));
            if (from != address(0) && to != address(0) && log.emitter == _pools[i].stakingPool) {
                e.shareTransfers[c[9]++] =
                    TransferEv({pool: i, from: from, to: to, amount: abi.decode(d, (uint256))});
            }
        }
    }

    function _trim(Events memory e, uint256[11] memory c) private pure {
        DepositEv[] memory a0 = e.deposits;
        FeeMintEv[] memory a1 = e.feeMints;
        BurnEv[] memory a2 = e.burns;
        AmountEv[] memory a3 = e.rewards;
        AmountEv[] memory a4 = e.penalties;
        uint256[] memory a5 = e.fullExits;
        uint256[] memory a6 = e.requested;
        FinalizedEv[] memory a7 = e.finalized;
        ReportEv[] memory a8 = e.reports;
        TransferEv[] memory a9 = e.shareTransfers;
        assembly {
            mstore(a0, mload(c))
            mstore(a1, mload(add(c, 32)))
            mstore(a2, mload(add(c, 64)))
            mstore(a3, mload(add(c, 96)))
            mstore(a4, mload(add(c, 128)))
            mstore(a5, mload(add(c, 160)))
            mstore(a6, mload(add(c, 192)))
            mstore(a7, mload(add(c, 224)))
            mstore(a8, mload(add(c, 256)))
            mstore(a9, mload(add(c, 288)))
        }
        e.upgrades = c[10];
    }

    // ------------------------------------------------------------------ classify (Op::plan's metadata)

    function _word(bytes memory data, uint256 i) internal pure returns (uint256 w) {
        uint256 at = 4 + 32 * i;
        if (data.length < at + 32) return 0;
        assembly {
            w := mload(add(add(data, 32), at))
        }
    }

    /// @notice `data` without its selector.
    function _args(bytes memory data) internal pure returns (bytes memory out) {
        out = new bytes(data.length - 4);
        for (uint256 i = 0; i < out.length; i++) {
            out[i] = data[i + 4];
        }
    }

    /// @notice Hash of the dynamic `bytes` argument at head position `i` (zero hash when malformed).
    function _bytesArgHash(bytes memory data, uint256 i) internal pure returns (bytes32 h) {
        uint256 off = _word(data, i);
        if (off > data.length) return bytes32(0);
        uint256 start = 4 + off;
        if (data.length < start + 32) return bytes32(0);
        uint256 len;
        assembly {
            len := mload(add(add(data, 32), start))
        }
        if (len > data.length || data.length < start + 32 + len) return bytes32(0);
        assembly {
            h := keccak256(add(add(data, 64), start), len)
        }
    }

    /// @notice The `uint256[]` ABI-encoded in `args` (reverts when it is not one).
    function decodeRequestIds(bytes memory args) external pure returns (uint256[] memory) {
        return abi.decode(args, (uint256[]));
    }

    function _roleOfId(bytes32 id) internal pure returns (bool found, uint8 role) {
        for (uint8 r = 0; r < NUM_ROLES; r++) {
            if (roleId(r) == id) return (true, r);
        }
        return (false, 0);
    }

    function _classify(address from, address to, bytes memory data, uint256 value)
        internal
        view
        returns (StepRec memory s)
    {
        // A contract actor's step is its `exec(to, data, value)`: classified as the call it makes, by it.
        if ((to == contractActor || to == contractActorNoReceiver) && data.length >= 4
                && bytes4(data) == ContractActorNoReceiver.exec.selector) {
            (address inner, bytes memory innerData, uint256 innerValue) =
                abi.decode(_args(data), (address, bytes, uint256));
            return _classify(to, inner, innerData, innerValue);
        }
        s.caller = from;
        s.value = value;
        for (uint256 i = 0; 4 + 32 * (i + 1) <= data.length; i++) {
            if (_word(data, i) == uint256(uint160(attacker))) s.namesAttacker = true;
        }
        s.pool = NO_INDEX;
        s.op = OP_UNKNOWN;
        s.roleOpAccount = NO_INDEX;
        if (to == address(0)) {
            s.op = OP_WAIT;
            return s;
        }
        bytes4 sel = data.length >= 4 ? bytes4(data) : bytes4(0);
        uint256 slot = _poolOf[to];
        if (slot != 0) {
            _classifyPoolContract(s, slot - 1, to, sel, data);
        } else if (to == withdrawalVault) {
            _classifyVault(s, sel, data);
        } else if (to == accountingOracle) {
            if (sel == IAccountingOracle.updateTotalDeposits.selector) {
                _setOp(s, OP_ORACLE_REPORT, _poolOfPubkeyHash(_bytesArgHash(data, 0)));
                s.privKind = PRIV_FEEDER;
                uint256 balanceGwei = _word(data, 1);
                if (balanceGwei <= type(uint256).max / 1 gwei) {
                    s.reportBalance = balanceGwei * 1 gwei;
                    s.reportBalanceKnown = true;
                }
                s.reportRefSlot = _word(data, 2);
            } else if (sel == bytes4(keccak256("grantRole(bytes32,address)"))) {
                _gov(s, OP_GRANT_FEEDER);
            } else if (sel == IAccountingOracle.setBounds.selector) {
                _gov(s, OP_SET_ORACLE_BOUNDS);
            } else if (sel == bytes4(keccak256("upgradeToAndCall(address,bytes)"))) {
                _gov(s, OP_UPGRADE);
            }
        } else if (to == beaconDeposit) {
            s.system = true;
            if (sel == IBeaconDeposit.rewardValidator.selector) {
                _setOp(s, OP_CL_REWARD, _poolOfPubkeyHash(_bytesArgHash(data, 0)));
            } else if (sel == IBeaconDeposit.penalizeValidator.selector) {
                _setOp(s, OP_CL_PENALTY, _poolOfPubkeyHash(_bytesArgHash(data, 0)));
            } else if (sel == IBeaconDeposit.processWithdrawalRequests.selector) {
                s.op = OP_CL_PROCESS_WITHDRAWALS;
            } else {
                s.system = false;
            }
        } else if (to == bgt) {
            uint256 p = _poolOf[address(uint160(_word(data, 0)))];
            if (sel == IBGT.mint.selector) {
                _setOp(s, OP_MINT_BGT, p == 0 ? NO_INDEX : p - 1);
                s.system = true;
            } else if (sel == IBGT.notifyStakerReward.selector) {
                _setOp(s, OP_BGT_STAKER_REWARD, p == 0 ? NO_INDEX : p - 1);
                s.system = true;
            }
        } else if (to == incentiveToken) {
            if (sel == bytes4(keccak256("mint(address,uint256)"))) {
                uint256 p = _poolOf[address(uint160(_word(data, 0)))];
                _setOp(s, OP_MINT_INCENTIVES, p == 0 ? NO_INDEX : p - 1);
                s.system = true;
            }
        } else if (to == beraChef) {
            if (sel == IBeraChef.activateQueuedValCommission.selector) {
                _setOp(s, OP_ACTIVATE_COMMISSION, _poolOfPubkeyHash(_bytesArgHash(data, 0)));
            }
        } else if (to == factory) {
            if (sel == IStakingPoolContractsFactory.setProtocolFeeRecipient.selector) {
                _gov(s, OP_SET_PROTOCOL_FEE_RECIPIENT);
            } else if (
                sel == IStakingPoolContractsFactory.upgradeStakingPoolBeaconImpl.selector
                    || sel == IStakingPoolContractsFactory.upgradeSmartOperatorBeaconImpl.selector
                    || sel == bytes4(keccak256("upgradeToAndCall(address,bytes)"))
            ) {
                _gov(s, OP_UPGRADE);
            } else if (_movesOwnership(sel)) {
                _gov(s, OP_TRANSFER_OWNERSHIP);
            }
        }
        if (s.op == OP_UNKNOWN) {
            s.pool = NO_INDEX;
            s.privKind = PRIV_NONE;
            s.system = false;
        }
    }

    function _setOp(StepRec memory s, uint8 op, uint256 pool) private pure {
        s.op = op;
        s.pool = pool;
    }

    function _movesOwnership(bytes4 sel) private pure returns (bool) {
        return sel == bytes4(keccak256("transferOwnership(address)")) || sel == bytes4(keccak256("renounceOwnership()"));
    }

    function _gov(StepRec memory s, uint8 op) private pure {
        s.op = op;
        s.privKind = PRIV_GOVERNANCE;
    }

    function _poolRole(StepRec memory s, uint8 op, uint256 pool, uint8 role) private pure {
        s.op = op;
        s.pool = pool;
        s.privKind = PRIV_POOL_ROLE;
        s.privPool = pool;
        s.privRole = role;
    }

    function _classifyVault(StepRec memory s, bytes4 sel, bytes memory data) private view {
        if (data.length == 0) {
            s.op = OP_DONATE_TO_WITHDRAWAL_VAULT;
        } else if (sel == IWithdrawalVault.requestWithdrawal.selector) {
            _setOp(s, OP_REQUEST_WITHDRAWAL, _poolOfPubkeyHash(_bytesArgHash(data, 0)));
            uint256 amountGwei = _word(data, 1);
            if (amountGwei <= type(uint256).max / 1 gwei) {
                s.requestAmount = amountGwei * 1 gwei;
                s.requestAmountKnown = true;
            }
        } else if (sel == IWithdrawalVault.requestRedeem.selector) {
            _setOp(s, OP_REQUEST_REDEEM, _poolOfPubkeyHash(_bytesArgHash(data, 0)));
            s.requestAmount = _word(data, 1);
            s.requestAmountKnown = true;
        } else if (sel == IWithdrawalVault.finalizeWithdrawalRequest.selector) {
            s.op = OP_FINALIZE;
            s.requestIds = new uint256[](1);
            s.requestIds[0] = _word(data, 0);
        } else if (sel == IWithdrawalVault.finalizeWithdrawalRequests.selector) {
            s.op = OP_FINALIZE_ALL;
            // Decoded through a call to this contract: calldata that does not decode must not stop the step.
            (bool ok, bytes memory ret) = address(this).staticcall(abi.encodeCall(this.decodeRequestIds, (_args(data))));
            if (ok) s.requestIds = abi.decode(ret, (uint256[]));
        } else if (sel == IWithdrawalVault.sendPendingExitRequest.selector) {
            _setOp(s, OP_SEND_PENDING_EXIT, _poolOfPubkeyHash(_bytesArgHash(data, 0)));
        } else if (sel == IWithdrawalVault.pause.selector) {
            _gov(s, OP_PAUSE_VAULT);
        } else if (sel == IWithdrawalVault.unpause.selector) {
            _gov(s, OP_UNPAUSE_VAULT);
        } else if (sel == bytes4(keccak256("upgradeToAndCall(address,bytes)"))) {
            _gov(s, OP_UPGRADE);
        } else if (_movesOwnership(sel)) {
            _gov(s, OP_TRANSFER_OWNERSHIP);
        }
        // The vault's own owner governs it (poolguard's `governors`), not necessarily the factory's.
        s.vaultGoverned = s.privKind == PRIV_GOVERNANCE;
    }

    function _classifyPoolContract(StepRec memory s, uint256 i, address to, bytes4 sel, bytes memory data)
        private
        view
    {
        Pool storage pool = _pools[i];
        if (to == pool.stakingPool) {
            if (data.length == 0) _setOp(s, OP_SEND_TO_POOL, i);
            else if (sel == IStakingPool.submit.selector) _setOp(s, OP_SUBMIT, i);
            else if (sel == bytes4(keccak256("transfer(address,uint256)"))) _setOp(s, OP_TRANSFER_SHARES, i);
            else if (sel == bytes4(keccak256("approve(address,uint256)"))) _setOp(s, OP_APPROVE_SHARES, i);
            else if (sel == bytes4(keccak256("transferFrom(address,address,uint256)"))) {
                _setOp(s, OP_TRANSFER_SHARES_FROM, i);
            } else if (sel == IStakingPool.processRewards.selector) {
                _setOp(s, OP_PROCESS_REWARDS, i);
            } else if (sel == IStakingPool.pause.selector) {
                _setOp(s, OP_PAUSE_POOL, i);
                s.privKind = PRIV_GOVERNANCE;
            } else if (sel == IStakingPool.unpause.selector) {
                _setOp(s, OP_UNPAUSE_POOL, i);
                s.privKind = PRIV_GOVERNANCE;
            } else if (sel == IStakingPool.setMinEffectiveBalance.selector) {
                _setOp(s, OP_SET_MIN_EFFECTIVE_BALANCE, i);
                s.privKind = PRIV_GOVERNANCE;
            }
        } else if (to == pool.rewardsVault) {
            if (data.length == 0) _setOp(s, OP_DONATE_TO_REWARDS_VAULT, i);
        } else if (to == pool.incentiveCollector) {
            if (sel == IIncentiveCollector.claim.selector) _setOp(s, OP_CLAIM_INCENTIVES, i);
        } else {
            _classifyOperator(s, i, sel, data);
        }
    }

    function _classifyOperator(StepRec memory s, uint256 i, bytes4 sel, bytes memory data) private view {
        if (sel == ISmartOperator.accrueEarnedBGTFees.selector) _setOp(s, OP_ACCRUE_BGT_FEES, i);
        else if (sel == ISmartOperator.queueBoost.selector) _setOp(s, OP_QUEUE_BOOST, i);
        else if (sel == ISmartOperator.activateBoost.selector) _setOp(s, OP_ACTIVATE_BOOST, i);
        else if (sel == ISmartOperator.queueDropBoost.selector) _poolRole(s, OP_QUEUE_DROP_BOOST, i, ROLE_BGT_MANAGER);
        else if (sel == ISmartOperator.dropBoost.selector) _setOp(s, OP_DROP_BOOST, i);
        else if (sel == ISmartOperator.redeemBGT.selector) _poolRole(s, OP_REDEEM_BGT, i, ROLE_BGT_MANAGER);
        else if (sel == ISmartOperator.claimBgtStakerReward.selector) _setOp(s, OP_CLAIM_BGT_STAKER_REWARD, i);
        else if (sel == ISmartOperator.queueValCommission.selector) {
            _poolRole(s, OP_QUEUE_COMMISSION, i, ROLE_COMMISSION_MANAGER);
        } else if (sel == ISmartOperator.setProtocolFeePercentage.selector) {
            _poolRole(s, OP_SET_PROTOCOL_FEE, i, ROLE_PROTOCOL_FEE_MANAGER);
        } else if (sel == ISmartOperator.queueRewardsAllocation.selector) {
            _poolRole(s, OP_QUEUE_REWARDS_ALLOCATION, i, ROLE_REWARDS_ALLOCATION_MANAGER);
        } else if (sel == ISmartOperator.queueIncentiveCollectorPayoutAmountChange.selector) {
            _poolRole(s, OP_QUEUE_PAYOUT_CHANGE, i, ROLE_INCENTIVE_COLLECTOR_MANAGER);
        } else if (
            sel == bytes4(keccak256("grantRole(bytes32,address)"))
                || sel == bytes4(keccak256("revokeRole(bytes32,address)"))
        ) {
            bool grant = sel == bytes4(keccak256("grantRole(bytes32,address)"));
            (bool known, uint8 role) = _roleOfId(bytes32(_word(data, 0)));
            _poolRole(s, grant ? OP_GRANT_ROLE : OP_REVOKE_ROLE, i, known ? roleAdmin(role) : ROLE_DEFAULT_ADMIN);
            if (known) {
                s.roleOpKind = grant ? ROLEOP_GRANT : ROLEOP_REVOKE;
                s.roleOpPool = i;
                s.roleOpRole = role;
                s.roleOpAccount = _idx(address(uint160(_word(data, 1))));
            }
        } else if (sel == bytes4(keccak256("renounceRole(bytes32,address)"))) {
            _setOp(s, OP_RENOUNCE_ROLE, i);
            (bool known, uint8 role) = _roleOfId(bytes32(_word(data, 0)));
            if (known) {
                s.roleOpKind = ROLEOP_RENOUNCE;
                s.roleOpPool = i;
                s.roleOpRole = role;
            }
        }
    }

    // ------------------------------------------------------------------ math (invariants/src/math.rs)

    function _mulDiv(uint256 a, uint256 b, uint256 d, bool ceil) internal pure returns (bool ok, uint256 r) {
        if (d == 0) return (false, 0);
        uint256 prod0;
        uint256 prod1;
        assembly {
            let mm := mulmod(a, b, not(0))
            prod0 := mul(a, b)
            prod1 := sub(sub(mm, prod0), lt(mm, prod0))
        }
        if (prod1 >= d) return (false, 0);
        r = prod1 == 0 ? prod0 / d : Math.mulDiv(a, b, d);
        if (ceil && mulmod(a, b, d) != 0) {
            if (r == type(uint256).max) return (false, 0);
            r += 1;
        }
        return (true, r);
    }

    function _toShares(uint256 assets, uint256 supply, uint256 ta, bool ceil)
        internal
        pure
        returns (bool, uint256)
    {
        if (supply == type(uint256).max || ta == type(uint256).max) return (false, 0);
        return _mulDiv(assets, supply + 1, ta + 1, ceil);
    }

    function _toAssets(uint256 shares, uint256 supply, uint256 ta, bool ceil)
        internal
        pure
        returns (bool, uint256)
    {
        if (supply == type(uint256).max || ta == type(uint256).max) return (false, 0);
        return _mulDiv(shares, ta + 1, supply + 1, ceil);
    }

    function _toAssetsOr(uint256 shares, uint256 supply, uint256 ta, bool ceil, uint256 dflt)
        internal
        pure
        returns (uint256)
    {
        (bool ok, uint256 v) = _toAssets(shares, supply, ta, ceil);
        return ok ? v : dflt;
    }

    function _feeOf(uint256 amount, uint256 bps) internal pure returns (uint256) {
        (bool ok, uint256 v) = _mulDiv(amount, bps, 10_000, false);
        return ok ? v : type(uint256).max;
    }

    function _satSub(uint256 a, uint256 b) internal pure returns (uint256) {
        return a > b ? a - b : 0;
    }

    function _satMul(uint256 a, uint256 b) internal pure returns (uint256) {
        if (a == 0) return 0;
        unchecked {
            uint256 c = a * b;
            return c / a == b ? c : type(uint256).max;
        }
    }

    function _satAdd(uint256 a, uint256 b) internal pure returns (uint256) {
        unchecked {
            uint256 c = a + b;
            return c < a ? type(uint256).max : c;
        }
    }

    function _netOfFees(uint256 amount, uint256 cb, uint256 pb) internal pure returns (uint256) {
        // One floor over the combined rate, as FeeMath.netOfFees (monotone in `amount`).
        return _satSub(amount, _feeOf(amount, _satAdd(cb, pb)));
    }

    function _mul512(uint256 a, uint256 b) private pure returns (uint256 hi, uint256 lo) {
        assembly {
            let mm := mulmod(a, b, not(0))
            lo := mul(a, b)
            hi := sub(sub(mm, lo), lt(mm, lo))
        }
    }

    /// @notice (aAssets+1)/(aSupply+1) < (bAssets+1)/(bSupply+1), in 512 bits.
    function _priceLower(uint256 aAssets, uint256 aSupply, uint256 bAssets, uint256 bSupply)
        internal
        pure
        returns (bool)
    {
        (uint256 h1, uint256 l1) = _mul512(_inc(aAssets), _inc(bSupply));
        (uint256 h2, uint256 l2) = _mul512(_inc(bAssets), _inc(aSupply));
        return h1 < h2 || (h1 == h2 && l1 < l2);
    }

    function _inc(uint256 x) private pure returns (uint256) {
        return x == type(uint256).max ? x : x + 1;
    }

    // ------------------------------------------------------------------ ghost (invariants/src/ghost.rs)

    function _updateGhost(Obs memory prev, Obs memory next, StepRec memory s) internal {
        for (uint256 k = ghostRequestBlock.length; k < next.requests.length; k++) {
            ghostRequestBlock.push(next.blockNumber);
        }
        for (uint256 i = 0; i < NUM_POOLS; i++) {
            ghostRefSlotBefore[i] = ghostRefSlot[i];
            if (next.pools[i].isActive) ghostActivated[i] = true;
        }
        if (s.success && s.op == OP_ORACLE_REPORT && s.pool < NUM_POOLS) ghostRefSlot[s.pool] = s.reportRefSlot;
        Events memory e = s.events;
        for (uint256 k = 0; k < e.deposits.length; k++) {
            uint256 r = _idx(e.deposits[k].receiver);
            if (r == NO_INDEX) continue;
            if (e.deposits[k].sender == e.deposits[k].receiver) {
                unchecked {
                    ghostDeposited[r] += e.deposits[k].assets;
                }
            } else {
                ghostTainted[r] = true;
            }
        }
        for (uint256 k = 0; k < e.feeMints.length; k++) {
            uint256 r = _idx(e.feeMints[k].recipient);
            if (r != NO_INDEX) ghostTainted[r] = true;
        }
        for (uint256 k = 0; k < e.shareTransfers.length; k++) {
            uint256 r = _idx(e.shareTransfers[k].to);
            if (r != NO_INDEX) ghostTainted[r] = true;
        }
        for (uint256 k = 0; k < e.finalized.length; k++) {
            uint256 u = _idx(e.finalized[k].user);
            if (u == NO_INDEX) continue;
            unchecked {
                ghostPaidOut[u] += e.finalized[k].assets;
            }
        }
        for (uint256 p = 0; p < NUM_POOLS; p++) {
            _ghostPool(p, prev.pools[p], next.pools[p], s);
        }
    }

    function _ghostPool(uint256 p, PoolObs memory before, PoolObs memory after_, StepRec memory s) private {
        for (uint256 a = 0; a < before.shareBalances.length; a++) {
            uint256 shares = before.shareBalances[a];
            if (shares == 0) continue;
            uint256 v0 = _toAssetsOr(shares, before.totalSupply, before.totalAssets, false, 0);
            uint256 v1 = _toAssetsOr(shares, after_.totalSupply, after_.totalAssets, true, 0);
            if (v1 > v0) {
                unchecked {
                    ghostGain[a] += v1 - v0;
                }
            }
        }
        if (!before.isFullyExited && after_.isFullyExited) {
            uint256 books = _satAdd(before.totalDeposits, _satSub(before.clWithdrawalsRequested, before.clWithdrawn));
            ghostExitShortfall[p] = _satSub(books, before.clBalance);
        }
        // An accepted report above the validator's real balance: the books gain a reward the consensus layer lacks.
        if (s.success && s.op == OP_ORACLE_REPORT && s.pool == p && s.reportBalanceKnown && !before.isFullyExited) {
            ghostLiveClLosses[p] = _satAdd(ghostLiveClLosses[p], _satSub(s.reportBalance, before.clBalance));
        }
        if (s.success && s.op == OP_CL_PENALTY && s.pool == p) {
            unchecked {
                uint256 loss = _satSub(before.clBalance, after_.clBalance);
                if (before.isFullyExited) ghostExitShortfall[p] += loss;
                else ghostLiveClLosses[p] += loss;
            }
        }
    }

    // ------------------------------------------------------------------ checks (invariants/src/catalog.rs)

    /// @notice ACCESS-006's ghost: a privileged call by an insider named the attacker (a role granted to it, …).
    bool internal ghostAttackerEmpowered;

    function _runChecks(Obs memory prev, Obs memory next, StepRec memory s) internal {
        if (s.success && !s.system && s.privKind != PRIV_NONE && s.caller != attacker && s.namesAttacker) {
            ghostAttackerEmpowered = true;
        }
        string[37] memory ids = catalogIds();
        for (uint256 k = 0; k < NUM_INVARIANTS; k++) {
            if (bytes(_violations[k]).length != 0) continue;
            string memory err = _check(k, prev, next, s);
            if (bytes(err).length != 0) {
                _violations[k] = string.concat(
                    ids[k], ": step ", vm.toString(s.index), " (", opName(s.op), " by ", actorName(s.caller), "): ", err
                );
                violationCount++;
            }
        }
    }

    /// @notice Runs check `k` of the catalog; returns "" when it holds, else the explanation.
    function _check(uint256 k, Obs memory prev, Obs memory next, StepRec memory s)
        internal
        view
        returns (string memory)
    {
        if (k == 0) return _share001(next);
        if (k == 1) return _share002(prev, next, s);
        if (k == 2) return _share003(next);
        if (k == 3) return _acct001(next);
        if (k == 4) return _acct002(next);
        if (k == 5) return _acct003(next);
        if (k == 6) return _acct004(next);
        if (k == 7) return _wd001(prev, next, s);
        if (k == 8) return _wd002(prev, next);
        if (k == 9) return _wd003(prev, next);
        if (k == 10) return _value001(next);
        if (k == 11) return _value002(prev, next, s);
        if (k == 12) return _value003(prev, next, s);
        if (k == 13) return _value004(next);
        if (k == 14) return _rate001(prev, next, s);
        if (k == 15) return _fee001(next);
        if (k == 16) return _fee002(prev, next, s);
        if (k == 17) return _access001(prev, s);
        if (k == 18) return _access002(prev, next, s);
        if (k == 19) return _access003(prev, next, s);
        if (k == 20) return _access004(prev, next, s);
        if (k == 21) return _access005(prev, next, s);
        if (k == 22) return _access006(s);
        if (k == 23) return _pause001(prev, next, s);
        if (k == 24) return _exit001(next);
        if (k == 25) return _exit002(prev, next, s);
        if (k == 26) return _exit003(prev, next, s);
        if (k == 27) return _oracle001(prev, s);
        if (k == 28) return _oracle002(prev, s);
        if (k == 29) return _oracle003(prev, next, s);
        if (k == 30) return _live001(prev, s);
        if (k == 31) return _live002(next);
        if (k == 32) return _live003(prev, next, s);
        if (k == 33) return _live004(prev, next, s);
        if (k == 34) return _live005(prev, next, s);
        if (k == 35) return _live006(prev, next, s);
        return _live007(prev, next, s);
    }

    function _s(uint256 v) internal pure returns (string memory) {
        return vm.toString(v);
    }

    function _p(uint256 i) internal pure returns (string memory) {
        return string.concat("pool", vm.toString(i), ": ");
    }

    // SHARE-001: the stBERA balances of all holders sum to totalSupply.
    function _share001(Obs memory next) private pure returns (string memory) {
        for (uint256 i = 0; i < next.pools.length; i++) {
            PoolObs memory p = next.pools[i];
            uint256 sum = 0;
            for (uint256 a = 0; a < p.shareBalances.length; a++) {
                sum = _satAdd(sum, p.shareBalances[a]);
            }
            if (sum != p.totalSupply) {
                return string.concat(_p(i), "balances sum to ", _s(sum), ", totalSupply is ", _s(p.totalSupply));
            }
        }
        return "";
    }

    // SHARE-002: totalSupply changes only by deposit mints, fee mints and withdrawal burns, and each actor's balance
    // by exactly the mints, burns and transfers the pool's events name for it.
    function _share002(Obs memory prev, Obs memory next, StepRec memory s) private view returns (string memory) {
        Events memory e = s.events;
        for (uint256 i = 0; i < next.pools.length; i++) {
            uint256 minted = 0;
            uint256 burnt = 0;
            unchecked {
                for (uint256 k = 0; k < e.deposits.length; k++) {
                    if (e.deposits[k].pool == i) minted += e.deposits[k].shares;
                }
                for (uint256 k = 0; k < e.feeMints.length; k++) {
                    if (e.feeMints[k].pool == i) minted += e.feeMints[k].shares;
                }
                for (uint256 k = 0; k < e.burns.length; k++) {
                    if (e.burns[k].pool == i) burnt += e.burns[k].shares;
                }
                uint256 total = prev.pools[i].totalSupply + minted;
                if (total < burnt || total - burnt != next.pools[i].totalSupply) {
                    return string.concat(
                        _p(i), "supply ", _s(prev.pools[i].totalSupply), " -> ", _s(next.pools[i].totalSupply),
                        ", events mint ", _s(minted), " and burn ", _s(burnt)
                    );
                }
            }
            for (uint256 a = 0; a < next.pools[i].shareBalances.length; a++) {
                (uint256 inflow, uint256 outflow) = _shareFlow(e, i, _actors[a]);
                uint256 before = prev.pools[i].shareBalances[a];
                uint256 after_ = next.pools[i].shareBalances[a];
                if (before + inflow < outflow || before + inflow - outflow != after_) {
                    return string.concat(
                        _p(i), vm.toString(_actors[a]), " holds ", _s(before), " -> ", _s(after_),
                        " shares, its events add ", _s(inflow), " and take ", _s(outflow)
                    );
                }
            }
        }
        return "";
    }

    /// @notice The shares pool `i`'s events mint or transfer to `who`, and burn or transfer from it (SHARE-002).
    function _shareFlow(Events memory e, uint256 i, address who)
        private
        pure
        returns (uint256 inflow, uint256 outflow)
    {
        for (uint256 k = 0; k < e.deposits.length; k++) {
            if (e.deposits[k].pool == i && e.deposits[k].receiver == who) inflow += e.deposits[k].shares;
        }
        for (uint256 k = 0; k < e.feeMints.length; k++) {
            if (e.feeMints[k].pool == i && e.feeMints[k].recipient == who) inflow += e.feeMints[k].shares;
        }
        for (uint256 k = 0; k < e.burns.length; k++) {
            if (e.burns[k].pool == i && e.burns[k].user == who) outflow += e.burns[k].shares;
        }
        for (uint256 k = 0; k < e.shareTransfers.length; k++) {
            TransferEv memory t = e.shareTransfers[k];
            if (t.pool != i) continue;
            if (t.to == who) inflow += t.amount;
            if (t.from == who) outflow += t.amount;
        }
    }

    // SHARE-003: while a pool has not fully exited its supply never falls below the dead shares: deadShares(), and
    // SPEC's FIRST_DEPOSIT_AMOUNT (10,000 BERA, minted 1:1) for a pool the ghost saw active.
    function _share003(Obs memory next) private view returns (string memory) {
        for (uint256 i = 0; i < next.pools.length; i++) {
            PoolObs memory p = next.pools[i];
            uint256 floor = p.deadShares;
            if (i < ghostActivated.length && ghostActivated[i] && floor < SPEC_FIRST_DEPOSIT_AMOUNT) {
                floor = SPEC_FIRST_DEPOSIT_AMOUNT;
            }
            if (!p.isFullyExited && p.totalSupply < floor) {
                return string.concat(_p(i), "supply ", _s(p.totalSupply), " below dead shares ", _s(floor));
            }
        }
        return "";
    }

    // ACCT-001: totalAssets == totalDeposits + buffer + uncollected rewards net of fees + rebaseable BGT.
    function _acct001(Obs memory next) private pure returns (string memory) {
        for (uint256 i = 0; i < next.pools.length; i++) {
            PoolObs memory p = next.pools[i];
            if (p.isFullyExited || !p.isActive) continue;
            uint256 cb = p.commissionBps;
            uint256 pb = p.effectiveProtocolFeeBps;
            uint256 pre = p.precharged < p.rewardsVaultBalance ? p.precharged : p.rewardsVaultBalance;
            uint256 rewards;
            uint256 bgtPart;
            uint256 sum;
            unchecked {
                rewards = pre + _netOfFees(p.rewardsVaultBalance - pre, cb, pb);
                bgtPart = p.operatorBgt <= p.lastAccruedBgt
                    ? p.operatorBgt
                    : p.lastAccruedBgt + _netOfFees(p.operatorBgt - p.lastAccruedBgt, cb, pb);
                sum = p.totalDeposits + p.bufferedAssets + rewards + bgtPart;
            }
            if (sum != p.totalAssets) {
                return string.concat(
                    _p(i), "totalAssets ", _s(p.totalAssets), " but deposits ", _s(p.totalDeposits), " + buffer ",
                    _s(p.bufferedAssets), " + rewards ", _s(rewards), " + BGT ", _s(bgtPart), " = ", _s(sum)
                );
            }
        }
        return "";
    }

    // ACCT-002: a pool holds at least its bufferedAssets in BERA.
    function _acct002(Obs memory next) private pure returns (string memory) {
        for (uint256 i = 0; i < next.pools.length; i++) {
            PoolObs memory p = next.pools[i];
            if (p.poolBalance < p.bufferedAssets) {
                return string.concat(_p(i), "holds ", _s(p.poolBalance), " BERA, buffer says ", _s(p.bufferedAssets));
            }
        }
        return "";
    }

    // ACCT-003: the WithdrawalVault holds at least the sum of every pool's funds on its books (storage), and
    // poolFunds() reports exactly them.
    function _acct003(Obs memory next) private pure returns (string memory) {
        uint256 total = 0;
        for (uint256 i = 0; i < next.pools.length; i++) {
            PoolObs memory p = next.pools[i];
            if (p.vaultFunds != p.vaultFundsInStorage) {
                return string.concat(
                    "poolFunds(pool", _s(i), ") reports ", _s(p.vaultFunds), " but the vault's books hold ", _s(p.vaultFundsInStorage)
                );
            }
            unchecked {
                total += p.vaultFundsInStorage;
            }
        }
        if (next.withdrawalVaultBalance < total) {
            return string.concat("vault holds ", _s(next.withdrawalVaultBalance), " but its pools' funds sum to ", _s(total));
        }
        return "";
    }

    // ACCT-004: unfinalized requests (and, once exited, frozen totalAssets) are covered by the pool's funds in
    // the vault plus what the consensus layer still owes it, less losses the books cannot see (not yet reported, or
    // after the freeze), up to what the harness's penalties took.
    function _acct004(Obs memory next) private view returns (string memory) {
        for (uint256 i = 0; i < next.pools.length; i++) {
            // A live pool is owed what the vault really queued at the consensus layer and it has not paid yet (the
            // stand-in's queue), not what the books say was requested (poolguard's `queued_cl_withdrawals`).
            (uint256 queued, uint256 unpaidProcessed) = _clOwed(next, i);
            PoolObs memory p = next.pools[i];
            uint256 receivable;
            uint256 claims;
            uint256 unseenLoss;
            unchecked {
                if (p.isFullyExited) {
                    // The operator's BGT (BERA-backed 1:1) reaches the pool's funds once redeemed and collected; so
                    // does the BERA in its rewards vault (anyone's processRewards forwards an exited pool's rewards).
                    receivable = p.clBalance + ghostExitShortfall[i] + p.operatorBgt + p.rewardsVaultBalance;
                    claims = p.vaultOwed + p.frozenTotalAssets;
                } else {
                    receivable = queued < p.clBalance ? queued : p.clBalance;
                    claims = p.vaultOwed;
                    uint256 unpayable = _satAdd(queued - receivable, unpaidProcessed);
                    unseenLoss = unpayable < ghostLiveClLosses[i] ? unpayable : ghostLiveClLosses[i];
                }
                if (p.vaultFunds + receivable + unseenLoss < claims) {
                    return string.concat(
                        _p(i), "funds ", _s(p.vaultFunds), " + receivable ", _s(receivable), " + unseen loss ",
                        _s(unseenLoss), " < claims ", _s(claims), " (owed ", _s(p.vaultOwed), ", frozen ",
                        _s(p.frozenTotalAssets), ")"
                    );
                }
            }
        }
        return "";
    }

    /// @dev Pool `i`'s unprocessed queued partial withdrawals (0 gwei counting as the validator's balance) and its
    /// processed ones the consensus layer did not pay, from the stand-ins (poolguard's `queued_cl_withdrawals` and
    /// `unpaid_processed_cl_withdrawals`).
    function _clOwed(Obs memory o, uint256 i) private pure returns (uint256 queued, uint256 unpaidProcessed) {
        uint256 processedAsked;
        for (uint256 k = 0; k < o.clRequests.length; k++) {
            ClReqObs memory r = o.clRequests[k];
            if (r.pool != i || !r.fromVault) continue;
            uint256 amount = uint256(r.amountGwei) * 1 gwei;
            if (k < o.clRequestsProcessed) {
                processedAsked = _satAdd(processedAsked, amount);
            } else {
                queued = _satAdd(queued, r.amountGwei == 0 ? o.pools[i].clBalance : amount);
            }
        }
        unpaidProcessed = _satSub(processedAsked, o.pools[i].clWithdrawn);
    }

    // WD-001: a finalized request pays exactly assetsRequested to its user, once, out of the WithdrawalVault, and no
    // request becomes finalized without it. (poolguard skips the vault-balance clause on a step with a re-entry,
    // which this replay does not record.)
    function _wd001(Obs memory prev, Obs memory next, StepRec memory s) private view returns (string memory) {
        FinalizedEv[] memory f = s.events.finalized;
        for (uint256 k = 0; k < f.length; k++) {
            uint256 id = f[k].id;
            bool beforeOk = id >= 1 && id <= prev.requests.length && !prev.requests[id - 1].finalized;
            if (!beforeOk) return string.concat("request ", _s(id), " finalized again");
            bool afterOk = id <= next.requests.length && next.requests[id - 1].finalized
                && next.requests[id - 1].assets == f[k].assets && next.requests[id - 1].user == f[k].user;
            if (!afterOk) {
                return string.concat(
                    "request ", _s(id), " paid ", _s(f[k].assets), " to ", vm.toString(f[k].user), ", books disagree"
                );
            }
        }
        // No request becomes finalized without its event (and so without the payment checked below).
        for (uint256 k = 0; k < next.requests.length; k++) {
            if (!next.requests[k].finalized || (k < prev.requests.length && prev.requests[k].finalized)) continue;
            bool announced = false;
            for (uint256 j = 0; j < f.length; j++) {
                if (f[j].id == k + 1) announced = true;
            }
            if (!announced) {
                return string.concat("request ", _s(k + 1), " became finalized with no WithdrawalRequestFinalized");
            }
        }
        if (s.success && (s.op == OP_FINALIZE || s.op == OP_FINALIZE_ALL)) {
            uint256 total = 0;
            for (uint256 k = 0; k < f.length; k++) {
                total += f[k].assets;
            }
            if (next.withdrawalVaultBalance + total != prev.withdrawalVaultBalance) {
                return string.concat(
                    "the WithdrawalVault went from ", _s(prev.withdrawalVaultBalance), " to ",
                    _s(next.withdrawalVaultBalance), " wei, finalizations paid ", _s(total)
                );
            }
            for (uint256 a = 0; a < next.actorBera.length; a++) {
                uint256 paid = 0;
                unchecked {
                    for (uint256 k = 0; k < f.length; k++) {
                        if (f[k].user == _actors[a]) paid += f[k].assets;
                    }
                }
                bool ok = next.actorBera[a] >= prev.actorBera[a] && next.actorBera[a] - prev.actorBera[a] == paid;
                if (!ok) {
                    return string.concat(
                        "actor ", vm.toString(_actors[a]), " BERA ", _s(prev.actorBera[a]), " -> ",
                        _s(next.actorBera[a]), " but finalizations paid ", _s(paid)
                    );
                }
            }
        }
        return "";
    }

    // WD-002: no request is finalized before the block the harness saw it appear in + 129,600 (every request
    // that becomes finalized, with or without an event; the ghost's block, not the vault's requestBlock).
    function _wd002(Obs memory prev, Obs memory next) private view returns (string memory) {
        for (uint256 k = 0; k < next.requests.length; k++) {
            if (!next.requests[k].finalized || (k < prev.requests.length && prev.requests[k].finalized)) continue;
            uint256 requested = k < ghostRequestBlock.length ? ghostRequestBlock[k] : next.blockNumber;
            if (next.blockNumber < _satAdd(requested, WITHDRAWAL_DELAY)) {
                return string.concat(
                    "request ", _s(k + 1), " made at block ", _s(requested), " (the vault stores ",
                    _s(next.requests[k].blockNumber), ") finalized at block ", _s(next.blockNumber)
                );
            }
        }
        return "";
    }

    // WD-003: request ids are never reused; requests change only by becoming finalized.
    function _wd003(Obs memory prev, Obs memory next) private pure returns (string memory) {
        if (next.requests.length < prev.requests.length) return "request count decreased";
        for (uint256 k = 0; k < prev.requests.length; k++) {
            ReqObs memory a = prev.requests[k];
            ReqObs memory b = next.requests[k];
            if (a.user != b.user || a.assets != b.assets || a.shares != b.shares || a.blockNumber != b.blockNumber) {
                return string.concat("request ", _s(k + 1), " changed");
            }
            if (a.finalized && !b.finalized) return string.concat("request ", _s(k + 1), " became unfinalized");
        }
        return "";
    }

    // VALUE-001: previews round on the pool's side.
    function _value001(Obs memory next) private pure returns (string memory) {
        for (uint256 i = 0; i < next.pools.length; i++) {
            PoolObs memory p = next.pools[i];
            (bool ok, uint256[6] memory want) = _expectedPreviews(p);
            for (uint256 k = 0; k < 6; k++) {
                if (want[k] != p.previews[k + 1]) ok = false;
            }
            if (!ok) {
                return string.concat(
                    _p(i), "previews of ", _s(p.previews[0]), ": deposit ", _s(p.previews[1]), " mint ",
                    _s(p.previews[2]), " withdraw ", _s(p.previews[3]), " redeem ", _s(p.previews[4]),
                    string.concat(" convertToShares ", _s(p.previews[5]), " convertToAssets ", _s(p.previews[6])),
                    string.concat(", expected ", _s(want[0]), " ", _s(want[1]), " ", _s(want[2]), " ", _s(want[3])),
                    string.concat(" ", _s(want[4]), " ", _s(want[5]))
                );
            }
        }
        return "";
    }

    function _expectedPreviews(PoolObs memory p) private pure returns (bool ok, uint256[6] memory want) {
        uint256 x = p.previews[0];
        bool ok1;
        bool ok2;
        bool ok3;
        bool ok4;
        (ok1, want[0]) = _toShares(x, p.totalSupply, p.totalAssets, false);
        (ok2, want[1]) = _toAssets(x, p.totalSupply, p.totalAssets, true);
        (ok3, want[2]) = _toShares(x, p.totalSupply, p.totalAssets, true);
        (ok4, want[3]) = _toAssets(x, p.totalSupply, p.totalAssets, false);
        want[4] = want[0];
        want[5] = want[3];
        ok = ok1 && ok2 && ok3 && ok4;
    }

    // VALUE-002: shares minted by a deposit are worth at most the deposit and at least 99.9% of it less one
    // share's rounding; a deposit always mints shares and costs its sender exactly the assets it credits.
    function _value002(Obs memory prev, Obs memory next, StepRec memory s) private view returns (string memory) {
        DepositEv[] memory d = s.events.deposits;
        for (uint256 k = 0; k < d.length; k++) {
            uint256 i = d[k].pool;
            PoolObs memory p = next.pools[i];
            uint256 assets = d[k].assets;
            uint256 shares = d[k].shares;
            uint256 worth = _toAssetsOr(shares, p.totalSupply, p.totalAssets, false, type(uint256).max);
            if (worth > assets) {
                return string.concat(_p(i), _s(shares), " shares for ", _s(assets), " are worth ", _s(worth));
            }
            uint256 floor_ = assets - assets / 1000;
            uint256 sharePrice = _toAssetsOr(1, p.totalSupply, p.totalAssets, true, type(uint256).max);
            if (_satAdd(_satAdd(worth, sharePrice), 1) < floor_) {
                return string.concat(_p(i), "deposit of ", _s(assets), " is worth only ", _s(worth), " (> 0.1% loss)");
            }
            if (shares == 0) return string.concat(_p(i), "deposit of ", _s(assets), " minted no shares");
        }
        return _depositPaid(prev, next, s);
    }

    /// @notice VALUE-002's payment clause: a successful deposit op by an account without code costs it exactly the
    /// assets its Deposit events credit (poolguard's check also covers ABI calls to `submit`; it skips steps with
    /// a re-entry, which an account without code cannot make).
    function _depositPaid(Obs memory prev, Obs memory next, StepRec memory s) private view returns (string memory) {
        if (!s.success || (s.op != OP_SUBMIT && s.op != OP_SEND_TO_POOL) || s.caller.code.length != 0) return "";
        uint256 a = _idx(s.caller);
        if (a == NO_INDEX) return "";
        uint256 credited = 0;
        DepositEv[] memory d = s.events.deposits;
        for (uint256 k = 0; k < d.length; k++) {
            if (d[k].pool == s.pool && d[k].sender == s.caller) credited += d[k].assets;
        }
        if (next.actorBera[a] + credited == prev.actorBera[a]) return "";
        return string.concat(
            _p(s.pool), "the depositor's BERA went from ", _s(prev.actorBera[a]), " to ", _s(next.actorBera[a]),
            ", its Deposit events credit ", _s(credited)
        );
    }

    // VALUE-003: a withdrawal burns shares worth at least the assets it books, and books them as a request for the
    // same holder, assets and shares, the amount its sender asked for.
    function _value003(Obs memory prev, Obs memory next, StepRec memory s) private pure returns (string memory) {
        BurnEv[] memory b = s.events.burns;
        for (uint256 k = 0; k < b.length; k++) {
            uint256 i = b[k].pool;
            PoolObs memory p = next.pools[i];
            // A burn that fully exits the pool prices at the frozen value (the pool's own flip, not its event).
            if (prev.pools[i].isFullyExited != p.isFullyExited) continue;
            uint256 worth;
            unchecked {
                worth = _toAssetsOr(b[k].shares, p.totalSupply + b[k].shares, p.totalAssets + b[k].assets, false, 0);
            }
            if (worth < b[k].assets) {
                return string.concat(_p(i), _s(b[k].shares), " shares worth ", _s(worth), " booked ", _s(b[k].assets));
            }
        }
        // Every burn is one new request of the step (same pool, holder, assets, shares), and no request appears
        // without one.
        uint256 first = prev.requests.length;
        uint256 fresh = next.requests.length > first ? next.requests.length - first : 0;
        bool[] memory used = new bool[](fresh);
        for (uint256 k = 0; k < b.length; k++) {
            bool found = false;
            for (uint256 r = 0; r < fresh && !found; r++) {
                ReqObs memory q = next.requests[first + r];
                if (!used[r] && q.pool == b[k].pool && q.user == b[k].user && q.assets == b[k].assets
                        && q.shares == b[k].shares) {
                    used[r] = true;
                    found = true;
                }
            }
            if (!found) {
                return string.concat(
                    _p(b[k].pool), _s(b[k].shares), " shares burnt for ", _s(b[k].assets), " with no request booking them"
                );
            }
        }
        if (b.length != fresh) return string.concat(_s(fresh), " requests booked for ", _s(b.length), " burns");
        // What the sender asked for, from the calldata: a withdrawal's assets, a redemption's shares.
        if (s.success && s.requestAmountKnown && (s.op == OP_REQUEST_WITHDRAWAL || s.op == OP_REQUEST_REDEEM)) {
            bool ok = fresh == 1 && next.requests[first].user == s.caller
                && (s.op == OP_REQUEST_WITHDRAWAL ? next.requests[first].assets : next.requests[first].shares)
                    == s.requestAmount;
            if (!ok) return string.concat("a request for ", _s(s.requestAmount), " was booked otherwise");
        }
        return "";
    }

    // VALUE-004: an account that only ever deposited its own BERA never ends with more than it deposited plus
    // its pro-rata gains.
    function _value004(Obs memory next) private view returns (string memory) {
        uint256 n = next.actorBera.length;
        for (uint256 a = 0; a < n; a++) {
            if (ghostTainted[a]) continue;
            address who = _actors[a];
            uint256 wealth = ghostPaidOut[a];
            unchecked {
                for (uint256 i = 0; i < next.pools.length; i++) {
                    PoolObs memory p = next.pools[i];
                    wealth += _toAssetsOr(p.shareBalances[a], p.totalSupply, p.totalAssets, false, 0);
                }
                for (uint256 k = 0; k < next.requests.length; k++) {
                    if (next.requests[k].user == who && !next.requests[k].finalized) wealth += next.requests[k].assets;
                }
                uint256 bound = ghostDeposited[a] + ghostGain[a] + DUST;
                if (wealth > bound) {
                    return string.concat(
                        actorName(who), ": wealth ", _s(wealth), " exceeds deposits ", _s(ghostDeposited[a]),
                        " + gains ", _s(ghostGain[a])
                    );
                }
            }
        }
        return "";
    }

    /// @notice totalAssets with uncollected BERA and BGT rewards counted at the maximum fees (20% + 20%).
    function _guaranteedAssets(PoolObs memory p) private pure returns (uint256) {
        if (p.isFullyExited) return p.totalAssets;
        unchecked {
            uint256 pre = p.precharged < p.rewardsVaultBalance ? p.precharged : p.rewardsVaultBalance;
            uint256 vault = pre + _netOfFees(p.rewardsVaultBalance - pre, MAX_BPS, MAX_BPS);
            uint256 bgtPart = p.operatorBgt <= p.lastAccruedBgt
                ? p.operatorBgt
                : p.lastAccruedBgt + _netOfFees(p.operatorBgt - p.lastAccruedBgt, MAX_BPS, MAX_BPS);
            return p.totalDeposits + p.bufferedAssets + vault + bgtPart;
        }
    }

    // RATE-001: the share price (uncollected rewards at maximum fees) never falls except through an
    // oracle-reported penalty or a full exit.
    function _rate001(Obs memory prev, Obs memory next, StepRec memory s) private pure returns (string memory) {
        for (uint256 i = 0; i < next.pools.length; i++) {
            PoolObs memory a = prev.pools[i];
            PoolObs memory b = next.pools[i];
            if (_excused(a, b, s, i) || !a.isActive) continue;
            uint256 ga = _guaranteedAssets(a);
            uint256 gb = _guaranteedAssets(b);
            if (_priceLower(gb, b.totalSupply, ga, a.totalSupply)) {
                return string.concat(
                    _p(i), "price fell from ", _s(ga), "/", _s(a.totalSupply), " to ", _s(gb), "/", _s(b.totalSupply)
                );
            }
        }
        return "";
    }

    /// @notice RATE-001's excuse, from what the replay sent rather than the pool's events: a report below the pool's
    /// booked consensus-layer balance, or the pool's exit flip. (poolguard also counts a contract actor's re-entered
    /// report, which this replay does not record.)
    function _excused(PoolObs memory a, PoolObs memory b, StepRec memory s, uint256 i) private pure returns (bool) {
        if (a.isFullyExited != b.isFullyExited) return true;
        if (!s.success || s.op != OP_ORACLE_REPORT || s.pool != i) return false;
        uint256 books = _satAdd(a.totalDeposits, _satSub(a.clWithdrawalsRequested, a.clWithdrawn));
        return !s.reportBalanceKnown || s.reportBalance < books;
    }

    // FEE-001: active and queued commission and the protocol fee are at most 2000 bps.
    function _fee001(Obs memory next) private pure returns (string memory) {
        for (uint256 i = 0; i < next.pools.length; i++) {
            PoolObs memory p = next.pools[i];
            if (p.commissionBps > MAX_BPS || p.queuedCommissionBps > MAX_BPS || p.protocolFeeBps > MAX_BPS) {
                return string.concat(
                    _p(i), "commission ", _s(p.commissionBps), " queued ", _s(p.queuedCommissionBps), " protocol fee ",
                    _s(p.protocolFeeBps)
                );
            }
        }
        return "";
    }

    // FEE-002: each fee mint is worth at most 20% of the step's recognised rewards, both together at most 40%.
    function _fee002Growth(PoolObs memory b, StepRec memory s, uint256 i, uint256 reward)
        private
        pure
        returns (string memory)
    {
        if (b.isFullyExited || !s.success || s.op != OP_ORACLE_REPORT || s.pool != i || !s.reportBalanceKnown) return "";
        uint256 books = _satAdd(b.totalDeposits, _satSub(b.clWithdrawalsRequested, b.clWithdrawn));
        if (s.reportBalance <= books || reward == s.reportBalance - books) return "";
        return string.concat(
            _p(i), "the report is ", _s(s.reportBalance - books), " above the books, the reward; the pool recognised ", _s(reward)
        );
    }

    /// FEE-002's cap on pool `i`'s fees at `bps` of `reward`, plus dust. A redemption in the same step, after the fee
    /// mint, keeps its dust and lifts the price: a billionth of the cap covers it (poolguard's FEE-002).
    function _fee002Cap(Events memory e, uint256 i, uint256 reward, uint256 bps) private pure returns (uint256) {
        uint256 cap = _feeOf(reward, bps);
        for (uint256 k = 0; k < e.burns.length; k++) {
            if (e.burns[k].pool == i) return _satAdd(_satAdd(cap, cap / 1e9), DUST);
        }
        return _satAdd(cap, DUST);
    }

    function _fee002(Obs memory prev, Obs memory next, StepRec memory s) private view returns (string memory) {
        Events memory e = s.events;
        for (uint256 i = 0; i < next.pools.length; i++) {
            PoolObs memory p = next.pools[i];
            PoolObs memory b = prev.pools[i];
            uint256 reward = 0;
            uint256 nRewards = 0;
            unchecked {
                for (uint256 k = 0; k < e.rewards.length; k++) {
                    if (e.rewards[k].pool == i) {
                        reward += e.rewards[k].amount;
                        nRewards++;
                    }
                }
            }
            uint256 total = 0;
            uint256 commissionWorth = 0;
            uint256 protocolWorth = 0;
            for (uint256 k = 0; k < e.feeMints.length; k++) {
                if (e.feeMints[k].pool != i) continue;
                address to = e.feeMints[k].recipient;
                uint256 worth =
                    _toAssetsOr(e.feeMints[k].shares, p.totalSupply, p.totalAssets, false, type(uint256).max);
                total = _satAdd(total, worth);
                if (worth > _fee002Cap(e, i, reward, MAX_BPS)) {
                    return string.concat(
                        _p(i), "fee shares for ", actorName(to), " worth ", _s(worth), " on rewards of ", _s(reward)
                    );
                }
                if (to != b.defaultSharesRecipient && to != b.protocolFeeRecipient) {
                    return string.concat(_p(i), "fee shares minted to ", actorName(to), ", neither fee recipient");
                }
                if (to == b.defaultSharesRecipient) commissionWorth = _satAdd(commissionWorth, worth);
                else protocolWorth = _satAdd(protocolWorth, worth);
            }
            if (total > _fee002Cap(e, i, reward, 2 * MAX_BPS)) {
                return string.concat(_p(i), "fees worth ", _s(total), " on rewards of ", _s(reward));
            }
            // Exact where one reward is the only thing in the step that moves the price (poolguard's FEE-002).
            bool penalised = false;
            for (uint256 k = 0; k < e.penalties.length; k++) {
                if (e.penalties[k].pool == i) penalised = true;
            }
            for (uint256 k = 0; k < e.fullExits.length; k++) {
                if (e.fullExits[k] == i) penalised = true;
            }
            if (nRewards != 1 || penalised) continue;
            // A collection's reward from raw balances: what left the rewards vault less what was precharged.
            uint256 collected = _satSub(b.rewardsVaultBalance, p.rewardsVaultBalance);
            if (collected != 0 && !b.isFullyExited) {
                uint256 chargeable = collected - (collected < b.precharged ? collected : b.precharged);
                if (reward != chargeable) {
                    return string.concat(
                        _p(i), _s(collected), " wei left the rewards vault, so ", _s(chargeable),
                        " bears fees; the pool recognised ", _s(reward)
                    );
                }
            }
            // The consensus layer's growth in the report the transaction sent: the balance above the books.
            if (collected == 0) {
                string memory growthBreach = _fee002Growth(b, s, i, reward);
                if (bytes(growthBreach).length != 0) return growthBreach;
            }
            uint256 expectC = _feeOf(reward, b.commissionBps);
            uint256 expectP = _feeOf(reward, b.effectiveProtocolFeeBps);
            if (b.defaultSharesRecipient == b.protocolFeeRecipient) {
                (expectC, expectP) = (expectC + expectP, 0);
            }
            uint256 oneShare = _toAssetsOr(1, p.totalSupply, p.totalAssets, false, type(uint256).max) + 1;
            uint256 slack = _satAdd(_satAdd(oneShare * 4, 2 + DUST), 0);
            if (!_near(commissionWorth, expectC, _satAdd(slack, expectC / 1e9))) {
                return string.concat(_p(i), "commission shares worth ", _s(commissionWorth), " where the rate makes ", _s(expectC));
            }
            if (!_near(protocolWorth, expectP, _satAdd(slack, expectP / 1e9))) {
                return string.concat(_p(i), "protocol fee shares worth ", _s(protocolWorth), " where the rate makes ", _s(expectP));
            }
        }
        return "";
    }

    function _near(uint256 a, uint256 b, uint256 slack) private pure returns (bool) {
        return a <= _satAdd(b, slack) && _satAdd(a, slack) >= b;
    }

    /// @notice poolguard `holds`: whether `who` held the step's privilege in `obs`.
    function _holds(Obs memory obs, address who, uint8 kind, uint256 pool, uint8 role) private view returns (bool) {
        uint256 a = _idx(who);
        if (a == NO_INDEX) return false;
        if (kind == PRIV_GOVERNANCE) return who == obs.governance;
        if (kind == PRIV_FEEDER) return (obs.feeders >> a) & 1 == 1;
        if (kind == PRIV_POOL_ROLE) {
            return pool < obs.pools.length && (obs.pools[pool].roles[role] >> a) & 1 == 1;
        }
        return false;
    }

    // ACCESS-001: every privileged call by an account without its privilege reverts.
    function _access001(Obs memory prev, StepRec memory s) private view returns (string memory) {
        if (s.privKind == PRIV_NONE || !s.success || s.system) return "";
        bool held = s.vaultGoverned
            ? s.caller == prev.vaultOwner
            : _holds(prev, s.caller, s.privKind, s.privPool, s.privRole);
        if (!held) {
            string memory what = s.privKind == PRIV_GOVERNANCE
                ? "Governance"
                : s.privKind == PRIV_FEEDER
                    ? "Feeder"
                    : string.concat("PoolRole { pool: ", _s(s.privPool), ", role: ", _s(s.privRole), " }");
            return string.concat(opName(s.op), " by ", actorName(s.caller), " succeeded without ", what);
        }
        return "";
    }

    // ACCESS-002: role membership changes only through grantRole/revokeRole by the role's admin or
    // renounceRole by the holder.
    function _access002(Obs memory prev, Obs memory next, StepRec memory s) private view returns (string memory) {
        uint256 caller = _idx(s.caller);
        for (uint256 i = 0; i < next.pools.length; i++) {
            for (uint8 r = 0; r < NUM_ROLES; r++) {
                uint256 was = prev.pools[i].roles[r];
                uint256 changed = was ^ next.pools[i].roles[r];
                if (changed == 0) continue;
                bool adminHeld = caller != NO_INDEX && (prev.pools[i].roles[roleAdmin(r)] >> caller) & 1 == 1;
                for (uint256 k = 0; k < _actors.length; k++) {
                    if ((changed >> k) & 1 == 0) continue;
                    bool isNow = (next.pools[i].roles[r] >> k) & 1 == 1;
                    if (!_roleChangeExplained(s, i, r, k, isNow, adminHeld, caller)) {
                        return string.concat(
                            _p(i), _roleName(r), " of ", actorName(_actors[k]), isNow ? " granted" : " revoked", " in ",
                            opName(s.op)
                        );
                    }
                }
            }
        }
        return "";
    }

    function _roleChangeExplained(
        StepRec memory s,
        uint256 i,
        uint8 r,
        uint256 k,
        bool isNow,
        bool adminHeld,
        uint256 caller
    ) private pure returns (bool) {
        if (!s.success) return false;
        if (s.roleOpKind == ROLEOP_GRANT) {
            return s.roleOpPool == i && s.roleOpRole == r && s.roleOpAccount == k && isNow && adminHeld;
        }
        if (s.roleOpKind == ROLEOP_REVOKE) {
            return s.roleOpPool == i && s.roleOpRole == r && s.roleOpAccount == k && !isNow && adminHeld;
        }
        if (s.roleOpKind == ROLEOP_RENOUNCE) {
            return s.roleOpPool == i && s.roleOpRole == r && caller == k && !isNow;
        }
        return false;
    }

    function _roleName(uint8 r) internal pure returns (string memory) {
        string[7] memory names = [
            "DEFAULT_ADMIN_ROLE",
            "VALIDATOR_ADMIN_ROLE",
            "COMMISSION_MANAGER_ROLE",
            "PROTOCOL_FEE_MANAGER_ROLE",
            "REWARDS_ALLOCATION_MANAGER_ROLE",
            "INCENTIVE_COLLECTOR_MANAGER_ROLE",
            "BGT_MANAGER_ROLE"
        ];
        return names[r];
    }

    // ACCESS-003: DEFAULT_ADMIN_ROLE is only ever granted by a DEFAULT_ADMIN_ROLE holder.
    function _access003(Obs memory prev, Obs memory next, StepRec memory s) private view returns (string memory) {
        uint256 caller = _idx(s.caller);
        for (uint256 i = 0; i < next.pools.length; i++) {
            uint256 before = prev.pools[i].roles[ROLE_DEFAULT_ADMIN];
            uint256 gained = next.pools[i].roles[ROLE_DEFAULT_ADMIN] & ~before;
            if (gained == 0) continue;
            bool callerAdmin = caller != NO_INDEX && (before >> caller) & 1 == 1;
            if (!callerAdmin) return string.concat(_p(i), "DEFAULT_ADMIN_ROLE granted by ", actorName(s.caller));
        }
        return "";
    }

    // ACCESS-004: a call about one pool never changes another pool's roles, supply or fee rates.
    function _access004(Obs memory prev, Obs memory next, StepRec memory s) private pure returns (string memory) {
        if (s.pool == NO_INDEX || s.system) return "";
        for (uint256 i = 0; i < next.pools.length; i++) {
            if (i == s.pool) continue;
            PoolObs memory a = prev.pools[i];
            PoolObs memory b = next.pools[i];
            bool same = a.totalSupply == b.totalSupply && a.commissionBps == b.commissionBps
                && a.protocolFeeBps == b.protocolFeeBps;
            for (uint256 r = 0; r < NUM_ROLES; r++) {
                if (a.roles[r] != b.roles[r]) same = false;
            }
            if (!same) return string.concat(opName(s.op), " on pool", _s(s.pool), " changed pool", _s(i));
        }
        return "";
    }

    // ACCESS-005: only governance upgrades.
    function _access005(Obs memory prev, Obs memory next, StepRec memory s) private view returns (string memory) {
        bool swapped = false;
        for (uint256 k = 0; k < next.implementations.length && k < prev.implementations.length; k++) {
            if (next.implementations[k] != prev.implementations[k]) swapped = true;
        }
        if ((s.events.upgrades != 0 || swapped) && s.caller != prev.governance) {
            return string.concat(opName(s.op), " by ", actorName(s.caller), " upgraded an implementation");
        }
        return "";
    }

    // ACCESS-006: the attacker (no role, ownership or system address) never successfully calls a privileged
    // function unless a privileged call named it first. Over the calls this replay classifies: privileged means
    // the step needs a privilege (poolguard's entry-points.toml declares the others permissionless).
    function _access006(StepRec memory s) private view returns (string memory) {
        if (s.success && !s.system && s.privKind != PRIV_NONE && (s.caller == attacker || s.caller == contractActor || s.caller == contractActorNoReceiver)
                && !ghostAttackerEmpowered) {
            return string.concat(
                opName(s.op), " by the attacker (no role, ownership or system address) succeeded; it is not permissionless"
            );
        }
        return "";
    }

    // LIVE-004: a due request whose pool holds the funds finalizes; a finalize that succeeds finalizes every id.
    function _live004(Obs memory prev, Obs memory next, StepRec memory s) private view returns (string memory) {
        if (s.op != OP_FINALIZE && s.op != OP_FINALIZE_ALL) return "";
        uint256[] memory ids = s.requestIds;
        if (s.success) {
            for (uint256 k = 0; k < ids.length; k++) {
                if (ids[k] == 0 || ids[k] > next.requests.length || !next.requests[ids[k] - 1].finalized) {
                    return string.concat("finalize succeeded but request ", _s(ids[k]), " is not finalized");
                }
            }
            return "";
        }
        // A halt (no error data) of a batch may be the block's gas.
        if (ids.length == 0 || (ids.length > 1 && s.revertSelector == bytes4(0))) return "";
        uint256[] memory need = new uint256[](NUM_POOLS);
        for (uint256 k = 0; k < ids.length; k++) {
            uint256 id = ids[k];
            for (uint256 j = 0; j < k; j++) {
                if (ids[j] == id) return "";
            }
            if (id == 0 || id > prev.requests.length || id > ghostRequestBlock.length) return "";
            ReqObs memory r = prev.requests[id - 1];
            bool contractUser = r.user == contractActor || r.user == contractActorNoReceiver;
            if (r.finalized || next.blockNumber < _satAdd(ghostRequestBlock[id - 1], WITHDRAWAL_DELAY) || contractUser) return "";
            if (r.pool >= NUM_POOLS) return "";
            need[r.pool] += r.assets;
        }
        for (uint256 i = 0; i < NUM_POOLS; i++) {
            if (need[i] > prev.pools[i].vaultFunds) return "";
        }
        return string.concat(
            "finalize was refused with error ", vm.toString(bytes32(s.revertSelector)),
            " though its requests were due, unfinalized and within their pools' funds"
        );
    }

    // LIVE-005: a full exit asks the consensus layer for the whole balance (amount 0), in the same transaction.
    function _live005(Obs memory prev, Obs memory next, StepRec memory s) private pure returns (string memory) {
        bool queuedExit = false;
        for (uint256 k = prev.clRequests.length; k < next.clRequests.length; k++) {
            ClReqObs memory r = next.clRequests[k];
            if (r.pool >= NUM_POOLS) continue;
            if (next.pools[r.pool].isFullyExited && r.amountGwei != 0) {
                return string.concat(_p(r.pool), "exited, but a consensus-layer request asks for ", _s(r.amountGwei), " gwei");
            }
            if (r.pool == s.pool && r.amountGwei == 0) queuedExit = true;
        }
        if (!s.success || (s.op != OP_REQUEST_WITHDRAWAL && s.op != OP_REQUEST_REDEEM) || s.pool >= NUM_POOLS) {
            return "";
        }
        PoolObs memory before = prev.pools[s.pool];
        if (before.isFullyExited || !next.pools[s.pool].isFullyExited || before.clBalance == 0 || queuedExit) return "";
        return string.concat(_p(s.pool), "fully exited by a request that asked the consensus layer for nothing");
    }

    // LIVE-006: a request costs its sender exactly the fees the withdrawal predeploy was paid.
    function _live006(Obs memory prev, Obs memory next, StepRec memory s) private view returns (string memory) {
        bool paying = s.op == OP_REQUEST_WITHDRAWAL || s.op == OP_REQUEST_REDEEM || s.op == OP_SEND_PENDING_EXIT;
        if (!s.success || !paying) return "";
        uint256 a = _idx(s.caller);
        if (a == NO_INDEX) return "";
        uint256 charged = _satSub(next.clRequestFees, prev.clRequestFees);
        if (next.actorBera[a] + charged == prev.actorBera[a]) return "";
        return string.concat(
            "the sender's BERA went from ", _s(prev.actorBera[a]), " to ", _s(next.actorBera[a]), " but the predeploy was paid ",
            _s(charged)
        );
    }

    // LIVE-007, the part this mirror can judge (the pause settings, which take no argument; poolguard also judges the
    // setters, boosts, reports and claims from their calldata): a pause or unpause by governance is refused only
    // where SPEC allows it, never unpauses a fully exited pool, and takes effect.
    function _live007(Obs memory prev, Obs memory next, StepRec memory s) private view returns (string memory) {
        string memory collected = _live007Collect(prev, next, s);
        if (bytes(collected).length != 0) return collected;
        bool vault = s.op == OP_PAUSE_VAULT || s.op == OP_UNPAUSE_VAULT;
        bool pool = s.op == OP_PAUSE_POOL || s.op == OP_UNPAUSE_POOL;
        if (s.system || !(vault || pool) || (pool && s.pool >= prev.pools.length)) return "";
        bool pausing = s.op == OP_PAUSE_POOL || s.op == OP_PAUSE_VAULT;
        bool wasPaused = vault ? prev.withdrawalVaultPaused : prev.pools[s.pool].paused;
        bool isPaused = vault ? next.withdrawalVaultPaused : next.pools[s.pool].paused;
        bool exited = pool && prev.pools[s.pool].isFullyExited;
        if (s.success) {
            if (!pausing && exited) return "unpaused a fully exited pool: a full exit pauses deposits for good";
            if (isPaused != pausing) return pausing ? "succeeded but nothing is paused" : "succeeded but it is still paused";
            return "";
        }
        bool inDomain = pausing ? !wasPaused : (wasPaused && !exited);
        bool holder = vault ? s.caller == prev.vaultOwner : _holds(prev, s.caller, PRIV_GOVERNANCE, 0, 0);
        if (inDomain && holder) return "refused to governance though SPEC allows it";
        return "";
    }

    // LIVE-007's collection part: a deposit or processRewards() leaves the pool's rewards collected (the rewards vault
    // empty, the operator's BGT fees accrued) and a buffer that reached MIN_CL_DEPOSIT_AMOUNT forwarded.
    function _live007Collect(Obs memory prev, Obs memory next, StepRec memory s) private pure returns (string memory) {
        if (!s.success || s.system || s.pool >= next.pools.length) return "";
        if (s.op != OP_SUBMIT && s.op != OP_SEND_TO_POOL && s.op != OP_PROCESS_REWARDS) return "";
        PoolObs memory p = next.pools[s.pool];
        if (p.rewardsVaultBalance != 0) {
            return string.concat(_p(s.pool), "rewards vault still holds ", _s(p.rewardsVaultBalance), " wei: not collected");
        }
        if (prev.pools[s.pool].isFullyExited || p.isFullyExited) return "";
        if (p.lastAccruedBgt != p.operatorBgt) {
            return string.concat(
                _p(s.pool), "operator holds ", _s(p.operatorBgt), " BGT but accrued only up to ", _s(p.lastAccruedBgt)
            );
        }
        if (p.bufferedAssets >= 10_000 ether) {
            return string.concat(_p(s.pool), "keeps ", _s(p.bufferedAssets), " wei buffered, not forwarded");
        }
        return "";
    }

    // LIVE-003: BERA never stays in a contract that only passes it on, nor in a pool beyond its booked buffer (no op
    // replayed here forces BERA into one).
    function _live003(Obs memory prev, Obs memory next, StepRec memory s) private pure returns (string memory) {
        for (uint256 k = 0; k < next.forwarderBera.length; k++) {
            if (next.forwarderBera[k] > prev.forwarderBera[k]) {
                return string.concat(
                    "forwarder ", _s(k), " (per pool SmartOperator, IncentiveCollector; then oracle, factory) kept ",
                    _s(next.forwarderBera[k] - prev.forwarderBera[k]), " wei"
                );
            }
        }
        // Nor in a pool beyond its booked buffer.
        for (uint256 i = 0; i < next.pools.length; i++) {
            uint256 before = _satSub(prev.pools[i].poolBalance, prev.pools[i].bufferedAssets);
            uint256 after_ = _satSub(next.pools[i].poolBalance, next.pools[i].bufferedAssets);
            if (after_ > before) {
                return string.concat(_p(i), "holds ", _s(after_), " wei beyond its buffer, ", _s(after_ - before), " more");
            }
        }
        // Nor in the WithdrawalVault beyond its pools' books, unless donated to it.
        uint256 surplusBefore = _vaultSurplus(prev);
        uint256 surplusAfter = _vaultSurplus(next);
        if (surplusAfter > surplusBefore && s.op != OP_DONATE_TO_WITHDRAWAL_VAULT) {
            return string.concat(
                "the WithdrawalVault holds ", _s(surplusAfter), " wei beyond its pools' books, ", _s(surplusAfter - surplusBefore), " more"
            );
        }
        return "";
    }

    function _vaultSurplus(Obs memory o) private pure returns (uint256) {
        uint256 books = 0;
        for (uint256 i = 0; i < o.pools.length; i++) {
            books += o.pools[i].vaultFundsInStorage;
        }
        return _satSub(o.withdrawalVaultBalance, books);
    }

    // LIVE-002: every view the observation reads answers (poolguard's observer records each one that reverts).
    function _live002(Obs memory next) private view returns (string memory) {
        for (uint256 i = 0; i < NUM_POOLS; i++) {
            Pool storage pool = _pools[i];
            bytes memory key = pool.pubkey;
            uint256 probe = next.pools[i].previews[0];
            bytes[18] memory poolViews = [
                abi.encodeWithSignature("totalSupply()"),
                abi.encodeCall(IStBERA.totalAssets, ()),
                abi.encodeCall(IStakingPool.totalDeposits, ()),
                abi.encodeCall(IStakingPool.bufferedAssets, ()),
                abi.encodeCall(IStakingPool.pendingRewardsNetOfFees, ()),
                abi.encodeCall(IStakingPool.deadShares, ()),
                abi.encodeCall(IStakingPool.frozenTotalAssets, ()),
                abi.encodeCall(IStakingPool.minEffectiveBalance, ()),
                abi.encodeCall(IStakingPool.minEffectiveBalanceReached, ()),
                abi.encodeCall(IStakingPool.isActive, ()),
                abi.encodeCall(IStakingPool.isFullyExited, ()),
                abi.encodeCall(IStakingPool.pendingClWithdrawals, ()),
                abi.encodeCall(IStakingPool.expectedClBalance, ()),
                abi.encodeCall(IStakingPool.defaultSharesRecipient, ()),
                abi.encodeCall(IStBERA.previewDeposit, (probe)),
                abi.encodeCall(IStBERA.previewMint, (probe)),
                abi.encodeCall(IStBERA.previewWithdraw, (probe)),
                abi.encodeCall(IStBERA.previewRedeem, (probe))
            ];
            for (uint256 k = 0; k < poolViews.length; k++) {
                (bool ok,) = pool.stakingPool.staticcall(poolViews[k]);
                if (!ok) return string.concat("pool", vm.toString(i), ": StakingPool view #", vm.toString(k), " reverted");
            }
            bytes[4] memory operatorViews = [
                abi.encodeCall(ISmartOperator.rebaseableBgtAmount, ()),
                abi.encodeCall(ISmartOperator.lastAccruedBgtBalance, ()),
                abi.encodeCall(ISmartOperator.feeRates, ()),
                abi.encodeCall(ISmartOperator.protocolFeePercentage, ())
            ];
            for (uint256 k = 0; k < operatorViews.length; k++) {
                (bool ok,) = pool.smartOperator.staticcall(operatorViews[k]);
                if (!ok) return string.concat("pool", vm.toString(i), ": SmartOperator view #", vm.toString(k), " reverted");
            }
            (bool fundsOk,) = withdrawalVault.staticcall(abi.encodeCall(IWithdrawalVault.poolFunds, (key)));
            (bool owedOk,) = withdrawalVault.staticcall(abi.encodeCall(IWithdrawalVault.poolOwed, (key)));
            (bool reportOk,) = accountingOracle.staticcall(abi.encodeCall(IAccountingOracle.getLastReport, (key)));
            (bool prechargedOk,) =
                pool.rewardsVault.staticcall(abi.encodeCall(IStakingRewardsVault.prechargedAmount, ()));
            if (!(fundsOk && owedOk && reportOk && prechargedOk)) {
                return string.concat("pool", vm.toString(i), ": a vault, oracle or rewards-vault view reverted");
            }
        }
        for (uint256 id = 1; id <= next.requests.length; id++) {
            (bool ok,) = withdrawalVault.staticcall(abi.encodeCall(IWithdrawalVault.getRequest, (id)));
            (bool finalizedOk,) = withdrawalVault.staticcall(abi.encodeCall(IWithdrawalVault.isFinalized, (id)));
            if (!(ok && finalizedOk)) return string.concat("request ", vm.toString(id), ": a view reverted");
        }
        return "";
    }

    // LIVE-001, the part this mirror can judge: a withdrawal or redemption request is refused only for a reason
    // SPEC gives; a refused refund only for a contract holder, and for a pending exit request only when it paid
    // above the fee (its other refusals are poolguard's to judge). (poolguard also judges deposits' refusals and each refusal's cause, whether an exit was
    // pending among them, `invariants/src/refusals.rs`.)
    function _live001(Obs memory prev, StepRec memory s) private view returns (string memory) {
        if (!s.success && s.op == OP_SEND_PENDING_EXIT) return _live001PendingExit(prev, s);
        if (s.success || (s.op != OP_REQUEST_WITHDRAWAL && s.op != OP_REQUEST_REDEEM)) return "";
        // Only a request for no more than the holder owns (before the step) must go through.
        (bool found, uint256 holder) = actorIndex(s.caller);
        if (!found || !s.requestAmountKnown || s.pool >= prev.pools.length) return "";
        PoolObs memory pool = prev.pools[s.pool];
        uint256 owned = pool.shareBalances[holder];
        uint256 limit =
            s.op == OP_REQUEST_REDEEM ? owned : Math.mulDiv(owned, pool.totalAssets + 1, pool.totalSupply + 1);
        if (s.requestAmount > limit) return "";
        bytes4 e = s.revertSelector;
        if (
            e == bytes4(keccak256("EnforcedPause()")) || e == bytes4(keccak256("UnknownPool()"))
                || e == bytes4(keccak256("NotActive()")) || e == bytes4(keccak256("ZeroAmount()"))
                || e == bytes4(keccak256("ZeroShares()"))
                || e == bytes4(keccak256("ERC20InsufficientBalance(address,uint256,uint256)"))
                || e == bytes4(keccak256("DeadSharesLocked()")) || e == bytes4(keccak256("WithdrawalNotAllowed()"))
                || e == bytes4(keccak256("FeeTooHigh()"))
        ) return "";
        bool contractHolder = s.caller == contractActor || s.caller == contractActorNoReceiver;
        if (contractHolder && e == bytes4(keccak256("TransferFailed()"))) return "";
        return string.concat("a request was refused with error ", vm.toString(bytes32(e)));
    }

    function _live001PendingExit(Obs memory prev, StepRec memory s) private view returns (string memory) {
        // A payer that sends more BERA than it has fails in its own call, before the suite runs.
        (bool found, uint256 payer) = actorIndex(s.caller);
        if (!found || s.value > prev.actorBera[payer]) return "";
        bytes4 e = s.revertSelector;
        if (e == bytes4(keccak256("NoExitPending()")) || e == bytes4(keccak256("FeeTooHigh()"))) return "";
        bool contractPayer = s.caller == contractActor || s.caller == contractActorNoReceiver;
        uint256 fee = IWithdrawalRequests(withdrawalRequests).fee();
        if (contractPayer && s.value > fee && e == bytes4(keccak256("TransferFailed()"))) return "";
        return string.concat("a pending exit request was refused with error ", vm.toString(bytes32(e)));
    }

    // PAUSE-001: a paused pool accepts no deposit and a paused WithdrawalVault records no request.
    function _pause001(Obs memory prev, Obs memory next, StepRec memory s) private pure returns (string memory) {
        DepositEv[] memory d = s.events.deposits;
        for (uint256 k = 0; k < d.length; k++) {
            if (prev.pools[d[k].pool].paused) return string.concat(_p(d[k].pool), "deposit while paused");
        }
        bool recorded = s.events.requested.length != 0 || next.requests.length > prev.requests.length;
        if (recorded && prev.withdrawalVaultPaused) {
            return "request recorded while the vault is paused";
        }
        return "";
    }

    // EXIT-001: a live pool that has reached the minimum effective balance never sits below it.
    function _exit001(Obs memory next) private pure returns (string memory) {
        for (uint256 i = 0; i < next.pools.length; i++) {
            PoolObs memory p = next.pools[i];
            if (!p.isFullyExited && p.minEffectiveBalanceReached && p.totalDeposits < p.minEffectiveBalance) {
                return string.concat(
                    _p(i), "totalDeposits ", _s(p.totalDeposits), " below minimum ", _s(p.minEffectiveBalance),
                    " without a full exit"
                );
            }
        }
        return "";
    }

    // EXIT-002: only a withdrawal request or an oracle report on that pool triggers its full exit.
    function _exit002(Obs memory prev, Obs memory next, StepRec memory s) private pure returns (string memory) {
        for (uint256 i = 0; i < next.pools.length; i++) {
            if (!prev.pools[i].isFullyExited && next.pools[i].isFullyExited) {
                bool allowed = (s.op == OP_REQUEST_WITHDRAWAL || s.op == OP_REQUEST_REDEEM || s.op == OP_ORACLE_REPORT)
                    && s.pool == i;
                if (!allowed) return string.concat("pool", _s(i), " exited in ", opName(s.op));
            }
        }
        return "";
    }

    // EXIT-003: after a full exit no deposit succeeds and totalAssets falls only by withdrawals' assets.
    function _exit003(Obs memory prev, Obs memory next, StepRec memory s) private pure returns (string memory) {
        Events memory e = s.events;
        for (uint256 i = 0; i < next.pools.length; i++) {
            if (!prev.pools[i].isFullyExited) continue;
            for (uint256 k = 0; k < e.deposits.length; k++) {
                if (e.deposits[k].pool == i) return string.concat(_p(i), "deposit after exit");
            }
            uint256 out = 0;
            unchecked {
                for (uint256 k = 0; k < e.burns.length; k++) {
                    if (e.burns[k].pool == i) out += e.burns[k].assets;
                }
            }
            uint256 a = prev.pools[i].totalAssets;
            if (a < out || a - out != next.pools[i].totalAssets) {
                return string.concat(
                    _p(i), "exited totalAssets ", _s(a), " -> ", _s(next.pools[i].totalAssets), " with withdrawals of ",
                    _s(out)
                );
            }
        }
        return "";
    }

    // ORACLE-001: only feeders' reports are accepted: by their event, and by the report call itself (a successful
    // updateTotalDeposits from a non-feeder, whatever the oracle emitted).
    function _oracle001(Obs memory prev, StepRec memory s) private view returns (string memory) {
        bool reported = s.events.reports.length != 0 || (s.success && s.op == OP_ORACLE_REPORT);
        if (reported && !_holds(prev, s.caller, PRIV_FEEDER, 0, 0)) {
            return string.concat("report accepted from ", actorName(s.caller));
        }
        return "";
    }

    // ORACLE-002: an accepted report's refSlot is above the pool's last one.
    function _oracle002(Obs memory prev, StepRec memory s) private view returns (string memory) {
        ReportEv[] memory r = s.events.reports;
        for (uint256 k = 0; k < r.length; k++) {
            uint256 last = prev.pools[r[k].pool].lastReportSlot;
            if (r[k].refSlot <= last) {
                return string.concat(_p(r[k].pool), "report for refSlot ", _s(r[k].refSlot), " after ", _s(last));
            }
        }
        // The same from the calldata of an accepted report, against the ghost's last accepted refSlot.
        if (s.success && s.op == OP_ORACLE_REPORT && s.pool < NUM_POOLS && s.reportRefSlot <= ghostRefSlotBefore[s.pool]) {
            return string.concat(
                _p(s.pool), "report for refSlot ", _s(s.reportRefSlot), " accepted after one for refSlot ",
                _s(ghostRefSlotBefore[s.pool])
            );
        }
        return "";
    }

    // ORACLE-003: an accepted non-zero report on an active pool is within the governance bounds of the balance
    // the books imply (totalDeposits + unpaid consensus-layer withdrawals, computed here, not expectedClBalance()),
    // and moves totalDeposits by exactly its difference from that balance.
    function _oracle003(Obs memory prev, Obs memory next, StepRec memory s) private pure returns (string memory) {
        ReportEv[] memory r = s.events.reports;
        for (uint256 k = 0; k < r.length; k++) {
            string memory m = _reportInBounds(prev, r[k].pool, r[k].value);
            if (bytes(m).length != 0) return m;
        }
        if (s.success && s.op == OP_ORACLE_REPORT && s.pool < NUM_POOLS) {
            if (!s.reportBalanceKnown) return string.concat(_p(s.pool), "a report past 2^256 wei was accepted");
            string memory m = _reportInBounds(prev, s.pool, s.reportBalance);
            if (bytes(m).length != 0) return m;
            return _reportBooked(prev.pools[s.pool], next.pools[s.pool], s.pool, s.reportBalance);
        }
        return "";
    }

    /// @notice ORACLE-003's booking clause: a non-zero report on a live pool moves totalDeposits by exactly its
    /// difference from the books (a reward above, a penalty below, floored at zero), the report that exits the pool
    /// too (the exit leaves totalDeposits as the report put it).
    function _reportBooked(PoolObs memory a, PoolObs memory b, uint256 i, uint256 value)
        private
        pure
        returns (string memory)
    {
        if (value == 0 || !a.isActive || a.isFullyExited) return "";
        uint256 books = _satAdd(a.totalDeposits, _satSub(a.clWithdrawalsRequested, a.clWithdrawn));
        uint256 booked = value >= books ? _satAdd(a.totalDeposits, value - books) : _satSub(a.totalDeposits, books - value);
        if (booked == b.totalDeposits) return "";
        return string.concat(
            _p(i), "report ", _s(value), " against books of ", _s(books), " should take totalDeposits from ",
            _s(a.totalDeposits), " to ", _s(booked), ", it is ", _s(b.totalDeposits)
        );
    }

    function _reportInBounds(Obs memory prev, uint256 i, uint256 value) private pure returns (string memory) {
        PoolObs memory p = prev.pools[i];
        if (value == 0 || !p.isActive) return "";
        uint256 expected = _satAdd(p.totalDeposits, _satSub(p.clWithdrawalsRequested, p.clWithdrawn));
        uint256 hi = _satAdd(expected, _satMul(expected, prev.boundUp) / 10_000);
        uint256 lo = _satSub(expected, _satMul(expected, prev.boundDown) / 10_000);
        if (value > hi || value < lo) {
            return string.concat(
                _p(i), "report ", _s(value), " outside [", _s(lo), ", ", _s(hi), "] around the books' ", _s(expected)
            );
        }
        return "";
    }
}
