/// Checks a trust file and builds the `TrustPolicy`. A reconciler given a trust file with any error does
/// not start, so every field is checked strictly and every problem reported with its position.
struct TrustPolicyDecoder {
    var checker: SpecChecker

    init(file: String) {
        checker = SpecChecker(file: file)
    }

    /// SSH public key types `ssh-keygen -Y verify` accepts for git signatures.
    static let sshKeyTypes = [
        "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
    ]

    static let nameRule = "a signer name is letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64 characters"

    static func isSignerName(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 64, isAlphanumeric(first) else { return false }
        return name.utf8.allSatisfy { isAlphanumeric($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A)
    }

    mutating func decode(_ root: YAMLNode) -> TrustPolicy? {
        guard let fields = checker.fields(root, at: .root, known: ["mode", "signers", "rules"], required: ["mode"]) else { return nil }
        let mode = fields["mode"].flatMap { checker.oneOf($0, at: "mode", TrustPolicy.Mode.allCases.map(\.rawValue)) }
            .flatMap(TrustPolicy.Mode.init(rawValue:))
        var names: [String] = []
        var keys: [TrustPolicy.Key] = []
        if let node = fields["signers"], let entries = checker.mapping(node, at: "signers") {
            for entry in entries {
                let path = FieldPath.root / "signers" / entry.key
                guard Self.isSignerName(entry.key) else {
                    checker.error(entry.keyLocation, path, "'\(entry.key)' is not a signer name; \(Self.nameRule)")
                    continue
                }
                names.append(entry.key)
                keys += decodeKeys(entry.value, signer: entry.key, at: path)
            }
        }
        var rules: [TrustPolicy.Rule] = []
        if let node = fields["rules"], let items = checker.sequence(node, at: "rules") {
            for (index, item) in items.enumerated() {
                if let rule = decodeRule(item, index: index, known: names) { rules.append(rule) }
            }
        }
        if let mode, mode != .none, rules.isEmpty, !checker.hasErrors {
            checker.error(fields["rules"]?.location ?? root.location, "rules",
                          "mode \(mode.rawValue) needs rules: with none, no path may be changed by anyone and nothing is ever applied; "
                            + "add rules, or set mode: none")
        }
        guard let mode, !checker.hasErrors else { return nil }
        return TrustPolicy(file: checker.file, mode: mode, signers: names, keys: keys, rules: rules)
    }

    /// A signer's keys: a non-empty list of SSH public key lines and `{openpgp: FILE}` entries.
    private mutating func decodeKeys(_ node: YAMLNode, signer: String, at path: FieldPath) -> [TrustPolicy.Key] {
        guard let items = checker.sequence(node, at: path) else { return [] }
        if items.isEmpty { checker.error(node.location, path, "a signer needs at least one key; list its SSH or OpenPGP public keys") }
        var keys: [TrustPolicy.Key] = []
        for (index, item) in items.enumerated() {
            let itemPath = path.appending(index: index)
            if let line = item.string {
                let parts = line.split(separator: " ", omittingEmptySubsequences: true)
                guard parts.count >= 2, Self.sshKeyTypes.contains(String(parts[0])),
                      parts[1].utf8.allSatisfy({ Self.isBase64($0) }) else {
                    checker.error(item.location, itemPath, "'\(String(line.prefix(40)))' is not an SSH public key line; write the "
                                    + "line of the .pub file (for example \"ssh-ed25519 AAAA… alice@example.com\"), or {openpgp: FILE}")
                    continue
                }
                keys.append(.init(signer: signer, source: .ssh(line), location: item.location, field: itemPath.description))
            } else if let fields = checker.fields(item, at: itemPath, known: ["openpgp"], required: ["openpgp"]),
                      let fileNode = fields["openpgp"], let file = checker.string(fileNode, at: itemPath / "openpgp", minLength: 1) {
                keys.append(.init(signer: signer, source: .openpgp(file), location: fileNode.location,
                                  field: (itemPath / "openpgp").description))
            }
        }
        return keys
    }

    private static func isBase64(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == 0x2B || byte == 0x2F || byte == 0x3D
    }

    private mutating func decodeRule(_ node: YAMLNode, index: Int, known: [String]) -> TrustPolicy.Rule? {
        let path = FieldPath.root.appending("rules").appending(index: index)
        guard let fields = checker.fields(node, at: path, known: ["paths", "signers"], required: ["paths", "signers"]),
              let pathsNode = fields["paths"], let signersNode = fields["signers"] else { return nil }
        var valid = true
        let listed = checker.stringList(pathsNode, at: path / "paths")
        let globs = listed ?? []
        if listed == nil { valid = false } else if globs.isEmpty {
            checker.error(pathsNode.location, path / "paths", "a rule needs at least one path glob, e.g. \"policies/**\"")
            valid = false
        }
        for (offset, glob) in globs.enumerated() {
            if let problem = Self.globProblem(glob) {
                checker.error(pathsNode.items?[offset].location ?? pathsNode.location, (path / "paths").appending(index: offset), problem)
                valid = false
            }
        }
        let named = checker.stringList(signersNode, at: path / "signers")
        let signers = named ?? []
        if named == nil { valid = false } else if signers.isEmpty {
            checker.error(signersNode.location, path / "signers", "a rule needs at least one signer; name one listed under signers")
            valid = false
        }
        for (offset, name) in signers.enumerated() where !known.contains(name) {
            let hint = Suggestion.closest(to: name, among: known).map { " Did you mean '\($0)'?" }
                ?? (known.isEmpty ? " No signers are listed." : " Listed signers: \(known.joined(separator: ", ")).")
            checker.error(signersNode.items?[offset].location ?? signersNode.location, (path / "signers").appending(index: offset),
                          "unknown signer '\(name)'; a rule names signers listed under signers.\(hint)")
            valid = false
        }
        return valid ? TrustPolicy.Rule(index: index, paths: globs, signers: signers, location: node.location) : nil
    }

    /// Why `glob` cannot name paths of the repository, or nil: it is relative, stays inside, and every
    /// `[` has its `]` (fnmatch would otherwise read it as a plain character, silently matching nothing).
    static func globProblem(_ glob: String) -> String? {
        if glob.isEmpty { return "a path glob must not be empty; write e.g. \"policies/**\"" }
        if let problem = RepositoryPath.problem(with: glob) { return problem }
        if glob.utf8.contains(0) { return "'\(glob)' holds a NUL character" }
        let bytes = Array(glob.utf8)
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case 0x5C:  // backslash escapes the next character
                if index + 1 >= bytes.count { return "'\(glob)' ends with a lone '\\'; remove it or escape a character with it" }
                index += 2
                continue
            case 0x5B:  // [
                var probe = index + 1
                if probe < bytes.count, bytes[probe] == 0x21 || bytes[probe] == 0x5E { probe += 1 }
                if probe < bytes.count, bytes[probe] == 0x5D { probe += 1 }  // a ']' first is a member
                while probe < bytes.count, bytes[probe] != 0x5D { probe += 1 }
                if probe >= bytes.count {
                    return "'\(glob)' opens a character class '[' that is never closed; add the ']' or escape the '[' as '\\['"
                }
                index = probe + 1
                continue
            default:
                index += 1
            }
        }
        return nil
    }
}
