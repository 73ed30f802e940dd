import Foundation
import Provisioning

/// Paths of the shared fixtures and a renderer whose generated values are fixed, for golden files.
enum ProvisioningFixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/provisioning").path
    static let repo = folder + "/repo"

    static func score(_ app: String) -> String { repo + "/apps/\(app)/score.yaml" }

    /// Fixed "generated" values so golden files do not change from run to run.
    @Sendable static func fixedRandom(_ kind: Template.RandomKind) -> String {
        kind == .password ? "generated-password" : "abcdefgh"
    }

    static func renderer(store: any ResourceStateStore = MemoryStateStore(), fixed: Bool = true) throws -> AppRenderer {
        AppRenderer(registry: try ProvisionerRegistry.forRepository(root: repo), stateStore: store, commit: "0123456789abcdef",
                    random: fixed ? fixedRandom : RandomValue.generate)
    }
}
