import Specs
import Testing
@testable import Provisioning

/// The Go text/template subset of score-k8s-format provisioners: each construct, Go's printing, the
/// sprig functions, errors at the provisioner file's line and column, and the bounds.
@Suite struct GoTemplateTests {
    static let data = ManifestValue.map([
        ("Type", .string("postgres")), ("Guid", .string("0f1e2d3c-aaaa-8bbb-9ccc-dddddddddddd")),
        ("Params", .map([("size", .string("2Gi")), ("port", .int(5432)), ("tags", .list([.string("a"), .string("b")])),
                         ("empty", .string(""))])),
        ("State", .map([("password", .string("kept-secret"))])),
        ("Nested", .map([("b", .int(2)), ("a", .map([("x", .string("deep"))]))])),
        ("Namespace", .string("")),
    ])

    /// The template as the block `outputs: |` at line 10 of a provisioners file, its text indented by 4.
    static func template(_ source: String) throws -> GoTemplate {
        try GoTemplate(field: "outputs", source: source, file: "provisioners/t.yaml",
                       anchor: .init(location: SourceLocation(line: 10, column: 12), isBlock: true, indent: 4, quoteWidth: 0))
    }

    static func render(_ source: String, _ data: ManifestValue = data, limits: GoTemplateLimits = .init()) throws -> String {
        try template(source).render(data, functions: GoTemplateFunctions(random: { alphabet, count in
            String(repeating: String(alphabet[alphabet.count / 2]), count: count)
        }, limits: limits))
    }

    static func failure(_ source: String, limits: GoTemplateLimits = .init()) -> String {
        do {
            _ = try render(source, limits: limits)
            return "no error"
        } catch let error as SpecDiagnostic {
            return "\(error.file):\(error.location): \(error.message)"
        } catch {
            return (error as? ProvisioningError)?.message ?? "\(error)"
        }
    }

