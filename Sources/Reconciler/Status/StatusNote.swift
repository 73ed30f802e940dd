import Provisioning
import Specs

/// Reads and writes `ReconcileStatus` documents in a commit's note.
///
/// A note may hold several YAML documents from several writers (people, other tools, earlier passes):
/// innominatus appends its own and never rewrites the rest, and readers take the LAST document whose
/// `kind` is `ReconcileStatus`. Other writers' documents may be anything, hostile included, so each
/// document is first read with the spec reader's limits (size, alias expansion, depth) and skipped —
/// never fatal — when it is not a well-formed status.
public enum StatusNote {
    /// The status as one YAML document, starting with `---` so it can be appended to any note.
    ///
    /// Written by `NoteEmitter`, not Yams: Yams built a node tree of the whole note and took ~30 s of CPU
    /// and ~600 MB for a pass that ran 10,000 apps (Benchmarks/run.sh, scenario 6).
    ///
    /// - Parameter key: signs the document: a last line `signature: hmac-sha256:<hex>` over the document's
    ///   text before it, so readers holding the state key tell the reconciler's passes from documents
    ///   anyone else appended.
    public static func render(_ status: ReconcileStatus, key: StateKey? = nil) throws -> String {
        let root = NoteEncoder.Box()
        try status.encode(to: NoteEncoder(box: root, codingPath: []))
        var body = ""
        body.reserveCapacity(4096)
        NoteEmitter.emitDocument(root, into: &body)
        guard let key else { return "---\n" + body }
        let signed = trimmingNewlines(body)
        return "---\n" + signed + "\n" + signaturePrefix + key.mac(signed.utf8) + "\n"
    }

    static let signaturePrefix = "signature: hmac-sha256:"

    /// Whether `document` (as `documents(of:)` gives it) ends with a signature that `key` verifies.
    static func isSigned(_ document: String, by key: StateKey) -> Bool {
        let text = trimmingNewlines(document)
        guard let newline = text.lastIndex(of: "\n") else { return false }
        let last = text[text.index(after: newline)...]
        guard last.hasPrefix(signaturePrefix) else { return false }
        return key.verify(trimmingNewlines(String(text[..<newline])).utf8, mac: String(last.dropFirst(signaturePrefix.count)))
    }

    private static func trimmingNewlines(_ text: String) -> String {
        var text = Substring(text)
        while text.last == "\n" || text.last == "\r" { text = text.dropLast() }
        return String(text)
    }

    /// Limits for reading notes: a pass over many apps writes a larger document than any spec file.
    static let limits = SpecLimits(maxFileBytes: 64 << 20, maxExpandedNodes: 4_000_000, maxDepth: 64)

    /// The last `ReconcileStatus` in a note, or nil when it holds none. With `key`, only documents the
    /// reconciler signed with it count: one appended by someone else is not taken for a pass.
    public static func lastStatus(in note: String, key: StateKey? = nil) -> ReconcileStatus? {
        for document in documents(of: note).reversed() {
            if let key, !isSigned(document, by: key) { continue }
            let check = YAMLReader(limits: limits).read(Array(document.utf8), file: "note")
            guard check.diagnostics.allSatisfy({ $0.severity != .error }), let root = check.documents.first,
                  root["kind"]?.string == "ReconcileStatus" else { continue }
            // Decoded from the tree the limits were checked on: a second parse by Yams took 3/4 of
            // `innominatus status` at 1,000 apps (Benchmarks/run.sh, scenario 6).
            if let status = try? StatusNodeReader.status(root) { return status }
        }
        return nil
    }

    /// Every `ReconcileStatus` in a note, oldest first (a commit polled by several passes, or by several
    /// reconcilers, has more than one).
    public static func allStatuses(in note: String, key: StateKey? = nil) -> [ReconcileStatus] {
        documents(of: note).compactMap { document in
            if let key, !isSigned(document, by: key) { return nil }
            return lastStatus(in: document)
        }
    }

