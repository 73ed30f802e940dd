import CLibYAML

/// One libyaml parser event, copied out of C memory so the event can be freed at once.
///
/// Composition works on events rather than on Yams' `Node` because only the event stream lets the
/// front end count alias expansion and depth before anything is built, and see both positions of a
/// duplicate key (Yams' composer reports one). CYaml is the libyaml that Yams builds and links.
struct YAMLEvent {
    enum Kind {
        case streamStart, streamEnd, documentStart, documentEnd
        case alias, scalar, sequenceStart, sequenceEnd, mappingStart, mappingEnd
    }

    var kind: Kind
    var location: SourceLocation
    var anchor: String?
    var tag: String?
    var value: String = ""
    /// True for a plain (unquoted, non-block) scalar with no explicit tag: only these are resolved.
    var isPlain = false

    init(_ event: inout yaml_event_t) {
        location = SourceLocation(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
        switch event.type {
        case YAML_STREAM_START_EVENT: kind = .streamStart
        case YAML_STREAM_END_EVENT: kind = .streamEnd
        case YAML_DOCUMENT_START_EVENT: kind = .documentStart
        case YAML_DOCUMENT_END_EVENT: kind = .documentEnd
        case YAML_ALIAS_EVENT:
            kind = .alias
            anchor = Self.text(event.data.alias.anchor)
        case YAML_SCALAR_EVENT:
            kind = .scalar
            let scalar = event.data.scalar
            anchor = Self.text(scalar.anchor)
            tag = Self.text(scalar.tag)
            value = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            isPlain = scalar.style == YAML_PLAIN_SCALAR_STYLE && scalar.plain_implicit != 0
        case YAML_SEQUENCE_START_EVENT:
            kind = .sequenceStart
            anchor = Self.text(event.data.sequence_start.anchor)
            tag = Self.text(event.data.sequence_start.tag)
        case YAML_SEQUENCE_END_EVENT: kind = .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            kind = .mappingStart
            anchor = Self.text(event.data.mapping_start.anchor)
            tag = Self.text(event.data.mapping_start.tag)
        case YAML_MAPPING_END_EVENT: kind = .mappingEnd
        default: kind = .streamEnd
        }
    }

    private static func text(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}
