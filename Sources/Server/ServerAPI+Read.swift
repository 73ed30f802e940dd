import Foundation
import GitKit
import Hummingbird
import Planner
import Reconciler
import Specs

/// The read API: status notes, apps, workflow discovery, validation and the plan.
extension ServerAPI {
    /// `GET /api/v1/status`: the latest status note, as JSON (§7 fields, `commit` included): the note of
    /// the last applied commit, or the note this server's loop wrote last when that one is newer (a pass
    /// that failed as a whole — e.g. an invalid admin config — writes a note but moves no applied state).
    func latestStatus(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        guard let latest = try await latestRecorded() else {
            throw HTTPError(.notFound, message: "no pass has recorded a status yet")
        }
        return Self.raw(try await renders.bytes(route: "status", key: latest.key) {
            Array(try StatusRendering.json(latest.status).utf8)
        })
    }

    /// The latest recorded status (see `latestStatus`) and a key naming the reads it came from. Throws 404,
    /// saying why, when no pass has recorded one. The status pages show the same.
    func latestRecorded() async throws -> (status: ReconcileStatus, key: String)? {
        var recorded: ReconcileStatus?
        if let report = await health.lastReport, report.wroteNote { recorded = report.status }
        var applied: PlatformView.Read<ReconcileStatus>?
        do {
            applied = try await noteStatus(of: nil)
        } catch let error as HTTPError where error.status == .notFound && recorded != nil {
            applied = nil
        }
        guard let latest = [applied?.value, recorded].compactMap({ $0 }).max(by: { $0.startedAt < $1.startedAt }) else {
            return nil
        }
        return (latest, "\(applied?.number ?? 0) \(recorded.map { "\($0.commit) \($0.startedAt)" } ?? "-")")
    }

    /// `GET /api/v1/status/{commit}`.
    func commitStatus(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let commit = try context.parameters.require("commit")
        guard (4...64).contains(commit.count), commit.allSatisfy(\.isHexDigit) else {
            throw HTTPError(.badRequest, message: "'\(commit)' is not a commit id; give 4 to 64 hex digits")
        }
        return Self.raw(Array(try StatusRendering.json(try await noteStatus(of: commit).value).utf8))
    }

    /// The last ReconcileStatus in the note of `revision` (default: the last applied commit), or 404.
    ///
    /// A revision that is not a commit with a status note — unknown, ambiguous, a blob, a tree, a commit
    /// never reconciled — gets one and the same answer, which echoes only what was asked: the API must not
    /// tell a caller which objects the repository holds, nor of what type. A remote that cannot be read is
    /// 503, as elsewhere.
    private func noteStatus(of revision: String?) async throws -> PlatformView.Read<ReconcileStatus> {
        let found: PlatformView.Read<PlatformView.StatusAnswer>
        do {
            found = try await view.status(of: revision)
        } catch {
            if revision == nil, (error as? StatusReader.Failure)?.kind == .nothingApplied {
                throw HTTPError(.notFound, message: "nothing has been applied yet: no pass has recorded a status")
            }
            if let revision, Self.namesNoCommit(error) { throw Self.noStatus(revision) }
            throw Self.unavailable(error)
        }
        guard let status = found.value.status else {
            if let revision { throw Self.noStatus(revision) }
            throw HTTPError(.notFound, message: "the last applied commit \(found.value.commit) has no innominatus status note")
        }
        return PlatformView.Read(value: status, number: found.number)
    }

    /// The one answer for a revision with no status to show.
    static func noStatus(_ revision: String) -> HTTPError {
        HTTPError(.notFound, message: "no status for \(revision): no commit with an innominatus status note has this id "
            + "in the platform repository")
    }

    /// Whether looking `revision` up failed on the revision itself (it names nothing, several things, or
    /// something that is not a commit), not on reading the remote.
    static func namesNoCommit(_ error: any Error) -> Bool {
        if let failure = error as? StatusReader.Failure { return failure.kind == .noSuchCommit }
        guard let error = error as? GitError else { return false }
        return error.operation.hasPrefix("resolve ")
    }

    private func outcome() async throws -> PlanningPass.Outcome {
        try await outcomeRead().value
    }

    func outcomeRead() async throws -> PlatformView.Read<PlanningPass.Outcome> {
        do {
            return try await view.outcomeRead()
        } catch {
            throw Self.unavailable(error)
        }
    }

    /// `GET /api/v1/apps`.
    func apps(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let read = try await outcomeRead()
        struct Answer: Encodable {
            var commit: String
            var appliedCommit: String?
            var apps: [AppView]
        }
        return Self.raw(try await renders.bytes(route: "apps", key: "\(read.number)") {
            let outcome = read.value
            return try Self.jsonBytes(Answer(commit: outcome.plan.commit, appliedCommit: outcome.applied.commit,
                                             apps: AppView.all(outcome)))
        })
    }

