import Foundation

/// What a no-op pass needs from the applied state — its commit, whether that pass settled, whether any
/// pair is dirty — remembered by the blob's id in `<workdir>/applied-summary` (docs/ARCHITECTURE.md §12, §18).
/// A blob's id names its bytes, so once a blob was authenticated by the state key and scanned, the next
/// pass that finds the same id skips inflating, authenticating and scanning 4 MB. The line carries the
/// state key's HMAC: a workdir's file cannot make another key accept a state, and a file written by
/// anything else, torn or edited, is ignored (the state is then read as before).
struct AppliedSummary: Sendable, Equatable {
    var blob: String
    var commit: String?
    var settled: Bool
    var dirty: Bool

    static let fileName = "applied-summary"
    static let header = "innominatus-applied-summary v1"

    private var fields: String {
        "\(Self.header)\t\(blob)\t\(commit ?? "-")\t\(settled ? 1 : 0)\t\(dirty ? 1 : 0)"
    }

    /// The summary remembered for `blob`, nil when there is none for it under `key`.
    static func read(workdir: String, blob: String, key: StateKey) -> AppliedSummary? {
        guard let bytes = Workdir.contents(of: workdir + "/" + fileName), bytes.count < 512 else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.hasSuffix("\n") else { return nil }
        let fields = text.dropLast().split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 7, fields[0] == header, fields[1] == blob, ["0", "1"].contains(fields[3]), ["0", "1"].contains(fields[4])
        else { return nil }
        let summary = AppliedSummary(blob: blob, commit: fields[2] == "-" ? nil : fields[2], settled: fields[3] == "1",
                                     dirty: fields[4] == "1")
        return fields[5] == "mac" && key.verify(Array(summary.fields.utf8), mac: fields[6]) ? summary : nil
    }

    /// Remembers the summary; a file that cannot be written only costs the next pass the full read.
    func write(workdir: String, key: StateKey) {
        let line = fields + "\tmac\t" + key.mac(Array(fields.utf8)) + "\n"
        _ = Workdir.replace(workdir + "/" + Self.fileName, with: Array(line.utf8))
    }
}
