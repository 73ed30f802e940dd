import Foundation
import GitKit
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Planner
import Reconciler
import Specs

/// The status pages (docs/ARCHITECTURE.md §9, "Status pages"): HTML for people, from the same reads and
/// views as the JSON API (`PlatformView`, `AppView`, `WorkflowCatalog`), with the live-update stream, the
/// served assets and the sign-in form. Not in `openapi.yaml`, which describes the JSON API only.
extension ServerAPI {
    var pages: [APIRoute] {
        [
            APIRoute(method: .get, path: "/", access: .page, handler: overviewPage),
            APIRoute(method: .get, path: "/apps/{name}", access: .page, handler: appPage),
            APIRoute(method: .get, path: "/workflows", access: .page, handler: workflowsPage),
            APIRoute(method: .get, path: "/history", access: .page, handler: historyPage),
            APIRoute(method: .get, path: "/events", access: .page, handler: passEvents),
            APIRoute(method: .get, path: "/assets/{file}", access: .open, handler: asset),
            APIRoute(method: .get, path: "/login", access: .open, handler: loginForm),
            APIRoute(method: .post, path: "/login", access: .open, handler: login),
            APIRoute(method: .post, path: "/logout", access: .open, handler: logout),
        ]
    }

    /// No script but the served one, no style but the served sheet, no frames, forms only to this server.
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    /// An HTML answer with the pages' security headers; `timing`: `Server-Timing` (read and render, in ms).
    static func html(_ text: String, status: HTTPResponse.Status = .ok, timing: String? = nil,
                     extra: [(HTTPField.Name, String)] = []) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        if let timing { headers[HTTPField.Name("Server-Timing")!] = timing }
        for (name, value) in extra { headers[name] = value }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// Runs a page: measures the read and the rendering, and turns an error into an HTML page with its status.
    private func page(_ request: Request, _ render: (_ signOut: Bool, _ clock: inout PageClock) async throws -> String) async -> Response {
        var clock = PageClock()
        let signOut = request.cookies[WebSession.cookieName] != nil && !configuration.listen.isLoopback
        do {
            let text = try await render(signOut, &clock)
            return Self.html(text, timing: clock.header)
        } catch let error as HTTPError {
            return Self.html(LoginPage.message(title: error.status.reasonPhrase, text: error.body ?? "\(error)", signOut: signOut),
                             status: error.status)
        } catch {
            logger.error("page \(request.uri.path) failed: \(error)")
            return Self.html(LoginPage.message(title: "Internal error", text: "The server log has the details."),
                             status: .internalServerError)
        }
    }

    /// The overview's data for one read: made once however many requests share the read.
    private func statusBoard(_ read: PlatformView.Read<PlanningPass.Outcome>) async -> StatusBoard {
        await boards.value(key: read.number) { StatusBoard(read.value) }
    }

    /// `GET /?product=&result=&q=&page=`.
    func overviewPage(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        await page(request) { signOut, clock in
            let read = try await outcomeRead()
            var last: ReconcileStatus?
            do { last = try await latestRecorded()?.status } catch let error as HTTPError where error.status == .notFound { last = nil }
            let config = read.value.desired.config.delivery
            var environment: String?
            if config.enabled {
                environment = try? await read.value.repository.reference("refs/remotes/origin/" + config.branch)?.hex
            }
            var loopProblem: String?
            if let report = await health.lastReport, report.kind == .couldNotStart { loopProblem = report.message ?? "no reason given" }
            clock.lap("read")
            let board = await statusBoard(read)
            clock.lap("board")
            let filter = StatusBoard.Filter(query: FormFields(request.uri.query ?? ""))
            let text = OverviewPage(board: board, filter: filter, lastPass: last, environmentCommit: environment,
                                    loopProblem: loopProblem, signOut: signOut).render()
            clock.lap("render")
            return text
        }
    }

    /// `GET /apps/{name}`.
    func appPage(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        await page(request) { signOut, clock in
            let name = FormFields.decode(try context.parameters.require("name"), plusIsSpace: false)
            let read = try await outcomeRead()
            let outcome = read.value
            guard outcome.desired.apps[name] != nil || outcome.applied.apps[name] != nil else {
                throw HTTPError(.notFound, message: "No app '\(name)' on the branch or in the applied state.")
            }
            let history: [ReconcileStatus]
            do { history = try await view.history(app: name, limit: 20).value } catch { throw Self.unavailable(error) }
            clock.lap("read")
            let items = outcome.plan.items.filter { $0.app == name }
            let blocked = PreviewPass.blocked(in: Plan(commit: outcome.plan.commit, appliedCommit: outcome.plan.appliedCommit, items: items),
                                              desired: outcome.desired)
            let approvals = Dictionary(blocked.compactMap { entry in entry.approve.map { (entry.workflow, $0) } },
                                       uniquingKeysWith: { first, _ in first })
            let text = AppPage(app: AppView.view(of: name, outcome), history: history, approvals: approvals, signOut: signOut).render()
            clock.lap("render")
            return text
        }
    }

    /// `GET /workflows`.
    func workflowsPage(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        await page(request) { signOut, clock in
            let outcome = try await outcomeRead().value
            clock.lap("read")
            let blocked = Dictionary(PreviewPass.blocked(in: outcome.plan, desired: outcome.desired).map { ($0.workflow, $0) },
                                     uniquingKeysWith: { first, _ in first })
            let text = WorkflowsPage(catalog: WorkflowCatalog(outcome.desired), blocked: blocked, signOut: signOut).render()
            clock.lap("render")
            return text
        }
    }

