import Reconciler
import Foundation
import Hummingbird
import Logging

/// The HTTP API: the route table, access checks, and JSON answers. Handlers live in the extensions
/// `ServerAPI+Read` (status, apps, discovery, plan, validation) and `ServerAPI+Write` (reconcile, hooks,
/// metrics, health).
final class ServerAPI: Sendable {
    let configuration: ServerConfiguration
    let view: PlatformView
    let renders = RenderCache()
    /// The overview's data, made once per read of the platform.
    let boards = LastValue<StatusBoard>()
    /// Pass ends, told to the pages listening on `/events`.
    let events: LiveUpdates
    let alarm: LoopAlarm
    let health: LoopHealth
    let metrics: ServerMetrics
    let logger: Logger

    init(configuration: ServerConfiguration, alarm: LoopAlarm, health: LoopHealth, metrics: ServerMetrics, logger: Logger,
         events: LiveUpdates = LiveUpdates()) {
        self.configuration = configuration
        self.events = events
        view = PlatformView(settings: configuration.readSettings)
        self.alarm = alarm
        self.health = health
        self.metrics = metrics
        self.logger = logger
    }

    /// Every endpoint; `openapi.yaml` documents exactly these (a test checks it).
    var routes: [APIRoute] {
        [
            APIRoute(method: .get, path: "/healthz", access: .open, handler: healthz),
            APIRoute(method: .get, path: "/readyz", access: .open, handler: readyz),
            APIRoute(method: .get, path: "/metrics", access: .read, handler: metricsText),
            APIRoute(method: .get, path: "/api/v1/status", access: .read, handler: latestStatus),
            APIRoute(method: .get, path: "/api/v1/status/{commit}", access: .read, handler: commitStatus),
            APIRoute(method: .get, path: "/api/v1/apps", access: .read, handler: apps),
            APIRoute(method: .get, path: "/api/v1/apps/{name}", access: .read, handler: app),
            APIRoute(method: .get, path: "/api/v1/workflows", access: .read, handler: workflows),
            APIRoute(method: .get, path: "/api/v1/workflows/products", access: .read, handler: products),
            APIRoute(method: .get, path: "/api/v1/workflows/products/{product}", access: .read, handler: product),
            APIRoute(method: .get, path: "/api/v1/workflows/products/{product}/{workflow}", access: .read,
                     handler: productWorkflow),
            APIRoute(method: .post, path: "/api/v1/workflows/validate", access: .read, handler: validate),
            APIRoute(method: .get, path: "/api/v1/plan", access: .read, handler: plan),
            APIRoute(method: .get, path: "/api/v1/preview", access: .read, handler: preview),
            APIRoute(method: .post, path: "/api/v1/reconcile", access: .write, handler: reconcile),
            APIRoute(method: .post, path: "/hooks/git", access: .hook, handler: gitHook),
        ]
    }

    /// The JSON API's routes and the status pages' (`ServerAPI+Pages`).
    func router() -> Router<APIRequestContext> {
        let table = routes + pages
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: JSONErrorMiddleware(routes: table, maxBodyBytes: configuration.maxBodyBytes))
        for route in table {
            let guarded = guarding(route)
            router.on(RouterPath(route.routerPath), method: route.method) { request, context in
                try await guarded(request, context)
            }
        }
        return router
    }

    /// The handler behind its access check.
    private func guarding(_ route: APIRoute) -> APIRoute.Handler {
        let handler = route.handler
        switch route.access {
        case .open, .hook:
            return handler
        case .read:
            guard !configuration.listen.isLoopback else { return handler }
            return { [self] request, context in
                try authorize(request, what: "the read API (the server listens on \(configuration.listen), not loopback)")
                return try await handler(request, context)
            }
        case .write:
            return { [self] request, context in
                try authorize(request, what: "the write API")
                return try await handler(request, context)
            }
        case .page:
            guard !configuration.listen.isLoopback else { return handler }
            return { [self] request, context in
                let access = pageAccess(request)
                guard access == .allowed else { return refusePage(request, access) }
                return try await handler(request, context)
            }
        }
    }

    /// Checks `Authorization: Bearer TOKEN` in constant time; without a configured token the endpoint is
    /// disabled (403), never open.
    private func authorize(_ request: Request, what: String) throws {
        guard let token = configuration.apiToken else {
            throw HTTPError(.forbidden, message: "\(what) is disabled: start the server with --api-token-file or "
                + "INNOMINATUS_API_TOKEN to enable it")
        }
        let header = request.headers[.authorization] ?? ""
        let prefix = "Bearer "
        guard header.hasPrefix(prefix), token.matches(Array(header.utf8.dropFirst(prefix.utf8.count))) else {
            var headers = HTTPFields()
            headers[.wwwAuthenticate] = "Bearer"
            throw HTTPError(.unauthorized, headers: headers,
                            message: "\(what) needs 'Authorization: Bearer <token>' with the server's API token")
        }
    }

    /// A JSON answer from an Encodable value (keys sorted, so answers are stable).
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        raw(try jsonBytes(value), status: status)
    }

    static func jsonBytes(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    /// A JSON answer from text that already is JSON.
    static func raw(_ bytes: [UInt8], status: HTTPResponse.Status = .ok,
                    contentType: String = "application/json") -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A remote that cannot be read is the server's upstream failing: 503, with git's words.
    static func unavailable(_ error: any Error) -> HTTPError {
        HTTPError(.serviceUnavailable, message: "cannot read the platform repository: \(error)")
    }
}
