/// Runs a parsed Go template over data, with Go's semantics for the subset the parser accepts, within
/// `GoTemplateLimits`: output size, value size, loop iterations and evaluation steps.
struct GoTemplateEvaluator {
    var functions: GoTemplateFunctions
    /// The data (`$`): its top-level names are fields, like a Go struct's, so a misspelt one is an error.
    var root: ManifestValue

    private var output = ""
    private var outputBytes = 0
    private var variables: [(name: String, value: ManifestValue)] = []
    private var steps = 0
    private var iterations = 0

    private enum Flow { case normal, breakLoop, continueLoop }

    /// Dot and whether it is the data itself (whose unknown fields are errors).
    private struct Dot {
        var value: ManifestValue
        var isRoot: Bool
    }

    init(functions: GoTemplateFunctions, root: ManifestValue) {
        self.functions = functions
        self.root = root
    }

    mutating func run(_ nodes: [GoNode]) throws(GoTemplateError) -> String {
        output = ""
        outputBytes = 0
        variables = [("$", root)]
        _ = try walk(nodes, dot: Dot(value: root, isRoot: true))
        return output
    }

    private var limits: GoTemplateLimits { functions.limits }

    private mutating func step(_ at: GoPosition) throws(GoTemplateError) {
        steps += 1
        guard steps <= limits.steps else {
            throw GoTemplateError("the template took more than \(limits.steps) steps; it is stopped", at: at)
        }
    }

    private mutating func write(_ text: String, at: GoPosition) throws(GoTemplateError) {
        outputBytes += text.utf8.count
        guard outputBytes <= limits.outputBytes else {
            throw GoTemplateError("the template wrote more than \(limits.outputBytes) bytes; it is stopped", at: at)
        }
        output += text
    }

    private mutating func walk(_ nodes: [GoNode], dot: Dot) throws(GoTemplateError) -> Flow {
        for node in nodes {
            switch node {
            case .text(let text, let at):
                try write(text, at: at)
            case .action(let pipeline):
                try step(pipeline.position)
                let value = try evaluate(pipeline, dot: dot)
                if pipeline.variables.isEmpty { try write(GoFormat.action(value), at: pipeline.position) }
            case .conditional(let conditional):
                let mark = variables.count
                defer { variables.removeSubrange(mark...) }
                var taken = false
                for branch in conditional.branches {
                    try step(branch.pipeline.position)
                    let value = try evaluate(branch.pipeline, dot: dot)
                    guard GoTemplateFunctions.truth(value) else { continue }
                    taken = true
                    let flow = try scoped(branch.body, dot: branch.setsDot ? Dot(value: value, isRoot: false) : dot)
                    if flow != .normal { return flow }
                    break
                }
                if !taken, let otherwise = conditional.otherwise {
                    let flow = try scoped(otherwise, dot: dot)
                    if flow != .normal { return flow }
                }
            case .range(let range):
                let flow = try loop(range, dot: dot)
                if flow != .normal { return flow }
            case .loopControl(let isBreak, _):
                return isBreak ? .breakLoop : .continueLoop
            }
        }
        return .normal
    }

    /// A body whose variables end with it.
    private mutating func scoped(_ nodes: [GoNode], dot: Dot) throws(GoTemplateError) -> Flow {
        let mark = variables.count
        defer { variables.removeSubrange(mark...) }
        return try walk(nodes, dot: dot)
    }

    private mutating func loop(_ range: GoRange, dot: Dot) throws(GoTemplateError) -> Flow {
        let at = range.pipeline.position
        try step(at)
        let mark = variables.count
        defer { variables.removeSubrange(mark...) }
        let value = try commands(range.pipeline, dot: dot)
        var pairs: [(key: ManifestValue, value: ManifestValue)] = []
        switch value {
        case .list(let items): pairs = items.enumerated().map { (.int($0.offset), $0.element) }
        case .map(let entries): pairs = entries.sorted { $0.0 < $1.0 }.map { (.string($0.0), $0.1) }
        case .int(let count):
            guard count <= limits.iterations else { throw GoTemplateError("range over \(count) is more than \(limits.iterations) iterations", at: at) }
            pairs = (0..<max(0, count)).map { (.int($0), .int($0)) }
        case .null: break
        default: throw GoTemplateError("range can't iterate over \(GoFormat.text(value))", at: at)
        }
        let declared = range.pipeline.variables
        for name in declared { variables.append((name, .null)) }
        if pairs.isEmpty, let otherwise = range.otherwise { return try scoped(otherwise, dot: dot) }
        for pair in pairs {
            iterations += 1
            guard iterations <= limits.iterations else {
                throw GoTemplateError("the template's loops ran more than \(limits.iterations) times; it is stopped", at: at)
            }
            if declared.count == 1 { variables[mark].value = pair.value }
            if declared.count == 2 {
                variables[mark].value = pair.key
                variables[mark + 1].value = pair.value
            }
            let flow = try scoped(range.body, dot: Dot(value: pair.value, isRoot: false))
            if flow == .breakLoop { break }
        }
        return .normal
    }

