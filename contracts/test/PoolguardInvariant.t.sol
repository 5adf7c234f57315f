// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "./utils/Test.sol";
import {PoolguardHandler} from "./handlers/PoolguardHandler.sol";

/// @title forge's invariant runner on poolguard's world, action space and 29 invariants (the peer benchmark).
/// @notice The handler deploys poolguard's world and exposes one function per poolguard op kind; every call
/// goes through `step(...)`, which observes, updates the ghost and runs all 29 checks, keeping the first
/// violation of each. Each `invariant_<ID>` below fails once that invariant has been violated by any step of
/// the current sequence. forge runs each invariant function as its own campaign (`[invariant] runs` x
/// `depth` handler calls each); `PoolguardAllInvariants` below runs a single campaign against all 29.
///
///     forge test --use ./solc-front.js --offline --match-contract PoolguardInvariant
abstract contract PoolguardInvariantBase is Test {
    PoolguardHandler internal handler;

    function setUp() public virtual {
        handler = new PoolguardHandler();
        targetContract(address(handler));
        targetSelector(FuzzSelector({addr: address(handler), selectors: handler.actionSelectors()}));
    }
}

contract PoolguardInvariantTest is PoolguardInvariantBase {
    function invariant_SHARE_001() public view {
        handler.check("SHARE-001");
    }

    function invariant_SHARE_002() public view {
        handler.check("SHARE-002");
    }

    function invariant_SHARE_003() public view {
        handler.check("SHARE-003");
    }

    function invariant_ACCT_001() public view {
        handler.check("ACCT-001");
    }

    function invariant_ACCT_002() public view {
        handler.check("ACCT-002");
    }

    function invariant_ACCT_003() public view {
        handler.check("ACCT-003");
    }

    function invariant_ACCT_004() public view {
        handler.check("ACCT-004");
    }

    function invariant_WD_001() public view {
        handler.check("WD-001");
    }

    function invariant_WD_002() public view {
        handler.check("WD-002");
    }

    function invariant_WD_003() public view {
        handler.check("WD-003");
    }

    function invariant_VALUE_001() public view {
        handler.check("VALUE-001");
    }

    function invariant_VALUE_002() public view {
        handler.check("VALUE-002");
    }

    function invariant_VALUE_003() public view {
        handler.check("VALUE-003");
    }

    function invariant_VALUE_004() public view {
        handler.check("VALUE-004");
    }

    function invariant_RATE_001() public view {
        handler.check("RATE-001");
    }

    function invariant_FEE_001() public view {
        handler.check("FEE-001");
    }

    function invariant_FEE_002() public view {
        handler.check("FEE-002");
    }

    function invariant_ACCESS_001() public view {
        handler.check("ACCESS-001");
    }

    function invariant_ACCESS_002() public view {
        handler.check("ACCESS-002");
    }

    function invariant_ACCESS_003() public view {
        handler.check("ACCESS-003");
    }

    function invariant_ACCESS_004() public view {
        handler.check("ACCESS-004");
    }

    function invariant_ACCESS_005() public view {
        handler.check("ACCESS-005");
    }

    function invariant_PAUSE_001() public view {
        handler.check("PAUSE-001");
    }

    function invariant_EXIT_001() public view {
        handler.check("EXIT-001");
    }

    function invariant_EXIT_002() public view {
        handler.check("EXIT-002");
    }

    function invariant_EXIT_003() public view {
        handler.check("EXIT-003");
    }

    function invariant_ORACLE_001() public view {
        handler.check("ORACLE-001");
    }

    function invariant_ORACLE_002() public view {
        handler.check("ORACLE-002");
    }

    function invariant_ORACLE_003() public view {
        handler.check("ORACLE-003");
    }

    function invariant_LIVE_001() public view {
        handler.check("LIVE-001");
    }

    function invariant_LIVE_002() public view {
        handler.check("LIVE-002");
    }

    function invariant_LIVE_003() public view {
        handler.check("LIVE-003");
    }

    function invariant_LIVE_004() public view {
        handler.check("LIVE-004");
    }

    function invariant_LIVE_005() public view {
        handler.check("LIVE-005");
    }

    function invariant_LIVE_006() public view {
        handler.check("LIVE-006");
    }

    function invariant_ACCESS_006() public view {
        handler.check("ACCESS-006");
    }
}

/// @notice One campaign checking every invariant (what a single poolguard campaign does).
contract PoolguardAllInvariants is PoolguardInvariantBase {
    function invariant_all() public view {
        handler.checkAll();
    }
}
