// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Brings OpenZeppelin's ERC-1967 proxy into the build: the shared contracts (factory, WithdrawalVault,
// AccountingOracle) are deployed behind it as UUPS proxies.
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
