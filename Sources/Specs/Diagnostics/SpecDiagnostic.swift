/// One problem found in a spec file: where it is and what the user should do about it.
///
/// Diagnostics are values, not thrown errors, so a validator reports every problem of a file at once
/// and the reconciler can put them, with file:line:column, into an app's status.
public struct SpecDiagnostic: Sendable, Hashable, Error, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable, Codable {
        case error
        case warning
    }

    public var severity: Severity
    /// The file's path as given (relative to the repository root when it came from git).
    public var file: String
    public var line: Int
    public var column: Int
    /// The field path, e.g. `containers.web.resources.limits.memory`; empty for the whole file.
    public var field: String
    /// A sentence saying what is wrong and what to do.
    public var message: String

    public init(
        _ severity: Severity = .error, file: String, at location: SourceLocation, field: String, message: String
    ) {
        self.severity = severity
        self.file = file
        self.line = location.line
        self.column = location.column
        self.field = field
        self.message = message
    }

    public var location: SourceLocation { SourceLocation(line: line, column: column) }

    public var description: String {
        let prefix = "\(file):\(line):\(column): \(severity.rawValue):"
        return field.isEmpty ? "\(prefix) \(message)" : "\(prefix) \(field): \(message)"
    }
}
