import Foundation
import Testing

/// A client must send its whole request head within the header timeout, however it spaces the bytes:
/// one that trickles a header byte at a time is answered 408 and closed, and counted in /metrics. A
/// kept-alive connection waiting between requests, like one that has sent nothing yet, is the idle
/// timeout's business, not this one's.
@Suite struct HeaderTimeoutTests {
    @Test func aTricklingClientIsAnswered408AndClosed() async throws {
        let fixture = try await ServerFixture(idleTimeout: .seconds(60), headerTimeout: .seconds(1))
        let connection = try #require(RawConnection(port: fixture.port))
        connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        // A byte every 200 ms: never idle, never done. Closed within 3× the timeout.
        let answer = connection.trickle("a", every: .milliseconds(200), for: .seconds(3))
        #expect(answer.closed, "a client trickling its header was still connected after 3× the header timeout")
        #expect(answer.text.hasPrefix("HTTP/1.1 408"))
        #expect(answer.text.contains("no complete request head within 1s"))
        let metrics = try PrometheusText.parse(try await fixture.client.get("/metrics").text)
        #expect(metrics["innominatus_http_header_timeouts_total"] == 1)
        try await fixture.stop()
    }

    @Test func aKeptAliveConnectionOutlivesTheHeaderTimeoutBetweenRequests() async throws {
        let fixture = try await ServerFixture(idleTimeout: .seconds(60), headerTimeout: .seconds(1))
        let connection = try #require(RawConnection(port: fixture.port))
        // Opened ahead of use: silent for longer than the header timeout, then served.
        try await Task.sleep(for: .milliseconds(1500))
        let request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        let answered: (String) -> Bool = { $0.contains(#"{"status":"ok"}"#) }
        connection.send(request)
        #expect(connection.read(for: .seconds(30), until: answered).text.hasPrefix("HTTP/1.1 200"))
        // Longer than the header timeout, shorter than the idle timeout: still open, and served.
        try await Task.sleep(for: .milliseconds(1500))
        connection.send(request)
        let second = connection.read(for: .seconds(30), until: answered)
        #expect(second.text.hasPrefix("HTTP/1.1 200"))
        #expect(!second.closed)
        try await fixture.stop()
    }
}
