import Testing
@testable import Specs

/// The Score v1b1 schema, rule by rule: the spec's own samples pass, and each rule has a failing case.
@Suite struct ScoreSchemaTests {
    @Test(arguments: [
        "score-samples/score-full.yaml", "score-samples/hello-world.yaml", "score-samples/map-forms.yaml",
        "score-samples/score-deprecated-files-and-volumes.yaml",
    ])
    func specSamplesAreValid(name: String) throws {
        let report = SpecValidator().validate(try SpecTesting.fixture(name), path: name)
        #expect(report.kind == .score)
        #expect(report.errors.isEmpty, "\(report.summary)")
        #expect(report.score != nil)
    }

    @Test func deprecatedArraysAreUpgradedToMaps() throws {
        let report = SpecValidator().validate(try SpecTesting.fixture("score-samples/score-full.yaml"), path: "s.yaml")
        let container = try #require(report.score?.containers["container-one1"])
        #expect(container.files["/my/file"]?.content == .source("file.txt"))
        #expect(container.files["/my/file"]?.mode == "0600")
        #expect(container.files["/my/other/binaryfile"]?.content == .binary(base64: "ADBgwpA="))
        #expect(container.volumes["/mnt/something"]?.source == "volume-name")
        #expect(container.volumes["/mnt/something"]?.path == "/sub/path")
        #expect(report.warnings.contains { $0.field == "containers.container-one1.files" })
        #expect(report.score?.metadata.values["extra-key"] == "extra-value")
    }

