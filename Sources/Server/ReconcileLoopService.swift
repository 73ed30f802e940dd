import Foundation
import Logging
import Reconciler
import ServiceLifecycle

/// The poll loop as a `Service`: a pass at start, then a pass every interval (with up to 10% jitter), or
/// sooner when the alarm rings (webhook, `POST /api/v1/reconcile`). Level-based like `WatchLoop` — every
/// pass plans from the branch head and the applied state; a ring only shortens the wait.
///
/// This repeats `WatchLoop`'s delay rule (interval + jitter, doubling backoff while passes cannot start)
/// because `WatchLoop` has no way to be woken; see the report's request for a wake-up hook there.
struct ReconcileLoopService: Service {
    let reconciler: PlatformReconciler
    let interval: Duration
    let maxBackoff: Duration
    let alarm: LoopAlarm
    let health: LoopHealth
    let metrics: ServerMetrics
    let logger: Logger

    func run() async throws {
        // SIGTERM (graceful shutdown) cancels the loop: a running step is stopped and recorded as
        // interrupted by the reconciler, and the next start runs that pair again.
        await cancelWhenGracefulShutdown {
            await loop()
        }
    }

    private func loop() async {
        var failures = 0
        while !Task.isCancelled {
            let clock = ContinuousClock()
            let start = clock.now
            if let rung = await alarm.takeWebhookInstant() { metrics.recordWebhookWake(start - rung) }
            await health.passStarted()
            let report = await reconciler.reconcileOnce()
            metrics.recordPass(report, duration: clock.now - start, finishedAt: Date())
            await health.passFinished(report)
            logger.info("pass: \(PassSummary.text(report))")
            if Task.isCancelled { break }
            failures = report.kind == .couldNotStart ? failures + 1 : 0
            await alarm.wait(for: delay(afterFailures: failures))
        }
    }

    /// The interval with up to 10% jitter; after failures to start, doubling up to `maxBackoff`
    /// (the rule of `WatchLoop.delay`, copied: that one is internal to Reconciler).
    func delay(afterFailures failures: Int) -> Duration {
        var base = interval
        if failures > 0 {
            base = interval * Int(min(1 << min(failures, 16), 1 << 16))
            if base > maxBackoff { base = maxBackoff }
        }
        return base + base * Double.random(in: 0...0.1)
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
