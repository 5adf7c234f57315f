// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {PoolguardInvariants} from "../utils/PoolguardInvariants.sol";
import {IStakingPool} from "../../src/interfaces/IStakingPool.sol";
import {ISmartOperator} from "../../src/interfaces/ISmartOperator.sol";
import {IWithdrawalVault} from "../../src/interfaces/IWithdrawalVault.sol";
import {IAccountingOracle} from "../../src/interfaces/IAccountingOracle.sol";
import {IBeaconDeposit} from "../../src/interfaces/IBeaconDeposit.sol";
import {IBeraChef} from "../../src/interfaces/IBeraChef.sol";
import {IBGT} from "../../src/interfaces/IBGT.sol";
import {IIncentiveCollector} from "../../src/interfaces/IIncentiveCollector.sol";
import {IStakingPoolContractsFactory} from "../../src/interfaces/IStakingPoolContractsFactory.sol";

interface IPoolguardHandlerCalls {
    function transfer(address to, uint256 value) external returns (bool);
    function approve(address spender, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
    function grantRole(bytes32 role, address account) external;
    function revokeRole(bytes32 role, address account) external;
    function renounceRole(bytes32 role, address callerConfirmation) external;
    function pause() external;
    function unpause() external;
    function upgradeToAndCall(address newImplementation, bytes calldata data) external payable;
    function mint(address to, uint256 amount) external;
}

/// @title Forge invariant handler covering poolguard's action space.
/// @notice One external function per poolguard op kind (src/actions.rs, 46 kinds). Each takes fuzzed seeds
/// and turns them into the transaction poolguard's strategy (src/engine/strategy.rs `random_action`) would
/// generate: the caller biased toward the privilege's holder (`caller_for`), amounts from the same ranges
/// (`amount`, with the spec constants as dictionary), rolls from the same distribution (`roll`), the same
/// per-op scaling (ClReward /50, ClPenalty /20 and capped, BGT /10, ...), and the same state-dependent
/// planning (`Op::plan`: newest request for Finalize, honest/delta/zero/replay oracle reports, ...). The
/// transaction then goes through `step(...)`, so observations, ghost and the 29 checks are poolguard's.
/// A handler call never reverts. What differs from poolguard: forge picks handler functions uniformly
/// (poolguard weights op kinds, e.g. Submit 18%), forge's own argument dictionary replaces poolguard's
/// bytecode/compare-operand dictionary, and forge mutates call sequences its own way.
contract PoolguardHandler is PoolguardInvariants {
    uint256 internal constant NONE = type(uint256).max;

    uint256 internal _govIdx;
    uint256 internal _feederIdx;
    /// @notice Stakers and the attacker (poolguard's `GenContext::stakers`).
    uint256[] internal _stakerIdx;
    /// @notice Per pool, the actor index of each role holder in `Role::ALL` order.
    uint256[7][NUM_POOLS] internal _holderIdx;

    /// @notice Handler calls per op kind.
    uint256[47] public callsPerOp;
    /// @notice With POOLGUARD_PARANOID=true, every step also checks its incremental observation against a
    /// full one (slow; a self-test of the observation layer).
    bool public paranoid;

    constructor() {
        paranoid = vm.envOr("POOLGUARD_PARANOID", false);
        deployWorld();
        _govIdx = _idx(governance);
        _feederIdx = _idx(feeder);
        for (uint256 i = 0; i < NUM_STAKERS; i++) {
            _stakerIdx.push(_idx(stakers[i]));
        }
        _stakerIdx.push(_idx(attacker));
        for (uint256 p = 0; p < NUM_POOLS; p++) {
            for (uint8 r = 0; r < NUM_ROLES; r++) {
                _holderIdx[p][r] = _idx(roleHolder(p, r));
            }
        }
    }

    // ------------------------------------------------------------------ for the invariant test

    function check(string calldata id) external view {
        checkInvariant(id);
    }

    function checkAll() external view {
        checkAllInvariants();
    }

    /// @notice The action functions (what the invariant runner may call).
    function actionSelectors() external pure returns (bytes4[] memory s) {
        s = new bytes4[](46);
        s[0] = this.submit.selector;
        s[1] = this.sendToPool.selector;
        s[2] = this.donateToRewardsVault.selector;
        s[3] = this.donateToWithdrawalVault.selector;
        s[4] = this.transferShares.selector;
        s[5] = this.approveShares.selector;
        s[6] = this.transferSharesFrom.selector;
        s[7] = this.requestWithdrawal.selector;
        s[8] = this.requestRedeem.selector;
        s[9] = this.finalize.selector;
        s[10] = this.finalizeAll.selector;
        s[11] = this.sendPendingExit.selector;
        s[12] = this.oracleReport.selector;
        s[13] = this.clReward.selector;
        s[14] = this.clPenalty.selector;
        s[15] = this.clProcessWithdrawals.selector;
        s[16] = this.mintBgt.selector;
        s[17] = this.bgtStakerReward.selector;
        s[18] = this.mintIncentives.selector;
        s[19] = this.claimIncentives.selector;
        s[20] = this.processRewards.selector;
        s[21] = this.accrueBgtFees.selector;
        s[22] = this.queueBoost.selector;
        s[23] = this.activateBoost.selector;
        s[24] = this.queueDropBoost.selector;
        s[25] = this.dropBoost.selector;
        s[26] = this.redeemBgt.selector;
        s[27] = this.claimBgtStakerReward.selector;
        s[28] = this.queueCommission.selector;
        s[29] = this.activateCommission.selector;
        s[30] = this.setProtocolFee.selector;
        s[31] = this.queueRewardsAllocation.selector;
        s[32] = this.queuePayoutChange.selector;
        s[33] = this.grantRole.selector;
        s[34] = this.revokeRole.selector;
        s[35] = this.renounceRole.selector;
        s[36] = this.grantFeeder.selector;
        s[37] = this.pausePool.selector;
        s[38] = this.unpausePool.selector;
        s[39] = this.pauseVault.selector;
        s[40] = this.unpauseVault.selector;
        s[41] = this.setMinEffectiveBalance.selector;
        s[42] = this.setOracleBounds.selector;
        s[43] = this.setProtocolFeeRecipient.selector;
        s[44] = this.upgrade.selector;
        s[45] = this.wait.selector;
    }

    // ------------------------------------------------------------------ generation (strategy.rs)

    function _pool(uint256 seed) internal pure returns (uint256) {
        return seed % NUM_POOLS;
    }

    function _any(uint256 seed) internal view returns (address) {
        return _actors[seed % _actors.length];
    }

    function _staker(uint256 seed) internal view returns (address) {
        return _actors[_stakerIdx[seed % _stakerIdx.length]];
    }

    /// @notice strategy.rs `caller_for`: mostly the holder, often another role holder of the pool (a confused
    /// deputy), else a staker or anyone. `holder` is a `Role::ALL` index, or NONE.
    function _caller(uint256 seed, uint256 pool, uint256 holder) internal view returns (address) {
        uint256 r = seed % 20;
        uint256 x = seed / 20;
        uint256[7] storage holders = _holderIdx[pool];
        if (holder != NONE && r <= 11) return _actors[holders[holder]];
        if (holder != NONE && r >= 12 && r <= 15) return _actors[holders[x % 7]];
        if (holder == NONE && r <= 1) return _actors[holders[x % 7]];
        if ((r >= 16 && r <= 17) || (holder == NONE && r >= 2 && r <= 13)) return _staker(x);
        return _any(x);
    }

    function _callerIdx(uint256 seed, uint256 pool, uint256 actorIdx) internal view returns (address) {
        // Holder given as an actor index (governance, feeder): same distribution as `_caller`.
        uint256 r = seed % 20;
        uint256 x = seed / 20;
        if (r <= 11) return _actors[actorIdx];
        if (r >= 12 && r <= 15) return _actors[_holderIdx[pool][x % 7]];
        if (r >= 16 && r <= 17) return _staker(x);
        return _any(x);
    }

    /// @notice strategy.rs `roll`.
    function _roll(uint256 seed) internal pure returns (uint32) {
        uint256 r = seed % 20;
        uint256 x = seed / 20;
        if (r <= 12) return 0;
        if (r <= 16) return uint32(1 + x % 199);
        if (r == 17) return 129_600;
        if (r == 18) {
            uint32[4] memory special = [uint32(8_192), 16_382, 129_599, 129_601];
            return special[x % 4];
        }
        return uint32(1 + x % 199_999);
    }

    /// @notice strategy.rs `amount`: mostly realistic, sometimes extreme or from the dictionary.
    function _amount(uint256 seed) internal pure returns (uint256) {
        uint256 r = seed % 10;
        uint256 x = seed / 10;
        if (r == 0) return 1 + x % (1_000_000_000_000 - 1);
        if (r <= 4) return (1 + x % 19_999) * BERA;
        if (r <= 6) return (10_000 + x % 390_000) * BERA;
        if (r == 7) return (400_000 + x % 2_600_000) * BERA;
        if (r == 8) return _dictionary(x);
        return (1 + x % 99) * BERA + (x / 100) % 1_000_000_000;
    }

    /// @notice The spec part of poolguard's dictionary (poolguard adds bytecode PUSH constants and observed
    /// compare operands; forge has its own dictionary of those).
    function _dictionary(uint256 seed) internal pure returns (uint256) {
        uint256[18] memory d = [
            uint256(1 ether),
            10_000 ether,
            250_000 ether,
            10_000_000 ether,
            129_600 ether,
            16_382 ether,
            8_191 ether,
            1,
            10_000,
            250_000,
            10_000_000,
            129_600,
            16_382,
            8_191,
            0,
            1,
            type(uint256).max,
            uint256(1) << 63
        ];
        return d[seed % 18];
    }

    function _fee(uint256 seed) internal pure returns (uint256) {
        return seed % 4;
    }

    function _go(uint8 op, uint32 roll, address from, address to, uint256 value, bytes memory data) internal {
        callsPerOp[op]++;
        step(roll, from, to, value, data);
        if (paranoid) _assertObservationCacheFresh();
    }

    // ------------------------------------------------------------------ actions (Op::plan)

    function submit(uint256 c, uint256 r, uint256 p, uint256 receiverSeed, uint256 amountSeed) external {
        uint256 pool = _pool(p);
        address receiver = receiverSeed % 10 < 8 ? _staker(receiverSeed / 10) : _any(receiverSeed / 10);
        _go(
            OP_SUBMIT,
            _roll(r),
            _caller(c, pool, NONE),
            _pools[pool].stakingPool,
            _amount(amountSeed),
            abi.encodeCall(IStakingPool.submit, (receiver))
        );
    }

    function sendToPool(uint256 c, uint256 r, uint256 p, uint256 amountSeed) external {
        uint256 pool = _pool(p);
        _go(OP_SEND_TO_POOL, _roll(r), _caller(c, pool, NONE), _pools[pool].stakingPool, _amount(amountSeed), "");
    }

    function donateToRewardsVault(uint256 c, uint256 r, uint256 p, uint256 amountSeed) external {
        uint256 pool = _pool(p);
        _go(
            OP_DONATE_TO_REWARDS_VAULT, _roll(r), _caller(c, pool, NONE), _pools[pool].rewardsVault, _amount(amountSeed), ""
        );
    }

    function donateToWithdrawalVault(uint256 c, uint256 r, uint256 p, uint256 amountSeed) external {
        _go(OP_DONATE_TO_WITHDRAWAL_VAULT, _roll(r), _caller(c, _pool(p), NONE), withdrawalVault, _amount(amountSeed), "");
    }

    function transferShares(uint256 c, uint256 r, uint256 p, uint256 toSeed, uint256 amountSeed) external {
        uint256 pool = _pool(p);
        _go(
            OP_TRANSFER_SHARES,
            _roll(r),
            _caller(c, pool, NONE),
            _pools[pool].stakingPool,
            0,
            abi.encodeCall(IPoolguardHandlerCalls.transfer, (_any(toSeed), _amount(amountSeed)))
        );
    }

    function approveShares(uint256 c, uint256 r, uint256 p, uint256 spenderSeed, uint256 amountSeed) external {
        uint256 pool = _pool(p);
        _go(
            OP_APPROVE_SHARES,
            _roll(r),
            _caller(c, pool, NONE),
            _pools[pool].stakingPool,
            0,
            abi.encodeCall(IPoolguardHandlerCalls.approve, (_any(spenderSeed), _amount(amountSeed)))
        );
    }

    function transferSharesFrom(uint256 c, uint256 r, uint256 p, uint256 fromSeed, uint256 toSeed, uint256 amountSeed)
        external
    {
        uint256 pool = _pool(p);
        _go(
            OP_TRANSFER_SHARES_FROM,
            _roll(r),
            _caller(c, pool, NONE),
            _pools[pool].stakingPool,
            0,
            abi.encodeCall(IPoolguardHandlerCalls.transferFrom, (_staker(fromSeed), _any(toSeed), _amount(amountSeed)))
        );
    }

    function requestWithdrawal(uint256 c, uint256 r, uint256 p, uint256 amountSeed, uint256 feeSeed) external {
        uint256 pool = _pool(p);
        _go(
            OP_REQUEST_WITHDRAWAL,
            _roll(r),
            _caller(c, pool, NONE),
            withdrawalVault,
            _fee(feeSeed / 4),
            abi.encodeCall(
                IWithdrawalVault.requestWithdrawal, (_pools[pool].pubkey, _amount(amountSeed) / 1 gwei, _fee(feeSeed))
            )
        );
    }

    function requestRedeem(uint256 c, uint256 r, uint256 p, uint256 sharesSeed, uint256 feeSeed) external {
        uint256 pool = _pool(p);
        _go(
            OP_REQUEST_REDEEM,
            _roll(r),
            _caller(c, pool, NONE),
            withdrawalVault,
            _fee(feeSeed / 4),
            abi.encodeCall(IWithdrawalVault.requestRedeem, (_pools[pool].pubkey, _amount(sharesSeed), _fee(feeSeed)))
        );
    }

    function finalize(uint256 c, uint256 r, uint256 p, uint256 idSeed) external {
        uint256 id = idSeed % 6;
        uint256 count = IWithdrawalVault(withdrawalVault).requestCount();
        id = (id == 0 || count == 0) ? count : 1 + (id - 1) % count;
        _go(
            OP_FINALIZE,
            _roll(r),
            _caller(c, _pool(p), NONE),
            withdrawalVault,
            0,
            abi.encodeCall(IWithdrawalVault.finalizeWithdrawalRequest, (id))
        );
    }

    function finalizeAll(uint256 c, uint256 r, uint256 p) external {
        uint256 count = IWithdrawalVault(withdrawalVault).requestCount();
        uint256[] memory ids = new uint256[](count);
        for (uint256 k = 0; k < count; k++) {
            ids[k] = k + 1;
        }
        _go(
            OP_FINALIZE_ALL,
            _roll(r),
            _caller(c, _pool(p), NONE),
            withdrawalVault,
            0,
            abi.encodeCall(IWithdrawalVault.finalizeWithdrawalRequests, (ids))
        );
    }

    function sendPendingExit(uint256 c, uint256 r, uint256 p, uint256 feeSeed) external {
        uint256 pool = _pool(p);
        uint256 value = _fee(feeSeed);
        _go(
            OP_SEND_PENDING_EXIT,
            _roll(r),
            _caller(c, pool, NONE),
            withdrawalVault,
            value,
            abi.encodeCall(IWithdrawalVault.sendPendingExitRequest, (_pools[pool].pubkey, value))
        );
    }

    /// @notice kind: 0-5 honest, 6-7 expected balance moved by [-700, 150) bps, 8 zero, 9 replay, 10 a balance named
    /// outright (strategy.rs).
    function oracleReport(uint256 c, uint256 r, uint256 p, uint256 kindSeed) external {
        uint256 pool = _pool(p);
        bytes memory key = _pools[pool].pubkey;
        uint256 actual = IBeaconDeposit(beaconDeposit).validatorBalance(key);
        (, uint256 last) = IAccountingOracle(accountingOracle).getLastReport(key);
        uint256 kind = kindSeed % 11;
        uint256 balance = actual;
        uint256 slot = last + 1;
        if (kind >= 6 && kind <= 7) {
            uint256 expected = IStakingPool(_pools[pool].stakingPool).expectedClBalance();
            int256 bps = int256((kindSeed / 10) % 850) - 700;
            uint256 magnitude = expected * uint256(bps < 0 ? -bps : bps) / 10_000;
            balance = bps >= 0 ? expected + magnitude : _satSub(expected, magnitude);
        } else if (kind == 8) {
            balance = 0;
        } else if (kind == 9) {
            slot = last;
        } else if (kind == 10) {
            // A balance named outright (Rust's `Report::Gwei`): anywhere up to one gwei past the oracle's cap.
            balance = ((kindSeed / 11) % (20_000_000 ether / 1 gwei + 2)) * 1 gwei;
        }
        _go(
            OP_ORACLE_REPORT,
            _roll(r),
            _callerIdx(c, pool, _feederIdx),
            accountingOracle,
            0,
            abi.encodeCall(IAccountingOracle.updateTotalDeposits, (key, balance / 1 gwei, slot))
        );
    }

    function clReward(uint256, uint256 r, uint256 p, uint256 amountSeed) external {
        uint256 pool = _pool(p);
        _go(
            OP_CL_REWARD,
            _roll(r),
            system,
            beaconDeposit,
            _amount(amountSeed) / 50,
            abi.encodeCall(IBeaconDeposit.rewardValidator, (_pools[pool].pubkey))
        );
    }

    /// @notice Basis points as strategy.rs `bps_value` draws them (without its dictionary): mostly below `typical`,
    /// else anywhere up to 100% and one past it.
    function _bps(uint256 seed, uint256 typical) internal pure returns (uint256) {
        return (seed >> 128) % 8 == 0 ? seed % 10_002 : seed % typical;
    }

    /// @notice Bounded like poolguard's plan: the balance stays at or above what was requested and not paid.
    function clPenalty(uint256, uint256 r, uint256 p, uint256 amountSeed) external {
        uint256 pool = _pool(p);
        bytes memory key = _pools[pool].pubkey;
        uint256 actual = IBeaconDeposit(beaconDeposit).validatorBalance(key);
        uint256 floor_ = IStakingPool(_pools[pool].stakingPool).pendingClWithdrawals();
        // A Loss: now and then all the validator can lose (strategy.rs `loss`).
        uint256 amount = (amountSeed >> 128) % 8 == 0 ? type(uint256).max : _amount(amountSeed) / 20;
        uint256 room = _satSub(actual, floor_);
        if (amount > room) amount = room;
        _go(
            OP_CL_PENALTY,
            _roll(r),
            system,
            beaconDeposit,
            0,
            abi.encodeCall(IBeaconDeposit.penalizeValidator, (key, amount))
        );
    }

    function clProcessWithdrawals(uint256, uint256 r, uint256 maxSeed) external {
        _go(
            OP_CL_PROCESS_WITHDRAWALS,
            _roll(r),
            system,
            beaconDeposit,
            0,
            abi.encodeCall(IBeaconDeposit.processWithdrawalRequests, (1 + maxSeed % 7))
        );
    }

    function mintBgt(uint256, uint256 r, uint256 p, uint256 amountSeed) external {
        uint256 pool = _pool(p);
        uint256 amount = _amount(amountSeed) / 10;
        _go(OP_MINT_BGT, _roll(r), system, bgt, amount, abi.encodeCall(IBGT.mint, (_pools[pool].smartOperator, amount)));
    }

    function bgtStakerReward(uint256, uint256 r, uint256 p, uint256 amountSeed) external {
        uint256 pool = _pool(p);
        _go(
            OP_BGT_STAKER_REWARD,
            _roll(r),
            system,
            bgt,
            _amount(amountSeed) / 10,
            abi.encodeCall(IBGT.notifyStakerReward, (_pools[pool].smartOperator))
        );
    }

    function mintIncentives(uint256, uint256 r, uint256 p, uint256 amountSeed) external {
        uint256 pool = _pool(p);
        _go(
            OP_MINT_INCENTIVES,
            _roll(r),
            system,
            incentiveToken,
            0,
            abi.encodeCall(IPoolguardHandlerCalls.mint, (_pools[pool].incentiveCollector, _amount(amountSeed)))
        );
    }

    function claimIncentives(uint256 c, uint256 r, uint256 p, uint256 valueSeed) external {
        uint256 pool = _pool(p);
        address[] memory tokens = new address[](1);
        tokens[0] = incentiveToken;
        uint256 value = valueSeed % 10 < 7 ? 100 * BERA : _amount(valueSeed / 10);
        _go(
            OP_CLAIM_INCENTIVES,
            _roll(r),
            _caller(c, pool, NONE),
            _pools[pool].incentiveCollector,
            value,
            abi.encodeCall(IIncentiveCollector.claim, (tokens))
        );
    }

    function processRewards(uint256 c, uint256 r, uint256 p) external {
        uint256 pool = _pool(p);
        _go(
            OP_PROCESS_REWARDS,
            _roll(r),
            _caller(c, pool, NONE),
            _pools[pool].stakingPool,
            0,
            abi.encodeCall(IStakingPool.processRewards, ())
        );
    }

    function _operatorCall(uint8 op, uint256 c, uint256 r, uint256 p, uint256 holder, bytes memory data) internal {
        uint256 pool = _pool(p);
        _go(op, _roll(r), _caller(c, pool, holder), _pools[pool].smartOperator, 0, data);
    }

    function accrueBgtFees(uint256 c, uint256 r, uint256 p) external {
        _operatorCall(OP_ACCRUE_BGT_FEES, c, r, p, NONE, abi.encodeCall(ISmartOperator.accrueEarnedBGTFees, ()));
    }

    function queueBoost(uint256 c, uint256 r, uint256 p) external {
        _operatorCall(OP_QUEUE_BOOST, c, r, p, NONE, abi.encodeCall(ISmartOperator.queueBoost, ()));
    }

    function activateBoost(uint256 c, uint256 r, uint256 p) external {
        _operatorCall(OP_ACTIVATE_BOOST, c, r, p, NONE, abi.encodeCall(ISmartOperator.activateBoost, ()));
    }

    function queueDropBoost(uint256 c, uint256 r, uint256 p, uint256 amountSeed) external {
        uint128 amount = uint128(1 + amountSeed % (uint256(type(uint64).max) - 1));
        _operatorCall(
            OP_QUEUE_DROP_BOOST, c, r, p, ROLE_BGT_MANAGER, abi.encodeCall(ISmartOperator.queueDropBoost, (amount))
        );
    }

    function dropBoost(uint256 c, uint256 r, uint256 p) external {
        _operatorCall(OP_DROP_BOOST, c, r, p, NONE, abi.encodeCall(ISmartOperator.dropBoost, ()));
    }

    function redeemBgt(uint256 c, uint256 r, uint256 p, uint256 amountSeed) external {
        _operatorCall(
            OP_REDEEM_BGT,
            c,
            r,
            p,
            ROLE_BGT_MANAGER,
            abi.encodeCall(ISmartOperator.redeemBGT, (_amount(amountSeed) / 10))
        );
    }

    function claimBgtStakerReward(uint256 c, uint256 r, uint256 p) external {
        _operatorCall(
            OP_CLAIM_BGT_STAKER_REWARD, c, r, p, NONE, abi.encodeCall(ISmartOperator.claimBgtStakerReward, ())
        );
    }

    function queueCommission(uint256 c, uint256 r, uint256 p, uint256 bpsSeed) external {
        _operatorCall(
            OP_QUEUE_COMMISSION,
            c,
            r,
            p,
            ROLE_COMMISSION_MANAGER,
            abi.encodeCall(ISmartOperator.queueValCommission, (uint96(_bps(bpsSeed, 2600))))
        );
    }

    function activateCommission(uint256 c, uint256 r, uint256 p) external {
        uint256 pool = _pool(p);
        _go(
            OP_ACTIVATE_COMMISSION,
            _roll(r),
            _caller(c, pool, NONE),
            beraChef,
            0,
            abi.encodeCall(IBeraChef.activateQueuedValCommission, (_pools[pool].pubkey))
        );
    }

    function setProtocolFee(uint256 c, uint256 r, uint256 p, uint256 bpsSeed) external {
        _operatorCall(
            OP_SET_PROTOCOL_FEE,
            c,
            r,
            p,
            ROLE_PROTOCOL_FEE_MANAGER,
            abi.encodeCall(ISmartOperator.setProtocolFeePercentage, (_bps(bpsSeed, 2600)))
        );
    }

    function queueRewardsAllocation(uint256 c, uint256 r, uint256 p, uint256 receiverSeed) external {
        uint32 roll = _roll(r);
        ISmartOperator.RewardWeight[] memory weights = new ISmartOperator.RewardWeight[](1);
        weights[0] = ISmartOperator.RewardWeight({receiver: _any(receiverSeed), percentageNumerator: 10_000});
        // Planned after the roll in poolguard: start = block after the roll + 100.
        uint64 start = uint64(block.number + roll + 100);
        uint256 pool = _pool(p);
        _go(
            OP_QUEUE_REWARDS_ALLOCATION,
            roll,
            _caller(c, pool, ROLE_REWARDS_ALLOCATION_MANAGER),
            _pools[pool].smartOperator,
            0,
            abi.encodeCall(ISmartOperator.queueRewardsAllocation, (start, weights))
        );
    }

    function queuePayoutChange(uint256 c, uint256 r, uint256 p, uint256 amountSeed) external {
        _operatorCall(
            OP_QUEUE_PAYOUT_CHANGE,
            c,
            r,
            p,
            ROLE_INCENTIVE_COLLECTOR_MANAGER,
            abi.encodeCall(ISmartOperator.queueIncentiveCollectorPayoutAmountChange, (_amount(amountSeed)))
        );
    }

    function grantRole(uint256 c, uint256 r, uint256 p, uint256 roleSeed, uint256 accountSeed) external {
        uint8 role = uint8(roleSeed % NUM_ROLES);
        _operatorCall(
            OP_GRANT_ROLE,
            c,
            r,
            p,
            roleAdmin(role),
            abi.encodeCall(IPoolguardHandlerCalls.grantRole, (roleId(role), _any(accountSeed)))
        );
    }

    function revokeRole(uint256 c, uint256 r, uint256 p, uint256 roleSeed, uint256 accountSeed) external {
        uint8 role = uint8(roleSeed % NUM_ROLES);
        _operatorCall(
            OP_REVOKE_ROLE,
            c,
            r,
            p,
            roleAdmin(role),
            abi.encodeCall(IPoolguardHandlerCalls.revokeRole, (roleId(role), _any(accountSeed)))
        );
    }

    function renounceRole(uint256 c, uint256 r, uint256 p, uint256 roleSeed) external {
        uint256 pool = _pool(p);
        address caller = _caller(c, pool, NONE);
        _go(
            OP_RENOUNCE_ROLE,
            _roll(r),
            caller,
            _pools[pool].smartOperator,
            0,
            abi.encodeCall(IPoolguardHandlerCalls.renounceRole, (roleId(uint8(roleSeed % NUM_ROLES)), caller))
        );
    }

    function grantFeeder(uint256 c, uint256 r, uint256 p, uint256 accountSeed) external {
        _go(
            OP_GRANT_FEEDER,
            _roll(r),
            _callerIdx(c, _pool(p), _govIdx),
            accountingOracle,
            0,
            abi.encodeCall(IPoolguardHandlerCalls.grantRole, (keccak256("FEEDER_ROLE"), _any(accountSeed)))
        );
    }

    function _govCall(uint8 op, uint256 c, uint256 r, uint256 p, address to, bytes memory data) internal {
        _go(op, _roll(r), _callerIdx(c, _pool(p), _govIdx), to, 0, data);
    }

    function pausePool(uint256 c, uint256 r, uint256 p) external {
        _govCall(OP_PAUSE_POOL, c, r, p, _pools[_pool(p)].stakingPool, abi.encodeCall(IStakingPool.pause, ()));
    }

    function unpausePool(uint256 c, uint256 r, uint256 p) external {
        _govCall(OP_UNPAUSE_POOL, c, r, p, _pools[_pool(p)].stakingPool, abi.encodeCall(IStakingPool.unpause, ()));
    }

    function pauseVault(uint256 c, uint256 r, uint256 p) external {
        _govCall(OP_PAUSE_VAULT, c, r, p, withdrawalVault, abi.encodeCall(IWithdrawalVault.pause, ()));
    }

    function unpauseVault(uint256 c, uint256 r, uint256 p) external {
        _govCall(OP_UNPAUSE_VAULT, c, r, p, withdrawalVault, abi.encodeCall(IWithdrawalVault.unpause, ()));
    }

    function setMinEffectiveBalance(uint256 c, uint256 r, uint256 p, uint256 amountSeed) external {
        _govCall(
            OP_SET_MIN_EFFECTIVE_BALANCE,
            c,
            r,
            p,
            _pools[_pool(p)].stakingPool,
            abi.encodeCall(IStakingPool.setMinEffectiveBalance, (_amount(amountSeed)))
        );
    }

    function setOracleBounds(uint256 c, uint256 r, uint256 p, uint256 upSeed, uint256 downSeed) external {
        _govCall(
            OP_SET_ORACLE_BOUNDS,
            c,
            r,
            p,
            accountingOracle,
            abi.encodeCall(IAccountingOracle.setBounds, (_bps(upSeed, 1000), _bps(downSeed, 3000)))
        );
    }

    function setProtocolFeeRecipient(uint256 c, uint256 r, uint256 p, uint256 accountSeed) external {
        _govCall(
            OP_SET_PROTOCOL_FEE_RECIPIENT,
            c,
            r,
            p,
            factory,
            abi.encodeCall(IStakingPoolContractsFactory.setProtocolFeeRecipient, (_any(accountSeed)))
        );
    }

    /// @notice An upgrade attempt to the current implementation: StakingPool beacon, SmartOperator beacon,
    /// factory, WithdrawalVault, AccountingOracle.
    function upgrade(uint256 c, uint256 r, uint256 p, uint256 targetSeed) external {
        uint256 t = targetSeed % 5;
        address to = factory;
        bytes memory data;
        if (t == 0) {
            data = abi.encodeCall(IStakingPoolContractsFactory.upgradeStakingPoolBeaconImpl, (stakingPoolImpl));
        } else if (t == 1) {
            data = abi.encodeCall(IStakingPoolContractsFactory.upgradeSmartOperatorBeaconImpl, (smartOperatorImpl));
        } else if (t == 2) {
            data = abi.encodeCall(IPoolguardHandlerCalls.upgradeToAndCall, (factoryImpl, ""));
        } else if (t == 3) {
            to = withdrawalVault;
            data = abi.encodeCall(IPoolguardHandlerCalls.upgradeToAndCall, (withdrawalVaultImpl, ""));
        } else {
            to = accountingOracle;
            data = abi.encodeCall(IPoolguardHandlerCalls.upgradeToAndCall, (accountingOracleImpl, ""));
        }
        _govCall(OP_UPGRADE, c, r, p, to, data);
    }

    function wait(uint256 c, uint256 r, uint256 p) external {
        _go(OP_WAIT, _roll(r), _caller(c, _pool(p), NONE), address(0), 0, "");
    }
}