    /// (body, field, a fragment of the message).
    static let negativeCases: [(String, String, String)] = [
        ("metadata:\n  name: web\n" + SpecTesting.validContainers, "", "missing required field 'apiVersion'"),
        ("apiVersion: 12\nmetadata:\n  name: web\n" + SpecTesting.validContainers, "apiVersion", "not the integer 12"),
        ("apiVersion: score.dev/v1b2\nmetadata:\n  name: web\n" + SpecTesting.validContainers, "apiVersion", "score.dev/v1b1"),
        ("apiVersion: score.dev/v1b1\n" + SpecTesting.validContainers, "", "missing required field 'metadata'"),
        ("apiVersion: score.dev/v1b1\nmetadata: null\n" + SpecTesting.validContainers, "metadata", "must be a map, not null"),
        ("apiVersion: score.dev/v1b1\nmetadata:\n  name: web\n", "", "missing required field 'containers'"),
        (SpecTesting.score("containers: {}\n"), "containers", "at least one container"),
        (SpecTesting.score("containers: null\n"), "containers", "not null"),
        (SpecTesting.score(SpecTesting.validContainers + "service: null\n"), "service", "must be a map, not null"),
        ("apiVersion: score.dev/v1b1\nmetadata:\n  name: Web_App\n" + SpecTesting.validContainers, "metadata.name", "RFC 1123"),
        ("apiVersion: score.dev/v1b1\nmetadata:\n  name: a\n" + SpecTesting.validContainers, "metadata.name", "not valid"),
        ("apiVersion: score.dev/v1b1\nmetadata:\n  name: -web\n" + SpecTesting.validContainers, "metadata.name", "not valid"),
        ("apiVersion: score.dev/v1b1\nmetadata: {}\n" + SpecTesting.validContainers, "metadata", "missing required field 'name'"),
        ("apiVersion: score.dev/v1b1\nmetadata:\n  name: 123\n" + SpecTesting.validContainers, "metadata.name", "must be a string"),
        ("apiVersion: score.dev/v1b1\nmetadata:\n  name: web\n  annotations:\n    -bad: x\n" + SpecTesting.validContainers,
         "metadata.annotations.-bad", "annotation key"),
        ("apiVersion: score.dev/v1b1\nmetadata:\n  name: web\n  annotations:\n    key: 5\n" + SpecTesting.validContainers,
         "metadata.annotations.key", "must be a string"),
        ("apiVersion: score.dev/v1b1\nmetadata:\n  name: web\n  product: shop/a\n" + SpecTesting.validContainers,
         "metadata.product", "DNS label"),
        (SpecTesting.score(SpecTesting.validContainers + "extra: 1\n"), "extra", "unknown field"),
        (SpecTesting.score("containers:\n  web:\n    imgae: nginx\n"), "containers.web.imgae", "Did you mean 'image'?"),
        // What other tools (the original innominatus) write for Score's fields.
        (SpecTesting.score("containers:\n  web:\n    image: nginx\n    env: {A: b}\n"), "containers.web.env", "Did you mean 'variables'?"),
        (SpecTesting.score(SpecTesting.validContainers + "resources:\n  db:\n    type: postgres\n    properties: {size: s}\n"),
         "resources.db.properties", "Did you mean 'params'?"),
        (SpecTesting.score(SpecTesting.validContainers + "environment: {type: kubernetes}\n"), "environment",
         "does not choose where it is deployed"),
        (SpecTesting.score("containers:\n  web:\n    command: ls\n"), "containers.web", "missing required field 'image'"),
        (SpecTesting.score("containers:\n  Web:\n    image: nginx\n"), "containers.Web", "container name"),
        (SpecTesting.score("containers:\n  web:\n    image: \"\"\n"), "containers.web.image", "must not be empty"),
        (SpecTesting.score("containers:\n  web:\n    image: nginx\n    command: ls\n"), "containers.web.command", "must be a list"),
        (SpecTesting.score("containers:\n  web:\n    image: nginx\n    args: [1]\n"), "containers.web.args[0]", "must be a string"),
        (SpecTesting.score("containers:\n  web:\n    image: nginx\n    variables:\n      PORT: 8080\n"),
         "containers.web.variables.PORT", "quote it"),
        (SpecTesting.score("containers:\n  web:\n    image: nginx\n    variables:\n      \"A=B\": x\n"),
         "containers.web.variables[\"A=B\"]", "'='"),
        (SpecTesting.score("service:\n  ports:\n    www:\n      port: 70000\n" + SpecTesting.validContainers),
         "service.ports.www.port", "between 1 and 65535"),
        (SpecTesting.score("service:\n  ports:\n    www:\n      port: 0\n" + SpecTesting.validContainers),
         "service.ports.www.port", "between 1 and 65535"),
        (SpecTesting.score("service:\n  ports:\n    www:\n      port: \"80\"\n" + SpecTesting.validContainers),
         "service.ports.www.port", "must be an integer"),
        (SpecTesting.score("service:\n  ports:\n    www:\n      targetPort: 80\n" + SpecTesting.validContainers),
         "service.ports.www", "missing required field 'port'"),
        (SpecTesting.score("service:\n  ports:\n    www:\n      port: 80\n      protocol: HTTP\n" + SpecTesting.validContainers),
         "service.ports.www.protocol", "not one of TCP, UDP"),
        (SpecTesting.score("service:\n  ports:\n    w:\n      port: 80\n" + SpecTesting.validContainers),
         "service.ports.w", "port name"),
        (SpecTesting.score("service:\n  port: {}\n" + SpecTesting.validContainers), "service.port", "Did you mean 'ports'?"),
        (SpecTesting.score("containers:\n  web:\n    image: nginx\n    resources:\n      limits:\n        memory: \"0\"\n"),
         "containers.web.resources.limits.memory", "not valid"),
        (SpecTesting.score("containers:\n  web:\n    image: nginx\n    resources:\n      limits:\n        memory: 0\n"),
         "containers.web.resources.limits.memory", "must be a string"),
        (SpecTesting.score("containers:\n  web:\n    image: nginx\n    resources:\n      requests:\n        cpu: 1.5.5\n"),
         "containers.web.resources.requests.cpu", "not valid"),
        (SpecTesting.score("containers:\n  web:\n    image: nginx\n    resources:\n      requests:\n        cpu: 2\n"),
         "containers.web.resources.requests.cpu", "must be a string"),
        (SpecTesting.score("containers:\n  web:\n    image: nginx\n    resources:\n      limit: {}\n"),
         "containers.web.resources.limit", "Did you mean 'limits'?"),
        (SpecTesting.score("containers:\n  web:\n    image: nginx\n    files:\n      /a:\n        content: x\n        source: a.txt\n"),
         "containers.web.files[\"/a\"]", "exactly one"),
        (SpecTesting.score("containers:\n  web:\n    image: nginx\n    files:\n      /a:\n        mode: \"0644\"\n"),
         "containers.web.files[\"/a\"]", "needs exactly one"),
        (SpecTesting.score("containers:\n  web:\n    image: nginx\n    files:\n      /a:\n        content: x\n        mode: \"999\"\n"),
         "containers.web.files[\"/a\"].mode", "octal"),
        (SpecTesting.score("containers:\n  web:\n    image: nginx\n    files:\n      /a:\n        target: /a\n        content: x\n"),
         "containers.web.files[\"/a\"].target", "unknown field"),
        (SpecTesting.score("containers:\n  web:\n    image: nginx\n    files:\n      /a:\n        source: \"\"\n"),
         "containers.web.files[\"/a\"].source", "must not be empty"),
        (SpecTesting.score("containers:\n  web:\n    image: nginx\n    files:\n      /a:\n        content: x\n        noExpand: \"yes\"\n"),
         "containers.web.files[\"/a\"].noExpand", "true or false"),
        (SpecTesting.score("containers:\n  web:\n    image: nginx\n    files:\n      - content: x\n"),
         "containers.web.files[0]", "'target'"),
        (SpecTesting.score("containers:\n  web:\n    image: nginx\n    volumes:\n      /data:\n        path: x\n"),
         "containers.web.volumes[\"/data\"]", "missing required field 'source'"),
        (SpecTesting.score("containers:\n  web:\n    image: nginx\n    volumes:\n      /data:\n        source: v\n        readOnly: 1\n"),
         "containers.web.volumes[\"/data\"].readOnly", "true or false"),
        (SpecTesting.score("containers:\n  web:\n    image: nginx\n    livenessProbe: {}\n"),
         "containers.web.livenessProbe", "'httpGet' or 'exec'"),
        (SpecTesting.score("containers:\n  web:\n    image: nginx\n    livenessProbe:\n      httpGet:\n        path: /\n"),
         "containers.web.livenessProbe.httpGet", "missing required field 'port'"),
        (SpecTesting.score("containers:\n  web:\n    image: nginx\n    livenessProbe:\n      httpGet:\n        path: /\n        port: 80\n        scheme: FTP\n"),
         "containers.web.livenessProbe.httpGet.scheme", "not one of HTTP, HTTPS"),
        (SpecTesting.score("containers:\n  web:\n    image: nginx\n    livenessProbe:\n      httpGet:\n        path: /\n        port: 80\n        httpHeaders:\n          - name: \"X Y\"\n            value: v\n"),
         "containers.web.livenessProbe.httpGet.httpHeaders[0].name", "header name"),
        (SpecTesting.score("containers:\n  web:\n    image: nginx\n    readinessProbe:\n      exec: {}\n"),
         "containers.web.readinessProbe.exec", "missing required field 'command'"),
        (SpecTesting.score("containers:\n  web:\n    image: nginx\n    before:\n      db:\n        ready: done\n"),
         "containers.web.before.db.ready", "not one of started, healthy, complete"),
        (SpecTesting.score(SpecTesting.validContainers + "resources:\n  db: {}\n"), "resources.db", "missing required field 'type'"),
        (SpecTesting.score(SpecTesting.validContainers + "resources:\n  db:\n    type: post_gres\n"), "resources.db.type", "not valid"),
        (SpecTesting.score(SpecTesting.validContainers + "resources:\n  db:\n    type: postgres\n    class: x\n"), "resources.db.class", "not valid"),
        (SpecTesting.score(SpecTesting.validContainers + "resources:\n  db:\n    type: postgres\n    id: Bad.Id\n"), "resources.db.id", "not valid"),
        (SpecTesting.score(SpecTesting.validContainers + "resources:\n  db:\n    type: postgres\n    params: [1]\n"), "resources.db.params", "must be a map"),
        (SpecTesting.score(SpecTesting.validContainers + "resources:\n  db:\n    type: postgres\n    metadata:\n      annotations:\n        k: 1\n"),
         "resources.db.metadata.annotations.k", "must be a string"),
    ]

