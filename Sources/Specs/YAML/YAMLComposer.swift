import CLibYAML

/// Builds `YAMLNode` documents from libyaml's event stream while enforcing `SpecLimits`.
///
/// Every limit is checked on the event that would break it, before the node is built: an alias adds
/// its anchor's expanded node count, so a "billion laughs" stops at the first alias past the limit,
/// in microseconds, instead of expanding.
struct YAMLComposer {
    /// Why composition stopped: one diagnostic position and message.
    struct Failure: Error {
        var location: SourceLocation
        var message: String
    }

    let limits: SpecLimits
    let file: String
    private(set) var diagnostics: [SpecDiagnostic] = []
    private var anchors: [String: (node: YAMLNode, weight: Int)] = [:]
    private var expandedNodes = 0
    private var depth = 0
    private let parser: UnsafeMutablePointer<yaml_parser_t>

    init(parser: UnsafeMutablePointer<yaml_parser_t>, limits: SpecLimits, file: String) {
        self.parser = parser
        self.limits = limits
        self.file = file
    }

    /// All documents of the stream; duplicate keys are collected in `diagnostics`, other problems throw.
    mutating func documents() throws(Failure) -> [YAMLNode] {
        var documents: [YAMLNode] = []
        while true {
            let event = try next()
            switch event.kind {
            case .streamStart, .documentEnd:
                continue
            case .streamEnd:
                return documents
            case .documentStart:
                anchors.removeAll()
                let root = try node(from: try next(), at: .root).node
                documents.append(root)
            default:
                throw Failure(location: event.location, message: "unexpected YAML structure")
            }
        }
    }

    private mutating func next() throws(Failure) -> YAMLEvent {
        var raw = yaml_event_t()
        guard yaml_parser_parse(parser, &raw) == 1 else { throw parserFailure() }
        defer { yaml_event_delete(&raw) }
        return YAMLEvent(&raw)
    }

    private mutating func count(_ weight: Int, at location: SourceLocation) throws(Failure) {
        expandedNodes += weight
        if expandedNodes > limits.maxExpandedNodes {
            throw Failure(
                location: location,
                message: "the document expands to more than \(limits.maxExpandedNodes) nodes once its aliases "
                    + "are resolved (a YAML alias bomb?); write the values out or use fewer aliases")
        }
    }

    /// The core schema's tags: the only explicit tags a spec file may carry (`!!str 12`). Any other
    /// (`!!python/object`, `!Ref`) asks for a type or a constructor that a spec has no use for; ignoring it
    /// would read the file differently from a tool that honours it, so it is an error.
    static let coreTags: Set<String> = [
        "!", "tag:yaml.org,2002:str", "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map",
    ]

    private func checkTag(of event: YAMLEvent) throws(Failure) {
        guard let tag = event.tag, !Self.coreTags.contains(tag) else { return }
        let shown = tag.hasPrefix("tag:yaml.org,2002:") ? "!!" + tag.dropFirst("tag:yaml.org,2002:".count) : tag
        throw Failure(location: event.location,
                      message: "the tag '\(shown)' is not supported: spec files hold plain values (strings, numbers, "
                        + "booleans, lists, maps); remove the tag")
    }

    /// Composes the node starting with `event`, returning it with its expanded node count.
    private mutating func node(from event: YAMLEvent, at path: FieldPath) throws(Failure) -> (node: YAMLNode, weight: Int) {
        let result: (node: YAMLNode, weight: Int)
        try checkTag(of: event)
        switch event.kind {
        case .alias:
            guard let name = event.anchor, let target = anchors[name] else {
                throw Failure(location: event.location, message: "alias '*\(event.anchor ?? "")' names no anchor defined above it")
            }
            try count(target.weight, at: event.location)
            return target
        case .scalar:
            try count(1, at: event.location)
            if event.value.utf8.contains(0) {
                // A NUL (written "\0" in a quoted string) would cut the value short wherever it reaches C:
                // an environment variable, an argument, a path.
                throw Failure(location: event.location,
                              message: "a NUL character (\\0) is not allowed in a value; remove it")
            }
            let value: YAMLNode.Value
            if event.isPlain {
                value = ScalarResolver.resolve(plain: event.value)
            } else if let tag = event.tag, tag != "!" {
                value = ScalarResolver.resolve(text: event.value, tag: tag)
            } else {
                value = .string(event.value)
            }
            result = (YAMLNode(value, at: event.location, text: event.value), 1)
        case .sequenceStart:
            try count(1, at: event.location)
            try enter(at: event.location)
            var items: [YAMLNode] = []
            var weight = 1
            while true {
                let child = try next()
                if child.kind == .sequenceEnd { break }
                let composed = try node(from: child, at: path.appending(index: items.count))
                items.append(composed.node)
                weight += composed.weight
            }
            depth -= 1
            result = (YAMLNode(.sequence(items), at: event.location), weight)
        case .mappingStart:
            try count(1, at: event.location)
            try enter(at: event.location)
            result = try mapping(at: event.location, path: path)
            depth -= 1
        default:
            throw Failure(location: event.location, message: "unexpected YAML structure")
        }
        if let anchor = event.anchor { anchors[anchor] = result }
        return result
    }

