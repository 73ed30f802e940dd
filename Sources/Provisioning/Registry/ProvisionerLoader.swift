import Foundation
import Specs

/// Reads provisioner definitions from YAML: a file holds a list of definitions (score-compose's
/// format), each with `uri`, `type`, optional `class` and `id`, and either templates (`template://…`)
/// or a command (`cmd://PROGRAM` with `args`).
public struct ProvisionerLoader: Sendable {
    public init() {}

    /// The definitions of every `*.yaml`/`*.yml` file in `directory`, in file-name order.
    public func load(directory: String, displayPrefix: String = "provisioners/") throws(ProvisioningError) -> [ProvisionerDefinition] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        var definitions: [ProvisionerDefinition] = []
        for name in names {
            let path = directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ProvisioningError("\(displayPrefix)\(name): cannot be read; check its permissions")
            }
            definitions += try load(Array(data), file: displayPrefix + name, folder: directory)
        }
        return definitions
    }

    /// The definitions in one file's bytes; `folder` anchors `cmd://./script` programs.
    public func load(_ bytes: [UInt8], file: String, folder: String?) throws(ProvisioningError) -> [ProvisionerDefinition] {
        let read = YAMLReader().read(bytes, file: file)
        if let problem = read.diagnostics.first(where: { $0.severity == .error }) { throw ProvisioningError(problem.description) }
        var definitions: [ProvisionerDefinition] = []
        for document in read.documents {
            guard let items = document.items else {
                if document.value == .null { continue }
                throw error(file, document, "a provisioners file holds a list of provisioners ('- uri: …')")
            }
            for item in items { definitions.append(try definition(item, file: file, folder: folder)) }
        }
        return definitions
    }

    private func definition(_ node: YAMLNode, file: String, folder: String?) throws(ProvisioningError) -> ProvisionerDefinition {
        guard let entries = node.entries else { throw error(file, node, "each provisioner is a map with 'uri' and 'type'") }
        let known: Set<String> = ["uri", "type", "class", "id", "description", "state", "outputs", "manifests", "secrets", "args"]
        if let unknown = entries.first(where: { !known.contains($0.key) }) {
            throw ProvisioningError("\(file):\(unknown.keyLocation): unknown field '\(unknown.key)' in a provisioner; "
                                    + "use \(known.sorted().joined(separator: ", "))")
        }
        guard let uri = node["uri"]?.string, !uri.isEmpty else { throw error(file, node, "a provisioner needs 'uri' (template://NAME or cmd://PROGRAM)") }
        guard let type = node["type"]?.string, !type.isEmpty else { throw error(file, node, "the provisioner \(uri) needs 'type', the resource type it serves") }
        let origin = "\(file):\(node.location)"
        let kind: ProvisionerDefinition.Kind
        if uri.hasPrefix("template://") {
            let secrets = node["secrets"]?.items?.compactMap(\.string) ?? []
            kind = .template(.init(state: node["state"].map(ManifestValue.init) ?? .map([]),
                                   outputs: node["outputs"].map(ManifestValue.init) ?? .map([]),
                                   manifests: node["manifests"].map(ManifestValue.init) ?? .list([]), secrets: secrets))
        } else if uri.hasPrefix("cmd://") {
            var program = String(uri.dropFirst("cmd://".count))
            guard !program.isEmpty else { throw error(file, node, "'\(uri)' names no program; write cmd://./script.sh or cmd://python3") }
            if program.hasPrefix("./") || program.hasPrefix("../") {
                guard let folder else { throw error(file, node, "'\(uri)' is relative, but this file has no folder") }
                guard !program.split(separator: "/").contains("..") else {
                    throw error(file, node, "'\(uri)' leaves the provisioners folder; keep scripts inside the repository")
                }
                program = URL(fileURLWithPath: folder).appendingPathComponent(String(program.dropFirst(2))).standardizedFileURL.path
            }
            let arguments = node["args"]?.items?.compactMap(\.string) ?? []
            kind = .command(.init(program: program, arguments: arguments))
        } else {
            throw error(file, node, "the provisioner uri '\(uri)' must start with template:// or cmd://")
        }
        var definition = ProvisionerDefinition(uri: uri, type: type, class: node["class"]?.string, id: node["id"]?.string,
                                               description: node["description"]?.string, kind: kind, origin: origin)
        definition.repositoryFiles = [file]
        if uri.hasPrefix("cmd://./") {
            let folder = (file as NSString).deletingLastPathComponent
            definition.repositoryFiles.append((folder.isEmpty ? "" : folder + "/") + String(uri.dropFirst("cmd://./".count)))
        }
        return definition
    }

    private func error(_ file: String, _ node: YAMLNode, _ message: String) -> ProvisioningError {
        ProvisioningError("\(file):\(node.location): \(message)")
    }
}
