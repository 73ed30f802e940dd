import Foundation
import Specs

/// Reads provisioner definitions from YAML: a file holds a list of definitions (score-compose's
/// layout), each with `uri`, `type`, optional `class` and `id`, and either templates (`template://…`) or a
/// command (`cmd://PROGRAM` with `args`).
///
/// A `template://` entry is in one of two formats, told apart by `isGoTemplate`: score-k8s's, whose
/// blocks are Go template strings (`GoTemplate`), or innominatus' own, whose `state` and `outputs` are
/// maps and `manifests` a list, with `Template`'s `{{ expression }}`s in their strings.
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

    /// The `*.yaml`/`*.yml` files directly in `directory`, in name order, with their bytes (nil when unreadable).
    public func files(in directory: String) -> [(name: String, bytes: [UInt8]?)] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
            .compactMap { name in
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: directory + "/" + name, isDirectory: &isDirectory), !isDirectory.boolValue
                else { return nil }
                return (name, FileManager.default.contents(atPath: directory + "/" + name).map(Array.init))
            }
    }

    /// The definitions in one file's bytes; `folder` anchors `cmd://./script` programs. Throws the file's
    /// first problem.
    public func load(_ bytes: [UInt8], file: String, folder: String?) throws(ProvisioningError) -> [ProvisionerDefinition] {
        let parsed = parse(bytes, file: file, folder: folder)
        if let problem = parsed.problems.first {
            // The YAML reader's diagnostics read in full; a provisioner's own problem as `file:line:column: what`.
            throw ProvisioningError(parsed.unreadable ? problem.description : "\(problem.file):\(problem.location): \(problem.message)")
        }
        return parsed.definitions
    }

    /// Every problem of one provisioners file, as `innominatus validate DIR` reports it: a report of kind
    /// `provisioners` whose errors carry file:line:column. Unlike `load`, it goes on past a bad provisioner.
    public func check(_ bytes: [UInt8], file: String, folder: String?) -> SpecFileReport {
        SpecFileReport(path: file, kind: .provisioners, diagnostics: parse(bytes, file: file, folder: folder).problems)
    }

    /// The provisioners files of the platform repository at `root` (`provisioners/*.yaml` and `*.yml`, the
    /// files `render` and the reconciler read), each checked. Paths are shown as `root` joined with the
    /// file's path in the repository, as `PlatformRepoValidator.validate(directory:)` shows its files.
    /// With `policy`, a file it does not approve, and each `cmd://` provisioner it would refuse, also get a
    /// warning (the file is not wrong: it is not used, or the apps it serves fail).
    public func check(repository root: String, policy: ProvisionerPolicy? = nil) -> [SpecFileReport] {
        let folder = (root as NSString).appendingPathComponent("provisioners")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        let display = root.hasSuffix("/") ? root : root + "/"
        return names.compactMap { name in
            let shown = (display == "./" ? "" : display) + "provisioners/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder + "/" + name, isDirectory: &isDirectory), !isDirectory.boolValue else {
                return nil
            }
            guard let data = FileManager.default.contents(atPath: folder + "/" + name) else {
                return SpecFileReport(path: shown, kind: .provisioners, diagnostics: [
                    SpecDiagnostic(file: shown, at: .start, field: "", message: "cannot be read; check its permissions"),
                ])
            }
            var report = check(Array(data), file: shown, folder: folder)
            guard let policy else { return report }
            if let refusal = policy.refusal(ofFile: "provisioners/" + name, blobID: GitBlobID.of(Array(data))) {
                report.diagnostics.append(SpecDiagnostic(.warning, file: shown, at: .start, field: "", message: refusal))
            } else {
                for definition in parse(Array(data), file: shown, folder: folder).definitions {
                    guard let refusal = policy.refusal(of: definition) else { continue }
                    report.diagnostics.append(SpecDiagnostic(.warning, file: shown, at: definition.location, field: "", message: refusal))
                }
            }
            return report
        }
    }

    /// The file is a provisioners file: a YAML file directly in a `provisioners/` folder (whose parent is
    /// thereby a `RepositoryRoot`), which `innominatus validate FILE` checks as one.
    public static func isProvisionersFile(_ path: String) -> Bool {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        return (url.pathExtension == "yaml" || url.pathExtension == "yml")
            && url.deletingLastPathComponent().lastPathComponent == "provisioners"
    }

    /// - Returns: `unreadable` when the problems are the YAML reader's (the file is not YAML, or breaks its limits).
    private func parse(_ bytes: [UInt8], file: String, folder: String?)
        -> (definitions: [ProvisionerDefinition], problems: [SpecDiagnostic], unreadable: Bool) {
        let read = YAMLReader().read(bytes, file: file)
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let errors = read.diagnostics.filter { $0.severity == .error }
        if !errors.isEmpty { return ([], errors, true) }
        var definitions: [ProvisionerDefinition] = []
        var problems: [SpecDiagnostic] = []
        var index = 0
        for document in read.documents {
            guard let items = document.items else {
                if document.value == .null { continue }
                problems.append(problem(file, document, .root, "a provisioners file holds a list of provisioners ('- uri: …')"))
                continue
            }
            for item in items {
                do throws(SpecDiagnostic) {
                    definitions.append(try definition(item, file: file, folder: folder, lines: lines,
                                                      at: FieldPath.root.appending(index: index)))
                } catch {
                    problems.append(error)
                }
                index += 1
            }
        }
        return (definitions, problems, false)
    }

    /// The blocks of a template provisioner in score-k8s's format, in the order they are rendered.
    static let goTemplateBlocks = ["init", "state", "shared", "outputs", "manifests"]

    /// The rule that tells the two template formats apart: an entry is in score-k8s's format when it has a
    /// field only that format has (`init`, `shared`, `expected_outputs`, `supported_params`), or when its
    /// `state`, `outputs` or `manifests` is a string (`outputs: |`) other than one innominatus expression
    /// (`outputs: "{{ params }}"`); otherwise it is innominatus' own.
    static func isGoTemplate(_ node: YAMLNode) -> Bool {
        ["init", "shared", "expected_outputs", "supported_params"].contains { node[$0] != nil }
            || ["state", "outputs", "manifests"].contains { node[$0]?.string.map { !isInnominatusExpression($0) } ?? false }
    }

    /// `{{ a.b ?? 'x' }}` alone: a path that starts with a letter, quoted literals, alternatives. A Go
    /// template has no such action (a bare name there calls a function, and a field starts with a dot).
    static func isInnominatusExpression(_ text: String) -> Bool {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("{{"), trimmed.hasSuffix("}}"), trimmed.components(separatedBy: "{{").count == 2 else { return false }
        let inner = trimmed.dropFirst(2).dropLast(2)
        return inner.components(separatedBy: "??").allSatisfy { part in
            let alternative = part.trimmingCharacters(in: .whitespaces)
            if alternative.count >= 2, let quote = alternative.first, quote == "'" || quote == "\"", alternative.last == quote { return true }
            guard let first = alternative.first, first.isLetter else { return false }
            return alternative.allSatisfy { $0.isLetter || $0.isNumber || "._-[]".contains($0) }
        }
    }

    private func definition(_ node: YAMLNode, file: String, folder: String?, lines: [Substring],
                            at path: FieldPath) throws(SpecDiagnostic) -> ProvisionerDefinition {
        guard let entries = node.entries else { throw problem(file, node, path, "each provisioner is a map with 'uri' and 'type'") }
        let known: Set<String> = ["uri", "type", "class", "id", "description", "state", "outputs", "manifests", "secrets", "args",
                                  "init", "shared", "expected_outputs", "supported_params"]
        if let unknown = entries.first(where: { !known.contains($0.key) }) {
            throw SpecDiagnostic(file: file, at: unknown.keyLocation, field: (path / unknown.key).description,
                                 message: "unknown field '\(unknown.key)' in a provisioner; use \(known.sorted().joined(separator: ", "))")
        }
        guard let uri = node["uri"]?.string, !uri.isEmpty else {
            throw problem(file, node["uri"] ?? node, path / "uri", "a provisioner needs 'uri' (template://NAME or cmd://PROGRAM)")
        }
        guard let type = node["type"]?.string, !type.isEmpty else {
            throw problem(file, node["type"] ?? node, path / "type", "the provisioner \(uri) needs 'type', the resource type it serves")
        }
        let origin = "\(file):\(node.location)"
        func strings(_ name: String) throws(SpecDiagnostic) -> [String] {
            guard let field = node[name], field.value != .null else { return [] }
            guard let items = field.items, items.allSatisfy({ $0.string != nil }) else {
                throw problem(file, field, path / name, "'\(name)' is a list of names")
            }
            return items.compactMap(\.string)
        }
        let kind: ProvisionerDefinition.Kind
        let uriNode = node["uri"] ?? node
        if uri.hasPrefix("template://"), Self.isGoTemplate(node) {
            var blocks: [String: GoTemplate] = [:]
            for name in Self.goTemplateBlocks {
                guard let block = node[name], block.value != .null else { continue }
                guard let text = block.string else {
                    throw problem(file, block, path / name, "in score-k8s's format (this provisioner has init, shared, "
                                  + "expected_outputs, supported_params or a template string) '\(name)' is a Go template string "
                                  + "('\(name): |' and the template on the lines below), not \(block.typeDescription)")
                }
                blocks[name] = try GoTemplate(field: name, source: text, file: file,
                                              anchor: .of(block.location, lines: lines), path: (path / name).description)
            }
            kind = .goTemplate(.init(initial: blocks["init"], state: blocks["state"], shared: blocks["shared"], outputs: blocks["outputs"],
                                     manifests: blocks["manifests"], expectedOutputs: try strings("expected_outputs"),
                                     supportedParams: try strings("supported_params"), secrets: try strings("secrets")))
        } else if uri.hasPrefix("template://") {
            let secrets = node["secrets"]?.items?.compactMap(\.string) ?? []
            kind = .template(.init(state: node["state"].map(ManifestValue.init) ?? .map([]),
                                   outputs: node["outputs"].map(ManifestValue.init) ?? .map([]),
                                   manifests: node["manifests"].map(ManifestValue.init) ?? .list([]), secrets: secrets))
        } else if uri.hasPrefix("cmd://") {
            var program = String(uri.dropFirst("cmd://".count))
            guard !program.isEmpty else { throw problem(file, uriNode, path / "uri", "'\(uri)' names no program; write cmd://./script.sh or cmd://python3") }
            if program.hasPrefix("./") || program.hasPrefix("../") {
                guard let folder else { throw problem(file, uriNode, path / "uri", "'\(uri)' is relative, but this file has no folder") }
                guard !program.split(separator: "/").contains("..") else {
                    throw problem(file, uriNode, path / "uri", "'\(uri)' leaves the provisioners folder; keep scripts inside the repository")
                }
                program = URL(fileURLWithPath: folder).appendingPathComponent(String(program.dropFirst(2))).standardizedFileURL.path
            }
            let arguments = node["args"]?.items?.compactMap(\.string) ?? []
            kind = .command(.init(program: program, arguments: arguments))
        } else {
            throw problem(file, uriNode, path / "uri", "the provisioner uri '\(uri)' must start with template:// or cmd://")
        }
        var definition = ProvisionerDefinition(uri: uri, type: type, class: node["class"]?.string, id: node["id"]?.string,
                                               description: node["description"]?.string, kind: kind, origin: origin)
        definition.repositoryFiles = [file]
        definition.location = node.location
        if uri.hasPrefix("cmd://./") {
            let folder = (file as NSString).deletingLastPathComponent
            definition.repositoryFiles.append((folder.isEmpty ? "" : folder + "/") + String(uri.dropFirst("cmd://./".count)))
        }
        return definition
    }

    private func problem(_ file: String, _ node: YAMLNode, _ path: FieldPath, _ message: String) -> SpecDiagnostic {
        SpecDiagnostic(file: file, at: node.location, field: path.description, message: message)
    }
}
