/// Checks a Score document against the `score.dev/v1b1` schema and builds the `ScoreWorkload` model.
///
/// The checks follow `score-v1b1.json` keyword by keyword (types, `required`, `additionalProperties`,
/// `propertyNames`, patterns, ranges, `oneOf`/`anyOf`) on the resolved YAML values, so the verdict is
/// the one a JSON Schema validator would give — with a position and a sentence for each problem.
struct ScoreDecoder {
    var checker: SpecChecker

    init(file: String) {
        checker = SpecChecker(file: file)
    }

    static let apiVersion = "score.dev/v1b1"
    static let topLevelFields = ["apiVersion", "metadata", "service", "containers", "resources"]

    mutating func decode(_ root: YAMLNode) -> ScoreWorkload? {
        let path = FieldPath.root
        guard let fields = checker.fields(root, at: path, known: Self.topLevelFields,
                                          required: ["apiVersion", "metadata", "containers"]) else { return nil }
        var apiVersion: String?
        if let node = fields["apiVersion"] {
            apiVersion = checker.matching(node, at: "apiVersion", { $0 == Self.apiVersion },
                                          "this validator reads Score '\(Self.apiVersion)'; set apiVersion: \(Self.apiVersion)")
        }
        let metadata = fields["metadata"].flatMap { decodeMetadata($0) }
        let service = fields["service"].map { decodeService($0) }
        var containers: [String: ScoreWorkload.Container]?
        if let node = fields["containers"] {
            containers = decodeNamedMap(node, at: "containers", what: "container") { decoder, node, path in
                decoder.decodeContainer(node, at: path)
            }
            if let entries = node.entries, entries.isEmpty {
                checker.error(node.location, "containers", "must declare at least one container")
            }
        }
        var resources: [String: ScoreWorkload.Resource]? = [:]
        if let node = fields["resources"] {
            resources = decodeNamedMap(node, at: "resources", what: "resource") { decoder, node, path in
                decoder.decodeResource(node, at: path)
            }
        }
        guard !checker.hasErrors, let apiVersion, let metadata, let containers, let resources else { return nil }
        return ScoreWorkload(apiVersion: apiVersion, metadata: metadata, service: service ?? nil,
                             containers: containers, resources: resources)
    }

    /// A map keyed by RFC 1123 labels (`containers`, `resources`, `service.ports`), each value decoded.
    mutating func decodeNamedMap<Value>(
        _ node: YAMLNode, at path: FieldPath, what: String,
        _ decodeValue: (inout ScoreDecoder, YAMLNode, FieldPath) -> Value?
    ) -> [String: Value]? {
        guard let entries = checker.mapping(node, at: path) else { return nil }
        var result: [String: Value] = [:]
        var valid = true
        for entry in entries {
            if !ScorePatterns.isLabel(entry.key) {
                checker.error(entry.keyLocation, path / entry.key,
                              "the \(what) name '\(entry.key)' is not valid: use 2 to 63 lowercase letters, digits "
                                + "and '-', starting and ending with a letter or digit")
                valid = false
            }
            if let value = decodeValue(&self, entry.value, path / entry.key) { result[entry.key] = value } else { valid = false }
        }
        return valid ? result : nil
    }

    private mutating func decodeMetadata(_ node: YAMLNode) -> ScoreWorkload.Metadata? {
        let path: FieldPath = "metadata"
        guard let fields = checker.fields(node, at: path, known: ["name", "annotations"], required: ["name"],
                                          allowOthers: true) else { return nil }
        let name = fields["name"].flatMap {
            checker.matching($0, at: path / "name", ScorePatterns.isLabel,
                             "a workload name is 2 to 63 lowercase letters, digits and '-', starting and ending "
                                + "with a letter or digit (an RFC 1123 label)")
        }
        let annotations = fields["annotations"].map { decodeAnnotations($0, at: path / "annotations") } ?? [:]
        var product: String?
        if let node = fields["product"] {
            product = checker.matching(node, at: path / "product", ScorePatterns.isDNSLabel,
                                       "a product name is a DNS label: lowercase letters, digits and '-', "
                                        + "at most 63 characters, no '/' or '.'")
        }
        var values: [String: String] = [:]
        for entry in fields.entries {
            switch entry.value.value {
            case .sequence, .mapping, .null: continue
            default: values[entry.key] = entry.value.text
            }
        }
        guard let name, let annotations else { return nil }
        return ScoreWorkload.Metadata(name: name, product: product, annotations: annotations, values: values)
    }

