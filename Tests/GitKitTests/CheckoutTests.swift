import Foundation
import GitKit
import TestSupport
import Testing

@Suite("Checkout: incremental, read-only, contained")
struct CheckoutTests {
    static func stat(_ path: String) throws -> (inode: UInt64, mode: Int) {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return ((attributes[.systemFileNumber] as! NSNumber).uint64Value, (attributes[.posixPermissions] as! NSNumber).intValue)
    }

    @Test func fullThenIncremental() async throws {
        let fixture = try GitFixture()
        try fixture.commit([
            "apps/a/score.yaml": "a1\n", "apps/b/score.yaml": "b1\n", "docs/README.md": "docs\n", "run.sh": "#!/bin/sh\n",
        ])
        try Shell.run(["chmod", "+x", "run.sh"], in: fixture.work)
        let executable = try fixture.commit([:], message: "executable")
        let repository = try Repository.open(at: fixture.work)
        let checkout = fixture.root.appending("checkout")

        let full = try await repository.checkout(#require(ObjectID(hex: executable)), into: checkout)
        #expect(full.previous == nil && full.changedPaths == 4)
        #expect(try String(contentsOfFile: checkout + "/apps/a/score.yaml", encoding: .utf8) == "a1\n")
        #expect(try Self.stat(checkout + "/apps/a/score.yaml").mode == 0o444)
        #expect(try Self.stat(checkout + "/run.sh").mode == 0o555)
        #expect(try Self.stat(checkout + "/apps/a").mode == 0o555)
        #expect(try Self.stat(checkout).mode == 0o555)
        #expect(!FileManager.default.fileExists(atPath: checkout + "/.git"))

        let untouched = try Self.stat(checkout + "/apps/b/score.yaml").inode
        let next = try fixture.commit(["apps/a/score.yaml": "a2\n", "docs/README.md": nil, "apps/c/score.yaml": "c\n"])
        let incremental = try await repository.checkout(#require(ObjectID(hex: next)), into: checkout)
        #expect(incremental.previous?.hex == executable)
        #expect(incremental.changedPaths == 3)
        #expect(try String(contentsOfFile: checkout + "/apps/a/score.yaml", encoding: .utf8) == "a2\n")
        #expect(try String(contentsOfFile: checkout + "/apps/c/score.yaml", encoding: .utf8) == "c\n")
        #expect(!FileManager.default.fileExists(atPath: checkout + "/docs/README.md"))
        #expect(try Self.stat(checkout + "/apps/b/score.yaml").inode == untouched, "unchanged files are not rewritten")
        #expect(try Self.stat(checkout + "/apps/c/score.yaml").mode == 0o444)
        #expect(try Self.stat(checkout + "/apps/c").mode == 0o555)

        // Same commit again: nothing to do.
        #expect(try await repository.checkout(#require(ObjectID(hex: next)), into: checkout).changedPaths == 0)
        // Back to the first commit (a revert of the folder).
        let back = try await repository.checkout(#require(ObjectID(hex: executable)), into: checkout)
        #expect(back.changedPaths == 3)
        #expect(try String(contentsOfFile: checkout + "/docs/README.md", encoding: .utf8) == "docs\n")
        #expect(!FileManager.default.fileExists(atPath: checkout + "/apps/c"))
        // A lost record means a full checkout, which also repairs the folder.
        try FileManager.default.removeItem(atPath: checkout + ".checkout")
        #expect(try await repository.checkout(#require(ObjectID(hex: next)), into: checkout).previous == nil)
        #expect(try String(contentsOfFile: checkout + "/apps/a/score.yaml", encoding: .utf8) == "a2\n")
    }

    /// An incremental checkout writes only the changed paths (libgit2 is given them by name): a file that
    /// became a folder, a mode change alone, and a new symlink out of the tree are handled as in a full one.
    @Test func incrementalCheckoutOfSwapsModesAndNewLinks() async throws {
        let fixture = try GitFixture()
        let first = try fixture.commit(["a": "file\n", "tool.sh": "#!/bin/sh\n", "keep/x": "x\n"])
        let repository = try Repository.open(at: fixture.work)
        let checkout = fixture.root.appending("checkout")
        _ = try await repository.checkout(#require(ObjectID(hex: first)), into: checkout)
        try fixture.git("rm", "-q", "a")
        try Shell.run(["chmod", "+x", "tool.sh"], in: fixture.work)
        try Shell.run(["ln", "-s", "/etc/passwd", "leak"], in: fixture.work)
        let second = try fixture.commit(["a/inner": "folder now\n"])
        let result = try await repository.checkout(#require(ObjectID(hex: second)), into: checkout)
        #expect(result.previous?.hex == first)
        #expect(try String(contentsOfFile: checkout + "/a/inner", encoding: .utf8) == "folder now\n")
        #expect(try Self.stat(checkout + "/tool.sh").mode == 0o555)
        #expect(result.replacedSymlinks == ["leak"])
        #expect(try String(contentsOfFile: checkout + "/leak", encoding: .utf8) == "/etc/passwd")
        #expect(try Self.stat(checkout + "/a").mode == 0o555)
        // And back: the folder becomes a file again.
        let back = try await repository.checkout(#require(ObjectID(hex: first)), into: checkout)
        #expect(back.previous?.hex == second)
        #expect(try String(contentsOfFile: checkout + "/a", encoding: .utf8) == "file\n")
        #expect(!FileManager.default.fileExists(atPath: checkout + "/leak"))
        #expect(try Self.stat(checkout + "/tool.sh").mode == 0o444)
    }

    @Test func symlinksNeverPointOutOfTheCheckout() async throws {
        let fixture = try GitFixture()
        try fixture.commit(["apps/a/score.yaml": "a\n", "shared/config.yaml": "shared\n"])
        let links: [(String, String)] = [
            ("apps/a/inside", "../../shared/config.yaml"),  // stays inside: kept
            ("apps/a/absolute", "/etc/passwd"),
            ("apps/a/climb", "../../../../etc/passwd"),
            ("apps/a/dangling", "missing.yaml"),
            ("apps/a/loop", "loop"),
            ("apps/a/dot", "."),  // a folder inside: kept
            ("apps/a/through", "dot/../../../.."),  // inside lexically at first glance, outside once resolved
        ]
        for (path, target) in links { try Shell.run(["ln", "-s", target, path], in: fixture.work) }
        let head = try fixture.commit([:], message: "links")
        let repository = try Repository.open(at: fixture.work)
        let checkout = fixture.root.appending("checkout")
        let result = try await repository.checkout(#require(ObjectID(hex: head)), into: checkout)
        #expect(result.replacedSymlinks == ["apps/a/absolute", "apps/a/climb", "apps/a/dangling", "apps/a/loop", "apps/a/through"])
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: checkout + "/apps/a/inside") == "../../shared/config.yaml")
        #expect(try String(contentsOfFile: checkout + "/apps/a/inside", encoding: .utf8) == "shared\n")
        for replaced in result.replacedSymlinks {
            let attributes = try FileManager.default.attributesOfItem(atPath: checkout + "/" + replaced)
            #expect(attributes[.type] as? FileAttributeType == .typeRegular, "\(replaced)")
        }
        #expect(try String(contentsOfFile: checkout + "/apps/a/absolute", encoding: .utf8) == "/etc/passwd")
    }
}
