import Hummingbird

/// One endpoint: method, path (OpenAPI form, `{name}` for parameters), who may call it, and the handler.
/// The server's routes are a list of these, so the router, the 405 answers and the OpenAPI test all
/// read the same table.
struct APIRoute: Sendable {
    /// Who may call an endpoint.
    enum Access: Sendable {
        /// Always open: `/healthz`, `/readyz` (probes carry no token).
        case open
        /// The read API: open on a loopback listener, bearer token otherwise.
        case read
        /// The write API: bearer token always; disabled (403) when no token is configured.
        case write
        /// Push webhooks: the forge's signature with the webhook secret; 404 when none is configured.
        case hook
        /// The status pages: as `read`, and the session cookie of `POST /login` is accepted beside the
        /// bearer token (the JSON API never accepts the cookie).
        case page
    }

    typealias Handler = @Sendable (Request, APIRequestContext) async throws -> Response

    var method: HTTPRequest.Method
    var path: String
    var access: Access
    var handler: Handler

    /// `/api/v1/apps/{name}` → `/api/v1/apps/:name`, Hummingbird's form.
    var routerPath: String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? ":" + segment.dropFirst().dropLast() : segment
        }.joined(separator: "/")
    }

    /// Whether a concrete request path matches this route's pattern.
    func matches(path requestPath: String) -> Bool {
        let pattern = path.split(separator: "/", omittingEmptySubsequences: false)
        let actual = requestPath.split(separator: "/", omittingEmptySubsequences: false)
        guard pattern.count == actual.count else { return false }
        return zip(pattern, actual).allSatisfy { expected, given in
            (expected.hasPrefix("{") && !given.isEmpty) || expected == given
        }
    }
}
