import Foundation
import Planner
import Specs

/// The lines of the parse cache's entries (docs/ARCHITECTURE.md §19). Score facts and diagnostics are
/// tab-separated fields (decoding them costs a few microseconds); workflow and admin-config models are JSON
/// of their synthesized `Codable`, in one field. A line that does not decode is a miss, never an error.
enum ParseCacheCodec {
    typealias Line = AppliedStateCodec.Line

    // MARK: Score facts

    static func scoreKey(blob: String, path: String) -> String { ParseCache.entryKey("score", blob, path) }

    /// `score <blob> <path> <app> <product or -> <suspended 0|1> <product line or -> <product column or ->
    /// <error count> (<diagnostic>)… (<resource> <type> <class or -> <id or ->)…`
    static func scoreLine(blob: String, path: String, app: String, facts: DesiredStateLoader.ScoreFacts) -> [UInt8] {
        var fields = ["score", blob, path, app, facts.product ?? "-", facts.suspended ? "1" : "0",
                      facts.productLocation.map { String($0.line) } ?? "-", facts.productLocation.map { String($0.column) } ?? "-",
                      String(facts.errors.count)]
        for error in facts.errors { fields += diagnosticFields(error) }
        for resource in facts.resources { fields += [resource.name, resource.type, resource.class ?? "-", resource.id ?? "-"] }
        return joined(fields)
    }

    /// The facts of a Score line, when it is whole and made for `app` (the same path may belong to another
    /// app under another `appsRoot`).
    static func scoreFacts(_ bytes: ArraySlice<UInt8>, app: String) -> DesiredStateLoader.ScoreFacts? {
        var line = Line(bytes: Array(bytes))
        guard line.next(), line.count >= 9, line.is(0, "score"), line.string(3) == app, let errorCount = line.integer(8) else { return nil }
        var facts = DesiredStateLoader.ScoreFacts(product: line.is(4, "-") ? nil : line.string(4), suspended: line.is(5, "1"), errors: [])
        if !line.is(6, "-") {
            guard let row = line.integer(6), let column = line.integer(7) else { return nil }
            facts.productLocation = SourceLocation(line: row, column: column)
        }
        var field = 9
        guard let errors = diagnostics(line, count: errorCount, from: &field), (line.count - field) % 4 == 0 else { return nil }
        facts.errors = errors
        while field < line.count {
            facts.resources.append(ResourceRef(name: line.string(field), type: line.string(field + 1),
                                               class: line.is(field + 2, "-") ? nil : line.string(field + 2),
                                               id: line.is(field + 3, "-") ? nil : line.string(field + 3)))
            field += 4
        }
        return facts
    }

    // MARK: workflows

    static func workflowKey(blob: String) -> String { ParseCache.entryKey("workflow", blob) }
    static func invalidKey(blob: String, path: String) -> String { ParseCache.entryKey("invalid", blob, path) }

    /// `workflow <blob> <JSON>`: the model does not depend on the path, only its identity problems do.
    static func workflowLine(blob: String, parsed: DesiredStateLoader.ParsedWorkflow) -> [UInt8]? {
        guard let json = try? JSONEncoder().encode(parsed) else { return nil }
        return joined(["workflow", blob, String(decoding: json, as: UTF8.self)])
    }

    static func parsedWorkflow(_ bytes: ArraySlice<UInt8>) -> DesiredStateLoader.ParsedWorkflow? {
        json(bytes, kind: "workflow", field: 2)
    }

    /// What a workflow that is not valid at its path was found to be: its diagnostics and, when it was
    /// read, the claims its identity problems are judged from at the place it lies.
    struct InvalidWorkflow: Sendable, Hashable {
        var errors: [SpecDiagnostic]
        var claims: RepoIdentity.Claims?
    }

    /// `invalid <blob> <path> <claims: 0, or 1 and (<text or -> <line> <column>) for name, kind and product>
    /// <error count> (<diagnostic>)…`
    static func invalidLine(blob: String, path: String, _ invalid: InvalidWorkflow) -> [UInt8] {
        var fields = ["invalid", blob, path]
        if let claims = invalid.claims {
            fields.append("1")
            for claim in [claims.name, claims.kind, claims.product] {
                fields += [claim?.text ?? "-", claim.map { String($0.location.line) } ?? "-", claim.map { String($0.location.column) } ?? "-"]
            }
        } else {
            fields.append("0")
        }
        fields.append(String(invalid.errors.count))
        for error in invalid.errors { fields += diagnosticFields(error) }
        return joined(fields)
    }

