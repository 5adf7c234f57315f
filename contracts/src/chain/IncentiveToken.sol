// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title An incentive token that reward vaults pay to validators' incentive collectors (stand-in).
contract IncentiveToken is ERC20 {
    /// @notice Caller is not the system.
    error NotSystem();

    /// @notice The system address.
    address public immutable system;

    /// @param system_ The system address.
    constructor(address system_) ERC20("Incentive Token", "INCT") {
        system = system_;
    }

    /// @notice System: mint `amount` to `to`.
    function mint(address to, uint256 amount) external {
        if (msg.sender != system) revert NotSystem();
        _mint(to, amount);
    }
}
