import Specs

/// `innominatus provisioners list`: every definition in match order (the repository's approved files, then
/// the built-in ones), with what a Score gets from it, like `score-k8s provisioners list`.
public struct ProvisionerListing: Sendable {
    public struct Row: Sendable, Hashable {
        public var type: String
        /// `(any)` when the definition serves every class or id.
        public var `class`: String
        public var id: String
        /// Output keys of a template provisioner (secret ones marked `*`); a command's are known when it runs.
        public var outputs: String
        public var uri: String
        /// A score-k8s-format provisioner's `supported_params` (JSON only; empty for the other kinds).
        public var params: [String] = []
        /// `provisioners/db.yaml:3:3` or `built-in`, and why it is not used when it is not.
        public var source: String
    }

    public var rows: [Row]

    public init(_ registry: ProvisionerRegistry) {
        rows = registry.definitions.map { definition in
            let outputs: String
            switch definition.kind {
            case .template(let spec):
                let secret = Set(spec.secrets)
                let keys = spec.outputs.entries?.map(\.0) ?? []
                if definition.isBuiltIn, definition.type == DefaultProvisioners.environmentType {
                    outputs = "(its params, then workflowPolicies.environment; render: the process environment)"
                } else {
                    outputs = keys.isEmpty ? "(its params)" : keys.map { secret.contains($0) ? $0 + "*" : $0 }.joined(separator: ", ")
                }
            case .goTemplate(let spec):
                let secret = spec.knownSecrets
                outputs = spec.expectedOutputs.isEmpty ? "(its outputs template)"
                    : spec.expectedOutputs.map { secret.contains($0) ? $0 + "*" : $0 }.joined(separator: ", ")
            case .command:
                outputs = "(printed by the program)"
            }
            var source = definition.origin
            switch definition.standing {
            case .usable: break
            case .unapproved(_, let reason): source += " — not used: \(reason)"
            case .refused(let reason): source += " — refused: \(reason)"
            }
            var row = Row(type: definition.type, class: definition.class ?? "(any)", id: definition.id ?? "(any)",
                          outputs: outputs, uri: definition.uri, source: source)
            if case .goTemplate(let spec) = definition.kind { row.params = spec.supportedParams }
            return row
        }
    }

    /// Aligned columns, a header first.
    public var text: String {
        let header = Row(type: "TYPE", class: "CLASS", id: "ID", outputs: "OUTPUTS (* secret)", uri: "URI", source: "SOURCE")
        let all = [header] + rows
        func width(_ column: (Row) -> String) -> Int { all.map { column($0).count }.max() ?? 0 }
        let columns: [(Row) -> String] = [\.type, \.class, \.id, \.uri]
        let widths = columns.map(width)
        return all.map { row in
            let padded = zip(columns, widths).map { column, size in
                let text = column(row)
                return text + String(repeating: " ", count: max(0, size - text.count))
            }
            return (padded + [row.outputs, row.source]).joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    public var json: String {
        let items = rows.map { row in
            "{" + [("type", row.type), ("class", row.class), ("id", row.id), ("outputs", row.outputs), ("uri", row.uri),
                   ("source", row.source)].map { "\(JSONString.quote($0.0)): \(JSONString.quote($0.1))" }.joined(separator: ", ")
                + ", \"params\": [" + row.params.map(JSONString.quote).joined(separator: ", ") + "]}"
        }
        return "[" + items.joined(separator: ",\n ") + "]\n"
    }
}
