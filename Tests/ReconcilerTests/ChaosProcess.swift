import Foundation
import GitKit
import TestSupport

/// The `innominatus` binary run as a child process, as an operator runs it, so that it can be killed
/// with SIGKILL at any moment. Waiting polls `waitpid` between short sleeps: no thread is blocked.
final class ChaosProcess: Sendable {
    enum End: Equatable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)

        var description: String {
            switch self {
            case .exited(let code): "exit \(code)"
            case .signalled(let signal): "signal \(signal)"
            }
        }
    }

    let pid: pid_t
    let log: String

    /// Starts `innominatus ARGUMENTS` (after `prefix`, e.g. `setpriv …`), stdout and stderr appended to `log`.
    convenience init(_ arguments: [String], log: String, prefix: [String] = []) throws {
        try self.init(command: prefix + [GitFixture.helper.executable] + arguments, log: log)
    }

    init(command: [String], log: String) throws {
        self.log = log
        pid = try Shell.start(command, log: log).pid
    }

    /// Any program (a script playing another writer), run the same way.
    static func shell(_ command: [String], log: String) throws -> ChaosProcess {
        try ChaosProcess(command: command, log: log)
    }

    /// How it ended, or nil when it still runs after `timeout`.
    func wait(timeout: Duration) async -> End? {
        let deadline = ContinuousClock.now + timeout
        repeat {
            var status: Int32 = 0
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid { return status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signalled(status & 0x7f) }
            if done < 0 && errno != EINTR { return .exited(-1) }
            try? await Task.sleep(for: .milliseconds(10))
        } while ContinuousClock.now < deadline
        return nil
    }

    /// SIGKILL (when it still runs) and reap.
    @discardableResult
    func kill9() async -> End {
        kill(pid, SIGKILL)
        return await wait(timeout: .seconds(3600)) ?? .signalled(SIGKILL)
    }

    /// Everything it printed so far.
    var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    /// Runs to the end (killed after a generous guard against hangs) and returns how it ended and what it printed.
    static func run(_ arguments: [String], log: String, prefix: [String] = [],
                    guardTime: Duration = .seconds(300)) async throws -> (end: End, output: String) {
        try? FileManager.default.removeItem(atPath: log)
        let process = try ChaosProcess(arguments, log: log, prefix: prefix)
        let end: End
        if let ended = await process.wait(timeout: guardTime) { end = ended } else { end = await process.kill9() }
        return (end, process.output)
    }

    /// Pids of live processes whose command line contains `marker` (zombies excluded).
    static func processes(containing marker: String) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> pid_t? in
            guard let pid = pid_t(entry), pid != getpid(),
                  let raw = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return nil }
            let commandLine = String(decoding: raw.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            guard commandLine.contains(marker) else { return nil }
            if let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
               let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] == "Z" { return nil }
            return pid
        }
    }

    /// Waits (up to `grace`) until no process carries `marker`; returns those still alive then.
    static func survivors(containing marker: String, grace: Duration = .seconds(20)) async -> [pid_t] {
        let deadline = ContinuousClock.now + grace
        var alive = processes(containing: marker)
        while !alive.isEmpty, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
            alive = processes(containing: marker)
        }
        return alive
    }
}

/// A seeded generator (SplitMix64), so a failing trial can be replayed with the same seed.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
