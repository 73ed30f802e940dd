/// A container's `image`, checked against the image reference grammar of the distribution project (what
/// Docker, containerd and every OCI registry accept), by hand over ASCII bytes like `ScorePatterns`:
///
///     reference        := name [ ":" tag ] [ "@" digest ]
///     name             := [ registry "/" ] path-component ( "/" path-component )*      (255 characters at most)
///     registry         := host [ ":" port ]        host: dot-separated [A-Za-z0-9] labels ('-' inside), or [IPv6]
///     path-component   := [a-z0-9]+ ( separator [a-z0-9]+ )*      separator: "." | "_" | "__" | "-"+
///     tag              := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
///     digest           := algorithm ":" hex        algorithm: [A-Za-z][A-Za-z0-9]* joined by [+._-]; hex: 32+ digits
///
/// The first component is the registry only when it contains '.' or ':' or is `localhost` (as Docker and
/// containerd decide): `UPPER/app` is then a path, and an error, where the bare grammar would take `UPPER` for a
/// host no one meant. Digests of the registered algorithms must have their exact length (sha256: 64 lower-case
/// hex digits), as registries check. Score's `.` (the image is supplied by the tooling that deploys the workload,
/// not named in the file) is accepted as it is.
///
/// An image reaches Kubernetes manifests and the environment branch verbatim: a newline or a space in it is at
/// best a broken Deployment, at worst a line injected into a YAML document or a log.
public enum ImageReference {
    /// The rules of the grammar, named in every error.
    static let grammar = "[registry[:port]/]path[:tag][@digest]"

    /// Why `text` is not a valid image reference (the rule it breaks), or nil when it is one.
    public static func problem(_ text: String) -> String? {
        guard let rule = characterProblem(text) ?? brokenRule(Array(text.utf8)) else { return nil }
        return "\(shown(text)) is not a valid image reference (\(grammar)): \(rule)"
    }

    /// Anything but printable ASCII, named with its position (counted in characters, from 1).
    private static func characterProblem(_ text: String) -> String? {
        for (offset, scalar) in text.unicodeScalars.enumerated() where scalar.value <= 0x20 || scalar.value >= 0x7F {
            return "character \(offset + 1) is \(describe(scalar)); a reference holds only ASCII letters, digits and "
                + "'.', '_', '-', '/', ':', '@' (no spaces, line breaks or control characters)"
        }
        return nil
    }

    private static func brokenRule(_ bytes: [UInt8]) -> String? {
        if bytes == [dotByte] { return nil }
        guard !bytes.isEmpty else { return "it is empty" }
        var rest = bytes[...]
        if let at = rest.firstIndex(of: UInt8(ascii: "@")) {
            if let problem = digestProblem(rest[(at + 1)...]) { return problem }
            rest = rest[..<at]
        }
        // A ':' after the last '/' starts the tag; one before it is a registry's port.
        let lastSlash = rest.lastIndex(of: slashByte)
        if let colon = rest.lastIndex(of: colonByte), lastSlash.map({ colon > $0 }) ?? true {
            if let problem = tagProblem(rest[(colon + 1)...]) { return problem }
            rest = rest[..<colon]
        }
        return nameProblem(rest)
    }

    // MARK: name

    private static func nameProblem(_ name: ArraySlice<UInt8>) -> String? {
        guard !name.isEmpty else { return "the repository name before ':' or '@' is empty" }
        guard name.count <= 255 else { return "the repository name is \(name.count) characters long; the most is 255" }
        var components = name.split(separator: slashByte, omittingEmptySubsequences: false)
        if components.contains(where: \.isEmpty) {
            return "the repository name has an empty path component (a leading, trailing or doubled '/')"
        }
        if components.count > 1, let first = components.first,
           first.contains(dotByte) || first.contains(colonByte) || Array(first) == Array("localhost".utf8) {
            if let problem = registryProblem(first) { return problem }
            components.removeFirst()
        }
        for component in components {
            if let problem = pathComponentProblem(component) { return problem }
        }
        return nil
    }

