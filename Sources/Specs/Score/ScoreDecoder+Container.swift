/// The container part of the Score schema: image, command, variables, files, volumes, resources,
/// probes and `before`, with the deprecated array forms of files and volumes upgraded to maps.
extension ScoreDecoder {
    static let containerFields = [
        "image", "command", "args", "variables", "files", "volumes", "before", "resources",
        "livenessProbe", "readinessProbe",
    ]

    mutating func decodeContainer(_ node: YAMLNode, at path: FieldPath) -> ScoreWorkload.Container? {
        guard let fields = checker.fields(node, at: path, known: Self.containerFields, required: ["image"]) else {
            return nil
        }
        let image = fields["image"].flatMap { checker.string($0, at: path / "image", minLength: 1) }
        if let image, let node = fields["image"], let problem = ImageReference.problem(image) {
            checker.error(node.location, path / "image", problem)
        }
        let command = fields["command"].flatMap { checker.stringList($0, at: path / "command") }
        let args = fields["args"].flatMap { checker.stringList($0, at: path / "args") }
        var variables: [String: String] = [:]
        if let node = fields["variables"], let entries = checker.mapping(node, at: path / "variables") {
            for entry in entries {
                if !ScorePatterns.isVariableName(entry.key) {
                    checker.error(entry.keyLocation, path / "variables" / entry.key,
                                  "a variable name must be non-empty and must not contain '='")
                }
                if let value = checker.string(entry.value, at: path / "variables" / entry.key) {
                    variables[entry.key] = value
                }
            }
        }
        let files = fields["files"].map { decodeFiles($0, at: path / "files") } ?? [:]
        let volumes = fields["volumes"].map { decodeVolumes($0, at: path / "volumes") } ?? [:]
        let before = fields["before"].map { decodeBefore($0, at: path / "before") } ?? [:]
        let resources = fields["resources"].flatMap { decodeContainerResources($0, at: path / "resources") }
        let liveness = fields["livenessProbe"].flatMap { decodeProbe($0, at: path / "livenessProbe") }
        let readiness = fields["readinessProbe"].flatMap { decodeProbe($0, at: path / "readinessProbe") }
        guard let image, let files, let volumes, let before else { return nil }
        return ScoreWorkload.Container(
            image: image, command: command, args: args, variables: variables, files: files, volumes: volumes,
            resources: resources, livenessProbe: liveness, readinessProbe: readiness, before: before)
    }

    /// Map form (keyed by target) or the deprecated array form (each entry with `target`), which is
    /// upgraded to the map form — with a warning, so users move to the current syntax.
    private mutating func upgradedEntries(
        _ node: YAMLNode, at path: FieldPath, what: String
    ) -> [(target: String, node: YAMLNode, path: FieldPath, fromArray: Bool)]? {
        switch node.value {
        case .mapping(let entries):
            return entries.map { ($0.key, $0.value, path / $0.key, false) }
        case .sequence(let items):
            checker.warning(node.location, path,
                            "the list form of \(what) is deprecated; write a map keyed by the target path instead")
            var result: [(target: String, node: YAMLNode, path: FieldPath, fromArray: Bool)] = []
            var seen: Set<String> = []
            for (index, item) in items.enumerated() {
                let itemPath = path.appending(index: index)
                guard item.entries != nil else {
                    _ = checker.mapping(item, at: itemPath)
                    continue
                }
                guard let targetNode = item["target"] else {
                    checker.error(item.location, itemPath, "missing required field 'target' (the path in the container)")
                    continue
                }
                guard let target = checker.string(targetNode, at: itemPath / "target", minLength: 1) else { continue }
                if !seen.insert(target).inserted {
                    checker.error(targetNode.location, itemPath / "target",
                                  "the target '\(target)' is already used by another entry; each path is mounted once")
                }
                result.append((target, item, itemPath, true))
            }
            return result
        default:
            _ = checker.mapping(node, at: path)
            return nil
        }
    }

    private mutating func decodeFiles(_ node: YAMLNode, at path: FieldPath) -> [String: ScoreWorkload.File]? {
        guard let entries = upgradedEntries(node, at: path, what: "files") else { return nil }
        var files: [String: ScoreWorkload.File] = [:]
        for entry in entries {
            var known = ["mode", "source", "content", "binaryContent", "noExpand"]
            if entry.fromArray { known.append("target") }
            guard let fields = checker.fields(entry.node, at: entry.path, known: known) else { continue }
            if !entry.fromArray, fields.has("target") { continue } // reported as unknown above
            let mode = fields["mode"].map {
                checker.matching($0, at: entry.path / "mode", ScorePatterns.isFileMode,
                                 "a mode is three octal digits with an optional leading 0, e.g. \"0600\" (quote it)")
            }
            let noExpand = fields["noExpand"].flatMap { checker.bool($0, at: entry.path / "noExpand") } ?? false
            let present = ["content", "binaryContent", "source"].filter { fields.has($0) }
            guard present.count == 1 else {
                checker.error(entry.node.location, entry.path, present.isEmpty
                    ? "a file needs exactly one of 'content', 'binaryContent' or 'source'; add one"
                    : "a file takes exactly one of 'content', 'binaryContent' or 'source', not "
                        + present.map { "'\($0)'" }.joined(separator: " and ") + "; keep one")
                continue
            }
            let key = present[0]
            guard let valueNode = fields[key],
                  let value = checker.string(valueNode, at: entry.path / key, minLength: key == "source" ? 1 : 0)
            else { continue }
            let content: ScoreWorkload.File.Content = switch key {
            case "content": .text(value)
            case "binaryContent": .binary(base64: value)
            default: .source(value)
            }
            files[entry.target] = ScoreWorkload.File(content: content, mode: mode ?? nil, noExpand: noExpand)
        }
        return files
    }

