import Foundation
import TestSupport
import Testing

/// `/readyz` and the read API while the remote cannot be read.
@Suite struct HealthTests {
    @Test func unreachableRemoteIsNotReady() async throws {
        let fixture = try await ServerFixture(repo: "/nonexistent/platform.git")
        let client = fixture.client
        #expect(try await client.get("/healthz").status == 200)
        try await fixture.eventually("a first pass") {
            (try await client.get("/readyz").json["passes"] as? Int ?? 0) >= 1
        }
        let ready = try await client.get("/readyz")
        #expect(ready.status == 503)
        #expect(ready.json["ready"] as? Bool == false)
        let status = try await client.get("/api/v1/workflows")
        #expect(status.status == 503)
        #expect(status.errorMessage?.contains("cannot read the platform repository") == true)
        let metrics = try PrometheusText.parse(try await client.get("/metrics").text)
        #expect(metrics["innominatus_passes_total{result=\"could-not-start\"}"] == 1)
        try await fixture.stop()
    }
}

/// A forged applied state pushed while `serve` runs is ignored by the next pass, and `/metrics` counts it.
@Suite struct RejectedStateMetricTests {
    @Test func aForgedAppliedStateIsCountedInMetrics() async throws {
        let fixture = try await ServerFixture()
        let client = fixture.client
        try await fixture.waitUntilReady()
        let git = ["git", "--git-dir", fixture.git.remote]
        let blob = try Shell.run(git + ["hash-object", "-w", "--stdin"], input: "innominatus-applied-state v1\ncommit\t-\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let tree = try Shell.run(git + ["mktree"], input: "100644 blob \(blob)\t4b825dc642cb6eb9a060e54bf8d69288fbee4904\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let commit = try Shell.run(git + ["commit-tree", tree, "-m", "forged"]).trimmingCharacters(in: .whitespacesAndNewlines)
        try Shell.run(git + ["update-ref", "refs/innominatus/applied", commit])
        let head = try fixture.change(["README.md": "# platform, again\n"])
        #expect(try await client.post("/api/v1/reconcile", headers: fixture.authorization).status == 202)
        try await fixture.eventually("a status for \(head)") {
            try await client.get("/api/v1/status").json["commit"] as? String == head
        }
        let status = try await client.get("/api/v1/status")
        #expect((status.json["warnings"] as? [String])?.first?.contains("the applied state was ignored") == true)
        let metrics = try PrometheusText.parse(try await client.get("/metrics").text)
        #expect(metrics["innominatus_applied_state_rejected_total"] == 1)
        try await fixture.stop()
    }
}
