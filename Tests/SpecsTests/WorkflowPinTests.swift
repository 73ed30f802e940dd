import Foundation
import Testing
import TestSupport
@testable import Specs

/// The digest an approval pins covers what the workflow runs: its file and the files its inputs name.
@Suite struct WorkflowPinTests {
    static let path = "workflows/products/ecommerce/deploy.yaml"
    static let file = String(repeating: "1", count: 40)
    static let script = String(repeating: "2", count: 40)

    @Test func theDigestIsSHA256OverSortedPathNulBlobIDLines() throws {
        // The documented form, hashed by another implementation (coreutils): `path NUL blob-id LF` lines
        // sorted by path ("scripts/" sorts before "workflows/").
        let folder = try TemporaryDirectory("pin-digest")
        let lines = "scripts/deploy.sh\u{0}\(Self.script)\n\(Self.path)\u{0}\(Self.file)\n"
        try lines.write(toFile: folder.appending("lines"), atomically: true, encoding: .utf8)
        let expected = try Shell.run(["sha256sum", folder.appending("lines")]).prefix(64)
        let digest = WorkflowPin.digest(path: Self.path, blobID: Self.file, inputs: ["scripts/deploy.sh": Self.script])
        #expect(digest == "sha256:" + expected)
        // The workflow file matched by its own inputs glob counts once.
        #expect(WorkflowPin.digest(path: Self.path, blobID: Self.file, inputs: ["scripts/deploy.sh": Self.script, Self.path: Self.file])
            == digest)
    }

    @Test func aSHA256PinBreaksWhenTheFileOrAnyInputChangesOrAnInputIsAdded() {
        let inputs = ["scripts/deploy.sh": Self.script]
        let pin = WorkflowPin.digest(path: Self.path, blobID: Self.file, inputs: inputs)
        #expect(WorkflowPin.matches(pin, path: Self.path, blobID: Self.file, inputs: inputs))
        #expect(!WorkflowPin.matches(pin, path: Self.path, blobID: Self.file, inputs: ["scripts/deploy.sh": String(repeating: "3", count: 40)]))
        #expect(!WorkflowPin.matches(pin, path: Self.path, blobID: String(repeating: "4", count: 40), inputs: inputs))
        #expect(!WorkflowPin.matches(pin, path: Self.path, blobID: Self.file,
                                     inputs: inputs.merging(["scripts/helper.sh": Self.script]) { $1 }))
        #expect(!WorkflowPin.matches(pin, path: Self.path, blobID: Self.file, inputs: [:]), "a removed input breaks it too")
        // A file moved to another path with the same content is another input.
        #expect(!WorkflowPin.matches(pin, path: Self.path, blobID: Self.file, inputs: ["scripts/other.sh": Self.script]))
    }

    @Test func anOlderPinOfTheFileAloneStillMatchesTheFileAlone() {
        #expect(WorkflowPin.matches(Self.file, path: Self.path, blobID: Self.file, inputs: ["scripts/deploy.sh": Self.script]))
        #expect(WorkflowPin.matches(Self.file.uppercased(), path: Self.path, blobID: Self.file, inputs: [:]))
        #expect(!WorkflowPin.matches(Self.file, path: Self.path, blobID: Self.script, inputs: [:]))
        #expect(WorkflowPin.current(for: Self.file, path: Self.path, blobID: Self.script, inputs: [:]) == Self.script)
    }

    @Test(arguments: [
        ("sha256:" + String(repeating: "a", count: 64), true),
        (String(repeating: "a", count: 40), true),
        (String(repeating: "a", count: 64), true),
        ("sha256:" + String(repeating: "a", count: 63), false),
        ("sha256:" + String(repeating: "a", count: 40), false),
        ("sha256:" + String(repeating: "A", count: 64), false),
        ("SHA256:" + String(repeating: "a", count: 64), false),
        ("sha1:" + String(repeating: "a", count: 40), false),
        ("sha256:" + String(repeating: "g", count: 64), false),
        // Fullwidth digits are hex digits to Swift's Character, not to a digest.
        (String(repeating: "\u{FF11}", count: 40), false),
        ("", false),
    ])
    func wellFormedDigests(text: String, valid: Bool) {
        #expect(WorkflowPin.isWellFormed(text) == valid)
    }

    @Test func aCheckoutTreeResolvesInputsAsTheReconcilerDoesAndHashesThemAsGit() throws {
        let folder = try TemporaryDirectory("pin-tree")
        for (path, text) in ["scripts/deploy.sh": "echo deploy\n", "scripts/lib/common.sh": "x=1\n", "scripts/.hidden": "h\n",
                             "docs/readme.md": "# docs\n", ".git/config": "[core]\n"] {
            let full = folder.appending(path)
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
        try FileManager.default.createSymbolicLink(atPath: folder.appending("scripts/link.sh"), withDestinationPath: "deploy.sh")
        let tree = try RepoTree.checkout(at: folder.path)
        #expect(!tree.contains(".git/config"), "the .git folder is not a file of the repository")
        #expect(tree.paths(named: ["./scripts/"]) == ["scripts/deploy.sh", "scripts/lib/common.sh", "scripts/.hidden", "scripts/link.sh"])
        #expect(tree.paths(named: ["scripts/*.sh"]) == ["scripts/deploy.sh", "scripts/lib/common.sh", "scripts/link.sh"])
        #expect(tree.paths(named: ["scripts/deploy.sh", "nothing/here"]) == ["scripts/deploy.sh"])
        let inputs = tree.inputs(named: ["scripts/deploy.sh", "scripts/link.sh"])
        let blob = try Shell.run(["git", "hash-object", folder.appending("scripts/deploy.sh")]).trimmingCharacters(in: .whitespacesAndNewlines)
        let link = try Shell.run(["git", "hash-object", "--stdin"], input: "deploy.sh").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(inputs == ["scripts/deploy.sh": blob, "scripts/link.sh": link])
    }
}
