import Dispatch
import Glibc

/// SIGTERM and SIGINT stop the work cleanly instead of killing the process: the running task is
/// cancelled, the executor stops the running steps (their process groups get SIGTERM, then SIGKILL)
/// and records them as `interrupted`, and the pass still writes its status note before exiting.
enum Shutdown {
    static func cancellable<Result: Sendable>(_ operation: @escaping @Sendable () async -> Result) async -> Result {
        let task = Task { await operation() }
        let sources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { task.cancel() }
            source.resume()
            return source
        }
        let result = await task.value
        for source in sources { source.cancel() }
        return result
    }
}
