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
