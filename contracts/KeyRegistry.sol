// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {P256} from "@openzeppelin/contracts/utils/cryptography/P256.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IKeyRegistry} from "./interfaces/IKeyRegistry.sol";

/// @title KeyRegistry
/// @notice On-chain registry of API signing keys. Owners register, rotate and revoke
///         their keys; the DAO (through its timelock) owns policy and can revoke any
///         key; guardians can only suspend, and only the DAO lifts a suspension.
/// @dev ECDSA proofs of possession are checked on chain (P-256 through the EIP-7951 /
///      RIP-7212 precompile, secp256k1 through ecrecover). Ed25519 has no precompile: the
///      registry checks the proof's shape and emits it, verifiers check it off-chain, and
///      owner-namespaced ids make copying someone's Ed25519 key pointless (the copy lands
///      under the copier's own address and never collides with the victim's id).
///      Owners may delegate rotation and revocation to a rotator (`setRotator`), and sign
///      any owner operation as EIP-712 typed data for someone else to submit (`...For`);
///      signatures are checked with OpenZeppelin's SignatureChecker, so contract wallets
///      (a Safe) sign through ERC-1271.
contract KeyRegistry is IKeyRegistry, EIP712 {
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

    // EIP-712 types of the signed operations. One domain ("KeyLedger KeyRegistry", "2");
    // every struct name is distinct, and every message binds owner, nonce and deadline.
    // `NewKey` mirrors IKeyRegistry.NewKey and is hashed as a nested struct (EIP-712
    // appends referenced types, sorted by name, to the primary type).

    /// @notice keccak256 of the EIP-712 `NewKey` type.
    bytes32 public constant NEW_KEY_TYPEHASH = keccak256(
        "NewKey(uint8 algorithm,bytes publicKey,uint8 scopes,uint32 notBefore,uint32 expiresAt,bytes proof)"
    );
    /// @notice keccak256 of the EIP-712 `Register` type (with `NewKey`).
    bytes32 public constant REGISTER_TYPEHASH = keccak256(
        "Register(address owner,NewKey key,string label,uint256 nonce,uint256 deadline)"
        "NewKey(uint8 algorithm,bytes publicKey,uint8 scopes,uint32 notBefore,uint32 expiresAt,bytes proof)"
    );
    /// @notice keccak256 of the EIP-712 `Rotate` type (with `NewKey`).
    bytes32 public constant ROTATE_TYPEHASH = keccak256(
        "Rotate(address owner,bytes32 oldKeyId,NewKey key,uint32 overlap,uint256 nonce,uint256 deadline)"
        "NewKey(uint8 algorithm,bytes publicKey,uint8 scopes,uint32 notBefore,uint32 expiresAt,bytes proof)"
    );
    /// @notice keccak256 of the EIP-712 `Revoke` type.
    bytes32 public constant REVOKE_TYPEHASH =
        keccak256("Revoke(address owner,bytes32 keyId,string reason,uint256 nonce,uint256 deadline)");
    /// @notice keccak256 of the EIP-712 `ExtendOverlap` type.
    bytes32 public constant EXTEND_OVERLAP_TYPEHASH =
        keccak256("ExtendOverlap(address owner,bytes32 keyId,uint32 expiresAt,uint256 nonce,uint256 deadline)");
    /// @notice keccak256 of the EIP-712 `SetRotator` type.
    bytes32 public constant SET_ROTATOR_TYPEHASH =
        keccak256("SetRotator(address owner,address rotator,uint256 nonce,uint256 deadline)");

    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev One slot per key (the owner is the id's first 20 bytes):
    ///      notBefore (32) | expiresAt (32) | originalExpiresAt (32) | suspendedUntil (32)
    ///      | version (16) | scopes (8) | flags (8) | link (96)
    ///      flags: bits 0-1 KeyState, bits 2-3 Algorithm, bit 4 rotated, bit 5 superseded,
    ///      bit 6 suspension spent, bit 7 released (a revoked head no longer counted under
    ///      the owner's cap, `releaseKeys`). `link` is the low 96 bits of another key id of the
    ///      same owner: the predecessor while the key is its lineage's head, the
    ///      successor once it is rotated out (rotation reads one, then writes the other),
    ///      so lineages are walked both ways without a second slot.
    ///      `originalExpiresAt` is the expiry before rotation cut it (0 until then).
    ///      Every write is ONE sstore of the whole word (`_writeKey`, `_updateKey`): Solidity
    ///      writes a struct field by field (a read and a write of the slot per field).
    struct StoredKey {
        uint32 notBefore;
        uint32 expiresAt;
        uint32 originalExpiresAt;
        uint32 suspendedUntil;
        uint16 version;
        uint8 scopes;
        uint8 flags;
        uint96 link;
    }

    uint8 private constant STATE_MASK = 0x03;
    uint8 private constant ALGORITHM_SHIFT = 2;
    uint8 private constant ROTATED = 0x10;
    /// @dev Set on a rotated-out key when its successor is rotated in turn: it is no
    ///      longer the head's immediate predecessor and can never be extended again.
    uint8 private constant SUPERSEDED = 0x20;
    /// @dev Set by a guardian's suspension, cleared by the DAO's unsuspend: one guardian
    ///      suspension per key until the DAO has ruled, so a rogue guardian cannot renew
    ///      a lapsed one forever.
    uint8 private constant SUSPENSION_SPENT = 0x40;
    /// @dev Set by `releaseKeys` on a revoked lineage head whose place under the owner's
    ///      cap was given back: a head is released once, so the count drops once.
    uint8 private constant RELEASED = 0x80;

    // Bit offsets of StoredKey's fields in its slot (see the layout above).
    uint256 private constant EXPIRES_AT_SHIFT = 32;
    uint256 private constant ORIGINAL_EXPIRES_AT_SHIFT = 64;
    uint256 private constant SUSPENDED_UNTIL_SHIFT = 96;
    uint256 private constant VERSION_SHIFT = 128;
    uint256 private constant SCOPES_SHIFT = 144;
    uint256 private constant FLAGS_SHIFT = 152;
    uint256 private constant LINK_SHIFT = 160;
    uint256 private constant U32 = type(uint32).max;

    /// @dev One slot per guardian: whether it is one, whether it is in `_guardianList`,
    ///      and a copy of `Policy.maxSuspension`, so `suspend` reads this one slot and not
    ///      the policy's too. `_setPolicy` refreshes the copy of every listed guardian.
    struct GuardianRecord {
        bool enabled;
        bool listed;
        uint32 maxSuspension;
    }

    uint256 private constant TAIL_MASK = type(uint96).max;

    // P-256 and secp256k1 field primes; both are 3 mod 4, so sqrt(a) = a^((p+1)/4).
    uint256 private constant P256_P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffff;
    uint256 private constant P256_B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b;
    uint256 private constant K1_P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f;

    mapping(bytes32 keyId => StoredKey) internal _keys;
    mapping(address owner => OwnerRecord) internal _owners;
    Policy internal _policy;
    address public governance;
    address public pendingGovernance;
    mapping(address account => GuardianRecord) internal _guardians;
    mapping(uint8 bit => string) internal _scopeNames;
    address public guardianRemover;
    /// @dev Every address ever appointed guardian (append-only, governance-grown), so a
    ///      policy change can refresh each one's cached `maxSuspension`.
    address[] internal _guardianList;

    /*//////////////////////////////////////////////////////////////
                              CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param governance_ The DAO's TimelockController (or an interim admin that later
    ///        transfers governance to it).
    /// @param policy_ The initial policy.
    /// @param scopeNames_ Names of scope bits 0, 1, ... (at most 8).
    /// @param guardians_ The initial guardians.
    constructor(address governance_, Policy memory policy_, string[] memory scopeNames_, address[] memory guardians_)
        EIP712("KeyLedger KeyRegistry", "2")
    {
        if (governance_ == address(0)) revert InvalidGovernance(governance_);
        governance = governance_;
        emit GovernanceTransferred(address(0), governance_);
        _setPolicy(policy_);
        if (scopeNames_.length > 8) revert InvalidScopeName(uint8(scopeNames_.length), "");
        for (uint256 i; i < scopeNames_.length; ++i) {
            _setScopeName(uint8(i), scopeNames_[i]);
        }
        for (uint256 i; i < guardians_.length; ++i) {
            _setGuardian(guardians_[i], true);
        }
    }

    /*//////////////////////////////////////////////////////////////
                               MODIFIERS
    //////////////////////////////////////////////////////////////*/

    /// @dev Through `_checkGovernance` (as OpenZeppelin's `onlyOwner` goes through
    ///      `_checkOwner`): one copy of the check instead of one per function, and a revert
    ///      site that Hardhat's stack traces map under viaIR (an inlined copy is reported
    ///      as an "unrecognized custom error", which viem then cannot decode).
    modifier onlyGovernance() {
        _checkGovernance();
        _;
    }

    /*//////////////////////////////////////////////////////////////
                              KEY OWNERS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IKeyRegistry
    function register(NewKey calldata key, string calldata label) external returns (bytes32 keyId) {
        keyId = _register(msg.sender, key, label);
    }

    /// @inheritdoc IKeyRegistry
    function rotate(bytes32 oldKeyId, NewKey calldata key, uint32 overlap) external returns (bytes32 newKeyId) {
        (StoredKey storage old, bool byRotator) = _callerKey(oldKeyId);
        if (byRotator) {
            // A rotator keeps or narrows what the owner granted, and leaves a guardian's
            // suspension to the owner (the owner's escape hatch, not the delegate's).
            uint8 oldScopes = old.scopes;
            if (key.scopes & ~oldScopes != 0) revert ScopesWidened(oldScopes, key.scopes);
            if (_effectiveState(old, old.flags) == KeyState.Suspended) {
                revert InvalidKeyState(oldKeyId, KeyState.Suspended);
            }
        }
        newKeyId = _rotate(_ownerOf(oldKeyId), msg.sender, old, oldKeyId, key, overlap);
    }

    /// @inheritdoc IKeyRegistry
    function extendOverlap(bytes32 keyId, uint32 expiresAt) external {
        _extendOverlap(msg.sender, keyId, expiresAt);
    }

    /// @inheritdoc IKeyRegistry
    function revoke(bytes32 keyId, string calldata reason) external {
        (StoredKey storage k,) = _callerKey(keyId);
        _revokeOwn(k, keyId, reason, msg.sender);
    }

    /// @inheritdoc IKeyRegistry
    function revokeBatch(bytes32[] calldata keyIds, string calldata reason) external {
        uint256 n = _batchSize(keyIds);
        for (uint256 i; i < n; ++i) {
            bytes32 keyId = keyIds[i];
            (StoredKey storage k,) = _callerKey(keyId);
            _revokeOrSkip(k, keyId, reason, msg.sender);
        }
    }

    /// @inheritdoc IKeyRegistry
    function setRotator(address rotator) external {
        _setRotator(msg.sender, rotator);
    }

    /// @inheritdoc IKeyRegistry
    function useNonce() external returns (uint256 nonce) {
        nonce = _useNonce(msg.sender, block.timestamp);
        emit NonceUsed(msg.sender, nonce);
    }

    /// @inheritdoc IKeyRegistry
    function releaseKeys(bytes32[] calldata keyIds) external {
        uint256 n = _batchSize(keyIds);
        for (uint256 i; i < n; ++i) {
            bytes32 keyId = keyIds[i];
            StoredKey storage k = _existingKey(keyId);
            uint8 flags = k.flags;
            ReleaseSkipReason skip;
            OwnerRecord storage o = _owners[_ownerOf(keyId)];
            // Stored state, not effective: a lapsed suspension is no revocation.
            if (_state(flags) != KeyState.Revoked) skip = ReleaseSkipReason.NotRevoked;
            else if (flags & ROTATED != 0) skip = ReleaseSkipReason.NotHead;
            else if (flags & RELEASED != 0) skip = ReleaseSkipReason.AlreadyReleased;
            // Governance's owner revocation zeroed the count already (and the owner may
            // never register again): nothing to give back.
            else if (o.revoked) skip = ReleaseSkipReason.OwnerRevoked;
            else {
                _updateKey(k, 0, uint256(RELEASED) << FLAGS_SHIFT);
                // Every unreleased head was counted once by its registration, and the count
                // is only zeroed with the owner's revocation (refused above): no underflow.
                o.unreleasedLineages -= 1;
                emit KeyReleased(keyId, _ownerOf(keyId), msg.sender);
                continue;
            }
            emit KeyReleaseSkipped(keyId, skip);
        }
    }

    /*//////////////////////////////////////////////////////////////
                           SIGNED OPERATIONS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IKeyRegistry
    function registerFor(
        address owner,
        NewKey calldata key,
        string calldata label,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes32 keyId) {
        uint256 nonce = _useNonce(owner, deadline);
        bytes32 structHash =
            keccak256(abi.encode(REGISTER_TYPEHASH, owner, _hashNewKey(key), keccak256(bytes(label)), nonce, deadline));
        _checkSignature(owner, structHash, signature);
        keyId = _register(owner, key, label);
    }

    /// @inheritdoc IKeyRegistry
    function rotateFor(
        address owner,
        bytes32 oldKeyId,
        NewKey calldata key,
        uint32 overlap,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes32 newKeyId) {
        uint256 nonce = _useNonce(owner, deadline);
        bytes32 structHash =
            keccak256(abi.encode(ROTATE_TYPEHASH, owner, oldKeyId, _hashNewKey(key), overlap, nonce, deadline));
        _checkSignature(owner, structHash, signature);
        newKeyId = _rotate(owner, owner, _keyOf(oldKeyId, owner), oldKeyId, key, overlap);
    }

    /// @inheritdoc IKeyRegistry
    function revokeFor(address owner, bytes32 keyId, string calldata reason, uint256 deadline, bytes calldata signature)
        external
    {
        uint256 nonce = _useNonce(owner, deadline);
        _checkSignature(
            owner, keccak256(abi.encode(REVOKE_TYPEHASH, owner, keyId, keccak256(bytes(reason)), nonce, deadline)), signature
        );
        _revokeOwn(_keyOf(keyId, owner), keyId, reason, owner);
    }

    /// @inheritdoc IKeyRegistry
    function extendOverlapFor(address owner, bytes32 keyId, uint32 expiresAt, uint256 deadline, bytes calldata signature)
        external
    {
        uint256 nonce = _useNonce(owner, deadline);
        _checkSignature(
            owner, keccak256(abi.encode(EXTEND_OVERLAP_TYPEHASH, owner, keyId, expiresAt, nonce, deadline)), signature
        );
        _extendOverlap(owner, keyId, expiresAt);
    }

    /// @inheritdoc IKeyRegistry
    function setRotatorFor(address owner, address rotator, uint256 deadline, bytes calldata signature) external {
        uint256 nonce = _useNonce(owner, deadline);
        _checkSignature(owner, keccak256(abi.encode(SET_ROTATOR_TYPEHASH, owner, rotator, nonce, deadline)), signature);
        _setRotator(owner, rotator);
    }

    /*//////////////////////////////////////////////////////////////
                               GUARDIANS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IKeyRegistry
    function suspend(bytes32 keyId, string calldata reason) external {
        GuardianRecord memory g = _guardians[msg.sender];
        if (!g.enabled) revert NotGuardian(msg.sender);
        StoredKey storage k = _existingKey(keyId);
        uint8 flags = k.flags;
        KeyState state = _effectiveState(k, flags);
        if (state != KeyState.Active) revert InvalidKeyState(keyId, state);
        if (flags & SUSPENSION_SPENT != 0) revert SuspensionSpent(keyId);
        // The owner's revocation is not checked here (a cold slot): a revoked owner's keys
        // stay revoked whatever is suspended, because every reader (getKey, keyStatus, the
        // shared reducer's `effectiveKeyState`) lets owner revocation win, and unsuspend
        // skips such keys, so no event shows one coming back to life.
        // In uint256: a permissive maxSuspension must not wrap to a past time.
        uint256 until = block.timestamp + g.maxSuspension;
        uint32 until32 = until > type(uint32).max ? type(uint32).max : uint32(until);
        _updateKey(
            k,
            U32 << SUSPENDED_UNTIL_SHIFT | uint256(STATE_MASK) << FLAGS_SHIFT,
            uint256(until32) << SUSPENDED_UNTIL_SHIFT
                | uint256(uint8(KeyState.Suspended) | SUSPENSION_SPENT) << FLAGS_SHIFT
        );
        emit KeySuspended(keyId, msg.sender, reason, until32);
    }

    /*//////////////////////////////////////////////////////////////
                              GOVERNANCE
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IKeyRegistry
    function governanceRevoke(bytes32 keyId, string calldata reason) external onlyGovernance {
        _revokeOrSkip(_existingKey(keyId), keyId, reason, msg.sender);
    }

    /// @inheritdoc IKeyRegistry
    function governanceRevokeBatch(bytes32[] calldata keyIds, string calldata reason) external onlyGovernance {
        uint256 n = _batchSize(keyIds);
        for (uint256 i; i < n; ++i) {
            bytes32 keyId = keyIds[i];
            _revokeOrSkip(_existingKey(keyId), keyId, reason, msg.sender);
        }
    }

    /// @inheritdoc IKeyRegistry
    function governanceRevokeLineage(bytes32 keyId, string calldata reason) external onlyGovernance {
        StoredKey storage k = _existingKey(keyId);
        while (true) {
            uint8 flags = k.flags;
            _revokeOrSkip(k, keyId, reason, msg.sender);
            if (flags & ROTATED == 0) break;
            keyId = _sibling(keyId, k.link);
            k = _keys[keyId];
        }
    }

    /// @inheritdoc IKeyRegistry
    function governanceRevokeOwner(address owner, string calldata reason) external onlyGovernance {
        OwnerRecord storage o = _owners[owner];
        // Skipped, not reverted, like the key-level calls: a proposal whose owner another
        // proposal revoked first still executes its other actions.
        if (o.revoked) {
            emit OwnerRevocationSkipped(owner);
            return;
        }
        o.revoked = true;
        o.unreleasedLineages = 0;
        emit OwnerRevoked(owner, msg.sender, reason);
    }

    /// @inheritdoc IKeyRegistry
    function extendSuspension(bytes32 keyId, uint32 until) external onlyGovernance {
        StoredKey storage k = _existingKey(keyId);
        KeyState state = _effectiveState(k, k.flags);
        if (_owners[_ownerOf(keyId)].revoked) state = KeyState.Revoked;
        if (state != KeyState.Suspended) revert InvalidKeyState(keyId, state);
        uint32 current = k.suspendedUntil;
        if (until <= current) revert SuspensionNotExtended(keyId, current, until);
        k.suspendedUntil = until;
        emit SuspensionExtended(keyId, until);
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
        _setGuardian(guardian, enabled);
    }

    /// @inheritdoc IKeyRegistry
    function setGuardianRemover(address remover) external onlyGovernance {
        guardianRemover = remover;
        emit GuardianRemoverUpdated(remover);
    }

    /// @inheritdoc IKeyRegistry
    function removeGuardian(address guardian) external {
        if (msg.sender != governance && msg.sender != guardianRemover && msg.sender != guardian) {
            revert NotGuardianRemover(msg.sender);
        }
        if (!_guardians[guardian].enabled) revert NotGuardian(guardian);
        _guardians[guardian].enabled = false;
        emit GuardianUpdated(guardian, false);
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
    function isGuardian(address account) external view returns (bool) {
        return _guardians[account].enabled;
    }

    /// @inheritdoc IKeyRegistry
    function getKey(bytes32 keyId) external view returns (KeyRecord memory) {
        StoredKey storage k = _keys[keyId];
        uint8 flags = k.flags;
        address owner = _ownerOf(keyId);
        KeyState state = _effectiveState(k, flags);
        if (state != KeyState.Unknown && _owners[owner].revoked) state = KeyState.Revoked;
        return KeyRecord({
            owner: flags == 0 ? address(0) : owner,
            algorithm: Algorithm(flags >> ALGORITHM_SHIFT & 0x03),
            state: state,
            version: k.version,
            scopes: k.scopes,
            notBefore: k.notBefore,
            expiresAt: k.expiresAt,
            rotated: flags & ROTATED != 0,
            suspendedUntil: k.suspendedUntil
        });
    }

    /// @inheritdoc IKeyRegistry
    function keyStatus(bytes32 keyId, uint8 requiredScopes) external view returns (bool, StatusReason) {
        StoredKey storage k = _keys[keyId];
        uint8 flags = k.flags;
        KeyState state = _effectiveState(k, flags);
        if (state == KeyState.Unknown) return (false, StatusReason.Unknown);
        if (state == KeyState.Revoked) return (false, StatusReason.Revoked);
        if (_owners[_ownerOf(keyId)].revoked) return (false, StatusReason.OwnerRevoked);
        if (state == KeyState.Suspended) return (false, StatusReason.Suspended);
        if (block.timestamp < k.notBefore) return (false, StatusReason.NotYetValid);
        if (block.timestamp >= k.expiresAt) return (false, StatusReason.Expired);
        // Judged against the CURRENT policy: a narrowing reaches keys registered before it.
        // Here expiresAt > block.timestamp >= notBefore, so the subtraction cannot underflow.
        Policy memory p = _policy;
        if (p.allowedAlgorithms & (uint8(1) << (flags >> ALGORITHM_SHIFT & 0x03)) == 0
            || k.scopes & ~p.allowedScopes != 0
            || k.expiresAt - k.notBefore > p.maxLifetime) {
            return (false, StatusReason.NotAllowed);
        }
        if (k.scopes & requiredScopes != requiredScopes) return (false, StatusReason.InsufficientScope);
        return (true, StatusReason.Valid);
    }

    /// @inheritdoc IKeyRegistry
    function proofOfPossessionMessage(address owner, bytes32 keyId) public view returns (bytes memory) {
        return abi.encodePacked(PROOF_DOMAIN, block.chainid, address(this), owner, keyId);
    }

    /// @inheritdoc IKeyRegistry
    function policy() external view returns (Policy memory) {
        return _policy;
    }

    /// @inheritdoc IKeyRegistry
    function ownerRecord(address owner) external view returns (OwnerRecord memory) {
        return _owners[owner];
    }

    /// @inheritdoc IKeyRegistry
    function nonces(address owner) external view returns (uint256) {
        return _owners[owner].nonce;
    }

    /// @inheritdoc IKeyRegistry
    function rotatorOf(address owner) external view returns (address) {
        return _owners[owner].rotator;
    }

    /// @inheritdoc IKeyRegistry
    function computeKeyId(address owner, bytes calldata publicKey) external pure returns (bytes32) {
        // Registered keys are 32 or 33 bytes; the scratch-space hash holds at most 44.
        if (publicKey.length > 33) revert InvalidPublicKey(Algorithm.None, publicKey);
        return _computeKeyId(owner, publicKey);
    }

    /// @inheritdoc IKeyRegistry
    function scopeName(uint8 bit) external view returns (string memory) {
        return _scopeNames[bit];
    }

    /*//////////////////////////////////////////////////////////////
                               INTERNALS
    //////////////////////////////////////////////////////////////*/

    /// @dev `register` for `owner` (the caller, or the signer of `registerFor`).
    function _register(address owner, NewKey calldata key, string calldata label) internal returns (bytes32 keyId) {
        uint256 labelLength = bytes(label).length;
        if (labelLength == 0 || labelLength > MAX_LABEL_LENGTH) revert InvalidLabel(label);
        keyId = _storeKey(owner, key, 1, _countNewLineage(owner), 0);
        emit KeyRegistered(
            keyId, owner, key.algorithm, key.scopes, key.notBefore, key.expiresAt, label, key.publicKey, key.proof
        );
    }

    /// @dev `rotate` of `owner`'s key `old` (id `oldKeyId`), authorized by the caller:
    ///      the new key goes in the owner's namespace with a proof for the owner, whoever
    ///      `by` (the owner or its rotator) is.
    function _rotate(
        address owner,
        address by,
        StoredKey storage old,
        bytes32 oldKeyId,
        NewKey calldata key,
        uint32 overlap
    ) internal returns (bytes32 newKeyId) {
        if (_owners[owner].revoked) revert OwnerIsRevoked(owner);
        uint8 flags = old.flags;
        // Suspended keys may be rotated (the old key stays suspended): the escape from a
        // rogue guardian that needs no DAO vote. Revoked is final.
        if (_state(flags) == KeyState.Revoked) revert InvalidKeyState(oldKeyId, KeyState.Revoked);
        if (flags & ROTATED != 0) revert KeyAlreadyRotated(oldKeyId);
        uint16 version = old.version;
        if (version == type(uint16).max) revert VersionOverflow(oldKeyId);

        Policy memory p = _policy;
        if (overlap > p.maxOverlap) revert OverlapTooLong(overlap, p.maxOverlap);
        uint32 originalExpiresAt = old.expiresAt;
        uint32 oldExpiresAt = originalExpiresAt;
        // In uint256: with a permissive policy, now + overlap may not fit in uint32,
        // and then the old expiry is the minimum anyway.
        if (block.timestamp + overlap < oldExpiresAt) oldExpiresAt = uint32(block.timestamp + overlap);
        // A new key that starts after the old one stops would break the
        // zero-downtime promise of rotation.
        if (key.notBefore > oldExpiresAt) revert RotationGap(key.notBefore, oldExpiresAt);

        uint96 predecessorTail = old.link;
        newKeyId = _storeKey(owner, key, version + 1, p, uint96(uint256(oldKeyId)));
        // One write of the old slot: cut expiry, original expiry, rotated, successor link.
        _updateKey(
            old,
            U32 << EXPIRES_AT_SHIFT | U32 << ORIGINAL_EXPIRES_AT_SHIFT | TAIL_MASK << LINK_SHIFT,
            uint256(oldExpiresAt) << EXPIRES_AT_SHIFT | uint256(originalExpiresAt) << ORIGINAL_EXPIRES_AT_SHIFT
                | uint256(ROTATED) << FLAGS_SHIFT | (uint256(newKeyId) & TAIL_MASK) << LINK_SHIFT
        );
        // A version-1 key has no predecessor: skip the (cold) lookup.
        if (version > 1) _endPredecessorOverlap(_sibling(oldKeyId, predecessorTail));
        _emitRotated(oldKeyId, newKeyId, owner, by, version + 1, oldExpiresAt, key);
    }

    /// @dev `extendOverlap` of `owner`'s key (the caller, or the signer of `extendOverlapFor`).
    function _extendOverlap(address owner, bytes32 keyId, uint32 expiresAt) internal {
        StoredKey storage k = _keyOf(keyId, owner);
        if (_owners[owner].revoked) revert OwnerIsRevoked(owner);
        uint8 flags = k.flags;
        KeyState state = _effectiveState(k, flags);
        if (state != KeyState.Active) revert InvalidKeyState(keyId, state);
        if (flags & ROTATED == 0) revert KeyNotRotated(keyId);
        // Only the head's immediate predecessor: a third version never comes back.
        if (flags & SUPERSEDED != 0) revert KeySuperseded(keyId);
        uint32 current = k.expiresAt;
        if (expiresAt <= current) revert ExpiryNotExtended(current, expiresAt);
        // A roll-back window, never a way to outlive the key's own registered expiry.
        uint32 original = k.originalExpiresAt;
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

    /// @dev `revoke` of a key already authorized (owner, rotator or signed by the owner):
    ///      unlike a batch, a single revoke refuses a key that is already revoked.
    ///      The owner's revocation is not checked (its slot would be a cold read): revoking
    ///      a key of a revoked owner changes nothing any reader sees (both are final).
    function _revokeOwn(StoredKey storage k, bytes32 keyId, string calldata reason, address by) internal {
        if (_state(k.flags) == KeyState.Revoked) revert InvalidKeyState(keyId, KeyState.Revoked);
        _revokeOrSkip(k, keyId, reason, by);
    }

    function _setRotator(address owner, address rotator) internal {
        OwnerRecord storage o = _owners[owner];
        if (o.revoked) revert OwnerIsRevoked(owner);
        o.rotator = rotator;
        emit RotatorUpdated(owner, rotator);
    }

    /// @dev Refuses a passed deadline, then returns `owner`'s current nonce and moves it
    ///      on. A signature that then fails to verify reverts the whole call, the nonce's
    ///      move included, so only an accepted signature uses a nonce up.
    function _useNonce(address owner, uint256 deadline) internal returns (uint256 nonce) {
        if (block.timestamp > deadline) revert SignatureExpired(deadline, block.timestamp);
        OwnerRecord storage o = _owners[owner];
        uint32 current = o.nonce;
        // Checked: after 2^32 signed operations this reverts instead of wrapping to 0,
        // which would make old signatures (with live deadlines) valid again.
        o.nonce = current + 1;
        nonce = current;
    }

    /// @dev The signature must be `owner`'s over this registry's EIP-712 digest of
    ///      `structHash`: ECDSA for an account without code, ERC-1271 otherwise (the
    ///      wallet's `isValidSignature` is a staticcall, so it cannot re-enter).
    function _checkSignature(address owner, bytes32 structHash, bytes calldata signature) internal view {
        if (!SignatureChecker.isValidSignatureNowCalldata(owner, _hashTypedDataV4(structHash), signature)) {
            revert InvalidSignature(owner);
        }
    }

    /// @dev EIP-712 hashStruct of a `NewKey`.
    function _hashNewKey(NewKey calldata key) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(
                NEW_KEY_TYPEHASH,
                key.algorithm,
                keccak256(key.publicKey),
                key.scopes,
                key.notBefore,
                key.expiresAt,
                keccak256(key.proof)
            )
        );
    }

    /// @dev Validates `key` against policy, checks an ECDSA proof for `owner`, and writes
    ///      its single slot under `owner`'s namespace.
    function _storeKey(address owner, NewKey calldata key, uint16 version, Policy memory p, uint96 link)
        internal
        returns (bytes32 keyId)
    {
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

        keyId = _computeKeyId(owner, pub);
        // Every stored key has a non-zero state, so a zero slot means "never registered".
        if (_keys[keyId].flags != 0) revert KeyAlreadyRegistered(keyId);
        if (alg != Algorithm.Ed25519) _checkEcdsaProof(owner, alg, pub, key.proof, keyId);
        _writeKey(
            _keys[keyId],
            uint256(notBefore) | uint256(expiresAt) << EXPIRES_AT_SHIFT | uint256(version) << VERSION_SHIFT
                | uint256(scopes) << SCOPES_SHIFT
                | uint256(uint8(KeyState.Active) | uint8(alg) << ALGORITHM_SHIFT) << FLAGS_SHIFT
                | uint256(link) << LINK_SHIFT
        );
    }

    /// @dev `owner` starts one more lineage: refused for a revoked owner or at the cap,
    ///      which counts unreleased lineages (revoked heads count until `releaseKeys`).
    ///      Returns the policy, which the caller needs next (one SLOAD for both).
    function _countNewLineage(address owner) internal returns (Policy memory p) {
        p = _policy;
        uint16 maxKeysPerOwner = p.maxKeysPerOwner;
        OwnerRecord storage o = _owners[owner];
        if (o.revoked) revert OwnerIsRevoked(owner);
        uint32 count = o.unreleasedLineages;
        if (count >= maxKeysPerOwner) revert TooManyKeys(owner, count, maxKeysPerOwner);
        o.unreleasedLineages = count + 1;
    }

    /// @dev The new key must have signed SHA-256(proofOfPossessionMessage(owner, keyId)):
    ///      the owner's, also when its rotator or a relayer sends the key.
    function _checkEcdsaProof(address owner, Algorithm alg, bytes calldata pub, bytes calldata proof, bytes32 keyId)
        internal
        view
    {
        bytes32 h = sha256(proofOfPossessionMessage(owner, keyId));
        bytes32 r = bytes32(proof[0:32]);
        bytes32 s = bytes32(proof[32:64]);
        uint256 x = uint256(bytes32(pub[1:33]));
        bool odd = pub[0] == 0x03;
        bool ok;
        if (alg == Algorithm.EcdsaP256) {
            (bool onCurve, uint256 y) = _decompress(x, odd, P256_P, mulmod(x, P256_P - 3, P256_P), P256_B);
            ok = onCurve && P256.verify(h, r, s, bytes32(x), bytes32(y));
        } else {
            (bool onCurve, uint256 y) = _decompress(x, odd, K1_P, 0, 7);
            if (onCurve) {
                address signer = address(uint160(uint256(keccak256(abi.encodePacked(x, y)))));
                // 64-byte proofs carry no recovery id: either parity may be the signer.
                ok = _recovers(h, 27, r, s, signer) || _recovers(h, 28, r, s, signer);
            }
        }
        if (!ok) revert InvalidProof(keyId);
    }

    function _recovers(bytes32 h, uint8 v, bytes32 r, bytes32 s, address signer) internal pure returns (bool) {
        address recovered = ecrecover(h, v, r, s);
        return recovered != address(0) && recovered == signer;
    }

    /// @dev y for x on y^2 = x^3 + a*x + b over F_p (`ax` is a*x mod p), with the parity
    ///      of the SEC1 prefix; `onCurve` is false when x is not a coordinate of the curve.
    function _decompress(uint256 x, bool odd, uint256 prime, uint256 ax, uint256 b)
        internal
        view
        returns (bool onCurve, uint256 y)
    {
        if (x >= prime) return (false, 0);
        uint256 rhs = addmod(addmod(mulmod(mulmod(x, x, prime), x, prime), ax, prime), b, prime);
        y = _modexp(rhs, (prime + 1) / 4, prime);
        if (mulmod(y, y, prime) != rhs) return (false, 0);
        if ((y & 1 == 1) != odd) y = prime - y;
        onCurve = true;
    }

    /// @dev base^exponent mod modulus through the EIP-198 precompile (address 0x05).
    function _modexp(uint256 base, uint256 exponent, uint256 modulus) internal view returns (uint256 result) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, 0x20)
            mstore(add(ptr, 0x20), 0x20)
            mstore(add(ptr, 0x40), 0x20)
            mstore(add(ptr, 0x60), base)
            mstore(add(ptr, 0x80), exponent)
            mstore(add(ptr, 0xa0), modulus)
            if iszero(staticcall(gas(), 0x05, ptr, 0xc0, 0x00, 0x20)) { revert(0, 0) }
            result := mload(0x00)
        }
    }

    /// @dev Separate frame: the event has more fields than `rotate`'s stack can hold.
    function _emitRotated(
        bytes32 oldKeyId,
        bytes32 newKeyId,
        address owner,
        address by,
        uint16 version,
        uint32 oldExpiresAt,
        NewKey calldata key
    ) internal {
        emit KeyRotated(
            oldKeyId,
            newKeyId,
            owner,
            by,
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

    /// @dev `predecessorId` is two versions behind the new head: it is marked superseded
    ///      and, if its overlap is still running, ended now (`OverlapEnded`), so at most
    ///      two versions of a lineage are ever valid at once. A revoked one is left alone.
    function _endPredecessorOverlap(bytes32 predecessorId) internal {
        StoredKey storage pk = _keys[predecessorId];
        uint8 flags = pk.flags;
        if (_state(flags) == KeyState.Revoked || flags & SUPERSEDED != 0) return;
        if (pk.expiresAt > block.timestamp) {
            _updateKey(
                pk,
                U32 << EXPIRES_AT_SHIFT,
                uint256(uint32(block.timestamp)) << EXPIRES_AT_SHIFT | uint256(SUPERSEDED) << FLAGS_SHIFT
            );
            emit OverlapEnded(predecessorId, uint32(block.timestamp));
        } else {
            _updateKey(pk, 0, uint256(SUPERSEDED) << FLAGS_SHIFT);
        }
    }

    function _existingKey(bytes32 keyId) internal view returns (StoredKey storage k) {
        k = _keys[keyId];
        if (k.flags == 0) revert KeyNotFound(keyId);
    }

    /// @dev The key, which must exist and be `owner`'s (`NotKeyOwner` names `owner` as the caller).
    function _keyOf(bytes32 keyId, address owner) internal view returns (StoredKey storage k) {
        k = _existingKey(keyId);
        address keyOwner = _ownerOf(keyId);
        if (keyOwner != owner) revert NotKeyOwner(keyId, owner, keyOwner);
    }

    /// @dev The key, which must exist and be the caller's or have the caller as its
    ///      owner's rotator (`byRotator`). The owner's own call reads no extra slot.
    function _callerKey(bytes32 keyId) internal view returns (StoredKey storage k, bool byRotator) {
        k = _existingKey(keyId);
        address owner = _ownerOf(keyId);
        if (owner != msg.sender) {
            if (_owners[owner].rotator != msg.sender) revert NotKeyOwner(keyId, msg.sender, owner);
            byRotator = true;
        }
    }

    /// @dev Revokes `k` or, if it is already revoked (by its owner while a proposal waited
    ///      in the timelock, or earlier in the same batch), skips it with `KeySkipped`.
    ///      Revoking a lineage's head ends the lineage: its predecessor's running overlap
    ///      ends now (`OverlapEnded`), so a revoked lineage holds no valid key (else
    ///      rotating and revoking heads would keep valid keys beyond the cap). The owner's
    ///      slot is not touched (lazy release): the head keeps its place under
    ///      `maxKeysPerOwner` until anyone calls `releaseKeys` for it.
    function _revokeOrSkip(StoredKey storage k, bytes32 keyId, string calldata reason, address by) internal {
        uint8 flags = k.flags;
        if (_state(flags) == KeyState.Revoked) {
            emit KeySkipped(keyId, KeyState.Revoked);
            return;
        }
        _updateKey(k, uint256(STATE_MASK) << FLAGS_SHIFT, uint256(uint8(KeyState.Revoked)) << FLAGS_SHIFT);
        emit KeyRevoked(keyId, by, reason);
        if (flags & ROTATED == 0 && k.version > 1) _endPredecessorOverlap(_sibling(keyId, k.link));
    }

    /// @dev Lifts a suspension (lapsed or not) and clears the guardian's spent flag; a key
    ///      that is not suspended is skipped with `KeySkipped`. Unknown ids still revert.
    function _unsuspendOrSkip(bytes32 keyId) internal {
        StoredKey storage k = _existingKey(keyId);
        uint8 flags = k.flags;
        KeyState state = _state(flags);
        if (state != KeyState.Revoked && _owners[_ownerOf(keyId)].revoked) state = KeyState.Revoked;
        if (state != KeyState.Suspended) {
            emit KeySkipped(keyId, state);
            return;
        }
        _updateKey(
            k,
            U32 << SUSPENDED_UNTIL_SHIFT | uint256(STATE_MASK | SUSPENSION_SPENT) << FLAGS_SHIFT,
            uint256(uint8(KeyState.Active)) << FLAGS_SHIFT
        );
        emit KeyUnsuspended(keyId, msg.sender);
    }

    function _checkGovernance() internal view {
        if (msg.sender != governance) revert NotGovernance(msg.sender);
    }

    /// @dev Writes a new key's whole slot in one sstore (`word` packed as `StoredKey`).
    function _writeKey(StoredKey storage k, uint256 word) internal {
        assembly ("memory-safe") {
            sstore(k.slot, word)
        }
    }

    /// @dev Rewrites a key's slot in one sstore: the bits of `clear` zeroed, then `set` ORed in.
    function _updateKey(StoredKey storage k, uint256 clear, uint256 set) internal {
        assembly ("memory-safe") {
            let slot := k.slot
            sstore(slot, or(and(sload(slot), not(clear)), set))
        }
    }

    /// @dev Appoints or removes a guardian; a first appointment lists it, so `_setPolicy`
    ///      can refresh its cached `maxSuspension`.
    function _setGuardian(address guardian, bool enabled) internal {
        GuardianRecord storage g = _guardians[guardian];
        if (enabled && !g.listed) _guardianList.push(guardian);
        g.enabled = enabled;
        g.listed = g.listed || enabled;
        g.maxSuspension = _policy.maxSuspension;
        emit GuardianUpdated(guardian, enabled);
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

    /// @dev keccak256(owner || publicKey) hashed in scratch memory (no abi.encodePacked copy);
    ///      public keys are at most 33 bytes, so 20 + 33 bytes fit in the 64-byte scratch space.
    function _computeKeyId(address owner, bytes calldata publicKey) internal pure returns (bytes32 keyId) {
        assembly ("memory-safe") {
            mstore(0x00, shl(96, owner))
            calldatacopy(0x14, publicKey.offset, publicKey.length)
            let h := keccak256(0x00, add(0x14, publicKey.length))
            keyId := or(shl(96, owner), and(h, 0xffffffffffffffffffffffff))
        }
    }

    function _ownerOf(bytes32 keyId) internal pure returns (address) {
        return address(uint160(uint256(keyId) >> 96));
    }

    /// @dev The id of the same owner's key whose low 96 bits are `tail`.
    function _sibling(bytes32 keyId, uint96 tail) internal pure returns (bytes32) {
        return bytes32(uint256(keyId) & ~TAIL_MASK | uint256(tail));
    }

    function _state(uint8 flags) internal pure returns (KeyState) {
        return KeyState(flags & STATE_MASK);
    }

    /// @dev The stored state, except that a suspension whose end has passed reads as Active.
    function _effectiveState(StoredKey storage k, uint8 flags) internal view returns (KeyState state) {
        state = KeyState(flags & STATE_MASK);
        if (state == KeyState.Suspended && block.timestamp >= k.suspendedUntil) state = KeyState.Active;
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
        if (p.maxLifetime == 0 || p.maxOverlap > p.maxLifetime || p.allowedAlgorithms & 0xF1 != 0
            || p.maxSuspension == 0 || p.maxKeysPerOwner == 0) {
            revert InvalidPolicy(p);
        }
        if (p.maxSuspension != _policy.maxSuspension) {
            // Governance-paid, one write per guardian ever appointed: suspend reads the copy.
            uint256 n = _guardianList.length;
            for (uint256 i; i < n; ++i) {
                _guardians[_guardianList[i]].maxSuspension = p.maxSuspension;
            }
        }
        _policy = p;
        emit PolicyUpdated(
            p.maxLifetime, p.maxOverlap, p.maxSuspension, p.maxKeysPerOwner, p.allowedAlgorithms, p.allowedScopes
        );
    }
}
