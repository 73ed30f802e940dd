/// Cuts a Go template into text and the tokens of its actions, as Go's `text/template/parse` lexer
/// does: `{{- ` and ` -}}` trim the white space beside them, `{{/* … */}}` is a comment.
struct GoTemplateScanner {
    enum Kind: Sendable, Hashable {
        case text(String)
        case open, close
        case identifier(String)
        /// `.Name`, one part of a chain.
        case field(String)
        /// `.` alone.
        case dot
        /// `$name`, or `$` alone (name empty).
        case variable(String)
        case string(String)
        case number(String)
        case char(Int)
        case leftParen, rightParen, pipe, declare, assign, comma
        case end
    }

    struct Token: Sendable, Hashable {
        var kind: Kind
        var position: GoPosition
        /// White space (or the start of the action) lies right before it: `.A .B` are two operands, `.A.B` one chain.
        var spaced: Bool
    }

    private let scalars: [Unicode.Scalar]
    private var index = 0
    private var line = 1
    private var column = 1
    private(set) var tokens: [Token] = []

    /// The tokens of `text`, or the first lexical error.
    static func scan(_ text: String) throws(GoTemplateError) -> [Token] {
        var scanner = GoTemplateScanner(text)
        try scanner.run()
        return scanner.tokens
    }

    private init(_ text: String) { scalars = Array(text.unicodeScalars) }

