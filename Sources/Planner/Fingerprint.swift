/// What an (app, tier) pair's run depends on, as git object ids only (docs/ARCHITECTURE.md §3): nothing
/// unchanged is ever read to compute it.
///
/// The components are kept, not only their digest, so that a reason can name the file that changed
/// ("platform tier: workflows/platform/security-scan.yaml changed"). `shared` holds the components that
/// many pairs have in common (the tier's workflows, their inputs, step-type plugins), so that the
/// applied state can store each distinct set once for 10,000 apps; `score` is the app's own Score file.
public struct Fingerprint: Sendable, Hashable {
    /// Repository path (or `step-type:<name>` for a plugin definition) → git object id.
    public var shared: [String: String]
    /// The Score file's path and blob id.
    public var scorePath: String
    public var scoreID: String
    /// 32 hex digits over every component; what is compared and shown.
    public let digest: String

    public init(shared: [String: String], scorePath: String, scoreID: String) {
        self.init(shared: shared, partial: Self.partialDigest(of: shared), scorePath: scorePath, scoreID: scoreID)
    }

    /// Builds on `partialDigest(of: shared)`, computed once for the many pairs that share `shared`.
    init(shared: [String: String], partial: UInt128, scorePath: String, scoreID: String) {
        self.shared = shared
        self.scorePath = scorePath
        self.scoreID = scoreID
        var hash = partial
        Self.mix(scoreID, into: &hash)
        digest = Self.hex(hash)
    }

    /// 32 lowercase hex digits (`String(_:radix:)` on UInt128 is ten times slower, and this runs per pair).
    static func hex(_ value: UInt128) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 32) { buffer in
            var rest = value
            for index in stride(from: 31, through: 0, by: -1) {
                buffer[index] = digits[Int(rest & 0xf)]
                rest >>= 4
            }
            return 32
        }
    }

    /// Restores a stored fingerprint, keeping its stored digest.
    public init(shared: [String: String], scorePath: String, scoreID: String, digest: String) {
        self.shared = shared
        self.scorePath = scorePath
        self.scoreID = scoreID
        self.digest = digest
    }

    /// Every component, the Score file included.
    public var components: [String: String] {
        var all = shared
        all[scorePath] = scoreID
        return all
    }

    /// FNV-1a, 128 bits, over the sorted ids only — not the paths — so that moving `appsRoot` or
    /// `workflowsRoot` with the files re-runs nothing (docs/ARCHITECTURE.md §3), while any content change does.
    /// Not a security boundary (approval pins compare real blob ids); it only has to change when an id does.
    static func partialDigest(of shared: [String: String]) -> UInt128 {
        var hash: UInt128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d
        for id in shared.values.sorted() { mix(id, into: &hash) }
        return hash
    }

    private static func mix(_ text: String, into hash: inout UInt128) {
        let prime: UInt128 = 0x0000_0000_0100_0000_0000_0000_0000_013b
        for byte in text.utf8 {
            hash ^= UInt128(byte)
            hash = hash &* prime
        }
        hash ^= 0xff
        hash = hash &* prime
    }

    /// How one component moved.
    public enum Change: Sendable {
        case changed, added, removed
    }

    /// What moved from `old` to `self`, as phrases naming paths ("apps/a/score.yaml changed"); `phrase` may
    /// word a component's move itself (nil keeps the plain phrase).
    public func changes(since old: Fingerprint, phrase: (String, Change) -> String? = { _, _ in nil }) -> [String] {
        let before = old.components
        let after = components
        var phrases: [String] = []
        for key in after.keys.sorted() {
            if let previous = before[key] {
                if previous != after[key] { phrases.append(phrase(key, .changed) ?? "\(Self.display(key)) changed") }
            } else {
                phrases.append(phrase(key, .added) ?? "\(Self.display(key)) added")
            }
        }
        for key in before.keys.sorted() where after[key] == nil {
            phrases.append(phrase(key, .removed) ?? "\(Self.display(key)) removed")
        }
        return phrases
    }

    /// The components (paths, `step-type:` keys) whose id differs, or that only one side has.
    public func movedKeys(since old: Fingerprint) -> Set<String> {
        let before = old.components
        let after = components
        var moved: Set<String> = []
        for (key, id) in after where before[key] != id { moved.insert(key) }
        for key in before.keys where after[key] == nil { moved.insert(key) }
        return moved
    }

    static let stepTypePrefix = "step-type:"

    private static func display(_ key: String) -> String {
        key.hasPrefix(stepTypePrefix) ? "step type '\(key.dropFirst(stepTypePrefix.count))'" : key
    }
}