    /// `GET /api/v1/apps/{name}`: the app with its last runs (newest first).
    func app(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let name = try context.parameters.require("name")
        let read = try await outcomeRead()
        let outcome = read.value
        guard outcome.desired.apps[name] != nil || outcome.applied.apps[name] != nil else {
            throw HTTPError(.notFound, message: "no app '\(name)' on the branch or in the applied state")
        }
        let history: PlatformView.Read<[ReconcileStatus]>
        do {
            history = try await view.history(app: name, limit: 10)
        } catch {
            throw Self.unavailable(error)
        }
        return Self.raw(try await renders.bytes(route: "app \(name)", key: "\(read.number) \(history.number)") {
            var app = AppView.view(of: name, outcome)
            app.lastRuns = AppView.runs(of: name, in: history.value)
            return try Self.jsonBytes(app)
        })
    }

    private func catalog() async throws -> WorkflowCatalog {
        WorkflowCatalog(try await outcome().desired)
    }

    /// `GET /api/v1/workflows?tier=&product=`.
    func workflows(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        var tier: Tier?
        if let text = query.get("tier") {
            guard let parsed = Tier(rawValue: text) else {
                throw HTTPError(.badRequest, message: "tier '\(text)' is not platform, product or application")
            }
            tier = parsed
        }
        let catalog = try await catalog()
        struct Answer: Encodable {
            var commit: String
            var workflows: [WorkflowEntry]
        }
        return try Self.json(Answer(commit: catalog.commit, workflows: catalog.filtered(tier: tier, product: query.get("product"))))
    }

    /// `GET /api/v1/workflows/products`.
    func products(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let catalog = try await catalog()
        struct Answer: Encodable {
            var commit: String
            var products: [ProductSummary]
        }
        return try Self.json(Answer(commit: catalog.commit, products: catalog.productSummaries))
    }

    /// `GET /api/v1/workflows/products/{product}`.
    func product(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let product = try context.parameters.require("product")
        let catalog = try await catalog()
        guard catalog.products.contains(product) else {
            throw HTTPError(.notFound, message: "no product '\(product)': no product workflows and no app declare it")
        }
        struct Answer: Encodable {
            var commit: String
            var product: String
            var workflows: [WorkflowEntry]
        }
        return try Self.json(Answer(commit: catalog.commit, product: product, workflows: catalog.workflows(ofProduct: product)))
    }

    /// `GET /api/v1/workflows/products/{product}/{workflow}`.
    func productWorkflow(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let product = try context.parameters.require("product")
        let name = try context.parameters.require("workflow")
        let catalog = try await catalog()
        guard let entry = catalog.workflow(product: product, name: name) else {
            throw HTTPError(.notFound, message: "no product workflow '\(product)/\(name)' on the branch")
        }
        return try Self.json(entry)
    }

    /// `POST /api/v1/workflows/validate`: the body is one workflow, Score or admin-config document (kind
    /// detected from its content); the answer is `innominatus validate --output json`'s document, with
    /// `valid`. `?path=` names the file in the messages.
    func validate(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let buffer = try await request.body.collect(upTo: configuration.maxBodyBytes)
        let bytes = Array(buffer.readableBytesView)
        guard !bytes.isEmpty else {
            throw HTTPError(.badRequest, message: "the body is empty; send the YAML of a workflow or Score file")
        }
        let path = request.uri.queryParameters.get("path") ?? "request.yaml"
        let report = SpecValidator().validate(bytes, path: path)
        var text = ValidationRendering.json([report])
        // Add `valid` to the validate command's JSON shape, which stays as it is.
        if text.hasPrefix("{") { text = "{\"valid\": \(report.isValid), " + text.dropFirst() }
        return Self.raw(Array(text.utf8))
    }

    /// `GET /api/v1/preview?ref=REF`: the preview's JSON (`innominatus preview --output json`). 400 without a
    /// valid ref, 404 for a ref or commit the remote does not have, 503 when the remote cannot be read.
    func preview(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        guard let text = request.uri.queryParameters.get("ref"), !text.isEmpty else {
            throw HTTPError(.badRequest, message: "name what to preview: ?ref=BRANCH, ?ref=refs/pull/N/head or ?ref=COMMIT")
        }
        let target: PlanningPass.Target
        do { target = try PlanningPass.Target(text) } catch { throw HTTPError(.badRequest, message: "\(error)") }
        do {
            let read = try await view.preview(target, resourceState: configuration.reconcile.workdir + "/resources")
            return Self.raw(Array(PreviewRendering.json(read.value).utf8))
        } catch let missing as PlanningPass.Target.NotFound {
            throw HTTPError(.notFound, message: missing.description)
        } catch {
            throw Self.unavailable(error)
        }
    }

    /// `GET /api/v1/plan`: what a pass would run now (§7 plan JSON); nothing is executed.
    func plan(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        Self.raw(Array(PlanRendering.json(try await outcome().plan).utf8))
    }
}
