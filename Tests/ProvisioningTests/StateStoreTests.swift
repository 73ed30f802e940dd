import Foundation
import TestSupport
import Testing
@testable import Provisioning

/// Resource state survives between renders through the store, so a generated password stays the same.
@Suite struct StateStoreTests {
    @Test func fileStoreRoundTripsWithOwnerOnlyMode() throws {
        let folder = try TemporaryDirectory("state-store")
        let store = FileStateStore(path: folder.appending("nested/state.json"))
        #expect(try store.load().isEmpty)
        let states: [String: ManifestValue] = ["shop/db": .map([("password", .string("p\"w\n")), ("n", .int(3)), ("f", .double(1.5)),
                                                                  ("ok", .bool(true)), ("none", .null), ("l", .list([.string("é")]))])]
        try store.save(states)
        #expect(try store.load() == states)
        let mode = try FileManager.default.attributesOfItem(atPath: store.path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
    }

    @Test func aGeneratedPasswordStaysTheSameBetweenRenders() throws {
        let folder = try TemporaryDirectory("state-store")
        let store = FileStateStore(path: folder.appending("state.json"))
        let first = try ProvisioningFixtures.renderer(store: store, fixed: false)
            .render(scoreFile: ProvisioningFixtures.score("shop"), root: ProvisioningFixtures.repo)
        let password = try #require(ProvisioningFixtures.state(of: "shop/db", in: try store.load())?["password"]?.string)
        let second = try ProvisioningFixtures.renderer(store: FileStateStore(path: store.path), fixed: false)
            .render(scoreFile: ProvisioningFixtures.score("shop"), root: ProvisioningFixtures.repo)
        #expect(ProvisioningFixtures.state(of: "shop/db", in: try store.load())?["password"]?.string == password)
        #expect(first.yaml == second.yaml)
        #expect(first.yaml.contains(password))

        let fresh = try ProvisioningFixtures.renderer(store: MemoryStateStore(), fixed: false)
            .render(scoreFile: ProvisioningFixtures.score("shop"), root: ProvisioningFixtures.repo)
        #expect(!fresh.yaml.contains(password))
    }

    @Test func aCorruptStateFileIsAnError() throws {
        let folder = try TemporaryDirectory("state-store")
        try "not json".write(toFile: folder.appending("state.json"), atomically: true, encoding: .utf8)
        #expect(throws: ProvisioningError.self) { try FileStateStore(path: folder.appending("state.json")).load() }
    }
}
