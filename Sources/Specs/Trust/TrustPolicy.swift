/// Who may sign a change to which paths of the platform repository: the trust file (`--trust FILE`),
/// which lives with the reconciler, outside the repository (docs/ARCHITECTURE.md §9, trust).
///
/// For each path a commit changes, the FIRST rule whose glob matches names the signers who may sign it;
/// a path no rule matches may be changed by nobody. Globs follow the workflow `inputs` rule
/// (`InputPattern`: `*` also crosses `/`, a plain path names a file or everything under a folder).
public struct TrustPolicy: Sendable, Hashable {
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        /// Signatures are not checked.
        case none
        /// The head commit's signer must be allowed for every path changed since the applied commit.
        case head
        /// Every commit since the applied commit must be signed by a signer allowed for what it changes; a
        /// seal ends the walk.
        case strict
    }

    /// Where a signer's public key comes from.
    public enum KeySource: Sendable, Hashable {
        /// An SSH public key line: `ssh-ed25519 AAAA… comment`.
        case ssh(String)
        /// An armored OpenPGP public key file, as written (relative paths are relative to the trust file).
        case openpgp(String)
    }

    /// One key of a signer, with where the trust file lists it (errors about the key point there).
    public struct Key: Sendable, Hashable {
        public var signer: String
        public var source: KeySource
        public var location: SourceLocation
        /// `signers.platform-team[1]`.
        public var field: String

        public init(signer: String, source: KeySource, location: SourceLocation, field: String) {
            self.signer = signer
            self.source = source
            self.location = location
            self.field = field
        }
    }

    /// One entry of `rules`.
    public struct Rule: Sendable, Hashable, CustomStringConvertible {
        /// Its position in `rules` (0-based, as `rules[0]` in messages).
        public var index: Int
        /// The globs as written.
        public var paths: [String]
        public var signers: [String]
        public var location: SourceLocation
        /// `paths` as patterns, made once: a first pass matches every path of the tree.
        let patterns: [InputPattern]

        public init(index: Int, paths: [String], signers: [String], location: SourceLocation) {
            self.index = index
            self.paths = paths
            self.signers = signers
            self.location = location
            patterns = paths.map(InputPattern.init)
        }

        /// Whether the rule's globs match `path` (a repository path, as git lists it).
        public func covers(_ path: String) -> Bool {
            patterns.contains { $0.covers(path) }
        }

        /// `rules[0] (policies/**, provisioners/**: platform-team)`: how notes and messages name the rule.
        public var description: String {
            "rules[\(index)] (\(paths.joined(separator: ", ")): \(signers.joined(separator: ", ")))"
        }
    }

    /// The trust file's path as given (in messages).
    public var file: String
    public var mode: Mode
    /// Signer names in file order.
    public var signers: [String]
    /// Every key of every signer, in file order.
    public var keys: [Key]
    public var rules: [Rule]

    public init(file: String, mode: Mode, signers: [String], keys: [Key], rules: [Rule]) {
        self.file = file
        self.mode = mode
        self.signers = signers
        self.keys = keys
        self.rules = rules
    }

    /// The first rule that matches `path`, or nil when none does (then nobody may change it).
    public func rule(for path: String) -> Rule? {
        rules.first { $0.covers(path) }
    }

    /// The trailer that makes a commit a seal: `Innominatus-Seal: <reason>`.
    public static let sealTrailer = "Innominatus-Seal"

    /// The reason of a seal commit's `Innominatus-Seal:` trailer, or nil when the message has none. Only
    /// the last paragraph of the message holds trailers (as `git interpret-trailers` reads them).
    public static func sealReason(inMessage message: String) -> String? {
        let paragraphs = message.split(separator: "\n\n", omittingEmptySubsequences: true)
        guard paragraphs.count >= 2, let last = paragraphs.last else { return nil }
        for line in last.split(separator: "\n") {
            let prefix = sealTrailer + ":"
            guard line.count > prefix.count, line.lowercased().hasPrefix(prefix.lowercased()) else { continue }
            let reason = line.dropFirst(prefix.count).drop { $0 == " " || $0 == "\t" }
            var end = reason.endIndex
            while end > reason.startIndex, reason[reason.index(before: end)] == " " || reason[reason.index(before: end)] == "\t" {
                end = reason.index(before: end)
            }
            if end > reason.startIndex { return String(reason[..<end]) }
        }
        return nil
    }

    /// Reads a trust file's bytes: the policy, or nil with the diagnostics (file:line:column) saying why.
    /// Key files are not opened here (Specs reads no files); the reconciler checks them.
    public static func decode(_ bytes: [UInt8], file: String) -> (policy: TrustPolicy?, diagnostics: [SpecDiagnostic]) {
        let read = YAMLReader().read(bytes, file: file)
        guard read.diagnostics.allSatisfy({ $0.severity != .error }) else { return (nil, read.diagnostics) }
        guard read.documents.count == 1, let root = read.documents.first else {
            let message = read.documents.isEmpty
                ? "the trust file is empty; write mode, signers and rules"
                : "the trust file holds \(read.documents.count) YAML documents; write exactly one"
            return (nil, read.diagnostics + [SpecDiagnostic(file: file, at: read.documents.dropFirst().first?.location ?? .start,
                                                            field: "", message: message)])
        }
        var decoder = TrustPolicyDecoder(file: file)
        let policy = decoder.decode(root)
        return (policy, read.diagnostics + decoder.checker.diagnostics)
    }
}
