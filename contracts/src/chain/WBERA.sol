// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title Wrapped BERA (WETH9 shape).
contract WBERA is ERC20 {
    /// @notice Wrapped.
    event Deposit(address indexed dst, uint256 wad);
    /// @notice Unwrapped.
    event Withdrawal(address indexed src, uint256 wad);

    /// @notice Sending BERA failed.
    error TransferFailed();

    constructor() ERC20("Wrapped BERA", "WBERA") {}

    /// @notice Wrap `msg.value`.
    function deposit() public payable {
        _mint(msg.sender, msg.value);
        emit Deposit(msg.sender, msg.value);
    }

    /// @notice Unwrap `wad`.
    function withdraw(uint256 wad) external {
        _burn(msg.sender, wad);
        emit Withdrawal(msg.sender, wad);
        (bool ok,) = msg.sender.call{value: wad}("");
        if (!ok) revert TransferFailed();
    }

    /// @notice Plain transfers wrap.
    receive() external payable {
        deposit();
    }
}