    /// The note split at document markers (`---` alone, or followed by a space, at the start of a line).
    /// A scan of the bytes: splitting a 15 MB note into lines and joining them again was a fifth of
    /// `innominatus status` at 10,000 apps.
    static func documents(of note: String) -> [String] {
        let bytes = Array(note.utf8)
        var documents: [String] = []
        var start = 0
        func flush(_ end: Int) {
            guard start < end else { return }
            let slice = bytes[start..<end]
            if slice.contains(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x09 && $0 != 0x0D }) {
                documents.append(String(decoding: slice, as: UTF8.self))
            }
        }
        var lineStart = 0
        while lineStart < bytes.count {
            let lineEnd = bytes[lineStart...].firstIndex(of: 0x0A) ?? bytes.count
            let length = lineEnd - lineStart
            if length >= 3, bytes[lineStart] == 0x2D, bytes[lineStart + 1] == 0x2D, bytes[lineStart + 2] == 0x2D,
               length == 3 || bytes[lineStart + 3] == 0x20 {
                flush(lineStart)
                start = length == 3 ? min(lineEnd + 1, bytes.count) : lineStart + 4
            }
            lineStart = lineEnd + 1
        }
        flush(bytes.count)
        return documents
    }
}

/// An `Encoder` that builds a small tree of rendered scalars, maps (in encoding order) and lists.
struct NoteEncoder: Encoder {
    final class Box {
        enum Value {
            case unset
            case scalar(String)
            case map([(String, Box)])
            case list([Box])
        }
        var value: Value = .unset
    }

