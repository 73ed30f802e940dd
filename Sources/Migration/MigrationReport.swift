/// What `innominatus migrate` did to each file and what is left to do by hand: printed on stdout and
/// written as `MIGRATION.md` in the destination (docs/ARCHITECTURE.md §17).
public struct MigrationReport: Sendable {
    /// One change to a source file, with where in the source it was written (file:line:column).
    public struct Change: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable {
            /// Taken over as it was.
            case kept
            /// Rewritten into this project's equivalent.
            case converted
            /// Not carried over; the message says why.
            case dropped
            /// A problem of the original itself, reported and worked around.
            case inconsistency
            /// Something a person must do; also listed under the manual steps.
            case manual
        }

        public var kind: Kind
        /// `path:line:column` in the source folder, or just the path.
        public var location: String
        public var message: String

        public init(_ kind: Kind, at location: String, _ message: String) {
            self.kind = kind
            self.location = location
            self.message = message
        }
    }

    /// One source file: where it went (nil when it was not migrated) and every change made to it.
    public struct FileEntry: Sendable, Hashable {
        public var source: String
        public var destination: String?
        public var summary: String
        public var changes: [Change]

        public init(source: String, destination: String?, summary: String, changes: [Change] = []) {
            self.source = source
            self.destination = destination
            self.summary = summary
            self.changes = changes
        }
    }

    public var files: [FileEntry] = []
    /// Files written that have no source file (plugins, MIGRATION.md).
    public var generated: [(path: String, why: String)] = []
    /// Source files that were read and are not specs of the original (counted and listed, nothing done).
    public var ignored: [String] = []
    /// The destination's own validation, made in memory on the files written: `innominatus validate DST`.
    public var validationErrors: [String] = []
    public var validationWarnings: [String] = []

    public init() {}

    /// Every change of kind `manual`, in file order: what a person still has to do.
    public var manualSteps: [Change] { files.flatMap { $0.changes.filter { $0.kind == .manual } } }

    /// Every change of `kind`.
    public func changes(_ kind: Change.Kind) -> [Change] { files.flatMap { $0.changes.filter { $0.kind == kind } } }

    /// The report as Markdown: the same text on stdout and in `MIGRATION.md`.
    public var markdown: String {
        var out = "# Migration from the original innominatus\n\n"
        let migrated = files.filter { $0.destination != nil }.count
        out += "\(files.count) source files read as specs, \(migrated) migrated, \(files.count - migrated) not migrated; "
        out += "\(generated.count) files generated; \(ignored.count) other YAML files ignored.\n\n"
        if validationErrors.isEmpty {
            out += "The destination validates (`innominatus validate DST`: exit 0"
            out += validationWarnings.isEmpty ? ").\n\n" : ", \(validationWarnings.count) warnings).\n\n"
        } else {
            out += "The destination does NOT validate (\(validationErrors.count) errors, listed at the end).\n\n"
        }
        let manual = manualSteps
        out += "## Manual steps (\(manual.count))\n\n"
        if manual.isEmpty { out += "None.\n" }
        for (index, step) in manual.enumerated() { out += "\(index + 1). \(step.location): \(step.message)\n" }
        out += "\n## Files\n"
        for file in files {
            out += "\n### \(file.source)" + (file.destination.map { " → \($0)" } ?? " (not migrated)") + "\n\n"
            out += file.summary + "\n"
            if !file.changes.isEmpty { out += "\n" }
            for change in file.changes { out += "- \(change.kind.rawValue): \(change.location): \(change.message)\n" }
        }
        if !generated.isEmpty {
            out += "\n## Generated files\n\n"
            for file in generated { out += "- \(file.path): \(file.why)\n" }
        }
        if !ignored.isEmpty {
            out += "\n## Ignored YAML files (not a Score file, workflow or admin config of the original)\n\n"
            for path in ignored { out += "- \(path)\n" }
        }
        if !validationErrors.isEmpty || !validationWarnings.isEmpty {
            out += "\n## Validation of the destination\n\n"
            for line in validationErrors { out += "- error: \(line)\n" }
            for line in validationWarnings { out += "- warning: \(line)\n" }
        }
        return out
    }
}
