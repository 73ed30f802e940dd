import Foundation
import GitKit
import TestSupport
import Testing

/// The real `innominatus serve` binary at `ulimit -n 64`, flooded with 200 connections that send half a
/// request head and trickle the rest: it lowers its connection limit to fit the descriptors, keeps
/// answering `/healthz`, keeps running passes, counts what it refused, and stops cleanly on SIGTERM.
/// Before the limit and the header deadline it stopped answering, skipped every pass, and within a
/// minute or two died of SIGILL (libdispatch traps when it cannot open `/proc/<tid>/stat`).
@Suite struct ServeUnderPressureTests {
    @Test func serveKeepsWorkingAtALowDescriptorLimitUnderHalfSentRequests() async throws {
        let repo = try GitFixture()
        let events = repo.root.appending("events.log")
        try repo.commit([
            "apps/web/score.yaml": ServerFixture.score("web", product: nil),
            "workflows/platform/scan.yaml": ServerFixture.workflow("PlatformWorkflow", "scan", events: events,
                                                                   phase: "pre-deployment"),
        ], message: "web")
        try repo.push()
        let port = try freeLocalPort()
        let log = repo.root.appending("serve.log")
        let serve = try Shell.start(["sh", "-c", "ulimit -n 64 && exec \"$0\" \"$@\"", GitFixture.helper.executable, "serve",
                                     "--repo", repo.remote, "--workdir", repo.root.appending("workdir"), "--interval", "1s",
                                     "--listen", "127.0.0.1:\(port)", "--header-timeout", "1s"], log: log)
        defer { kill(serve.pid, SIGKILL) }
        try waitForPort(port, timeout: 60)
        var client = HTTPClient(base: "http://127.0.0.1:\(port)")
        client.timeout = 5

        let stalled = (0..<200).compactMap { _ in RawConnection(port: port) }
        for connection in stalled { connection.send("GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ") }
        let head = try repo.commit(["apps/web/score.yaml": ServerFixture.score("web", product: nil) + "# changed\n"],
                                   message: "change web")
        try repo.push()
        var answered = 0
        for _ in 0..<8 {
            for connection in stalled { connection.send("a") }
            if (try? await client.get("/healthz").status) == 200 { answered += 1 }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(answered >= 6, "/healthz answered \(answered) of 8 probes under 200 half-sent requests")
        // A pass records the pushed head despite the flood.
        let deadline = ContinuousClock.now + .seconds(90)
        var recorded = false
        while !recorded, ContinuousClock.now < deadline {
            recorded = (try? await client.get("/api/v1/status").json["commit"] as? String) == head
            if !recorded { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(recorded, "no pass recorded \(head) while the server was flooded")
        let metrics = try PrometheusText.parse(try await client.get("/metrics").text)
        #expect(metrics["innominatus_http_connections_rejected_total"] ?? 0 > 0)
        #expect(metrics["innominatus_http_connections_limit"] ?? 0 < 64)

        var status: Int32 = 0
        #expect(waitpid(serve.pid, &status, WNOHANG) == 0, "serve died under the flood (wait status \(status))")
        kill(serve.pid, SIGTERM)
        var exited = false
        let stop = ContinuousClock.now + .seconds(60)
        while !exited, ContinuousClock.now < stop {
            if waitpid(serve.pid, &status, WNOHANG) == serve.pid { exited = true } else { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(exited)
        #expect(status & 0x7f == 0, "serve was killed by signal \(status & 0x7f)")
        #expect((status >> 8) & 0xff == 0)
        let output = try String(contentsOfFile: log, encoding: .utf8)
        #expect(output.contains("serving at most"))
        #expect(!output.contains("Signal 4"))
    }
}
