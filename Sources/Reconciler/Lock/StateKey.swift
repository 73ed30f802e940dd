import Crypto
import Foundation

/// The operator's secret that authenticates what the reconciler writes to the remote for itself — the
/// applied state and the lease — with HMAC-SHA256, so that someone who can push to the platform repository
/// cannot forge them (a forged "succeeded" would skip a security scan; a forged lease would stop every
/// reconciler).
///
/// It lives outside the repository: `--state-key FILE`, or by default `<workdir>/state.key`, generated
/// once (0600). Every reconciler of one remote needs the same key: one with another key sees the state as
/// unauthenticated (it re-runs every pair once and prunes nothing) and the lease as void.
public struct StateKey: Sendable {
    /// The secret's bytes (`SymmetricKey` is not `Sendable`; one is made per use).
    private let secret: [UInt8]
    /// Where it was read from, for messages.
    public let path: String

    /// Why the key could not be read or made.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public static let defaultName = "state.key"

    /// The key in `file`, or in `<workdir>/state.key`, made there when missing.
    public static func load(file: String?, workdir: String) throws(Failure) -> StateKey {
        let path = file ?? workdir + "/" + defaultName
        if file == nil, !FileManager.default.fileExists(atPath: path) { try generate(at: path) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(description: "cannot read the state key \(path): pass --state-key FILE (a secret of at least 32 characters)")
        }
        let secret = Array(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        guard secret.count >= 32 else {
            throw Failure(description: "the state key \(path) holds \(secret.count) characters; it needs at least 32 "
                + "(e.g. `openssl rand -hex 32 > \(path)`)")
        }
        return StateKey(secret: secret, path: path)
    }

    /// 32 random bytes as hex, written atomically with mode 0600 (a concurrent first run keeps one of them).
    private static func generate(at path: String) throws(Failure) {
        let folder = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let secret = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }.map { String(format: "%02x", $0) }.joined()
        let temporary = path + ".\(getpid()).\(UUID().uuidString).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot create the state key \(path): \(String(cString: strerror(errno)))") }
        let bytes = Array((secret + "\n").utf8)
        let written = write(fd, bytes, bytes.count)
        close(fd)
        // link() fails when another process made the key first: then theirs is the key.
        guard written == bytes.count, link(temporary, path) == 0 || errno == EEXIST else {
            unlink(temporary)
            throw Failure(description: "cannot create the state key \(path): \(String(cString: strerror(errno)))")
        }
        unlink(temporary)
    }

    init(secret: [UInt8], path: String) {
        self.secret = secret
        self.path = path
    }

    /// A key from a secret given directly (tests, tools).
    public init(secret: String) {
        self.init(secret: Array(secret.utf8), path: "(given)")
    }

    private var key: SymmetricKey { SymmetricKey(data: secret) }

    /// The hex HMAC-SHA256 of `bytes`.
    public func mac(_ bytes: some Sequence<UInt8>) -> String {
        Self.hexHMAC(of: bytes, key: secret)
    }

    /// The hex HMAC-SHA256 of `bytes` under `key`: the one form every MAC innominatus writes takes (the
    /// applied state and leases, webhook signatures, the status pages' session cookie).
    public static func hexHMAC(of bytes: some Sequence<UInt8>, key: [UInt8]) -> String {
        HMAC<SHA256>.authenticationCode(for: Array(bytes), using: SymmetricKey(data: key)).map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `mac` is the HMAC of `bytes` (compared in constant time).
    public func verify(_ bytes: some Sequence<UInt8>, mac: String) -> Bool {
        guard mac.utf8.count == 64, let code = Self.bytes(hex: mac) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: Array(bytes), using: key)
    }

    private static func bytes(hex: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(hex.utf8.count / 2)
        var iterator = hex.utf8.makeIterator()
        while let high = iterator.next() {
            guard let low = iterator.next(), let h = nibble(high), let l = nibble(low) else { return nil }
            out.append(h << 4 | l)
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 97...102: c - 87
        default: nil
        }
    }
}
