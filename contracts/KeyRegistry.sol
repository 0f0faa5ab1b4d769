// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IKeyRegistry} from "./interfaces/IKeyRegistry.sol";

/// @title KeyRegistry
/// @notice On-chain registry of API signing keys. Owners register, rotate and revoke
///         their keys; the DAO (through its timelock) owns policy and can revoke any
///         key; guardians can only suspend, and only the DAO lifts a suspension.
/// @dev Ed25519 and P-256 proofs of possession cannot be checked cheaply on every EVM
///      chain, so the registry checks their shape and emits them; verifiers check them
///      off-chain before trusting a key (KeyLedger's verifier does, once per key).
contract KeyRegistry is IKeyRegistry {
    /*//////////////////////////////////////////////////////////////
                               CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Domain tag that starts every proof-of-possession message (exactly 32 bytes).
    bytes32 public constant PROOF_DOMAIN = "KeyLedger proof of possession v1";

    /// @notice Most keys `revokeBatch`, `governanceRevokeBatch` and `unsuspendBatch` take in one call.
    uint256 public constant MAX_BATCH = 256;

    /// @notice How far in the past a new key's `notBefore` may lie (clock skew and the
    ///         time a transaction waits for inclusion); older starts are refused with
    ///         `NotBeforeTooEarly`, so a key cannot be backdated to look long-established
    ///         or to spend its lifetime before it was registered.
    uint256 public constant NOT_BEFORE_TOLERANCE = 1 hours;

    /// @notice How far ahead a new key's `notBefore` may lie; later starts are refused
    ///         with `NotBeforeTooLate` (a pre-registered key parked for years is a
    ///         forgotten credential waiting to become valid).
    uint256 public constant MAX_NOT_BEFORE_DELAY = 30 days;

    /// @notice Longest label, in bytes.
    uint256 public constant MAX_LABEL_LENGTH = 64;

    /// @notice Longest scope name, in bytes.
    uint256 public constant MAX_SCOPE_NAME_LENGTH = 32;

    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev One slot per key:
    ///      owner (160) | notBefore (32) | expiresAt (32) | version (16) | scopes (8) | flags (8)
    ///      flags: bits 0-1 KeyState, bits 2-3 Algorithm, bit 4 rotated, bit 5 superseded.
    struct StoredKey {
        address owner;
        uint32 notBefore;
        uint32 expiresAt;
        uint16 version;
        uint8 scopes;
        uint8 flags;
    }

    uint8 private constant STATE_MASK = 0x03;
    uint8 private constant ALGORITHM_SHIFT = 2;
    uint8 private constant ROTATED = 0x10;
    /// @dev Set on a rotated-out key when its successor is rotated in turn: it is no
    ///      longer the head's immediate predecessor and can never be extended again.
    uint8 private constant SUPERSEDED = 0x20;

    mapping(bytes32 keyId => StoredKey) internal _keys;
    Policy internal _policy;
    address public governance;
    address public pendingGovernance;
    mapping(address account => bool) public isGuardian;
    mapping(uint8 bit => string) internal _scopeNames;
    /// @dev Rotated-in key => the key it rotated out (zero for version 1).
    mapping(bytes32 keyId => bytes32) internal _predecessorOf;
    /// @dev Rotated-out key => its expiry before the rotation cut it: the cap of `extendOverlap`.
    mapping(bytes32 keyId => uint32) internal _originalExpiresAt;

    /*//////////////////////////////////////////////////////////////
                              CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param governance_ The DAO's TimelockController (or an interim admin that later
    ///        transfers governance to it).
    /// @param policy_ The initial policy.
    /// @param scopeNames_ Names of scope bits 0, 1, ... (at most 8).
    /// @param guardians_ The initial guardians.
    constructor(address governance_, Policy memory policy_, string[] memory scopeNames_, address[] memory guardians_) {
        if (governance_ == address(0)) revert InvalidGovernance(governance_);
        governance = governance_;
        emit GovernanceTransferred(address(0), governance_);
        _setPolicy(policy_);
        if (scopeNames_.length > 8) revert InvalidScopeName(uint8(scopeNames_.length), "");
        for (uint256 i; i < scopeNames_.length; ++i) {
            _setScopeName(uint8(i), scopeNames_[i]);
        }
        for (uint256 i; i < guardians_.length; ++i) {
            isGuardian[guardians_[i]] = true;
            emit GuardianUpdated(guardians_[i], true);
        }
    }

    /*//////////////////////////////////////////////////////////////
                               MODIFIERS
    //////////////////////////////////////////////////////////////*/

    modifier onlyGovernance() {
        if (msg.sender != governance) revert NotGovernance(msg.sender);
        _;
    }

    /*//////////////////////////////////////////////////////////////
                              KEY OWNERS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IKeyRegistry
    function register(NewKey calldata key, string calldata label) external returns (bytes32 keyId) {
        uint256 labelLength = bytes(label).length;
        if (labelLength == 0 || labelLength > MAX_LABEL_LENGTH) revert InvalidLabel(label);
        keyId = _storeKey(key, 1, _policy);
        emit KeyRegistered(
            keyId, msg.sender, key.algorithm, key.scopes, key.notBefore, key.expiresAt, label, key.publicKey, key.proof
        );
    }

    /// @inheritdoc IKeyRegistry
    function rotate(bytes32 oldKeyId, NewKey calldata key, uint32 overlap) external returns (bytes32 newKeyId) {
        StoredKey storage old = _ownedKey(oldKeyId);
        uint8 flags = old.flags;
        if (_state(flags) != KeyState.Active) revert InvalidKeyState(oldKeyId, _state(flags));
        if (flags & ROTATED != 0) revert KeyAlreadyRotated(oldKeyId);
        uint16 version = old.version;
        if (version == type(uint16).max) revert VersionOverflow(oldKeyId);

        Policy memory p = _policy;
        if (overlap > p.maxOverlap) revert OverlapTooLong(overlap, p.maxOverlap);
        uint32 oldExpiresAt = old.expiresAt;
        // In uint256: with a permissive policy, now + overlap may not fit in uint32,
        // and then the old expiry is the minimum anyway.
        uint256 cut = block.timestamp + overlap;
        if (cut < oldExpiresAt) oldExpiresAt = uint32(cut);
        // A new key that starts after the old one stops would break the
        // zero-downtime promise of rotation.
        if (key.notBefore > oldExpiresAt) revert RotationGap(key.notBefore, oldExpiresAt);

        _originalExpiresAt[oldKeyId] = old.expiresAt;
        old.expiresAt = oldExpiresAt;
        old.flags = flags | ROTATED;
        newKeyId = _storeKey(key, version + 1, p);
        _predecessorOf[newKeyId] = oldKeyId;
        // A version-1 key has no predecessor: skip the (cold) lookup.
        if (version > 1) _endPredecessorOverlap(oldKeyId);
        _emitRotated(oldKeyId, newKeyId, version + 1, oldExpiresAt, key);
    }

    /// @inheritdoc IKeyRegistry
    function extendOverlap(bytes32 keyId, uint32 expiresAt) external {
        StoredKey storage k = _ownedKey(keyId);
        uint8 flags = k.flags;
        if (_state(flags) != KeyState.Active) revert InvalidKeyState(keyId, _state(flags));
        if (flags & ROTATED == 0) revert KeyNotRotated(keyId);
        // Only the head's immediate predecessor: a third version never comes back.
        if (flags & SUPERSEDED != 0) revert KeySuperseded(keyId);
        uint32 current = k.expiresAt;
        if (expiresAt <= current) revert ExpiryNotExtended(current, expiresAt);
        // A roll-back window, never a way to outlive the key's own registered expiry.
        uint32 original = _originalExpiresAt[keyId];
        if (expiresAt > original) revert ExtensionPastOriginalExpiry(expiresAt, original);
        Policy memory p = _policy;
        if (expiresAt > block.timestamp + p.maxOverlap) {
            revert OverlapTooLong(expiresAt - block.timestamp, p.maxOverlap);
        }
        // Rotation may have cut a not-yet-valid key's expiry below its notBefore; an
        // extension that still ends there would leave an empty window.
        uint32 notBefore = k.notBefore;
        if (expiresAt <= notBefore) revert InvalidValidityWindow(notBefore, expiresAt, block.timestamp);
        uint256 lifetime = expiresAt - notBefore;
        if (lifetime > p.maxLifetime) revert LifetimeTooLong(lifetime, p.maxLifetime);
        k.expiresAt = expiresAt;
        emit OverlapExtended(keyId, expiresAt);
    }

    /// @inheritdoc IKeyRegistry
    function revoke(bytes32 keyId, string calldata reason) external {
        _revoke(_ownedKey(keyId), keyId, reason);
    }

    /// @inheritdoc IKeyRegistry
    function revokeBatch(bytes32[] calldata keyIds, string calldata reason) external {
        uint256 n = _batchSize(keyIds);
        for (uint256 i; i < n; ++i) {
            bytes32 keyId = keyIds[i];
            _revokeOrSkip(_ownedKey(keyId), keyId, reason);
        }
    }

    /*//////////////////////////////////////////////////////////////
                               GUARDIANS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IKeyRegistry
    function suspend(bytes32 keyId, string calldata reason) external {
        if (!isGuardian[msg.sender]) revert NotGuardian(msg.sender);
        StoredKey storage k = _existingKey(keyId);
        KeyState state = _state(k.flags);
        if (state != KeyState.Active) revert InvalidKeyState(keyId, state);
        _setState(k, KeyState.Suspended);
        emit KeySuspended(keyId, msg.sender, reason);
    }

    /*//////////////////////////////////////////////////////////////
                              GOVERNANCE
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IKeyRegistry
    function governanceRevoke(bytes32 keyId, string calldata reason) external onlyGovernance {
        _revokeOrSkip(_existingKey(keyId), keyId, reason);
    }

    /// @inheritdoc IKeyRegistry
    function governanceRevokeBatch(bytes32[] calldata keyIds, string calldata reason) external onlyGovernance {
        uint256 n = _batchSize(keyIds);
        for (uint256 i; i < n; ++i) {
            bytes32 keyId = keyIds[i];
            _revokeOrSkip(_existingKey(keyId), keyId, reason);
        }
    }

    /// @inheritdoc IKeyRegistry
    function unsuspend(bytes32 keyId) external onlyGovernance {
        _unsuspendOrSkip(keyId);
    }

    /// @inheritdoc IKeyRegistry
    function unsuspendBatch(bytes32[] calldata keyIds) external onlyGovernance {
        uint256 n = _batchSize(keyIds);
        for (uint256 i; i < n; ++i) {
            _unsuspendOrSkip(keyIds[i]);
        }
    }

    /// @inheritdoc IKeyRegistry
    function setPolicy(Policy calldata policy_) external onlyGovernance {
        _setPolicy(policy_);
    }

    /// @inheritdoc IKeyRegistry
    function setScopeName(uint8 bit, string calldata name) external onlyGovernance {
        _setScopeName(bit, name);
    }

    /// @inheritdoc IKeyRegistry
    function setGuardian(address guardian, bool enabled) external onlyGovernance {
        isGuardian[guardian] = enabled;
        emit GuardianUpdated(guardian, enabled);
    }

    /// @inheritdoc IKeyRegistry
    function transferGovernance(address newGovernance) external onlyGovernance {
        if (newGovernance == address(0)) revert InvalidGovernance(newGovernance);
        pendingGovernance = newGovernance;
        emit GovernanceTransferStarted(governance, newGovernance);
    }

    /// @inheritdoc IKeyRegistry
    function cancelGovernanceTransfer() external onlyGovernance {
        address pending = pendingGovernance;
        if (pending == address(0)) revert NoPendingGovernance();
        delete pendingGovernance;
        emit GovernanceTransferCancelled(governance, pending);
    }

    /// @inheritdoc IKeyRegistry
    function acceptGovernance() external {
        if (msg.sender != pendingGovernance) revert NotPendingGovernance(msg.sender, pendingGovernance);
        emit GovernanceTransferred(governance, msg.sender);
        governance = msg.sender;
        delete pendingGovernance;
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IKeyRegistry
    function getKey(bytes32 keyId) external view returns (KeyRecord memory) {
        StoredKey memory k = _keys[keyId];
        return KeyRecord({
            owner: k.owner,
            algorithm: Algorithm(k.flags >> ALGORITHM_SHIFT & 0x03),
            state: _state(k.flags),
            version: k.version,
            scopes: k.scopes,
            notBefore: k.notBefore,
            expiresAt: k.expiresAt,
            rotated: k.flags & ROTATED != 0
        });
    }

    /// @inheritdoc IKeyRegistry
    function keyStatus(bytes32 keyId, uint8 requiredScopes) external view returns (bool, StatusReason) {
        StoredKey storage k = _keys[keyId];
        KeyState state = _state(k.flags);
        if (state == KeyState.Unknown) return (false, StatusReason.Unknown);
        if (state == KeyState.Revoked) return (false, StatusReason.Revoked);
        if (state == KeyState.Suspended) return (false, StatusReason.Suspended);
        if (block.timestamp < k.notBefore) return (false, StatusReason.NotYetValid);
        if (block.timestamp >= k.expiresAt) return (false, StatusReason.Expired);
        // Judged against the CURRENT policy: a narrowing reaches keys registered before it.
        // Here expiresAt > block.timestamp >= notBefore, so the subtraction cannot underflow.
        Policy memory p = _policy;
        if (p.allowedAlgorithms & (uint8(1) << (k.flags >> ALGORITHM_SHIFT & 0x03)) == 0
            || k.scopes & ~p.allowedScopes != 0
            || k.expiresAt - k.notBefore > p.maxLifetime) {
            return (false, StatusReason.NotAllowed);
        }
        if (k.scopes & requiredScopes != requiredScopes) return (false, StatusReason.InsufficientScope);
        return (true, StatusReason.Valid);
    }

    /// @inheritdoc IKeyRegistry
    function proofOfPossessionMessage(address owner, bytes32 keyId) external view returns (bytes memory) {
        return abi.encodePacked(PROOF_DOMAIN, block.chainid, address(this), owner, keyId);
    }

    /// @inheritdoc IKeyRegistry
    function policy() external view returns (Policy memory) {
        return _policy;
    }

    /// @inheritdoc IKeyRegistry
    function scopeName(uint8 bit) external view returns (string memory) {
        return _scopeNames[bit];
    }

    /*//////////////////////////////////////////////////////////////
                               INTERNALS
    //////////////////////////////////////////////////////////////*/

    /// @dev Validates `key` against policy and writes its single slot.
    function _storeKey(NewKey calldata key, uint16 version, Policy memory p) internal returns (bytes32 keyId) {
        Algorithm alg = key.algorithm;
        if (p.allowedAlgorithms & (uint8(1) << uint8(alg)) == 0 || alg == Algorithm.None) {
            revert AlgorithmNotAllowed(alg);
        }
        bytes calldata pub = key.publicKey;
        if (alg == Algorithm.Ed25519) {
            if (pub.length != 32) revert InvalidPublicKey(alg, pub);
            _checkEd25519(bytes32(pub));
        } else if (pub.length != 33 || (pub[0] != 0x02 && pub[0] != 0x03)) {
            revert InvalidPublicKey(alg, pub);
        }
        if (key.proof.length != 64) revert InvalidProofLength(key.proof.length);
        uint8 scopes = key.scopes;
        if (scopes & ~p.allowedScopes != 0) revert ScopesNotAllowed(scopes, p.allowedScopes);
        uint32 notBefore = key.notBefore;
        uint32 expiresAt = key.expiresAt;
        if (expiresAt <= notBefore || expiresAt <= block.timestamp) {
            revert InvalidValidityWindow(notBefore, expiresAt, block.timestamp);
        }
        // In uint256: no overflow near 2106, no underflow near 0.
        if (uint256(notBefore) + NOT_BEFORE_TOLERANCE < block.timestamp) {
            revert NotBeforeTooEarly(notBefore, block.timestamp - NOT_BEFORE_TOLERANCE);
        }
        if (notBefore > block.timestamp + MAX_NOT_BEFORE_DELAY) {
            revert NotBeforeTooLate(notBefore, block.timestamp + MAX_NOT_BEFORE_DELAY);
        }
        if (expiresAt - notBefore > p.maxLifetime) revert LifetimeTooLong(expiresAt - notBefore, p.maxLifetime);

        keyId = keccak256(pub);
        // Every stored key has a non-zero state, so a zero slot means "never registered".
        if (_keys[keyId].flags != 0) revert KeyAlreadyRegistered(keyId);
        _keys[keyId] = StoredKey({
            owner: msg.sender,
            notBefore: notBefore,
            expiresAt: expiresAt,
            version: version,
            scopes: scopes,
            flags: uint8(KeyState.Active) | uint8(alg) << ALGORITHM_SHIFT
        });
    }

    /// @dev Separate frame: the event has more fields than `rotate`'s stack can hold.
    function _emitRotated(bytes32 oldKeyId, bytes32 newKeyId, uint16 version, uint32 oldExpiresAt, NewKey calldata key)
        internal
    {
        emit KeyRotated(
            oldKeyId,
            newKeyId,
            msg.sender,
            version,
            key.algorithm,
            key.scopes,
            key.notBefore,
            key.expiresAt,
            oldExpiresAt,
            key.publicKey,
            key.proof
        );
    }

    /// @dev `oldKeyId` was just rotated out: its own predecessor (two versions behind the
    ///      new head) is marked superseded and, if its overlap is still running, ended now
    ///      (`OverlapEnded`), so at most two versions of a lineage are ever valid at once.
    ///      A revoked predecessor is left alone (revoked is final).
    function _endPredecessorOverlap(bytes32 oldKeyId) internal {
        bytes32 predecessorId = _predecessorOf[oldKeyId];
        if (predecessorId == bytes32(0)) return;
        StoredKey storage pk = _keys[predecessorId];
        uint8 flags = pk.flags;
        if (_state(flags) == KeyState.Revoked || flags & SUPERSEDED != 0) return;
        pk.flags = flags | SUPERSEDED;
        if (pk.expiresAt > block.timestamp) {
            pk.expiresAt = uint32(block.timestamp);
            emit OverlapEnded(predecessorId, uint32(block.timestamp));
        }
    }

    function _existingKey(bytes32 keyId) internal view returns (StoredKey storage k) {
        k = _keys[keyId];
        if (k.flags == 0) revert KeyNotFound(keyId);
    }

    function _ownedKey(bytes32 keyId) internal view returns (StoredKey storage k) {
        k = _existingKey(keyId);
        if (k.owner != msg.sender) revert NotKeyOwner(keyId, msg.sender, k.owner);
    }

    function _revoke(StoredKey storage k, bytes32 keyId, string calldata reason) internal {
        if (_state(k.flags) == KeyState.Revoked) revert InvalidKeyState(keyId, KeyState.Revoked);
        _setState(k, KeyState.Revoked);
        emit KeyRevoked(keyId, msg.sender, reason);
    }

    /// @dev Batch and governance form of `_revoke`: a key that is already revoked (by its
    ///      owner while a proposal waited in the timelock, or earlier in the same batch)
    ///      is skipped with `KeySkipped` instead of reverting the whole call.
    function _revokeOrSkip(StoredKey storage k, bytes32 keyId, string calldata reason) internal {
        if (_state(k.flags) == KeyState.Revoked) {
            emit KeySkipped(keyId, KeyState.Revoked);
            return;
        }
        _setState(k, KeyState.Revoked);
        emit KeyRevoked(keyId, msg.sender, reason);
    }

    /// @dev Lifts a suspension; a key that is no longer suspended (already lifted, or
    ///      revoked meanwhile) is skipped with `KeySkipped`. Unknown ids still revert.
    function _unsuspendOrSkip(bytes32 keyId) internal {
        StoredKey storage k = _existingKey(keyId);
        KeyState state = _state(k.flags);
        if (state != KeyState.Suspended) {
            emit KeySkipped(keyId, state);
            return;
        }
        _setState(k, KeyState.Active);
        emit KeyUnsuspended(keyId, msg.sender);
    }

    function _batchSize(bytes32[] calldata keyIds) internal pure returns (uint256 n) {
        n = keyIds.length;
        if (n == 0 || n > MAX_BATCH) revert InvalidBatchSize(n);
    }

    /// @dev Refuses the 8 small-order encodings and the non-canonical ones, as
    ///      src/keys/ed25519PublicKeyProblem.ts does (the on-curve check is left off-chain).
    function _checkEd25519(bytes32 key) internal pure {
        uint256 w = uint256(key);
        // y >= p: bytes 1..30 all 0xff, byte 31 & 0x7f == 0x7f, byte 0 >= 0xed.
        uint256 mask = 0x00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f;
        if ((w & mask == mask && w >> 248 >= 0xed)
            || key == 0x0100000000000000000000000000000000000000000000000000000000000080
            || key == 0xecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff
            || key == 0x0100000000000000000000000000000000000000000000000000000000000000
            || key == 0xc7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a
            || key == 0x0000000000000000000000000000000000000000000000000000000000000080
            || key == 0x26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05
            || key == 0xecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f
            || key == 0x26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85
            || key == bytes32(0)
            || key == 0xc7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa) {
            revert UnusableEd25519Key(key);
        }
    }

    function _setState(StoredKey storage k, KeyState state) internal {
        k.flags = k.flags & ~STATE_MASK | uint8(state);
    }

    function _state(uint8 flags) internal pure returns (KeyState) {
        return KeyState(flags & STATE_MASK);
    }

    function _setScopeName(uint8 bit, string memory name) internal {
        if (bit > 7 || bytes(name).length > MAX_SCOPE_NAME_LENGTH) revert InvalidScopeName(bit, name);
        string memory current = _scopeNames[bit];
        // Names are permanent: a rename would silently re-grant the bit to every holder.
        if (bytes(current).length != 0 && keccak256(bytes(current)) != keccak256(bytes(name))) {
            revert ScopeAlreadyNamed(bit, current, name);
        }
        _scopeNames[bit] = name;
        emit ScopeNamed(bit, name);
    }

    function _setPolicy(Policy memory p) internal {
        // Bit 0 is Algorithm.None; bits above EcdsaSecp256k1 name no algorithm.
        if (p.maxLifetime == 0 || p.maxOverlap > p.maxLifetime || p.allowedAlgorithms & 0xF1 != 0) {
            revert InvalidPolicy(p);
        }
        _policy = p;
        emit PolicyUpdated(p.maxLifetime, p.maxOverlap, p.allowedAlgorithms, p.allowedScopes);
    }
}
