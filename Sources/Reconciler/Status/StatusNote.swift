import Specs
import Yams

/// Reads and writes `ReconcileStatus` documents in a commit's note.
///
/// A note may hold several YAML documents from several writers (people, other tools, earlier passes):
/// innominatus appends its own and never rewrites the rest, and readers take the LAST document whose
/// `kind` is `ReconcileStatus`. Other writers' documents may be anything, hostile included, so each
/// document is first read with the spec reader's limits (size, alias expansion, depth) and skipped —
/// never fatal — when it is not a well-formed status.
public enum StatusNote {
    /// The status as one YAML document, starting with `---` so it can be appended to any note.
    public static func render(_ status: ReconcileStatus) throws -> String {
        var text = try YAMLEncoder().encode(status)
        if !text.hasSuffix("\n") { text += "\n" }
        return "---\n" + text
    }

    /// Limits for reading notes: a pass over many apps writes a larger document than any spec file.
    static let limits = SpecLimits(maxFileBytes: 64 << 20, maxExpandedNodes: 4_000_000, maxDepth: 64)

    /// The last `ReconcileStatus` in a note, or nil when it holds none.
    public static func lastStatus(in note: String) -> ReconcileStatus? {
        for document in documents(of: note).reversed() {
            let check = YAMLReader(limits: limits).read(Array(document.utf8), file: "note")
            guard check.diagnostics.allSatisfy({ $0.severity != .error }),
                  check.documents.first?["kind"]?.string == "ReconcileStatus" else { continue }
            if let status = try? YAMLDecoder().decode(ReconcileStatus.self, from: document) { return status }
        }
        return nil
    }

    /// Every `ReconcileStatus` in a note, oldest first (a commit polled by several passes, or by several
    /// reconcilers, has more than one).
    public static func allStatuses(in note: String) -> [ReconcileStatus] {
        documents(of: note).compactMap { lastStatus(in: $0) }
    }

    /// The note split at document markers (`---` alone at the start of a line).
    static func documents(of note: String) -> [String] {
        var documents: [String] = []
        var current = ""
        for line in note.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "---" || line.hasPrefix("--- ") {
                if !current.trimmingWhitespace.isEmpty { documents.append(current) }
                current = line == "---" ? "" : String(line.dropFirst(4)) + "\n"
            } else {
                current += line + "\n"
            }
        }
        if !current.trimmingWhitespace.isEmpty { documents.append(current) }
        return documents
    }
}

extension String {
    var trimmingWhitespace: Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map(index(after:)) ?? start
        return self[start..<max(start, end)]
    }
}
