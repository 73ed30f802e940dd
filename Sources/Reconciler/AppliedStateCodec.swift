import Glibc
import Planner
import Specs

/// The applied state's stored form: tab-separated lines, one per pair, that load in milliseconds for
/// 10,000 apps (YAML would take seconds, and notes are for people).
///
/// ```
/// innominatus-applied-state v1
/// commit  <sha or ->
/// settled <0|1>                                      the pass at that commit completed (no line: 0)
/// set     <index>  <path> <id> <path> <id> …        shared fingerprint components, stored once
/// app     <name>  <score id>  <product or ->  <suspended 0|1>  [r  (<resource>  <type>  <class or ->  <id or ->)…]
/// pair    <app>  <tier>  <result>  <attempts>  <dirty 0|1>  <last attempt ms or ->  <attempted digest or - or =>
///         <fingerprint digest or ->  <set index or ->  <score path or =>  <score id or =>
///         [<failed workflow or ->]
/// ```
/// `=` saves the bytes (and, when loading, the allocations) of the common case: the attempted digest
/// equal to the fingerprint's, and the Score path and id equal to those of the app's previous pair line.
/// Fields never hold a tab or a line break: `%`, tab and newline are written `%25`, `%09`, `%0A`. Readers
/// ignore line kinds they do not know, so fields and kinds may be added without a new version.
public enum AppliedStateCodec {
    public static let header = "innominatus-applied-state v1"

