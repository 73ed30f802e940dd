import Specs
import Testing
@testable import Provisioning

/// The emitter's quoting: whatever it writes, the YAML reader reads back as the same value.
@Suite struct YAMLEmitterTests {
    @Test func tricky_scalarsRoundTrip() throws {
        let strings = ["yes", "No", "null", "~", "123", "0x1F", "1e3", "-dash", ".dot", "a: b", "#hash", "quote\"d", "tab\there",
                       "multi\nline\n", "multi\nno-newline", "  leading", "", "ünï", "*star", "&anchor", "!tag", "%pct", "@at",
                       "`tick", "a #b", "[x]", "{y}", "trailing ", "two\n\nblank\n\n",
                       "script\n  indented\n\n    more\nback\n", "only\n   \nspaces", "first\n  second"]
        let value = ManifestValue.map(strings.enumerated().map { ("k\($0.offset)", .string($0.element)) }
                                      + [("int", .int(-4)), ("bool", .bool(false)), ("nil", .null), ("empty", .map([])),
                                         ("list", .list([.map([("a", .int(1)), ("b", .list([.string("x")]))]), .list([.int(2)])]))])
        let text = YAMLEmitter.emit(value)
        let read = YAMLReader().read(Array(text.utf8), file: "emitted.yaml")
        #expect(read.diagnostics.isEmpty, "\(read.diagnostics)\n\(text)")
        let node = try #require(read.documents.first)
        #expect(ManifestValue(node) == value, "\(text)")
        // A script whose later lines are indented is still a literal block, readable in review.
        #expect(text.contains("k29: |\n  script\n    indented\n\n      more\n  back\n"), "\(text)")
    }
}
