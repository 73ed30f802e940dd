import Foundation

/// The reconcile loop: a pass, then a wait, until the task is cancelled. It is level-based (every pass
/// plans from the head and the applied state, never from what happened before) and keeps running
/// whatever fails, backing off while the remote cannot be reached.
public struct WatchLoop: Sendable {
    public let reconciler: PlatformReconciler
    public let interval: Duration
    /// The longest wait while passes cannot start.
    public let maxBackoff: Duration

    public init(reconciler: PlatformReconciler, interval: Duration, maxBackoff: Duration = .seconds(600)) {
        self.reconciler = reconciler
        self.interval = interval
        self.maxBackoff = maxBackoff
    }

    /// Runs until cancelled; `onPass` sees every pass's report.
    public func run(onPass: @Sendable (PassReport) -> Void) async {
        var failures = 0
        while !Task.isCancelled {
            let report = await reconciler.reconcileOnce()
            onPass(report)
            if Task.isCancelled { break }
            failures = report.kind == .couldNotStart ? failures + 1 : 0
            try? await Task.sleep(for: delay(afterFailures: failures))
        }
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
