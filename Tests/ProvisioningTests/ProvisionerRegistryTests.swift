import Specs
import Testing
@testable import Provisioning

/// Matching (first match by type, class, id; repository before defaults), unmatched resources, and
/// dependency order between resources.
@Suite struct ProvisionerRegistryTests {
    static let definitions = """
        - uri: template://acme/postgres-shared
          type: postgres
          id: shared-db
          outputs: {host: shared}
        - uri: template://acme/postgres-large
          type: postgres
          class: large
          outputs: {host: large}
        - uri: template://acme/postgres
          type: postgres
          outputs: {host: "acme-{{ uid }}"}
        """

    static func registry() throws -> ProvisionerRegistry {
        let repo = try ProvisionerLoader().load(Array(definitions.utf8), file: "provisioners/pg.yaml", folder: nil)
        return ProvisionerRegistry(repo + DefaultProvisioners.definitions)
    }

    @Test func firstMatchByTypeClassAndID() throws {
        let registry = try Self.registry()
        #expect(registry.match(type: "postgres", class: nil, id: "shared-db")?.uri == "template://acme/postgres-shared")
        #expect(registry.match(type: "postgres", class: "large", id: nil)?.uri == "template://acme/postgres-large")
        #expect(registry.match(type: "postgres", class: nil, id: nil)?.uri == "template://acme/postgres")
        #expect(registry.match(type: "redis", class: nil, id: nil)?.uri == "template://default/redis")
        #expect(registry.match(type: "postgres", class: nil, id: nil)?.origin == "provisioners/pg.yaml:9:3")
    }

    @Test func unmatchedResourcesAreOneErrorNamingEachAndListingProvisioners() throws {
        let requests = ["a": ResourceRequest(name: "a", type: "oracle", app: "demo"),
                        "b": ResourceRequest(name: "b", type: "redis", class: "huge", id: "r1", app: "demo"),
                        "c": ResourceRequest(name: "c", type: "redis", app: "demo")]
        let registry = ProvisionerRegistry([ProvisionerDefinition(uri: "template://x/redis", type: "redis", class: "default",
                                                                  kind: .template(.init(state: .map([]), outputs: .map([]), manifests: .list([]), secrets: [])),
                                                                  origin: "p.yaml:1:3")])
        #expect {
            try registry.match(requests)
        } throws: { error in
            let message = (error as? ProvisioningError)?.message ?? ""
            return message.contains("resources.a (type oracle, class default, id none)")
                && message.contains("resources.b (type redis, class huge, id r1)")
                && !message.contains("resources.c") && message.contains("template://x/redis (type redis, class default)")
        }
    }

    @Test func paramsReferencingOutputsAreProvisionedAfterThem() throws {
        let yaml = """
            apiVersion: score.dev/v1b1
            metadata: {name: demo}
            containers: {main: {image: busybox}}
            resources:
              route:
                type: route
                params: {host: "${resources.dns.host}", port: 80}
              dns:
                type: dns
            """
        let workload = try #require(SpecValidator().validate(Array(yaml.utf8), path: "score.yaml").score)
        var states: [String: ManifestValue] = [:]
        let resources = try ResourceProvisioning(registry: try Self.registry(), random: { _ in "abc" })
            .provision(workload, file: "score.yaml", states: &states)
        #expect(resources["route"]?.outputs["host"]?.string == "abc.localhost")
        #expect(resources["route"]?.outputs["port"] == .int(80))
    }

    @Test func aCycleBetweenResourcesIsAnError() throws {
        let requests = ["a": ResourceRequest(name: "a", type: "x", app: "d", params: .map([("p", .string("${resources.b.host}"))])),
                        "b": ResourceRequest(name: "b", type: "x", app: "d", params: .map([("p", .string("${resources.a.host}"))])),
                        "c": ResourceRequest(name: "c", type: "x", app: "d")]
        #expect {
            try ResourceProvisioning.order(requests, file: "score.yaml")
        } throws: { error in
            let message = (error as? ProvisioningError)?.message ?? ""
            return message.contains("a, b") && message.contains("cycle")
        }
        let ordered = try ResourceProvisioning.order(requests.filter { $0.key != "a" }.mapValues {
            var request = $0; request.params = .map([]); return request
        }, file: "score.yaml")
        #expect(ordered == ["b", "c"])
    }

    @Test func loaderRejectsUnknownFieldsAndBadURIs() {
        #expect(throws: ProvisioningError.self) {
            try ProvisionerLoader().load(Array("- {uri: template://a, type: t, script: x}".utf8), file: "p.yaml", folder: nil)
        }
        #expect(throws: ProvisioningError.self) {
            try ProvisionerLoader().load(Array("- {uri: http://a, type: t}".utf8), file: "p.yaml", folder: nil)
        }
        #expect(throws: ProvisioningError.self) {
            try ProvisionerLoader().load(Array("- {uri: cmd://../outside.sh, type: t}".utf8), file: "p.yaml", folder: "/tmp")
        }
    }
}

/// The repository files behind the provisioners an app uses, for the application tier's fingerprint.
@Test func repositoryFilesOfTheProvisionersInUse() throws {
    let registry = try ProvisionerRegistry.forRepository(root: ProvisioningFixtures.repo, policy: try ProvisioningFixtures.policy)
    let requests = ["flags": ResourceRequest(name: "flags", type: "feature-flags", app: "shop"),
                    "orders": ResourceRequest(name: "orders", type: "queue", class: "fast", app: "shop"),
                    "db": ResourceRequest(name: "db", type: "postgres", app: "shop")]
    #expect(try registry.repositoryFiles(for: requests)
            == ["provisioners/flags.yaml", "provisioners/queue.yaml", "provisioners/scripts/feature-flags.py"])
}
