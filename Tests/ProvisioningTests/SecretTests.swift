import Foundation
import Testing
@testable import Provisioning

/// Secret outputs reach the cluster only through Secrets: never as a literal in a Deployment,
/// a StatefulSet or a ConfigMap.
@Suite struct SecretTests {
    @Test func secretValuesStayOutOfWorkloadsAndConfigMaps() throws {
        let store = MemoryStateStore()
        let rendered = try ProvisioningFixtures.renderer(store: store, fixed: false)
            .render(scoreFile: ProvisioningFixtures.score("shop"), root: ProvisioningFixtures.repo)
        let states = try store.load()
        let password = try #require(ProvisioningFixtures.state(of: "shop/db", in: states)?["password"]?.string)
        let token = try #require(ProvisioningFixtures.state(of: "shop/orders", in: states)?["token"]?.string)
        #expect(password.count == 24)
        for object in rendered.objects where ["Deployment", "StatefulSet", "ConfigMap", "Service"].contains(object["kind"]?.string ?? "") {
            let text = YAMLEmitter.emit(object)
            #expect(!text.contains(password), "the db password is in \(object["kind"]?.string ?? "")")
            #expect(!text.contains(token), "the queue token is in \(object["kind"]?.string ?? "")")
        }
        let deployment = try #require(rendered.objects.first { $0["kind"]?.string == "Deployment" })
        let env = deployment["spec"]?["template"]?["spec"]?["containers"]?.items?.first?["env"]?.items ?? []
        let dbPassword = try #require(env.first { $0["name"]?.string == "DB_PASSWORD" })
        #expect(dbPassword["value"] == nil)
        #expect(dbPassword["valueFrom"]?["secretKeyRef"]?["name"]?.string == "shop-secrets")
        let secret = try #require(rendered.objects.first { $0["metadata"]?["name"]?.string == "shop-secrets" })
        #expect(secret["stringData"]?["web.DB_PASSWORD"]?.string == password)
        #expect(secret["stringData"]?["web.DB_URL"]?.string?.contains(password) == true)
    }

    @Test func fileWithSecretBecomesASecret() throws {
        let rendered = try ProvisioningFixtures.renderer().render(scoreFile: ProvisioningFixtures.score("shop"),
                                                                  root: ProvisioningFixtures.repo)
        let holders = rendered.objects.filter { YAMLEmitter.emit($0).contains("password=generated-password") }
        #expect(holders.count == 1)
        #expect(holders.first?["kind"]?.string == "Secret")
    }
}

/// A provisioner that writes a secret output into a ConfigMap stops the render with a message naming both.
@Test func aProvisionerLeakingASecretStopsTheRender() throws {
    let leaky = """
        - uri: template://acme/leaky
          type: postgres
          state: {password: "{{ state.password ?? random.password }}"}
          outputs: {password: "{{ state.password }}", host: h, port: 1, username: u, name: n}
          secrets: [password]
          manifests:
            - {apiVersion: v1, kind: ConfigMap, metadata: {name: leaky}, data: {pw: "{{ state.password }}"}}
        """
    let registry = ProvisionerRegistry(try ProvisionerLoader().load(Array(leaky.utf8), file: "provisioners/leaky.yaml", folder: nil)
                                       + ProvisionerRegistry.forRepository(root: ProvisioningFixtures.repo, policy: try ProvisioningFixtures.policy).definitions)
    let renderer = AppRenderer(registry: registry, stateStore: MemoryStateStore())
    #expect {
        try renderer.render(scoreFile: ProvisioningFixtures.score("shop"), root: ProvisioningFixtures.repo)
    } throws: { error in
        let message = (error as? ProvisioningError)?.message ?? ""
        return message.contains("resources.db.password") && message.contains("ConfigMap 'leaky'")
    }
}
