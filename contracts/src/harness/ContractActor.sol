// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title A contract that acts in poolguard's world as a staker or an attacker.
/// @notice Not part of the suite. It holds BERA, shares and request ids; every op it sends goes through `exec`,
/// so the suite sees this contract as `msg.sender`. Its callbacks (`receive`, `fallback` and, in
/// `ContractActor`, `onERC721Received`) run the hook armed by `setHook`: accept, revert, burn all gas, re-enter
/// once with one planned call, or re-enter once by repeating the call being made (the classic attacker who calls
/// again the function that pays it). Anyone may drive it: it is a test double, not a wallet.
contract ContractActorNoReceiver {
    /// What a callback does.
    enum Hook {
        Accept,
        Revert,
        BurnGas,
        Reenter,
        Repeat
    }

    /// Number of hooks (`setHook` takes its mode modulo this).
    uint8 public constant HOOKS = 5;

    Hook public hook;
    address public hookTarget;
    uint256 public hookValue;
    bytes public hookData;
    address internal _lastTo;
    uint256 internal _lastValue;
    bytes internal _lastData;

    /// The armed hook made a callback revert.
    error HookRejected();

    /// A callback re-entered: it called `target` with `data` and `value`, and the call succeeded or not.
    event Reentered(address indexed target, bytes data, uint256 value, bool success);

    /// Calls `to` with `data` and `value` of this contract's BERA; a revert is passed on unchanged, so that its
    /// reason decodes as the callee's.
    function exec(address to, bytes calldata data, uint256 value) external payable returns (bytes memory ret) {
        _lastTo = to;
        _lastData = data;
        _lastValue = value;
        bool ok;
        (ok, ret) = to.call{value: value}(data);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
    }

    /// Arms what the next callbacks do (`mode` modulo `HOOKS`). A re-entering hook fires once, then accepts
    /// again; revert and burn-gas hooks stay until re-armed.
    function setHook(uint8 mode, address target, bytes calldata data, uint256 value) external {
        hook = Hook(mode % HOOKS);
        hookTarget = target;
        hookData = data;
        hookValue = value;
    }

    receive() external payable {
        _hook();
    }

    fallback() external payable {
        _hook();
    }

    function _hook() internal {
        Hook mode = hook;
        if (mode == Hook.Accept) return;
        if (mode == Hook.Revert) revert HookRejected();
        if (mode == Hook.BurnGas) {
            assembly {
                invalid()
            }
        }
        hook = Hook.Accept;
        (address target, bytes memory data, uint256 value) = mode == Hook.Reenter
            ? (hookTarget, hookData, hookValue)
            : (_lastTo, _lastData, _lastValue);
        (bool ok,) = target.call{value: value}(data);
        emit Reentered(target, data, value, ok);
    }
}

/// @title A contract actor that also accepts ERC-721 tokens (`onERC721Received` runs the hook).
contract ContractActor is ContractActorNoReceiver {
    function onERC721Received(address, address, uint256, bytes calldata) external returns (bytes4) {
        _hook();
        return this.onERC721Received.selector;
    }
}

/// @title Delivers BERA to an address without calling it.
/// @notice Not part of the suite. `force` self-destructs with the value sent, which since Cancun moves the
/// balance to `to` without running any of its code (and leaves this contract in place).
contract ForceSender {
    function force(address payable to) external payable {
        selfdestruct(to);
    }
}
