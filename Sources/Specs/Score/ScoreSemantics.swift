/// The checks after the schema: placeholders are well formed and name declared metadata and
/// resources, and `before` names existing containers with no self reference and no cycle.
///
/// They run on the YAML tree (for positions) of a document that already passed the schema, so every
/// shape here is known to be valid.
struct ScoreSemantics {
    var checker: SpecChecker
    let root: YAMLNode
    let workload: ScoreWorkload

    mutating func check() {
        guard let containers = root["containers"]?.entries else { return }
        for container in containers {
            let path = FieldPath.root / "containers" / container.key
            let node = container.value
            if let variables = node["variables"]?.entries {
                for entry in variables { checkPlaceholders(in: entry.value, at: path / "variables" / entry.key) }
            }
            for field in ["command", "args"] {
                for (index, item) in (node[field]?.items ?? []).enumerated() {
                    checkPlaceholders(in: item, at: (path / field).appending(index: index))
                }
            }
            for (target, file, filePath) in targets(node["files"], at: path / "files") {
                _ = target
                if file["noExpand"]?.value != .bool(true), let content = file["content"] {
                    checkPlaceholders(in: content, at: filePath / "content")
                }
            }
            for (_, volume, volumePath) in targets(node["volumes"], at: path / "volumes") {
                if let source = volume["source"] { checkPlaceholders(in: source, at: volumePath / "source") }
            }
        }
        for resource in root["resources"]?.entries ?? [] {
            if let params = resource.value["params"] {
                checkTree(params, at: FieldPath.root / "resources" / resource.key / "params")
            }
        }
        checkBefore(containers)
    }

    /// Entries of a files/volumes map, or of its deprecated list form.
    private func targets(_ node: YAMLNode?, at path: FieldPath) -> [(String, YAMLNode, FieldPath)] {
        guard let node else { return [] }
        if let entries = node.entries { return entries.map { ($0.key, $0.value, path / $0.key) } }
        return (node.items ?? []).enumerated().map { ($1["target"]?.string ?? "", $1, path.appending(index: $0)) }
    }

    private mutating func checkTree(_ node: YAMLNode, at path: FieldPath) {
        switch node.value {
        case .string: checkPlaceholders(in: node, at: path)
        case .sequence(let items):
            for (index, item) in items.enumerated() { checkTree(item, at: path.appending(index: index)) }
        case .mapping(let entries):
            for entry in entries { checkTree(entry.value, at: path / entry.key) }
        default: break
        }
    }

    private mutating func checkPlaceholders(in node: YAMLNode, at path: FieldPath) {
        guard let text = node.string else { return }
        let scan = Placeholder.scan(text)
        for problem in scan.problems { checker.error(node.location, path, problem) }
        for placeholder in scan.placeholders {
            if let problem = problem(with: placeholder) { checker.error(node.location, path, problem) }
        }
    }

    private func problem(with placeholder: Placeholder) -> String? {
        let parts = placeholder.parts
        switch parts[0] {
        case "metadata":
            guard parts.count >= 2 else {
                return "'${metadata}' needs a key, e.g. ${metadata.name}"
            }
            var node = root["metadata"]
            for part in parts.dropFirst() { node = node?[part] }
            guard node != nil else {
                return "'${\(placeholder.reference)}' refers to metadata that is not set; add it under metadata or fix the name"
            }
            return nil
        case "resources":
            guard parts.count >= 2 else {
                return "'${resources}' needs a resource name, e.g. ${resources.db.host}"
            }
            guard workload.resources[parts[1]] != nil else {
                let hint = Suggestion.closest(to: parts[1], among: Array(workload.resources.keys)).map { " Did you mean '\($0)'?" } ?? ""
                return "'${\(placeholder.reference)}' refers to the resource '\(parts[1])', which is not declared under "
                    + "resources; declare it or fix the name.\(hint)"
            }
            return nil
        default:
            return "'${\(placeholder.reference)}' is not a Score placeholder: use ${metadata.KEY} or "
                + "${resources.NAME.OUTPUT}, or write '$$' for a literal '$'"
        }
    }

    private mutating func checkBefore(_ containers: [YAMLEntry]) {
        var graph: [String: [String]] = [:]
        for container in containers {
            for entry in container.value["before"]?.entries ?? [] {
                let path = FieldPath.root / "containers" / container.key / "before" / entry.key
                if entry.key == container.key {
                    checker.error(entry.keyLocation, path, "a container cannot be started before itself; remove this entry")
                } else if workload.containers[entry.key] == nil {
                    let hint = Suggestion.closest(to: entry.key, among: Array(workload.containers.keys))
                        .map { " Did you mean '\($0)'?" } ?? ""
                    checker.error(entry.keyLocation, path,
                                  "'\(entry.key)' is not a container of this workload.\(hint)")
                } else {
                    graph[container.key, default: []].append(entry.key)
                }
            }
        }
        if let cycle = Cycle.find(in: graph) {
            let first = containers.first { $0.key == cycle[0] }
            checker.error(first?.keyLocation ?? root.location, FieldPath.root / "containers" / cycle[0] / "before",
                          "the 'before' ordering has a cycle: \(cycle.joined(separator: " → ")); break it")
        }
    }
}
