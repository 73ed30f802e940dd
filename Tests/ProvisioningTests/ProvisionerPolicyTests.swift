import Foundation
import Specs
import Testing
import TestSupport
@testable import Provisioning

/// The one rule on repository provisioners (`ProvisionerPolicy`), as the registry applies it, and state
/// kept per provisioner so that one never reads what another generated.
@Suite struct ProvisionerPolicyTests {
    static let command = "- uri: cmd://sh\n  type: postgres\n  args: [-c, 'cat']\n"
    static let template = "- uri: template://acme/pg\n  type: postgres\n  outputs: {host: acme-pg}\n"

    static func file(_ text: String, path: String = "provisioners/pg.yaml") throws -> ProvisionerRegistry.File {
        ProvisionerRegistry.File(path: path, blobID: GitBlobID.of(Array(text.utf8)),
                                 definitions: try ProvisionerLoader().load(Array(text.utf8), file: path, folder: nil))
    }

    static func policy(_ yaml: String) throws -> ProvisionerPolicy {
        ProvisionerPolicy(config: try #require(SpecValidator().validate(Array(yaml.utf8), path: "policies/admin-config.yaml",
                                                                         as: .adminConfig).adminConfig))
    }

    @Test func anUnapprovedFileNeverMatchesAndIsNamedWithTheApproveCommand() throws {
        let registry = ProvisionerRegistry(files: [try Self.file(Self.template)], policy: try Self.policy("workflowPolicies: {}\n"))
        #expect(registry.match(type: "postgres", class: nil, id: nil)?.isBuiltIn == true)
        let passed = registry.passedOver(type: "postgres", class: nil, id: nil)
        #expect(passed.keys.sorted() == ["provisioners/pg.yaml"])
        #expect(passed["provisioners/pg.yaml"]?.hasSuffix("approve with: innominatus approve provisioners/pg.yaml") == true)
        #expect(registry.passedOver(type: "redis", class: nil, id: nil).isEmpty)
    }

    @Test func aPinServesOnlyTheContentItNames() throws {
        let file = try Self.file(Self.template)
        let pinned = try Self.policy("workflowPolicies:\n  allowedProvisioners: [{path: provisioners/pg.yaml, digest: \(file.blobID)}]\n")
        #expect(ProvisionerRegistry(files: [file], policy: pinned).match(type: "postgres", class: nil, id: nil)?.uri == "template://acme/pg")
        let edited = try Self.file(Self.template.replacingOccurrences(of: "acme-pg", with: "evil-pg"))
        let registry = ProvisionerRegistry(files: [edited], policy: pinned)
        #expect(registry.match(type: "postgres", class: nil, id: nil)?.isBuiltIn == true)
        #expect(registry.passedOver(type: "postgres", class: nil, id: nil)["provisioners/pg.yaml"]?
            .contains("changed since it was approved") == true)
    }

    @Test func aCmdProvisionerOfAnApprovedFileNeedsTheSwitch() throws {
        let approved = "workflowPolicies:\n  allowedProvisioners: [provisioners/pg.yaml]\n"
        let resources = ["db": ResourceRequest(name: "db", type: "postgres", app: "shop")]
        let off = ProvisionerRegistry(files: [try Self.file(Self.command)], policy: try Self.policy(approved))
        let error = #expect(throws: ProvisioningError.self) { try off.match(resources) }
        #expect(error?.message.contains("resources.db: the provisioner cmd://sh (provisioners/pg.yaml:1:3)") == true, "\(String(describing: error))")
        #expect(error?.message.contains("workflowPolicies.allowCmdProvisioners in policies/admin-config.yaml is not true") == true)
        let on = ProvisionerRegistry(files: [try Self.file(Self.command)], policy: try Self.policy(approved + "  allowCmdProvisioners: true\n"))
        #expect(try on.match(resources)["db"]?.uri == "cmd://sh")
    }

    @Test func anUnapprovedFileThatDoesNotParseConcernsNoApp() throws {
        let folder = try TemporaryDirectory("provisioner-policy")
        try FileManager.default.createDirectory(atPath: folder.appending("provisioners"), withIntermediateDirectories: true)
        try "- [broken\n".write(toFile: folder.appending("provisioners/broken.yaml"), atomically: true, encoding: .utf8)
        let registry = try ProvisionerRegistry.forRepository(root: folder.path, policy: try Self.policy("workflowPolicies: {}\n"))
        #expect(registry.definitions.allSatisfy { $0.isBuiltIn })
        let approved = try Self.policy("workflowPolicies:\n  allowedProvisioners: [provisioners/broken.yaml]\n")
        #expect(throws: ProvisioningError.self) { try ProvisionerRegistry.forRepository(root: folder.path, policy: approved) }
    }

    static let score = """
        apiVersion: score.dev/v1b1
        metadata: {name: shop}
        containers: {main: {image: busybox:1, variables: {PW: "${resources.db.password}"}}}
        resources: {db: {type: postgres}}

        """

    static func render(_ registry: ProvisionerRegistry, store: MemoryStateStore) throws -> RenderedApp {
        let folder = try TemporaryDirectory("provisioner-state")
        try Self.score.write(toFile: folder.appending("score.yaml"), atomically: true, encoding: .utf8)
        return try AppRenderer(registry: registry, stateStore: store).render(scoreFile: folder.appending("score.yaml"), root: folder.path)
    }

    @Test func aProvisionerMatchedInPlaceOfAnotherStartsFromItsOwnState() throws {
        let store = MemoryStateStore()
        let builtIn = try Self.render(ProvisionerRegistry([]).with(DefaultProvisioners.definitions), store: store)
        let password = try #require(builtIn.secretValues.first { $0.count >= 16 })
        let replacement = "- uri: template://acme/pg\n  type: postgres\n  outputs: {host: x, password: '{{ state.password ?? \"none\" }}'}\n"
        let approved = try Self.policy("workflowPolicies:\n  allowedProvisioners: [provisioners/pg.yaml]\n")
        let other = try Self.render(ProvisionerRegistry(files: [try Self.file(replacement)], policy: approved), store: store)
        #expect(other.outputs["db"]?["password"] == "none")
        #expect(!other.yaml.contains(password))
        // Back to the built-in: its own state, so the same password.
        let again = try Self.render(ProvisionerRegistry([]).with(DefaultProvisioners.definitions), store: store)
        #expect(again.secretValues.contains(password))
    }

    @Test func stateWrittenBeforeKeysNamedTheirProvisionerStaysTheBuiltInsAndMoves() throws {
        let legacy: ManifestValue = .map([("username", .string("app")), ("password", .string("legacy-password-0123456789")),
                                          ("database", .string("shop"))])
        let store = MemoryStateStore(["shop/db": legacy])
        let rendered = try Self.render(ProvisionerRegistry([]).with(DefaultProvisioners.definitions), store: store)
        #expect(rendered.secretValues.contains("legacy-password-0123456789"))
        let saved = try store.load()
        #expect(saved["shop/db"] == nil)
        let key = try #require(saved.keys.first)
        #expect(key.hasPrefix("shop/db ") && key.hasSuffix(DefaultProvisioners.definitions.first { $0.type == "postgres" }!.uri))
        // A repository provisioner does not take over what the built-in generated before the upgrade.
        let other = MemoryStateStore(["shop/db": legacy])
        let replacement = "- uri: template://acme/pg\n  type: postgres\n  outputs: {host: x, password: '{{ state.password ?? \"none\" }}'}\n"
        let approved = try Self.policy("workflowPolicies:\n  allowedProvisioners: [provisioners/pg.yaml]\n")
        let repository = try Self.render(ProvisionerRegistry(files: [try Self.file(replacement)], policy: approved), store: other)
        #expect(repository.outputs["db"]?["password"] == "none")
    }
}

extension ProvisionerRegistry {
    func with(_ more: [ProvisionerDefinition]) -> ProvisionerRegistry { ProvisionerRegistry(definitions + more) }
}
