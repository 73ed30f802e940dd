import Specs

/// One Go template of a provisioner file (score-k8s's `init`, `state`, `shared`, `outputs` or
/// `manifests`), parsed when the file is loaded so that a syntax error or an unknown function is a
/// problem of the file, at its line and column (docs/ARCHITECTURE.md §2, "Go-template provisioners").
public struct GoTemplate: Sendable, Hashable {
    /// Which block it is: `init`, `state`, `shared`, `outputs`, `manifests`.
    public var field: String
    public var source: String
    /// The provisioners file, for messages.
    public var file: String
    var anchor: Anchor
    var nodes: [GoNode]

    /// Where the template's text starts in its file.
    struct Anchor: Sendable, Hashable {
        /// The scalar's position (for a block scalar, its `|` or `>`).
        var location: SourceLocation
        /// A block scalar: line N of the text is line `location.line + N` of the file, indented by `indent`.
        var isBlock: Bool
        var indent: Int
        /// A quoted scalar's text starts one column after the quote.
        var quoteWidth: Int

        static func of(_ location: SourceLocation, lines: [Substring]) -> Anchor {
            guard location.line >= 1, location.line <= lines.count else {
                return Anchor(location: location, isBlock: false, indent: 0, quoteWidth: 0)
            }
            let line = lines[location.line - 1]
            let at = line.index(line.startIndex, offsetBy: min(max(location.column - 1, 0), line.count))
            let first = at < line.endIndex ? line[at] : " "
            if first == "|" || first == ">" {
                let body = lines.dropFirst(location.line).first { !$0.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\r" } }
                return Anchor(location: location, isBlock: true, indent: body?.prefix { $0 == " " }.count ?? 0, quoteWidth: 0)
            }
            return Anchor(location: location, isBlock: false, indent: 0, quoteWidth: first == "\"" || first == "'" ? 1 : 0)
        }
    }

    public static func == (lhs: GoTemplate, rhs: GoTemplate) -> Bool {
        lhs.field == rhs.field && lhs.source == rhs.source && lhs.file == rhs.file && lhs.anchor == rhs.anchor
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(field)
        hasher.combine(source)
        hasher.combine(file)
    }

    /// Parses `source`; a problem is a diagnostic at the file's line and column.
    /// - Parameter path: the block's place in the file (`[2].outputs`), for the diagnostic's field.
    init(field: String, source: String, file: String, anchor: Anchor, path: String? = nil) throws(SpecDiagnostic) {
        self.field = field
        self.source = source
        self.file = file
        self.anchor = anchor
        do { nodes = try GoTemplateParser.parse(source, functions: GoTemplateFunctions.names) } catch {
            nodes = []
            throw SpecDiagnostic(file: file, at: location(of: error.position), field: path ?? field,
                                 message: "the \(field) template: \(error.message)")
        }
    }

    /// The file's line and column of a position in the template.
    func location(of position: GoPosition) -> SourceLocation {
        if anchor.isBlock {
            return SourceLocation(line: anchor.location.line + position.line, column: anchor.indent + position.column)
        }
        if position.line == 1 {
            return SourceLocation(line: anchor.location.line, column: anchor.location.column + anchor.quoteWidth + position.column - 1)
        }
        return SourceLocation(line: anchor.location.line + position.line - 1, column: position.column)
    }

    /// The text the template writes for `data`; an error names the file, line and column.
    func render(_ data: ManifestValue, functions: GoTemplateFunctions) throws(ProvisioningError) -> String {
        var evaluator = GoTemplateEvaluator(functions: functions, root: data)
        do { return try evaluator.run(nodes) } catch {
            throw ProvisioningError("\(file):\(location(of: error.position)): the \(field) template: \(error.message)")
        }
    }
}
