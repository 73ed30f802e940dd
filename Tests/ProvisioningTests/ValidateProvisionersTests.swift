import Foundation
import Specs
import Testing
import TestSupport
@testable import Provisioning

/// `innominatus validate DIR` checks the repository's `provisioners/*.yaml` as render and the reconciler
/// read them, with file:line:column for each problem; a FILE in `provisioners/` is checked as one too.
@Suite struct ValidateProvisionersTests {
    static let broken = """
        - uri: template://acme/ok
          type: queue
        - uri: ftp://acme/queue
          type: queue
        - uri: template://acme/typo
          tipe: cache
        - {type: cache}
        - uri: cmd://../outside.sh
          type: dns

        """

    /// A copy of the fixture repository (three apps, two provisioners files), with `files` written into it.
    func repository(_ files: [String: String] = [:]) throws -> TemporaryDirectory {
        let folder = try TemporaryDirectory("validate-provisioners")
        try Shell.run(["cp", "-R", ProvisioningFixtures.repo, folder.appending("repo")])
        for (path, text) in files {
            let full = folder.appending("repo/" + path)
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
        return folder
    }

    @Test func theFixtureRepositorysProvisionersAreCheckedAndValid() throws {
        let folder = try repository()
        let result = try InnominatusBinary.run(["validate", folder.appending("repo"), "--output", "json"])
        #expect(result.status == 0, "\(result.stdout)")
        let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let files = (document?["files"] as? [[String: Any]]) ?? []
        let provisioners = files.filter { $0["kind"] as? String == "provisioners" }.compactMap { $0["path"] as? String }
        #expect(provisioners == [folder.appending("repo/provisioners/flags.yaml"), folder.appending("repo/provisioners/queue.yaml")])
    }

    @Test func eachProblemOfAnInvalidProvisionersFileIsAnErrorWithItsPosition() throws {
        let folder = try repository(["provisioners/zz-broken.yaml": Self.broken])
        let result = try InnominatusBinary.run(["validate", "repo"], in: folder.path)
        #expect(result.status == 1)
        let errors = result.stdout.split(separator: "\n").map(String.init).filter { $0.contains(": error:") }
        #expect(errors == [
            "repo/provisioners/zz-broken.yaml:3:8: error: [1].uri: the provisioner uri 'ftp://acme/queue' must start with template:// or cmd://",
            "repo/provisioners/zz-broken.yaml:6:3: error: [2].tipe: unknown field 'tipe' in a provisioner; use args, class, "
                + "description, expected_outputs, id, init, manifests, outputs, secrets, shared, state, supported_params, type, uri",
            "repo/provisioners/zz-broken.yaml:7:3: error: [3].uri: a provisioner needs 'uri' (template://NAME or cmd://PROGRAM)",
            "repo/provisioners/zz-broken.yaml:8:8: error: [4].uri: 'cmd://../outside.sh' leaves the provisioners folder; "
                + "keep scripts inside the repository",
        ], "\(result.stdout)")
        // The fixture's admin config does not approve zz-broken.yaml: a warning says it is not used.
        #expect(result.stdout.hasSuffix("1 of 7 file(s) invalid: 4 error(s), 3 warning(s)\n"), "\(result.stdout)")
    }

    @Test(arguments: [
        ("x.yaml", "uri: template://x\ntype: y\n", "repo/provisioners/x.yaml:1:1: error: a provisioners file holds a list of provisioners"),
        ("x.yml", "- [unclosed\n", "repo/provisioners/x.yml:2:1: error: invalid YAML"),
        // A map that looks like a Score is still a provisioners file, reported once.
        ("x.yaml", "apiVersion: score.dev/v1b1\nmetadata: {name: x}\ncontainers: {main: {image: a}}\n",
         "repo/provisioners/x.yaml:1:1: error: a provisioners file holds a list"),
        ("x.yaml", "- just a string\n", "repo/provisioners/x.yaml:1:3: error: [0]: each provisioner is a map with 'uri' and 'type'"),
    ])
    func aFileThatIsNoListOfProvisionersIsAnError(name: String, text: String, error: String) throws {
        let folder = try repository(["provisioners/" + name: text])
        let result = try InnominatusBinary.run(["validate", "repo"], in: folder.path)
        #expect(result.status == 1)
        let errors = result.stdout.split(separator: "\n").filter { $0.contains(": error:") }
        #expect(errors.count == 1 && errors[0].hasPrefix(error), "\(result.stdout)")
    }

    @Test func aProvisionersFileGivenAloneIsCheckedAsOne() throws {
        let folder = try repository(["provisioners/zz-broken.yaml": Self.broken])
        let bad = try InnominatusBinary.run(["validate", "repo/provisioners/zz-broken.yaml"], in: folder.path)
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("repo/provisioners/zz-broken.yaml:3:8: error: [1].uri"), "\(bad.stdout)")
        let good = try InnominatusBinary.run(["validate", folder.appending("repo/provisioners/queue.yaml")])
        #expect(good.status == 0, "\(good.stdout)")
        #expect(good.stdout == "1 file(s) valid, 0 warning(s)\n")
    }

    @Test func checkGoesOnPastABadProvisionerWhileLoadStopsAtTheFirst() throws {
        let report = ProvisionerLoader().check(Array(Self.broken.utf8), file: "provisioners/b.yaml", folder: "/repo/provisioners")
        #expect(report.kind == .provisioners)
        #expect(report.errors.map { "\($0.line):\($0.column)" } == ["3:8", "6:3", "7:3", "8:8"])
        #expect {
            try ProvisionerLoader().load(Array(Self.broken.utf8), file: "provisioners/b.yaml", folder: "/repo/provisioners")
        } throws: { error in
            (error as? ProvisioningError)?.message
                == "provisioners/b.yaml:3:8: the provisioner uri 'ftp://acme/queue' must start with template:// or cmd://"
        }
    }
}