    private var position: GoPosition { GoPosition(line: line, column: column) }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        index + offset < scalars.count ? scalars[index + offset] : nil
    }

    private func starts(with literal: String, at offset: Int = 0) -> Bool {
        var at = index + offset
        for scalar in literal.unicodeScalars {
            guard at < scalars.count, scalars[at] == scalar else { return false }
            at += 1
        }
        return true
    }

    private mutating func advance(_ count: Int = 1) {
        for _ in 0..<count where index < scalars.count {
            if scalars[index] == "\n" { line += 1; column = 1 } else { column += 1 }
            index += 1
        }
    }

    private static func isSpace(_ scalar: Unicode.Scalar?) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\r" || scalar == "\n"
    }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || scalar.properties.isAlphabetic || scalar.properties.numericType == .decimal
    }

    private mutating func run() throws(GoTemplateError) {
        var text = ""
        var textStart = position
        while index < scalars.count {
            guard starts(with: "{{") else {
                text.unicodeScalars.append(scalars[index])
                advance()
                continue
            }
            let trimsLeft = peek(2) == "-" && Self.isSpace(peek(3))
            if trimsLeft { while let last = text.unicodeScalars.last, Self.isSpace(last) { text.unicodeScalars.removeLast() } }
            if !text.isEmpty { tokens.append(Token(kind: .text(text), position: textStart, spaced: true)) }
            text = ""
            let openAt = position
            advance(trimsLeft ? 3 : 2)
            let trimsRight = try action(openedAt: openAt)
            if trimsRight { while Self.isSpace(peek()) { advance() } }
            textStart = position
        }
        if !text.isEmpty { tokens.append(Token(kind: .text(text), position: textStart, spaced: true)) }
        tokens.append(Token(kind: .end, position: position, spaced: true))
    }

    /// The inside of one `{{ … }}`, up to and including its close; whether the close trims.
    private mutating func action(openedAt open: GoPosition) throws(GoTemplateError) -> Bool {
        // A comment stands alone in its action: `{{/* … */}}`, `{{- /* … */ -}}`.
        var probe = 0
        while Self.isSpace(peek(probe)) { probe += 1 }
        if starts(with: "/*", at: probe) {
            advance(probe + 2)
            while index < scalars.count, !starts(with: "*/") { advance() }
            guard index < scalars.count else { throw GoTemplateError("unclosed comment", at: open) }
            advance(2)
            if starts(with: "}}") { advance(2); return false }
            if starts(with: " -}}") { advance(4); return true }
            throw GoTemplateError("a comment must end with */}} (or */ -}})", at: position)
        }
        tokens.append(Token(kind: .open, position: open, spaced: true))
        var spaced = true
        while true {
            guard let scalar = peek() else {
                throw GoTemplateError("'{{' is never closed with '}}'", at: open)
            }
            if Self.isSpace(scalar) {
                if peek(1) == "-", starts(with: "}}", at: 2) {
                    advance()
                    let at = position
                    advance(3)
                    tokens.append(Token(kind: .close, position: at, spaced: true))
                    return true
                }
                advance()
                spaced = true
                continue
            }
            if starts(with: "}}") {
                tokens.append(Token(kind: .close, position: position, spaced: spaced))
                advance(2)
                return false
            }
            let at = position
            let kind: Kind
            switch scalar {
            case "(": advance(); kind = .leftParen
            case ")": advance(); kind = .rightParen
            case "|": advance(); kind = .pipe
            case ",": advance(); kind = .comma
            case "=": advance(); kind = .assign
            case ":":
                guard peek(1) == "=" else { throw GoTemplateError("expected :=", at: at) }
                advance(2)
                kind = .declare
            case "\"": kind = .string(try quoted())
            case "`": kind = .string(try raw())
            case "'": kind = .char(try character())
            case "$":
                advance()
                kind = .variable(word())
            case ".":
                if let next = peek(1), next.properties.numericType == .decimal {
                    kind = .number(number())
                } else {
                    advance()
                    let name = word()
                    kind = name.isEmpty ? .dot : .field(name)
                }
            case "-", "+", "0"..."9":
                guard scalar.properties.numericType == .decimal || peek(1).map({ $0.properties.numericType == .decimal || $0 == "." }) == true
                else { throw GoTemplateError("unexpected '\(scalar)' in an action", at: at) }
                kind = .number(number())
            default:
                guard Self.isAlphanumeric(scalar) else {
                    throw GoTemplateError("unexpected '\(Character(scalar))' in an action", at: at)
                }
                kind = .identifier(word())
            }
            tokens.append(Token(kind: kind, position: at, spaced: spaced))
            spaced = false
        }
    }

    private mutating func word() -> String {
        var out = ""
        while let scalar = peek(), Self.isAlphanumeric(scalar) {
            out.unicodeScalars.append(scalar)
            advance()
        }
        return out
    }

    private mutating func number() -> String {
        var out = ""
        while let scalar = peek(), Self.isAlphanumeric(scalar) || scalar == "." || scalar == "-" || scalar == "+" {
            // A sign only at the start or after an exponent.
            if scalar == "-" || scalar == "+", !(out.isEmpty || out.hasSuffix("e") || out.hasSuffix("E") || out.hasSuffix("p")) { break }
            out.unicodeScalars.append(scalar)
            advance()
        }
        return out
    }

    private mutating func raw() throws(GoTemplateError) -> String {
        let at = position
        advance()
        var out = ""
        while let scalar = peek(), scalar != "`" {
            out.unicodeScalars.append(scalar)
            advance()
        }
        guard peek() == "`" else { throw GoTemplateError("unterminated raw string", at: at) }
        advance()
        return out
    }

    private mutating func quoted() throws(GoTemplateError) -> String {
        let at = position
        advance()
        var out = ""
        while let scalar = peek(), scalar != "\"" {
            guard scalar != "\n" else { break }
            if scalar == "\\" {
                advance()
                out.unicodeScalars.append(try escape(quote: "\"", at: at))
            } else {
                out.unicodeScalars.append(scalar)
                advance()
            }
        }
        guard peek() == "\"" else { throw GoTemplateError("unterminated quoted string", at: at) }
        advance()
        return out
    }

    private mutating func character() throws(GoTemplateError) -> Int {
        let at = position
        advance()
        guard let scalar = peek(), scalar != "'", scalar != "\n" else { throw GoTemplateError("malformed character constant", at: at) }
        let value: Unicode.Scalar
        if scalar == "\\" {
            advance()
            value = try escape(quote: "'", at: at)
        } else {
            value = scalar
            advance()
        }
        guard peek() == "'" else { throw GoTemplateError("malformed character constant", at: at) }
        advance()
        return Int(value.value)
    }

    /// One escape after a backslash, Go's rules: `\n \t \\ \" \xHH \uHHHH \UHHHHHHHH \ooo` and the rest.
    private mutating func escape(quote: Unicode.Scalar, at: GoPosition) throws(GoTemplateError) -> Unicode.Scalar {
        guard let scalar = peek() else { throw GoTemplateError("unterminated escape", at: at) }
        advance()
        let simple: [Unicode.Scalar: Unicode.Scalar] = ["n": "\n", "t": "\t", "r": "\r", "\\": "\\", "a": "\u{07}", "b": "\u{08}",
                                                         "f": "\u{0C}", "v": "\u{0B}"]
        if let mapped = simple[scalar] { return mapped }
        if scalar == quote { return quote }
        let digits: Int
        let radix: Int
        var first: Unicode.Scalar?
        switch scalar {
        case "x": digits = 2; radix = 16
        case "u": digits = 4; radix = 16
        case "U": digits = 8; radix = 16
        case "0"..."7": digits = 2; radix = 8; first = scalar
        default: throw GoTemplateError("unknown escape sequence \\\(Character(scalar))", at: at)
        }
        var text = first.map { String(Character($0)) } ?? ""
        for _ in 0..<digits {
            guard let digit = peek() else { break }
            text.unicodeScalars.append(digit)
            advance()
        }
        guard let value = UInt32(text, radix: radix), let result = Unicode.Scalar(value) else {
            throw GoTemplateError("invalid escape sequence", at: at)
        }
        return result
    }
}

/// A problem of a Go template at a position inside it.
struct GoTemplateError: Error, Sendable, Hashable {
    var message: String
    var position: GoPosition

    init(_ message: String, at position: GoPosition) {
        self.message = message
        self.position = position
    }
}
