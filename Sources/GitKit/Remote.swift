/// Where the platform repository lives and how to reach it.
public struct Remote: Sendable, Equatable {
    /// A local path, or a `file://`, `git://`, `ssh://` or `https://` URL.
    public var url: String
    public var credentials: Credentials
    /// Deadline for one network operation (a fetch or a push). libgit2 cannot time out a hanging
    /// transfer itself, so each runs in a helper process that is killed at the deadline.
    public var timeout: Duration
    /// How to start that helper process.
    public var helper: HelperCommand

    public init(url: String, credentials: Credentials = Credentials(), timeout: Duration = .seconds(120),
                helper: HelperCommand = .currentExecutable) {
        self.url = url
        self.credentials = credentials
        self.timeout = timeout
        self.helper = helper
    }
}

/// How to authenticate to a remote. Holds names of files and environment variables, never secrets,
/// so it can be logged and handed to the helper process.
public struct Credentials: Sendable, Equatable, Codable {
    /// SSH private key file; without one, the SSH agent (`SSH_AUTH_SOCK`) is asked.
    public var sshPrivateKey: String?
    /// SSH public key file (default: the private key's path + `.pub`, when that exists).
    public var sshPublicKey: String?
    /// Environment variable holding the private key's passphrase, if it has one.
    public var sshPassphraseVariable: String?
    /// known_hosts file the server's host key must be listed in (default `~/.ssh/known_hosts`).
    /// An unknown host or a changed key is refused; there is no "accept new keys" mode.
    public var knownHosts: String?
    /// Environment variable holding the HTTPS token (used as the password).
    public var tokenVariable: String
    /// Environment variable holding the HTTPS user name (default `x-access-token`, which GitHub and Gitea accept).
    public var usernameVariable: String

    public init(sshPrivateKey: String? = nil, sshPublicKey: String? = nil, sshPassphraseVariable: String? = nil,
                knownHosts: String? = nil, tokenVariable: String = "INNOMINATUS_GIT_TOKEN",
                usernameVariable: String = "INNOMINATUS_GIT_USERNAME") {
        self.sshPrivateKey = sshPrivateKey
        self.sshPublicKey = sshPublicKey
        self.sshPassphraseVariable = sshPassphraseVariable
        self.knownHosts = knownHosts
        self.tokenVariable = tokenVariable
        self.usernameVariable = usernameVariable
    }
}

/// The program that runs GitKit's network operations (see `NetworkHelper`): by default this very
/// executable, re-entered with `NetworkHelper.argument` as its first argument.
public struct HelperCommand: Sendable, Equatable {
    public var executable: String
    public var arguments: [String]

    public init(executable: String, arguments: [String] = [NetworkHelper.argument]) {
        self.executable = executable
        self.arguments = arguments
    }

    public static let currentExecutable = HelperCommand(executable: "/proc/self/exe")
}

/// What happened to one ref of a push.
public struct PushedRef: Sendable, Equatable, Codable {
    public var ref: String
    /// nil when the remote took the update; otherwise the server's or libgit2's reason.
    public var rejection: String?

    public init(ref: String, rejection: String?) {
        self.ref = ref
        self.rejection = rejection
    }
}
