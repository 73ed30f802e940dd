import Foundation
import TestSupport

/// A TCP connection to a local server, driven byte by byte: the clients that misbehave (half-sent or
/// trickled request heads) which an HTTP client library will not play.
final class RawConnection {
    let fd: Int32

    init?(port: Int) {
        fd = connectLocal(port)
        guard fd >= 0 else { return nil }
    }

    deinit { close(fd) }

    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Foundation.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    /// What arrives within `timeout` (or until `until` holds of it), and whether the server closed the
    /// connection (end of file or reset).
    func read(for timeout: Duration, until done: (String) -> Bool = { _ in false }) -> (text: String, closed: Bool) {
        var received: [UInt8] = []
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let left = deadline - ContinuousClock.now
            let milliseconds = Int32(max(1, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
            guard poll(&poller, 1, milliseconds) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count > 0 {
                received += buffer[0..<count]
                if done(String(decoding: received, as: UTF8.self)) { return (String(decoding: received, as: UTF8.self), false) }
            } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                return (String(decoding: received, as: UTF8.self), true)
            }
        }
        return (String(decoding: received, as: UTF8.self), false)
    }

    /// Sends `byte` every `every` until the server closes the connection or `timeout` passes.
    func trickle(_ byte: String, every: Duration, for timeout: Duration) -> (text: String, closed: Bool) {
        var text = ""
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            send(byte)
            let answer = read(for: every)
            text += answer.text
            if answer.closed { return (text, true) }
        }
        return (text, false)
    }
}
