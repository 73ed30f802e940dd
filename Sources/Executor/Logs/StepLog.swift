import Glibc

/// Where a step's output goes: split into lines, masked, the last lines kept in memory, all of it (up to a
/// cap) appended to a file. Memory stays bounded whatever a step prints (a 100 MB log costs 64 KiB here).
///
/// Lives on the one thread that reads the step's pipes; it never crosses threads.
final class StepLog {
    static let tailLines = 200
    static let tailBytes = 64 * 1024
    /// Past this a line is cut, so one endless line cannot grow the buffer.
    static let maxLineBytes = 16 * 1024
    /// The full log file stops growing here (the tail in memory still follows the end).
    static let maxFileBytes = 16 * 1024 * 1024

    private let mask: SecretMask
    private var partial: [UInt8] = []
    private var tail: [String] = []
    private var tailStart = 0
    private var tailSize = 0
    private var file: Int32 = -1
    private var fileBytes = 0
    private var fileTruncated = false

    private let budget: LogBudget?

    /// - Parameters:
    ///   - path: the full log file, appended to; nil keeps only the tail.
    ///   - budget: what the step's group (its app in this pass) may still write to log files.
    init(mask: SecretMask, path: String?, budget: LogBudget? = nil) {
        self.mask = mask
        self.budget = budget
        if let path {
            file = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        }
    }

    deinit {
        if file >= 0 { close(file) }
    }

    func append(_ bytes: UnsafeRawBufferPointer) {
        var start = 0
        for index in 0..<bytes.count where bytes[index] == 0x0A {
            partial.append(contentsOf: bytes[start..<index])
            flushLine()
            start = index + 1
        }
        partial.append(contentsOf: bytes[start..<bytes.count])
        if partial.count >= Self.maxLineBytes { flushLine() }
    }

    /// A line the executor itself writes (retries, timeouts), so it shows in context.
    func note(_ text: String) {
        finishPartial()
        partial = Array(Self.noteLine(text).utf8)
        flushLine()
    }

    /// How the executor's own lines read in a log: `[innominatus] text`.
    static func noteLine(_ text: String) -> String { "[innominatus] \(text)" }

    /// Appends lines the executor writes outside a running step (why it could not start, a retry) to the
    /// full log file at `path`, creating it (0600) when no process ever wrote there. `lines` are already masked.
    static func appendNotes(_ lines: [String], to path: String?) {
        guard let path, !lines.isEmpty else { return }
        let file = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard file >= 0 else { return }
        defer { close(file) }
        let bytes = Array(lines.map { $0 + "\n" }.joined().utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(file, $0.baseAddress, $0.count) }
            if written <= 0 { if errno == EINTR { continue } else { break } }
            offset += written
        }
    }

    /// The masked last lines, oldest first.
    func finish() -> [String] {
        finishPartial()
        return Array(tail[tailStart...])
    }

    private func finishPartial() {
        if !partial.isEmpty { flushLine() }
    }

    private func flushLine() {
        let line = mask.mask(String(decoding: partial, as: UTF8.self))
        partial.removeAll(keepingCapacity: true)
        writeToFile(line)
        tail.append(line)
        tailSize += line.utf8.count + 1
        while tail.count - tailStart > Self.tailLines || (tailSize > Self.tailBytes && tail.count - tailStart > 1) {
            tailSize -= tail[tailStart].utf8.count + 1
            tailStart += 1
        }
        if tailStart > 1024 {
            tail.removeFirst(tailStart)
            tailStart = 0
        }
    }

    private func writeToFile(_ line: String) {
        guard file >= 0, !fileTruncated else { return }
        var bytes = Array(line.utf8) + [0x0A]
        if fileBytes + bytes.count > Self.maxFileBytes {
            bytes = Array("[innominatus] log truncated at \(Self.maxFileBytes) bytes; the tail is in the result\n".utf8)
            fileTruncated = true
        } else if let budget, !budget.take(bytes.count) {
            bytes = Array(("[innominatus] log truncated: this app's step logs of this pass reached \(budget.limit >> 20) MiB; "
                + "the tail is in the result\n").utf8)
            fileTruncated = true
        }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(file, $0.baseAddress, $0.count) }
            if written <= 0 { if errno == EINTR { continue } else { break } }
            offset += written
        }
        fileBytes += bytes.count
    }
}
