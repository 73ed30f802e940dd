import Foundation
import Logging

/// The reconcile loop: a pass, then a wait, until the task is cancelled. It is level-based (every pass
/// plans from the head and the applied state, never from what happened before; an alarm only shortens
/// the wait) and keeps running whatever fails, backing off while the remote cannot be reached.
public struct WatchLoop: Sendable {
    public let reconciler: PlatformReconciler
    public let interval: Duration
    /// The longest wait while passes cannot start.
    public let maxBackoff: Duration
    /// Rung by webhooks or the API to end a wait early; nil for a plain timer.
    public let alarm: LoopAlarm?
    /// Says when the next try is while the loop backs off, and that the loop stopped.
    public let logger: Logger

    public init(reconciler: PlatformReconciler, interval: Duration, maxBackoff: Duration = .seconds(600), alarm: LoopAlarm? = nil,
                logger: Logger = Logger(label: "innominatus.loop")) {
        self.reconciler = reconciler
        self.interval = interval
        self.maxBackoff = maxBackoff
        self.alarm = alarm
        self.logger = logger
    }

    /// Runs until cancelled: `willStart` before each pass, `onPass` after it with its report and duration.
    public func run(willStart: @Sendable () async -> Void = {},
                    onPass: @Sendable (PassReport, Duration) async -> Void) async {
        var failures = 0
        let clock = ContinuousClock()
        while !Task.isCancelled {
            await willStart()
            let start = clock.now
            let report = await reconciler.reconcileOnce()
            await onPass(report, clock.now - start)
            if Task.isCancelled { break }
            failures = report.kind == .couldNotStart ? failures + 1 : 0
            let wait = delay(afterFailures: failures)
            if failures > 0 {
                let next = Date().addingTimeInterval(Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18)
                logger.warning("backing off: the pass could not start \(failures) time(s) in a row; next try at \(next.formatted(.iso8601))",
                               metadata: ["wait": "\(wait.components.seconds)s"])
            }
            if let alarm { await alarm.wait(for: wait) } else { try? await Task.sleep(for: wait) }
        }
        logger.notice("loop stopped: shutting down")
    }

    /// The interval with up to 10% jitter; after failures to start, doubling up to `maxBackoff`.
    func delay(afterFailures failures: Int) -> Duration {
        var base = interval
        if failures > 0 {
            base = interval * Int(min(1 << min(failures, 16), 1 << 16))
            if base > maxBackoff { base = maxBackoff }
        }
        let jitter = Double.random(in: 0...0.1)
        return base + base * jitter
    }

}