    /// Why a stored applied state cannot be used; the remedy is to delete the ref (everything runs once).
    public struct FormatError: Error, Sendable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String {
            "the applied state (\(AppliedStateStore.ref)) is unreadable at line \(line): \(message); delete the ref "
                + "to start afresh (every pair then runs once)"
        }
    }

    public static func encode(_ state: AppliedState) -> [UInt8] {
        // Bytes appended in place (a pass writes this twice, 4.5 MB for 10,000 apps); a fingerprint's shared
        // components are looked up first in the set its tier used last, which is nearly always the one.
        var out: [UInt8] = []
        var body: [UInt8] = []
        body.reserveCapacity(state.pairs.count * 150 + state.apps.count * 60)
        func add(_ text: String, to bytes: inout [UInt8]) {
            var text = text
            text.withUTF8 { bytes.append(contentsOf: $0) }
        }
        func field(_ text: String, to bytes: inout [UInt8]) {
            bytes.append(0x09)
            add(escape(text), to: &bytes)
        }
        add(header + "\ncommit\t" + (state.commit ?? "-") + "\nsettled\t" + (state.settled ? "1" : "0") + "\n", to: &out)
        for name in state.apps.keys.sorted() {
            let app = state.apps[name]!
            add("app", to: &body)
            field(name, to: &body)
            body.append(0x09)
            add(app.scoreID, to: &body)
            field(app.product ?? "-", to: &body)
            add(app.suspended ? "\t1" : "\t0", to: &body)
            if let resources = app.resources {
                add("\tr", to: &body)
                for resource in resources {
                    field(resource.name, to: &body)
                    field(resource.type, to: &body)
                    field(resource.class ?? "-", to: &body)
                    field(resource.id ?? "-", to: &body)
                }
            }
            body.append(0x0A)
        }
        var sets: [[String: String]: Int] = [:]
        var lastSet: [([String: String], Int)?] = Array(repeating: nil, count: Tier.allCases.count)
        var previousScore: (app: String, path: String, id: String)?
        for key in state.pairs.keys.sorted() {
            let record = state.pairs[key]!
            add("pair", to: &body)
            field(key.app, to: &body)
            field(key.tier.rawValue, to: &body)
            field(record.result.rawValue, to: &body)
            add("\t\(record.attempts)\t\(record.dirty ? 1 : 0)\t", to: &body)
            add(record.lastAttempt.map { String($0.millisecondsSinceEpoch) } ?? "-", to: &body)
            body.append(0x09)
            add(record.attemptedDigest.map { $0 == record.fingerprint?.digest ? "=" : $0 } ?? "-", to: &body)
            if let fingerprint = record.fingerprint {
                let index: Int
                if let (shared, known) = lastSet[key.tier.order], shared == fingerprint.shared {
                    index = known
                } else if let known = sets[fingerprint.shared] {
                    index = known
                } else {
                    index = sets.count
                    sets[fingerprint.shared] = index
                    add("set\t\(index)", to: &out)
                    for path in fingerprint.shared.keys.sorted() {
                        field(path, to: &out)
                        field(fingerprint.shared[path]!, to: &out)
                    }
                    out.append(0x0A)
                }
                lastSet[key.tier.order] = (fingerprint.shared, index)
                body.append(0x09)
                add(fingerprint.digest, to: &body)
                add("\t\(index)", to: &body)
                if let previous = previousScore, previous.app == key.app, previous.path == fingerprint.scorePath,
                   previous.id == fingerprint.scoreID {
                    add("\t=\t=", to: &body)
                } else {
                    field(fingerprint.scorePath, to: &body)
                    body.append(0x09)
                    add(fingerprint.scoreID, to: &body)
                    previousScore = (key.app, fingerprint.scorePath, fingerprint.scoreID)
                }
            } else {
                add("\t-\t-\t-\t-", to: &body)
            }
            if let failed = record.failedWorkflow { field(failed, to: &body) }
            body.append(0x0A)
        }
        return out + body
    }

    /// `bytes` with a last line `mac <hex HMAC-SHA256 of everything before it>`.
    public static func signed(_ bytes: [UInt8], key: StateKey) -> [UInt8] {
        bytes + Array("mac\t\(key.mac(bytes))\n".utf8)
    }

    /// The state without its `mac` line when that line authenticates everything before it; nil otherwise
    /// (no line, another key, or any byte changed).
    public static func authenticated(_ bytes: [UInt8], key: StateKey) -> [UInt8]? {
        var end = bytes.count
        if end > 0, bytes[end - 1] == 0x0A { end -= 1 }
        guard let newline = bytes[..<end].lastIndex(of: 0x0A) else { return nil }
        let line = String(decoding: bytes[(newline + 1)..<end], as: UTF8.self)
        guard line.hasPrefix("mac\t") else { return nil }
        let body = Array(bytes[...newline])
        return key.verify(body, mac: String(line.dropFirst(4))) ? body : nil
    }

    /// The commit, whether its pass settled, and whether any pair is dirty, from a scan of the lines that
    /// builds nothing else; nil when the bytes are not a well-formed state (decode them to learn why).
    public static func summary(_ bytes: [UInt8]) -> (commit: String?, settled: Bool, dirty: Bool)? {
        var line = Line(bytes: bytes)
        var commit: String?
        var settled = false
        var dirty = false
        while line.next() {
            if line.number == 1 {
                guard line.string(0) == header else { return nil }
            } else if line.is(0, "pair") {
                guard line.count >= 12 else { return nil }
                if line.is(5, "1") { dirty = true }
            } else if line.is(0, "commit") {
                guard line.count >= 2 else { return nil }
                commit = line.is(1, "-") ? nil : line.string(1)
            } else if line.is(0, "settled") {
                settled = line.is(1, "1")
            }
        }
        return (commit, settled, dirty)
    }

    /// The lines of a stored state that concern `apps` alone — the leading header, commit and settled
    /// lines, the `set` lines their pairs name, their `app` and `pair` lines — found by byte search, so
    /// that an incremental plan decodes a few lines of 40,000 (docs/ARCHITECTURE.md §18). Decoded, they
    /// give the state of those apps; nil when the bytes do not look like a state (decode them to learn why).
    /// - Parameter ordered: the bytes passed `isOrderedForSearch`: the lines are found by binary search.
    public static func excerpt(of bytes: UnsafeRawBufferPointer, apps: Set<String>, ordered: Bool = false) -> [UInt8]? {
        if ordered { return searchedExcerpt(of: bytes, apps: apps) }
        var out: [UInt8] = []
        // The leading lines, up to the first line of another kind.
        var position = 0
        while position < bytes.count {
            guard let end = index(of: [0x0A], in: bytes, from: position) else { return nil }
            let line = UnsafeRawBufferPointer(rebasing: bytes[position..<end])
            guard position == 0 || starts(line, with: "commit\t") || starts(line, with: "settled\t") else { break }
            out.append(contentsOf: bytes[position...end])
            position = end + 1
        }
        guard out.starts(with: Array((header + "\n").utf8)) else { return nil }
        var body: [UInt8] = []
        var sets: [Int: Bool] = [:]
        func lines(starting prefix: [UInt8]) -> [Range<Int>] {
            var found: [Range<Int>] = []
            var from = 0
            while let at = index(of: prefix, in: bytes, from: from) {
                let start = at + 1
                guard let end = index(of: [0x0A], in: bytes, from: start) else { break }
                found.append(start..<(end + 1))
                from = end
            }
            return found
        }
        for app in apps.sorted() {
            let name = Array(escape(app).utf8)
            for range in lines(starting: [0x0A] + Array("app\t".utf8) + name + [0x09]) { body.append(contentsOf: bytes[range]) }
            for range in lines(starting: [0x0A] + Array("pair\t".utf8) + name + [0x09]) {
                body.append(contentsOf: bytes[range])
                // The set it names: field 9.
                let fields = bytes[range].split(separator: 0x09, omittingEmptySubsequences: false)
                if fields.count > 9, let index = Int(String(decoding: fields[9], as: UTF8.self)) { sets[index] = true }
            }
        }
        for index in sets.keys.sorted() {
            for range in lines(starting: [0x0A] + Array("set\t\(index)\t".utf8)) { out.append(contentsOf: bytes[range]) }
        }
        return out + body
    }

    /// The state's platform pairs alone (no `app` lines, no other tier): the lines an incremental plan of a
    /// changed platform workflow reads for every app (docs/ARCHITECTURE.md §18), picked by their first
    /// fields before anything is decoded. A platform pair is its app's first line, so its Score fields are
    /// never `=`. `apps` are their apps in the order of their lines (the encoder's: by name).
    public static func platformPairs(of bytes: UnsafeRawBufferPointer) throws(FormatError) -> (state: AppliedState, apps: [String]) {
        var kept: [UInt8] = []
        kept.reserveCapacity(bytes.count / 3)
        guard let base = bytes.baseAddress else { return (try decode([]), []) }
        var names: [ArraySlice<UInt8>] = []
        var position = 0
        while position < bytes.count {
            let end = memchr(base + position, 0x0A, bytes.count - position).map { base.distance(to: UnsafeRawPointer($0)) } ?? bytes.count
            let line = UnsafeRawBufferPointer(rebasing: bytes[position..<end])
            var keep = position == 0 || starts(line, with: "set\t") || starts(line, with: "commit\t") || starts(line, with: "settled\t")
            if !keep, starts(line, with: "pair\t"), let tab = line.dropFirst(5).firstIndex(of: 0x09) {
                keep = starts(UnsafeRawBufferPointer(rebasing: line[(tab + 1)...]), with: "platform\t")
                if keep { names.append(ArraySlice(line[5..<tab])) }
            }
            if keep {
                kept.append(contentsOf: line)
                kept.append(0x0A)
            }
            position = end + 1
        }
        return (try decode(kept), names.map(unescape))
    }

    /// Where `needle` first occurs in `bytes` at or after `from`: memchr to each candidate first byte, then
    /// memcmp (Glibc's memmem is not visible to Swift).
    static func index(of needle: [UInt8], in bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
        guard let first = needle.first, let base = bytes.baseAddress else { return nil }
        return needle.withUnsafeBytes { needle -> Int? in
            guard let pattern = needle.baseAddress else { return nil }
            var at = from
            while at + needle.count <= bytes.count {
                guard let hit = memchr(base + at, Int32(first), bytes.count - at) else { return nil }
                let offset = base.distance(to: UnsafeRawPointer(hit))
                guard offset + needle.count <= bytes.count else { return nil }
                if memcmp(hit, pattern, needle.count) == 0 { return offset }
                at = offset + 1
            }
            return nil
        }
    }

    static func starts(_ line: UnsafeRawBufferPointer, with prefix: StaticString) -> Bool {
        line.count >= prefix.utf8CodeUnitCount && prefix.withUTF8Buffer { line.starts(with: $0) }
    }

    public static func decode(_ bytes: [UInt8]) throws(FormatError) -> AppliedState {
        var state = AppliedState()
        // About 120 bytes per pair line: reserving avoids rehashing 30,000 keys as the table grows.
        state.pairs.reserveCapacity(bytes.count / 120)
        state.apps.reserveCapacity(bytes.count / 400)
        var sets: [Int: [String: String]] = [:]
        var score = (app: "", path: "", id: "")
        var line = Line(bytes: bytes)
        while line.next() {
            let number = line.number
            if number == 1 {
                guard line.string(0) == header else {
                    throw FormatError(line: 1, message: "expected '\(header)', found '\(line.string(0))'")
                }
                continue
            }
            if line.is(0, "pair") {
                guard line.count >= 12 else { throw FormatError(line: number, message: "a pair line holds 11 fields") }
                guard let tier = Tier(rawValue: line.string(2)) else {
                    throw FormatError(line: number, message: "unknown tier '\(line.string(2))'")
                }
                let key = PairKey(app: line.string(1), tier: tier)
                if !line.is(10, "=") || key.app != score.app { score = (key.app, line.string(10), line.string(11)) }
                guard let result = PairResult(rawValue: line.string(3)), let attempts = line.integer(4) else {
                    throw FormatError(line: number, message: "bad result '\(line.string(3))' or attempts '\(line.string(4))'")
                }
                var fingerprint: Fingerprint?
                if !line.is(8, "-") {
                    guard let index = line.integer(9), let shared = sets[index] else {
                        throw FormatError(line: number, message: "the pair names set '\(line.string(9))', which no earlier line defines")
                    }
                    guard score.path != "=" else {
                        throw FormatError(line: number, message: "'=' for the Score of a pair whose app has no earlier pair line")
                    }
                    fingerprint = Fingerprint(shared: shared, scorePath: score.path, scoreID: score.id, digest: line.string(8))
                }
                let attempted: String? = line.is(7, "-") ? nil : line.is(7, "=") ? fingerprint?.digest : line.string(7)
                state.pairs[key] = PairRecord(
                    fingerprint: fingerprint, result: result, attempts: attempts, dirty: line.is(5, "1"),
                    lastAttempt: line.integer(6).map { Timestamp(millisecondsSinceEpoch: Int64($0)) }, attemptedDigest: attempted,
                    failedWorkflow: line.count > 12 && !line.is(12, "-") ? line.string(12) : nil)
            } else if line.is(0, "app") {
                guard line.count >= 5 else { throw FormatError(line: number, message: "an app line holds 4 fields") }
                var resources: [ResourceRef]?
                if line.count >= 6, line.is(5, "r") {
                    guard (line.count - 6) % 4 == 0 else { throw FormatError(line: number, message: "resources come in groups of 4 fields") }
                    resources = stride(from: 6, to: line.count, by: 4).map { field in
                        ResourceRef(name: line.string(field), type: line.string(field + 1),
                                    class: line.is(field + 2, "-") ? nil : line.string(field + 2),
                                    id: line.is(field + 3, "-") ? nil : line.string(field + 3))
                    }
                }
                state.apps[line.string(1)] = AppliedApp(scoreID: line.string(2), product: line.is(3, "-") ? nil : line.string(3),
                                                        suspended: line.is(4, "1"), resources: resources)
            } else if line.is(0, "set") {
                guard line.count >= 2, line.count % 2 == 0, let index = line.integer(1) else {
                    throw FormatError(line: number, message: "a set line holds an index and path/id pairs")
                }
                var components: [String: String] = [:]
                components.reserveCapacity((line.count - 2) / 2)
                var position = 2
                while position < line.count {
                    components[line.string(position)] = line.string(position + 1)
                    position += 2
                }
                sets[index] = components
            } else if line.is(0, "commit") {
                guard line.count >= 2 else { throw FormatError(line: number, message: "commit line without a value") }
                state.commit = line.is(1, "-") ? nil : line.string(1)
            } else if line.is(0, "settled") {
                state.settled = line.is(1, "1")
            }
        }
        return state
    }

    /// One line's tab-separated fields as byte ranges, so that only the fields kept become strings.
    struct Line {
        let bytes: [UInt8]
        var start = 0
        var number = 0
        var ranges: [Range<Int>] = []

        /// Where the current line starts (`start` is where the next one does).
        var lineStart = 0

        init(bytes: [UInt8]) {
            self.bytes = bytes
            ranges.reserveCapacity(32)
        }

        var count: Int { ranges.count }

        mutating func next() -> Bool {
            guard start < bytes.count else { return false }
            number += 1
            lineStart = start
            // memchr to the line's end, then to each tab (a byte loop costs several times more on 2 MB).
            var fields = ranges
            ranges = []
            fields.removeAll(keepingCapacity: true)
            let from = start
            let end = bytes.withUnsafeBytes { raw -> Int in
                guard let base = raw.baseAddress else { return from }
                let end = memchr(base + from, 0x0A, raw.count - from).map { base.distance(to: UnsafeRawPointer($0)) } ?? raw.count
                var fieldStart = from
                while fieldStart < end, let tab = memchr(base + fieldStart, 0x09, end - fieldStart) {
                    let at = base.distance(to: UnsafeRawPointer(tab))
                    fields.append(fieldStart..<at)
                    fieldStart = at + 1
                }
                fields.append(fieldStart..<end)
                return end
            }
            ranges = fields
            start = end + 1
            return true
        }

        func string(_ field: Int) -> String {
            field < ranges.count ? unescape(bytes[ranges[field]]) : ""
        }

        func `is`(_ field: Int, _ text: StaticString) -> Bool {
            guard field < ranges.count else { return false }
            let range = ranges[field]
            guard range.count == text.utf8CodeUnitCount else { return false }
            return text.withUTF8Buffer { buffer in
                var offset = 0
                for index in range {
                    if bytes[index] != buffer[offset] { return false }
                    offset += 1
                }
                return true
            }
        }

        func field(_ field: Int, contains byte: UInt8) -> Bool {
            field < ranges.count && bytes[ranges[field]].contains(byte)
        }

        func integer(_ field: Int) -> Int? {
            guard field < ranges.count, !ranges[field].isEmpty, ranges[field].count <= 18 else { return nil }
            var value = 0
            for index in ranges[field] {
                let digit = Int(bytes[index]) - 48
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
    }

    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x25 || $0 == 0x09 || $0 == 0x0A }) else { return text }
        return text.replacing("%", with: "%25").replacing("\t", with: "%09").replacing("\n", with: "%0A")
    }

    static func unescape(_ bytes: ArraySlice<UInt8>) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        guard bytes.contains(0x25) else { return text }
        return text.replacing("%09", with: "\t").replacing("%0A", with: "\n").replacing("%25", with: "%")
    }
}
