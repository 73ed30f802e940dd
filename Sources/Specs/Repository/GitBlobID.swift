import Crypto

/// The git blob id (SHA-1 of `blob <size>\0<content>`) of a file's bytes: what `WorkflowPin` digests
/// (and what older `allowedProductWorkflows` pins hold), computed here so `innominatus validate DIR` and
/// `approve` can compute a pin without a git repository at hand.
public enum GitBlobID {
    public static func of(_ bytes: [UInt8]) -> String {
        var hasher = Insecure.SHA1()
        hasher.update(data: Array("blob \(bytes.count)\u{0}".utf8))
        hasher.update(data: bytes)
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in hasher.finalize() {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
