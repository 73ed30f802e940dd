/// Checks one workflow step: the fields of its type (`shell`: `run`; `http`: `url`, `method`, …;
/// a plugin type: free-form `config`), `env` entries, `when`/`if`, durations and retries.
struct StepDecoder {
    var checker: SpecChecker

    static let commonFields = ["name", "type", "env", "dependsOn", "when", "if", "timeout", "retries"]
    static let shellFields = ["run"]
    static let httpFields = ["method", "url", "headers", "body", "expectedStatus"]
    static let pluginFields = ["config"]
    static let allFields = commonFields + shellFields + httpFields + pluginFields
    static let httpMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    mutating func decode(_ node: YAMLNode, at path: FieldPath) -> WorkflowStep? {
        guard let fields = checker.fields(node, at: path, known: Self.allFields, required: ["name"]) else { return nil }
        let name = fields["name"].flatMap {
            checker.matching($0, at: path / "name", { !$0.isEmpty && $0.count <= 63 && !$0.contains(".")
                && !$0.contains(where: \.isWhitespace) },
                "a step name is 1 to 63 characters with no spaces or '.' (it is used in ${steps.NAME.outputs.KEY})")
        }
        var type = WorkflowStep.StepType.shell
        if let node = fields["type"] {
            if let value = checker.matching(node, at: path / "type", ScorePatterns.isDNSLabel,
                                            "a step type is 'shell', 'http' or a plugin name registered under "
                                                + "stepTypes in the admin config (lowercase letters, digits and '-')") {
                type = WorkflowStep.StepType(value)
            }
        } else if !fields.has("run") {
            checker.error(node.location, path, "missing required field 'type'; use 'shell' with 'run', 'http' with "
                + "'url', or a plugin type registered in the admin config")
        }
        checkFieldsBelong(to: type, fields, at: path)

        let run = fields["run"].flatMap { checker.string($0, at: path / "run", minLength: 1) }
        if case .shell = type, !fields.has("run") {
            checker.error(node.location, path, "a shell step needs 'run' (the script for sh -c); add it")
        }
        let env = fields["env"].map { decodeEnv($0, at: path / "env") } ?? []
        var dependsOn: [String]?
        if let node = fields["dependsOn"] { dependsOn = checker.stringList(node, at: path / "dependsOn") ?? [] }
        var when = WorkflowStep.When.onSuccess
        if let node = fields["when"],
           let value = checker.oneOf(node, at: path / "when", WorkflowStep.When.allCases.map(\.rawValue)) {
            when = WorkflowStep.When(rawValue: value) ?? .onSuccess
        }
        let condition = fields["if"].flatMap { checker.string($0, at: path / "if", minLength: 1) }
        let timeout = fields["timeout"].flatMap { checker.duration($0, at: path / "timeout") }
        let retries = fields["retries"].flatMap { checker.integer($0, at: path / "retries", in: 0...100) } ?? 0
        var config: YAMLNode?
        if let node = fields["config"], checker.mapping(node, at: path / "config") != nil { config = node }
        let http = type == .http ? decodeHTTP(fields, at: path) : nil
        checkPlaceholders(node, at: path)
        guard let name else { return nil }
        return WorkflowStep(name: name, type: type, run: run, env: env, dependsOn: dependsOn, when: when,
                            condition: condition, timeout: timeout, retries: retries, config: config, http: http)
    }

    private mutating func checkFieldsBelong(to type: WorkflowStep.StepType, _ fields: Fields, at path: FieldPath) {
        let own: [String] = switch type {
        case .shell: Self.shellFields
        case .http: Self.httpFields
        case .plugin: Self.pluginFields
        }
        for entry in fields.entries where !Self.commonFields.contains(entry.key) && !own.contains(entry.key) {
            guard Self.allFields.contains(entry.key) else { continue } // already reported as unknown
            checker.error(entry.keyLocation, path / entry.key,
                          "'\(entry.key)' does not apply to a step of type '\(type)'; remove it or change the type")
        }
    }