    /// `[a-z0-9]+ (separator [a-z0-9]+)*` with separator `.`, `_`, `__` or one or more `-`.
    private static func pathComponentProblem(_ component: ArraySlice<UInt8>) -> String? {
        let text = "path component '\(String(decoding: component, as: UTF8.self))'"
        if component.contains(where: isUpper) {
            return "the \(text) has upper-case letters; repository paths are lower case (a registry host needs a '.' or a port)"
        }
        if let bad = component.first(where: { !isLowerAlnum($0) && !isSeparatorByte($0) }) {
            return "the \(text) has \(describe(bad)); a path component is lower-case letters and digits joined by "
                + "'.', '_', '__' or '-'"
        }
        guard let first = component.first, let last = component.last, isLowerAlnum(first), isLowerAlnum(last) else {
            return "the \(text) must start and end with a lower-case letter or a digit"
        }
        var index = component.startIndex
        while index < component.endIndex {
            guard !isLowerAlnum(component[index]) else {
                index += 1
                continue
            }
            let start = index
            while index < component.endIndex, isSeparatorByte(component[index]) { index += 1 }
            let separator = Array(component[start..<index])
            let allDashes = separator.allSatisfy { $0 == dashByte }
            guard allDashes || separator == [dotByte] || separator == [underscoreByte] || separator == [underscoreByte, underscoreByte] else {
                return "the \(text) has the separator '\(String(decoding: separator, as: UTF8.self))'; between letters and "
                    + "digits only '.', '_', '__' or '-' (repeated) may stand"
            }
        }
        return nil
    }

    /// `host[:port]`: dot-separated labels of letters, digits and inner '-', or a bracketed IPv6 address.
    private static func registryProblem(_ registry: ArraySlice<UInt8>) -> String? {
        let text = "registry '\(String(decoding: registry, as: UTF8.self))'"
        var host = registry
        var port: ArraySlice<UInt8>?
        if registry.first == UInt8(ascii: "[") {
            guard let close = registry.firstIndex(of: UInt8(ascii: "]")) else {
                return "the \(text) opens '[' for an IPv6 address and never closes it"
            }
            let address = registry[(registry.startIndex + 1)..<close]
            guard !address.isEmpty, address.allSatisfy({ isHex($0) || $0 == colonByte }) else {
                return "the \(text) has an IPv6 address that is not hex digits and ':'"
            }
            let after = registry[(close + 1)...]
            if !after.isEmpty {
                guard after.first == colonByte else { return "the \(text) has something other than ':PORT' after ']'" }
                port = after.dropFirst()
            }
        } else {
            if let colon = registry.firstIndex(of: colonByte) {
                host = registry[..<colon]
                port = registry[(colon + 1)...]
            }
            for label in host.split(separator: dotByte, omittingEmptySubsequences: false) {
                guard let first = label.first, let last = label.last, isAlnum(first), isAlnum(last),
                      label.allSatisfy({ isAlnum($0) || $0 == dashByte }) else {
                    return "the \(text) is not a host name: dot-separated labels of letters and digits ('-' inside a label)"
                }
            }
        }
        if let port, port.isEmpty || !port.allSatisfy(isDigit) {
            return "the \(text) has a port that is not a number"
        }
        return nil
    }

    // MARK: tag and digest

    /// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
    private static func tagProblem(_ tag: ArraySlice<UInt8>) -> String? {
        guard let first = tag.first else { return "the tag after ':' is empty (leave out the ':' for the default tag)" }
        let text = "tag '\(String(decoding: tag, as: UTF8.self))'"
        guard isAlnum(first) || first == underscoreByte else {
            return "the \(text) must start with a letter, a digit or '_'"
        }
        if let bad = tag.first(where: { !isAlnum($0) && $0 != underscoreByte && $0 != dotByte && $0 != dashByte }) {
            return "the \(text) has \(describe(bad)); a tag is letters, digits, '_', '.' and '-'"
        }
        guard tag.count <= 128 else { return "the tag is \(tag.count) characters long; the most is 128" }
        return nil
    }

