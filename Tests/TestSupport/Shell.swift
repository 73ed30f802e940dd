import Foundation
import ProcessSupport

/// Runs programs for tests (the git CLI to build fixtures and check results, ssh-keygen, sshd, ...).
///
/// Built on `PipedChild` (posix_spawn and a blocking wait on the calling thread), never on a dispatch
/// queue or a termination handler: with 2 cores, tests blocked on such a handler starve the very threads
/// that would run it.
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
        let child = try PipedChild(command, environment: fixtureEnvironment(environment), directory: directory, searchPath: true)
        child.send(Array((input ?? "").utf8))
        let (status, output) = child.finish()
        return Result(status: status, stdout: String(decoding: output.stdout, as: UTF8.self),
                      stderr: String(decoding: output.stderr, as: UTF8.self))
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
            _ = PipedChild.reap(pid)
        }
    }

    /// Starts a long-running program with its output appended to `log`.
    public static func start(_ command: [String], in directory: String? = nil, log: String) throws -> Background {
        let child = try PipedChild(command, environment: fixtureEnvironment([:]), directory: directory, searchPath: true, log: log)
        return Background(pid: child.pid)
    }

    /// This process's environment, with a fixed git identity and no machine or user git config.
    private static func fixtureEnvironment(_ extra: [String: String]) -> [String] {
        var env = ProcessInfo.processInfo.environment
        env["GIT_AUTHOR_NAME"] = "Test Author"
        env["GIT_AUTHOR_EMAIL"] = "author@example.com"
        env["GIT_COMMITTER_NAME"] = "Test Committer"
        env["GIT_COMMITTER_EMAIL"] = "committer@example.com"
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        env["GIT_CONFIG_GLOBAL"] = "/dev/null"
        for (key, value) in extra { env[key] = value }
        return env.map { "\($0.key)=\($0.value)" }
    }
}
