import Foundation
@testable import Specs

/// Shortcuts shared by the Specs tests: validate YAML text, read fixtures.
enum SpecTesting {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/specs")

    static func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: fixtures.appendingPathComponent(name)))
    }

    static func validate(_ yaml: String, path: String = "test.yaml", as kind: SpecKind? = nil) -> SpecFileReport {
        SpecValidator().validate(Array(yaml.utf8), path: path, as: kind)
    }

    /// A minimal valid Score file with `extra` appended under the top level.
    static func score(_ body: String) -> String {
        "apiVersion: score.dev/v1b1\nmetadata:\n  name: web-app\n" + body
    }

    static let validContainers = "containers:\n  web:\n    image: nginx\n"
}

extension SpecFileReport {
    /// "field: message" lines, for readable expectation failures.
    var summary: String { diagnostics.map(\.description).joined(separator: "\n") }

    func hasError(field: String, containing text: String = "") -> Bool {
        errors.contains { $0.field == field && (text.isEmpty || $0.message.contains(text)) }
    }
}
