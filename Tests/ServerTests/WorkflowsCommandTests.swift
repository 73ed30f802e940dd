import Foundation
import GitKit
import TestSupport
import Testing

/// `innominatus workflows list|show` prints the discovery data of the API.
@Suite struct WorkflowsCommandTests {
    @Test func listAndShow() async throws {
        let fixture = try await ServerFixture()
        try await fixture.stop()
        let binary = GitFixture.helper.executable
        let common = ["--repo", fixture.git.remote, "--workdir", fixture.git.root.appending("cli")]
        let json = try Shell.run([binary, "workflows", "list", "--tier", "product", "--output", "json"] + common)
        let entries = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]] ?? []
        #expect(entries.compactMap { $0["name"] as? String } == ["ecommerce/database-setup", "ecommerce/rogue"])
        #expect(entries.compactMap { $0["approval"] as? String } == ["approved", "not-approved"])
        let text = try Shell.run([binary, "workflows", "list"] + common)
        #expect(text.contains("security-scan  platform  pre-deployment  approved  owner=platform-team"))
        let show = try Shell.run([binary, "workflows", "show", "ecommerce/rogue"] + common)
        #expect(show.contains("approval: not-approved"))
        let missing = try Shell.execute([binary, "workflows", "show", "ecommerce/nope"] + common)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no workflow"))
    }
}
