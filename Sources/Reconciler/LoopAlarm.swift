/// Wakes the reconcile loop early: a push webhook or `POST /api/v1/reconcile` rings it, and the loop's
/// wait between passes ends at once. Rings while a pass runs are kept (one pending wake-up), so a push
/// during a pass is never lost; many rings collapse into one pass — the loop is level-based.
public actor LoopAlarm {
    public init() {}

    private var pending = false
    /// When the first unanswered webhook rang (for the webhook → pass start metric).
    private var firstWebhook: ContinuousClock.Instant?
    private var waiter: CheckedContinuation<Void, Never>?
    private var generation = 0

    /// Ends the current wait, or the next one if the loop is busy.
    public func ring(fromWebhook: Bool = false) {
        if fromWebhook, firstWebhook == nil { firstWebhook = .now }
        if let waiter {
            self.waiter = nil
            waiter.resume()
        } else {
            pending = true
        }
    }

    /// The webhook that a starting pass answers, if any, and forgets it.
    public func takeWebhookInstant() -> ContinuousClock.Instant? {
        defer { firstWebhook = nil }
        return firstWebhook
    }

    /// Waits `duration`, or less if rung; returns at once when a ring is pending or the task is cancelled.
    public func wait(for duration: Duration) async {
        if pending {
            pending = false
            return
        }
        generation += 1
        let current = generation
        let timer = Task { [weak self] in
            try? await Task.sleep(for: duration)
            await self?.expire(current)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume()
                } else {
                    waiter = continuation
                }
            }
        } onCancel: {
            Task { await self.expire(current) }
        }
        timer.cancel()
        pending = false
    }

    private func expire(_ current: Int) {
        guard current == generation, let waiter else { return }
        self.waiter = nil
        waiter.resume()
    }
}