    private mutating func decodeEnv(_ node: YAMLNode, at path: FieldPath) -> [WorkflowStep.EnvEntry] {
        guard let entries = checker.mapping(node, at: path) else { return [] }
        var result: [WorkflowStep.EnvEntry] = []
        for entry in entries {
            let entryPath = path / entry.key
            if !EnvironmentName.isValid(entry.key) {
                checker.error(entry.keyLocation, entryPath, EnvironmentName.rule(entry.key))
            }
            if entry.value.entries == nil {
                if let value = checker.string(entry.value, at: entryPath) {
                    result.append(.init(name: entry.key, value: .init(source: .value(value), secret: false)))
                }
                continue
            }
            guard let fields = checker.fields(entry.value, at: entryPath,
                                              known: ["value", "fromEnv", "fromFile", "secret"]) else { continue }
            let sources = ["value", "fromEnv", "fromFile"].filter { fields.has($0) }
            let secret = fields["secret"].flatMap { checker.bool($0, at: entryPath / "secret") } ?? false
            guard sources.count == 1, let sourceNode = fields[sources[0]] else {
                checker.error(entry.value.location, entryPath, sources.isEmpty
                    ? "an env entry needs one of 'value', 'fromEnv' or 'fromFile'; add one"
                    : "an env entry takes one of 'value', 'fromEnv' or 'fromFile', not several; keep one")
                continue
            }
            guard let text = checker.string(sourceNode, at: entryPath / sources[0]) else { continue }
            let source: WorkflowStep.EnvValue.Source
            switch sources[0] {
            case "fromEnv":
                if !EnvironmentName.isValid(text) {
                    checker.error(sourceNode.location, entryPath / "fromEnv", EnvironmentName.rule(text))
                }
                source = .fromEnv(text)
            case "fromFile":
                if let problem = RepositoryPath.problem(with: text) {
                    checker.error(sourceNode.location, entryPath / "fromFile", problem)
                }
                source = .fromFile(text)
            default:
                source = .value(text)
            }
            result.append(.init(name: entry.key, value: .init(source: source, secret: secret)))
        }
        return result
    }

    private mutating func decodeHTTP(_ fields: Fields, at path: FieldPath) -> WorkflowStep.HTTPRequest? {
        guard let urlNode = fields["url"] else {
            checker.error(fields.node.location, path, "an http step needs 'url'; add it")
            return nil
        }
        let url = checker.string(urlNode, at: path / "url", minLength: 1)
        if let url, !(url.hasPrefix("http://") || url.hasPrefix("https://") || url.hasPrefix("${")) {
            checker.error(urlNode.location, path / "url", "'\(url)' is not an http:// or https:// URL")
        }
        let method = fields["method"].flatMap { checker.oneOf($0, at: path / "method", Self.httpMethods) } ?? "GET"
        let headers = fields["headers"].flatMap { checker.stringMap($0, at: path / "headers") } ?? [:]
        let body = fields["body"].flatMap { checker.string($0, at: path / "body") }
        var expected: [Int] = []
        if let node = fields["expectedStatus"] {
            if node.items != nil {
                for (index, item) in (node.items ?? []).enumerated() {
                    if let code = checker.integer(item, at: (path / "expectedStatus").appending(index: index), in: 100...599) {
                        expected.append(code)
                    }
                }
            } else if let code = checker.integer(node, at: path / "expectedStatus", in: 100...599) {
                expected = [code]
            }
        }
        guard let url else { return nil }
        return WorkflowStep.HTTPRequest(method: method, url: url, headers: headers, body: body, expectedStatus: expected)
    }

    private mutating func checkPlaceholders(_ node: YAMLNode, at path: FieldPath) {
        StepPlaceholders.forEachString(in: node, at: path) { node, path in
            let scan = Placeholder.scan(node.string ?? "")
            for problem in scan.problems { checker.error(node.location, path, problem) }
            for placeholder in scan.placeholders {
                if let problem = StepPlaceholders.problem(with: placeholder) { checker.error(node.location, path, problem) }
            }
        }
    }
}
