import Foundation

/// Builds the tree of a Go template from its tokens, and refuses at parse time what Go's parser
/// refuses (an undefined variable, a misplaced `end`) and what innominatus does not provide: a function
/// outside `functions`, `define`/`template`/`block`.
struct GoTemplateParser {
    /// Deeper nesting of blocks and parentheses than this is refused (hostile input).
    static let maximumDepth = 64

    private let tokens: [GoTemplateScanner.Token]
    private let functions: Set<String>
    private var index = 0
    private var scopes: [[String]] = [["$"]]
    private var loops = 0
    private var depth = 0

    static func parse(_ text: String, functions: Set<String>) throws(GoTemplateError) -> [GoNode] {
        var parser = GoTemplateParser(tokens: try GoTemplateScanner.scan(text), functions: functions)
        let (nodes, stop) = try parser.list()
        switch stop {
        case .end(let at): throw GoTemplateError("unexpected {{end}}", at: at)
        case .otherwise(let at): throw GoTemplateError("unexpected {{else}}", at: at)
        case .finished: return nodes
        }
    }

    private init(tokens: [GoTemplateScanner.Token], functions: Set<String>) {
        self.tokens = tokens
        self.functions = functions
    }

    private enum Stop { case finished, end(GoPosition), otherwise(GoPosition) }

    private var token: GoTemplateScanner.Token { tokens[index] }

    private func peekKind(_ offset: Int = 0) -> GoTemplateScanner.Kind {
        index + offset < tokens.count ? tokens[index + offset].kind : .end
    }

    private mutating func next() -> GoTemplateScanner.Token {
        let current = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return current
    }

    private mutating func expectClose(_ what: String) throws(GoTemplateError) {
        guard case .close = token.kind else { throw GoTemplateError("unexpected \(describe(token.kind)) in \(what)", at: token.position) }
        _ = next()
    }

    private func describe(_ kind: GoTemplateScanner.Kind) -> String {
        switch kind {
        case .text: "text"
        case .open: "'{{'"
        case .close: "'}}'"
        case .identifier(let name): "'\(name)'"
        case .field(let name): "'.\(name)'"
        case .dot: "'.'"
        case .variable(let name): "'$\(name)'"
        case .string(let text): "the string \"\(text)\""
        case .number(let text): "the number \(text)"
        case .char: "a character constant"
        case .leftParen: "'('"
        case .rightParen: "')'"
        case .pipe: "'|'"
        case .declare: "':='"
        case .assign: "'='"
        case .comma: "','"
        case .end: "the end of the template"
        }
    }

    private mutating func enter(_ at: GoPosition) throws(GoTemplateError) {
        depth += 1
        guard depth <= Self.maximumDepth else {
            throw GoTemplateError("the template nests more than \(Self.maximumDepth) levels of blocks and parentheses", at: at)
        }
    }

    private mutating func list() throws(GoTemplateError) -> ([GoNode], Stop) {
        var nodes: [GoNode] = []
        while true {
            let current = next()
            switch current.kind {
            case .end: return (nodes, .finished)
            case .text(let text): nodes.append(.text(text, at: current.position))
            case .open:
                if case .identifier(let word) = token.kind {
                    switch word {
                    case "end":
                        let at = next().position
                        try expectClose("{{end}}")
                        return (nodes, .end(at))
                    case "else":
                        return (nodes, .otherwise(next().position))
                    case "if", "with":
                        let at = next().position
                        nodes.append(.conditional(try conditional(word, at: at)))
                        continue
                    case "range":
                        let at = next().position
                        nodes.append(.range(try range(at: at)))
                        continue
                    case "break", "continue":
                        let at = next().position
                        guard loops > 0 else { throw GoTemplateError("{{\(word)}} outside {{range}}", at: at) }
                        try expectClose("{{\(word)}}")
                        nodes.append(.loopControl(isBreak: word == "break", at: at))
                        continue
                    case "define", "template", "block":
                        throw GoTemplateError("{{\(word)}} is not supported in provisioner templates; write the text where it is used",
                                              at: token.position)
                    default: break
                    }
                }
                let pipeline = try self.pipeline(declarations: true, inside: "an action")
                try expectClose("an action")
                nodes.append(.action(pipeline))
            default:
                throw GoTemplateError("unexpected \(describe(current.kind))", at: current.position)
            }
        }
    }

