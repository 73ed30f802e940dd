import Foundation
import Migration
import Specs

/// The fixture folders (`Tests/Fixtures/migration`, laid out as the original innominatus) and readers of the
/// migrated files.
enum MigrationFixtures {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/migration")

    static func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    static func migrate(_ name: String) throws -> MigrationResult {
        Migrator().migrate(try MigrationFiles.read(path(name)))
    }

    /// A YAML file's root node, parsed with the project's reader.
    static func yaml(_ text: String, file: String = "test.yaml") -> YAMLNode? {
        YAMLReader().read(Array(text.utf8), file: file).documents.first
    }

    static func source(_ name: String, _ file: String) throws -> YAMLNode {
        let text = try String(contentsOfFile: path(name) + "/" + file, encoding: .utf8)
        return yaml(text, file: file)!
    }

    static func migrated(_ result: MigrationResult, _ file: String) -> YAMLNode? {
        result.file(file)?.text.flatMap { yaml($0, file: file) }
    }
}

extension YAMLNode {
    /// The node at a path of keys and list indexes ("spec", "steps", 0, "name").
    subscript(path keys: Any...) -> YAMLNode? {
        var node: YAMLNode? = self
        for key in keys {
            if let index = key as? Int { node = node?.items.flatMap { index < $0.count ? $0[index] : nil } } else { node = node?[key as! String] }
        }
        return node
    }
}
