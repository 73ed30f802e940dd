import Foundation
import GitKit
import Planner
@testable import Reconciler
import Specs
import TestSupport
import Testing

/// `--trust FILE` through real passes (docs/ARCHITECTURE.md §9, trust; §11): keys made by ssh-keygen and
/// gpg, commits signed by the git CLI, signatures checked by ssh-keygen and gpgv. A refused head runs
/// nothing, leaves the applied state where it was and gets a note naming commit, path, rule and signer.
@Suite("Trust: signed commits")
struct TrustTests {
    /// A fixture whose branch has a platform-signed head (a seal in strict mode, so that the unsigned
    /// initial commit below it is vouched for), applied by a first pass.
    static func started(mode: String) async throws -> (TrustFixture, trust: String) {
        let fixture = try TrustFixture()
        let trust = try fixture.trustFile(mode: mode)
        try fixture.commit(["README.md": "# platform, signed\n"], message: "Start checking signatures",
                           seal: mode == "strict" ? "the branch as reviewed when trust was turned on" : nil,
                           signing: .ssh(fixture.platform))
        let first = try await fixture.reconcile(trust: trust)
        #expect(first.exitCode == 0, "\(first.message ?? "")")
        return (fixture, trust)
    }

    @Test func aProductTeamsSignedChangeToItsOwnWorkflowRuns() async throws {
        let (fixture, trust) = try await Self.started(mode: "head")
        let seen = try fixture.loop.events().count
        let head = try fixture.commit(["workflows/products/ecommerce/database-setup.yaml":
            fixture.loop.workflow("ProductWorkflow", "database-setup", extra: "true", product: "ecommerce")],
            signing: .ssh(fixture.ecommerce))
        let report = try await fixture.reconcile(trust: trust)
        #expect(report.exitCode == 0, "\(report.message ?? "")")
        #expect(try fixture.loop.events(after: seen).sorted() == ["cart product deployment database-setup",
                                                                  "checkout product deployment database-setup"])
        let verification = try #require(try fixture.loop.status(of: head)?.verification)
        #expect(verification.result == .verified && verification.mode == "head")
        #expect(verification.signers == ["ecommerce-team"] && verification.commits == 1)
        #expect(try await fixture.appliedCommit() == head)
    }

    @Test func theSameTeamApprovingItsOwnWorkflowIsRefusedWithNothingRun() async throws {
        let (fixture, trust) = try await Self.started(mode: "head")
        let applied = try await fixture.appliedCommit()
        let seen = try fixture.loop.events().count
        let head = try fixture.commit([
            "workflows/products/ecommerce/rogue.yaml": fixture.loop.workflow("ProductWorkflow", "rogue", product: "ecommerce"),
            "policies/admin-config.yaml": LoopFixture.adminConfig.replacingOccurrences(
                of: "[ecommerce/database-setup]", with: "[ecommerce/database-setup, ecommerce/rogue]"),
        ], message: "approve our own workflow", signing: .ssh(fixture.ecommerce))
        let report = try await fixture.reconcile(trust: trust)
        #expect(report.exitCode == 1 && report.code == .untrusted && report.wroteNote, "\(report.message ?? "")")
        #expect(try fixture.loop.events(after: seen).isEmpty, "nothing ran")
        let status = try #require(try fixture.loop.status(of: head))
        #expect(status.result == .failed && status.apps.isEmpty)
        let verification = try #require(status.verification)
        #expect(verification.result == .refused)
        #expect(verification.commit == head)
        #expect(verification.path == "policies/admin-config.yaml")
        #expect(verification.signer == "ecommerce-team")
        #expect(verification.rule?.hasPrefix("rules[0] (policies/**") == true, "\(verification.rule ?? "")")
        #expect(try await fixture.appliedCommit() == applied, "the applied state did not move")

        // Not tried again until the branch moves: no second note, still a failure.
        let again = try await fixture.reconcile(trust: trust)
        #expect(again.kind == .nothingToDo && again.code == .untrusted && again.exitCode == 1, "\(again)")
        #expect(try fixture.loop.noteCount(head) == 1)

        // The platform team signs the same change: the branch moved, and it applies.
        let fixed = try fixture.commit(["README.md": "# platform, approved\n"], signing: .ssh(fixture.platform))
        let applying = try await fixture.reconcile(trust: trust)
        #expect(applying.exitCode == 0, "\(applying.message ?? "")")
        #expect(try fixture.loop.events(after: seen).contains("checkout product deployment rogue"))
        #expect(try await fixture.appliedCommit() == fixed)
    }

    @Test func unsignedAndUnknownKeyCommitsAreRefused() async throws {
        let (fixture, trust) = try await Self.started(mode: "head")
        let seen = try fixture.loop.events().count
        let unsigned = try fixture.commit(["apps/search/score.yaml": LoopFixture.score("search", product: nil) + "# unsigned\n"],
                                          signing: .unsigned)
        #expect(try await fixture.reconcile(trust: trust).exitCode == 1)
        let first = try #require(try fixture.loop.status(of: unsigned)?.verification)
        #expect(first.signer == "unsigned" && first.path == "apps/search/score.yaml" && first.commit == unsigned)

        let malloryKey = try fixture.fingerprint(fixture.mallory)
        let unknown = try fixture.commit(["README.md": "# mallory was here\n"], signing: .ssh(fixture.mallory))
        #expect(try await fixture.reconcile(trust: trust).exitCode == 1)
        let second = try #require(try fixture.loop.status(of: unknown)?.verification)
        #expect(second.signer == "unknown key" && second.commit == unknown)
        #expect(second.reason?.contains("(SSH key \(malloryKey))") == true, "\(second.reason ?? "")")
        #expect(try fixture.loop.events(after: seen).isEmpty)
    }

    @Test func aLaterSignedCommitDoesNotLaunderAnEarlierBadOneInStrictMode() async throws {
        let (fixture, trust) = try await Self.started(mode: "strict")
        let seen = try fixture.loop.events().count
        let bad = try fixture.commit(["apps/search/score.yaml": LoopFixture.score("search", product: nil) + "# unsigned\n"],
                                     signing: .unsigned)
        let head = try fixture.commit(["README.md": "# signed on top\n"], signing: .ssh(fixture.platform))
        let report = try await fixture.reconcile(trust: trust)
        #expect(report.exitCode == 1 && report.code == .untrusted)
        let verification = try #require(try fixture.loop.status(of: head)?.verification)
        #expect(verification.mode == "strict" && verification.result == .refused)
        #expect(verification.commit == bad && verification.signer == "unsigned" && verification.path == "apps/search/score.yaml")
        #expect(verification.commits == 2)
        #expect(try fixture.loop.events(after: seen).isEmpty)
    }

    @Test func headModeAcceptsAnUnsignedCommitUnderAPlatformSignedHead() async throws {
        let (fixture, trust) = try await Self.started(mode: "head")
        let seen = try fixture.loop.events().count
        try fixture.commit(["apps/search/score.yaml": LoopFixture.score("search", product: nil) + "# unsigned\n"], signing: .unsigned)
        let head = try fixture.commit(["README.md": "# reviewed and signed\n"], signing: .ssh(fixture.platform))
        let report = try await fixture.reconcile(trust: trust)
        #expect(report.exitCode == 0, "\(report.message ?? "")")
        #expect(try fixture.loop.events(after: seen).contains { $0.hasPrefix("search ") })
        let verification = try #require(try fixture.loop.status(of: head)?.verification)
        #expect(verification.result == .verified && verification.signers == ["platform-team"])
    }

    @Test func aPlatformSealRecoversAStrictBranch() async throws {
        let (fixture, trust) = try await Self.started(mode: "strict")
        let seen = try fixture.loop.events().count
        // An unsigned change to a platform workflow, which only the platform team may sign.
        try fixture.commit(["workflows/platform/cost-report.yaml":
            fixture.loop.workflow("PlatformWorkflow", "cost-report", phase: "post-deployment", extra: "true")], signing: .unsigned)
        #expect(try await fixture.reconcile(trust: trust).code == .untrusted)
        // A seal by a team not allowed for everything up to it does not end the walk.
        let productSeal = try fixture.commit(["workflows/products/ecommerce/database-setup.yaml":
            fixture.loop.workflow("ProductWorkflow", "database-setup", extra: "true", product: "ecommerce")],
            message: "seal it", seal: "ours", signing: .ssh(fixture.ecommerce))
        #expect(try await fixture.reconcile(trust: trust).code == .untrusted)
        #expect(try fixture.loop.status(of: productSeal)?.verification?.signer == "unsigned")
        // The platform team reviewed the unsigned change and seals the branch.
        let seal = try fixture.commit([:], message: "Reviewed the unsigned cost-report change", seal: "cost-report change reviewed",
                                      signing: .ssh(fixture.platform))
        let report = try await fixture.reconcile(trust: trust)
        #expect(report.exitCode == 0, "\(report.message ?? "")")
        let verification = try #require(try fixture.loop.status(of: seal)?.verification)
        #expect(verification.result == .verified && verification.seal?.commit == seal)
        #expect(verification.seal?.reason == "cost-report change reviewed" && verification.commits == 1)
        let ran = try fixture.loop.events(after: seen)
        #expect(ran.contains("search platform post-deployment cost-report") && ran.contains("checkout product deployment database-setup"),
                "\(ran)")
    }

    @Test func openPGPAndSSHSignaturesAreBothVerified() async throws {
        let fixture = try TrustFixture()
        let platformPGP = try fixture.openPGPKey("platform")
        let stranger = try fixture.openPGPKey("stranger")
        let trust = try fixture.trustFile(mode: "head", platform: ["\"\(fixture.platform.line)\"", "{openpgp: \(platformPGP.file)}"])
        let pgpHead = try fixture.commit(["README.md": "# signed with OpenPGP\n"], signing: .openpgp(platformPGP))
        let first = try await fixture.reconcile(trust: trust)
        #expect(first.exitCode == 0, "\(first.message ?? "")")
        #expect(try fixture.loop.status(of: pgpHead)?.verification?.signers == ["platform-team"])

        let sshHead = try fixture.commit(["README.md": "# signed with SSH\n"], signing: .ssh(fixture.platform))
        #expect(try await fixture.reconcile(trust: trust).exitCode == 0)
        #expect(try fixture.loop.status(of: sshHead)?.verification?.signers == ["platform-team"])

        let strangerHead = try fixture.commit(["README.md": "# signed by a stranger\n"], signing: .openpgp(stranger))
        #expect(try await fixture.reconcile(trust: trust).exitCode == 1)
        let refused = try #require(try fixture.loop.status(of: strangerHead)?.verification)
        #expect(refused.signer == "unknown key" && refused.reason?.contains("OpenPGP key") == true, "\(refused.reason ?? "")")
    }

    @Test func anExpiredOpenPGPKeyFailsAtStartNamingTheKey() async throws {
        let fixture = try TrustFixture()
        let expired = try fixture.openPGPKey("old", expire: "1d", fakedTime: "20200101T000000")
        let trust = try fixture.trustFile(mode: "head", platform: ["{openpgp: \(expired.file)}"])
        do {
            _ = try await TrustSettings.load(file: trust)
            Issue.record("an expired key was accepted")
        } catch {
            #expect(error.description.hasPrefix("\(trust):4:17: error: signers.platform-team[0].openpgp: "), "\(error)")
            #expect(error.description.contains(expired.file) && error.description.contains("expired"), "\(error)")
        }
    }

    @Test func aTrustFileWithAnUnknownSignerOrABadGlobFailsAtStart() throws {
        let fixture = try TrustFixture()
        let good = try fixture.trustFile(mode: "head")
        let text = try String(contentsOfFile: good, encoding: .utf8)
        let unknown = fixture.keys.appending("unknown.yaml")
        try text.replacingOccurrences(of: "signers: [platform-team]\n", with: "signers: [platfrom-team]\n")
            .write(toFile: unknown, atomically: true, encoding: .utf8)
        let badGlob = fixture.keys.appending("glob.yaml")
        try text.replacingOccurrences(of: "\"provisioners/**\"", with: "\"provisioners/[a-z\"")
            .write(toFile: badGlob, atomically: true, encoding: .utf8)
        let workdir = fixture.loop.git.root.appending("cli-workdir")
        for (file, position, words) in [(unknown, "9:15", "unknown signer 'platfrom-team'"), (badGlob, "8:53", "never closed")] {
            let result = try InnominatusBinary.run(["reconcile", "--repo", fixture.loop.git.remote, "--workdir", workdir, "--trust", file])
            #expect(result.status == 2, "\(result.stderr)")
            #expect(result.stderr.contains("\(file):\(position): error:") && result.stderr.contains(words), "\(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: workdir), "nothing was fetched")
    }

    @Test func planAndPreviewShowTheSameVerdict() async throws {
        let (fixture, trust) = try await Self.started(mode: "head")
        try fixture.loop.git.git("checkout", "-q", "-b", "feature")
        let head = try fixture.commit(["policies/admin-config.yaml": LoopFixture.adminConfig + "# ours now\n"],
                                      signing: .ssh(fixture.ecommerce), branch: "feature")
        // plan, through the command line, of the branch as if it were merged.
        let plan = try InnominatusBinary.run(["plan", "--repo", fixture.loop.git.remote, "--branch", "feature", "--workdir",
                                              fixture.loop.git.root.appending("plan-workdir"), "--state-key", fixture.loop.git.stateKeyFile,
                                              "--trust", trust, "--output", "json"])
        #expect(plan.status == 1, "\(plan.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
        let verification = try #require(json["verification"] as? [String: Any], "\(plan.stdout)")
        #expect(verification["result"] as? String == "refused" && verification["path"] as? String == "policies/admin-config.yaml")
        #expect(verification["signer"] as? String == "ecommerce-team" && verification["commit"] as? String == head)
        #expect((json["items"] as? [Any])?.isEmpty == true)

        // preview of the branch against main's applied state.
        let planning = try await fixture.settings(trust: trust).planning
        let preview = try await PreviewPass(planning: planning, target: try PlanningPass.Target("feature")).run()
        #expect(preview.exitCode == 1)
        #expect(preview.plan.verification?.refusal?.path == "policies/admin-config.yaml")
        #expect(preview.errors.first?.contains("policies/admin-config.yaml") == true, "\(preview.errors)")
        #expect(PreviewRendering.json(preview).contains("\"result\": \"refused\""))
    }

    @Test func deliveryCommitsAreSignedWithTheSigningKey() async throws {
        let fixture = try TrustFixture()
        var settings = fixture.loop.settings()
        settings.signingKey = try await SigningKey.load(file: fixture.platform.file)
        #expect(settings.signingKey?.publicKey.hasPrefix(fixture.platform.line.split(separator: " ").prefix(2).joined(separator: " ")) == true)
        let report = await PlatformReconciler(settings: settings).reconcileOnce()
        #expect(report.exitCode == 0, "\(report.message ?? "")")
        let delivered = try #require(report.status?.delivery?.commit)
        let allowed = fixture.keys.appending("allowed_signers")
        try "innominatus namespaces=\"git\" \(fixture.platform.line)\n".write(toFile: allowed, atomically: true, encoding: .utf8)
        let verified = try Shell.execute(["git", "--git-dir=\(fixture.loop.git.remote)", "-c", "gpg.ssh.allowedSignersFile=\(allowed)",
                                          "verify-commit", delivered])
        #expect(verified.status == 0 && verified.stderr.contains("Good \"git\" signature for innominatus"), "\(verified.stderr)")
        // Signed by a key the allowed signers do not list, the same check fails: it is not vacuous.
        try "innominatus namespaces=\"git\" \(fixture.mallory.line)\n".write(toFile: allowed, atomically: true, encoding: .utf8)
        let refused = try Shell.execute(["git", "--git-dir=\(fixture.loop.git.remote)", "-c", "gpg.ssh.allowedSignersFile=\(allowed)",
                                         "verify-commit", delivered])
        #expect(refused.status != 0)
    }

    @Test func aSigningKeyWithAPassphraseIsRefusedAtStart() async throws {
        let fixture = try TrustFixture()
        let locked = fixture.keys.appending("locked")
        try Shell.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "secret phrase", "-f", locked])
        do {
            _ = try await SigningKey.load(file: locked)
            Issue.record("a key with a passphrase was accepted")
        } catch {
            #expect(error.description.contains("without a passphrase"), "\(error)")
        }
    }

    @Test func aSignatureByAKeyRevokedSinceTheStartIsInvalidNamingTheKey() async throws {
        let fixture = try TrustFixture()
        let carol = try fixture.openPGPKey("carol")
        var settings = try await fixture.settings(trust: try fixture.trustFile(mode: "head", platform: ["{openpgp: \(carol.file)}"]))
        let head = try fixture.commit(["README.md": "# signed by carol\n"], signing: .openpgp(carol))
        // Carol's key is revoked after the reconciler started: its keyring now holds the revocation.
        let gnupg = try #require(fixture.gnupg)
        let certificate = try String(contentsOfFile: "\(gnupg)/openpgp-revocs.d/\(carol.fingerprint).rev", encoding: .utf8)
            .replacingOccurrences(of: ":-----BEGIN", with: "-----BEGIN")
        try Shell.run(["gpg", "--batch", "--import"], environment: ["GNUPGHOME": gnupg], input: certificate)
        let revoked = try Shell.run(["gpg", "--batch", "--armor", "--export", carol.fingerprint], environment: ["GNUPGHOME": gnupg])
        let keyring = fixture.keys.appending("carol-revoked.gpg")
        try Shell.run(["gpg", "--batch", "--yes", "--output", keyring, "--dearmor"], environment: ["GNUPGHOME": gnupg], input: revoked)
        var trust = try #require(settings.trust)
        #expect(trust.openPGPKeys.count == 1)
        trust.openPGPKeys[0].keyring = Array(try Data(contentsOf: URL(fileURLWithPath: keyring)))
        settings.trust = trust
        let report = await PlatformReconciler(settings: settings).reconcileOnce()
        #expect(report.exitCode == 1 && report.code == .untrusted, "\(report.message ?? "")")
        let verification = try #require(try fixture.loop.status(of: head)?.verification)
        #expect(verification.signer == "invalid signature", "\(verification)")
        #expect(verification.reason?.contains("platform-team's OpenPGP key") == true && verification.reason?.contains("revoked") == true,
                "\(verification.reason ?? "")")
    }

    @Test func aSignatureCopiedOntoOtherContentIsInvalid() async throws {
        let (fixture, trust) = try await Self.started(mode: "head")
        let seen = try fixture.loop.events().count
        // The platform team's signed commit, its message changed and the signature kept: the signature is
        // the platform team's, but not over these bytes.
        let signed = try fixture.commit(["apps/search/score.yaml": LoopFixture.score("search", product: nil) + "# signed\n"],
                                        message: "a reviewed change", signing: .ssh(fixture.platform))
        let raw = try fixture.loop.git.git("cat-file", "commit", signed)
        let forged = try Shell.run(["git", "hash-object", "-t", "commit", "-w", "--stdin"], in: fixture.loop.git.work,
                                   input: raw.replacingOccurrences(of: "a reviewed change", with: "a change nobody reviewed") + "\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try fixture.loop.git.git("reset", "-q", "--hard", forged)
        try fixture.loop.git.push(force: true)
        let report = try await fixture.reconcile(trust: trust)
        #expect(report.exitCode == 1 && report.code == .untrusted, "\(report.message ?? "")")
        let verification = try #require(try fixture.loop.status(of: forged)?.verification)
        #expect(verification.signer == "invalid signature" && verification.commit == forged, "\(verification)")
        #expect(verification.reason?.contains("ssh-keygen -Y verify refused the signature of platform-team") == true,
                "\(verification.reason ?? "")")
        #expect(try fixture.loop.events(after: seen).isEmpty)
    }

    @Test func aRefusedHeadIsCheckedAgainWhenTheTrustFileChanges() async throws {
        let (fixture, trust) = try await Self.started(mode: "head")
        let head = try fixture.commit(["policies/admin-config.yaml": LoopFixture.adminConfig + "# ecommerce owns this now\n"],
                                      signing: .ssh(fixture.ecommerce))
        #expect(try await fixture.reconcile(trust: trust).code == .untrusted)
        #expect(try await fixture.reconcile(trust: trust).kind == .nothingToDo, "the same head, the same trust file: not tried again")
        // The platform team lets the ecommerce team sign policies: a new trust file, so the head is checked again.
        let widened = fixture.keys.appending("widened.yaml")
        try String(contentsOfFile: trust, encoding: .utf8).replacingOccurrences(of: "signers: [platform-team]\n",
                                                                                with: "signers: [platform-team, ecommerce-team]\n")
            .write(toFile: widened, atomically: true, encoding: .utf8)
        let report = try await fixture.reconcile(trust: widened)
        #expect(report.exitCode == 0 && report.kind == .ran, "\(report.message ?? "")")
        #expect(try fixture.loop.noteCount(head) == 2)
        #expect(try fixture.loop.status(of: head)?.verification?.result == .verified)
        #expect(try await fixture.appliedCommit() == head)
    }

    @Test(arguments: ["reconcile", "watch", "serve", "plan", "preview"])
    func everyCommandThatPlansTheBranchTakesATrustFile(command: String) throws {
        let help = try InnominatusBinary.run([command, "--help"])
        #expect(help.stdout.contains("--trust <FILE>"), "\(help.stdout)")
        let delivers = ["reconcile", "watch", "serve"].contains(command)
        #expect(help.stdout.contains("--signing-key <FILE>") == delivers, "\(help.stdout)")
    }

    @Test func malformedAndSecretKeysFailAtStartNamingTheKey() async throws {
        let fixture = try TrustFixture()
        let junk = fixture.keys.appending("junk.asc")
        try "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot a key\n-----END PGP PUBLIC KEY BLOCK-----\n"
            .write(toFile: junk, atomically: true, encoding: .utf8)
        let secretKey = try fixture.openPGPKey("careless")
        let secret = fixture.keys.appending("secret.asc")
        try Shell.run(["gpg", "--batch", "--armor", "--output", secret, "--export-secret-keys", secretKey.fingerprint],
                      environment: ["GNUPGHOME": try #require(fixture.gnupg)])
        let trust = try fixture.trustFile(mode: "head", platform: ["\"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBogus platform\"", "{openpgp: \(junk)}",
                                                                   "{openpgp: \(secret)}", "{openpgp: missing.asc}"])
        do {
            _ = try await TrustSettings.load(file: trust)
            Issue.record("the keys were accepted")
        } catch {
            let lines = error.description.split(separator: "\n").map(String.init)
            #expect(lines.count == 4, "\(lines)")
            #expect(lines.first?.hasPrefix("\(trust):4:7: error: signers.platform-team[0]: the SSH key of platform-team is malformed") == true, "\(lines)")
            #expect(lines.dropFirst().first?.hasPrefix("\(trust):5:17: error: signers.platform-team[1].openpgp: the OpenPGP key file \(junk)") == true,
                    "\(lines)")
            #expect(lines.dropFirst(2).first?.contains("holds a SECRET key") == true, "\(lines)")
            #expect(lines.last?.contains("cannot read the OpenPGP key file \(fixture.keys.path)/missing.asc") == true, "\(lines)")
        }
    }
}
