import Foundation
import Hummingbird
import Logging
import Reconciler

/// Health, metrics, the write API and the push webhooks.
extension ServerAPI {
    /// `GET /healthz`: the process answers.
    func healthz(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        try Self.json(["status": "ok"])
    }

    /// `GET /readyz`: 200 once the last pass reached the remote, 503 before the first pass or while the
    /// remote cannot be read.
    func readyz(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        struct Answer: Encodable {
            var ready: Bool
            var passes: Int
            var lastPass: String?
        }
        let ready = await health.isReady
        let answer = Answer(ready: ready, passes: await health.passes,
                            lastPass: await health.lastReport.map(PassSummary.text))
        return try Self.json(answer, status: ready ? .ok : .serviceUnavailable)
    }

    /// `GET /metrics`: Prometheus text.
    func metricsText(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        Self.raw(Array(metrics.text().utf8), contentType: "text/plain; version=0.0.4; charset=utf-8")
    }

    /// `POST /api/v1/reconcile`: wakes the loop (the pass plans from the head, as always).
    func reconcile(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        await alarm.ring()
        context.logger.info("reconcile requested through the API")
        return try Self.json(["result": "reconcile", "message": "the loop will start a pass now"], status: .accepted)
    }

    /// `POST /hooks/git`: a push webhook (GitHub, Gitea, GitLab), checked with the shared secret.
    func gitHook(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        guard let secret = configuration.webhookSecret else {
            throw HTTPError(.notFound, message: "webhooks are not enabled: start the server with --webhook-secret-file "
                + "or INNOMINATUS_WEBHOOK_SECRET")
        }
        let body = Array(try await request.body.collect(upTo: configuration.maxBodyBytes).readableBytesView)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let hook = PushWebhook(secret: secret, branch: configuration.reconcile.branch)
        switch hook.judge(headers: headers, body: body) {
        case .unauthorized(let reason):
            metrics.recordWebhook("unauthorized")
            context.logger.warning("webhook refused: \(reason)")
            throw HTTPError(.unauthorized, message: reason)
        case .malformed(let reason):
            metrics.recordWebhook("malformed")
            throw HTTPError(.badRequest, message: reason)
        case .ignore(let reason):
            metrics.recordWebhook("ignored")
            return try Self.json(["result": "ignored", "message": reason], status: .accepted)
        case .wake(let branch):
            metrics.recordWebhook("push")
            await alarm.ring(fromWebhook: true)
            context.logger.info("push to \(branch): waking the loop")
            return try Self.json(["result": "reconcile", "message": "push to \(branch): the loop will start a pass now"],
                                 status: .accepted)
        }
    }
}
