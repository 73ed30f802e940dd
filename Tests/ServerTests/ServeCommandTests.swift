import Foundation
import GitKit
import TestSupport
import Testing

/// `innominatus serve` as a process: it answers on its --listen address and SIGTERM stops the loop and
/// the server cleanly (exit status 0).
@Suite struct ServeCommandTests {
    @Test func sigtermStopsServeCleanly() async throws {
        let repo = try GitFixture()
        try repo.commit(["apps/web/score.yaml": ServerFixture.score("web", product: nil)], message: "web")
        try repo.push()
        let port = try freeLocalPort()
        let log = repo.root.appending("serve.log")
        let secretFile = repo.root.appending("secret")
        try "hook-secret-file-value\n".write(toFile: secretFile, atomically: true, encoding: .utf8)
        let serve = try Shell.start([GitFixture.helper.executable, "serve", "--repo", repo.remote,
                                     "--workdir", repo.root.appending("workdir"), "--interval", "1h",
                                     "--listen", "127.0.0.1:\(port)", "--webhook-secret-file", secretFile], log: log)
        try waitForPort(port, timeout: 60)
        let client = HTTPClient(base: "http://127.0.0.1:\(port)")
        #expect(try await client.get("/healthz").status == 200)
        let deadline = ContinuousClock.now + .seconds(120)
        while try await client.get("/readyz").status != 200, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        kill(serve.pid, SIGTERM)
        var status: Int32 = 0
        var exited = false
        while !exited, ContinuousClock.now < deadline {
            if waitpid(serve.pid, &status, WNOHANG) == serve.pid { exited = true } else { try await Task.sleep(for: .milliseconds(20)) }
        }
        if !exited { kill(serve.pid, SIGKILL) }
        #expect(exited, "serve did not stop on SIGTERM")
        // Exited normally (not by the signal) with status 0.
        #expect(status & 0x7f == 0)
        #expect((status >> 8) & 0xff == 0)
        let output = try String(contentsOfFile: log, encoding: .utf8)
        #expect(output.contains("listening on 127.0.0.1:\(port)"))
        #expect(!output.contains("hook-secret-file-value"))
    }
}
