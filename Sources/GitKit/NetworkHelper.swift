import CLibGit2
import CProcess
import FoundationEssentials
import Glibc
import ProcessSupport

/// GitKit's network operations (fetch, push), run in a child process so that a transfer that hangs can
/// be killed at its deadline (libgit2 1.5.1 has no timeout of its own). Local remotes are served in-process.
///
/// The parent writes one JSON `NetworkRequest` to the child's stdin and reads one `NetworkResponse`
/// from its stdout. The child is this same executable started with `argument` first: an executable
/// that embeds GitKit calls `NetworkHelper.runIfRequested()` before anything else in `main`.
public enum NetworkHelper {
    /// The hidden first argument that turns an executable into the helper.
    public static let argument = "__gitkit-network-helper"

    /// When this process was started as the helper, serves one request and exits; otherwise returns.
    public static func runIfRequested() {
        guard CommandLine.arguments.count >= 2, CommandLine.arguments[1] == argument else { return }
        exit(serve())
    }

    /// Serves one request from stdin, answering on stdout. Returns the exit status.
    static func serve() -> Int32 {
        var input: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(0, &buffer, buffer.count)
            if count <= 0 { break }
            input += buffer[0..<count]
        }
        let response: NetworkResponse
        do {
            let request = try JSONDecoder().decode(NetworkRequest.self, from: Data(input))
            // Never outlive the reconciler: die with it, also when it was killed with SIGKILL.
            _ = innominatus_set_parent_death_signal(SIGKILL)
            if getppid() != request.parent { return 3 }
            response = NetworkTransfer(request: request).run()
        } catch {
            response = NetworkResponse(error: WireError(GitError(.invalid, operation: "network helper",
                                                                 message: "unreadable request: \(error)")))
        }
        guard let output = try? JSONEncoder().encode(response) else { return 4 }
        var bytes = Array(output)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { write(1, $0.baseAddress! + offset, $0.count - offset) }
            if written <= 0 { return 5 }
            offset += written
        }
        return 0
    }

    /// Runs one request in a helper process, killing it (and failing with `.timedOut`) at the deadline.
    /// A remote on this machine (a path or `file://`) cannot hang on a network, so its transfer runs in this
    /// process, on a thread of its own: one process start less per command (the benchmarks' floor).
    static func run(_ request: NetworkRequest, helper: HelperCommand, timeout: Duration) async throws(GitError) -> NetworkResponse {
        // Refused before any transfer, whoever built the `Remote`: a password in a URL ends up in libgit2's
        // error messages and in whatever logs them (see `RemoteURL`).
        if let refusal = RemoteURL.refusal(request.url, operation: "\(request.operation.rawValue) \(RemoteURL.redacted(request.url))") {
            throw refusal
        }
        if NetworkTransfer.localPath(of: request.url) != nil {
            let response: NetworkResponse = await withCheckedContinuation { continuation in
                OSThread.detach { continuation.resume(returning: NetworkTransfer(request: request).run()) }
            }
            if let error = response.error { throw error.gitError }
            return response
        }
        let result: Result<NetworkResponse, GitError> = await withCheckedContinuation { continuation in
            // A blocking wait, on a thread of its own rather than Swift's cooperative pool. The same thread
            // spawns the child and waits for it, so the child's parent-death signal fires only if we die.
            OSThread.detach {
                continuation.resume(returning: Result { () throws(GitError) in
                    try ChildProcess.exchange(request, helper: helper, timeout: timeout)
                })
            }
        }
        let response = try result.get()
        if let error = response.error { throw error.gitError }
        return response
    }
}

/// One network operation, as the parent asks for it.
struct NetworkRequest: Codable, Sendable {
    enum Operation: String, Codable, Sendable { case fetch, push }
    var operation: Operation
    var gitDirectory: String
    var url: String
    var refspecs: [String]
    var prune: Bool
    var credentials: Credentials
    /// The parent's pid: the helper exits at once if its parent is already gone.
    var parent: Int32
}

struct NetworkResponse: Codable, Sendable {
    var error: WireError?
    var pushed: [PushedRef] = []
}

/// `GitError` as it crosses the process boundary.
struct WireError: Codable, Sendable {
    var code: String
    var operation: String
    var message: String
    var libgit2Code: Int32
    var errorClass: Int32

    init(_ error: GitError) {
        code = error.code.rawValue
        operation = error.operation
        message = error.message
        libgit2Code = error.libgit2Code
        errorClass = error.errorClass
    }

    var gitError: GitError {
        GitError(GitError.Code(code), operation: operation, message: message, libgit2Code: libgit2Code, errorClass: errorClass)
    }
}
