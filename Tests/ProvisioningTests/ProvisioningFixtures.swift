import Foundation
import Provisioning

/// Paths of the shared fixtures and a renderer whose generated values are fixed, for golden files.
enum ProvisioningFixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/provisioning").path
    static let repo = folder + "/repo"

    /// The fixture repository's admin config approves its own provisioners files (and cmd:// ones).
    static var policy: ProvisionerPolicy {
        get throws { try ProvisionerPolicy.forRepository(root: repo) }
    }

    /// The state a resource's provisioner keeps, whichever provisioner it is (keys are `<resource> <uri>`).
    static func state(of resource: String, in states: [String: ManifestValue]) -> ManifestValue? {
        states.first { $0.key.hasPrefix(resource + " ") }?.value
    }

    static func score(_ app: String) -> String { repo + "/apps/\(app)/score.yaml" }

    /// Fixed "generated" values so golden files do not change from run to run.
    @Sendable static func fixedRandom(_ kind: Template.RandomKind) -> String {
        kind == .password ? "generated-password" : "abcdefgh"
    }

    static func renderer(store: any ResourceStateStore = MemoryStateStore(), fixed: Bool = true) throws -> AppRenderer {
        AppRenderer(registry: try ProvisionerRegistry.forRepository(root: repo, policy: try policy), stateStore: store, commit: "0123456789abcdef",
                    random: fixed ? fixedRandom : RandomValue.generate)
    }
}
