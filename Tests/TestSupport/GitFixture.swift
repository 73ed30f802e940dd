import Foundation
import GitKit

/// A bare "remote" repository plus a working clone to build commits in, all under one temporary folder.
/// Fixtures are made with the git CLI; the code under test uses GitKit (libgit2) only.
public final class GitFixture: Sendable {
    public let root: TemporaryDirectory
    /// The bare repository that plays the remote.
    public let remote: String
    /// A working clone of it, where tests write and commit files.
    public let work: String

    public init(branch: String = "main") throws {
        root = try TemporaryDirectory("gitfixture")
        // Steps of a reconciler run as root run as an unprivileged user; they leave their markers here.
        chmod(root.path, 0o1777)
        remote = root.appending("remote.git")
        work = root.appending("work")
        try Shell.run(["git", "init", "-q", "--bare", "--initial-branch=\(branch)", remote])
        try Shell.run(["git", "init", "-q", "--initial-branch=\(branch)", work])
        try git("remote", "add", "origin", remote)
    }

    /// A state key file (`--state-key`) for every reconciler of a test that shares this remote from several
    /// workdirs, as several machines share one key.
    public var stateKeyFile: String {
        let path = root.appending("state.key")
        if !FileManager.default.fileExists(atPath: path) {
            FileManager.default.createFile(atPath: path, contents: Data("test-state-key-shared-by-every-reconciler-0123456789\n".utf8),
                                           attributes: [.posixPermissions: 0o600])
        }
        return path
    }

    /// Runs git in the working clone.
    @discardableResult
    public func git(_ arguments: String...) throws -> String {
        try Shell.run(["git"] + arguments, in: work).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs git against the bare remote.
    @discardableResult
    public func remoteGit(_ arguments: String...) throws -> String {
        try Shell.run(["git", "--git-dir=\(remote)"] + arguments).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Writes files (path → content; nil deletes), commits them and returns the new commit's id.
    @discardableResult
    public func commit(_ files: [String: String?], message: String = "change") throws -> String {
        for (path, content) in files {
            let full = work + "/" + path
            if let content {
                try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                                        withIntermediateDirectories: true)
                try content.write(toFile: full, atomically: false, encoding: .utf8)
            } else {
                try git("rm", "-q", "-r", "--", path)
            }
        }
        try git("add", "-A")
        try git("commit", "-q", "--allow-empty", "-m", message)
        return try git("rev-parse", "HEAD")
    }

    /// Pushes the working clone's branch to the remote (forced when asked).
    public func push(branch: String = "main", force: Bool = false) throws {
        if force { try git("push", "-q", "--force", "origin", "HEAD:refs/heads/\(branch)") }
        else { try git("push", "-q", "origin", "HEAD:refs/heads/\(branch)") }
    }

    /// The path of the `innominatus` executable built beside the test bundle, which GitKit starts as
    /// its network helper (tests run inside the test runner, not inside `innominatus`).
    public static var helper: HelperCommand {
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        // Linux: .build/debug/innominatusPackageTests.xctest is the test binary itself.
        if directory.lastPathComponent.hasSuffix(".xctest") { directory = directory.deletingLastPathComponent() }
        return HelperCommand(executable: directory.appendingPathComponent("innominatus").path)
    }

    /// A `Remote` for a URL or path, using the test helper and a short deadline.
    public static func remote(_ url: String, credentials: Credentials = Credentials(),
                              timeout: Duration = .seconds(60)) -> Remote {
        Remote(url: url, credentials: credentials, timeout: timeout, helper: helper)
    }
}
