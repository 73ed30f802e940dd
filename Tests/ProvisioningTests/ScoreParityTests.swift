import Foundation
import Specs
import Testing
import TestSupport
@testable import Provisioning

/// The built-in provisioners against score-k8s's defaults: the same output keys with the same meaning
/// for every type, a route Kubernetes accepts, `environment` values from the platform, and rendered
/// manifests that pass `kubernetes-validate --strict` for Kubernetes 1.31.
@Suite struct ScoreParityTests {
    /// Every type the built-in provisioners serve, with what a Score gives it.
    static let score = """
        apiVersion: score.dev/v1b1
        metadata: {name: parity}
        service:
          ports:
            web: {port: 8080, targetPort: 3000}
        containers:
          main:
            image: nginx:1.27
            variables:
              MONGO: ${resources.mongo.connection}
              MSSQL: ${resources.mssql.connection}
              VHOST: ${resources.broker.vhost}
              REGION: ${resources.env.REGION}
        resources:
          pg: {type: postgres}
          pgi: {type: postgres-instance}
          mysql: {type: mysql}
          mongo: {type: mongodb}
          cache: {type: redis}
          broker: {type: amqp}
          mssql: {type: mssql}
          bucket: {type: s3}
          topic: {type: kafka-topic}
          search: {type: elasticsearch}
          dns: {type: dns}
          route: {type: route, params: {host: "${resources.dns.host}", path: /api, port: web}}
          ingress: {type: route, class: ingress, params: {host: parity.example.com, path: /, port: web}}
          data: {type: volume}
          peer: {type: service-port, params: {workload: other, port: 9090}}
          env: {type: environment}
        """

    /// score-k8s's output keys per type (its default provisioners), and which of ours are secrets.
    static let scoreK8sOutputs: [String: (keys: Set<String>, secrets: Set<String>)] = [
        "pg": (["host", "port", "name", "database", "username", "password"], ["password"]),
        "pgi": (["host", "port", "username", "password"], ["password"]),
        "mysql": (["host", "port", "name", "database", "username", "password"], ["password"]),
        "mongo": (["host", "port", "connection", "username", "password"], ["password", "connection"]),
        "cache": (["host", "port", "username", "password"], ["password"]),
        "broker": (["host", "port", "vhost", "username", "password"], ["password"]),
        "mssql": (["server", "port", "connection", "database", "username", "password"], ["password", "connection"]),
        "bucket": (["bucket", "access_key_id", "secret_key", "endpoint", "region", "aws_access_key_id", "aws_secret_key"],
                   ["secret_key", "aws_secret_key"]),
        "topic": (["host", "port", "name", "num_partitions"], []),
        "dns": (["host"], []),
        "peer": (["hostname", "port"], []),
    ]

    static func render(_ text: String = score, environment: [String: String] = ["REGION": "eu-west-1"]) throws -> (RenderedApp, TemporaryDirectory) {
        let folder = try TemporaryDirectory("parity")
        try text.write(toFile: folder.appending("score.yaml"), atomically: true, encoding: .utf8)
        var renderer = AppRenderer(registry: ProvisionerRegistry(DefaultProvisioners.definitions), stateStore: MemoryStateStore(),
                                   commit: "0123456789abcdef")
        renderer.environment = environment
        return (try renderer.render(scoreFile: folder.appending("score.yaml"), root: folder.path), folder)
    }

    @Test func everyTypeGivesScoreK8sOutputKeysAndKeepsItsSecretsSecret() throws {
        let (rendered, _) = try Self.render()
        for (name, expected) in Self.scoreK8sOutputs {
            let keys = Set((rendered.outputs[name] ?? [:]).keys)
            #expect(expected.keys.isSubset(of: keys), "\(name): missing \(expected.keys.subtracting(keys).sorted())")
            let secrets = rendered.secretOutputs[name] ?? []
            #expect(expected.secrets.isSubset(of: secrets), "\(name): not secret: \(expected.secrets.subtracting(secrets).sorted())")
        }
        #expect(rendered.outputs["mssql"]?["server"] == rendered.outputs["mssql"]?["host"])
        #expect(rendered.outputs["mssql"]?["database"] == "master", "the database the server image has")
        #expect(rendered.outputs["broker"]?["name"] == nil, "a broker has no database")
        #expect(rendered.outputs["mongo"]?["connection"]?.hasPrefix("mongodb://") == true)
    }

