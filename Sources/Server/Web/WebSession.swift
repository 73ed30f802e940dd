import Foundation
import Reconciler

/// The browser's way to present the read token (docs/ARCHITECTURE.md §9, "Status pages"): `POST /login`
/// with the token sets a cookie, which the pages (never the JSON API) accept as they accept
/// `Authorization: Bearer`. The cookie holds no token: it is `EXPIRY.MAC`, an HMAC-SHA256 under the token
/// of its expiry, so it cannot be used as the bearer token, stops working after `lifetime`, and stops
/// working at once when the token is changed. It is HttpOnly (no script reads it) and SameSite=Strict (no
/// other site's page sends it).
struct WebSession: Sendable {
    static let cookieName = "innominatus_session"
    /// Seconds a sign-in lasts.
    static let lifetime = 12 * 3600

    let token: Secret

    /// A new cookie value, valid for `lifetime` from `now`.
    func value(now: Date = Date()) -> String {
        let expiry = Int(now.timeIntervalSince1970) + Self.lifetime
        return "\(expiry).\(mac(expiry))"
    }

    /// Whether `value` is a cookie this token made and that has not expired.
    func accepts(_ value: String, now: Date = Date()) -> Bool {
        let parts = value.split(separator: ".", maxSplits: 1)
        guard parts.count == 2, let expiry = Int(parts[0]), expiry > Int(now.timeIntervalSince1970),
              expiry <= Int(now.timeIntervalSince1970) + Self.lifetime else { return false }
        return ConstantTime.equal(Array(mac(expiry).utf8), Array(parts[1].utf8))
    }

    private func mac(_ expiry: Int) -> String {
        StateKey.hexHMAC(of: Array("innominatus web session \(expiry)".utf8), key: Array(token.bytes))
    }

    /// The `Set-Cookie` header that signs a browser in. `secure`: the request came over HTTPS (through a
    /// proxy that says so), so the browser must never send the cookie over plain HTTP.
    func setCookie(now: Date = Date(), secure: Bool) -> String {
        "\(Self.cookieName)=\(value(now: now)); Path=/; Max-Age=\(Self.lifetime); HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    /// The `Set-Cookie` header that signs a browser out.
    static let clearCookie = "\(cookieName)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"

    /// Where to go after signing in: a path of this server only (`/…`, never `//host` or a scheme), else `/`.
    static func destination(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.hasPrefix("/\\"),
              next.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f }) else { return "/" }
        return next
    }
}
