import Synchronization

/// Set when the task running a step is cancelled; the thread watching the step polls it.
final class CancellationFlag: Sendable {
    private let state = Atomic<Bool>(false)

    func cancel() { state.store(true, ordering: .releasing) }
    var isCancelled: Bool { state.load(ordering: .acquiring) }
}
