import Foundation
import TestSupport
import Testing
@testable import Provisioning

/// `innominatus render` through the built binary: stdout, `--output DIR`, kept state, and errors.
@Suite struct RenderCommandTests {
    /// The `innominatus` executable beside the test bundle: the same path as `GitFixture.helper.executable`,
    /// worked out here because this target does not import GitKit.
    static var binary: String {
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        if directory.lastPathComponent.hasSuffix(".xctest") { directory = directory.deletingLastPathComponent() }
        return directory.appendingPathComponent("innominatus").path
    }

    @Test func printsTheManifestsToStdout() throws {
        let folder = try TemporaryDirectory("render-cli")
        let state = folder.appending("state.json")
        let arguments = [Self.binary, "render", ProvisioningFixtures.score("shop"), "--state", state, "--commit", "abc123"]
        let first = try Shell.execute(arguments)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.hasPrefix("---\napiVersion: v1\nkind: Secret\n"))
        #expect(first.stdout.contains("kind: Deployment"))
        #expect(first.stdout.contains("kind: Queue"), "the repository's own provisioner was used")
        #expect(first.stdout.contains("innominatus.dev/commit: abc123"))
        let second = try Shell.execute(arguments)
        #expect(second.stdout == first.stdout, "same input and state, same bytes")
    }

    @Test func writesOneFilePerObjectWithOutput() throws {
        let folder = try TemporaryDirectory("render-cli")
        let result = try Shell.execute([Self.binary, "render", ProvisioningFixtures.score("ledger"), "--output", folder.appending("out")])
        #expect(result.status == 0, "\(result.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.appending("out")).sorted()
        #expect(files.contains("statefulset-ledger.yaml"))
        #expect(files.contains("statefulset-ledger-store.yaml"))
        #expect(files.contains("secret-shared-pg.yaml"), "a shared resource is named by its id")
        let ledger = try String(contentsOfFile: folder.appending("out/statefulset-ledger.yaml"), encoding: .utf8)
        #expect(ledger.hasPrefix("apiVersion: apps/v1\nkind: StatefulSet\n"))
    }

    /// Secrets on disk are the owner's alone: with `--output`, Secret manifests are 0600 (also one an earlier
    /// render left 0644) in folders render makes 0700; the `--state` file is 0600 in folders it makes 0700.
    @Test func secretFilesAreOwnerOnly() throws {
        let folder = try TemporaryDirectory("render-cli")
        let output = folder.appending("out/preview"), state = folder.appending("state/ledger/state.json")
        let arguments = [Self.binary, "render", ProvisioningFixtures.score("ledger"), "--output", output, "--state", state]
        func mode(_ path: String) throws -> Int? { try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int }
        let first = try Shell.execute(arguments)
        #expect(first.status == 0, "\(first.stderr)")
        let secret = output + "/secret-shared-pg.yaml"
        #expect(try String(contentsOfFile: secret, encoding: .utf8).contains("kind: Secret"))
        #expect(try mode(secret) == 0o600)
        #expect(try mode(folder.appending("out")) == 0o700)
        #expect(try mode(output) == 0o700)
        #expect(try mode(state) == 0o600)
        #expect(try mode(folder.appending("state")) == 0o700)
        #expect(try mode(folder.appending("state/ledger")) == 0o700)

        chmod(secret, 0o644)
        let second = try Shell.execute(arguments)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try mode(secret) == 0o600, "a Secret an earlier render left readable is narrowed")
    }

    @Test func unmatchedResourceExitsOneNamingIt() throws {
        let folder = try TemporaryDirectory("render-cli")
        try FileManager.default.createDirectory(atPath: folder.appending("repo/provisioners"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder.appending("repo/apps/x"), withIntermediateDirectories: true)
        try """
            apiVersion: score.dev/v1b1
            metadata: {name: xy}
            containers: {main: {image: busybox}}
            resources: {qq: {type: oracle, class: big}}
            """.write(toFile: folder.appending("repo/apps/x/score.yaml"), atomically: true, encoding: .utf8)
        let result = try Shell.execute([Self.binary, "render", folder.appending("repo/apps/x/score.yaml")])
        #expect(result.status == 1)
        #expect(result.stderr.contains("resources.qq (type oracle, class big, id none)"))
        #expect(result.stderr.contains("template://default/postgres"))
        #expect(result.stdout.isEmpty)
    }
}
