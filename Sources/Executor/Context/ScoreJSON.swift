import Foundation
import Specs

/// The app's Score as JSON, for `SCORE_JSON`: step scripts read it with any JSON parser instead of
/// parsing YAML themselves (which Python's standard library, for one, cannot).
///
/// The document as the validator read it: YAML 1.1 scalars resolved as a JSON Schema validator sees them
/// (`8080` a number, `"0.5"` and `500m` strings, `~` null), aliases expanded, keys in file order, the
/// deprecated list forms of `files` and `volumes` as written. A float YAML may hold but JSON may not
/// (`.inf`, `.nan`) becomes the string as written.
enum ScoreJSON {
    static let fileName = "score.json"

    /// Writes the Score at `scoreFile` (absolute, or relative to `root`) as JSON into `scratch` (mode 0600)
    /// and returns the file's path; nil when the file cannot be read as one YAML document.
    /// - Parameter owner: the user steps run as: the file stays the reconciler's (no step may change what a
    ///   later tier reads) but becomes readable (0644) in the run's unlistable folder.
    static func write(scoreFile: String, root: String, into scratch: String, owner: StepUser? = nil) -> String? {
        let path = scoreFile.hasPrefix("/") ? scoreFile : root + "/" + scoreFile
        // The validator refuses larger spec files, so a larger one is not a Score.
        guard let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue,
              size <= SpecLimits.default.maxFileBytes, let data = FileManager.default.contents(atPath: path) else { return nil }
        let read = YAMLReader().read(Array(data), file: scoreFile)
        guard !read.diagnostics.contains(where: { $0.severity == .error }), read.documents.count == 1 else { return nil }
        var text = ""
        append(read.documents[0], to: &text)
        text += "\n"
        let target = scratch + "/" + fileName
        let file = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard file >= 0 else { return nil }
        defer { close(file) }
        if owner != nil, fchmod(file, 0o644) != 0 { return nil }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Foundation.write(file, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return nil }
            offset += written
        }
        return target
    }

    /// `node` as JSON text, appended to `text`.
    static func append(_ node: YAMLNode, to text: inout String) {
        switch node.value {
        case .null: text += "null"
        case .bool(let flag): text += flag ? "true" : "false"
        case .int(let number): text += String(number)
        case .float(let number): text += number.isFinite ? "\(number)" : JSONString.quote(node.text.isEmpty ? "\(number)" : node.text)
        case .string(let string): text += JSONString.quote(string)
        case .sequence(let items):
            text += "["
            for (index, item) in items.enumerated() {
                if index > 0 { text += "," }
                append(item, to: &text)
            }
            text += "]"
        case .mapping(let entries):
            text += "{"
            for (index, entry) in entries.enumerated() {
                if index > 0 { text += "," }
                text += JSONString.quote(entry.key) + ":"
                append(entry.value, to: &text)
            }
            text += "}"
        }
    }
}
