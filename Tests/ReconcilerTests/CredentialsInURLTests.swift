import Foundation
import GitKit
import Reconciler
import TestSupport
import Testing

/// `--repo` with a password in its URL: every command that reads the remote refuses it before anything runs or
/// is written, and says how to authenticate instead; the library path refuses it too. Through the real binary
/// and a real remote (`git daemon`).
@Suite("Credentials in --repo URLs")
struct CredentialsInURLTests {
    static let secret = "s3cr3t-t0ken-7f3a"

    /// Paths of the files under `folder` whose bytes contain `text`.
    static func files(under folder: String, containing text: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
        return walker.compactMap { $0 as? String }.filter { relative in
            FileManager.default.contents(atPath: folder + "/" + relative).map { String(decoding: $0, as: UTF8.self).contains(text) } ?? false
        }
    }

    @Test(arguments: [
        ["reconcile", "--log-level", "debug"], ["watch", "--log-level", "debug"], ["serve"],
        ["plan"], ["status"], ["history"], ["workflows", "list"], ["trigger", "checkout", "seed"],
    ])
    func everyCommandRefusesAPasswordInTheURL(command: [String]) throws {
        let fixture = try LoopFixture()
        let daemon = try GitDaemon(basePath: fixture.git.root.path)
        let url = "git://deploy:\(Self.secret)@127.0.0.1:\(daemon.port)/remote.git"
        // `timeout`: watch and serve would run until stopped if the URL were taken.
        let result = try Shell.execute(["timeout", "60", InnominatusBinary.path] + command + ["--repo", url, "--workdir", fixture.workdir])
        #expect(result.status == 2, "\(command): \(result.stdout) \(result.stderr)")
        #expect(result.stderr.contains("git://deploy:***@127.0.0.1:\(daemon.port)/remote.git carries a password"), "\(result.stderr)")
        #expect(result.stderr.contains("$INNOMINATUS_GIT_TOKEN"))
        #expect(!(result.stdout + result.stderr).contains(Self.secret))
        #expect(!FileManager.default.fileExists(atPath: fixture.workdir), "nothing is written for a refused URL")
    }

    /// A reconciler built as a library (no command line to refuse the URL): the pass fails before any transfer
    /// or cache, with the URL masked in its message; nothing in the workdir (its lock alone) holds the password.
    @Test func theLibraryRefusesItBeforeAnyTransfer() async throws {
        let fixture = try LoopFixture()
        let daemon = try GitDaemon(basePath: fixture.git.root.path)
        let url = "git://deploy:\(Self.secret)@127.0.0.1:\(daemon.port)/remote.git"
        let settings = ReconcileSettings(repo: url, workdir: fixture.workdir, helper: GitFixture.helper)
        let report = await PlatformReconciler(settings: settings).reconcileOnce()
        #expect(report.exitCode == 1)
        let text = PassSummary.text(report)
        #expect(text.contains("carries a password"), "\(text)")
        #expect(!text.contains(Self.secret))
        #expect(Self.files(under: fixture.workdir, containing: Self.secret) == [])
        #expect(!FileManager.default.fileExists(atPath: fixture.workdir + "/cache.git"))
    }

    /// The safe way works: the token from the environment, a user name in the URL (kept: no secret). After a
    /// pass over a real transport, the cache is private and nothing in the workdir or the remote holds the token.
    @Test func aUserNameStaysAndTheCacheIsPrivate() throws {
        let fixture = try LoopFixture()
        let daemon = try GitDaemon(basePath: fixture.git.root.path)
        let url = "git://deploy@127.0.0.1:\(daemon.port)/remote.git"
        let result = try Shell.execute([InnominatusBinary.path, "reconcile", "--repo", url, "--workdir", fixture.workdir,
                                        "--log-level", "debug", "--log-format", "json"],
                                       environment: ["INNOMINATUS_GIT_TOKEN": Self.secret])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!(result.stdout + result.stderr).contains(Self.secret))
        let cache = fixture.workdir + "/cache.git"
        #expect(try Shell.run(["git", "--git-dir", cache, "config", "remote.origin.url"]).contains(url))
        let attributes = { (path: String) in try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int }
        #expect(try attributes(cache) == 0o700)
        #expect(try attributes(cache + "/config") == 0o600)
        #expect(Self.files(under: fixture.workdir, containing: Self.secret) == [])
        #expect(Self.files(under: fixture.git.remote, containing: Self.secret) == [])
    }
}
