import Specs

/// Pins a product workflow's digest in the admin config by editing its text in place: only the entry
/// concerned changes, so comments, order and formatting of the rest stay byte-for-byte and the
/// platform team reviews a one-line diff.
public enum AdminConfigApproval {
    /// Why the file could not be edited safely; the message says what to do instead.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// `text` with `{name: product/name, digest: digest}` added to `allowedProductWorkflows`, or the
    /// existing entry's digest set.
    public static func approve(_ text: String, product: String, name: String, digest: String,
                               path: String = AdminConfig.defaultPath) throws(Failure) -> String {
        try pin(text, list: "allowedProductWorkflows", key: "name", value: "\(product)/\(name)", digest: digest, path: path)
    }

    /// `text` with `{path: provisioners/NAME.yaml, digest: blobID}` added to `allowedProvisioners`, or the
    /// existing entry's digest set.
    public static func approveProvisioners(_ text: String, file: String, digest: String,
                                           path: String = AdminConfig.defaultPath) throws(Failure) -> String {
        try pin(text, list: "allowedProvisioners", key: "path", value: file, digest: digest, path: path)
    }

    /// Sets the digest of the entry of `list` named `value` (a bare scalar, or a map whose `key` is `value`),
    /// or adds `{key: value, digest: digest}`, editing only that entry's line.
    private static func pin(_ text: String, list listKey: String, key: String, value full: String, digest: String,
                            path: String) throws(Failure) -> String {
        let entry = "{\(key): \(full), digest: \(digest)}"
        let report = SpecValidator().validate(Array(text.utf8), path: path, as: .adminConfig)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let root = report.root, let policies = root["workflowPolicies"] else {
            if let root = report.root, root.entries == nil {
                throw Failure(description: "\(path) is not a YAML map; fix it before approving")
            }
            var out = text
            if !out.isEmpty, !out.hasSuffix("\n") { out += "\n" }
            return out + "workflowPolicies:\n  \(listKey):\n    - \(entry)\n"
        }
        guard let policyEntries = policies.entries, !isFlow(policies, "{", lines) else {
            throw Failure(description: "\(path): workflowPolicies is not a block map; add '- \(entry)' to "
                + "\(listKey) by hand")
        }
        guard let list = policies[listKey] else {
            let keyLine = root.entries!.first { $0.key == "workflowPolicies" }!.keyLocation.line
            let indent = String(repeating: " ", count: max((policyEntries.first?.keyLocation.column ?? 3) - 1, 1))
            lines.insert(contentsOf: ["\(indent)\(listKey):", "\(indent)  - \(entry)"], at: keyLine)
            return lines.joined(separator: "\n")
        }
        guard let items = list.items else {
            throw Failure(description: "\(path):\(list.location): \(listKey) is not a list; fix it first")
        }
        for item in items {
            if item.string == full {
                try replaceScalar(at: item.location, with: entry, in: &lines, path: path)
                return lines.joined(separator: "\n")
            }
            guard let nameNode = item[key], nameNode.string == full else { continue }
            if let digestNode = item["digest"] {
                try replaceScalar(at: digestNode.location, with: digest, in: &lines, path: path)
            } else if isFlow(item, "{", lines) {
                let end = try scalarEnd(at: nameNode.location, in: lines, path: path)
                insert(", digest: \(digest)", line: nameNode.location.line, offset: end, in: &lines)
            } else {
                let keyLocation = item.entries!.first { $0.key == key }!.keyLocation
                let indent = String(repeating: " ", count: keyLocation.column - 1)
                lines.insert("\(indent)digest: \(digest)", at: nameNode.location.line)
            }
            return lines.joined(separator: "\n")
        }
        if isFlow(list, "[", lines) {
            guard let close = findClosingBracket(after: items.last.map { lastPosition(of: $0) } ?? list.location, in: lines) else {
                throw Failure(description: "\(path):\(list.location): cannot find the end of \(listKey)")
            }
            insert(items.isEmpty ? entry : ", \(entry)", line: close.line, offset: close.column - 1, in: &lines)
            return lines.joined(separator: "\n")
        }
        let last = items.last!
        let itemLine = Array(lines[last.location.line - 1].unicodeScalars)
        var dash = last.location.column - 2
        while dash >= 0, itemLine[dash] != "-" { dash -= 1 }
        let indent = String(repeating: " ", count: max(dash, 0))
        lines.insert("\(indent)- \(entry)", at: lastPosition(of: last).line)
        return lines.joined(separator: "\n")
    }

    private static func isFlow(_ node: YAMLNode, _ opener: Unicode.Scalar, _ lines: [String]) -> Bool {
        let line = Array(lines[node.location.line - 1].unicodeScalars)
        let index = node.location.column - 1
        return index < line.count && line[index] == opener
    }

    /// The last line and column any part of `node` starts at.
    private static func lastPosition(of node: YAMLNode) -> SourceLocation {
        var last = node.location
        for child in (node.items ?? []) + (node.entries?.map(\.value) ?? []) {
            last = max(last, lastPosition(of: child))
        }
        return last
    }

    /// Column (0-based) just after the scalar starting at `location`.
    private static func scalarEnd(at location: SourceLocation, in lines: [String], path: String) throws(Failure) -> Int {
        let line = Array(lines[location.line - 1].unicodeScalars)
        let start = location.column - 1
        guard start < line.count else { throw Failure(description: "\(path):\(location): cannot find the value to edit") }
        if line[start] == "\"" || line[start] == "'" {
            var end = start + 1
            while end < line.count, line[end] != line[start] { end += 1 }
            return min(end + 1, line.count)
        }
        var end = start
        while end < line.count, !" ,}]#\t\r".unicodeScalars.contains(line[end]) { end += 1 }
        return end
    }

    private static func replaceScalar(at location: SourceLocation, with replacement: String, in lines: inout [String],
                                      path: String) throws(Failure) {
        let end = try scalarEnd(at: location, in: lines, path: path)
        var scalars = Array(lines[location.line - 1].unicodeScalars)
        scalars.replaceSubrange((location.column - 1)..<end, with: replacement.unicodeScalars)
        lines[location.line - 1] = String(String.UnicodeScalarView(scalars))
    }

    private static func insert(_ text: String, line: Int, offset: Int, in lines: inout [String]) {
        var scalars = Array(lines[line - 1].unicodeScalars)
        scalars.insert(contentsOf: text.unicodeScalars, at: min(offset, scalars.count))
        lines[line - 1] = String(String.UnicodeScalarView(scalars))
    }

    /// The `]` closing a flow list, searched from `start` (outside quotes and comments, which a list of
    /// workflow names does not hold).
    private static func findClosingBracket(after start: SourceLocation, in lines: [String]) -> SourceLocation? {
        for lineIndex in (start.line - 1)..<lines.count {
            let scalars = Array(lines[lineIndex].unicodeScalars)
            let from = lineIndex == start.line - 1 ? start.column - 1 : 0
            var column = from
            while column < scalars.count {
                if scalars[column] == "#" { break }
                if scalars[column] == "]" { return SourceLocation(line: lineIndex + 1, column: column + 1) }
                column += 1
            }
        }
        return nil
    }
}
