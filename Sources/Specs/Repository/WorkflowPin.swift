import Crypto

/// The digest an `allowedProductWorkflows` entry pins: what the workflow runs, not only its YAML.
///
/// Two forms are read:
/// - `sha256:<64 hex digits>` (what `innominatus approve` writes): the SHA-256 of the workflow file and of
///   every file its `spec.inputs` name, as the lines `<path> NUL <git blob id> LF` sorted by the path's
///   UTF-8 bytes. Editing the script a pinned workflow runs, or adding a file its inputs glob matches,
///   breaks the pin.
/// - a bare git blob id (40 hex digits, or 64 in a SHA-256 repository): the workflow file alone, as pins
///   were written before. Such a pin does not cover the inputs; `validate DIR` warns about it.
public enum WorkflowPin {
    public static let prefix = "sha256:"

    /// The `sha256:` digest of a workflow file and the files its inputs name (path → git blob id).
    public static func digest(path: String, blobID: String, inputs: [String: String]) -> String {
        var files = inputs
        files[path] = blobID
        var hasher = SHA256()
        for (file, id) in files.sorted(by: { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }) {
            hasher.update(data: Array(file.utf8) + [0] + Array(id.lowercased().utf8) + [0x0a])
        }
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var out = Array(prefix.utf8)
        for byte in hasher.finalize() {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A pin of the workflow file's blob id alone (the form written before inputs were covered).
    public static func isBlobID(_ pin: String) -> Bool {
        !pin.hasPrefix(prefix)
    }

    /// Whether `pin` still approves the workflow at `path` with blob `blobID` and the resolved `inputs`.
    public static func matches(_ pin: String, path: String, blobID: String, inputs: [String: String]) -> Bool {
        if isBlobID(pin) { return pin.lowercased() == blobID.lowercased() }
        return pin.lowercased() == digest(path: path, blobID: blobID, inputs: inputs)
    }

    /// What the pin is compared with now, in the pin's own form (for "approved X, now Y").
    public static func current(for pin: String, path: String, blobID: String, inputs: [String: String]) -> String {
        isBlobID(pin) ? blobID : digest(path: path, blobID: blobID, inputs: inputs)
    }

    /// Whether `text` is a digest the admin config accepts: `sha256:` and 64 lowercase hex digits, or a
    /// git blob id of 40 (SHA-1) or 64 (SHA-256) lowercase hex digits.
    public static func isWellFormed(_ text: String) -> Bool {
        let hex = text.hasPrefix(prefix) ? Substring(text.dropFirst(prefix.count)) : Substring(text)
        let lengths = text.hasPrefix(prefix) ? [64] : [40, 64]
        return lengths.contains(hex.count) && hex.allSatisfy { $0.isASCII && $0.isHexDigit && !$0.isUppercase }
    }

    /// The rule, for error messages.
    public static let rule = "a digest is 'sha256:' followed by 64 lowercase hex digits (over the workflow file and "
        + "its inputs, what `innominatus approve` writes), or the git blob id of the workflow file alone (40 lowercase "
        + "hex digits)"
}
