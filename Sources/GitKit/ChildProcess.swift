import CProcess
import FoundationEssentials
import Glibc

/// Spawns the network helper, hands it a request and collects its answer before a deadline.
enum ChildProcess {
    static func exchange(_ request: NetworkRequest, helper: HelperCommand, timeout: Duration) throws(GitError) -> NetworkResponse {
        let operation = "\(request.operation.rawValue) \(request.url)"
        guard let input = try? JSONEncoder().encode(request) else {
            throw GitError(.invalid, operation: operation, message: "cannot encode the helper request")
        }
        let (pid, stdinFD, stdoutFD, stderrFD) = try spawn(helper, operation: operation)
        defer { close(stdoutFD); close(stderrFD) }
        var bytes = Array(input)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { write(stdinFD, $0.baseAddress! + offset, $0.count - offset) }
            if written <= 0 { break }
            offset += written
        }
        close(stdinFD)

        let deadline = monotonicMilliseconds() + milliseconds(timeout)
        var output: [UInt8] = [], errors: [UInt8] = []
        var open = [stdoutFD, stderrFD]
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !open.isEmpty {
            let remaining = deadline - monotonicMilliseconds()
            if remaining <= 0 {
                kill(-pid, SIGKILL)
                kill(pid, SIGKILL)
                _ = reap(pid)
                throw GitError(.timedOut, operation: operation,
                               message: "timed out after \(describe(timeout)); the transfer was stopped")
            }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min(remaining, 1000)))
            if ready < 0 && errno != EINTR { break }
            for index in fds.indices where fds[index].revents != 0 {
                let count = read(fds[index].fd, &buffer, buffer.count)
                if count > 0 {
                    if fds[index].fd == stdoutFD { output += buffer[0..<count] } else if errors.count < 65536 { errors += buffer[0..<count] }
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    open.removeAll { $0 == fds[index].fd }
                }
            }
        }
        let status = reap(pid)
        if let response = try? JSONDecoder().decode(NetworkResponse.self, from: Data(output)) { return response }
        let detail = String(decoding: errors, as: UTF8.self).split(whereSeparator: \.isNewline).suffix(5).joined(separator: " | ")
        throw GitError(.other, operation: operation,
                       message: "the network helper \(helper.executable) ended (\(status)) without an answer"
                           + (detail.isEmpty ? "" : ": \(detail)"))
    }

    private static func spawn(_ helper: HelperCommand, operation: String) throws(GitError) -> (pid_t, Int32, Int32, Int32) {
        var stdinPipe: [Int32] = [0, 0], stdoutPipe: [Int32] = [0, 0], stderrPipe: [Int32] = [0, 0]
        guard innominatus_pipe_cloexec(&stdinPipe) == 0, innominatus_pipe_cloexec(&stdoutPipe) == 0,
              innominatus_pipe_cloexec(&stderrPipe) == 0 else {
            throw GitError(.io, operation: operation, message: "cannot create pipes: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)

        // Its own process group (so a deadline kills all of it), default signal handling, and an empty
        // signal mask: a child of a Dispatch thread would otherwise inherit blocked signals.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t(), allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([helper.executable] + helper.arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let result = posix_spawn(&pid, helper.executable, &actions, &attributes, argv, environ)
        close(stdinPipe[0]); close(stdoutPipe[1]); close(stderrPipe[1])
        guard result == 0 else {
            close(stdinPipe[1]); close(stdoutPipe[0]); close(stderrPipe[0])
            throw GitError(.io, operation: operation,
                           message: "cannot start the network helper \(helper.executable): \(String(cString: strerror(result)))")
        }
        return (pid, stdinPipe[1], stdoutPipe[0], stderrPipe[0])
    }

    private static func reap(_ pid: pid_t) -> String {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        if status & 0x7f == 0 { return "exit status \((status >> 8) & 0xff)" }
        return "signal \(status & 0x7f)"
    }

    private static func monotonicMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// "30 s", "1.5 s", "500 ms".
    static func describe(_ duration: Duration) -> String {
        let ms = milliseconds(duration)
        if ms < 1000 { return "\(ms) ms" }
        if ms % 1000 == 0 { return "\(ms / 1000) s" }
        return "\(Double(ms) / 1000) s"
    }
}