    static func invalidWorkflow(_ bytes: ArraySlice<UInt8>) -> InvalidWorkflow? {
        var line = Line(bytes: Array(bytes))
        guard line.next(), line.count >= 5, line.is(0, "invalid") else { return nil }
        var field = 4
        var claims: RepoIdentity.Claims?
        if line.is(3, "1") {
            guard line.count >= 13 else { return nil }
            var found: [RepoIdentity.Claim?] = []
            for start in [4, 7, 10] {
                if line.is(start + 1, "-") { found.append(nil); continue }
                guard let row = line.integer(start + 1), let column = line.integer(start + 2) else { return nil }
                found.append(RepoIdentity.Claim(text: line.string(start), location: SourceLocation(line: row, column: column)))
            }
            claims = RepoIdentity.Claims(root: nil)
            claims?.name = found[0]
            claims?.kind = found[1]
            claims?.product = found[2]
            field = 13
        } else if !line.is(3, "0") {
            return nil
        }
        guard let count = line.integer(field) else { return nil }
        field += 1
        guard let errors = diagnostics(line, count: count, from: &field), field == line.count else { return nil }
        return InvalidWorkflow(errors: errors, claims: claims)
    }

    // MARK: admin config

    static func configKey(blob: String, path: String) -> String { ParseCache.entryKey("config", blob, path) }

    /// `config <blob> <path> 1 <JSON>` for a valid admin config, `config <blob> <path> 0 <error count>
    /// (<diagnostic>)…` for one that is not.
    static func configLine(blob: String, path: String, _ outcome: Result<AdminConfig, ConfigErrors>) -> [UInt8]? {
        switch outcome {
        case .success(let config):
            guard let json = try? JSONEncoder().encode(config) else { return nil }
            return joined(["config", blob, path, "1", String(decoding: json, as: UTF8.self)])
        case .failure(let errors):
            return joined(["config", blob, path, "0", String(errors.list.count)] + errors.list.flatMap(diagnosticFields))
        }
    }

    /// An invalid admin config's diagnostics.
    struct ConfigErrors: Error, Sendable {
        var list: [SpecDiagnostic]
    }

    static func config(_ bytes: ArraySlice<UInt8>) -> Result<AdminConfig, ConfigErrors>? {
        var line = Line(bytes: Array(bytes))
        guard line.next(), line.count >= 5, line.is(0, "config") else { return nil }
        if line.is(3, "1") { return json(bytes, kind: "config", field: 4).map { .success($0) } }
        guard line.is(3, "0"), let count = line.integer(4) else { return nil }
        var field = 5
        guard let errors = diagnostics(line, count: count, from: &field), field == line.count, !errors.isEmpty else { return nil }
        return .failure(ConfigErrors(list: errors))
    }

    // MARK: fields

    /// `<severity> <file> <line> <column> <field> <message>`
    static func diagnosticFields(_ error: SpecDiagnostic) -> [String] {
        [error.severity.rawValue, error.file, String(error.line), String(error.column), error.field, error.message]
    }

    static func diagnostics(_ line: Line, count: Int, from field: inout Int) -> [SpecDiagnostic]? {
        guard count >= 0, line.count >= field + count * 6 else { return nil }
        var errors: [SpecDiagnostic] = []
        errors.reserveCapacity(count)
        for _ in 0..<count {
            guard let severity = SpecDiagnostic.Severity(rawValue: line.string(field)), let row = line.integer(field + 2),
                  let column = line.integer(field + 3) else { return nil }
            errors.append(SpecDiagnostic(severity, file: line.string(field + 1), at: SourceLocation(line: row, column: column),
                                         field: line.string(field + 4), message: line.string(field + 5)))
            field += 6
        }
        return errors
    }

    /// A JSON field, the last of its line.
    static func json<Value: Decodable>(_ bytes: ArraySlice<UInt8>, kind: StaticString, field: Int) -> Value? {
        var line = Line(bytes: Array(bytes))
        guard line.next(), line.count == field + 1, line.is(0, kind) else { return nil }
        let text = line.string(field)
        return try? JSONDecoder().decode(Value.self, from: Data(text.utf8))
    }

    static func joined(_ fields: [String]) -> [UInt8] {
        var out: [UInt8] = []
        for (index, field) in fields.enumerated() {
            if index > 0 { out.append(0x09) }
            out.append(contentsOf: AppliedStateCodec.escape(field).utf8)
        }
        return out
    }
}
