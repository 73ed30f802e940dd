import CLibGit2
import FoundationEssentials
import Glibc

/// The helper-process side of a fetch or push: libgit2 with credential, host-key and push-status callbacks.
final class NetworkTransfer {
    let request: NetworkRequest
    /// The first failure a callback saw, reported instead of libgit2's vaguer one.
    private var callbackFailure: GitError?
    private var credentialAttempts = 0
    private var pushed: [String: String?] = [:]

    init(request: NetworkRequest) { self.request = request }

    var operation: String { "\(request.operation.rawValue) \(RemoteURL.redacted(request.url))" }

    func run() -> NetworkResponse {
        LibGit2.ensureInitialized()
        if request.url.hasPrefix("https://") { LibGit2.loadSystemCertificates() }
        do throws(GitError) {
            var repository: OpaquePointer?
            try check(git_repository_open_ext(&repository, request.gitDirectory, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil),
                      "open repository \(request.gitDirectory)")
            defer { git_repository_free(repository) }
            if let local = Self.localPath(of: request.url), access(local, F_OK) != 0 {
                throw GitError(.notFound, operation: operation,
                               message: "there is no repository at \(local): the path does not exist")
            }
            var remote: OpaquePointer?
            try check(Self.createRemote(&remote, repository, request.url), "set up remote \(RemoteURL.redacted(request.url))")
            defer { git_remote_free(remote) }
            switch request.operation {
            case .fetch: try fetch(remote)
            case .push: try push(remote)
            }
            return NetworkResponse(error: nil, pushed: request.refspecs.map { spec in
                let destination = Self.destination(of: spec)
                return PushedRef(ref: destination, rejection: pushed[destination] ?? nil)
            })
        } catch {
            return NetworkResponse(error: WireError(callbackFailure ?? localRemoteProblem(after: error) ?? error))
        }
    }

    /// Why a local remote failed, when libgit2's words hide it: for a folder this user may not read it says
    /// "could not find repository", and for one owned by another user (its `safe.directory` check, which
    /// cannot be configured here: only the repository's own config is read) "config value 'safe.directory'
    /// was not found". Nil when neither applies.
    private func localRemoteProblem(after error: GitError) -> GitError? {
        guard let local = Self.localPath(of: request.url) else { return nil }
        let user = geteuid()
        if faccessat(AT_FDCWD, local, R_OK | X_OK, AT_EACCESS) != 0 && errno == EACCES {
            return GitError(.permissionDenied, operation: operation,
                            message: "permission denied: \(local) cannot be read by this user (uid \(user)); give it read "
                                + "access (and write access, for pushes) or run innominatus as a user who has it")
        }
        var info = stat()
        if error.message.contains("safe.directory") || error.message.contains("owned"),
           stat(local, &info) == 0, info.st_uid != user {
            return GitError(.permissionDenied, operation: operation,
                            message: "\(local) belongs to uid \(info.st_uid), not to this user (uid \(user)), and libgit2 "
                                + "(like git's safe.directory check) refuses a repository someone else owns; run innominatus "
                                + "as its owner, or serve it over git://, ssh:// or https://")
        }
        return nil
    }

