import Foundation
import TestSupport
import Testing

/// A client that sends half a request and then nothing is disconnected after the idle timeout, so stalled
/// clients cannot hold the server's descriptors; `/healthz` keeps answering meanwhile.
@Suite struct IdleTimeoutTests {
    @Test func aHalfSentRequestIsClosedAfterTheIdleTimeout() async throws {
        let fixture = try await ServerFixture(idleTimeout: .seconds(1))
        let port = try #require(URLComponents(string: fixture.client.base)?.port)
        let stalled = (0..<20).map { _ in connectLocal(port) }
        for fd in stalled {
            #expect(fd >= 0)
            let partial = Array("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n".utf8)
            _ = write(fd, partial, partial.count)
        }
        #expect(try await fixture.client.get("/healthz").status == 200)
        try await Task.sleep(for: .seconds(3))
        for fd in stalled {
            var buffer = [UInt8](repeating: 0, count: 64)
            var timeout = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let count = read(fd, &buffer, buffer.count)
            let reason = count < 0 ? errno : 0
            // Closed by the server (end of file or reset), not still open (a read that timed out).
            #expect(count == 0 || reason == ECONNRESET, "the server still held a half-sent request after its idle timeout")
            close(fd)
        }
        try await fixture.stop()
    }
}
