/// What of a remote URL may be shown and stored: everything but a password in its user-info.
///
/// A URL given on the command line is readable by every user of the machine (`/proc/PID/cmdline`, `ps`),
/// lands in shell history and unit files, and would be copied into the cache's `config`, every log line and
/// every error that names the remote. So innominatus refuses a URL that carries a password (`refusal`), and
/// everything that shows or stores a URL shows `redacted(_:)`. A user name alone (`ssh://git@host/x.git`) is
/// not a secret (SSH needs it) and stays.
public enum RemoteURL {
    /// The user-info of `url` (between `scheme://` and the last `@` of the authority, RFC 3986), or nil when
    /// it has none. scp-like `user@host:path` has no room for a password: nil.
    static func userInfo(of url: String) -> (user: Substring, password: Substring?, range: Range<String.Index>)? {
        guard let scheme = url.firstRange(of: "://") else { return nil }
        let rest = url[scheme.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard let at = authority.lastIndex(of: "@") else { return nil }
        let info = authority[..<at]
        if let colon = info.firstIndex(of: ":") {
            return (info[..<colon], info[info.index(after: colon)...], info.startIndex..<at)
        }
        return (info, nil, info.startIndex..<at)
    }

    /// Whether `url` carries a (non-empty) password in its user-info.
    public static func hasPassword(_ url: String) -> Bool {
        guard let password = userInfo(of: url)?.password else { return false }
        return !password.isEmpty
    }

    /// `url` with its password replaced by `***` (`https://user:***@host/x.git`); other URLs unchanged.
    public static func redacted(_ url: String) -> String {
        guard let info = userInfo(of: url), let password = info.password, !password.isEmpty else { return url }
        var shown = url
        shown.replaceSubrange(info.range, with: info.user + ":***")
        return shown
    }

    /// Why `url` is refused, or nil when it carries no password: the error names the safe ways to authenticate.
    public static func refusal(_ url: String, operation: String) -> GitError? {
        guard hasPassword(url) else { return nil }
        let user = userInfo(of: url).map { String($0.user) } ?? ""
        let ssh = url.hasPrefix("ssh://")
        return GitError(.invalid, operation: operation, message: "the URL \(redacted(url)) carries a password, which innominatus "
            + "never takes from a URL (a command line is readable by every user of this machine, and the URL would be stored "
            + "in the workdir's cache.git/config and shown in logs); remove it from the URL and "
            + (ssh ? "authenticate with a key (--ssh-key FILE, or the SSH agent in $SSH_AUTH_SOCK), or put the password in "
                : "put the token or password in ")
            + "$INNOMINATUS_GIT_TOKEN" + (user.isEmpty ? "" : " (the user name may stay in the URL, or go in $INNOMINATUS_GIT_USERNAME)"))
    }
}