    private mutating func conditional(_ keyword: String, at: GoPosition) throws(GoTemplateError) -> GoConditional {
        try enter(at)
        defer { depth -= 1 }
        var branches: [GoConditional.Branch] = []
        var otherwise: [GoNode]?
        scopes.append([])
        var pipeline = try self.pipeline(declarations: true, inside: "{{\(keyword)}}")
        try expectClose("{{\(keyword)}}")
        while true {
            scopes.append([])
            var (body, stop) = try list()
            scopes.removeLast()
            branches.append(.init(pipeline: pipeline, setsDot: keyword == "with", body: body))
            switch stop {
            case .finished: throw GoTemplateError("{{\(keyword)}} is never closed with {{end}}", at: at)
            case .end:
                scopes.removeLast()
                return GoConditional(branches: branches, otherwise: otherwise)
            case .otherwise:
                if case .identifier(keyword) = token.kind {
                    _ = next()
                    pipeline = try self.pipeline(declarations: true, inside: "{{else \(keyword)}}")
                    try expectClose("{{else \(keyword)}}")
                    continue
                }
                try expectClose("{{else}}")
                scopes.append([])
                (body, stop) = try list()
                scopes.removeLast()
                guard case .end = stop else { throw GoTemplateError("{{\(keyword)}} is never closed with {{end}}", at: at) }
                otherwise = body
                scopes.removeLast()
                return GoConditional(branches: branches, otherwise: otherwise)
            }
        }
    }

    private mutating func range(at: GoPosition) throws(GoTemplateError) -> GoRange {
        try enter(at)
        defer { depth -= 1 }
        scopes.append([])
        let pipeline = try self.pipeline(declarations: true, inside: "{{range}}", allowsTwo: true)
        try expectClose("{{range}}")
        loops += 1
        scopes.append([])
        let (body, stop) = try list()
        scopes.removeLast()
        loops -= 1
        var otherwise: [GoNode]?
        switch stop {
        case .finished: throw GoTemplateError("{{range}} is never closed with {{end}}", at: at)
        case .end: break
        case .otherwise:
            try expectClose("{{else}}")
            scopes.append([])
            let (elseBody, elseStop) = try list()
            scopes.removeLast()
            guard case .end = elseStop else { throw GoTemplateError("{{range}} is never closed with {{end}}", at: at) }
            otherwise = elseBody
        }
        scopes.removeLast()
        return GoRange(pipeline: pipeline, body: body, otherwise: otherwise)
    }

    private func isDefined(_ name: String) -> Bool { scopes.contains { $0.contains(name) } }

    private mutating func pipeline(declarations: Bool, inside what: String, allowsTwo: Bool = false) throws(GoTemplateError) -> GoPipeline {
        let start = token.position
        var variables: [String] = []
        var isAssignment = false
        if declarations, case .variable(let first) = token.kind {
            if case .declare = peekKind(1) {
                variables = [first]
            } else if case .assign = peekKind(1) {
                variables = [first]
                isAssignment = true
            } else if allowsTwo, case .comma = peekKind(1), case .variable(let second) = peekKind(2), case .declare = peekKind(3) {
                variables = [first, second]
            }
            if !variables.isEmpty {
                index += variables.count == 2 ? 4 : 2
                if isAssignment, !isDefined(first) { throw GoTemplateError("undefined variable \"$\(first)\"", at: start) }
            }
        }
        var commands: [GoCommand] = []
        while true {
            commands.append(try command(inside: what))
            guard case .pipe = token.kind else { break }
            _ = next()
        }
        if !isAssignment { scopes[scopes.count - 1] += variables }
        return GoPipeline(variables: variables, isAssignment: isAssignment, commands: commands, position: start)
    }