    @Test(arguments: negativeCases)
    func schemaRuleViolationsAreErrors(yaml: String, field: String, message: String) {
        let report = SpecTesting.validate(yaml, as: .score)
        #expect(report.hasError(field: field, containing: message), "\(report.summary)")
        #expect(report.score == nil)
    }

    @Test func allErrorsOfAFileAreReportedAtOnce() {
        let report = SpecTesting.validate("""
            apiVersion: 12
            metadata:
              name: Bad
            containers:
              web:
                imgae: nginx
            """)
        #expect(report.errors.count >= 4, "\(report.summary)")
        let field = report.errors.first { $0.field == "containers.web.imgae" }
        #expect(field?.line == 6)
        #expect(field?.column == 5)
    }

    @Test func integralNumbersCountAsIntegers() {
        let report = SpecTesting.validate(SpecTesting.score("service:\n  ports:\n    www:\n      port: 80.0\n" + SpecTesting.validContainers))
        #expect(report.errors.isEmpty, "\(report.summary)")
    }

    @Test func severalDocumentsInAScoreFileAreAnError() {
        let report = SpecTesting.validate(SpecTesting.score(SpecTesting.validContainers) + "---\n" + SpecTesting.score(SpecTesting.validContainers))
        #expect(report.errors.first?.message.contains("2 YAML documents") == true)
        #expect(report.errors.first?.line == 8)
    }

    @Test(arguments: ["128M", "1.5Gi", "0.5", "10Gi", "1", "125Ki", "1E"])
    func validMemory(value: String) { #expect(ScorePatterns.isMemory(value)) }

    @Test(arguments: ["0", "0Gi", "01", "1.", ".5", "1.5.5", "1Gb", "-1", "1i", ""])
    func invalidMemory(value: String) { #expect(!ScorePatterns.isMemory(value)) }

    @Test(arguments: ["2", "125m", "0.24", "1000m"])
    func validCPU(value: String) { #expect(ScorePatterns.isCPU(value)) }

    @Test(arguments: ["1.5.5", "1.5m", "m", "", "-1", "1."])
    func invalidCPU(value: String) { #expect(!ScorePatterns.isCPU(value)) }
}
