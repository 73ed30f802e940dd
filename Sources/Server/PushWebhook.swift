import Crypto
import Foundation

/// A push webhook from GitHub, Gitea or GitLab, checked against the shared secret and read for the one
/// thing the loop needs: which branch moved. The repository URL in the payload is not compared (a forge
/// reports its own URL, which often differs from the one the reconciler clones).
struct PushWebhook {
    enum Forge: String {
        case github, gitea, gitlab
    }

    /// What to answer.
    enum Verdict: Equatable {
        /// A push to the watched branch: wake the loop.
        case wake(branch: String)
        /// Authentic, but not a push to the watched branch (another event, a tag, another branch).
        case ignore(reason: String)
        /// Missing or wrong signature: 401, nothing changes.
        case unauthorized(reason: String)
        /// Authentic but unreadable.
        case malformed(reason: String)
    }

    let secret: Secret
    let branch: String

    /// `headers` with lowercased names.
    func judge(headers: [String: String], body: [UInt8]) -> Verdict {
        let forge: Forge
        // Gitea also sends X-Hub-Signature-256 (same HMAC); either is checked the same way.
        if let signature = headers["x-hub-signature-256"] {
            guard signature.hasPrefix("sha256="), verifyHMAC(hex: String(signature.dropFirst(7)), body: body) else {
                return .unauthorized(reason: "the X-Hub-Signature-256 signature does not match the body")
            }
            forge = headers["x-gitea-event"] != nil ? .gitea : .github
        } else if let signature = headers["x-gitea-signature"] {
            guard verifyHMAC(hex: signature, body: body) else {
                return .unauthorized(reason: "the X-Gitea-Signature signature does not match the body")
            }
            forge = .gitea
        } else if let token = headers["x-gitlab-token"] {
            guard secret.matches(Array(token.utf8)) else {
                return .unauthorized(reason: "the X-Gitlab-Token does not match the webhook secret")
            }
            forge = .gitlab
        } else {
            return .unauthorized(reason: "no X-Hub-Signature-256, X-Gitea-Signature or X-Gitlab-Token header")
        }
        let event: String?
        switch forge {
        case .github: event = headers["x-github-event"]
        case .gitea: event = headers["x-gitea-event"] ?? headers["x-github-event"]
        case .gitlab: event = headers["x-gitlab-event"]
        }
        let isPush = forge == .gitlab ? event == "Push Hook" : event == "push"
        guard isPush else { return .ignore(reason: "\(forge.rawValue) event '\(event ?? "none")' is not a push") }
        struct Payload: Decodable {
            var ref: String?
        }
        guard let payload = try? JSONDecoder().decode(Payload.self, from: Data(body)), let ref = payload.ref else {
            return .malformed(reason: "the push payload is not JSON with a 'ref' field")
        }
        let prefix = "refs/heads/"
        guard ref.hasPrefix(prefix) else { return .ignore(reason: "\(ref) is not a branch") }
        let pushed = String(ref.dropFirst(prefix.count))
        guard pushed == branch else { return .ignore(reason: "branch '\(pushed)' is not the watched branch '\(branch)'") }
        return .wake(branch: pushed)
    }

    /// HMAC-SHA256 of the body with the secret, compared with the hex digest in constant time.
    private func verifyHMAC(hex: String, body: [UInt8]) -> Bool {
        guard let given = Self.bytes(fromHex: hex) else { return false }
        let key = SymmetricKey(data: secret.bytes)
        return HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: body, using: key)
    }

    static func bytes(fromHex hex: String) -> [UInt8]? {
        let scalars = Array(hex.utf8)
        guard scalars.count % 2 == 0, !scalars.isEmpty else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(scalars.count / 2)
        var index = 0
        while index < scalars.count {
            guard let high = nibble(scalars[index]), let low = nibble(scalars[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
