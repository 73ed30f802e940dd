import Specs
import Testing
@testable import Provisioning

/// Score placeholder rules: `${metadata.*}`, `${resources.NAME.KEY}`, `$$` escapes, `\.` inside a key,
/// and an error naming any unknown reference.
@Suite struct PlaceholderTests {
    static func workload(_ extra: String = "") throws -> ScoreWorkload {
        let yaml = """
            apiVersion: score.dev/v1b1
            metadata:
              name: demo
              team: core
            containers:
              main:
                image: busybox
            resources:
              db:
                type: postgres
            \(extra)
            """
        let report = SpecValidator().validate(Array(yaml.utf8), path: "score.yaml")
        return try #require(report.score, "\(report.errors)")
    }

    static func resolver() throws -> PlaceholderResolver {
        let db = ProvisionedResource(state: .map([]), outputs: .map([("host", .string("db-host")), ("port", .int(5432)),
                                                                     ("password", .string("s3cret")), ("a.b", .string("dotted")),
                                                                     ("nested", .map([("x", .string("deep"))]))]),
                                     secrets: ["password"], manifests: [])
        return PlaceholderResolver(workload: try workload(), resources: ["db": db])
    }

    @Test(arguments: [
        ("${metadata.name}", "demo"),
        ("${metadata.team}-x", "core-x"),
        ("${resources.db.host}:${resources.db.port}", "db-host:5432"),
        ("$$", "$"),
        ("$${resources.db.host}", "${resources.db.host}"),
        ("cost $5 and $", "cost $5 and $"),
        ("$$$${x}", "$${x}"),
        (#"${resources.db.a\.b}"#, "dotted"),
        ("${resources.db.nested.x}", "deep"),
        ("${resources.db}", "db"),
    ])
    func resolves(input: String, expected: String) throws {
        let resolved = try Self.resolver().resolve(input, field: "f")
        #expect(resolved.text == expected)
        #expect(!resolved.isSecret)
    }

    @Test func secretOutputsAreFlagged() throws {
        let resolved = try Self.resolver().resolve("pw=${resources.db.password}", field: "f")
        #expect(resolved.text == "pw=s3cret")
        #expect(resolved.isSecret)
    }

    @Test(arguments: [
        ("${resources.db.missing}", "${resources.db.missing}"),
        ("${resources.cache.host}", "'cache'"),
        ("${metadata.owner}", "${metadata.owner}"),
        ("${secrets.token}", "${secrets.token}"),
        (#"${resources.db.a.b}"#, "${resources.db.a.b}"),
        ("${metadata.name", "not closed"),
    ])
    func unknownReferencesAreErrorsNamingThem(input: String, named: String) throws {
        let resolver = try Self.resolver()
        #expect {
            try resolver.resolve(input, field: "containers.main.variables.X")
        } throws: { error in
            let message = (error as? ProvisioningError)?.message ?? ""
            return message.contains(named) && message.contains("containers.main.variables.X")
        }
    }

    @Test func splitKeepsEscapedDots() {
        #expect(Placeholder.split(#"resources.b.my\.key"#) == ["resources", "b", "my.key"])
    }
}

/// Resource params: a param that is exactly one placeholder keeps the output's type; text stays text.
@Test func paramsKeepTheTypeOfAWholePlaceholder() throws {
    let resolver = try PlaceholderTests.resolver()
    let params = ManifestValue.map([("port", .string("${resources.db.port}")), ("url", .string("db:${resources.db.port}")),
                                    ("nested", .list([.string("${resources.db.nested}")])), ("literal", .string("$${x}"))])
    let resolved = try resolver.resolve(params, field: "resources.api.params")
    #expect(resolved["port"] == .int(5432))
    #expect(resolved["url"] == .string("db:5432"))
    #expect(resolved["nested"]?.items?.first == .map([("x", .string("deep"))]))
    #expect(resolved["literal"] == .string("${x}"))
}