    private mutating func enter(at location: SourceLocation) throws(Failure) {
        depth += 1
        if depth > limits.maxDepth {
            throw Failure(
                location: location,
                message: "the document nests deeper than \(limits.maxDepth) levels; flatten it")
        }
    }

    private mutating func mapping(at location: SourceLocation, path: FieldPath) throws(Failure) -> (node: YAMLNode, weight: Int) {
        var entries: [YAMLEntry] = []
        // Duplicate keys: a scan of the entries while the map is small (most are), an index once it grows
        // (a status note's `apps:` holds 10,000 keys); a dictionary per small map cost a tenth of reading a note.
        var seen: [String: SourceLocation]?
        func earlier(_ name: String) -> SourceLocation? {
            if let seen { return seen[name] }
            return entries.first { $0.key == name }?.keyLocation
        }
        func remember(_ entry: YAMLEntry) {
            entries.append(entry)
            if seen != nil {
                seen?[entry.key] = entry.keyLocation
            } else if entries.count == 16 {
                seen = Dictionary(entries.map { ($0.key, $0.keyLocation) }, uniquingKeysWith: { first, _ in first })
            }
        }
        var merged: [YAMLEntry] = []
        var weight = 1
        while true {
            let keyEvent = try next()
            if keyEvent.kind == .mappingEnd { break }
            let key = try node(from: keyEvent, at: path)
            let value = try node(from: try next(), at: path / (keyEvent.kind == .scalar ? keyEvent.value : "?"))
            weight += key.weight + value.weight
            if keyEvent.kind == .scalar, keyEvent.isPlain, keyEvent.value == "<<" {
                merged += try mergeEntries(value.node)
                continue
            }
            guard keyEvent.kind == .scalar || keyEvent.kind == .alias, let name = key.node.scalarKey else {
                throw Failure(location: key.node.location, message: "a map key must be plain text, not a list or a map")
            }
            if let first = earlier(name) {
                diagnostics.append(SpecDiagnostic(
                    file: file, at: key.node.location, field: (path / name).description,
                    message: "duplicate key '\(name)': it is already defined at line \(first.line), column \(first.column); "
                        + "remove one of the two"))
                continue
            }
            remember(YAMLEntry(key: name, keyLocation: key.node.location, value: value.node))
        }
        // Merge keys (`<<: *defaults`) fill in what the mapping does not set itself, as in Yams.
        for entry in merged where earlier(entry.key) == nil { remember(entry) }
        return (YAMLNode(.mapping(entries), at: location), weight)
    }

    private func mergeEntries(_ node: YAMLNode) throws(Failure) -> [YAMLEntry] {
        switch node.value {
        case .mapping(let entries):
            return entries
        case .sequence(let items):
            var result: [YAMLEntry] = []
            var keys: Set<String> = []
            for item in items {
                guard let entries = item.entries else {
                    throw Failure(location: item.location, message: "a merge key '<<' takes a map or a list of maps")
                }
                // Earlier maps in the list win, as in YAML's merge-key rules.
                for entry in entries where keys.insert(entry.key).inserted { result.append(entry) }
            }
            return result
        default:
            throw Failure(location: node.location, message: "a merge key '<<' takes a map or a list of maps")
        }
    }

    /// libyaml's own error, with the position it reports.
    private func parserFailure() -> Failure {
        let raw = parser.pointee
        let mark = raw.problem_mark
        let location = SourceLocation(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
        var message = raw.problem.map { String(cString: $0) } ?? "invalid YAML"
        if let context = raw.context.map({ String(cString: $0) }) {
            message = "\(message) (\(context) at line \(raw.context_mark.line + 1), column \(raw.context_mark.column + 1))"
        }
        if message.contains("Maximum nesting level") {
            message = "the document nests deeper than libyaml's limit of 1000 levels; flatten it"
        }
        return Failure(location: location, message: "invalid YAML: \(message)")
    }
}

extension YAMLNode {
    /// A scalar used as a map key, as text (JSON object keys are strings: `80: x` has the key "80").
    var scalarKey: String? {
        switch value {
        case .sequence, .mapping: return nil
        case .null: return text.isEmpty ? "null" : text
        default: return text
        }
    }
}
