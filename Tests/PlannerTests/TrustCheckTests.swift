import Planner
import Specs
import Testing

/// The trust stage's pure decisions (docs/ARCHITECTURE.md §9, trust): the first matching rule decides a
/// path, head mode checks the head's signer against everything changed, the strict walk checks every
/// commit down to the applied one and stops at a valid seal. Signers are given as the verifier would
/// find them; no key, tool or repository is involved.
@Suite("Trust decisions")
struct TrustCheckTests {
    static let file = """
        mode: strict
        signers:
          platform-team:
            - "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIERK5rc9MOJGJ9v7HO1PpWQrqu0Ya1qxnoUh74uSwNe1 alice@example.com"
          ecommerce-team:
            - "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBobBobBobBobBobBobBobBobBobBobBobBobBobBobB bob@example.com"
        rules:
          - paths: ["policies/**", "workflows/platform/**", "provisioners/**"]
            signers: [platform-team]
          - paths: ["workflows/products/ecommerce/**"]
            signers: [platform-team, ecommerce-team]
          - paths: ["**"]
            signers: [platform-team, ecommerce-team]

        """

    static var check: TrustCheck {
        let decoded = TrustPolicy.decode(Array(file.utf8), file: "trust.yaml")
        return TrustCheck(policy: decoded.policy!)
    }

    static let platform = CommitSigner.signed(by: ["platform-team"])
    static let ecommerce = CommitSigner.signed(by: ["ecommerce-team"])

    @Test(arguments: [
        ("policies/admin-config.yaml", 0), ("workflows/platform/security-scan.yaml", 0), ("provisioners/db.yaml", 0),
        ("workflows/products/ecommerce/deploy.yaml", 1), ("workflows/products/payments/deploy.yaml", 2),
        ("apps/checkout/score.yaml", 2), ("README.md", 2), (".github/CODEOWNERS", 2),
    ])
    func theFirstRuleWhoseGlobMatchesDecides(path: String, rule: Int) {
        #expect(Self.check.policy.rule(for: path)?.index == rule)
    }

    @Test func aProductTeamMayChangeItsOwnWorkflowButNotThePolicies() throws {
        let check = Self.check
        #expect(check.head("c1", signer: Self.ecommerce, changedPaths: ["workflows/products/ecommerce/deploy.yaml"]).passed)
        let refused = check.head("c2", signer: Self.ecommerce,
                                 changedPaths: ["workflows/products/ecommerce/rogue.yaml", "policies/admin-config.yaml"])
        let refusal = try #require(refused.refusal)
        #expect(refusal.path == "policies/admin-config.yaml")
        #expect(refusal.signer == "ecommerce-team")
        #expect(refusal.rule.hasPrefix("rules[0] (policies/**"))
        #expect(refusal.reason.contains("lets only platform-team sign"))
        #expect(check.head("c3", signer: Self.platform, changedPaths: ["policies/admin-config.yaml"]).passed)
    }

    @Test func unsignedUnknownAndInvalidSignaturesAreNamedAsFound() throws {
        let check = Self.check
        let paths = ["apps/search/score.yaml"]
        #expect(try #require(check.head("c", signer: .unsigned, changedPaths: paths).refusal).signer == "unsigned")
        let unknown = try #require(check.head("c", signer: .unknownKey("SSH key SHA256:abc"), changedPaths: paths).refusal)
        #expect(unknown.signer == "unknown key")
        #expect(unknown.reason.contains("SHA256:abc"))
        let invalid = try #require(check.head("c", signer: .invalid("it was made by a key that has expired"), changedPaths: paths).refusal)
        #expect(invalid.signer == "invalid signature" && invalid.reason.contains("expired"))
    }