    /// `algorithm:hex`, the algorithm's components `[A-Za-z][A-Za-z0-9]*` joined by `+`, `.`, `_` or `-`.
    private static func digestProblem(_ digest: ArraySlice<UInt8>) -> String? {
        let text = "digest '\(String(decoding: digest, as: UTF8.self))'"
        guard let colon = digest.firstIndex(of: colonByte) else {
            return "the \(text) after '@' must be ALGORITHM:HEX (e.g. sha256: and 64 hex digits)"
        }
        let algorithm = digest[..<colon], hex = digest[(colon + 1)...]
        let components = algorithm.split(omittingEmptySubsequences: false) { "+._-".utf8.contains($0) }
        guard components.allSatisfy({ component in
            guard let first = component.first else { return false }
            return isLetter(first) && component.allSatisfy(isAlnum)
        }) else {
            return "the \(text) has an algorithm that is not letters and digits (starting with a letter, parts joined by '+', '.', '_' or '-')"
        }
        let name = String(decoding: algorithm, as: UTF8.self)
        if let length = knownLengths[name] {
            guard hex.count == length, hex.allSatisfy({ isDigit($0) || (0x61...0x66).contains($0) }) else {
                return "a \(name) digest is \(length) lower-case hex digits; this one has \(hex.count) characters"
                    + (hex.allSatisfy(isHex) ? "" : ", not all of them hex digits")
            }
            return nil
        }
        guard hex.count >= 32, hex.allSatisfy(isHex) else {
            return "the \(text) must end in at least 32 hex digits after the algorithm"
        }
        return nil
    }

    /// Hex lengths of the registered digest algorithms (OCI image spec).
    private static let knownLengths = ["sha256": 64, "sha384": 96, "sha512": 128]

    // MARK: bytes

    private static let dotByte = UInt8(ascii: "."), slashByte = UInt8(ascii: "/"), colonByte = UInt8(ascii: ":")
    private static let dashByte = UInt8(ascii: "-"), underscoreByte = UInt8(ascii: "_")

    private static func isUpper(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) }
    private static func isLower(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte) }
    private static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }
    private static func isLetter(_ byte: UInt8) -> Bool { isUpper(byte) || isLower(byte) }
    private static func isAlnum(_ byte: UInt8) -> Bool { isLetter(byte) || isDigit(byte) }
    private static func isLowerAlnum(_ byte: UInt8) -> Bool { isLower(byte) || isDigit(byte) }
    private static func isHex(_ byte: UInt8) -> Bool { isDigit(byte) || (0x61...0x66).contains(byte) || (0x41...0x46).contains(byte) }
    private static func isSeparatorByte(_ byte: UInt8) -> Bool { byte == dotByte || byte == underscoreByte || byte == dashByte }

    private static func describe(_ byte: UInt8) -> String { describe(Unicode.Scalar(byte)) }

    private static func describe(_ scalar: Unicode.Scalar) -> String {
        switch scalar.value {
        case 0x0A: "a line break"
        case 0x0D: "a carriage return"
        case 0x09: "a tab"
        case 0x20: "a space"
        case 0x21..<0x7F: "'\(Character(scalar))'"
        case 0x80...: "the non-ASCII character U+\(String(scalar.value, radix: 16, uppercase: true))"
        default: "a control character"
        }
    }

    /// The value as a quoted literal (control characters escaped), cut short when long: the message is one line.
    private static func shown(_ text: String) -> String {
        text.count <= 120 ? JSONString.quote(text) : JSONString.quote(String(text.prefix(100))) + "… (\(text.utf8.count) bytes)"
    }
}