    private mutating func decodeVolumes(_ node: YAMLNode, at path: FieldPath) -> [String: ScoreWorkload.Volume]? {
        guard let entries = upgradedEntries(node, at: path, what: "volumes") else { return nil }
        var volumes: [String: ScoreWorkload.Volume] = [:]
        for entry in entries {
            var known = ["source", "path", "readOnly"]
            if entry.fromArray { known.append("target") }
            guard let fields = checker.fields(entry.node, at: entry.path, known: known, required: ["source"]) else {
                continue
            }
            let source = fields["source"].flatMap { checker.string($0, at: entry.path / "source") }
            let subPath = fields["path"].flatMap { checker.string($0, at: entry.path / "path") }
            let readOnly = fields["readOnly"].flatMap { checker.bool($0, at: entry.path / "readOnly") } ?? false
            if let source {
                volumes[entry.target] = ScoreWorkload.Volume(source: source, path: subPath, readOnly: readOnly)
            }
        }
        return volumes
    }

    private mutating func decodeBefore(_ node: YAMLNode, at path: FieldPath) -> [String: String]? {
        guard let entries = checker.mapping(node, at: path) else { return nil }
        var result: [String: String] = [:]
        for entry in entries {
            let entryPath = path / entry.key
            if !ScorePatterns.isLabel(entry.key) {
                checker.error(entry.keyLocation, entryPath, "'\(entry.key)' is not a valid container name")
            }
            guard let fields = checker.fields(entry.value, at: entryPath, known: ["ready"], required: ["ready"]),
                  let readyNode = fields["ready"],
                  let ready = checker.oneOf(readyNode, at: entryPath / "ready", ["started", "healthy", "complete"])
            else { continue }
            result[entry.key] = ready
        }
        return result
    }

    private mutating func decodeContainerResources(_ node: YAMLNode, at path: FieldPath) -> ScoreWorkload.Resources? {
        guard let fields = checker.fields(node, at: path, known: ["limits", "requests"]) else { return nil }
        return ScoreWorkload.Resources(
            limits: fields["limits"].flatMap { decodeQuantities($0, at: path / "limits") },
            requests: fields["requests"].flatMap { decodeQuantities($0, at: path / "requests") })
    }

    private mutating func decodeQuantities(_ node: YAMLNode, at path: FieldPath) -> ScoreWorkload.Quantities? {
        guard let fields = checker.fields(node, at: path, known: ["memory", "cpu"]) else { return nil }
        let memory = fields["memory"].flatMap {
            checker.matching($0, at: path / "memory", ScorePatterns.isMemory,
                             "memory is a positive number with an optional unit, e.g. \"128M\" or \"1.5Gi\"")
        }
        let cpu = fields["cpu"].flatMap {
            checker.matching($0, at: path / "cpu", ScorePatterns.isCPU,
                             "cpu is whole or fractional CPUs or milli-CPUs, e.g. \"2\", \"0.5\" or \"250m\" (quoted)")
        }
        return ScoreWorkload.Quantities(memory: memory, cpu: cpu)
    }

    private mutating func decodeProbe(_ node: YAMLNode, at path: FieldPath) -> ScoreWorkload.Probe? {
        guard let fields = checker.fields(node, at: path, known: ["httpGet", "exec"]) else { return nil }
        if !fields.has("httpGet"), !fields.has("exec") {
            checker.error(node.location, path, "a probe needs 'httpGet' or 'exec'; add one")
            return nil
        }
        var exec: [String]?
        if let execNode = fields["exec"],
           let execFields = checker.fields(execNode, at: path / "exec", known: ["command"], required: ["command"]) {
            exec = execFields["command"].flatMap { checker.stringList($0, at: path / "exec" / "command") }
        }
        let httpGet = fields["httpGet"].flatMap { decodeHTTPGet($0, at: path / "httpGet") }
        return ScoreWorkload.Probe(httpGet: httpGet, exec: exec)
    }

    private mutating func decodeHTTPGet(_ node: YAMLNode, at path: FieldPath) -> ScoreWorkload.HTTPGet? {
        guard let fields = checker.fields(node, at: path, known: ["host", "scheme", "path", "port", "httpHeaders"],
                                          required: ["port", "path"]) else { return nil }
        let host = fields["host"].flatMap { checker.string($0, at: path / "host", minLength: 1) }
        let scheme = fields["scheme"].flatMap { checker.oneOf($0, at: path / "scheme", ["HTTP", "HTTPS"]) }
        let httpPath = fields["path"].flatMap { checker.string($0, at: path / "path") }
        let port = fields["port"].flatMap { checker.integer($0, at: path / "port", in: 1...65535) }
        var headers: [ScoreWorkload.Header] = []
        if let headersNode = fields["httpHeaders"], let items = checker.sequence(headersNode, at: path / "httpHeaders") {
            for (index, item) in items.enumerated() {
                let itemPath = (path / "httpHeaders").appending(index: index)
                guard let header = checker.fields(item, at: itemPath, known: ["name", "value"], required: ["name", "value"])
                else { continue }
                let name = header["name"].flatMap {
                    checker.matching($0, at: itemPath / "name", ScorePatterns.isHeaderName,
                                     "a header name is letters, digits, '_' and '-'")
                }
                let value = header["value"].flatMap { checker.string($0, at: itemPath / "value", minLength: 1) }
                if let name, let value { headers.append(ScoreWorkload.Header(name: name, value: value)) }
            }
        }
        guard let httpPath, let port else { return nil }
        return ScoreWorkload.HTTPGet(host: host, scheme: scheme, path: httpPath, port: port, headers: headers)
    }
}
