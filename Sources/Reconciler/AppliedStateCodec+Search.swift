import Glibc

/// Finding a few apps' lines in a stored state of 10,000 by binary search rather than by scanning 4 MB
/// (docs/ARCHITECTURE.md §18). It relies on an order the encoder writes but no reader may assume, so the
/// order is checked once, when the plan memo's copy of the state is written, and the copy says so.
extension AppliedStateCodec {
    /// The kinds of the lines after the leading ones, in the order `encode` writes them.
    private static func rank(_ line: UnsafeRawBufferPointer) -> Int? {
        if starts(line, with: "set\t") { return 0 }
        if starts(line, with: "app\t") { return 1 }
        if starts(line, with: "pair\t") { return 2 }
        return nil
    }

    /// The second field of a line (the set's index, or the app's escaped name).
    private static func name(_ line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        guard let tab = line.firstIndex(of: 0x09) else { return UnsafeRawBufferPointer(rebasing: line[line.count...]) }
        let rest = line[(tab + 1)...]
        let end = rest.firstIndex(of: 0x09) ?? line.count
        return UnsafeRawBufferPointer(rebasing: line[(tab + 1)..<end])
    }

    /// The order of two escaped fields by the bytes they stand for (memcmp, then length): escaping changes
    /// the order (`%09`, a tab, sorts after a space), so a field holding `%` is compared unescaped.
    private static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        if a.contains(0x25) || b.contains(0x25) {
            let left = Array(unescape(ArraySlice(a)).utf8), right = Array(unescape(ArraySlice(b)).utf8)
            return left.withUnsafeBytes { left in right.withUnsafeBytes { right in compareBytes(left, right) } }
        }
        return compareBytes(a, b)
    }

    private static func compareBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let common = min(a.count, b.count)
        if common > 0, let left = a.baseAddress, let right = b.baseAddress {
            let order = memcmp(left, right, common)
            if order != 0 { return Int(order) }
        }
        return a.count - b.count
    }

    private static func number(_ field: UnsafeRawBufferPointer) -> Int? {
        guard !field.isEmpty, field.count < 10, field.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return field.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    /// Where the leading lines (header, commit, settled) end.
    private static func bodyStart(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var position = 0
        while position < bytes.count {
            guard let end = index(of: [0x0A], in: bytes, from: position) else { return nil }
            let line = UnsafeRawBufferPointer(rebasing: bytes[position..<end])
            guard position == 0 || starts(line, with: "commit\t") || starts(line, with: "settled\t") else { return position }
            position = end + 1
        }
        return position
    }

    /// Whether the lines after the leading ones are `set` lines numbered 0, 1, 2…, then `app` lines whose
    /// names rise in byte order (unescaped), then `pair` lines whose apps' names never fall: the order
    /// `encode` writes when app names are ASCII (String order is then byte order), which
    /// `excerpt(of:apps:ordered:)` needs.
    public static func isOrderedForSearch(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.starts(with: Array((header + "\n").utf8)), var position = bodyStart(bytes), bytes[bytes.count - 1] == 0x0A
        else { return false }
        var previousRank = 0
        var previousName = UnsafeRawBufferPointer(start: nil, count: 0)
        var nextSet = 0
        while position < bytes.count {
            guard let end = index(of: [0x0A], in: bytes, from: position) else { return false }
            let line = UnsafeRawBufferPointer(rebasing: bytes[position..<end])
            position = end + 1
            guard let rank = rank(line), rank >= previousRank else { return false }
            let field = name(line)
            switch rank {
            case 0:
                guard number(field) == nextSet else { return false }
                nextSet += 1
            case 1:
                guard rank != previousRank || compare(previousName, field) < 0 else { return false }
            default:
                guard rank != previousRank || compare(previousName, field) <= 0 else { return false }
            }
            previousRank = rank
            previousName = field
        }
        return true
    }

    /// The start of the first line at or after `low` (a line start) whose (kind, name) is not below
    /// (`rank`, `key`); `high` when there is none. Sets compare by number, apps and pairs by bytes.
    private static func lowerBound(rank: Int, key: UnsafeRawBufferPointer, in bytes: UnsafeRawBufferPointer, from low: Int) -> Int {
        var low = low
        var high = bytes.count
        let wanted = rank == 0 ? number(key) : nil
        while low < high {
            let middle = low + (high - low) / 2
            var start = middle
            while start > low, bytes[start - 1] != 0x0A { start -= 1 }
            let end = index(of: [0x0A], in: bytes, from: start) ?? bytes.count
            let line = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            let lineRank = Self.rank(line) ?? 3
            var below = lineRank < rank
            if lineRank == rank {
                let field = name(line)
                below = rank == 0 ? (number(field) ?? Int.max) < (wanted ?? 0) : compare(field, key) < 0
            }
            if below { low = end + 1 } else { high = start }
        }
        return min(low, bytes.count)
    }

    /// The lines from `start` whose (kind, name) is (`rank`, `key`).
    private static func lines(from start: Int, rank: Int, key: UnsafeRawBufferPointer, in bytes: UnsafeRawBufferPointer,
                              into out: inout [UInt8], each: (UnsafeRawBufferPointer) -> Void = { _ in }) {
        var position = start
        while position < bytes.count {
            let end = index(of: [0x0A], in: bytes, from: position) ?? bytes.count
            let line = UnsafeRawBufferPointer(rebasing: bytes[position..<end])
            guard Self.rank(line) == rank, compare(name(line), key) == 0 else { return }
            out.append(contentsOf: bytes[position..<min(end + 1, bytes.count)])
            each(line)
            position = end + 1
        }
    }

    /// `excerpt(of:apps:)` by binary search, for bytes `isOrderedForSearch` accepted.
    static func searchedExcerpt(of bytes: UnsafeRawBufferPointer, apps: Set<String>) -> [UInt8]? {
        guard let body = bodyStart(bytes), body > 0 else { return nil }
        var out = Array(bytes[..<body])
        guard out.starts(with: Array((header + "\n").utf8)) else { return nil }
        var records: [UInt8] = []
        var sets: Set<Int> = []
        for app in apps.sorted() {
            let name = Array(escape(app).utf8)
            name.withUnsafeBytes { key in
                lines(from: lowerBound(rank: 1, key: key, in: bytes, from: body), rank: 1, key: key, in: bytes, into: &records)
                lines(from: lowerBound(rank: 2, key: key, in: bytes, from: body), rank: 2, key: key, in: bytes, into: &records) { line in
                    // The set it names: field 9.
                    let fields = line.split(separator: 0x09, omittingEmptySubsequences: false)
                    if fields.count > 9, let index = number(UnsafeRawBufferPointer(rebasing: fields[9])) { sets.insert(index) }
                }
            }
        }
        for index in sets.sorted() {
            Array(String(index).utf8).withUnsafeBytes { key in
                lines(from: lowerBound(rank: 0, key: key, in: bytes, from: body), rank: 0, key: key, in: bytes, into: &out)
            }
        }
        return out + records
    }
}
