import Foundation
import ProcessSupport

/// Runs one of the standard signature tools (`ssh-keygen`, `gpg`, `gpgv`) as a child process: on a thread
/// of its own (`PipedChild` waits on the calling thread, never on Swift's small pool), with an environment
/// of its own (`PATH`, `LC_ALL=C`, and `GNUPGHOME`/`HOME` in a private folder, so no user keyring is read
/// or written), killed at a deadline. innominatus does no cryptography of its own (docs/ARCHITECTURE.md §9).
struct SignatureTool {
    struct Result: Sendable {
        var status: Int32
        var stdout: [UInt8]
        var stderr: [UInt8]

        var output: String { String(decoding: stdout, as: UTF8.self) }

        /// The tool's own words, first lines of stderr, for messages.
        var complaint: String {
            let lines = String(decoding: stderr, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
            let text = lines.prefix(3).joined(separator: " | ")
            return text.isEmpty ? "exit status \(status)" : text
        }
    }

    struct Failure: Error, Sendable, CustomStringConvertible {
        var description: String
    }

    /// The private folder the tools run in (their `HOME` and `GNUPGHOME`).
    var home: String
    var timeout: Duration = .seconds(30)

    func run(_ arguments: [String], input: [UInt8] = []) async throws(Failure) -> Result {
        let environment = ["PATH=" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"), "LC_ALL=C",
                           "HOME=" + home, "GNUPGHOME=" + home]
        let timeout = timeout
        let outcome: Swift.Result<Result, Failure> = await withCheckedContinuation { continuation in
            OSThread.detach {
                let child: PipedChild
                do {
                    child = try PipedChild(arguments, environment: environment, directory: home, searchPath: true, ownProcessGroup: true)
                } catch {
                    let hint = arguments[0] == "ssh-keygen" ? "openssh-client" : "gnupg"
                    continuation.resume(returning: .failure(Failure(description: "\(error); install \(hint) (apt-get install -y \(hint))")))
                    return
                }
                child.send(input)
                let (status, output) = child.finish(deadline: .now + timeout, stderrLimit: 64 << 10, stdoutLimit: 16 << 20)
                if output.timedOut {
                    continuation.resume(returning: .failure(Failure(description: "\(arguments[0]) did not finish within \(timeout) and was killed")))
                    return
                }
                continuation.resume(returning: .success(Result(status: status, stdout: output.stdout, stderr: output.stderr)))
            }
        }
        return try outcome.get()
    }

    /// A new private folder (0700) under the system's temporary folder; the caller removes it.
    static func temporaryFolder() throws(Failure) -> String {
        var template = Array((NSTemporaryDirectory() + "/innominatus-trust-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else {
            throw Failure(description: "cannot make a temporary folder: \(String(cString: strerror(errno)))")
        }
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// Writes `bytes` to `path` with mode 0600 (replacing what was there).
    static func write(_ bytes: [UInt8], to path: String) throws(Failure) {
        guard Workdir.replace(path, with: bytes) else {
            throw Failure(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
