import Foundation
import HTTPTypes
import Logging
import Reconciler
@testable import Server
import Testing

/// `openapi.yaml` documents exactly the routes the server registers (method and path), so neither can
/// change without the other.
@Suite struct OpenAPITests {
    static var documentPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("openapi.yaml").path
    }

    /// `METHOD path` pairs of the document's `paths:` (two-space path keys, four-space method keys).
    static func documented() throws -> Set<String> {
        let text = try String(contentsOfFile: documentPath, encoding: .utf8)
        var result: Set<String> = []
        var inPaths = false
        var current: String?
        let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options"]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") { inPaths = line == "paths:"; continue }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                current = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), let current {
                let key = line.trimmingCharacters(in: .whitespaces).split(separator: ":").first.map(String.init) ?? ""
                if methods.contains(key) { result.insert("\(key.uppercased()) \(current)") }
            }
        }
        return result
    }

    @Test func everyRouteIsDocumentedAndNothingElse() throws {
        let settings = ReconcileSettings(repo: "/nonexistent", workdir: NSTemporaryDirectory() + "/openapi-test")
        let api = ServerAPI(configuration: ServerConfiguration(reconcile: settings), alarm: LoopAlarm(), health: LoopHealth(),
                            metrics: ServerMetrics(), logger: .init(label: "test"))
        let registered = Set(api.routes.map { "\($0.method.rawValue) \($0.path)" })
        let documented = try Self.documented()
        #expect(!documented.isEmpty)
        #expect(registered.subtracting(documented).sorted() == [], "routes missing from openapi.yaml")
        #expect(documented.subtracting(registered).sorted() == [], "openapi.yaml documents routes the server lacks")
    }

    @Test func documentIsOpenAPI31() throws {
        let text = try String(contentsOfFile: Self.documentPath, encoding: .utf8)
        #expect(text.hasPrefix("openapi: 3.1"))
    }
}
