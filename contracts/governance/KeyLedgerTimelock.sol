// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title KeyLedgerTimelock
/// @notice The DAO's TimelockController; it holds the KeyRegistry's governance role.
contract KeyLedgerTimelock is TimelockController {
    /// @param minDelay Seconds between queueing and executing a proposal.
    /// @param proposers Accounts that may schedule (the Governor).
    /// @param executors Accounts that may execute (address(0) for anyone).
    /// @param admin Optional bootstrap admin (address(0) for none); renounce after set-up.
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors, address admin)
        TimelockController(minDelay, proposers, executors, admin)
    {}
}
