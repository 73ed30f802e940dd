import Foundation
import ProcessSupport

/// Runs a cmd provisioner's program: a JSON document on stdin, stdout and stderr captured, killed at a
/// deadline. Synchronous (`PipedChild` waits on the calling thread): call it from a thread of its own.
struct CommandRunner {
    struct Result {
        var status: Int32
        var stdout: Data
        /// The last `stderrLimit` bytes of stderr at most.
        var stderr: Data
        /// Bytes of stderr that came before those and were dropped.
        var stderrDropped: Int
    }

    /// The most a provisioner may print: its answer is one JSON document, held whole in memory to parse
    /// (the same bound as a step-type plugin's answer).
    static let stdoutLimit = 4 << 20

    /// The most of its stderr kept: the last part, where a failing program says why (only a short tail reaches
    /// the error anyway). The rest is read and dropped as it comes, so a chatty program neither stalls on a
    /// full pipe nor fills the reconciler's memory.
    static let stderrLimit = 64 << 10

    /// - Parameter directory: the working directory (the checkout's root, as for steps).
    static func run(_ command: [String], input: Data, environment: [String: String], directory: String? = nil,
                    timeout: Duration = .seconds(120)) throws(ProvisioningError) -> Result {
        let child: PipedChild
        do {
            child = try PipedChild(command, environment: environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" },
                                   directory: directory, searchPath: true, ownProcessGroup: true)
        } catch {
            throw ProvisioningError("\(error.description); check the path and that the file is executable")
        }
        child.send(Array(input))
        let (status, output) = child.finish(deadline: .now + timeout, stderrLimit: stderrLimit, keep: .last, stdoutLimit: stdoutLimit)
        if output.stdoutOverflowed {
            throw ProvisioningError("'\(command[0])' printed more than \(stdoutLimit >> 20) MiB on stdout and was killed; a provisioner "
                + "prints one JSON document ({\"state\", \"outputs\", \"secrets\", \"manifests\"})")
        }
        if output.timedOut {
            throw ProvisioningError("'\(command[0])' did not finish within \(timeout) and was killed; make it faster or raise the timeout")
        }
        return Result(status: status, stdout: Data(output.stdout), stderr: Data(output.stderr), stderrDropped: output.stderrDropped)
    }
}
