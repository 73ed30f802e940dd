import Foundation

/// The two output formats of `innominatus validate`. Kept in Specs so the CLI holds no logic and the
/// JSON shape (a contract for editors and CI) is tested with the validator.
public enum ValidationRendering {
    /// `path:line:column: error: field: message` lines, then a one-line summary.
    public static func text(_ reports: [SpecFileReport]) -> String {
        var lines: [String] = []
        for report in reports {
            for diagnostic in report.diagnostics { lines.append(diagnostic.description) }
        }
        let errors = reports.reduce(0) { $0 + $1.errors.count }
        let warnings = reports.reduce(0) { $0 + $1.warnings.count }
        let invalid = reports.filter { !$0.isValid }.count
        lines.append(errors == 0
            ? "\(reports.count) file(s) valid, \(warnings) warning(s)"
            : "\(invalid) of \(reports.count) file(s) invalid: \(errors) error(s), \(warnings) warning(s)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `{"files": [{"path", "kind", "errors": [{"line","column","field","message"}], "warnings": [...]}]}`.
    public static func json(_ reports: [SpecFileReport]) -> String {
        struct Entry: Encodable {
            var line: Int
            var column: Int
            var field: String
            var message: String
        }
        struct File: Encodable {
            var path: String
            var kind: String
            var errors: [Entry]
            var warnings: [Entry]
        }
        struct Document: Encodable {
            var files: [File]
        }
        func entries(_ diagnostics: [SpecDiagnostic]) -> [Entry] {
            diagnostics.map { Entry(line: $0.line, column: $0.column, field: $0.field, message: $0.message) }
        }
        let document = Document(files: reports.map {
            File(path: $0.path, kind: $0.kind.rawValue, errors: entries($0.errors), warnings: entries($0.warnings))
        })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(document) else { return "{\"files\": []}" }
        return String(decoding: data, as: UTF8.self)
    }
}