    /// `GET /history`: the last 50 passes.
    func historyPage(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        await page(request) { signOut, clock in
            let passes: [ReconcileStatus]
            do { passes = try await view.history(app: nil, limit: 50).value } catch { throw Self.unavailable(error) }
            let subjects = await Self.subjects(of: passes.map(\.commit), cache: configuration.readSettings.workdir + "/cache.git")
            clock.lap("read")
            let text = HistoryPage(passes: passes, subjects: subjects, signOut: signOut).render()
            clock.lap("render")
            return text
        }
    }

    /// The first line of each commit's message, read from the read API's cache (which the history read has
    /// just fetched); a commit it lacks is left out.
    static func subjects(of commits: [String], cache: String) async -> [String: String] {
        guard let repository = try? Repository.open(at: cache) else { return [:] }
        var subjects: [String: String] = [:]
        for commit in Set(commits) {
            guard let id = ObjectID(hex: commit), let message = try? await repository.commitMessage(id) else { continue }
            subjects[commit] = String(message.split(separator: "\n", maxSplits: 1).first ?? "")
        }
        return subjects
    }

    /// `GET /events`: Server-Sent Events, one `pass` event when a pass of the loop ends.
    func passEvents(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        guard let stream = await events.subscribe() else {
            return Self.html(LoginPage.message(title: "Busy", text: "Too many pages are listening for live updates; reload later."),
                             status: .serviceUnavailable)
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            // The browser reconnects after a drop; 3 s keeps a restart of the server from going unnoticed.
            try await writer.write(ByteBuffer(string: "retry: 3000\n: connected\n\n"))
            for await event in stream { try await writer.write(ByteBuffer(string: event.text)) }
            try await writer.finish(nil)
        })
    }

    /// `GET /assets/{file}`: the style sheet, the script, the icon. Their URLs carry a digest of their
    /// content, so they may be cached.
    func asset(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        guard let asset = WebAssets.asset(named: try context.parameters.require("file")) else {
            throw HTTPError(.notFound, message: "no asset \(request.uri.path)")
        }
        var headers = HTTPFields()
        headers[.contentType] = asset.contentType
        headers[.cacheControl] = "public, max-age=86400"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: asset.body)))
    }

    /// `GET /login?next=PATH`.
    func loginForm(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let next = FormFields(request.uri.query ?? "")["next"]
        return Self.html(LoginPage.render(next: WebSession.destination(next)))
    }

    /// `POST /login` (form: `token`, `next`): the right token sets the session cookie and goes to `next`.
    func login(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let body = try await request.body.collect(upTo: 16 << 10)
        let form = FormFields(String(decoding: body.readableBytesView, as: UTF8.self))
        let next = WebSession.destination(form["next"])
        guard let token = configuration.apiToken else { return Self.html(LoginPage.disabled, status: .forbidden) }
        guard let given = form["token"], token.matches(Array(given.trimmingCharacters(in: .whitespacesAndNewlines).utf8)) else {
            context.logger.warning("sign-in to the status pages refused: wrong token")
            return Self.html(LoginPage.render(next: next, failed: true), status: .unauthorized)
        }
        let secure = request.headers[HTTPField.Name("X-Forwarded-Proto")!] == "https"
        var response = Self.html(LoginPage.message(title: "Signed in", text: "Signed in."), status: .seeOther,
                                 extra: [(.location, next)])
        response.headers[.setCookie] = WebSession(token: token).setCookie(secure: secure)
        return response
    }

    /// `POST /logout`: forgets the cookie.
    func logout(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        var response = Self.html(LoginPage.message(title: "Signed out", text: "Signed out."), status: .seeOther,
                                 extra: [(.location, "/login")])
        response.headers[.setCookie] = WebSession.clearCookie
        return response
    }

    /// Who may see a page on a listener that is not loopback: the bearer token, or the session cookie.
    enum PageAccess {
        case allowed, signIn, disabled
    }

    func pageAccess(_ request: Request) -> PageAccess {
        guard let token = configuration.apiToken else { return .disabled }
        let header = request.headers[.authorization] ?? ""
        if header.hasPrefix("Bearer "), token.matches(Array(header.utf8.dropFirst(7))) { return .allowed }
        if let cookie = request.cookies[WebSession.cookieName]?.value, WebSession(token: token).accepts(cookie) { return .allowed }
        return .signIn
    }

    /// A page asked for without access: the sign-in form (401), or why pages are off (403).
    func refusePage(_ request: Request, _ access: PageAccess) -> Response {
        if access == .disabled { return Self.html(LoginPage.disabled, status: .forbidden) }
        if request.uri.path == "/events" {
            return Self.html(LoginPage.message(title: "Sign in", text: "Sign in first."), status: .unauthorized)
        }
        return Self.html(LoginPage.render(next: WebSession.destination(request.uri.string)), status: .unauthorized)
    }
}

/// Time spent reading and rendering a page, for its `Server-Timing` header (a measurement for people and
/// benchmarks; no test asserts on it).
struct PageClock {
    private let clock = ContinuousClock()
    private var last: ContinuousClock.Instant
    private var laps: [(String, Duration)] = []

    init() { last = ContinuousClock.now }

    mutating func lap(_ name: String) {
        let now = clock.now
        laps.append((name, now - last))
        last = now
    }

    var header: String {
        laps.map { name, duration in
            let (seconds, attoseconds) = duration.components
            return "\(name);dur=" + String(format: "%.1f", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
        }.joined(separator: ", ")
    }
}
