// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {PoolguardInvariants} from "./utils/PoolguardInvariants.sol";
import {IStakingPool} from "../src/interfaces/IStakingPool.sol";
import {IWithdrawalVault} from "../src/interfaces/IWithdrawalVault.sol";
import {IAccountingOracle} from "../src/interfaces/IAccountingOracle.sol";
import {IBeaconDeposit} from "../src/interfaces/IBeaconDeposit.sol";
import {IBGT} from "../src/interfaces/IBGT.sol";

interface IRoles {
    function grantRole(bytes32 role, address account) external;
    function revokeRole(bytes32 role, address account) external;
    function renounceRole(bytes32 role, address callerConfirmation) external;
    function transfer(address to, uint256 value) external returns (bool);
}

/// @title Smoke test of the replay primitive: a few hand-written poolguard actions through `step(...)`.
contract PoolguardReplayTest is PoolguardInvariants {
    function setUp() public {
        deployWorld();
    }

    function test_submitThenRollKeepsEveryInvariant() public {
        address staker0 = stakers[0];
        uint256 before = staker0.balance;
        uint256 supply = IStakingPool(stakingPool(0)).bufferedAssets();
        bool ok = step(0, staker0, stakingPool(0), 10 * BERA, abi.encodeCall(IStakingPool.submit, (staker0)));
        assertTrue(ok, "submit reverted");
        assertEq(staker0.balance, before - 10 * BERA, "the sender pays the value");
        assertEq(IStakingPool(stakingPool(0)).bufferedAssets(), supply + 10 * BERA, "buffered");
        assertTrue(step(100, address(0), address(0), 0, ""), "roll");
        assertEq(block.number, START_BLOCK + 100, "block");
        assertEq(block.timestamp, 1_700_001_998 + 200, "timestamp");
        assertEq(stepCount, 2, "steps");
        checkAllInvariants();
    }

    function test_revertedCallIsRecordedNotPropagated() public {
        // The attacker is no feeder: the report reverts, the step records it.
        bool ok = step(
            0,
            attacker,
            accountingOracle,
            0,
            abi.encodeCall(IAccountingOracle.updateTotalDeposits, (pubkey(0), 20_000 gwei, 2))
        );
        assertTrue(!ok, "report by a non-feeder succeeded");
        assertTrue(!lastStepSuccess, "lastStepSuccess");
        checkAllInvariants();
    }

    function test_depositWithdrawFinalize() public {
        address s1 = stakers[1];
        assertTrue(step(0, s1, stakingPool(1), 5 * BERA, abi.encodeCall(IStakingPool.submit, (s1))), "submit");
        assertTrue(
            step(3, s1, withdrawalVault, 1, abi.encodeCall(IWithdrawalVault.requestWithdrawal, (pubkey(1), 2 gwei, 1))),
            "request"
        );
        assertEq(IWithdrawalVault(withdrawalVault).requestCount(), 1, "request count");
        // Too early: reverts, recorded.
        assertTrue(
            !step(10, s1, withdrawalVault, 0, abi.encodeCall(IWithdrawalVault.finalizeWithdrawalRequest, (1))),
            "finalized early"
        );
        assertTrue(
            step(uint32(WITHDRAWAL_DELAY), s1, withdrawalVault, 0, abi.encodeCall(IWithdrawalVault.finalizeWithdrawalRequest, (1))),
            "finalize"
        );
        checkAllInvariants();
        for (uint256 k = 0; k < 29; k++) {
            checkInvariant(catalogIds()[k]);
        }
    }

    function test_stepAsUsesPoolguardCallerIndex() public {
        // Caller byte 13 is staker0 in the sorted actor list (see PoolguardWorld.t.sol).
        assertEq(actorAt(13), stakers[0], "actor 13");
        assertEq(actorAt(13 + actorCount()), stakers[0], "modulo");
        assertTrue(stepAs(13, 0, stakingPool(0), 1 * BERA, abi.encodeCall(IStakingPool.submit, (stakers[0]))), "submit");
        checkAllInvariants();
    }

    /// @notice The incremental reads of `step` (only written slots re-read) match full observations.
    function test_incrementalObservationMatchesFullReads() public {
        address s0 = stakers[0];
        address va = poolRoles(1).validatorAdmin;
        address op1 = smartOperator(1);
        step(0, s0, stakingPool(0), 50 * BERA, abi.encodeCall(IStakingPool.submit, (stakers[2])));
        _assertObservationCacheFresh();
        step(1, stakers[2], stakingPool(0), 0, abi.encodeCall(IRoles.transfer, (attacker, 3 * BERA)));
        _assertObservationCacheFresh();
        step(0, va, op1, 0, abi.encodeCall(IRoles.grantRole, (roleId(ROLE_COMMISSION_MANAGER), attacker)));
        _assertObservationCacheFresh();
        step(0, va, op1, 0, abi.encodeCall(IRoles.revokeRole, (roleId(ROLE_BGT_MANAGER), poolRoles(1).bgtManager)));
        _assertObservationCacheFresh();
        step(0, attacker, op1, 0, abi.encodeCall(IRoles.renounceRole, (roleId(ROLE_COMMISSION_MANAGER), attacker)));
        _assertObservationCacheFresh();
        step(0, governance, accountingOracle, 0, abi.encodeCall(IRoles.grantRole, (keccak256("FEEDER_ROLE"), s0)));
        _assertObservationCacheFresh();
        step(0, governance, op1, 0, abi.encodeCall(IRoles.grantRole, (bytes32(0), va)));
        _assertObservationCacheFresh();
        checkAllInvariants();
    }

    /// @notice corpus/regressions/acct-004-penalty-after-zero-report.json, planned as poolguard plans it:
    /// a zero report (full exit), then a consensus-layer penalty capped at what requests leave slashable.
    function test_regressionPenaltyAfterZeroReport() public {
        (, uint256 last) = IAccountingOracle(accountingOracle).getLastReport(pubkey(0));
        stepAs(12, 0, accountingOracle, 0, abi.encodeCall(IAccountingOracle.updateTotalDeposits, (pubkey(0), 0, last + 1)));
        uint256 actual = IBeaconDeposit(beaconDeposit).validatorBalance(pubkey(0));
        uint256 floor_ = IStakingPool(stakingPool(0)).pendingClWithdrawals();
        uint256 amount = actual - floor_ < 1 ? actual - floor_ : 1;
        step(0, system, beaconDeposit, 0, abi.encodeCall(IBeaconDeposit.penalizeValidator, (pubkey(0), amount)));
        checkAllInvariants();
    }

    /// @notice corpus/regressions/value-002-dust-deposit-rounding.json: BGT minted to pool 0's operator, then
    /// a 32-wei deposit.
    function test_regressionDustDepositRounding() public {
        uint256 amount = 0x297f725235098600000;
        step(0, system, bgt, amount, abi.encodeCall(IBGT.mint, (smartOperator(0), amount)));
        stepAs(1, 0, stakingPool(0), 0x20, abi.encodeCall(IStakingPool.submit, (actorAt(7))));
        checkAllInvariants();
    }
}
