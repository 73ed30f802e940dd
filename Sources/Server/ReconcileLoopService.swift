import Foundation
import Logging
import Reconciler
import ServiceLifecycle

/// The poll loop (`WatchLoop`) as a `Service`, woken early when the alarm rings (webhook,
/// `POST /api/v1/reconcile`), with health and metrics recorded around each pass.
struct ReconcileLoopService: Service {
    let reconciler: PlatformReconciler
    let interval: Duration
    let maxBackoff: Duration
    let alarm: LoopAlarm
    let health: LoopHealth
    let metrics: ServerMetrics
    /// Told when a pass ends, for the status pages' live update.
    var events: LiveUpdates?
    let logger: Logger

    func run() async throws {
        // SIGTERM (graceful shutdown) cancels the loop: a running step is stopped and recorded as
        // interrupted by the reconciler, and the next start runs that pair again.
        await cancelWhenGracefulShutdown {
            await loop()
        }
    }

    private func loop() async {
        let loop = WatchLoop(reconciler: reconciler, interval: interval, maxBackoff: maxBackoff, alarm: alarm, logger: logger)
        await loop.run(willStart: {
            if let rung = await alarm.takeWebhookInstant() { metrics.recordWebhookWake(.now - rung) }
            await health.passStarted()
        }, onPass: { report, duration in
            metrics.recordPass(report, duration: duration, finishedAt: Date())
            await health.passFinished(report)
            if let event = Self.event(for: report) { await events?.publish(event) }
            switch report.kind {
            case .nothingToDo:
                break  // An idle pass is the reconciler's one log line.
            case .busy, .couldNotStart:
                // The loop says why and when it tries again, at warning or error level.
                if WatchLoop.descriptorShortage() != nil { metrics.recordOutOfDescriptors(where: "pass") }
            case .ran:
                logger.log(level: report.exitCode == 0 ? .info : .warning, "pass: \(PassSummary.text(report))")
            }
        })
    }
}

extension ReconcileLoopService {
    /// The event the status pages reload on: a pass that recorded something, or could not start (the
    /// pages say so). A pass with nothing to do, or one another reconciler kept busy, changes nothing shown.
    static func event(for report: PassReport) -> LiveUpdates.Event? {
        let kind: String
        switch report.kind {
        case .ran: kind = "ran"
        case .couldNotStart: kind = "could-not-start"
        case .nothingToDo, .busy: return nil
        }
        var fields = ["\"kind\":\"\(kind)\""]
        if let status = report.status {
            fields.append("\"commit\":\"\(status.commit)\"")
            fields.append("\"result\":\"\(status.result.rawValue)\"")
        }
        return .pass("{" + fields.joined(separator: ",") + "}")
    }
}

/// What `/readyz` and the status endpoints know about the loop without reading the remote.
actor LoopHealth {
    private(set) var passes = 0
    private(set) var running = false
    private(set) var lastReport: PassReport?
    private(set) var lastFinished: Date?

    func passStarted() { running = true }

    func passFinished(_ report: PassReport) {
        running = false
        passes += 1
        lastReport = report
        lastFinished = Date()
    }

    /// Ready when the last pass reached the remote (it fetched: anything but "could not start").
    var isReady: Bool {
        guard let lastReport else { return false }
        return lastReport.kind != .couldNotStart
    }
}
