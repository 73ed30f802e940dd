/// The identity rules of docs/ARCHITECTURE.md §1, written once for `validate DIR` (`RepoRules`) and the
/// reconciler's loader (docs/ARCHITECTURE.md §15): an app is its folder name, which must be a valid app name and
/// equal its Score's `metadata.name`; a workflow is its file name, which must equal its `metadata.name`; its
/// `kind` must match its folder; a product folder must be a DNS label and a product workflow's
/// `metadata.product`, when set, must name it. Every break is an error of the file, with file:line:column.
public enum RepoIdentity {
    /// One value a file claims about itself, and where it is written.
    public struct Claim: Sendable, Hashable, Codable {
        public var text: String
        public var location: SourceLocation

        public init(text: String, location: SourceLocation) {
            self.text = text
            self.location = location
        }
    }

    /// What the identity rules read from a file: its `metadata.name`, `kind` and `metadata.product`. Small,
    /// so the loader can keep it beside a parsed model and judge the same blob at another path.
    public struct Claims: Sendable, Hashable, Codable {
        public var name: Claim?
        public var kind: Claim?
        public var product: Claim?

        public init(root: YAMLNode?) {
            name = Self.claim(root?["metadata"]?["name"])
            kind = Self.claim(root?["kind"])
            product = Self.claim(root?["metadata"]?["product"])
        }

        private static func claim(_ node: YAMLNode?) -> Claim? {
            guard let node, let text = node.string else { return nil }
            return Claim(text: text, location: node.location)
        }
    }

    /// The errors of a file at `path`, lying at `location`, that claims `claims`. Folder names are checked
    /// whatever the file holds; the claims only where they are written.
    public static func problems(at location: RepoLocation, path: String, claims: Claims) -> [SpecDiagnostic] {
        var problems: [SpecDiagnostic] = []
        func error(_ field: String, _ claim: Claim?, _ message: String) {
            problems.append(SpecDiagnostic(.error, file: path, at: claim?.location ?? .start, field: field, message: message))
        }
        switch location {
        case .score(let app):
            if !ScorePatterns.isLabel(app) { error("", nil, notAnAppName(app)) }
            if let name = claims.name, name.text != app {
                error("metadata.name", name, "the app folder is '\(app)' but metadata.name is '\(name.text)'; they must be "
                    + "equal, so rename one")
            }
        case .platformWorkflow(let file), .productWorkflow(_, let file), .appWorkflow(_, let file):
            if let name = claims.name, name.text != file {
                error("metadata.name", name, "the file is named '\(file)' but metadata.name is '\(name.text)'; they must be "
                    + "equal, so rename one")
            }
            if let expected = location.workflowKind, let kind = claims.kind, Workflow.Kind(rawValue: kind.text) != nil,
               kind.text != expected.rawValue {
                error("kind", kind, "a workflow in this folder must be kind '\(expected.rawValue)', not '\(kind.text)'; "
                    + "fix the kind or move the file")
            }
            if case .productWorkflow(let product, _) = location {
                if !ScorePatterns.isDNSLabel(product) {
                    error("", nil, "the product folder '\(product)' is not a DNS label (lowercase letters, digits and '-'); "
                        + "rename it")
                }
                if let named = claims.product, named.text != product {
                    error("metadata.product", named, "the workflow lies in the product folder '\(product)' but names the "
                        + "product '\(named.text)'; make them equal")
                }
            }
            if case .appWorkflow(let app, _) = location, !ScorePatterns.isLabel(app) { error("", nil, notAnAppName(app)) }
        case .scoreFolder, .adminConfig, .provisioners, .other:
            break
        }
        return problems
    }

    static func notAnAppName(_ app: String) -> String {
        "the app folder '\(app)' is not a valid app name (2 to 63 lowercase letters, digits and '-')"
    }
}
