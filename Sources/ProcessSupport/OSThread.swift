import Glibc

/// A detached OS thread for one blocking job (spawning a child process and waiting for it).
///
/// Steps are waited for here, never on Swift's cooperative pool: with 2 cores, a blocked pool thread
/// starves everything else. The thread that spawns a step also outlives it, which matters because the
/// kernel's parent-death signal fires when the spawning *thread* exits.
public enum OSThread {
    public static func detach(_ body: @escaping @Sendable () -> Void) {
        final class Box: @unchecked Sendable {
            // Safe: written once before the thread starts and read once by that thread.
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        var thread = pthread_t()
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        let result = pthread_create(&thread, nil, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            box.body()
            return nil
        }, box)
        if result == 0 {
            pthread_detach(thread)
        } else {
            Unmanaged<Box>.fromOpaque(box).takeRetainedValue().body()
        }
    }
}
