// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IKeyRegistry
/// @notice Types, errors and events of the KeyLedger key registry.
/// @dev Keys are namespaced per owner (as Farcaster's KeyRegistry namespaces them per
///      account): `keyId = owner (20 bytes) || low 12 bytes of keccak256(owner || raw
///      public key)`, the raw key being 32 bytes for Ed25519 and 33 bytes (compressed SEC1)
///      for ECDSA P-256 and secp256k1. A wallet can only register ids under its own
///      address, so copying someone's public key from the mempool never blocks, claims or
///      collides with the victim's id, and the id a request carries names its owner.
///      The events carry everything needed to rebuild the registry from logs alone.
interface IKeyRegistry {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice Signature algorithm of a key. Verifiers trust this field, never a
    ///         request's own claim. `None` is never stored for a registered key.
    enum Algorithm {
        None,
        Ed25519,
        EcdsaP256,
        EcdsaSecp256k1
    }

    /// @notice Lifecycle of a key. `Unknown` means the key id was never registered.
    enum KeyState {
        Unknown,
        Active,
        Suspended,
        Revoked
    }

    /// @notice Why `keyStatus` says a key may or may not be used right now.
    /// @dev `OwnerRevoked`: governance revoked the key's owner (`governanceRevokeOwner`),
    ///      which ends every key of that owner at once, without touching each record.
    ///      `NotAllowed`: the CURRENT policy no longer allows the key's algorithm, one of
    ///      its scope bits, or its lifetime (expiresAt - notBefore > maxLifetime). It is
    ///      judged at every call, so a policy widened again makes the key valid again.
    enum StatusReason {
        Valid,
        Unknown,
        Revoked,
        Suspended,
        NotYetValid,
        Expired,
        InsufficientScope,
        NotAllowed,
        OwnerRevoked
    }

    /// @notice Why `releaseKeys` left a key alone (`KeyReleaseSkipped`).
    /// @dev `NotRevoked`: the key is active or suspended (only revoked keys give their
    ///      place back). `NotHead`: the key was rotated out, so its lineage is counted at
    ///      its head, not here. `AlreadyReleased`: released before. `OwnerRevoked`:
    ///      governance revoked the owner, which zeroed its count already.
    enum ReleaseSkipReason {
        NotRevoked,
        NotHead,
        AlreadyReleased,
        OwnerRevoked
    }

    /// @notice A key's record as the views return it.
    /// @dev Stored packed in ONE slot (see `StoredKey` in KeyRegistry); the owner is the
    ///      id's first 20 bytes, so it is not stored. A registration writes one new slot,
    ///      revoke and suspend rewrite it, and rotate writes one new slot and rewrites the
    ///      old key's. `state` is the effective one: `Revoked` for a key whose owner was
    ///      revoked, `Active` once a suspension has lapsed (`suspendedUntil` passed).
    ///      For a revoked owner's key `state` stays `Revoked` whatever later per-key
    ///      events (a guardian's `suspend`, a revocation) write to its other fields.
    ///      Who changed the state and when live in the events (KeyRevoked.by,
    ///      KeySuspended.guardian, KeyUnsuspended.by and the block time).
    struct KeyRecord {
        address owner;
        Algorithm algorithm;
        KeyState state;
        uint16 version;
        uint8 scopes;
        uint32 notBefore;
        uint32 expiresAt;
        bool rotated;
        uint32 suspendedUntil;
    }

    /// @notice What the registry keeps per owner. One storage slot.
    /// @dev Layout: unreleasedLineages (32) | revoked (8) | rotator (160) | nonce (32),
    ///      24 bits free. `unreleasedLineages` counts the owner's lineages whose head has
    ///      not been released: live ones, expired ones, and revoked ones until anyone
    ///      calls `releaseKeys` for their head (revocation does not touch this slot, so it
    ///      stays cheap). This is what `Policy.maxKeysPerOwner` caps. `rotator` may rotate
    ///      (same or narrower scopes) and revoke the owner's keys (`setRotator`; zero: none).
    ///      `nonce` is the nonce the owner's next signed operation must carry (`nonces`).
    ///      It lives here, not in a mapping of its own, because every signed operation
    ///      reads and writes this slot anyway (cap count, revoked flag, rotator): a
    ///      separate nonce slot would cost a cold read and a write (22,100 gas the first
    ///      time) per signed operation. 2^32 signed operations per owner is beyond reach.
    struct OwnerRecord {
        uint32 unreleasedLineages;
        bool revoked;
        address rotator;
        uint32 nonce;
    }

