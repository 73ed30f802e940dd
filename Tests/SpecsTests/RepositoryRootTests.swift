import Foundation
import Specs
import Testing
import TestSupport

/// The one rule `run`, `render`, `approve` and `validate FILE` use to find the checkout a file belongs to.
@Suite struct RepositoryRootTests {
    func make(_ files: [String], directories: [String] = []) throws -> TemporaryDirectory {
        let folder = try TemporaryDirectory("repository-root")
        for directory in directories {
            try FileManager.default.createDirectory(atPath: folder.appending(directory), withIntermediateDirectories: true)
        }
        for file in files {
            let path = folder.appending(file)
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: path, contents: Data("x\n".utf8))
        }
        return folder
    }

    @Test(arguments: [
        (["repo/policies/admin-config.yaml"], [String]()),
        (["repo/policies/admin-config.yml"], []),
        ([], ["repo/provisioners"]),
        ([], ["repo/.git"]),
        // A worktree's .git is a file.
        (["repo/.git"], []),
    ])
    func theNearestFolderWithAMarkerIsTheRoot(files: [String], directories: [String]) throws {
        let folder = try make(files + ["repo/apps/web/score.yaml"], directories: directories + ["repo/apps/web/workflows"])
        let root = folder.appending("repo")
        #expect(RepositoryRoot.enclosing(file: folder.appending("repo/apps/web/score.yaml")) == root)
        #expect(RepositoryRoot.enclosing(folder: folder.appending("repo/apps/web/workflows")) == root)
        #expect(RepositoryRoot.enclosing(folder: root) == root)
        #expect(RepositoryRoot.enclosing(folder: root + "/apps/../apps/web/") == root)
    }

    @Test func aNearerRootWins() throws {
        let folder = try make(["outer/policies/admin-config.yaml", "outer/inner/policies/admin-config.yaml", "outer/inner/x/score.yaml"])
        #expect(RepositoryRoot.enclosing(file: folder.appending("outer/inner/x/score.yaml")) == folder.appending("outer/inner"))
        #expect(RepositoryRoot.adminConfigPath(in: folder.appending("outer")) == folder.appending("outer/policies/admin-config.yaml"))
    }

    @Test func aPoliciesFolderWithoutAnAdminConfigOrAPlainFileNamedProvisionersIsNoMarker() throws {
        let folder = try make(["repo/provisioners", "repo/x/score.yaml"], directories: ["repo/policies"])
        // Up from repo/x nothing marks a root, up to the temporary folder's own ancestors (none of which is one).
        let found = RepositoryRoot.enclosing(file: folder.appending("repo/x/score.yaml"))
        #expect(found != folder.appending("repo") && found != folder.appending("repo/x"))
        #expect(RepositoryRoot.adminConfigPath(in: folder.appending("repo")) == nil)
    }
}