    private func fetch(_ remote: OpaquePointer?) throws(GitError) {
        var options = git_fetch_options()
        try check(git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION)), operation)
        installCallbacks(&options.callbacks)
        options.prune = request.prune ? GIT_FETCH_PRUNE : GIT_FETCH_NO_PRUNE
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
        options.update_fetchhead = 0
        let result = withExtendedLifetime(self) {
            request.refspecs.withStrarray { git_remote_fetch(remote, &$0, &options, "innominatus: fetch") }
        }
        if result < 0 { throw failure(result) }
    }

    private func push(_ remote: OpaquePointer?) throws(GitError) {
        var options = git_push_options()
        try check(git_push_options_init(&options, UInt32(GIT_PUSH_OPTIONS_VERSION)), operation)
        installCallbacks(&options.callbacks)
        options.callbacks.push_update_reference = { refname, status, payload in
            let transfer = Unmanaged<NetworkTransfer>.fromOpaque(payload!).takeUnretainedValue()
            let name = String(cString: refname!)
            transfer.pushed[name] = status.map { String(cString: $0) }
            return 0
        }
        let result = withExtendedLifetime(self) {
            request.refspecs.withStrarray { git_remote_push(remote, &$0, &options) }
        }
        if result < 0 { throw failure(result) }
    }

    private func failure(_ result: Int32) -> GitError {
        var error = callbackFailure ?? GitError.last(result, operation)
        if error.code == .nonFastForward {
            error.message = "the remote has changes we do not have (non-fast-forward): " + error.message
        }
        // libgit2 says only "incorrect data check" for objects that do not inflate, or "object not found"
        // when a damaged pack hides one a ref needs (which of the two depends on where the damage lies).
        if error.errorClass == Int32(GIT_ERROR_ZLIB.rawValue)
            || (request.operation == .fetch && error.errorClass == Int32(GIT_ERROR_ODB.rawValue) && error.message.contains("not found")) {
            error.message = "corrupt git objects (\(error.message)): the remote's repository, or this workdir's cache.git, "
                + "is damaged; `git fsck` in each says which"
        }
        return error
    }

    private func installCallbacks(_ callbacks: inout git_remote_callbacks) {
        callbacks.payload = Unmanaged.passUnretained(self).toOpaque()
        callbacks.credentials = { out, url, usernameFromURL, allowed, payload in
            let transfer = Unmanaged<NetworkTransfer>.fromOpaque(payload!).takeUnretainedValue()
            return transfer.credential(out, usernameFromURL.map { String(cString: $0) }, allowed)
        }
        callbacks.certificate_check = { cert, valid, host, payload in
            let transfer = Unmanaged<NetworkTransfer>.fromOpaque(payload!).takeUnretainedValue()
            return transfer.checkCertificate(cert, valid: valid != 0, host: host.map { String(cString: $0) } ?? "")
        }
    }

    // MARK: Credentials

    private func credential(_ out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>?, _ userFromURL: String?,
                            _ allowed: UInt32) -> Int32 {
        credentialAttempts += 1
        let credentials = request.credentials
        let environment = ProcessInfoLite.self
        guard credentialAttempts <= 3 else {
            return refuse(.authentication, "the remote refused every credential offered "
                + "(SSH key \(credentials.sshPrivateKey ?? "from the agent"), or the token in $\(credentials.tokenVariable))")
        }
        if allowed & GIT_CREDENTIAL_SSH_KEY.rawValue != 0 {
            let user = userFromURL ?? "git"
            if let privateKey = credentials.sshPrivateKey {
                var publicKey = credentials.sshPublicKey
                if publicKey == nil, access(privateKey + ".pub", R_OK) == 0 { publicKey = privateKey + ".pub" }
                let passphrase = credentials.sshPassphraseVariable.flatMap(environment.value)
                return git_credential_ssh_key_new(out, user, publicKey, privateKey, passphrase)
            }
            return git_credential_ssh_key_from_agent(out, user)
        }
        if allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0 {
            guard let token = environment.value(credentials.tokenVariable), !token.isEmpty else {
                return refuse(.authentication, "the remote asks for a password: put a token in $\(credentials.tokenVariable)")
            }
            let user = environment.value(credentials.usernameVariable) ?? userFromURL ?? "x-access-token"
            return git_credential_userpass_plaintext_new(out, user, token)
        }
        if allowed & GIT_CREDENTIAL_USERNAME.rawValue != 0 {
            return git_credential_username_new(out, userFromURL ?? "git")
        }
        return refuse(.authentication, "the remote asks for a kind of credential innominatus does not offer")
    }

    // MARK: Host keys

    private func checkCertificate(_ cert: UnsafeMutablePointer<git_cert>?, valid: Bool, host: String) -> Int32 {
        guard let cert, cert.pointee.cert_type == GIT_CERT_HOSTKEY_LIBSSH2 else {
            // TLS: trust what libgit2 and the system's CA store decided.
            return valid ? 0 : refuse(.hostKey, "the TLS certificate of \(host) is not trusted by the system's CA store")
        }
        let hostkey = UnsafeMutableRawPointer(cert).assumingMemoryBound(to: git_cert_hostkey.self).pointee
        guard hostkey.type.rawValue & GIT_CERT_SSH_RAW.rawValue != 0, let raw = hostkey.hostkey else {
            return refuse(.hostKey, "the SSH server \(host) did not present a host key innominatus can check")
        }
        let key = Array(UnsafeRawBufferPointer(start: raw, count: hostkey.hostkey_len))
        let path = request.credentials.knownHosts ?? ((ProcessInfoLite.value("HOME") ?? "/root") + "/.ssh/known_hosts")
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            return refuse(.hostKey, "cannot read the known_hosts file \(path); add the host key of \(host) there")
        }
        let name = KnownHosts.lookupName(host: host, port: Self.port(of: request.url))
        switch KnownHosts(text: text).verdict(host: name, key: key) {
        case .trusted:
            return 0
        case .unknown:
            return refuse(.hostKey, "the host key of \(name) is not in \(path): refusing to connect to an unknown host "
                + "(add it with `ssh-keyscan`, after checking its fingerprint)")
        case .changed:
            return refuse(.hostKey, "the host key of \(name) does not match the one in \(path): "
                + "it CHANGED, which may be an attack; refusing to connect")
        case .revoked:
            return refuse(.hostKey, "the host key of \(name) is marked @revoked in \(path); refusing to connect")
        }
    }

    private func refuse(_ code: GitError.Code, _ message: String) -> Int32 {
        let libgit2Code = code == .hostKey ? GIT_ECERTIFICATE.rawValue : GIT_EAUTH.rawValue
        if callbackFailure == nil {
            callbackFailure = GitError(code, operation: operation, message: message, libgit2Code: libgit2Code)
        }
        git_error_set_str(Int32(GIT_ERROR_SSH.rawValue), message)
        return libgit2Code
    }

    /// The port of an `ssh://host:port/...` URL (nil for scp-style or default).
    static func port(of url: String) -> Int? {
        guard let schemeEnd = url.firstRange(of: "://") else { return nil }
        var authority = url[schemeEnd.upperBound...].prefix { $0 != "/" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            let rest = authority[authority.index(after: close)...]
            return rest.hasPrefix(":") ? Int(rest.dropFirst()) : nil
        }
        guard let colon = authority.lastIndex(of: ":") else { return nil }
        return Int(authority[authority.index(after: colon)...])
    }

    /// The folder a local remote names (a plain path or a `file://` URL); nil for network URLs,
    /// including scp-like `user@host:path`.
    static func localPath(of url: String) -> String? {
        if url.hasPrefix("file://") { return String(url.dropFirst("file://".count)) }
        if url.contains("://") { return nil }
        if let colon = url.firstIndex(of: ":"), !url[..<colon].contains("/") { return nil }
        return url
    }

    /// An anonymous remote for `url`. For a remote on this machine (served in the reconciler's own process)
    /// `url.*.insteadOf` is not applied: that lookup matches every config entry against a regular expression,
    /// and libgit2 1.5 leaks the match data (about 20 KiB) of each entry that does not match — an unbounded
    /// leak in `serve`, which fetches for every read (docs/ARCHITECTURE.md §8). A path has nothing to rewrite;
    /// network remotes keep the rewrite, in a helper process that exits.
    static func createRemote(_ remote: inout OpaquePointer?, _ repository: OpaquePointer?, _ url: String) -> Int32 {
        guard localPath(of: url) != nil else { return git_remote_create_anonymous(&remote, repository, url) }
        var options = git_remote_create_options()
        git_remote_create_options_init(&options, UInt32(GIT_REMOTE_CREATE_OPTIONS_VERSION))
        options.repository = repository
        options.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF.rawValue | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC.rawValue
        return git_remote_create_with_opts(&remote, url, &options)
    }

    /// The remote ref a refspec writes (`+refs/a:refs/b` → `refs/b`).
    static func destination(of refspec: String) -> String {
        var spec = Substring(refspec)
        if spec.hasPrefix("+") { spec = spec.dropFirst() }
        if let colon = spec.firstIndex(of: ":") { return String(spec[spec.index(after: colon)...]) }
        return String(spec)
    }
}

/// Environment look-ups without Foundation's ProcessInfo.
enum ProcessInfoLite {
    static func value(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
}

extension Array where Element == String {
    /// Calls `body` with a `git_strarray` view of the strings, valid only inside `body`.
    func withStrarray<Result>(_ body: (inout git_strarray) -> Result) -> Result {
        let duplicates = map { strdup($0) }
        defer { duplicates.forEach { free($0) } }
        let pointers = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: Swift.max(count, 1))
        defer { pointers.deallocate() }
        pointers.initialize(from: duplicates, count: count)
        var array = git_strarray(strings: pointers, count: count)
        return body(&array)
    }
}