    /// @notice The DAO's policy. One storage slot.
    /// @dev Layout: maxLifetime (32) | maxOverlap (32) | maxSuspension (32)
    ///      | maxKeysPerOwner (16) | allowedAlgorithms (8) | allowedScopes (8).
    ///      `allowedAlgorithms` has bit `1 << uint8(Algorithm)` set for each algorithm
    ///      that may be registered; durations are seconds. `maxSuspension` bounds a
    ///      guardian's suspension (it lapses unless the DAO extends or revokes);
    ///      `maxKeysPerOwner` caps an owner's unreleased lineages (spam bound for every
    ///      index; revoked lineages count until `releaseKeys`).
    struct Policy {
        uint32 maxLifetime;
        uint32 maxOverlap;
        uint32 maxSuspension;
        uint16 maxKeysPerOwner;
        uint8 allowedAlgorithms;
        uint8 allowedScopes;
    }

    /// @notice Arguments of `register` and of the new key in `rotate`.
    /// @param algorithm The new key's algorithm.
    /// @param publicKey Raw public key: 32 bytes (Ed25519) or 33 bytes compressed SEC1.
    /// @param scopes Bitmask of up to 8 scopes named by the DAO; every bit must be allowed by policy.
    /// @param notBefore First second at which the key is valid: at most 1 hour in the past
    ///        and at most 30 days ahead of the block (`NOT_BEFORE_TOLERANCE`, `MAX_NOT_BEFORE_DELAY`).
    /// @param expiresAt First second at which the key is no longer valid.
    /// @param proof 64-byte signature by the new key over
    ///        `proofOfPossessionMessage(owner, keyId)`. ECDSA proofs (r || s over the
    ///        message's SHA-256, s in the lower half of the order for P-256) are checked
    ///        on chain: P-256 through the EIP-7951 / RIP-7212 precompile (OpenZeppelin's
    ///        P256 falls back to Solidity where it is absent), secp256k1 through ecrecover.
    ///        Ed25519 has no precompile: its proof is emitted and verifiers check it.
    struct NewKey {
        Algorithm algorithm;
        bytes publicKey;
        uint8 scopes;
        uint32 notBefore;
        uint32 expiresAt;
        bytes proof;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice The key id has been registered before (ids are never reused, even after
    ///         revocation). Ids are namespaced per owner, so only the owner can collide.
    error KeyAlreadyRegistered(bytes32 keyId);
    /// @notice The ECDSA proof of possession does not verify for the key and the caller.
    error InvalidProof(bytes32 keyId);
    /// @notice The owner already has `maxKeysPerOwner` unreleased lineages (revoked ones
    ///         included until `releaseKeys` gives their places back).
    error TooManyKeys(address owner, uint256 unreleasedLineages, uint256 maxKeysPerOwner);
    /// @notice Governance revoked this owner: its keys are dead and it cannot register more.
    error OwnerIsRevoked(address owner);
    /// @notice A guardian already suspended this key and the DAO has not ruled (unsuspend)
    ///         since: a lapsed suspension cannot be renewed by a guardian.
    error SuspensionSpent(bytes32 keyId);
    /// @notice `extendSuspension` must move a current suspension's end later.
    error SuspensionNotExtended(bytes32 keyId, uint32 suspendedUntil, uint32 requestedUntil);
    /// @notice No key with this id exists.
    error KeyNotFound(bytes32 keyId);
    /// @notice The caller is not the key's owner.
    error NotKeyOwner(bytes32 keyId, address caller, address owner);
    /// @notice The caller is not the governance (timelock).
    error NotGovernance(address caller);
    /// @notice The caller is not a guardian.
    error NotGuardian(address caller);
    /// @notice The algorithm is not allowed by policy (or is `None`).
    error AlgorithmNotAllowed(Algorithm algorithm);
    /// @notice The public key has the wrong length or encoding for its algorithm.
    error InvalidPublicKey(Algorithm algorithm, bytes publicKey);
    /// @notice The proof of possession is missing or not a 64-byte signature.
    error InvalidProofLength(uint256 length);
    /// @notice A scope bit is not allowed by policy.
    error ScopesNotAllowed(uint8 scopes, uint8 allowedScopes);
    /// @notice The validity window is empty, inverted or already over.
    error InvalidValidityWindow(uint32 notBefore, uint32 expiresAt, uint256 currentTime);
    /// @notice `notBefore` lies more than `NOT_BEFORE_TOLERANCE` (1 hour) in the past;
    ///         `earliest` is the earliest start accepted now.
    error NotBeforeTooEarly(uint32 notBefore, uint256 earliest);
    /// @notice `notBefore` lies more than `MAX_NOT_BEFORE_DELAY` (30 days) ahead;
    ///         `latest` is the latest start accepted now.
    error NotBeforeTooLate(uint32 notBefore, uint256 latest);
    /// @notice The window is longer than the policy's maximum lifetime.
    error LifetimeTooLong(uint256 lifetime, uint256 maxLifetime);
    /// @notice The overlap is longer than the policy's maximum.
    error OverlapTooLong(uint256 overlap, uint256 maxOverlap);
    /// @notice The new key would only become valid after the old one stops, leaving a gap.
    error RotationGap(uint32 newNotBefore, uint32 oldExpiresAt);
    /// @notice The label is empty or longer than 64 bytes.
    error InvalidLabel(string label);
    /// @notice The key is not in the state the operation needs.
    error InvalidKeyState(bytes32 keyId, KeyState state);
    /// @notice The key has already been rotated to a successor.
    error KeyAlreadyRotated(bytes32 keyId);
    /// @notice `extendOverlap` applies only to keys that were rotated out.
    error KeyNotRotated(bytes32 keyId);
    /// @notice The new expiry does not move the current expiry later.
    error ExpiryNotExtended(uint32 currentExpiresAt, uint32 requestedExpiresAt);
    /// @notice `extendOverlap` on a key whose successor was rotated in turn: only the
    ///         immediate predecessor of the lineage's head may be extended.
    error KeySuperseded(bytes32 keyId);
    /// @notice `extendOverlap` past the expiry the key had before it was rotated out.
    error ExtensionPastOriginalExpiry(uint32 requestedExpiresAt, uint32 originalExpiresAt);
    /// @notice The version counter would overflow.
    error VersionOverflow(bytes32 keyId);
    /// @notice A batch is empty or larger than `MAX_BATCH`.
    error InvalidBatchSize(uint256 size);
    /// @notice Policy values out of range (zero lifetime, overlap above lifetime, `None` allowed, ...).
    error InvalidPolicy(Policy policy);
    /// @notice Scope bit index is above 7 or the name is longer than 32 bytes.
    error InvalidScopeName(uint8 bit, string name);
    /// @notice The scope bit already has a name; names are permanent (renaming or clearing
    ///         would re-grant or re-purpose the bit on every key that holds it). To
    ///         introduce a new scope, name a fresh bit; to retire one, drop it from
    ///         `allowedScopes`.
    error ScopeAlreadyNamed(uint8 bit, string currentName, string requestedName);
    /// @notice Governance cannot be handed to the zero address.
    error InvalidGovernance(address governance);
    /// @notice Only the pending governance can accept the transfer.
    error NotPendingGovernance(address caller, address pendingGovernance);
    /// @notice The Ed25519 public key is small-order or non-canonical (y >= p, or x = 0 with the sign bit).
    error UnusableEd25519Key(bytes32 publicKey);
    /// @notice There is no pending governance transfer to cancel.
    error NoPendingGovernance();
    /// @notice Only governance, the guardian remover or the guardian itself may remove a guardian.
    error NotGuardianRemover(address caller);
    /// @notice A rotator's rotation would give the new key a scope bit the old key lacks:
    ///         a rotator may keep or narrow a key's scopes, only the owner may widen them.
    error ScopesWidened(uint8 oldScopes, uint8 newScopes);
    /// @notice The signed operation's deadline has passed.
    error SignatureExpired(uint256 deadline, uint256 currentTime);
    /// @notice The signature is not `owner`'s over this operation's EIP-712 digest (wrong
    ///         signer, parameters, registry, chain, or a nonce other than `nonces(owner)`:
    ///         the nonce is part of the digest, so a used signature fails here).
    error InvalidSignature(address owner);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice A new key lineage was started (version 1).
    /// @param proof Proof of possession; verifiers must check it off-chain before trusting the key.
    event KeyRegistered(
        bytes32 indexed keyId,
        address indexed owner,
        Algorithm algorithm,
        uint8 scopes,
        uint32 notBefore,
        uint32 expiresAt,
        string label,
        bytes publicKey,
        bytes proof
    );

    /// @notice `newKeyId` became version `version` of `oldKeyId`'s lineage (same owner and
    ///         label); the old key's expiry was set to `oldExpiresAt`.
    /// @param by Who rotated: the owner (also for `rotateFor`, which the owner signed,
    ///        whoever submitted it) or the owner's rotator.
    event KeyRotated(
        bytes32 indexed oldKeyId,
        bytes32 indexed newKeyId,
        address indexed owner,
        address by,
        uint16 version,
        Algorithm algorithm,
        uint8 scopes,
        uint32 notBefore,
        uint32 expiresAt,
        uint32 oldExpiresAt,
        bytes publicKey,
        bytes proof
    );

    /// @notice A rotated-out key's expiry was moved later (roll-back path).
    event OverlapExtended(bytes32 indexed keyId, uint32 expiresAt);
    /// @notice The key two versions behind a new head stopped at `expiresAt` (the rotation's
    ///         block time): its successor was rotated before its overlap ran out.
    event OverlapEnded(bytes32 indexed keyId, uint32 expiresAt);
    /// @notice A key was revoked, finally, by its owner (also for `revokeFor`, which the
    ///         owner signed), the owner's rotator, or governance.
    event KeyRevoked(bytes32 indexed keyId, address indexed by, string reason);
    /// @notice A guardian suspended a key pending the DAO; the suspension lapses at `until`
    ///         unless governance extends it (`SuspensionExtended`) or revokes the key.
    event KeySuspended(bytes32 indexed keyId, address indexed guardian, string reason, uint32 until);
    /// @notice Governance moved a suspension's end to `until`.
    event SuspensionExtended(bytes32 indexed keyId, uint32 until);
    /// @notice Governance revoked `owner`: every key of the owner is revoked (finally) and
    ///         its new registrations are refused. No per-key event follows.
    event OwnerRevoked(address indexed owner, address indexed by, string reason);
    /// @notice `governanceRevokeOwner` found the owner already revoked and changed nothing.
    event OwnerRevocationSkipped(address indexed owner);
    /// @notice Governance lifted a suspension.
    event KeyUnsuspended(bytes32 indexed keyId, address indexed by);
    /// @notice A batch or governance operation left `keyId` alone because it was already
    ///         `state` (revoked, or no longer suspended): a queued proposal or a batch
    ///         with a duplicate still executes. The key's state did not change.
    event KeySkipped(bytes32 indexed keyId, KeyState state);
    /// @notice `keyId`, a revoked lineage head of `owner`, gave its place under the
    ///         owner's cap back (`releaseKeys`, called by `by`). The key stays revoked.
    event KeyReleased(bytes32 indexed keyId, address indexed owner, address by);
    /// @notice `releaseKeys` left `keyId` alone, for `reason`; nothing changed.
    event KeyReleaseSkipped(bytes32 indexed keyId, ReleaseSkipReason reason);
    /// @notice `owner` appointed `rotator` (zero: removed it) to rotate and revoke its keys.
    event RotatorUpdated(address indexed owner, address indexed rotator);
    /// @notice `owner` cancelled its signed operation with nonce `nonce` (`useNonce`).
    event NonceUsed(address indexed owner, uint256 nonce);
    /// @notice Governance changed the policy.
    event PolicyUpdated(
        uint32 maxLifetime,
        uint32 maxOverlap,
        uint32 maxSuspension,
        uint16 maxKeysPerOwner,
        uint8 allowedAlgorithms,
        uint8 allowedScopes
    );
    /// @notice Governance named a scope bit (once: a named bit keeps its name; repeating
    ///         the same name emits again and changes nothing).
    event ScopeNamed(uint8 indexed bit, string name);
    /// @notice Governance appointed (`enabled`) or removed a guardian (or the guardian
    ///         remover, or the guardian itself, removed it).
    event GuardianUpdated(address indexed guardian, bool enabled);
    /// @notice Governance appointed `remover` (zero: none) to remove guardians without a vote.
    event GuardianRemoverUpdated(address indexed remover);
    /// @notice Governance proposed a new governance address.
    event GovernanceTransferStarted(address indexed previousGovernance, address indexed newGovernance);
    /// @notice Governance cancelled the pending transfer to `cancelledGovernance`.
    event GovernanceTransferCancelled(address indexed governance, address indexed cancelledGovernance);
    /// @notice The governance address changed.
    event GovernanceTransferred(address indexed previousGovernance, address indexed newGovernance);

    /*//////////////////////////////////////////////////////////////
                              KEY OWNERS
    //////////////////////////////////////////////////////////////*/

    /// @notice Registers a new key lineage (version 1) owned by the caller.
    /// @return keyId The caller's address followed by 12 bytes of keccak256(caller || publicKey).
    function register(NewKey calldata key, string calldata label) external returns (bytes32 keyId);

    /// @notice Rotates `oldKeyId` to a new key (version + 1, same label); the old key's
    ///         expiry becomes min(its expiry, now + overlap). The key before `oldKeyId`, if
    ///         its overlap still runs, stops now (`OverlapEnded`): at most two versions of a
    ///         lineage are valid at once. A suspended key can be rotated (it stays
    ///         suspended): an owner is never stuck behind a guardian's suspension.
    ///         The owner's rotator may call it too: the new key is the OWNER's (its id in
    ///         the owner's namespace, its proof signed for the owner), its scopes must be
    ///         the old key's or fewer (`ScopesWidened`), and a suspended key is refused
    ///         (`InvalidKeyState`): escaping a guardian is the owner's call alone.
    function rotate(bytes32 oldKeyId, NewKey calldata key, uint32 overlap) external returns (bytes32 newKeyId);

    /// @notice Moves a rotated-out key's expiry later (roll-back), within policy bounds and
    ///         never past the expiry it had before the rotation; only for the immediate
    ///         predecessor of the lineage's head (`KeySuperseded` otherwise).
    function extendOverlap(bytes32 keyId, uint32 expiresAt) external;

    /// @notice Revokes the caller's key, immediately and finally. Revoking a lineage's head
    ///         ends the lineage: a predecessor still in its overlap stops now (`OverlapEnded`).
    ///         The owner's rotator may revoke it too (`KeyRevoked.by` names the rotator).
    ///         The lineage keeps its place under `maxKeysPerOwner` until `releaseKeys`.
    function revoke(bytes32 keyId, string calldata reason) external;

    /// @notice Revokes several of the caller's keys in one transaction (incident response).
    ///         Keys already revoked (and duplicates) are skipped with `KeySkipped`; a key
    ///         the caller neither owns nor is the rotator of, or an unknown id, reverts the
    ///         whole batch.
    function revokeBatch(bytes32[] calldata keyIds, string calldata reason) external;

    /// @notice Appoints `rotator` to rotate (same or narrower scopes) and revoke all of the
    ///         caller's keys, replacing the previous one; `address(0)` removes it. A rotator
    ///         can never register, extend an overlap, appoint a rotator or sign for the owner.
    function setRotator(address rotator) external;

    /// @notice Gives the places of revoked lineage heads back under their owners' caps
    ///         (`KeyReleased`), once per head. Anyone may call it, for any owner's keys:
    ///         it only lowers a count the owner could lower itself, and it never changes
    ///         whether a key is valid. Keys that are not revoked heads, are released
    ///         already, or belong to a revoked owner are skipped (`KeyReleaseSkipped`);
    ///         an unknown id or a batch that is empty or larger than `MAX_BATCH` reverts.
    function releaseKeys(bytes32[] calldata keyIds) external;

    /// @notice Cancels the caller's next signed operation: the nonce it carries is used
    ///         up, so a signature handed out but not yet submitted can never be.
    /// @return nonce The nonce that was used up.
    function useNonce() external returns (uint256 nonce);

    /*//////////////////////////////////////////////////////////////
                          SIGNED OPERATIONS
    //////////////////////////////////////////////////////////////*/

    // `owner` signs EIP-712 typed data (domain "KeyLedger KeyRegistry", version "2", this
    // chain, this registry), anyone submits and pays. Every message binds `owner`, the
    // owner's current nonce (`nonces`) and a deadline; contract wallets sign through
    // ERC-1271. The operation then runs exactly as if `owner` had sent it.

    /// @notice `register` for `owner`, who signed `Register(address owner,NewKey key,string
    ///         label,uint256 nonce,uint256 deadline)` (with `NewKey`'s fields).
    /// @param deadline Last second (block time) at which the signature may be submitted.
    /// @param signature 65-byte ECDSA signature of an EOA owner, or whatever the owner's
    ///        ERC-1271 `isValidSignature` accepts (a Safe: its owners' signatures).
    function registerFor(
        address owner,
        NewKey calldata key,
        string calldata label,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes32 keyId);

    /// @notice `rotate` for `owner`, who signed `Rotate(address owner,bytes32 oldKeyId,NewKey
    ///         key,uint32 overlap,uint256 nonce,uint256 deadline)`. `oldKeyId` must be
    ///         `owner`'s (`NotKeyOwner`); the owner may widen scopes and rotate a suspended key.
    function rotateFor(
        address owner,
        bytes32 oldKeyId,
        NewKey calldata key,
        uint32 overlap,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes32 newKeyId);

    /// @notice `revoke` for `owner`, who signed `Revoke(address owner,bytes32 keyId,string
    ///         reason,uint256 nonce,uint256 deadline)`; `KeyRevoked.by` is the owner.
    function revokeFor(address owner, bytes32 keyId, string calldata reason, uint256 deadline, bytes calldata signature)
        external;

    /// @notice `extendOverlap` for `owner`, who signed `ExtendOverlap(address owner,bytes32
    ///         keyId,uint32 expiresAt,uint256 nonce,uint256 deadline)`.
    function extendOverlapFor(address owner, bytes32 keyId, uint32 expiresAt, uint256 deadline, bytes calldata signature)
        external;

    /// @notice `setRotator` for `owner`, who signed `SetRotator(address owner,address
    ///         rotator,uint256 nonce,uint256 deadline)`.
    function setRotatorFor(address owner, address rotator, uint256 deadline, bytes calldata signature) external;

    /*//////////////////////////////////////////////////////////////
                               GUARDIANS
    //////////////////////////////////////////////////////////////*/

    /// @notice Suspends an active key at once, pending the DAO, until
    ///         `now + policy.maxSuspension`. Once per key until the DAO rules on it
    ///         (`SuspensionSpent`): a lapsed suspension cannot be renewed by a guardian.
    ///         It does not look at the owner's revocation: a revoked owner's keys read as
    ///         revoked whatever their own state (every view and the shared reducer let
    ///         owner revocation win), and `unsuspend` skips them.
    function suspend(bytes32 keyId, string calldata reason) external;

    /*//////////////////////////////////////////////////////////////
                              GOVERNANCE
    //////////////////////////////////////////////////////////////*/

    /// @notice Revokes any key (active or suspended). A key already revoked (for example
    ///         by its owner while the proposal waited in the timelock) is skipped with
    ///         `KeySkipped`, so the proposal's other actions still execute.
    function governanceRevoke(bytes32 keyId, string calldata reason) external;

    /// @notice `governanceRevoke` for up to `MAX_BATCH` keys; revoked keys and duplicates are skipped.
    function governanceRevokeBatch(bytes32[] calldata keyIds, string calldata reason) external;

    /// @notice Revokes `keyId` and every later version of its lineage as it stands when the
    ///         proposal executes, so rotating during the vote does not escape it.
    function governanceRevokeLineage(bytes32 keyId, string calldata reason) external;

    /// @notice Revokes every key of `owner` at once (no per-key writes) and refuses its
    ///         new registrations and rotations. Final: every view reads its keys as revoked
    ///         whatever later per-key events say, and they can no longer be lifted
    ///         (unsuspend skips them); the owner's count is zeroed. An owner
    ///         already revoked is skipped with `OwnerRevocationSkipped`.
    function governanceRevokeOwner(address owner, string calldata reason) external;

    /// @notice Moves a current suspension's end later (the DAO needs more time to decide).
    function extendSuspension(bytes32 keyId, uint32 until) external;

    /// @notice Lifts a guardian's suspension, lapsed or not, and lets guardians suspend the
    ///         key again. A key that is not suspended (lifted already, or revoked) is
    ///         skipped with `KeySkipped` instead of reverting.
    function unsuspend(bytes32 keyId) external;

    /// @notice `unsuspend` for up to `MAX_BATCH` keys; keys not suspended are skipped.
    function unsuspendBatch(bytes32[] calldata keyIds) external;

    /// @notice Replaces the policy. It reaches existing keys too: `keyStatus` judges every
    ///         key against the current policy (`NotAllowed`), and widening it again
    ///         makes such keys valid again. Stored keys are not rewritten.
    function setPolicy(Policy calldata policy) external;

    /// @notice Names a scope bit (0..7) that has no name yet; a named bit can be neither
    ///         renamed nor cleared (`ScopeAlreadyNamed`), the same name again is a no-op.
    function setScopeName(uint8 bit, string calldata name) external;

    /// @notice Appoints or removes a guardian.
    function setGuardian(address guardian, bool enabled) external;

    /// @notice Appoints the guardian remover (zero address: none): an account, typically the
    ///         DAO's security-council multisig, that can remove (never appoint) a guardian at
    ///         once, without waiting a proposal cycle for a guardian that went rogue.
    function setGuardianRemover(address remover) external;

    /// @notice Removes a guardian at once. Callable by governance, the guardian remover, or
    ///         the guardian itself (renouncing). Its suspensions stay, bounded as ever.
    function removeGuardian(address guardian) external;

    /// @notice Starts handing governance to `newGovernance`, which must accept.
    function transferGovernance(address newGovernance) external;

    /// @notice Cancels the pending governance transfer.
    function cancelGovernanceTransfer() external;

    /// @notice Completes a governance transfer.
    function acceptGovernance() external;

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @notice The full stored record (all zero for an unknown key).
    function getKey(bytes32 keyId) external view returns (KeyRecord memory);

    /// @notice Whether the key may be used now with `requiredScopes`, and why not.
    ///         Precedence: Unknown, Revoked, OwnerRevoked, Suspended (until it lapses),
    ///         NotYetValid, Expired, NotAllowed (outside the current policy), InsufficientScope.
    function keyStatus(bytes32 keyId, uint8 requiredScopes) external view returns (bool valid, StatusReason reason);

    /// @notice The bytes a new key signs to prove possession for `owner`:
    ///         "KeyLedger proof of possession v1" (32 bytes) || chainId (32) || registry (20)
    ///         || owner (20) || keyId (32). Ed25519 signs them as is; ECDSA keys sign their
    ///         SHA-256 digest (64-byte r || s).
    function proofOfPossessionMessage(address owner, bytes32 keyId) external view returns (bytes memory);

    /// @notice The current policy.
    function policy() external view returns (Policy memory);

    /// @notice What the registry keeps about `owner` (unreleased lineages, revoked, rotator, nonce).
    function ownerRecord(address owner) external view returns (OwnerRecord memory);

    /// @notice The nonce `owner`'s next signed operation must carry.
    function nonces(address owner) external view returns (uint256);

    /// @notice The address that may rotate and revoke `owner`'s keys (zero: none).
    function rotatorOf(address owner) external view returns (address);

    /// @notice The id `owner` gets for `publicKey` (see the contract's @dev).
    function computeKeyId(address owner, bytes calldata publicKey) external pure returns (bytes32);

    /// @notice The name of a scope bit ("" when unnamed).
    function scopeName(uint8 bit) external view returns (string memory);

    /// @notice Whether `account` is a guardian.
    function isGuardian(address account) external view returns (bool);

    /// @notice The governance address (the DAO's TimelockController).
    function governance() external view returns (address);

    /// @notice The address a governance transfer is waiting on.
    function pendingGovernance() external view returns (address);

    /// @notice The account that may remove guardians without a vote (zero: none).
    function guardianRemover() external view returns (address);
}