    private mutating func command(inside what: String) throws(GoTemplateError) -> GoCommand {
        let start = token.position
        var operands: [GoOperand] = []
        loop: while true {
            switch token.kind {
            case .close, .pipe, .rightParen, .end: break loop
            default: operands.append(try operand(first: operands.isEmpty))
            }
        }
        guard !operands.isEmpty else { throw GoTemplateError("missing value in \(what)", at: start) }
        return GoCommand(operands: operands, position: start)
    }

    private mutating func operand(first: Bool) throws(GoTemplateError) -> GoOperand {
        let current = next()
        let at = current.position
        var kind: GoOperand.Kind
        switch current.kind {
        case .identifier("true"): kind = .bool(true)
        case .identifier("false"): kind = .bool(false)
        case .identifier("nil"): kind = .null
        case .identifier(let name):
            guard functions.contains(name) else {
                throw GoTemplateError("'\(name)' is not a function innominatus provides in Go templates (it provides Go's "
                                      + "built-ins and these sprig functions: \(GoTemplateFunctions.sprigNames.sorted().joined(separator: ", ")))",
                                      at: at)
            }
            kind = .function(name)
        case .dot: kind = .dot
        case .field(let name): kind = .field([name])
        case .variable(let name):
            let key = name.isEmpty ? "$" : name
            guard isDefined(key) else { throw GoTemplateError("undefined variable \"$\(name)\"", at: at) }
            kind = .variable(key, [])
        case .string(let text): kind = .string(text)
        case .char(let value): kind = .int(value)
        case .number(let text): kind = try Self.number(text, at: at)
        case .leftParen:
            try enter(at)
            let inner = try pipeline(declarations: false, inside: "a parenthesized pipeline")
            depth -= 1
            guard case .rightParen = token.kind else { throw GoTemplateError("unclosed left parenthesis", at: at) }
            _ = next()
            kind = .group(inner, [])
        default:
            throw GoTemplateError("unexpected \(describe(current.kind))", at: at)
        }
        // Fields written right after a term continue it: `.A.B`, `$x.A`, `(index . 0).Name`.
        while case .field(let name) = token.kind, !token.spaced {
            _ = next()
            switch kind {
            case .field(let chain): kind = .field(chain + [name])
            case .variable(let variable, let chain): kind = .variable(variable, chain + [name])
            case .group(let inner, let chain): kind = .group(inner, chain + [name])
            case .dot: kind = .field([name])
            default: throw GoTemplateError("unexpected .\(name) after a constant or function", at: at)
            }
        }
        return GoOperand(kind: kind, position: at)
    }

    static func number(_ written: String, at: GoPosition) throws(GoTemplateError) -> GoOperand.Kind {
        var text = written.replacingOccurrences(of: "_", with: "")
        var negative = false
        if text.hasPrefix("-") || text.hasPrefix("+") {
            negative = text.hasPrefix("-")
            text.removeFirst()
        }
        let lower = text.lowercased()
        var value: Int?
        if lower.hasPrefix("0x") { value = Int(lower.dropFirst(2), radix: 16) }
        else if lower.hasPrefix("0b") { value = Int(lower.dropFirst(2), radix: 2) }
        else if lower.hasPrefix("0o") { value = Int(lower.dropFirst(2), radix: 8) }
        else if lower.count > 1, lower.hasPrefix("0"), lower.allSatisfy(\.isNumber) { value = Int(lower.dropFirst(), radix: 8) }
        else if lower.allSatisfy(\.isNumber) { value = Int(lower) }
        if let value { return .int(negative ? -value : value) }
        if !lower.hasPrefix("0x"), let double = Double(lower), double.isFinite { return .double(negative ? -double : double) }
        throw GoTemplateError("bad number syntax: \(written)", at: at)
    }
}
