/// Why a stage of a pass could not do its work: a code the loop and the server act on (backoff, metrics,
/// the exit status), the words a person reads, and the error underneath, as `GitError` carries libgit2's.
public struct ReconcileError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The remote could not be read or written (network, authentication, a missing branch).
        case unreachable
        /// Another process holds the workdir or the remote branch's lease.
        case busy
        /// The lease could not be taken for another reason than a live holder.
        case leaseUnavailable
        /// The admin config is invalid: the pass fails closed.
        case invalidConfig
        /// A spec file execution needed is invalid (planning normally catches it first).
        case invalidSpec
        /// The workdir cannot be used: no space, wrong modes, not reachable by the step user.
        case workdir
        /// The checkout of the commit could not be written.
        case checkout
        /// The status note or the applied state could not be pushed.
        case recordFailed
        /// A request the command cannot honour (`trigger` of a workflow that is not manual, …).
        case refused
        /// The trust file refuses the head: a commit is not signed by a signer allowed to change what it
        /// changed (docs/ARCHITECTURE.md §9, trust). Nothing runs until the branch moves.
        case untrusted
    }

    public var code: Code
    public var message: String
    public var underlying: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        guard let underlying else { return message }
        return message + ": \(underlying)"
    }

    /// Whether the loop should wait longer before the next pass: the remote or the machine needs time (or
    /// a person), while a busy peer or an invalid file is retried at the usual interval (the next commit
    /// may fix a file; the peer will finish).
    public var backsOff: Bool {
        switch code {
        case .unreachable, .leaseUnavailable, .workdir, .checkout, .recordFailed: true
        case .busy, .invalidConfig, .invalidSpec, .refused, .untrusted: false
        }
    }
}
