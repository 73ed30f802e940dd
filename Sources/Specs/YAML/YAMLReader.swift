import CLibYAML

/// The YAML front end: turns a file's bytes into `YAMLNode` documents, or into diagnostics that say
/// clearly why not.
///
/// Hostile input is stopped before composition — size first (nothing else reads a 50 MB file), then
/// invalid UTF-8 and tab indentation with their exact position — and alias expansion and depth while
/// the events stream, so every rejection is cheap and bounded.
public struct YAMLReader: Sendable {
    /// What reading produced: the documents (empty when the file could not be read) and any problems.
    public struct Result: Sendable {
        public var documents: [YAMLNode]
        public var diagnostics: [SpecDiagnostic]
    }

    public var limits: SpecLimits

    public init(limits: SpecLimits = .default) {
        self.limits = limits
    }

    public func read(_ bytes: [UInt8], file: String) -> Result {
        func failure(_ location: SourceLocation, _ message: String) -> Result {
            Result(documents: [], diagnostics: [SpecDiagnostic(file: file, at: location, field: "", message: message)])
        }
        if bytes.count > limits.maxFileBytes {
            return failure(.start, "the file is \(bytes.count) bytes, more than the limit of \(limits.maxFileBytes) bytes "
                + "for a spec file; split it or remove what does not belong in it")
        }
        if let bad = Self.firstInvalidUTF8(in: bytes) {
            return failure(bad, "the file is not valid UTF-8 (bad byte sequence here); save it as UTF-8")
        }
        if let tab = Self.firstTabIndentation(in: bytes) {
            return failure(tab, "a tab character is used for indentation; YAML allows only spaces there")
        }
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else {
            return failure(.start, "the YAML parser could not start (out of memory?); try again")
        }
        defer { yaml_parser_delete(parser) }
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
        // A UTF-8 byte order mark may start a YAML stream; libyaml, told the encoding, would read it as content.
        let skipped = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        return bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(parser, buffer.baseAddress.map { $0 + skipped }, buffer.count - skipped)
            var composer = YAMLComposer(parser: parser, limits: limits, file: file)
            do throws(YAMLComposer.Failure) {
                let documents = try composer.documents()
                return Result(documents: documents, diagnostics: composer.diagnostics)
            } catch {
                var message = error.message
                if Self.lineHasTabIndentation(bytes, line: error.location.line) {
                    message = "a tab character is used for indentation on this line; YAML allows only spaces there"
                }
                let diagnostic = SpecDiagnostic(file: file, at: error.location, field: "", message: message)
                return Result(documents: [], diagnostics: composer.diagnostics + [diagnostic])
            }
        }
    }

    /// The position of the first byte that does not start a valid UTF-8 sequence.
    static func firstInvalidUTF8(in bytes: [UInt8]) -> SourceLocation? {
        // Fast path: plain ASCII needs no decoding.
        if !bytes.contains(where: { $0 >= 0x80 }) { return nil }
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var line = 1
        var column = 1
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar):
                if scalar.count == 1, scalar.first == 0x0A {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
            case .emptyInput:
                return nil
            case .error:
                return SourceLocation(line: line, column: column)
            }
        }
    }

    /// A line that starts with a tab followed by content: never valid YAML indentation.
    static func firstTabIndentation(in bytes: [UInt8]) -> SourceLocation? {
        var line = 1
        var atLineStart = true
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0A {
                line += 1
                atLineStart = true
            } else if atLineStart, byte == 0x09 {
                var probe = index
                while probe < bytes.count, bytes[probe] == 0x09 || bytes[probe] == 0x20 { probe += 1 }
                if probe < bytes.count, bytes[probe] != 0x0A, bytes[probe] != 0x0D, bytes[probe] != 0x23 {
                    return SourceLocation(line: line, column: 1)
                }
                atLineStart = false
            } else {
                atLineStart = false
            }
            index += 1
        }
        return nil
    }

    static func lineHasTabIndentation(_ bytes: [UInt8], line target: Int) -> Bool {
        var line = 1
        var index = 0
        while index < bytes.count, line < target {
            if bytes[index] == 0x0A { line += 1 }
            index += 1
        }
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 {
            if bytes[index] == 0x09 { return true }
            index += 1
        }
        return false
    }
}