    @Test func aPathNoRuleMatchesMayBeChangedByNobody() throws {
        let decoded = TrustPolicy.decode(Array("""
            mode: head
            signers: {platform-team: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 a"]}
            rules: [{paths: [policies], signers: [platform-team]}]

            """.utf8), file: "t.yaml")
        let check = TrustCheck(policy: try #require(decoded.policy))
        #expect(check.head("c", signer: Self.platform, changedPaths: ["policies/admin-config.yaml"]).passed, "a folder names what is under it")
        let refusal = try #require(check.head("c", signer: Self.platform, changedPaths: ["README.md"]).refusal)
        #expect(refusal.rule == "no rule matches the path" && refusal.path == "README.md")
    }

    /// Runs a strict walk over `history` (commit → facts), children first as the revwalk gives them.
    static func walk(_ range: [String], _ history: [String: CommitFacts]) -> (Verification, asked: [String]) {
        var walk = StrictWalk(check: check, range: range)
        var asked: [String] = []
        while let next = walk.next() {
            asked.append(next)
            walk.record(history[next]!)
        }
        return (walk.verification!, asked)
    }

    static func facts(_ commit: String, parents: [String], _ paths: [String], _ signer: CommitSigner, seal: String? = nil,
                      vouched: [String]? = nil) -> CommitFacts {
        CommitFacts(commit: commit, parents: parents, changedPaths: paths, signer: signer, sealReason: seal, sealRangePaths: vouched)
    }

    @Test func aLaterSignedCommitDoesNotLaunderAnEarlierBadOne() throws {
        // applied ← b (unsigned) ← c (platform): the head is fine, b is not.
        let (verdict, asked) = Self.walk(["c", "b"], [
            "c": Self.facts("c", parents: ["b"], ["README.md"], Self.platform),
            "b": Self.facts("b", parents: ["applied"], ["apps/search/score.yaml"], .unsigned),
        ])
        let refusal = try #require(verdict.refusal)
        #expect(refusal.commit == "b" && refusal.signer == "unsigned" && refusal.path == "apps/search/score.yaml")
        #expect(asked == ["c", "b"] && verdict.commits == 2)
    }

    @Test func aPlatformSealEndsTheWalkAndVouchesForWhatCameBefore() {
        let (verdict, asked) = Self.walk(["s", "b", "a"], [
            "s": Self.facts("s", parents: ["b"], ["apps/search/score.yaml"], Self.platform, seal: "revert the unsigned change",
                            vouched: ["apps/search/score.yaml", "policies/admin-config.yaml"]),
            "b": Self.facts("b", parents: ["a"], ["policies/admin-config.yaml"], Self.ecommerce),
            "a": Self.facts("a", parents: [], ["README.md"], .unsigned),
        ])
        #expect(verdict.passed)
        #expect(asked == ["s"], "nothing behind the seal is checked")
        #expect(verdict.seal == Verification.Seal(commit: "s", reason: "revert the unsigned change"))
        #expect(verdict.signers == ["platform-team"] && verdict.commits == 1)
    }

    @Test func aSealBySomeoneNotAllowedForTheRangeIsAnOrdinaryCommit() throws {
        // ecommerce-team may not vouch for the policies change b brought in.
        let (verdict, _) = Self.walk(["s", "b"], [
            "s": Self.facts("s", parents: ["b"], [], Self.ecommerce, seal: "trust me", vouched: ["policies/admin-config.yaml"]),
            "b": Self.facts("b", parents: ["applied"], ["policies/admin-config.yaml"], Self.ecommerce),
        ])
        let refusal = try #require(verdict.refusal)
        #expect(refusal.commit == "b" && refusal.path == "policies/admin-config.yaml")
        #expect(verdict.seal == nil)
    }

    @Test func aMergeIsCheckedAgainstItsFirstParentAndItsSecondParentsCommitsAreWalked() throws {
        // m merges the side branch (x, unknown key) into s, a valid seal on the main line: x is reachable
        // from the head without passing through the seal, so it is checked.
        let history = [
            "m": Self.facts("m", parents: ["s", "x"], ["apps/cart/score.yaml"], Self.platform),
            "s": Self.facts("s", parents: ["a"], [], Self.platform, seal: "sealed", vouched: []),
            "x": Self.facts("x", parents: ["a"], ["apps/cart/score.yaml"], .unknownKey("SSH key SHA256:x")),
            "a": Self.facts("a", parents: [], ["README.md"], .unsigned),
        ]
        let (verdict, asked) = Self.walk(["m", "s", "x", "a"], history)
        let refusal = try #require(verdict.refusal)
        #expect(refusal.commit == "x" && refusal.signer == "unknown key")
        #expect(asked == ["m", "s", "x"])
        // With x signed by its team, the walk passes and a (behind the seal and x) is checked through x.
        var fixed = history
        fixed["x"] = Self.facts("x", parents: ["a"], ["apps/cart/score.yaml"], Self.ecommerce)
        let (second, secondAsked) = Self.walk(["m", "s", "x", "a"], fixed)
        #expect(try #require(second.refusal).commit == "a", "a is reachable through x, not only through the seal")
        #expect(secondAsked == ["m", "s", "x", "a"])
    }

    @Test func strictModeNeedsASignerEvenOnACommitThatChangesNothing() throws {
        let (verdict, _) = Self.walk(["e"], ["e": Self.facts("e", parents: ["applied"], [], .unsigned)])
        #expect(try #require(verdict.refusal).signer == "unsigned")
        // Head mode checks paths only: an unchanged tree needs no particular signer.
        #expect(Self.check.head("e", signer: .unsigned, changedPaths: []).passed)
    }

    @Test func anEmptyRangeIsVerifiedWithNothingChecked() {
        let (verdict, asked) = Self.walk([], [:])
        #expect(verdict.passed && verdict.commits == 0 && asked.isEmpty)
    }

    @Test(arguments: [
        ("Revert bad change\n\nInnominatus-Seal: revert of an unsigned commit\n", "revert of an unsigned commit"),
        ("Seal\n\nSigned-off-by: A <a@b>\ninnominatus-seal:   recovered  \n", "recovered"),
        ("Innominatus-Seal: in the subject only\n", nil),
        ("Fix\n\nInnominatus-Seal: not the last paragraph\n\nMore text here.\n", nil),
        ("Fix\n\nInnominatus-Seal:\n", nil),
    ] as [(String, String?)])
    func aSealIsATrailerOfTheLastParagraph(message: String, reason: String?) {
        #expect(TrustPolicy.sealReason(inMessage: message) == reason)
    }
}
