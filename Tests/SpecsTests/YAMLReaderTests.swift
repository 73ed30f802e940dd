import Foundation
import Testing
@testable import Specs

/// The YAML front end: resolved values, positions, and hostile input rejected with a clear error.
@Suite struct YAMLReaderTests {
    func read(_ yaml: String, limits: SpecLimits = .default) -> YAMLReader.Result {
        YAMLReader(limits: limits).read(Array(yaml.utf8), file: "f.yaml")
    }

    @Test(arguments: [
        ("12", YAMLNode.Value.int(12)), ("0x1F", .int(31)), ("0o17", .int(15)), ("1_000", .int(1000)),
        ("1.5", .float(1.5)), ("-2e3", .float(-2000)), ("yes", .bool(true)), ("Off", .bool(false)),
        ("~", .null), ("null", .null), ("", .null), ("\"12\"", .string("12")), ("'yes'", .string("yes")),
        ("!!str 12", .string("12")), ("1.5.5", .string("1.5.5")), ("score.dev/v1b1", .string("score.dev/v1b1")),
        ("2001-12-14", .string("2001-12-14")), ("1:30", .int(90)),
    ])
    func scalarsResolveLikeYAML11(text: String, expected: YAMLNode.Value) {
        let result = read("key: \(text)\n")
        #expect(result.diagnostics.isEmpty)
        #expect(result.documents.first?["key"]?.value == expected)
    }

    @Test func everyNodeHasLineAndColumn() {
        let result = read("a:\n  b:\n    - x\n    - {c: 1}\n")
        let root = result.documents[0]
        #expect(root.entries?[0].keyLocation == SourceLocation(line: 1, column: 1))
        let list = root["a"]?["b"]
        #expect(list?.location == SourceLocation(line: 3, column: 5))
        #expect(list?.items?[1]["c"]?.location == SourceLocation(line: 4, column: 11))
    }

    @Test func aliasesAndMergeKeysResolve() {
        let result = read("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n")
        #expect(result.diagnostics.isEmpty)
        #expect(result.documents[0]["use"]?["x"]?.value == .int(1))
        #expect(result.documents[0]["use"]?["y"]?.value == .int(3))
    }

    @Test func duplicateKeysReportBothPositions() {
        let result = read("name: a\nother: 1\nname: b\n")
        let error = result.diagnostics.first
        #expect(error?.field == "name")
        #expect(error?.line == 3)
        #expect(error?.column == 1)
        #expect(error?.message.contains("line 1, column 1") == true)
    }

    @Test func aliasBombIsRejected() {
        var yaml = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            let refs = Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ")
            yaml += "a\(level): &a\(level) [\(refs)]\n"
        }
        let result = read(yaml)
        #expect(result.documents.isEmpty)
        #expect(result.diagnostics.first?.message.contains("alias") == true)
        #expect(result.diagnostics.first?.line ?? 0 > 1)
    }

    @Test func fiftyMegabyteFileIsRejectedBeforeParsing() {
        var bytes = Array("key: ".utf8)
        bytes += [UInt8](repeating: 0x61, count: 50 * 1024 * 1024)
        let result = YAMLReader().read(bytes, file: "big.yaml")
        #expect(result.documents.isEmpty)
        #expect(result.diagnostics.first?.message.contains("more than the limit") == true)
    }

    @Test(arguments: [
        String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000),
        String(repeating: "{a: ", count: 10_000) + "1" + String(repeating: "}", count: 10_000),
        String(repeating: "- ", count: 10_000) + "x",
    ])
    func deepNestingIsRejected(yaml: String) {
        let result = read(yaml)
        #expect(result.documents.isEmpty)
        #expect(result.diagnostics.count == 1)
        #expect(result.diagnostics.first?.message.contains("nest") == true || result.diagnostics.first?.message.contains("invalid YAML") == true)
    }

    @Test func nestingWithinTheLimitIsFine() {
        let yaml = String(repeating: "[", count: 60) + String(repeating: "]", count: 60)
        #expect(read(yaml).diagnostics.isEmpty)
    }

    @Test func invalidUTF8IsReportedWithPosition() {
        var bytes = Array("a: ok\nb: caf".utf8)
        bytes += [0xC3, 0x28]
        let result = YAMLReader().read(bytes, file: "f.yaml")
        #expect(result.documents.isEmpty)
        #expect(result.diagnostics.first?.line == 2)
        #expect(result.diagnostics.first?.column == 7)
        #expect(result.diagnostics.first?.message.contains("UTF-8") == true)
    }

    @Test(arguments: ["a:\n\tb: 1\n", "a:\n  b: 1\n  \tc: 2\n"])
    func tabsInIndentationAreRejected(yaml: String) {
        let result = read(yaml)
        #expect(result.documents.isEmpty)
        #expect(result.diagnostics.first?.message.contains("tab") == true)
        #expect(result.diagnostics.first?.line ?? 0 >= 2)
    }

    @Test func tabsInsideValuesAreFine() {
        #expect(read("a: \"x\\ty\"\nrun: |\n  echo\ta\n").diagnostics.isEmpty)
    }

    @Test func duplicateKeysNameTheirFieldPath() {
        let result = read("metadata:\n  name: a\nlist:\n  - {x: 1, x: 2}\nmetadata2:\n  name: b\n  name: c\n")
        #expect(result.diagnostics.map(\.field) == ["list[0].x", "metadata2.name"])
    }

    @Test func severalDocumentsAreComposed() {
        #expect(read("a: 1\n---\nb: 2\n").documents.count == 2)
    }

    @Test func syntaxErrorsHavePositions() {
        let result = read("a: [1, 2\nb: 3\n")
        #expect(result.documents.isEmpty)
        #expect(result.diagnostics.first?.message.hasPrefix("invalid YAML") == true)
        #expect(result.diagnostics.first?.line ?? 0 >= 1)
    }
}

/// Inputs shaped to make a careless validator quadratic: they must finish (no time is asserted).
@Suite struct HostileShapeTests {
    @Test func thousandsOfDuplicateKeysAreEachReported() {
        let yaml = (0..<20_000).map { _ in "key: 1\n" }.joined()
        let result = YAMLReader().read(Array(yaml.utf8), file: "f.yaml")
        #expect(result.diagnostics.count == 19_999)
    }

    @Test func mergingManyLargeMapsStaysLinear() {
        var yaml = ""
        for map in 0..<4 {
            yaml += "m\(map): &m\(map)\n" + (0..<5_000).map { "  k\($0): v\n" }.joined()
        }
        yaml += "merged:\n  <<: [*m0, *m1, *m2, *m3]\n"
        let result = YAMLReader().read(Array(yaml.utf8), file: "f.yaml")
        #expect(result.diagnostics.isEmpty)
        #expect(result.documents.first?["merged"]?.entries?.count == 5_000)
    }

    @Test func tenThousandBadStepsAreAllReported() {
        let steps = (0..<10_000).map { "    - {name: s\($0), run: 1}\n" }.joined()
        let report = SpecTesting.validate("apiVersion: workflow.dev/v1\nkind: Workflow\nmetadata: {name: wf}\nspec:\n  steps:\n" + steps)
        #expect(report.errors.count == 10_000)
    }

    @Test func aHugeUnknownKeyGetsNoSlowSuggestion() {
        let key = String(repeating: "x", count: 500_000)
        let report = SpecTesting.validate(SpecTesting.score(SpecTesting.validContainers + "? \(key)\n: 1\n"))
        #expect(report.errors.first?.message.contains("unknown field") == true)
    }
}
