import Foundation
import GitKit
import TestSupport
import Testing

/// The seal finds every way a process of the checkout's own user can change it, and the next checkout
/// undoes the change.
@Suite struct CheckoutSealTests {
    struct World {
        let fixture: GitFixture
        let repository: Repository
        let commit: ObjectID
        let checkout: String

        init() async throws {
            fixture = try GitFixture()
            let head = try fixture.commit(["workflows/scripts/scan.sh": "echo original\n", "apps/a/score.yaml": "a\n"])
            repository = try Repository.open(at: fixture.work)
            commit = try #require(ObjectID(hex: head))
            checkout = fixture.root.appending("checkout")
            _ = try await repository.checkout(commit, into: checkout)
        }

        func sh(_ script: String) throws { try Shell.run(["sh", "-c", script], in: checkout) }
    }

    @Test(arguments: [
        // Same size, old modification time restored: only the change time tells.
        ("rewritten", "chmod u+w workflows/scripts/scan.sh && printf 'echo injected\\n' > workflows/scripts/scan.sh "
            + "&& touch -d '2001-01-01' workflows/scripts/scan.sh"),
        ("chmod-ed", "chmod 0755 workflows/scripts/scan.sh"),
        ("added", "chmod u+w apps/a && echo x > apps/a/extra.sh"),
        ("removed", "chmod u+w apps/a && rm -f apps/a/score.yaml"),
        ("linked", "chmod u+w apps && ln workflows/scripts/scan.sh apps/copy.sh"),
        ("replaced", "chmod u+w workflows/scripts && mv workflows/scripts/scan.sh /tmp/sealtest-$$ && cp /tmp/sealtest-$$ workflows/scripts/scan.sh"),
    ])
    func aChangeIsFoundAndTheNextCheckoutUndoesIt(label: String, change: String) async throws {
        let world = try await World()
        let seal = try #require(CheckoutSeal.read(for: world.checkout))
        #expect(seal.matches(world.checkout))
        try world.sh(change)
        #expect(!seal.matches(world.checkout), "\(label): not found")
        #expect(!seal.differences(in: world.checkout).isEmpty)
        let again = try await world.repository.checkout(world.commit, into: world.checkout)
        #expect(!again.restoredPaths.isEmpty, "\(label): the next checkout did not see it")
        #expect(try String(contentsOfFile: world.checkout + "/workflows/scripts/scan.sh", encoding: .utf8) == "echo original\n")
        #expect(!FileManager.default.fileExists(atPath: world.checkout + "/apps/a/extra.sh"))
        #expect(FileManager.default.fileExists(atPath: world.checkout + "/apps/a/score.yaml"))
        #expect(try #require(CheckoutSeal.read(for: world.checkout)).matches(world.checkout))
    }

    @Test func readingChangesNothing() async throws {
        let world = try await World()
        let seal = try #require(CheckoutSeal.read(for: world.checkout))
        try world.sh("cat workflows/scripts/scan.sh apps/a/score.yaml > /dev/null; ls -R > /dev/null")
        #expect(seal.matches(world.checkout))
        let again = try await world.repository.checkout(world.commit, into: world.checkout)
        #expect(again.restoredPaths.isEmpty && again.changedPaths == 0)
    }

    @Test func theAddedPathIsNamed() async throws {
        let world = try await World()
        let seal = try #require(CheckoutSeal.read(for: world.checkout))
        try world.sh("chmod u+w apps/a && echo x > apps/a/extra.sh")
        #expect(seal.differences(in: world.checkout).contains("apps/a/extra.sh"), "\(seal.differences(in: world.checkout))")
    }
}
