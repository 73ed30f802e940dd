import Foundation
import Glibc

/// The loader's parse results kept in the workdir (`<workdir>/parse-cache`), so that a new process parses
/// no file it parsed before (docs/ARCHITECTURE.md §19). An optimisation only: an entry is a pure function
/// of its key (blob id, path) and the settings key, and anything unexpected in the file is a miss.
///
/// Tab-separated lines, fields escaped as in the applied state's stored form (`AppliedStateCodec.escape`):
/// ```
/// innominatus-parse-cache v1
/// key       <settings>                  the binary and limits it was made with (`PlanMemo.settingsKey`)
/// score     <blob> <path> …            a Score's facts (`ParseCacheCodec.scoreLine`)
/// workflow  <blob> <JSON>               a valid workflow's model and identity claims
/// invalid   <blob> <path> …            an invalid workflow's diagnostics
/// config    <blob> <path> <JSON>        a valid admin config
/// end       <number of entry lines>
/// ```
/// The file is replaced whole (written aside, then renamed), so a reader sees an old file or a new one;
/// a file without its `end` line, whose count does not match, with another header or key, is ignored.
struct ParseCache: Sendable {
    static let header = "innominatus-parse-cache v1"
    static let fileName = "parse-cache"
    /// Files larger than this are not read (a cache is never worth more than parsing).
    static let sizeLimit = 256 << 20

    let path: String
    let key: String
    /// The file as read; empty when there was none or it was ignored.
    private var stored: [UInt8] = []
    /// Entry key (the line's key fields, as written) → the line in `stored`, without its newline.
    private var index: [String: Range<Int>] = [:]
    /// Lines encoded by this process, by entry key; they win over `stored`.
    private var fresh: [String: [UInt8]] = [:]
    /// The entries the current load looked up or stored.
    private var used: Set<String> = []
    /// Whether the current load stored anything (then it is worth writing).
    private(set) var changed = false
    /// Why the file was ignored (INNOMINATUS_TIMINGS prints it), if it was.
    private(set) var ignored: String?

    init(workdir: String, key: String) {
        path = workdir + "/" + Self.fileName
        self.key = key
        read()
    }

    var storedCount: Int { index.count }

    /// The key of an entry: its kind and key fields, tab-separated and escaped as the line writes them.
    static func entryKey(_ kind: String, _ fields: String...) -> String {
        kind + fields.map { "\t" + AppliedStateCodec.escape($0) }.joined()
    }

    /// How many leading fields make the key of a line of `kind`; nil for a kind this version does not know.
    static func keyFields(of kind: ArraySlice<UInt8>) -> Int? {
        switch String(decoding: kind, as: UTF8.self) {
        case "score", "invalid", "config": 3
        case "workflow": 2
        default: nil
        }
    }

    /// The stored or fresh line of `key` (marked used), if there is one.
    mutating func line(_ key: String) -> ArraySlice<UInt8>? {
        if let line = fresh[key] {
            used.insert(key)
            return line[...]
        }
        guard let range = index[key] else { return nil }
        used.insert(key)
        return stored[range]
    }

    /// Keeps `key`'s entry in the next file although the load took it from memory.
    mutating func markUsed(_ key: String) {
        used.insert(key)
    }

    /// A line this process encoded (the key fields first, no newline).
    mutating func store(_ key: String, line: [UInt8]) {
        fresh[key] = line
        used.insert(key)
        changed = true
    }

    /// Starts a load: nothing used yet.
    mutating func beginLoad() {
        used.removeAll(keepingCapacity: true)
        changed = false
    }

    /// The next file: the entries the load used or, after a partial load (`keepingUnused`: some folders were
    /// not read, so their entries cannot be judged), every entry known. Returns the entry count too.
    func encoded(keepingUnused: Bool) -> (bytes: [UInt8], entries: Int) {
        var out: [UInt8] = []
        out.reserveCapacity(stored.count + fresh.values.reduce(0) { $0 + $1.count + 1 } + 256)
        out.append(contentsOf: (Self.header + "\nkey\t" + AppliedStateCodec.escape(key) + "\n").utf8)
        var entries = 0
        for (key, line) in fresh where keepingUnused || used.contains(key) {
            out.append(contentsOf: line)
            out.append(0x0A)
            entries += 1
        }
        for (key, range) in index where fresh[key] == nil && (keepingUnused || used.contains(key)) {
            out.append(contentsOf: stored[range])
            out.append(0x0A)
            entries += 1
        }
        out.append(contentsOf: "end\t\(entries)\n".utf8)
        return (out, entries)
    }

    /// Replaces the file (written aside, then renamed) when the load stored anything, or when a load that
    /// read every folder left entries unused (Scores an applied state now vouches for, files gone: every later
    /// process would read and index them for nothing); what it wrote becomes what this process knows as
    /// stored, so the next load in this process writes only if it changes something again. A failure to write leaves the old file: the cache only saves time.
    @discardableResult
    mutating func write(keepingUnused: Bool) -> Int? {
        guard changed || (!keepingUnused && index.keys.contains { !used.contains($0) }) else { return nil }
        let (bytes, entries) = encoded(keepingUnused: keepingUnused)
        guard Workdir.replace(path, with: bytes) else { return nil }
        changed = false
        if !keepingUnused { index = index.filter { used.contains($0.key) } }
        removeAbandonedCopies()
        return entries
    }

    /// Files written aside by writers killed before their rename (`parse-cache.<pid>.<n>.tmp`), once they
    /// are older than any write could take; a live writer's copy is younger.
    private func removeAbandonedCopies() {
        let folder = String(path.dropLast(Self.fileName.count))
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        let old = time(nil) - 600
        for name in names where name.hasPrefix(Self.fileName + ".") && name.hasSuffix(".tmp") {
            var info = stat()
            if lstat(folder + name, &info) == 0, info.st_mtim.tv_sec < old { unlink(folder + name) }
        }
    }

    // MARK: reading

    private mutating func read() {
        guard access(path, F_OK) == 0 else { return }
        guard let bytes = Workdir.contents(of: path, limit: Self.sizeLimit) else {
            return ignore("not a regular file of at most \(Self.sizeLimit) bytes, or unreadable")
        }
        guard let index = Self.index(bytes, key: key) else { return ignore(ignored ?? "malformed") }
        stored = bytes
        self.index = index
    }

    private mutating func ignore(_ why: String) {
        ignored = why
    }

    /// The entries of a whole, well-formed file made with `key`; nil otherwise.
    static func index(_ bytes: [UInt8], key: String) -> [String: Range<Int>]? {
        var line = AppliedStateCodec.Line(bytes: bytes)
        guard line.next(), line.count == 1, line.string(0) == header else { return nil }
        guard line.next(), line.count == 2, line.is(0, "key"), line.string(1) == key else { return nil }
        var index: [String: Range<Int>] = [:]
        index.reserveCapacity(bytes.count / 160)
        var entries = 0
        while line.next() {
            let range = line.lineStart..<(line.start - 1)
            if line.is(0, "end") {
                // The last line, ending the file, counting every entry line before it.
                guard line.start == bytes.count, bytes.last == 0x0A, line.count == 2, line.integer(1) == entries else { return nil }
                return index
            }
            entries += 1
            guard let fields = keyFields(of: bytes[line.ranges[0]]), line.count > fields else { continue }
            let end = line.ranges[fields - 1].upperBound
            index[String(decoding: bytes[range.lowerBound..<end], as: UTF8.self)] = range
        }
        return nil
    }
}
