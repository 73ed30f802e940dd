import Glibc

/// Writing to a child's stdin when the child has already exited must fail with EPIPE, not deliver
/// SIGPIPE, whose default action kills the whole process (reconciler, server or test runner). Blocking
/// the signal per thread around each write was not enough (seen here: the Dispatch runtime re-raised it
/// at the process), so SIGPIPE is ignored process-wide, once, as network servers commonly do.
public enum BrokenPipes {
    private static let ignored: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    public static func ignore() { ignored }
}
