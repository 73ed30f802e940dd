import Foundation

/// A fresh folder under the system's temporary directory, removed when the value is released.
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init(_ label: String = "innominatus") throws {
        var template = Array((NSTemporaryDirectory() + "/\(label)-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        // A reconciler run as root runs steps as an unprivileged user, who must pass through (not list) the
        // folders above its workdir's checkout.
        chmod(made, 0o711)
        path = URL(fileURLWithPath: String(cString: made)).resolvingSymlinksInPath().path
    }

    public func appending(_ component: String) -> String { path + "/" + component }

    deinit {
        // Checkouts are read-only: make them writable before removing.
        _ = try? Shell.run(["chmod", "-R", "u+w", path])
        try? FileManager.default.removeItem(atPath: path)
    }
}
