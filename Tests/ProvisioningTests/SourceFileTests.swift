import Foundation
import TestSupport
import Testing
@testable import Provisioning

/// `source:` files are read relative to the Score file and only inside the repository.
@Suite struct SourceFileTests {
    static func repository() throws -> (TemporaryDirectory, SourceFiles) {
        let folder = try TemporaryDirectory("source-files")
        try FileManager.default.createDirectory(atPath: folder.appending("repo/apps/web/conf"), withIntermediateDirectories: true)
        try "inside".write(toFile: folder.appending("repo/apps/web/conf/a.txt"), atomically: true, encoding: .utf8)
        try "outside".write(toFile: folder.appending("secret.txt"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: folder.appending("repo/apps/web/escape.txt"),
                                                   withDestinationPath: folder.appending("secret.txt"))
        try FileManager.default.createSymbolicLink(atPath: folder.appending("repo/apps/web/alias.txt"), withDestinationPath: "conf/a.txt")
        return (folder, SourceFiles(scoreFile: folder.appending("repo/apps/web/score.yaml"), root: folder.appending("repo")))
    }

    @Test func readsRelativeToTheScoreFile() throws {
        let (folder, sources) = try Self.repository()
        defer { withExtendedLifetime(folder) {} }
        #expect(String(decoding: try sources.read("conf/a.txt", field: "f"), as: UTF8.self) == "inside")
        #expect(String(decoding: try sources.read("alias.txt", field: "f"), as: UTF8.self) == "inside")
    }

    @Test(arguments: [("../../../secret.txt", "without '..'"), ("/etc/passwd", "without '..'"),
                      ("escape.txt", "outside the repository"), ("conf/missing.txt", "'conf/missing.txt' does not exist")])
    func refusesWhatIsMissingOrOutside(source: String, says: String) throws {
        let (folder, sources) = try Self.repository()
        defer { withExtendedLifetime(folder) {} }
        #expect {
            try sources.read(source, field: "containers.web.files./x.source")
        } throws: { error in
            let message = (error as? ProvisioningError)?.message ?? ""
            return message.contains(says) && message.contains("containers.web.files./x.source")
        }
    }
}

/// A missing `source:` through the whole render names the path and the Score position.
@Test func aMissingSourceNamesThePathAndPosition() throws {
    let folder = try TemporaryDirectory("source-files")
    try FileManager.default.createDirectory(atPath: folder.appending("repo/provisioners"), withIntermediateDirectories: true)
    try """
        apiVersion: score.dev/v1b1
        metadata: {name: web}
        containers:
          main:
            image: busybox
            files:
              /etc/app.conf:
                source: conf/app.conf
        """.write(toFile: folder.appending("repo/score.yaml"), atomically: true, encoding: .utf8)
    let renderer = AppRenderer(registry: ProvisionerRegistry(DefaultProvisioners.definitions), stateStore: MemoryStateStore())
    #expect {
        try renderer.render(scoreFile: folder.appending("repo/score.yaml"), root: folder.appending("repo"))
    } throws: { error in
        let message = (error as? ProvisioningError)?.message ?? ""
        return message.contains("score.yaml:8:17: containers.main.files./etc/app.conf.source") && message.contains("'conf/app.conf' does not exist")
    }
}
