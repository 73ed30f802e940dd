import Foundation
import Testing
@testable import Provisioning

/// The rendered manifests of the fixture apps, byte for byte. Set INNOMINATUS_UPDATE_GOLDEN=1 to rewrite
/// the golden files after an intended change, then review the diff.
@Suite struct GoldenManifestTests {
    @Test(arguments: ["shop", "ledger", "legacy"])
    func renderMatchesGolden(app: String) throws {
        let rendered = try ProvisioningFixtures.renderer().render(scoreFile: ProvisioningFixtures.score(app),
                                                                  root: ProvisioningFixtures.repo)
        let golden = ProvisioningFixtures.folder + "/golden/\(app).yaml"
        if ProcessInfo.processInfo.environment["INNOMINATUS_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(atPath: ProvisioningFixtures.folder + "/golden", withIntermediateDirectories: true)
            try rendered.yaml.write(toFile: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOfFile: golden, encoding: .utf8)
        #expect(Array(rendered.yaml.utf8) == Array(expected.utf8), "render of \(app) differs from \(golden)")
    }

    @Test func renderingTwiceIsByteIdentical() throws {
        let store = MemoryStateStore()
        let first = try ProvisioningFixtures.renderer(store: store, fixed: false)
            .render(scoreFile: ProvisioningFixtures.score("shop"), root: ProvisioningFixtures.repo)
        let second = try ProvisioningFixtures.renderer(store: store, fixed: false)
            .render(scoreFile: ProvisioningFixtures.score("shop"), root: ProvisioningFixtures.repo)
        #expect(first.yaml == second.yaml)
    }

    @Test func statefulSetWhenAnnotated() throws {
        let rendered = try ProvisioningFixtures.renderer().render(scoreFile: ProvisioningFixtures.score("ledger"),
                                                                  root: ProvisioningFixtures.repo)
        let workload = rendered.objects.first { $0["metadata"]?["name"]?.string == "ledger" && $0["kind"]?.string != "Service" }
        #expect(workload?["kind"]?.string == "StatefulSet")
        #expect(workload?["spec"]?["serviceName"]?.string == "ledger")
    }

    @Test func labelsNameAppProductAndCommit() throws {
        let rendered = try ProvisioningFixtures.renderer().render(scoreFile: ProvisioningFixtures.score("shop"),
                                                                  root: ProvisioningFixtures.repo)
        let deployment = try #require(rendered.objects.first { $0["kind"]?.string == "Deployment" })
        let labels = deployment["spec"]?["template"]?["metadata"]?["labels"]
        #expect(labels?["app.kubernetes.io/name"]?.string == "shop")
        #expect(labels?["app.kubernetes.io/part-of"]?.string == "ecommerce")
        #expect(labels?["innominatus.dev/commit"]?.string == "0123456789abcdef")
    }

    @Test func everyDefaultTypeHasAProvisioner() {
        let types = ["postgres", "postgres-instance", "mysql", "mongodb", "redis", "amqp", "mssql", "s3", "kafka-topic",
                     "elasticsearch", "dns", "route", "volume", "service-port", "environment"]
        let registry = ProvisionerRegistry(DefaultProvisioners.definitions)
        for type in types { #expect(registry.match(type: type, class: nil, id: nil) != nil, "no default for \(type)") }
    }
}
