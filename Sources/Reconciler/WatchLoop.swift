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
            failures = report.backsOff ? failures + 1 : 0
            let wait = delay(afterFailures: failures)
            logSkipped(report, failures: failures, wait: wait)
            if let alarm { await alarm.wait(for: wait) } else { try? await Task.sleep(for: wait) }
        }
        logger.notice("loop stopped: shutting down")
    }

    /// A pass that did nothing because it could not (`busy`, `couldNotStart`), or one that ran but could not
    /// reach the remote (its code backs off), is never silent: it says why,
    /// and when the next try is. Out of descriptors is an error whatever the pass reported (the workdir
    /// lock that cannot be opened then reads as "busy"): the process cannot work until some are freed.
    func logSkipped(_ report: PassReport, failures: Int, wait: Duration) {
        guard report.kind == .busy || report.kind == .couldNotStart || report.backsOff else { return }
        let next = Date().addingTimeInterval(Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18)
            .formatted(.iso8601)
        let why = report.message ?? "no reason given"
        var metadata: Logger.Metadata = ["wait": "\(wait.components.seconds)s", "kind": "\(report.kind)"]
        if let code = report.code { metadata["code"] = "\(code.rawValue)" }
        if let usage = Self.descriptorShortage() {
            metadata["descriptors"] = "\(usage)"
            let text = "pass skipped: the process is out of file descriptors (\(usage)); next try at \(next). "
                + "Raise `ulimit -n`, or lower serve's --max-connections. The pass said: \(why)"
            logger.error("\(text)", metadata: metadata)
        } else if report.kind == .busy {
            logger.warning("pass skipped: busy: \(why); next try at \(next)", metadata: metadata)
        } else {
            let what = report.kind == .couldNotStart ? "pass skipped, backing off: the pass could not start"
                : "backing off: the pass could not finish its work"
            let text = "\(what) \(failures) time(s) in a row: \(why); next try at \(next)"
            logger.warning("\(text)", metadata: metadata)
        }
    }

    /// "out of N descriptors" when the process cannot open one more file now, else nil.
    public static func descriptorShortage() -> String? {
        let probe = open("/dev/null", O_RDONLY | O_CLOEXEC)
        if probe >= 0 {
            close(probe)
            return nil
        }
        let reason = errno
        guard reason == EMFILE || reason == ENFILE else { return nil }
        var limits = rlimit()
        let limit = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limits) == 0 ? "\(limits.rlim_cur)" : "?"
        return reason == EMFILE ? "all \(limit) allowed by ulimit -n are open" : "the system's file table is full (ENFILE)"
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