    @Test func aRouteIsAnHTTPRouteToTheServicePortNumberAndClassIngressAnIngress() throws {
        let (rendered, _) = try Self.render()
        let route = try #require(rendered.objects.first { $0["kind"]?.string == "HTTPRoute" })
        #expect(route["apiVersion"]?.string == "gateway.networking.k8s.io/v1")
        let rule = route["spec"]?["rules"]?.items?.first
        #expect(rule?["backendRefs"]?.items?.first?["port"] == .int(8080), "the port named web, as a number")
        #expect(rule?["backendRefs"]?.items?.first?["name"]?.string == "parity")
        #expect(rule?["matches"]?.items?.first?["path"]?["value"]?.string == "/api")
        #expect(route["spec"]?["hostnames"]?.items?.first?.string == rendered.outputs["dns"]?["host"])
        #expect(rendered.outputs["route"]?["port"] == "8080")
        let ingress = try #require(rendered.objects.first { $0["kind"]?.string == "Ingress" })
        let backend = ingress["spec"]?["rules"]?.items?.first?["http"]?["paths"]?.items?.first?["backend"]?["service"]
        #expect(backend?["port"]?["number"] == .int(8080))
        // A port given as a number stays that number.
        let numbered = Self.score.replacingOccurrences(of: "path: /api, port: web", with: "path: /api, port: 8080")
        let (again, _) = try Self.render(numbered)
        let port = again.objects.first { $0["kind"]?.string == "HTTPRoute" }?["spec"]?["rules"]?.items?.first?["backendRefs"]?.items?.first?["port"]
        #expect(port == .int(8080))
    }

    @Test func environmentResourcesReadThePlatformsValuesAndNameWhatIsMissing() throws {
        let (rendered, _) = try Self.render()
        let deployment = try #require(rendered.objects.first { $0["kind"]?.string == "Deployment" })
        let env = deployment["spec"]?["template"]?["spec"]?["containers"]?.items?.first?["env"]?.items ?? []
        #expect(env.contains { $0["name"]?.string == "REGION" && $0["value"]?.string == "eu-west-1" })
        #expect(rendered.outputs["env"]?.isEmpty != false, "the environment is not listed as outputs (notes show outputs)")
        #expect {
            try Self.render(environment: ["OTHER": "x"])
        } throws: { error in
            let message = (error as? ProvisioningError)?.message ?? ""
            return message.contains("${resources.env.REGION}: 'REGION' is not set in the environment") && !message.contains("OTHER")
        }
    }

    /// `kubernetes-validate` (PyPI; it carries the Kubernetes JSON schemas), installed here when missing.
    static func kubernetesValidate() throws -> String {
        if let found = try? Shell.run(["sh", "-c", "command -v kubernetes-validate"]).trimmingCharacters(in: .whitespacesAndNewlines),
           !found.isEmpty {
            return found
        }
        try Shell.run(["python3", "-m", "pip", "install", "-q", "--disable-pip-version-check", "kubernetes-validate"])
        return try Shell.run(["sh", "-c", "command -v kubernetes-validate || echo \"$(python3 -m site --user-base)/bin/kubernetes-validate\""])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func everyRenderedManifestIsValidForKubernetes131() throws {
        let tool = try Self.kubernetesValidate()
        let (rendered, folder) = try Self.render()
        var files: [String] = []
        for (name, content) in rendered.files {
            let path = folder.appending("out-" + name)
            try content.write(toFile: path, atomically: true, encoding: .utf8)
            files.append(path)
        }
        for app in ["shop", "ledger", "legacy"] {
            files.append(ProvisioningFixtures.folder + "/golden/\(app).yaml")
        }
        let result = try Shell.execute([tool, "--strict", "-k", "1.31.0"] + files)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(!result.stdout.contains("ERROR") && !result.stderr.contains("ERROR"), "\(result.stdout)\(result.stderr)")
        // Only custom resources (the Gateway API's HTTPRoute, a fixture's CRD) lack a schema there.
        let unknown = (result.stdout + result.stderr).split(separator: "\n").filter { $0.contains("Couldn't find schema") }
        #expect(unknown.allSatisfy { $0.contains("HTTPRoute") || $0.contains("acme.dev") }, "\(unknown)")
        #expect(rendered.objects.contains { $0["kind"]?.string == "Ingress" })
    }
}

/// `innominatus provisioners list`: match order, outputs with secrets marked, and why a file is not used.
@Suite struct ProvisionerListingTests {
    @Test func theListIsInMatchOrderWithOutputsAndSources() throws {
        let registry = try ProvisionerRegistry.forRepository(root: ProvisioningFixtures.repo,
                                                             policy: try ProvisioningFixtures.policy)
        let listing = ProvisionerListing(registry)
        #expect(listing.rows.map(\.uri) == registry.definitions.map(\.uri))
        let mongo = try #require(listing.rows.first { $0.uri == "template://default/mongodb" })
        #expect(mongo.outputs.contains("connection*") && mongo.outputs.contains("host,") && mongo.source == "built-in")
        let ingress = try #require(listing.rows.firstIndex { $0.uri == "template://default/route-ingress" })
        let route = try #require(listing.rows.firstIndex { $0.uri == "template://default/route" })
        #expect(ingress < route, "class ingress is matched before the class-less route")
        #expect(listing.rows[ingress].class == "ingress" && listing.rows[route].class == "(any)")
        #expect(listing.text.hasPrefix("TYPE "))
        #expect(listing.json.contains("\"uri\": \"template://default/route\""))
    }
}
