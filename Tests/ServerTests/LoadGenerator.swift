import Foundation
import Synchronization
import TestSupport

/// An open-loop HTTP/1.1 load generator on plain POSIX sockets: `rate` GET requests a second on a
/// schedule, spread over many keep-alive connections driven by `poll(2)` on one thread of its own (never
/// a Swift-concurrency thread). A request's latency runs from the moment it was due, so a server that
/// falls behind shows it (no coordinated omission). URLSession cannot come near 1,000 requests/s here.
struct LoadGenerator: Sendable {
    var port: Int
    var paths: [String]
    var rate: Int
    var seconds: Int
    var connections: Int
    /// After this, requests still unanswered count as errors.
    var guardSeconds: Double = 300
    /// A connection left unused this long is reopened before its next request, as HTTP clients' pools do:
    /// the server closes keep-alive connections idle for 30 s, and a request written on one it already
    /// closed reads "connection closed" (a deep pool under a slow server leaves some unused that long).
    var maxIdleSeconds: Double = 15

    struct Result: Sendable {
        var scheduled = 0
        var completed = 0
        var errors: [String: Int] = [:]
        /// Per path, latencies in milliseconds.
        var latencies: [String: [Double]] = [:]
        var elapsed: Double = 0
        /// Connections reopened because they sat unused past `maxIdleSeconds` (not errors).
        var reconnects = 0

        var errorCount: Int { errors.values.reduce(0, +) }
        var achievedRate: Double { elapsed > 0 ? Double(completed) / elapsed : 0 }

        static func percentile(_ values: [Double], _ p: Double) -> Double {
            guard !values.isEmpty else { return .nan }
            let sorted = values.sorted()
            return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.down)))]
        }

        var allLatencies: [Double] { latencies.values.flatMap { $0 } }
    }

    /// Runs on a new thread; the caller polls without blocking.
    func start() -> ResultBox {
        let box = ResultBox()
        let generator = self
        let thread = Thread {
            let result = generator.generate()
            box.value.withLock { $0 = result }
        }
        thread.stackSize = 1 << 20
        thread.start()
        return box
    }

    /// Waits (sleeping, not blocking a thread) for a run started with `start`.
    func run() async -> Result {
        let box = start()
        while true {
            if let done = box.value.withLock({ $0 }) { return done }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Where the generator's thread leaves its result.
    final class ResultBox: Sendable {
        let value = Mutex<Result?>(nil)
    }

    private struct Connection {
        var fd: Int32
        var buffer: [UInt8] = []
        var due: Double = 0
        var path = 0
        var busy = false
        /// When it was opened or last answered.
        var lastUsed: Double = 0
    }

    private static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    private func openConnection() -> Int32 {
        let fd = connectLocal(port)
        guard fd >= 0 else { return -1 }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        return fd
    }

    /// The length of the first complete HTTP response in `bytes` and its status, or nil when incomplete.
    static func response(in bytes: [UInt8]) -> (length: Int, status: Int)? {
        guard bytes.count >= 12, let end = find([13, 10, 13, 10], in: bytes, from: 0) else { return nil }
        let head = String(decoding: bytes[0..<end], as: UTF8.self).lowercased()
        let status = Int(String(decoding: bytes[9..<12], as: UTF8.self)) ?? 0
        let bodyStart = end + 4
        for line in head.split(separator: "\r\n") where line.hasPrefix("content-length:") {
            let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
            return bytes.count >= bodyStart + length ? (bodyStart + length, status) : nil
        }
        guard head.contains("transfer-encoding: chunked") else { return (bodyStart, status) }
        var position = bodyStart
        while true {
            guard let lineEnd = find([13, 10], in: bytes, from: position) else { return nil }
            let sizeText = String(decoding: bytes[position..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { return (bytes.count, 0) }
            if size == 0 {
                guard let trailerEnd = find([13, 10, 13, 10], in: bytes, from: lineEnd) else { return nil }
                return (trailerEnd + 4, status)
            }
            position = lineEnd + 2 + size + 2
            if position > bytes.count { return nil }
        }
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        var index = start
        while index <= bytes.count - needle.count {
            if bytes[index] == needle[0] && Array(bytes[index..<index + needle.count]) == needle { return index }
            index += 1
        }
        return nil
    }

    private func generate() -> Result {
        var result = Result()
        let total = rate * seconds
        result.scheduled = total
        var pool: [Connection] = []
        for _ in 0..<connections {
            let fd = openConnection()
            if fd < 0 { result.errors["connect", default: 0] += 1 } else { pool.append(Connection(fd: fd, lastUsed: Self.now())) }
        }
        var idle = Array(pool.indices)
        let requests = paths.map { Array("GET \($0) HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: innominatus-load\r\n\r\n".utf8) }
        let start = Self.now()
        var next = 0
        var inFlight = 0
        var chunk = [UInt8](repeating: 0, count: 65536)

        func fail(_ index: Int, _ reason: String) {
            result.errors[reason, default: 0] += 1
            close(pool[index].fd)
            pool[index] = Connection(fd: openConnection(), lastUsed: Self.now())
            inFlight -= 1
            if pool[index].fd >= 0 { idle.append(index) } else { result.errors["connect", default: 0] += 1 }
        }

        while next < total || inFlight > 0 {
            let now = Self.now()
            if now - start > guardSeconds {
                result.errors["unanswered at the guard", default: 0] += inFlight + (total - next)
                break
            }
            while next < total, start + Double(next) / Double(rate) <= now, let index = idle.popLast() {
                if now - pool[index].lastUsed > maxIdleSeconds {
                    close(pool[index].fd)
                    pool[index] = Connection(fd: openConnection(), lastUsed: now)
                    result.reconnects += 1
                    if pool[index].fd < 0 { result.errors["connect", default: 0] += 1; continue }
                }
                let path = next % paths.count
                let sent = requests[path].withUnsafeBytes { write(pool[index].fd, $0.baseAddress, $0.count) }
                pool[index].due = start + Double(next) / Double(rate)
                pool[index].path = path
                pool[index].busy = true
                inFlight += 1
                next += 1
                if sent != requests[path].count { fail(index, "write") }
            }
            let owners = pool.indices.filter { pool[$0].busy }
            var fds = owners.map { pollfd(fd: pool[$0].fd, events: Int16(POLLIN), revents: 0) }
            let wait = next < total ? max(0, min(10, Int32(((start + Double(next) / Double(rate)) - Self.now()) * 1000))) : 10
            _ = poll(&fds, nfds_t(fds.count), wait)
            for (slot, index) in owners.enumerated() where fds[slot].revents != 0 {
                let count = read(pool[index].fd, &chunk, chunk.count)
                if count <= 0 {
                    if count < 0 && (errno == EAGAIN || errno == EINTR) { continue }
                    fail(index, count == 0 ? "connection closed" : "read error")
                    continue
                }
                pool[index].buffer += chunk[0..<count]
                guard let (length, status) = Self.response(in: pool[index].buffer) else { continue }
                let latency = (Self.now() - pool[index].due) * 1000
                pool[index].buffer.removeFirst(length)
                pool[index].busy = false
                pool[index].lastUsed = Self.now()
                inFlight -= 1
                idle.append(index)
                result.completed += 1
                result.latencies[paths[pool[index].path], default: []].append(latency)
                if status != 200 { result.errors["status \(status) on \(paths[pool[index].path])", default: 0] += 1 }
            }
        }
        result.elapsed = Self.now() - start
        for connection in pool where connection.fd >= 0 { close(connection.fd) }
        return result
    }
}
