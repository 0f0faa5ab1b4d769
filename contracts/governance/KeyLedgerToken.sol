// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";

/// @title KeyLedgerToken
/// @notice The DAO's voting token: ERC20 with permit and vote delegation, on a
///         timestamp clock so that governance periods are in seconds on every chain.
contract KeyLedgerToken is ERC20, ERC20Permit, ERC20Votes {
    /// @param initialHolder Receives the whole fixed supply.
    /// @param supply Total supply, in wei units (18 decimals).
    constructor(address initialHolder, uint256 supply)
        ERC20("KeyLedger Governance", "KLG")
        ERC20Permit("KeyLedger Governance")
    {
        _mint(initialHolder, supply);
    }

    /// @notice The governance clock: seconds since the epoch.
    function clock() public view override returns (uint48) {
        return Time.timestamp();
    }

    /// @notice EIP-6372 description of the clock.
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override returns (string memory) {
        return "mode=timestamp";
    }

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        super._update(from, to, value);
    }

    /// @notice The next permit nonce of `owner`.
    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }
}
