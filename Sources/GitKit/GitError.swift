import CLibGit2

/// The one error GitKit throws: what failed (`operation`), why (`code`), and libgit2's own words.
///
/// `code` is ours, so callers can branch on it without knowing libgit2's numbers; `libgit2Code` and
/// `errorClass` keep libgit2's return value and error class for the log.
public struct GitError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let notFound = Code("not-found")
        public static let exists = Code("exists")
        /// A compare-and-swap lost: the ref moved since it was read.
        public static let refMoved = Code("ref-moved")
        public static let locked = Code("locked")
        /// A push was refused because the remote has commits we lack.
        public static let nonFastForward = Code("non-fast-forward")
        /// The server refused a ref update (a hook, a protected branch, a lost race on the server).
        public static let rejected = Code("rejected")
        /// `Repository.publish` gave up: every attempt was refused because the ref kept moving.
        public static let contended = Code("contended")
        public static let timedOut = Code("timed-out")
        public static let authentication = Code("authentication")
        /// The server's host key is not in the known_hosts file, or does not match it.
        public static let hostKey = Code("host-key")
        /// A local remote this user may not read, or that libgit2 refuses because someone else owns it.
        public static let permissionDenied = Code("permission-denied")
        public static let tooLarge = Code("too-large")
        public static let invalid = Code("invalid")
        public static let io = Code("io")
        public static let other = Code("other")
    }

    public var code: Code
    /// What GitKit was doing, e.g. `fetch origin (/srv/platform.git)`.
    public var operation: String
    public var message: String
    /// libgit2's return value (0 when the error did not come from libgit2).
    public var libgit2Code: Int32
    /// libgit2's error class (`GIT_ERROR_*`), 0 when none.
    public var errorClass: Int32

    public init(_ code: Code, operation: String, message: String, libgit2Code: Int32 = 0, errorClass: Int32 = 0) {
        self.code = code
        self.operation = operation
        self.message = message
        self.libgit2Code = libgit2Code
        self.errorClass = errorClass
    }

    public var description: String {
        var text = "\(operation): \(message)"
        if libgit2Code != 0 { text += " (libgit2 error \(libgit2Code), class \(errorClass))" }
        return text
    }

    /// Builds the error for a failed libgit2 call. Must run right after the call, on the same thread:
    /// `git_error_last()` is thread-local.
    static func last(_ result: Int32, _ operation: String) -> GitError {
        var message = "libgit2 reported error \(result)"
        var errorClass: Int32 = 0
        if let last = git_error_last(), let text = last.pointee.message {
            message = String(cString: text)
            errorClass = last.pointee.klass
        }
        return GitError(Code(libgit2: result), operation: operation, message: message,
                        libgit2Code: result, errorClass: errorClass)
    }
}

extension GitError.Code {
    init(libgit2 result: Int32) {
        switch git_error_code(rawValue: result) {
        case GIT_ENOTFOUND, GIT_EUNBORNBRANCH: self = .notFound
        case GIT_EEXISTS: self = .exists
        case GIT_EMODIFIED: self = .refMoved
        case GIT_ELOCKED: self = .locked
        case GIT_ENONFASTFORWARD: self = .nonFastForward
        case GIT_EAUTH: self = .authentication
        case GIT_ECERTIFICATE: self = .hostKey
        case GIT_EINVALIDSPEC, GIT_EINVALID, GIT_EAMBIGUOUS: self = .invalid
        default: self = .other
        }
    }
}

/// Turns a negative libgit2 result into a `GitError`. Pass the call itself as `result`, so that
/// `git_error_last()` is read right after it, on the same thread.
@discardableResult
func check(_ result: Int32, _ operation: @autoclosure () -> String) throws(GitError) -> Int32 {
    if result < 0 { throw GitError.last(result, operation()) }
    return result
}
