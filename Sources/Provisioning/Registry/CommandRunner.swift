import Foundation
import ProcessSupport

/// Runs a cmd provisioner's program: a JSON document on stdin, stdout and stderr captured, killed at a
/// deadline. Synchronous (`PipedChild` waits on the calling thread): call it from a thread of its own.
struct CommandRunner {
    struct Result {
        var status: Int32
        var stdout: Data
        var stderr: Data
    }

    static func run(_ command: [String], input: Data, environment: [String: String],
                    timeout: Duration = .seconds(120)) throws(ProvisioningError) -> Result {
        let child: PipedChild
        do {
            child = try PipedChild(command, environment: environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" },
                                   searchPath: true, ownProcessGroup: true)
        } catch {
            throw ProvisioningError("\(error.description); check the path and that the file is executable")
        }
        child.send(Array(input))
        let (status, output) = child.finish(deadline: .now + timeout, stderrLimit: 1 << 20)
        if output.timedOut {
            throw ProvisioningError("'\(command[0])' did not finish within \(timeout) and was killed; make it faster or raise the timeout")
        }
        return Result(status: status, stdout: Data(output.stdout), stderr: Data(output.stderr))
    }
}
