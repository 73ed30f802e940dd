/// Checks a workflow document (docs/ARCHITECTURE.md §2) and builds the `Workflow` model: every field typed
/// exactly, unknown fields rejected, step names unique, `dependsOn` naming existing steps with no cycle.
struct WorkflowDecoder {
    var checker: SpecChecker

    init(file: String) {
        checker = SpecChecker(file: file)
    }

    static let topLevelFields = ["apiVersion", "kind", "metadata", "spec"]
    static let metadataFields = ["name", "description", "owner", "phase", "product"]
    static let specFields = ["triggers", "timeout", "inputs", "steps"]
    static let nameRule = "use 1 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit"

    mutating func decode(_ root: YAMLNode) -> Workflow? {
        guard let fields = checker.fields(root, at: .root, known: Self.topLevelFields,
                                          required: ["apiVersion", "kind", "metadata", "spec"]) else { return nil }
        let apiVersion = fields["apiVersion"].flatMap { checker.oneOf($0, at: "apiVersion", Workflow.apiVersions) }
        let kind = fields["kind"]
            .flatMap { checker.oneOf($0, at: "kind", Workflow.Kind.allCases.map(\.rawValue)) }
            .flatMap(Workflow.Kind.init(rawValue:))

        var name: String?
        var description: String?
        var owner: String?
        var phase = Workflow.Phase.deployment
        var product: String?
        if let node = fields["metadata"],
           let metadata = checker.fields(node, at: "metadata", known: Self.metadataFields, required: ["name"]) {
            name = metadata["name"].flatMap {
                checker.matching($0, at: "metadata.name", ScorePatterns.isDNSLabel, Self.nameRule)
            }
            description = metadata["description"].flatMap { checker.string($0, at: "metadata.description") }
            owner = metadata["owner"].flatMap { checker.string($0, at: "metadata.owner") }
            if let node = metadata["phase"],
               let value = checker.oneOf(node, at: "metadata.phase", Workflow.Phase.allCases.map(\.rawValue)) {
                phase = Workflow.Phase(rawValue: value) ?? .deployment
            }
            product = metadata["product"].flatMap {
                checker.matching($0, at: "metadata.product", ScorePatterns.isDNSLabel,
                                 "a product name is a DNS label: lowercase letters, digits and '-', no '/' or '..'")
            }
            if let node = metadata["product"], kind != nil, kind != .product {
                checker.error(node.location, "metadata.product", "only a ProductWorkflow names a product; remove it")
            }
        }

        var triggers: [Workflow.Trigger]?
        var timeout: SpecDuration?
        var inputs: [String] = []
        var steps: [WorkflowStep] = []
        if let node = fields["spec"],
           let spec = checker.fields(node, at: "spec", known: Self.specFields, required: ["steps"]) {
            if let node = spec["triggers"], let items = checker.sequence(node, at: "spec.triggers") {
                triggers = items.enumerated().compactMap { index, item in
                    checker.oneOf(item, at: FieldPath("spec.triggers").appending(index: index),
                                  Workflow.Trigger.allCases.map(\.rawValue)).flatMap(Workflow.Trigger.init(rawValue:))
                }
                if items.isEmpty {
                    checker.error(node.location, "spec.triggers", "list at least one trigger, or remove the field for the default")
                }
            }
            timeout = spec["timeout"].flatMap { checker.duration($0, at: "spec.timeout") }
            if let node = spec["inputs"], let paths = checker.stringList(node, at: "spec.inputs") {
                inputs = paths
                for (index, path) in paths.enumerated() {
                    if let problem = RepositoryPath.problem(with: path) {
                        checker.error(node.items?[index].location ?? node.location,
                                      FieldPath("spec.inputs").appending(index: index), problem)
                    }
                }
            }
            if let node = spec["steps"] { steps = decodeSteps(node) }
        }
        guard !checker.hasErrors, let apiVersion, let kind, let name else { return nil }
        return Workflow(
            apiVersion: apiVersion, kind: kind, name: name, description: description, owner: owner, phase: phase,
            product: product,
            triggers: triggers ?? [kind == .product ? .productDeployment : .allDeployments],
            timeout: timeout, inputs: inputs, steps: steps)
    }

    private mutating func decodeSteps(_ node: YAMLNode) -> [WorkflowStep] {
        let path: FieldPath = "spec.steps"
        guard let items = checker.sequence(node, at: path) else { return [] }
        if items.isEmpty { checker.error(node.location, path, "a workflow needs at least one step") }
        var steps: [WorkflowStep] = []
        var names: [String: SourceLocation] = [:]
        var stepNodes: [(name: String, node: YAMLNode, path: FieldPath)] = []
        for (index, item) in items.enumerated() {
            let stepPath = path.appending(index: index)
            // Hand the diagnostics over instead of sharing them, so appending in the step decoder
            // never copies every earlier diagnostic (quadratic for thousands of bad steps).
            var decoder = StepDecoder(checker: checker)
            checker = SpecChecker(file: checker.file)
            let step = decoder.decode(item, at: stepPath)
            checker = decoder.checker
            guard let nameNode = item["name"], let name = nameNode.string else { continue }
            if let first = names[name] {
                checker.error(nameNode.location, stepPath / "name",
                              "the step name '\(name)' is already used at line \(first.line); step names must be unique")
            } else {
                names[name] = nameNode.location
            }
            stepNodes.append((name, item, stepPath))
            if let step { steps.append(step) }
        }
        checkReferences(stepNodes, names: Set(names.keys))
        return steps
    }

    /// `dependsOn` names existing steps other than itself, with no cycle; `${steps.X.outputs.K}` names
    /// an existing step.
    private mutating func checkReferences(_ steps: [(name: String, node: YAMLNode, path: FieldPath)], names: Set<String>) {
        var graph: [String: [String]] = [:]
        for step in steps {
            for (index, item) in (step.node["dependsOn"]?.items ?? []).enumerated() {
                guard let target = item.string else { continue }
                let itemPath = (step.path / "dependsOn").appending(index: index)
                if target == step.name {
                    checker.error(item.location, itemPath, "a step cannot depend on itself; remove '\(target)'")
                } else if !names.contains(target) {
                    let hint = Suggestion.closest(to: target, among: Array(names)).map { " Did you mean '\($0)'?" } ?? ""
                    checker.error(item.location, itemPath, "there is no step named '\(target)' in this workflow.\(hint)")
                } else {
                    graph[step.name, default: []].append(target)
                }
            }
            StepPlaceholders.forEachString(in: step.node, at: step.path) { node, path in
                for placeholder in Placeholder.scan(node.string ?? "").placeholders
                where placeholder.parts.first == "steps" && placeholder.parts.count >= 2 {
                    let target = placeholder.parts[1]
                    if !names.contains(target) {
                        checker.error(node.location, path,
                                      "'${\(placeholder.reference)}' refers to the step '\(target)', which this workflow does not have")
                    } else if target == step.name {
                        checker.error(node.location, path,
                                      "'${\(placeholder.reference)}' refers to the step's own outputs, which do not exist yet")
                    }
                }
            }
        }
        if let cycle = Cycle.find(in: graph), let first = steps.first(where: { $0.name == cycle[0] }) {
            checker.error(first.node["dependsOn"]?.location ?? first.node.location, first.path / "dependsOn",
                          "the steps depend on each other in a cycle: \(cycle.joined(separator: " → ")); break the cycle")
        }
    }
}