    let box: Box
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .map = box.value {} else { box.value = .map([]) }
        return KeyedEncodingContainer(NoteKeyedEncoder<Key>(box: box, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .list = box.value {} else { box.value = .list([]) }
        return NoteUnkeyedEncoder(box: box, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { NoteScalarEncoder(box: box, codingPath: codingPath) }
}

private struct NoteScalarEncoder: SingleValueEncodingContainer {
    let box: NoteEncoder.Box
    let codingPath: [any CodingKey]

    func set(_ text: String) { box.value = .scalar(text) }
    mutating func encodeNil() { set("null") }
    mutating func encode(_ value: Bool) { set(value ? "true" : "false") }
    mutating func encode(_ value: String) { set(NoteEmitter.scalar(value)) }
    mutating func encode(_ value: Double) {
        set(value.isNaN ? ".nan" : value.isInfinite ? (value < 0 ? "-.inf" : ".inf") : "\(value)")
    }
    mutating func encode(_ value: Float) { encode(Double(value)) }
    mutating func encode(_ value: Int) { set(String(value)) }
    mutating func encode(_ value: Int8) { set(String(value)) }
    mutating func encode(_ value: Int16) { set(String(value)) }
    mutating func encode(_ value: Int32) { set(String(value)) }
    mutating func encode(_ value: Int64) { set(String(value)) }
    mutating func encode(_ value: UInt) { set(String(value)) }
    mutating func encode(_ value: UInt8) { set(String(value)) }
    mutating func encode(_ value: UInt16) { set(String(value)) }
    mutating func encode(_ value: UInt32) { set(String(value)) }
    mutating func encode(_ value: UInt64) { set(String(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { try value.encode(to: NoteEncoder(box: box, codingPath: codingPath)) }
}

private struct NoteKeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: NoteEncoder.Box
    let codingPath: [any CodingKey]

    func child(_ key: Key) -> NoteEncoder {
        let child = NoteEncoder.Box()
        if case .map(var entries) = box.value {
            box.value = .unset  // keeps `entries` uniquely referenced while appending
            entries.append((key.stringValue, child))
            box.value = .map(entries)
        }
        return NoteEncoder(box: child, codingPath: codingPath + [key])
    }

    func scalar(_ key: Key) -> NoteScalarEncoder { NoteScalarEncoder(box: child(key).box, codingPath: codingPath + [key]) }
    mutating func encodeNil(forKey key: Key) { var s = scalar(key); s.encodeNil() }
    mutating func encode(_ value: Bool, forKey key: Key) { var s = scalar(key); s.encode(value) }
    mutating func encode(_ value: String, forKey key: Key) { var s = scalar(key); s.encode(value) }
    mutating func encode(_ value: Double, forKey key: Key) { var s = scalar(key); s.encode(value) }
    mutating func encode(_ value: Float, forKey key: Key) { var s = scalar(key); s.encode(value) }
    mutating func encode(_ value: Int, forKey key: Key) { var s = scalar(key); s.encode(value) }
    mutating func encode(_ value: Int8, forKey key: Key) { var s = scalar(key); s.encode(value) }
    mutating func encode(_ value: Int16, forKey key: Key) { var s = scalar(key); s.encode(value) }
    mutating func encode(_ value: Int32, forKey key: Key) { var s = scalar(key); s.encode(value) }
    mutating func encode(_ value: Int64, forKey key: Key) { var s = scalar(key); s.encode(value) }
    mutating func encode(_ value: UInt, forKey key: Key) { var s = scalar(key); s.encode(value) }
    mutating func encode(_ value: UInt8, forKey key: Key) { var s = scalar(key); s.encode(value) }
    mutating func encode(_ value: UInt16, forKey key: Key) { var s = scalar(key); s.encode(value) }
    mutating func encode(_ value: UInt32, forKey key: Key) { var s = scalar(key); s.encode(value) }
    mutating func encode(_ value: UInt64, forKey key: Key) { var s = scalar(key); s.encode(value) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try value.encode(to: child(key)) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        child(key).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { child(key).unkeyedContainer() }
    mutating func superEncoder() -> any Encoder { NoteEncoder(box: box, codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { child(key) }
}

private struct NoteUnkeyedEncoder: UnkeyedEncodingContainer {
    let box: NoteEncoder.Box
    let codingPath: [any CodingKey]
    var count: Int {
        if case .list(let items) = box.value { return items.count }
        return 0
    }

    func child() -> NoteEncoder {
        let child = NoteEncoder.Box()
        if case .list(var items) = box.value {
            box.value = .unset
            items.append(child)
            box.value = .list(items)
        }
        return NoteEncoder(box: child, codingPath: codingPath)
    }

    func scalar() -> NoteScalarEncoder { NoteScalarEncoder(box: child().box, codingPath: codingPath) }
    mutating func encodeNil() { var s = scalar(); s.encodeNil() }
    mutating func encode(_ value: Bool) { var s = scalar(); s.encode(value) }
    mutating func encode(_ value: String) { var s = scalar(); s.encode(value) }
    mutating func encode(_ value: Double) { var s = scalar(); s.encode(value) }
    mutating func encode(_ value: Float) { var s = scalar(); s.encode(value) }
    mutating func encode(_ value: Int) { var s = scalar(); s.encode(value) }
    mutating func encode(_ value: Int8) { var s = scalar(); s.encode(value) }
    mutating func encode(_ value: Int16) { var s = scalar(); s.encode(value) }
    mutating func encode(_ value: Int32) { var s = scalar(); s.encode(value) }
    mutating func encode(_ value: Int64) { var s = scalar(); s.encode(value) }
    mutating func encode(_ value: UInt) { var s = scalar(); s.encode(value) }
    mutating func encode(_ value: UInt8) { var s = scalar(); s.encode(value) }
    mutating func encode(_ value: UInt16) { var s = scalar(); s.encode(value) }
    mutating func encode(_ value: UInt32) { var s = scalar(); s.encode(value) }
    mutating func encode(_ value: UInt64) { var s = scalar(); s.encode(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { try value.encode(to: child()) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        child().container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { child().unkeyedContainer() }
    mutating func superEncoder() -> any Encoder { child() }
}

/// Block-style YAML text for a `NoteEncoder` tree, in the layout Yams wrote (lists under a key at the
/// key's indentation), with every string written so that a YAML 1.1 reader gives it back unchanged.
enum NoteEmitter {
    static func emitDocument(_ root: NoteEncoder.Box, into out: inout String) {
        switch root.value {
        case .map(let entries) where !entries.isEmpty: emitMap(entries, indent: 0, into: &out)
        case .list(let items) where !items.isEmpty: emitList(items, indent: 0, into: &out)
        default: out += inline(root) ?? "null"; out += "\n"
        }
    }

    /// A scalar or an empty collection on the current line; nil for a non-empty collection.
    static func inline(_ box: NoteEncoder.Box) -> String? {
        switch box.value {
        case .unset: return "null"
        case .scalar(let text): return text
        case .map(let entries): return entries.isEmpty ? "{}" : nil
        case .list(let items): return items.isEmpty ? "[]" : nil
        }
    }

    static func emitMap(_ entries: [(String, NoteEncoder.Box)], indent: Int, into out: inout String, firstInline: Bool = false) {
        for (index, (key, value)) in entries.enumerated() {
            if !(firstInline && index == 0) { out += String(repeating: " ", count: indent) }
            out += scalar(key)
            if let text = inline(value) {
                out += ": " + text + "\n"
            } else if case .map(let children) = value.value {
                out += ":\n"
                emitMap(children, indent: indent + 2, into: &out)
            } else if case .list(let items) = value.value {
                out += ":\n"
                emitList(items, indent: indent, into: &out)
            }
        }
    }

    static func emitList(_ items: [NoteEncoder.Box], indent: Int, into out: inout String) {
        for item in items {
            out += String(repeating: " ", count: indent) + "-"
            if let text = inline(item) {
                out += " " + text + "\n"
            } else if case .map(let entries) = item.value {
                out += " "
                emitMap(entries, indent: indent + 2, into: &out, firstInline: true)
            } else if case .list(let children) = item.value {
                out += "\n"
                emitList(children, indent: indent + 2, into: &out)
            }
        }
    }

    /// Commit ids and fingerprints (`0a47d9…`) stay plain, as Yams wrote them: letters and digits only,
    /// with a letter other than `e` (no exponent), and not a whole `0x`/`0o`/`0b` number — so no YAML 1.1
    /// number matches.
    static func isPlainHex(_ utf8: String.UTF8View) -> Bool {
        guard let first = utf8.first, first >= 0x30, first <= 0x39 else { return false }
        var letter = false
        for byte in utf8 {
            let lower = byte | 0x20
            if byte >= 0x30 && byte <= 0x39 { continue }
            guard lower >= 0x61, lower <= 0x7A else { return false }
            if lower != 0x65 { letter = true }
        }
        guard letter else { return false }
        let bytes = Array(utf8)
        guard first == 0x30, bytes.count > 2 else { return true }
        let rest = bytes[2...]
        switch bytes[1] | 0x20 {
        case 0x78: return !rest.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || (($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x66) }
        case 0x6F: return !rest.allSatisfy { $0 >= 0x30 && $0 <= 0x37 }
        case 0x62: return !rest.allSatisfy { $0 == 0x30 || $0 == 0x31 }
        default: return true
        }
    }

    /// Words YAML 1.1 reads as booleans or null when plain.
    static let reserved: Set<String> = ["y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE",
                                        "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL"]

    /// `text` plain when it cannot be read as anything but this string (it starts with a letter, holds only
    /// letters, digits, `_ . / -` and inner spaces, and is no reserved word); single-quoted when it is
    /// printable on one line; double-quoted with escapes otherwise.
    static func scalar(_ text: String) -> String {
        // Readers refuse a NUL in a value (it would cut the string short in C): a step's log may hold one.
        if text.utf8.contains(0) { return scalar(text.replacing("\u{0}", with: "\u{FFFD}")) }
        let utf8 = text.utf8
        if isPlainHex(utf8) { return text }
        if let first = utf8.first, (first | 0x20) >= 0x61, (first | 0x20) <= 0x7A, utf8.last != 0x20,
           utf8.allSatisfy({ byte in
               (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A || (byte >= 0x30 && byte <= 0x39)
                   || byte == 0x5F || byte == 0x2E || byte == 0x2F || byte == 0x2D || byte == 0x20
           }), !reserved.contains(text) {
            return text
        }
        let oneLine = text.unicodeScalars.allSatisfy { scalar in
            scalar.value >= 0x20 && scalar.value != 0x7F && !(0x80...0x9F).contains(scalar.value)
                && scalar.value != 0x2028 && scalar.value != 0x2029 && scalar.value != 0xFEFF
        }
        if oneLine { return "'" + text.replacing("'", with: "''") + "'" }
        return JSONString.quote(text)
    }
}
