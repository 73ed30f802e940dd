import Foundation
import Logging
import Reconciler
import TestSupport
import Testing

/// A pass that does nothing because it cannot is never silent under `serve`: a busy workdir is a
/// warning that says who holds it and when the next try is, and /metrics counts the pass as busy.
@Suite struct LoopOutcomeTests {
    @Test func aBusyPassIsAWarningWithTheReasonAndTheNextTry() async throws {
        let logs = LogCapture()
        let fixture = try await ServerFixture(logs: logs)
        try await fixture.waitUntilReady()
        // Another holder of the workdir: the lock is a flock, which a second open file takes apart.
        let lock = try WorkdirLock(workdir: fixture.git.root.appending("workdir"))
        defer { lock.release() }
        #expect(try await fixture.client.post("/api/v1/reconcile", headers: fixture.authorization).status == 202)
        try await fixture.eventually("a busy pass in /metrics") {
            let metrics = try PrometheusText.parse(try await fixture.client.get("/metrics").text)
            return metrics["innominatus_passes_total{result=\"busy\"}"] == 1
                && logs.lines.contains { $0.message.hasPrefix("pass skipped") }
        }
        let skipped = try #require(logs.lines.first { $0.message.hasPrefix("pass skipped") })
        #expect(skipped.level == .warning)
        #expect(skipped.message.contains("another innominatus"))
        #expect(skipped.message.contains("next try at "))
        #expect(!logs.lines.contains { $0.message.contains("out of file descriptors") })
        try await fixture.stop()
    }
}
