import Glibc

/// Standard output and error, written whole and unbuffered. A reader that went away (`innominatus plan |
/// head`) fails the write with EPIPE (SIGPIPE is ignored, see `BrokenPipes`); the rest of that stream is then
/// dropped and the command carries on, as a pass must not be cut short by its log reader. Foundation's
/// `FileHandle.write(_:)` would trap instead.
public enum StandardStream: Sendable {
    case output, error

    var descriptor: Int32 { self == .output ? 1 : 2 }

    public func write(_ text: String) {
        var text = text
        text.withUTF8 { buffer in
            guard var next = buffer.baseAddress else { return }
            var left = buffer.count
            while left > 0 {
                let written = Glibc.write(descriptor, next, left)
                if written > 0 {
                    next += written
                    left -= written
                } else if written < 0, errno == EINTR {
                    continue
                } else {
                    return  // EPIPE, a closed or full stream: nothing can be told there
                }
            }
        }
    }
}
