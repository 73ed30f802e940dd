import Glibc

/// The unprivileged account steps run as when the reconciler runs as root (docs/ARCHITECTURE.md, "Who can
/// read what"): the guard of every step changes to it before the step's folder is entered, so a step cannot
/// write the checkout (root's files, read-only) nor enter the workdir's state, secrets, resources and logs
/// (root's folders, 0700). Its per-attempt scratch folder is the one place it owns.
public struct StepUser: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var uid: uid_t
    public var gid: gid_t

    public init(name: String, uid: uid_t, gid: gid_t) {
        self.name = name
        self.uid = uid
        self.gid = gid
    }

    public var description: String { "\(name) (uid \(uid), gid \(gid))" }

    /// The dedicated account the README tells how to create.
    public static let dedicatedName = "innominatus-step"

    /// The account called `name` (or a numeric uid), from the user database; nil when there is none.
    public static func lookUp(_ name: String) -> StepUser? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16384)
        if let number = UInt32(name) {
            guard getpwuid_r(number, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        } else {
            guard getpwnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        }
        return StepUser(name: String(cString: entry.pw_name), uid: entry.pw_uid, gid: entry.pw_gid)
    }

    /// The user steps run as when none is named: the dedicated account, else `nobody`.
    public static func defaultUser() -> StepUser? { lookUp(dedicatedName) ?? lookUp("nobody") }
}

extension StepUser {
    /// Who steps of a reconciler run as: `requested` (a name or uid) or, for a reconciler running as root,
    /// the dedicated account or `nobody`. Naming the reconciler's own user keeps steps as it (said in
    /// `warning`); a reconciler that is not root cannot change user.
    public static func resolve(_ requested: String?, effectiveUID: uid_t = geteuid())
        -> Result<(user: StepUser?, warning: String?), StepUserError> {
        let own = lookUp(String(effectiveUID))
        let sameUser = "steps run as this reconciler's own user \(own?.description ?? "uid \(effectiveUID)"): they can read and "
            + "write its workdir (the state key, generated secrets, every app's logs); a change they make to the checkout is "
            + "undone before the next workflow"
        if let requested {
            guard let user = lookUp(requested) else {
                return .failure(StepUserError("--step-user \(requested): there is no such user; create it "
                    + "(useradd --system --no-create-home --shell /usr/sbin/nologin \(dedicatedName)) or name another"))
            }
            if user.uid == effectiveUID { return .success((nil, sameUser)) }
            guard effectiveUID == 0 else {
                return .failure(StepUserError("--step-user \(requested): only a reconciler running as root can run steps as "
                    + "another user; leave the option out to run them as this user"))
            }
            if user.uid == 0 { return .success((nil, sameUser)) }
            return .success((user, nil))
        }
        guard effectiveUID == 0 else { return .success((nil, sameUser + "; run the reconciler as root to have them run as \(dedicatedName) or nobody")) }
        guard let user = defaultUser() else {
            return .failure(StepUserError("the reconciler runs as root and neither \(dedicatedName) nor nobody exists to run steps as; "
                + "create \(dedicatedName) (useradd --system --no-create-home --shell /usr/sbin/nologin \(dedicatedName)) "
                + "or name a user with --step-user"))
        }
        return .success((user, nil))
    }
}

public struct StepUserError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
