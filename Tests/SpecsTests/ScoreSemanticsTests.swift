import Testing
@testable import Specs

/// Placeholders and `before` ordering: checked after the schema passes.
@Suite struct ScoreSemanticsTests {
    static func workload(variable: String) -> String {
        SpecTesting.score("""
            containers:
              web:
                image: nginx
                variables:
                  VALUE: "\(variable)"
            resources:
              db:
                type: postgres
            """)
    }

    @Test(arguments: [
        "${metadata.name}", "${resources.db.host}", "${resources.db}", "$$", "$${resources.nope.x}", "cost: $5",
        "a ${metadata.name} b ${resources.db.port}", "$$$${x}",
    ])
    func wellFormedPlaceholdersPass(value: String) {
        let report = SpecTesting.validate(Self.workload(variable: value))
        #expect(report.errors.isEmpty, "\(report.summary)")
    }

    @Test(arguments: [
        ("${resources.cache.host}", "not declared"),
        ("${resources.dv.host}", "Did you mean 'db'?"),
        ("${metadata.team}", "metadata that is not set"),
        ("${env.HOME}", "not a Score placeholder"),
        ("${metadata.name", "not closed"),
        ("${}", "empty placeholder"),
        ("${resources..x}", "not a well-formed"),
        ("${metadata}", "needs a key"),
    ])
    func malformedOrUnknownPlaceholdersFail(value: String, message: String) {
        let report = SpecTesting.validate(Self.workload(variable: value))
        #expect(report.hasError(field: "containers.web.variables.VALUE", containing: message), "\(report.summary)")
    }

    @Test func placeholdersInFilesParamsAndVolumesAreChecked() {
        let report = SpecTesting.validate(SpecTesting.score("""
            containers:
              web:
                image: nginx
                files:
                  /etc/a.conf:
                    content: "${resources.missing.x}"
                  /etc/b.conf:
                    noExpand: true
                    content: "${resources.missing.x}"
                volumes:
                  /data:
                    source: ${resources.vol}
            resources:
              dns:
                type: dns
                params:
                  name: ${metadata.nope}
            """))
        #expect(report.hasError(field: "containers.web.files[\"/etc/a.conf\"].content", containing: "missing"))
        #expect(!report.errors.contains { $0.field.contains("b.conf") })
        #expect(report.hasError(field: "containers.web.volumes[\"/data\"].source", containing: "vol"))
        #expect(report.hasError(field: "resources.dns.params.name", containing: "nope"))
    }

    @Test func escapedDotsStayInsideAKey() {
        let text = """
            apiVersion: score.dev/v1b1
            metadata:
              name: esc
              annotations:
                example.com/team: payments
            containers:
              web:
                image: nginx
                variables:
                  TEAM: ${metadata.annotations.example\\.com/team}
                  WRONG: ${metadata.annotations.example.com/team}
            """
        let report = SpecTesting.validate(text)
        #expect(report.errors.count == 1, "\(report.summary)")
        #expect(report.hasError(field: "containers.web.variables.WRONG", containing: "metadata that is not set"))
        #expect(Placeholder.scan("${metadata.annotations.a\\.b.c}").placeholders == [Placeholder(parts: ["metadata", "annotations", "a.b", "c"])])
        #expect(Placeholder(parts: ["metadata", "a.b"]).reference == "metadata.a\\.b")
    }

    @Test func placeholderErrorsPointAtTheValue() {
        let report = SpecTesting.validate(Self.workload(variable: "${resources.cache.host}"))
        #expect(report.errors.first?.line == 8)
        #expect(report.errors.first?.column == 14)
    }

    static func before(_ pairs: [(String, String)]) -> String {
        var yaml = "containers:\n"
        for name in ["a1", "b1", "c1"] {
            yaml += "  \(name):\n    image: busybox\n"
            let targets = pairs.filter { $0.0 == name }.map(\.1)
            if !targets.isEmpty {
                yaml += "    before:\n" + targets.map { "      \($0):\n        ready: started\n" }.joined()
            }
        }
        return SpecTesting.score(yaml)
    }

    @Test func beforeChainsPass() {
        let report = SpecTesting.validate(Self.before([("a1", "b1"), ("b1", "c1"), ("a1", "c1")]))
        #expect(report.errors.isEmpty, "\(report.summary)")
        #expect(report.score?.containers["a1"]?.before == ["b1": "started", "c1": "started"])
    }

    @Test func beforeTargetMustExist() {
        let report = SpecTesting.validate(Self.before([("a1", "b2")]))
        #expect(report.hasError(field: "containers.a1.before.b2", containing: "Did you mean 'b1'?"), "\(report.summary)")
    }

    @Test func beforeMustNotReferenceItself() {
        let report = SpecTesting.validate(Self.before([("a1", "a1")]))
        #expect(report.hasError(field: "containers.a1.before.a1", containing: "itself"), "\(report.summary)")
    }

    @Test func beforeMustNotCycle() {
        let report = SpecTesting.validate(Self.before([("a1", "b1"), ("b1", "c1"), ("c1", "a1")]))
        #expect(report.errors.contains { $0.message.contains("cycle") && $0.message.contains("a1 → b1 → c1 → a1") },
                "\(report.summary)")
    }

    @Test func sourceFilesAreNeverOpened() {
        let report = SpecTesting.validate(SpecTesting.score("""
            containers:
              web:
                image: nginx
                files:
                  /etc/passwd-copy:
                    source: /etc/shadow
            """))
        #expect(report.errors.isEmpty)
        #expect(report.score?.containers["web"]?.files["/etc/passwd-copy"]?.content == .source("/etc/shadow"))
    }
}
