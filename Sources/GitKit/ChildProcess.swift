import FoundationEssentials
import ProcessSupport
import Specs

/// Spawns the network helper, hands it a request and collects its answer before a deadline.
enum ChildProcess {
    static func exchange(_ request: NetworkRequest, helper: HelperCommand, timeout: Duration) throws(GitError) -> NetworkResponse {
        let operation = "\(request.operation.rawValue) \(RemoteURL.redacted(request.url))"
        guard let input = try? JSONEncoder().encode(request) else {
            throw GitError(.invalid, operation: operation, message: "cannot encode the helper request")
        }
        let child: PipedChild
        do {
            // Its own process group, so that the deadline kills all of it.
            child = try PipedChild([helper.executable] + helper.arguments, ownProcessGroup: true)
        } catch {
            throw GitError(.io, operation: operation, message: "cannot start the network helper: \(error.description)")
        }
        child.send(Array(input))
        let (status, output) = child.finish(deadline: .now + timeout, stderrLimit: 65536)
        if output.timedOut {
            throw GitError(.timedOut, operation: operation,
                           message: "timed out after \(timeout.brief); the transfer was stopped")
        }
        if let response = try? JSONDecoder().decode(NetworkResponse.self, from: Data(output.stdout)) { return response }
        let detail = String(decoding: output.stderr, as: UTF8.self).split(whereSeparator: \.isNewline).suffix(5).joined(separator: " | ")
        throw GitError(.other, operation: operation,
                       message: "the network helper \(helper.executable) ended (exit status \(status)) without an answer"
                           + (detail.isEmpty ? "" : ": \(detail)"))
    }

}
