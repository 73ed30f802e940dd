import Synchronization

/// Bytes of full log files a group of steps may still write (the reconciler gives each app one per pass),
/// shared by the steps' supervising threads, so one app that prints without end cannot fill the disk.
public final class LogBudget: Sendable {
    public let limit: Int
    private let used = Mutex(0)

    public init(limit: Int) { self.limit = limit }

    /// Takes `bytes` if they fit; false once the budget is spent (and after that, always).
    func take(_ bytes: Int) -> Bool {
        used.withLock { used in
            guard used + bytes <= limit else {
                used = limit
                return false
            }
            used += bytes
            return true
        }
    }
}
