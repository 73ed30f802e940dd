import Foundation
import TestSupport
import Testing

/// What `watch` and `serve` tell the person reading their output: each step's start and end, one line per
/// idle pass, when the next try is while backing off, a line at shutdown, and a warning when the API
/// listens beyond loopback without a token.
@Suite("watch and serve output")
struct LoopOutputTests {
    static func waitFor(_ text: String, count: Int = 1, in log: String, seconds: Double = 90) -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var output = ""
        while Date() < deadline {
            output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if output.components(separatedBy: text).count - 1 >= count { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return output
    }


    @Test func watchLogsStepsIdlePassesAndShutdown() throws {
        let world = try PassIntegrityTests.World()
        let log = world.git.root.appending("watch.log")
        let watch = try Shell.start([world.binary, "watch", "--repo", world.git.remote, "--workdir", world.workdir,
                                     "--interval", "200ms"], log: log)
        _ = Self.waitFor("pass did nothing", count: 2, in: log)
        watch.stop()
        let output = try String(contentsOfFile: log, encoding: .utf8)
        let lines = output.split(separator: "\n")
        let started = lines.first { $0.contains("step started") && $0.contains("workflow=security-scan") }
        #expect(started?.contains("app=cart") == true && started?.contains("tier=platform") == true
                    && started?.contains("step=scan") == true, "\(output)")
        let finished = lines.first { $0.contains("step finished") && $0.contains("workflow=database-setup") }
        #expect(finished?.contains("tier=product") == true && finished?.contains("ms=") == true, "\(output)")
        // An idle pass is one line, and nothing else is printed for it.
        let idle = lines.filter { $0.contains("nothing to do") }
        #expect(idle.count >= 2 && idle.allSatisfy { $0.contains("pass did nothing") }, "\(output)")
        #expect(lines.last?.contains("loop stopped") == true, "\(output)")
    }

    @Test func watchSaysWhenItTriesAgainWhileTheRemoteIsUnreachable() throws {
        let world = try PassIntegrityTests.World()
        let log = world.git.root.appending("watch.log")
        let watch = try Shell.start([world.binary, "watch", "--repo", world.git.root.appending("no-such-remote.git"),
                                     "--workdir", world.workdir, "--interval", "100ms"], log: log)
        let output = Self.waitFor("backing off", in: log)
        watch.stop()
        let line = output.split(separator: "\n").first { $0.contains("backing off") }
        #expect(line?.contains("next try at 20") == true, "\(output)")
    }

    @Test func serveWarnsWhenItListensBeyondLoopbackWithoutAToken() throws {
        let world = try PassIntegrityTests.World()
        let port = try freeLocalPort()
        let log = world.git.root.appending("serve.log")
        let serve = try Shell.start([world.binary, "serve", "--repo", world.git.remote, "--workdir", world.workdir,
                                     "--interval", "1h", "--listen", "0.0.0.0:\(port)"], log: log)
        let output = Self.waitFor("listening on", in: log)
        serve.stop()
        #expect(output.contains("which is not loopback, with no API token"), "\(output)")
    }
}
