import CProcess
import Foundation

/// Runs programs for tests (the git CLI to build fixtures and check results, ssh-keygen, sshd, ...).
///
/// Built on posix_spawn and a blocking wait on the calling thread, never on a dispatch queue or a
/// termination handler: with 2 cores, tests blocked on such a handler starve the very threads that
/// would run it.
public enum Shell {
    public struct Failure: Error, CustomStringConvertible {
        public var command: [String]
        public var status: Int32
        public var output: String
        public var description: String { "`\(command.joined(separator: " "))` exited \(status): \(output)" }
    }

    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs a command to completion and returns its stdout; throws with stderr when it exits non-zero.
    @discardableResult
    public static func run(_ command: [String], in directory: String? = nil, environment: [String: String] = [:],
                           input: String? = nil) throws -> String {
        let result = try execute(command, in: directory, environment: environment, input: input)
        guard result.status == 0 else {
            throw Failure(command: command, status: result.status, output: result.stderr + result.stdout)
        }
        return result.stdout
    }

    /// Runs a command to completion, whatever its exit status.
    public static func execute(_ command: [String], in directory: String? = nil, environment: [String: String] = [:],
                               input: String? = nil) throws -> Result {
        let child = try spawn(command, in: directory, environment: environment, output: .pipes)
        if let input {
            let bytes = Array(input.utf8)
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { write(child.stdin, $0.baseAddress, $0.count) }
                if written <= 0 { break }
                offset += written
            }
        }
        close(child.stdin)
        var out: [UInt8] = [], err: [UInt8] = []
        var open = [child.stdout, child.stderr]
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !open.isEmpty {
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if poll(&fds, nfds_t(fds.count), -1) < 0 { if errno == EINTR { continue } else { break } }
            for entry in fds where entry.revents != 0 {
                let count = read(entry.fd, &buffer, buffer.count)
                if count > 0 {
                    if entry.fd == child.stdout { out += buffer[0..<count] } else { err += buffer[0..<count] }
                } else {
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        close(child.stdout)
        close(child.stderr)
        return Result(status: wait(child.pid), stdout: String(decoding: out, as: UTF8.self),
                      stderr: String(decoding: err, as: UTF8.self))
    }

    /// A program running in the background (a server); `stop()` ends it.
    public final class Background: Sendable {
        public let pid: pid_t
        init(pid: pid_t) { self.pid = pid }

        /// Whether it still runs (an exited one is reaped here).
        public var isRunning: Bool {
            var status: Int32 = 0
            return waitpid(pid, &status, WNOHANG) == 0
        }

        /// SIGTERM, then wait for it.
        public func stop() {
            kill(pid, SIGTERM)
            _ = Shell.wait(pid)
        }
    }

    /// Starts a long-running program with its output appended to `log`.
    public static func start(_ command: [String], in directory: String? = nil, log: String) throws -> Background {
        let child = try spawn(command, in: directory, environment: [:], output: .file(log))
        return Background(pid: child.pid)
    }

    // MARK: Spawning

    private enum Output { case pipes, file(String) }

    private struct Child {
        var pid: pid_t
        var stdin: Int32 = -1, stdout: Int32 = -1, stderr: Int32 = -1
    }

    private static func spawn(_ command: [String], in directory: String?, environment: [String: String],
                              output: Output) throws -> Child {
        var env = ProcessInfo.processInfo.environment
        // Fixtures must not depend on the machine's git identity or config.
        env["GIT_AUTHOR_NAME"] = "Test Author"
        env["GIT_AUTHOR_EMAIL"] = "author@example.com"
        env["GIT_COMMITTER_NAME"] = "Test Committer"
        env["GIT_COMMITTER_EMAIL"] = "committer@example.com"
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        env["GIT_CONFIG_GLOBAL"] = "/dev/null"
        for (key, value) in environment { env[key] = value }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var parentEnds: [Int32] = []
        var childEnds: [Int32] = []
        switch output {
        case .pipes:
            for (index, target) in [Int32(0), 1, 2].enumerated() {
                var fds: [Int32] = [0, 0]
                guard pipe(&fds) == 0 else { throw POSIXError(.EMFILE) }
                let (childEnd, parentEnd) = index == 0 ? (fds[0], fds[1]) : (fds[1], fds[0])
                _ = fcntl(parentEnd, F_SETFD, FD_CLOEXEC)
                posix_spawn_file_actions_adddup2(&actions, childEnd, target)
                posix_spawn_file_actions_addclose(&actions, childEnd)
                parentEnds.append(parentEnd)
                childEnds.append(childEnd)
            }
        case .file(let log):
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        if let directory { innominatus_spawn_add_chdir(&actions, directory) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t(), allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = command.map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var pid = pid_t()
        let result = posix_spawnp(&pid, command[0], &actions, &attributes, argv, envp)
        childEnds.forEach { close($0) }
        guard result == 0 else {
            parentEnds.forEach { close($0) }
            throw Failure(command: command, status: -1, output: "cannot start: \(String(cString: strerror(result)))")
        }
        var child = Child(pid: pid)
        if parentEnds.count == 3 { (child.stdin, child.stdout, child.stderr) = (parentEnds[0], parentEnds[1], parentEnds[2]) }
        return child
    }

    static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}
