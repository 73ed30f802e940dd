import Planner
import Specs

/// The applied state's stored form: tab-separated lines, one per pair, that load in milliseconds for
/// 10,000 apps (YAML would take seconds, and notes are for people).
///
/// ```
/// innominatus-applied-state v1
/// commit  <sha or ->
/// set     <index>  <path> <id> <path> <id> …        shared fingerprint components, stored once
/// app     <name>  <score id>  <product or ->  <suspended 0|1>
/// pair    <app>  <tier>  <result>  <attempts>  <dirty 0|1>  <last attempt ms or ->  <attempted digest or - or =>
///         <fingerprint digest or ->  <set index or ->  <score path or =>  <score id or =>
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
        var out = header + "\n"
        out += "commit\t" + (state.commit ?? "-") + "\n"
        var sets: [[String: String]: Int] = [:]
        var body = ""
        for name in state.apps.keys.sorted() {
            let app = state.apps[name]!
            body += "app\t\(escape(name))\t\(app.scoreID)\t\(app.product.map(escape) ?? "-")\t\(app.suspended ? 1 : 0)\n"
        }
        var previousScore: (app: String, path: String, id: String)?
        for key in state.pairs.keys.sorted() {
            let record = state.pairs[key]!
            var setField = "-"
            var digest = "-", scorePath = "-", scoreID = "-"
            if let fingerprint = record.fingerprint {
                let index: Int
                if let known = sets[fingerprint.shared] {
                    index = known
                } else {
                    index = sets.count
                    sets[fingerprint.shared] = index
                    out += "set\t\(index)"
                    for path in fingerprint.shared.keys.sorted() {
                        out += "\t\(escape(path))\t\(escape(fingerprint.shared[path]!))"
                    }
                    out += "\n"
                }
                setField = String(index)
                digest = fingerprint.digest
                if let previous = previousScore, previous.app == key.app, previous.path == fingerprint.scorePath,
                   previous.id == fingerprint.scoreID {
                    scorePath = "="
                    scoreID = "="
                } else {
                    scorePath = escape(fingerprint.scorePath)
                    scoreID = fingerprint.scoreID
                    previousScore = (key.app, fingerprint.scorePath, fingerprint.scoreID)
                }
            }
            let attempted = record.attemptedDigest.map { $0 == record.fingerprint?.digest ? "=" : $0 } ?? "-"
            body += "pair\t\(escape(key.app))\t\(key.tier.rawValue)\t\(record.result.rawValue)\t\(record.attempts)\t"
                + "\(record.dirty ? 1 : 0)\t\(record.lastAttempt.map { String($0.millisecondsSinceEpoch) } ?? "-")\t"
                + "\(attempted)\t\(digest)\t\(setField)\t\(scorePath)\t\(scoreID)\n"
        }
        return Array((out + body).utf8)
    }

    public static func decode(_ bytes: [UInt8]) throws(FormatError) -> AppliedState {
        var state = AppliedState()
        // About 150 bytes per pair line: reserving avoids rehashing 30,000 keys as the table grows.
        state.pairs.reserveCapacity(bytes.count / 150)
        state.apps.reserveCapacity(bytes.count / 450)
        var sets: [Int: [String: String]] = [:]
        var score = (app: "", path: "", id: "")
        var lineNumber = 0
        var start = 0
        let tab = UInt8(ascii: "\t")
        var fields: [String] = []
        fields.reserveCapacity(16)
        while start < bytes.count {
            lineNumber += 1
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
            fields.removeAll(keepingCapacity: true)
            var fieldStart = start
            for index in start...end where index == end || bytes[index] == tab {
                fields.append(unescape(bytes[fieldStart..<index]))
                fieldStart = index + 1
            }
            let line = lineNumber
            start = end + 1
            if line == 1 {
                guard fields.first == header else {
                    throw FormatError(line: 1, message: "expected '\(header)', found '\(fields.first ?? "")'")
                }
                continue
            }
            switch fields[0] {
            case "commit":
                guard fields.count >= 2 else { throw FormatError(line: line, message: "commit line without a value") }
                state.commit = fields[1] == "-" ? nil : fields[1]
            case "set":
                guard fields.count >= 2, fields.count % 2 == 0, let index = Int(fields[1]) else {
                    throw FormatError(line: line, message: "a set line holds an index and path/id pairs")
                }
                var components: [String: String] = [:]
                components.reserveCapacity((fields.count - 2) / 2)
                var position = 2
                while position < fields.count {
                    components[fields[position]] = fields[position + 1]
                    position += 2
                }
                sets[index] = components
            case "app":
                guard fields.count >= 5 else { throw FormatError(line: line, message: "an app line holds 4 fields") }
                state.apps[fields[1]] = AppliedApp(scoreID: fields[2], product: fields[3] == "-" ? nil : fields[3],
                                                   suspended: fields[4] == "1")
            case "pair":
                let key = try pairKey(fields, line: line)
                if fields[10] != "=" || key.app != score.app {
                    score = (key.app, fields[10], fields[11])
                }
                state.pairs[key] = try pairRecord(fields, sets: sets, score: (score.path, score.id), line: line)
            default:
                continue
            }
        }
        return state
    }

    private static func pairKey(_ fields: [String], line: Int) throws(FormatError) -> PairKey {
        guard fields.count >= 12 else { throw FormatError(line: line, message: "a pair line holds 11 fields") }
        guard let tier = Tier(rawValue: fields[2]) else { throw FormatError(line: line, message: "unknown tier '\(fields[2])'") }
        return PairKey(app: fields[1], tier: tier)
    }

    private static func pairRecord(_ fields: [String], sets: [Int: [String: String]], score: (path: String, id: String),
                                   line: Int) throws(FormatError) -> PairRecord {
        guard let result = PairResult(rawValue: fields[3]), let attempts = Int(fields[4]) else {
            throw FormatError(line: line, message: "bad result '\(fields[3])' or attempts '\(fields[4])'")
        }
        var fingerprint: Fingerprint?
        if fields[8] != "-" {
            guard let index = Int(fields[9]), let shared = sets[index] else {
                throw FormatError(line: line, message: "the pair names set '\(fields[9])', which no earlier line defines")
            }
            guard score.path != "=" else {
                throw FormatError(line: line, message: "'=' for the Score of a pair whose app has no earlier pair line")
            }
            fingerprint = Fingerprint(shared: shared, scorePath: score.path, scoreID: score.id, digest: fields[8])
        }
        return PairRecord(fingerprint: fingerprint, result: result, attempts: attempts, dirty: fields[5] == "1",
                          lastAttempt: Int64(fields[6]).map { Timestamp(millisecondsSinceEpoch: $0) },
                          attemptedDigest: fields[7] == "-" ? nil : fields[7] == "=" ? fingerprint?.digest : fields[7])
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
