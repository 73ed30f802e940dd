import Foundation
import GitKit
import TestSupport
import Testing

/// ssh:// against Debian's OpenSSH server on 127.0.0.1, with throw-away keys.
@Suite("ssh:// transport with host-key checking", .serialized)
struct SSHTests {
    @Test func fetchWithKeyFileAndKnownHost() async throws {
        let fixture = try GitFixture()
        let head = try fixture.commit(["a": "over ssh"])
        try fixture.push()
        let server = try SSHServer(directory: fixture.root.path)
        let remote = GitFixture.remote(server.url(fixture.remote), credentials: Credentials(
            sshPrivateKey: server.clientKey, knownHosts: server.knownHosts))
        let repository = try await Repository.clone(remote, into: fixture.root.appending("cache.git"))
        #expect(try await repository.resolveRemoteBranch("main").hex == head)
        // And a push over the same transport.
        try await repository.writeNote("via ssh\n", on: repository.resolveRemoteBranch("main"), append: true)
        try await repository.pushNotes(to: remote)
        #expect(try fixture.remoteGit("notes", "--ref=innominatus", "show", head) == "via ssh")
    }

    @Test func fetchWithTheSSHAgent() async throws {
        let fixture = try GitFixture()
        let head = try fixture.commit(["a": "via agent"])
        try fixture.push()
        let server = try SSHServer(directory: fixture.root.path)
        let socket = fixture.root.appending("agent.sock")
        let agent = try Shell.start(["ssh-agent", "-D", "-a", socket], log: fixture.root.appending("agent.log"))
        defer { agent.stop() }
        try waitForSocket(socket)
        try Shell.run(["ssh-add", "-q", server.clientKey], environment: ["SSH_AUTH_SOCK": socket])
        // The helper process inherits the environment: the agent is found through SSH_AUTH_SOCK.
        setenv("SSH_AUTH_SOCK", socket, 1)
        defer { unsetenv("SSH_AUTH_SOCK") }
        let remote = GitFixture.remote(server.url(fixture.remote), credentials: Credentials(knownHosts: server.knownHosts))
        let repository = try await Repository.clone(remote, into: fixture.root.appending("cache.git"))
        #expect(try await repository.resolveRemoteBranch("main").hex == head)
    }

    private func waitForSocket(_ path: String) throws {
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: path) { usleep(50_000) }
    }

    @Test func hashedKnownHostsEntryIsAccepted() async throws {
        let fixture = try GitFixture()
        let head = try fixture.commit(["a": "1"])
        try fixture.push()
        let server = try SSHServer(directory: fixture.root.path)
        try Shell.run(["ssh-keygen", "-q", "-H", "-f", server.knownHosts])
        #expect(try String(contentsOfFile: server.knownHosts, encoding: .utf8).hasPrefix("|1|"))
        let remote = GitFixture.remote(server.url(fixture.remote), credentials: Credentials(
            sshPrivateKey: server.clientKey, knownHosts: server.knownHosts))
        let repository = try await Repository.clone(remote, into: fixture.root.appending("cache.git"))
        #expect(try await repository.resolveRemoteBranch("main").hex == head)
    }

    @Test func unknownHostIsRefused() async throws {
        let fixture = try GitFixture()
        try fixture.commit(["a": "1"])
        try fixture.push()
        let server = try SSHServer(directory: fixture.root.path)
        let empty = fixture.root.appending("empty_known_hosts")
        try "# nothing here\n".write(toFile: empty, atomically: true, encoding: .utf8)
        let remote = GitFixture.remote(server.url(fixture.remote), credentials: Credentials(
            sshPrivateKey: server.clientKey, knownHosts: empty))
        let error = await #expect(throws: GitError.self) {
            _ = try await Repository.clone(remote, into: fixture.root.appending("cache.git"))
        }
        #expect(error?.code == .hostKey)
        #expect(error?.message.contains("[127.0.0.1]:\(server.port)") == true)
        #expect(error?.message.contains("unknown host") == true, "\(String(describing: error))")
    }

    @Test func changedHostKeyIsRefused() async throws {
        let fixture = try GitFixture()
        try fixture.commit(["a": "1"])
        try fixture.push()
        let server = try SSHServer(directory: fixture.root.path)
        // known_hosts lists another key for this host: the server's key "changed".
        let other = fixture.root.appending("other_host_key")
        try Shell.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other])
        let otherKey = try String(contentsOfFile: other + ".pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        try "[127.0.0.1]:\(server.port) \(otherKey)\n".write(toFile: server.knownHosts, atomically: true, encoding: .utf8)
        let remote = GitFixture.remote(server.url(fixture.remote), credentials: Credentials(
            sshPrivateKey: server.clientKey, knownHosts: server.knownHosts))
        let error = await #expect(throws: GitError.self) {
            _ = try await Repository.clone(remote, into: fixture.root.appending("cache.git"))
        }
        #expect(error?.code == .hostKey)
        #expect(error?.message.contains("CHANGED") == true, "\(String(describing: error))")
    }

    @Test func wrongClientKeyIsAnAuthenticationError() async throws {
        let fixture = try GitFixture()
        try fixture.commit(["a": "1"])
        try fixture.push()
        let server = try SSHServer(directory: fixture.root.path)
        let stranger = fixture.root.appending("stranger")
        try Shell.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", stranger])
        let remote = GitFixture.remote(server.url(fixture.remote), credentials: Credentials(
            sshPrivateKey: stranger, knownHosts: server.knownHosts))
        let error = await #expect(throws: GitError.self) {
            _ = try await Repository.clone(remote, into: fixture.root.appending("cache.git"))
        }
        #expect(error?.code == .authentication, "\(String(describing: error))")
    }
}
