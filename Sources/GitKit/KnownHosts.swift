import Crypto
import FoundationEssentials

/// An OpenSSH known_hosts file, checked the way `ssh` with `StrictHostKeyChecking yes` does:
/// plain and hashed (`|1|salt|hash`) host names, `[host]:port` for other ports, `*`/`?` patterns,
/// `!` negation and `@revoked` lines. `@cert-authority` lines are not supported and are ignored.
struct KnownHosts {
    struct Line {
        var patterns: [String]
        var hashed: (salt: [UInt8], hash: [UInt8])?
        var revoked: Bool
        var key: [UInt8]
    }

    enum Verdict: Equatable {
        case trusted
        case unknown
        case changed
        case revoked
    }

    let lines: [Line]

    init(text: String) {
        var lines: [Line] = []
        for rawLine in text.split(whereSeparator: \.isNewline) {
            var fields = rawLine.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let first = fields.first, !first.hasPrefix("#") else { continue }
            var revoked = false
            if first.hasPrefix("@") {
                guard first == "@revoked" else { continue }
                revoked = true
                fields.removeFirst()
            }
            guard fields.count >= 3, let key = Data(base64Encoded: fields[2]) else { continue }
            var line = Line(patterns: [], hashed: nil, revoked: revoked, key: Array(key))
            if fields[0].hasPrefix("|1|") {
                let parts = fields[0].split(separator: "|")
                guard parts.count == 3, let salt = Data(base64Encoded: String(parts[1])),
                      let hash = Data(base64Encoded: String(parts[2])) else { continue }
                line.hashed = (Array(salt), Array(hash))
            } else {
                line.patterns = fields[0].split(separator: ",").map(String.init)
            }
            lines.append(line)
        }
        self.lines = lines
    }

    /// The name ssh looks up: `host` on port 22, `[host]:port` otherwise.
    static func lookupName(host: String, port: Int?) -> String {
        guard let port, port != 22 else { return host }
        return "[\(host)]:\(port)"
    }

    func verdict(host name: String, key: [UInt8]) -> Verdict {
        var hostKnown = false
        for line in lines where matches(line, name) {
            if line.key == key {
                if line.revoked { return .revoked }
                if !lines.contains(where: { $0.revoked && $0.key == key }) { return .trusted }
                return .revoked
            }
            if !line.revoked { hostKnown = true }
        }
        return hostKnown ? .changed : .unknown
    }

    private func matches(_ line: Line, _ name: String) -> Bool {
        if let hashed = line.hashed {
            let code = HMAC<Insecure.SHA1>.authenticationCode(for: Array(name.utf8), using: SymmetricKey(data: hashed.salt))
            return Array(code) == hashed.hash
        }
        var matched = false
        for pattern in line.patterns {
            if pattern.hasPrefix("!") {
                if Self.glob(String(pattern.dropFirst()), name) { return false }
            } else if Self.glob(pattern, name) {
                matched = true
            }
        }
        return matched
    }

    /// OpenSSH-style wildcard match: `*` any run, `?` one character; case-insensitive like host names.
    static func glob(_ pattern: String, _ text: String) -> Bool {
        let pattern = Array(pattern.lowercased().utf8), text = Array(text.lowercased().utf8)
        var p = 0, t = 0, star = -1, mark = 0
        while t < text.count {
            if p < pattern.count && (pattern[p] == UInt8(ascii: "?") || pattern[p] == text[t]) {
                p += 1; t += 1
            } else if p < pattern.count && pattern[p] == UInt8(ascii: "*") {
                star = p; mark = t; p += 1
            } else if star >= 0 {
                p = star + 1; mark += 1; t = mark
            } else {
                return false
            }
        }
        while p < pattern.count && pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }
}
