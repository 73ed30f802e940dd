import CProcess
import Glibc

/// A child process with its stdin, stdout and stderr on pipes (or, for a long-running server, its output
/// appended to a log file and stdin from /dev/null): spawned with an empty signal mask and
/// default signal handling (a child of a Dispatch thread would otherwise inherit blocked signals), and
/// optionally in its own process group so that a deadline can kill all of it. All waiting happens on the
/// calling thread: call it from a thread of its own (`OSThread`), never from Swift's cooperative pool.
public struct PipedChild: Sendable {
    public struct SpawnError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// What the child wrote, and whether the deadline stopped it.
    public struct Output: Sendable {
        public var stdout: [UInt8]
        public var stderr: [UInt8]
        public var timedOut: Bool
        /// stdout passed `stdoutLimit`: the child was killed and `stdout` holds the first bytes only.
        public var stdoutOverflowed = false
        /// Bytes of stderr read past `stderrLimit` and not kept (0 when all of it is in `stderr`).
        public var stderrDropped = 0
    }

    /// Which part of a stderr longer than its limit is kept: the first bytes, or the last ones (where a
    /// program that fails usually says why).
    public enum StderrPart: Sendable { case first, last }

    public let pid: pid_t
    private let stdinFD: Int32, stdoutFD: Int32, stderrFD: Int32
    private let ownGroup: Bool

    /// - Parameters:
    ///   - environment: `NAME=value` strings; nil inherits this process's environment.
    ///   - searchPath: look the program up in `PATH` (posix_spawnp).
    ///   - log: append stdout and stderr to this file instead of piping them (nothing to `send` or read).
    /// Call `send` (with no bytes if there is no input) before `finish`.
    public init(_ arguments: [String], environment: [String]? = nil, directory: String? = nil,
                searchPath: Bool = false, ownProcessGroup: Bool = false, log: String? = nil) throws(SpawnError) {
        BrokenPipes.ignore()
        var pipes: [[Int32]] = []
        for _ in 0..<3 {
            var fds: [Int32] = [0, 0]
            guard innominatus_pipe_cloexec(&fds) == 0 else {
                pipes.flatMap { $0 }.forEach { close($0) }
                throw SpawnError(description: "cannot create pipes: \(String(cString: strerror(errno)))")
            }
            pipes.append(fds)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let log {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        } else {
            posix_spawn_file_actions_adddup2(&actions, pipes[0][0], 0)
            posix_spawn_file_actions_adddup2(&actions, pipes[1][1], 1)
            posix_spawn_file_actions_adddup2(&actions, pipes[2][1], 2)
        }
        if let directory { innominatus_spawn_add_chdir(&actions, directory) }
        // Only 0-2 reach the child: a descriptor of this process that is not close-on-exec (a file another
        // thread is writing, a pipe of another child) would otherwise live on in it, and a long-running
        // child would keep a freshly written script "text file busy" for good.
        innominatus_spawn_add_closefrom(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t(), allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        if ownProcessGroup {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { $0.map { strdup($0) } + [nil] }
        defer { argv.forEach { free($0) }; envp?.forEach { free($0) } }
        var pid = pid_t()
        var result: Int32 = 0
        // ETXTBSY: a script written a moment ago can still be open for writing in a child another thread
        // of this process is forking (it holds a copy of the descriptor until it execs). Brief, so retried.
        for attempt in 0..<50 {
            if let envp {
                result = searchPath ? posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
                    : posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
            } else {
                result = searchPath ? posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, environ)
                    : posix_spawn(&pid, arguments[0], &actions, &attributes, argv, environ)
            }
            guard result == ETXTBSY else { break }
            usleep(useconds_t(min(1 + attempt, 10) * 2_000))
        }
        close(pipes[0][0]); close(pipes[1][1]); close(pipes[2][1])
        guard result == 0 else {
            close(pipes[0][1]); close(pipes[1][0]); close(pipes[2][0])
            throw SpawnError(description: "cannot start \(arguments[0]): \(String(cString: strerror(result)))")
        }
        self.pid = pid
        if log != nil {
            close(pipes[0][1]); close(pipes[1][0]); close(pipes[2][0])
            pipes = [[-1, -1], [-1, -1], [-1, -1]]
        }
        stdinFD = pipes[0][1]
        stdoutFD = pipes[1][0]
        stderrFD = pipes[2][0]
        ownGroup = ownProcessGroup
    }

    /// Writes `input` to the child's stdin and closes it. A child that exits without reading it all is
    /// not an error here (its exit status says what happened).
    public func send(_ input: [UInt8]) {
        var offset = 0
        while offset < input.count {
            let written = input[offset...].withUnsafeBytes { write(stdinFD, $0.baseAddress, $0.count) }
            if written <= 0 { break }
            offset += written
        }
        close(stdinFD)
    }

    /// Reads stdout and stderr until both close, or until `deadline`: then the child (its whole group,
    /// when it has one) is killed with SIGKILL. stderr beyond `stderrLimit` bytes is read and dropped (the
    /// child keeps running; `keep` says which part stays, `stderrDropped` how much went); stdout beyond
    /// `stdoutLimit` kills the child the same way (its answer would be unusable, and memory is not a
    /// sink). Reaps the child and closes the pipes; returns its exit status with the output.
    public func finish(deadline: ContinuousClock.Instant? = nil, stderrLimit: Int = Int.max, keep: StderrPart = .first,
                       stdoutLimit: Int = Int.max) -> (status: Int32, output: Output) {
        var output = Output(stdout: [], stderr: [], timedOut: false)
        var open = [stdoutFD, stderrFD]
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !open.isEmpty {
            var wait: Int32 = -1
            if let deadline {
                let remaining = ContinuousClock.now.duration(to: deadline)
                if remaining <= .zero {
                    if ownGroup { kill(-pid, SIGKILL) }
                    kill(pid, SIGKILL)
                    output.timedOut = true
                    break
                }
                wait = Int32(min(1000, remaining.wholeMilliseconds + 1))
            }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if poll(&fds, nfds_t(fds.count), wait) < 0 { if errno == EINTR { continue } else { break } }
            for entry in fds where entry.revents != 0 {
                let count = read(entry.fd, &buffer, buffer.count)
                if count > 0 {
                    if entry.fd == stdoutFD {
                        let room = stdoutLimit - output.stdout.count
                        output.stdout += buffer[0..<min(count, room)]
                        if count > room {
                            if ownGroup { kill(-pid, SIGKILL) }
                            kill(pid, SIGKILL)
                            output.stdoutOverflowed = true
                            open.removeAll()
                            break
                        }
                    }
                    else { Self.collect(buffer[0..<count], into: &output, limit: stderrLimit, keep: keep) }
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        close(stdoutFD)
        close(stderrFD)
        return (Self.reap(pid), output)
    }

    /// Adds a chunk of stderr, never holding more than `limit` bytes.
    private static func collect(_ chunk: ArraySlice<UInt8>, into output: inout Output, limit: Int, keep: StderrPart) {
        switch keep {
        case .first:
            let room = max(0, limit - output.stderr.count)
            output.stderr += chunk.prefix(room)
            output.stderrDropped += max(0, chunk.count - room)
        case .last:
            let excess = output.stderr.count + chunk.count - limit
            if excess > 0 {
                let fromKept = min(excess, output.stderr.count)
                output.stderr.removeFirst(fromKept)
                output.stderrDropped += excess
                output.stderr += chunk.suffix(limit - output.stderr.count)
            } else {
                output.stderr += chunk
            }
        }
    }

    /// Waits for a child and returns its exit status (128 + N when signal N ended it).
    public static func reap(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}