    /// A pipeline's value, declaring or assigning its variables.
    private mutating func evaluate(_ pipeline: GoPipeline, dot: Dot) throws(GoTemplateError) -> ManifestValue {
        let value = try commands(pipeline, dot: dot)
        guard let name = pipeline.variables.first else { return value }
        if pipeline.isAssignment {
            guard let at = variables.lastIndex(where: { $0.name == name }) else {
                throw GoTemplateError("undefined variable \"$\(name)\"", at: pipeline.position)
            }
            variables[at].value = value
        } else {
            variables.append((name, value))
        }
        return value
    }

    /// The commands of a pipeline, each one's value the last argument of the next.
    private mutating func commands(_ pipeline: GoPipeline, dot: Dot) throws(GoTemplateError) -> ManifestValue {
        var value: ManifestValue?
        for command in pipeline.commands { value = try self.command(command, dot: dot, final: value) }
        return value ?? .null
    }

    private mutating func command(_ command: GoCommand, dot: Dot, final: ManifestValue?) throws(GoTemplateError) -> ManifestValue {
        try step(command.position)
        let head = command.operands[0]
        guard case .function(let name) = head.kind else {
            guard command.operands.count == 1, final == nil else {
                throw GoTemplateError("can't give an argument to a value that is not a function", at: command.operands.count > 1
                                      ? command.operands[1].position : head.position)
            }
            return try operand(head, dot: dot)
        }
        let arguments = command.operands.dropFirst()
        if name == "and" || name == "or" {
            guard !arguments.isEmpty || final != nil else { throw GoTemplateError("\(name): wants at least 1 argument", at: head.position) }
            var last = ManifestValue.null
            for argument in arguments {
                last = try operand(argument, dot: dot)
                if GoTemplateFunctions.truth(last) != (name == "and") { return last }
            }
            if let final { last = final }
            return last
        }
        var values: [ManifestValue] = []
        for argument in arguments { values.append(try operand(argument, dot: dot)) }
        if let final { values.append(final) }
        return try call(name, values, at: head.position)
    }

    private func call(_ name: String, _ values: [ManifestValue], at: GoPosition) throws(GoTemplateError) -> ManifestValue {
        let result: ManifestValue
        do { result = try functions.call(name, values) } catch {
            throw GoTemplateError(error.plain ? "\(name): \(error.message)" : "error calling \(name): \(error.message)", at: at)
        }
        if case .string(let text) = result, text.utf8.count > limits.valueBytes {
            throw GoTemplateError("\(name) made a value longer than \(limits.valueBytes) bytes; it is stopped", at: at)
        }
        return result
    }

    private mutating func operand(_ operand: GoOperand, dot: Dot) throws(GoTemplateError) -> ManifestValue {
        switch operand.kind {
        case .dot: return dot.value
        case .field(let chain): return try fields(chain, of: dot.value, isRoot: dot.isRoot, at: operand.position)
        case .variable(let name, let chain):
            guard let value = variables.last(where: { $0.name == name })?.value else {
                throw GoTemplateError("undefined variable \"$\(name)\"", at: operand.position)
            }
            return try fields(chain, of: value, isRoot: name == "$", at: operand.position)
        case .function(let name): return try call(name, [], at: operand.position)
        case .string(let text): return .string(text)
        case .int(let number): return .int(number)
        case .double(let number): return .double(number)
        case .bool(let flag): return .bool(flag)
        case .null: return .null
        case .group(let pipeline, let chain):
            return try fields(chain, of: try commands(pipeline, dot: dot), isRoot: false, at: operand.position)
        }
    }

    /// `.A.B` of a value: a map's key (a missing one is no value, and so is any field of no value); the
    /// data's own fields must exist, as a Go struct's.
    private func fields(_ chain: [String], of start: ManifestValue, isRoot: Bool, at: GoPosition) throws(GoTemplateError) -> ManifestValue {
        var value = start
        var atRoot = isRoot
        for name in chain {
            switch value {
            case .map(let entries):
                if let found = entries.first(where: { $0.0 == name }) {
                    value = found.1
                } else if atRoot {
                    throw GoTemplateError("can't evaluate field \(name): the provisioner's data has "
                                          + entries.map { "." + $0.0 }.joined(separator: ", "), at: at)
                } else {
                    value = .null
                }
            case .null: value = .null
            default: throw GoTemplateError("can't evaluate field \(name) in type \(GoFormat.typeName(value))", at: at)
            }
            atRoot = false
        }
        return value
    }
}