    mutating func decodeAnnotations(_ node: YAMLNode, at path: FieldPath) -> [String: String]? {
        guard let entries = checker.mapping(node, at: path) else { return nil }
        var result: [String: String] = [:]
        for entry in entries {
            if !ScorePatterns.isAnnotationKey(entry.key) {
                checker.error(entry.keyLocation, path / entry.key,
                              "the annotation key '\(entry.key)' is not valid: use an optional 'dns.prefix/' and "
                                + "a name of 2 to 63 letters, digits, '.', '_' or '-', starting and ending with a "
                                + "letter or digit")
            }
            if let value = checker.string(entry.value, at: path / entry.key) { result[entry.key] = value }
        }
        return result
    }

    private mutating func decodeService(_ node: YAMLNode) -> ScoreWorkload.Service? {
        let path: FieldPath = "service"
        guard let fields = checker.fields(node, at: path, known: ["ports"]) else { return nil }
        guard let portsNode = fields["ports"] else { return ScoreWorkload.Service(ports: [:]) }
        let ports = decodeNamedMap(portsNode, at: path / "ports", what: "port") { decoder, node, path in
            decoder.decodePort(node, at: path)
        }
        return ports.map { ScoreWorkload.Service(ports: $0) }
    }

    private mutating func decodePort(_ node: YAMLNode, at path: FieldPath) -> ScoreWorkload.Port? {
        guard let fields = checker.fields(node, at: path, known: ["port", "protocol", "targetPort"],
                                          required: ["port"]) else { return nil }
        let port = fields["port"].flatMap { checker.integer($0, at: path / "port", in: 1...65535) }
        let proto = fields["protocol"].map { checker.oneOf($0, at: path / "protocol", ["TCP", "UDP"]) }
        let target = fields["targetPort"].map { checker.integer($0, at: path / "targetPort", in: 1...65535) }
        guard let port, proto != .some(nil), target != .some(nil) else { return nil }
        return ScoreWorkload.Port(port: port, protocolName: proto ?? nil, targetPort: target ?? nil)
    }

    private mutating func decodeResource(_ node: YAMLNode, at path: FieldPath) -> ScoreWorkload.Resource? {
        guard let fields = checker.fields(node, at: path, known: ["type", "class", "id", "metadata", "params"],
                                          required: ["type"]) else { return nil }
        let typeRule = "use 2 to 63 letters, digits and '-', starting and ending with a letter or digit"
        let type = fields["type"].flatMap { checker.matching($0, at: path / "type", ScorePatterns.isResourceType, typeRule) }
        let resourceClass = fields["class"].map {
            checker.matching($0, at: path / "class", ScorePatterns.isResourceType, typeRule)
        }
        let id = fields["id"].map {
            checker.matching($0, at: path / "id", ScorePatterns.isResourceID,
                             "an id is 2 to 63 characters of lowercase letters, digits and '-', in labels separated by '.'")
        }
        if let metadata = fields["metadata"],
           let metaFields = checker.fields(metadata, at: path / "metadata", known: ["annotations"], allowOthers: true),
           let annotations = metaFields["annotations"] {
            _ = decodeAnnotations(annotations, at: path / "metadata" / "annotations")
        }
        if let params = fields["params"] { _ = checker.mapping(params, at: path / "params") }
        guard let type, resourceClass != .some(nil), id != .some(nil) else { return nil }
        return ScoreWorkload.Resource(type: type, class: resourceClass ?? nil, id: id ?? nil,
                                      params: fields["params"], metadata: fields["metadata"])
    }
}
