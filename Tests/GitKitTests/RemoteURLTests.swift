import Foundation
import GitKit
import TestSupport
import Testing

/// A password in a remote URL never reaches the cache's config, an error or a log line: GitKit refuses the URL
/// before any transfer, and shows URLs with the password masked. A user name alone stays.
@Suite("Passwords in remote URLs")
struct RemoteURLTests {
    static let secret = "s3cr3t-t0ken-7f3a"

    @Test(arguments: [
        ("https://deploy:\(secret)@git.example.com/platform.git", "https://deploy:***@git.example.com/platform.git", true),
        ("ssh://git:\(secret)@127.0.0.1:2222/srv/platform.git", "ssh://git:***@127.0.0.1:2222/srv/platform.git", true),
        // The authority ends at the first '/': the last '@' before it ends the user-info (an '@' in a password).
        ("https://me:p@ss@host/x.git", "https://me:***@host/x.git", true),
        ("https://me:p%40ss@host/x.git?ref=a@b", "https://me:***@host/x.git?ref=a@b", true),
        // A user name alone is no secret (ssh needs it); an empty password is none either.
        ("ssh://git@github.com/org/platform.git", "ssh://git@github.com/org/platform.git", false),
        ("https://deploy@host/x.git", "https://deploy@host/x.git", false),
        ("https://deploy:@host/x.git", "https://deploy:@host/x.git", false),
        ("git@github.com:org/platform.git", "git@github.com:org/platform.git", false),
        ("https://host/path/with@sign.git", "https://host/path/with@sign.git", false),
        ("/srv/git/platform.git", "/srv/git/platform.git", false),
    ])
    func passwordsAreFoundAndMasked(url: String, shown: String, secret: Bool) {
        #expect(RemoteURL.hasPassword(url) == secret)
        #expect(RemoteURL.redacted(url) == shown)
        #expect((RemoteURL.refusal(url, operation: "fetch") != nil) == secret)
    }

    @Test func theRefusalNamesTheSafeAlternatives() throws {
        let https = try #require(RemoteURL.refusal("https://deploy:\(Self.secret)@host/x.git", operation: "--repo"))
        #expect(https.message.contains("https://deploy:***@host/x.git"))
        #expect(https.message.contains("$INNOMINATUS_GIT_TOKEN"))
        #expect(https.message.contains("$INNOMINATUS_GIT_USERNAME"))
        #expect(!https.description.contains(Self.secret))
        let ssh = try #require(RemoteURL.refusal("ssh://git:\(Self.secret)@host/x.git", operation: "--repo"))
        #expect(ssh.message.contains("--ssh-key"))
        #expect(!ssh.description.contains(Self.secret))
    }

    /// Over a real transport (`git daemon`): the clone is refused before anything reaches the remote, and
    /// neither the cache's config nor the error holds the password.
    @Test func aCloneWithAPasswordInTheURLIsRefusedAndStoresNothing() async throws {
        let fixture = try GitFixture()
        try fixture.commit(["a": "1"])
        try fixture.push()
        let daemon = try GitDaemon(basePath: fixture.root.path)
        let url = "git://deploy:\(Self.secret)@127.0.0.1:\(daemon.port)/remote.git"
        let cache = fixture.root.appending("cache.git")
        let error = await #expect(throws: GitError.self) {
            _ = try await Repository.clone(GitFixture.remote(url), into: cache)
        }
        #expect(error?.code == .invalid)
        #expect(error?.description.contains(Self.secret) == false, "\(String(describing: error))")
        #expect(error?.message.contains("INNOMINATUS_GIT_TOKEN") == true)
        let config = try String(contentsOfFile: cache + "/config", encoding: .utf8)
        #expect(!config.contains(Self.secret))
        // A fetch or push of an existing cache is refused the same way, whoever built the Remote.
        let repository = try Repository.open(at: cache)
        let fetch = await #expect(throws: GitError.self) { try await repository.fetch(from: GitFixture.remote(url)) }
        #expect(fetch?.description.contains(Self.secret) == false)
        #expect(fetch?.operation == "fetch git://deploy:***@127.0.0.1:\(daemon.port)/remote.git")
    }

    /// The cache is private to its owner: folder 0700, config 0600 — also a cache an earlier version left open.
    @Test func theCacheIsPrivateToItsOwner() async throws {
        let fixture = try GitFixture()
        try fixture.commit(["a": "1"])
        try fixture.push()
        let daemon = try GitDaemon(basePath: fixture.root.path)
        let cache = fixture.root.appending("cache.git")
        try Shell.run(["git", "init", "-q", "--bare", cache])
        chmod(cache, 0o755)
        chmod(cache + "/config", 0o644)
        _ = try await Repository.clone(GitFixture.remote(daemon.url("remote.git")), into: cache)
        #expect(try Self.mode(cache) == 0o700)
        #expect(try Self.mode(cache + "/config") == 0o600)
    }

    static func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }
}
