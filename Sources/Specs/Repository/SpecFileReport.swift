/// The verdict on one spec file: its kind, every problem found, and the model when it is valid.
public struct SpecFileReport: Sendable {
    /// The path as given: relative to the repository root for git blobs, as typed for CLI arguments.
    public var path: String
    public var kind: SpecKind
    /// Errors and warnings in file order.
    public var diagnostics: [SpecDiagnostic]
    /// The model; nil when the file has errors.
    public var document: SpecDocument?
    /// The composed YAML, kept so cross-file checks can point at positions in the file.
    public var root: YAMLNode?

    public init(path: String, kind: SpecKind, diagnostics: [SpecDiagnostic], document: SpecDocument? = nil, root: YAMLNode? = nil) {
        self.path = path
        self.kind = kind
        self.diagnostics = diagnostics
        self.document = diagnostics.contains { $0.severity == .error } ? nil : document
        self.root = root
    }

    public var errors: [SpecDiagnostic] { diagnostics.filter { $0.severity == .error } }
    public var warnings: [SpecDiagnostic] { diagnostics.filter { $0.severity == .warning } }
    public var isValid: Bool { !diagnostics.contains { $0.severity == .error } }

    public var score: ScoreWorkload? {
        if case .score(let workload) = document { return workload }
        return nil
    }

    public var workflow: Workflow? {
        if case .workflow(let workflow) = document { return workflow }
        return nil
    }

    public var adminConfig: AdminConfig? {
        if case .adminConfig(let config) = document { return config }
        return nil
    }

    mutating func add(_ diagnostic: SpecDiagnostic) {
        diagnostics.append(diagnostic)
        if diagnostic.severity == .error { document = nil }
    }

    /// Adds an error at the position of `field` (a dotted path into the document), or at the file start.
    mutating func addError(at path: FieldPath, node: YAMLNode?, _ message: String) {
        add(SpecDiagnostic(.error, file: self.path, at: node?.location ?? .start, field: path.description, message: message))
    }

    mutating func addWarning(at path: FieldPath, node: YAMLNode?, _ message: String) {
        add(SpecDiagnostic(.warning, file: self.path, at: node?.location ?? .start, field: path.description, message: message))
    }

    mutating func sortDiagnostics() {
        diagnostics.sort { ($0.line, $0.column) < ($1.line, $1.column) }
    }
}