    @Test(arguments: [
        ("plain text", "plain text"),
        ("a  {{- 1 -}}  b", "a1b"),
        ("a {{-3}} b", "a -3 b"),
        ("x{{/* a comment */}}y", "xy"),
        ("x  {{- /* trimmed */ -}}\n  y", "xy"),
        ("{{ .Type }}-{{ .Params.size }}", "postgres-2Gi"),
        ("{{ .Nested.a.x }}", "deep"),
        ("{{ .Params.missing }}", "<no value>"),
        ("{{ .Params.missing.deeper }}", "<no value>"),
        ("{{ print .Params.missing }}", "<nil>"),
        ("{{ .Nested }}", "map[a:map[x:deep] b:2]"),
        ("{{ .Params.tags }}", "[a b]"),
        ("{{ 3.0 }} {{ 1.5 }} {{ 0x1F }} {{ 'a' }} {{ true }} {{ nil | print }}", "3 1.5 31 97 true <nil>"),
        (#"{{ "a\tb\u00e9" }}|{{ `raw\n` }}"#, "a\tbé|raw\\n"),
    ])
    func textFieldsAndPrinting(source: String, expected: String) throws {
        #expect(try Self.render(source) == expected)
    }

    @Test(arguments: [
        (#"{{ $x := "a" }}{{ $x | upper }}"#, "A"),
        (#"{{ $x := "a" }}{{ $x = "b" }}{{ $x }}"#, "b"),
        (#"{{ $s := .State }}{{ $s.password }}"#, "kept-secret"),
        (#"{{ range .Params.tags }}{{ $.Type }}:{{ . }} {{ end }}"#, "postgres:a postgres:b "),
        (#"{{ (index .Nested "a").x }}"#, "deep"),
        (#"{{ "x" | printf "%s-%s" "y" }}"#, "y-x"),
        (#"{{ default 0 .State.count | add 1 }}"#, "1"),
    ])
    func pipelinesAndVariables(source: String, expected: String) throws {
        #expect(try Self.render(source) == expected)
    }

    @Test(arguments: [
        ("{{ if .Params.size }}yes{{ else }}no{{ end }}", "yes"),
        ("{{ if .Params.empty }}yes{{ else if .Params.port }}port{{ else }}no{{ end }}", "port"),
        ("{{ if not .Params.missing }}absent{{ end }}", "absent"),
        ("{{ if ne .Namespace \"\" }}ns{{ end }}!", "!"),
        ("{{ with .Nested.a }}{{ .x }}{{ else }}none{{ end }}", "deep"),
        ("{{ with .Params.missing }}{{ . }}{{ else with .Params.size }}{{ . }}{{ end }}", "2Gi"),
        ("{{ range $i, $t := .Params.tags }}{{ $i }}={{ $t }};{{ end }}", "0=a;1=b;"),
        ("{{ range $k, $v := .Nested }}{{ $k }},{{ end }}", "a,b,"),
        ("{{ range .Params.missing }}x{{ else }}empty{{ end }}", "empty"),
        ("{{ range $i, $t := .Params.tags }}{{ if eq $i 1 }}{{ break }}{{ end }}{{ $t }}{{ end }}", "a"),
        ("{{ range .Params.tags }}{{ if eq . \"a\" }}{{ continue }}{{ end }}{{ . }}{{ end }}", "b"),
        ("{{ range 3 }}{{ . }}{{ end }}", "012"),
        ("{{ if true }}{{ $v := 1 }}{{ $v }}{{ end }}", "1"),
        ("<{{- if .Params.missing -}} a {{- else -}} b {{- end -}}>", "<b>"),
        ("a:\n  {{- range .Params.tags }}\n  - {{ . }}\n  {{- end }}\n", "a:\n  - a\n  - b\n"),
    ])
    func controlStructures(source: String, expected: String) throws {
        #expect(try Self.render(source) == expected)
    }

    @Test(arguments: [
        (#"{{ index .Params.tags 1 }} {{ index .Nested "a" "x" }} {{ index .Nested "zz" }}"#, "b deep <no value>"),
        ("{{ len .Params.tags }} {{ len .Params.size }} {{ len .Nested }}", "2 3 2"),
        ("{{ slice .Params.size 1 }} {{ slice .Params.tags 0 1 }}", "Gi [a]"),
        ("{{ eq 1 1 }} {{ eq 1 2 3 1 }} {{ ne \"a\" \"b\" }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt 1.5 1 }} {{ ge \"b\" \"a\" }}",
         "true true true true true true true"),
        ("{{ and 1 0 }} {{ or 0 \"\" \"x\" }} {{ and 1 2 }} {{ not 0 }}", "0 x 2 true"),
        (#"{{ and false (fail "never evaluated") }}{{ or true (fail "never") }}"#, "falsetrue"),
        (#"{{ print "a" 1 2 "b" }}|{{ println "a" 1 }}|"#, "a1 2b|a 1\n|"),
        (#"{{ printf "%s=%d %q %v %5.2f|%-4s|%04d %x %t %%" "k" 42 "q\"" .Params.tags 3.14159 "ab" 7 255 true }}"#,
         "k=42 \"q\\\"\" [a b]  3.14|ab  |0007 ff true %"),
        (#"{{ printf "%d %s" "str" }}"#, "%!d(string=str) %!s(MISSING)"),
    ])
    func builtIns(source: String, expected: String) throws {
        #expect(try Self.render(source) == expected)
    }

    @Test(arguments: [
        (#"{{ "a\"b" | quote }} {{ squote "x" }} {{ quote .Params.missing }}"#, #""a\"b" 'x' "#),
        (#"{{ quote "line\nnext" }}"#, #""line\nnext""#),
        (#"{{ dig "a" "x" "none" .Nested }} {{ dig "a" "y" "none" .Nested }} {{ dig "password" "new" .State }}"#, "deep none kept-secret"),
        (#"{{ default "d" .Params.missing }} {{ default "d" .Params.size }} {{ default "d" "" }}"#, "d 2Gi d"),
        (#"{{ b64enc "hello" }} {{ b64dec "aGVsbG8=" }}"#, "aGVsbG8= hello"),
        ("{{ randAlphaNum 4 }} {{ randAlpha 3 }} {{ randNumeric 2 }} {{ len (randAscii 5) }}", "FFFF AAA 55 5"),
        (#"{{ lower "AbC" }} {{ upper "abc" }} {{ title "hello world" }}"#, "abc ABC Hello World"),
        (#"{{ substr 0 8 .Guid }} {{ substr 2 100 "abcd" }} {{ trunc 3 "abcdef" }} {{ trunc -2 "abcdef" }}"#, "0f1e2d3c cd abc ef"),
        (#"{{ replace "." "-" "a.b.c" }} {{ repeat 3 "ab" }} {{ nospace "a b c" }}"#, "a-b-c ababab abc"),
        (#"{{ trim "  x " }}|{{ trimAll "-" "--x--" }}|{{ trimPrefix "pre" "prefix" }}|{{ trimSuffix "fix" "prefix" }}"#, "x|x|fix|pre"),
        (#"{{ contains "ell" "hello" }} {{ hasPrefix "he" "hello" }} {{ hasSuffix "lo" "hello" }}"#, "true true true"),
        (#"{{ join "," .Params.tags }} {{ splitList "," "a,b" }} {{ (split "," "a,b")._1 }}"#, "a,b [a b] b"),
        (#"{{ $d := dict "b" 2 "a" "x" }}{{ $d.a }}{{ get $d "b" }}{{ get $d "zz" }} {{ hasKey $d "a" }} {{ keys $d }}"#, "x2 true [a b]"),
        (#"{{ list 1 "a" }} {{ first .Params.tags }} {{ last .Params.tags }} {{ append .Params.tags "c" }} {{ has "b" .Params.tags }}"#,
         "[1 a] a b [a b c] true"),
        (#"{{ uniq (list 1 1 2) }} {{ sortAlpha (list "b" "a") }} {{ until 3 }}"#, "[1 2] [a b] [0 1 2]"),
        (#"{{ regexMatch "^[a-z]+$" "abc" }} {{ regexMatch "^/|(/([^/]+))+$" "/api" }} {{ regexFind "[0-9]+" "ab12c" }} {{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }}"#,
         "true true 12 -W-xxW-"),
        (#"{{ cat "a" .Params.missing 1 }} {{ toString 5 }} {{ toJson .Nested }} {{ toJson "<&>" }} {{ toRawJson "<&>" }}"#,
         #"a 1 5 {"a":{"x":"deep"},"b":2} "\u003c\u0026\u003e" "<&>""#),
        ("{{ int \"12\" }} {{ atoi \"7\" }} {{ float64 2 }} {{ add 1 2 3 }} {{ add1 1 }} {{ sub 5 3 }} {{ mul 2 3 }} {{ div 7 2 }} {{ mod 7 2 }} {{ max 1 5 3 }} {{ min 4 2 }}",
         "12 7 2 6 2 2 6 3 1 5 2"),
        (#"{{ empty "" }} {{ coalesce "" .Params.missing "c" }} {{ ternary "y" "n" true }} {{ required "need it" "v" }}"#, "true c y v"),
        (#"{{ indent 2 "a\nb" }}|{{ nindent 2 "a" }}"#, "  a\n  b|\n  a"),
        (#"{{ sha256sum "a" | trunc 8 }} {{ len uuidv4 }}"#, "ca978112 36"),
        (#"{{ encodeSecretRef "pg-main" "password" }}"#, "🔐💬pg-main_password💬🔐"),
    ])
    func sprigFunctions(source: String, expected: String) throws {
        #expect(try Self.render(source) == expected)
    }

    @Test(arguments: [
        // Parse errors point at the file: template line N is file line 10 + N, its column + the block's indent.
        ("key: {{ toYaml .Params }}", "provisioners/t.yaml:11:13: the outputs template: 'toYaml' is not a function innominatus provides"),
        ("a\n  {{ .Type | nope }}", "provisioners/t.yaml:12:18: the outputs template: 'nope' is not a function"),
        ("{{ .Type", "provisioners/t.yaml:11:5: the outputs template: '{{' is never closed"),
        ("{{ $x }}", "provisioners/t.yaml:11:8: the outputs template: undefined variable \"$x\""),
        ("{{ if .Type }}x", "provisioners/t.yaml:11:8: the outputs template: {{if}} is never closed with {{end}}"),
        ("x{{ end }}", "provisioners/t.yaml:11:9: the outputs template: unexpected {{end}}"),
        ("{{ define \"x\" }}{{ end }}", "{{define}} is not supported"),
        ("{{ break }}", "{{break}} outside {{range}}"),
        ("{{ \"unterminated }}", "unterminated quoted string"),
        ("{{/* open", "unclosed comment"),
        // Run-time errors too.
        ("\n{{ fail \"params.host is required\" }}", "provisioners/t.yaml:12:8: the outputs template: fail: params.host is required"),
        ("{{ required \"give a size\" .Params.missing }}", "provisioners/t.yaml:11:8: the outputs template: required: give a size"),
        ("{{ .Nope }}", "can't evaluate field Nope: the provisioner's data has .Type, .Guid, .Params"),
        ("{{ .Params.size.x }}", "can't evaluate field x in type string"),
        ("{{ regexMatch \"^a$\" .Params.missing }}", "error calling regexMatch: wants a string, got no value"),
        ("{{ index .Params.tags 5 }}", "error calling index: index out of range: 5"),
        ("{{ lt 1 \"a\" }}", "incompatible types for comparison"),
        ("{{ eq .Params.tags .Params.tags }}", "non-comparable type"),
        ("{{ div 1 0 }}", "integer divide by zero"),
        ("{{ .Type 1 }}", "can't give an argument to a value that is not a function"),
        ("{{ range .Type }}{{ end }}", "range can't iterate over postgres"),
    ])
    func errorsSayWhatAndWhere(source: String, expected: String) {
        let message = Self.failure(source)
        #expect(message.contains(expected), "\(message)")
    }

    @Test func boundsStopHostileTemplates() {
        let small = GoTemplateLimits(outputBytes: 1000, valueBytes: 500, listItems: 50, iterations: 100, steps: 5000, randomLength: 64)
        #expect(Self.failure("{{ range 200 }}x{{ end }}", limits: small).contains("range over 200 is more than 100 iterations"))
        #expect(Self.failure("{{ range until 50 }}{{ range until 50 }}{{ end }}{{ end }}", limits: small)
            .contains("loops ran more than 100 times"))
        #expect(Self.failure("{{ range until 40 }}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx{{ end }}", limits: small).contains("wrote more than 1000 bytes"))
        #expect(Self.failure("{{ repeat 600 \"a\" }}", limits: small).contains("longer than 500 bytes"))
        #expect(Self.failure("{{ $x := \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" }}{{ range until 20 }}{{ $x = printf \"%s%s\" $x $x }}{{ end }}",
                             limits: small).contains("printf made a value longer than 500 bytes"))
        #expect(Self.failure("{{ randAlphaNum 65 }}", limits: small).contains("wants a length from 0 to 64"))
        #expect(Self.failure("{{ until 51 }}", limits: small).contains("until: wants at most 50 items"))
        #expect(Self.failure(String(repeating: "{{ if true }}", count: 70) + String(repeating: "{{ end }}", count: 70))
            .contains("nests more than 64 levels"))
        #expect(Self.failure("{{ " + String(repeating: "(", count: 70) + "1" + String(repeating: ")", count: 70) + " }}")
            .contains("nests more than 64 levels"))
        // Extreme numbers print as Go prints them and never trap.
        #expect((try? Self.render(#"{{ printf "%d %x" (sub -9223372036854775807 1) (sub -9223372036854775807 1) }}"#))
            == "-9223372036854775808 -8000000000000000")
        #expect((try? Self.render(#"{{ printf "%99999d|%.99999f" 1 2.5 }}"#)) == "%!(BADWIDTH)|%!(BADPREC)")
        #expect((try? Self.render("{{ 1e20 }} {{ 1e21 }} {{ 0.00001 }}")) == "100000000000000000000 1e+21 1e-05")
        #expect(Self.failure("{{ until -9223372036854775807 }}").contains("until: wants at most"))
        #expect(Self.failure("{{ add 9223372036854775807 1 }}").contains("integer overflow"))
        // Without the bounds the same templates run.
        #expect(Self.failure("{{ range 200 }}x{{ end }}") == "no error")
    }

    @Test func quotedScalarsMapPositionsOnTheirLine() {
        #expect {
            _ = try GoTemplate(field: "state", source: "x: {{ nope }}", file: "p.yaml",
                               anchor: .init(location: SourceLocation(line: 4, column: 10), isBlock: false, indent: 0, quoteWidth: 1))
        } throws: { error in
            (error as? SpecDiagnostic).map { "\($0.location)" } == "4:17"
        }
    }

    /// Random token soup (a fixed seed): every template is refused or runs, within the bounds and quickly;
    /// nothing traps, hangs or grows without limit.
    @Test func randomTemplatesAreRefusedOrRunWithinTheBounds() throws {
        let pieces = ["{{", "}}", "{{- ", " -}}", "{{/*", "*/}}", " if ", " else ", " end ", " range ", " with ", " break ",
                      " $x ", " $ ", " := ", " = ", " .Params ", ".tags", " .Nested.a ", " . ", " ( ", " ) ", " | ", ",",
                      "\"s\"", " 7 ", " -1 ", " 1e30 ", " 'c' ", " nil ", " true ", " printf ", " \"%s%s%d\" ", " index ",
                      " len ", " until ", " 90 ", " repeat ", " dict ", " list ", " append ", " dig ", " default ", " quote ",
                      " b64enc ", " randAlphaNum ", " toJson ", " eq ", " and ", " or ", " not ", " add ", " substr ", "text\n"]
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(bound))
        }
        let limits = GoTemplateLimits(outputBytes: 1 << 16, valueBytes: 1 << 14, listItems: 1000, iterations: 2000, steps: 20000)
        var ran = 0
        var refused = 0
        let clock = ContinuousClock()
        let started = clock.now
        for _ in 0..<3000 {
            var source = ""
            for _ in 0..<(1 + next(24)) { source += pieces[next(pieces.count)] }
            // Some well-formed ones too: a range over a list built from the soup.
            if next(4) == 0 { source = "{{ range $i, $v := until 40 }}{{ $v }}" + source + "{{ end }}" }
            do {
                let output = try Self.render(source, limits: limits)
                #expect(output.utf8.count <= limits.outputBytes)
                ran += 1
            } catch is SpecDiagnostic {
                refused += 1
            } catch is ProvisioningError {
                refused += 1
            }
        }
        #expect(ran > 100 && refused > 100, "ran \(ran), refused \(refused)")
        #expect(clock.now - started < .seconds(60))
    }
}
