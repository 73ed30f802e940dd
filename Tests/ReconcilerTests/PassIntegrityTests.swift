import Foundation
import GitKit
import Reconciler
import Specs
import TestSupport
import Testing

/// Tier gates across passes and the integrity of the applied state, with the real binary on real
/// repositories: a failed security scan keeps the image off `env/main` on every later pass; a pass that
/// could not complete is never taken for done; a relative `--workdir` works.
@Suite("Tier gates and pass integrity (real binary)")
struct PassIntegrityTests {
    /// Fails for a Score whose image is tagged `:vulnerable`.
    static let scan = """
        apiVersion: workflow.dev/v1
        kind: PlatformWorkflow
        metadata: {name: security-scan, phase: pre-deployment}
        spec:
          steps:
            - name: scan
              type: shell
              run: 'if grep -q ":vulnerable" "$SCORE_FILE"; then echo "CVE-2026-0001 in the image"; exit 1; fi'

        """

    static let product = """
        apiVersion: workflow.dev/v1
        kind: ProductWorkflow
        metadata: {name: database-setup, product: ecommerce}
        spec:
          steps:
            - {name: go, type: shell, run: 'true'}

        """

    static func score(_ name: String, image: String) -> String {
        "apiVersion: score.dev/v1b1\nmetadata:\n  name: \(name)\n  product: ecommerce\ncontainers:\n  main:\n    image: \(image)\n"
    }

    struct World {
        let git = try! GitFixture()
        var workdir: String { git.root.appending("workdir") }
        var binary: String { GitFixture.helper.executable }

        init(retry: String = "{base: 1h, cap: 1h, attempts: 3}", extra: [String: String] = [:]) throws {
            var files = extra
            files["policies/admin-config.yaml"] = files["policies/admin-config.yaml"] ?? """
                workflowPolicies:
                  allowedProductWorkflows: [ecommerce/database-setup]
                  retry: \(retry)

                """
            files["workflows/platform/security-scan.yaml"] = PassIntegrityTests.scan
            files["workflows/products/ecommerce/database-setup.yaml"] = PassIntegrityTests.product
            files["apps/cart/score.yaml"] = PassIntegrityTests.score("cart", image: "ghcr.io/acme/cart:1.0")
            try git.commit(files, message: "platform repository")
            try git.push()
        }

        func run(_ command: String, _ extra: String..., in directory: String? = nil, workdir: String? = nil) throws -> Shell.Result {
            try Shell.execute([binary, command, "--repo", git.remote, "--workdir", workdir ?? self.workdir] + extra, in: directory)
        }

        @discardableResult
        func commit(_ files: [String: String?]) throws -> String {
            let head = try git.commit(files)
            try git.push()
            return head
        }

        /// The image `env/main` delivers for an app, or nil when the app is not there.
        func deliveredImage(_ app: String) throws -> String? {
            let listing = try git.remoteGit("ls-tree", "-r", "--name-only", "env/main")
            guard listing.contains("\(app)/deployment-\(app).yaml") else { return nil }
            let text = try git.remoteGit("show", "env/main:\(app)/deployment-\(app).yaml")
            return text.firstMatch(of: /image: "?([^\s"]+)/).map { String($0.1) }
        }

        func planItems() throws -> [[String: Any]] {
            let plan = try run("plan", "--output", "json")
            #expect(plan.status == 0, "\(plan.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
            return try #require(json["items"] as? [[String: Any]])
        }

        func item(_ items: [[String: Any]], _ app: String, _ tier: String) -> [String: Any]? {
            items.first { $0["app"] as? String == app && $0["tier"] as? String == tier }
        }

        func status(_ commit: String) throws -> ReconcileStatus? {
            let note = try git.remoteGit("notes", "--ref=innominatus", "show", commit)
            return StatusNote.allStatuses(in: note + "\n").last
        }
    }

    @Test func aFailedScanKeepsTheImageOffTheEnvironmentBranchOnEveryLaterPass() throws {
        let world = try World()
        #expect(try world.run("reconcile").status == 0)
        #expect(try world.deliveredImage("cart") == "ghcr.io/acme/cart:1.0")

        // A vulnerable image for cart, and a brand-new app with one.
        let bad = try world.commit(["apps/cart/score.yaml": Self.score("cart", image: "ghcr.io/acme/cart:vulnerable"),
                                    "apps/fresh/score.yaml": Self.score("fresh", image: "ghcr.io/acme/fresh:vulnerable")])
        let first = try world.run("reconcile")
        #expect(first.status == 1, "\(first.stdout)")
        #expect(!first.stdout.contains("succeeded at"), "a pass that exits 1 never says it succeeded: \(first.stdout)")
        let note = try #require(try world.status(bad))
        for app in ["cart", "fresh"] {
            #expect(note.apps[app]?.tiers[.platform]?.result == .failed)
            #expect(note.apps[app]?.tiers[.product]?.result == .notRun)
            #expect(note.apps[app]?.tiers[.application]?.result == .notRun)
        }

        // Every later pass, within the backoff: nothing of them runs, and nothing reaches env/main.
        for _ in 0..<2 {
            let again = try world.run("reconcile")
            #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
            #expect(again.stdout.contains("gated"), "\(again.stdout)")
        }
        let forced = try world.run("reconcile", "--force", "cart/application")
        #expect(forced.stdout.contains("gated: platform tier failed: security-scan"), "--force on a later tier opens no gate: \(forced.stdout)")
        #expect(try world.deliveredImage("cart") == "ghcr.io/acme/cart:1.0")
        #expect(try world.deliveredImage("fresh") == nil)
        // The plan for people lists the waiting and gated pairs (not folded into "unchanged").
        let text = try world.run("plan")
        #expect(text.stdout.contains("cart\n  platform    skip      platform tier: waiting: attempt 1 of 3 failed (security-scan)"), "\(text.stdout)")
        #expect(text.stdout.hasSuffix("0 to run, 0 unchanged, 0 workflows blocked, 2 waiting to retry, 4 gated\n"), "\(text.stdout)")
        let items = try world.planItems()
        for app in ["cart", "fresh"] {
            for tier in ["product", "application"] {
                let item = try #require(world.item(items, app, tier))
                #expect(item["action"] as? String == "skip" && item["gated"] as? Bool == true)
                #expect((item["reason"] as? String)?.hasPrefix("gated: platform tier failed: security-scan") == true, "\(item)")
            }
        }

        // The scan passes (a fixed scanner): the gated tiers run in the same pass, and the image lands.
        let fixed = try world.commit(["workflows/platform/security-scan.yaml": Self.scan.replacingOccurrences(of: "exit 1", with: "exit 0")])
        let open = try world.run("reconcile")
        #expect(open.status == 0, "\(open.stdout)")
        let opened = try #require(try world.status(fixed))
        #expect(opened.apps["cart"]?.tiers.values.allSatisfy { $0.result == .succeeded } == true)
        #expect(try world.deliveredImage("cart") == "ghcr.io/acme/cart:vulnerable")
        #expect(try world.deliveredImage("fresh") == "ghcr.io/acme/fresh:vulnerable")
    }

    @Test func aRelativeWorkdirWorksForPlanAndReconcile() throws {
        let world = try World()
        let cwd = world.git.root.appending("elsewhere")
        try FileManager.default.createDirectory(atPath: cwd, withIntermediateDirectories: true)
        let pass = try world.run("reconcile", in: cwd, workdir: "wd")
        #expect(pass.status == 0, "\(pass.stdout)\(pass.stderr)")
        #expect(FileManager.default.fileExists(atPath: cwd + "/wd/checkout/apps/cart/score.yaml"))
        #expect(!FileManager.default.fileExists(atPath: cwd + "/wd/wd"))
        let plan = try world.run("plan", in: cwd, workdir: "wd")
        #expect(plan.stdout.hasSuffix("0 to run, 3 unchanged, 0 workflows blocked\n"), "\(plan.stdout)")
        #expect(try world.run("reconcile", in: cwd, workdir: "wd").stdout.contains("nothing to do"))
    }

    @Test func aPassThatCouldNotCompleteIsNeverTakenForDone() throws {
        // A file larger than the disk the checkout lands on.
        let world = try World(extra: ["docs/big.txt": String(repeating: "innominatus\n", count: 40_000)])
        let checkout = world.workdir + "/checkout"
        try FileManager.default.createDirectory(atPath: checkout, withIntermediateDirectories: true)
        try Shell.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", checkout])
        defer { _ = try? Shell.run(["umount", "-l", checkout]) }

        for _ in 0..<2 {
            let full = try world.run("reconcile")
            #expect(full.status == 1, "\(full.stdout)")
            #expect(full.stdout.contains("could not complete"), "\(full.stdout)")
            #expect(!full.stdout.contains("nothing to do"), "a pass that could not complete hides nothing: \(full.stdout)")
        }
        let items = try world.planItems()
        #expect(items.filter { $0["action"] as? String == "run" }.count == 3, "plan and reconcile agree: \(items)")

        try Shell.run(["umount", checkout])
        let recovered = try world.run("reconcile")
        #expect(recovered.status == 0, "\(recovered.stdout)")
        #expect(try world.deliveredImage("cart") == "ghcr.io/acme/cart:1.0")
        #expect(try world.run("reconcile").stdout.contains("nothing to do"))
    }

    /// A no-op pass remembers what it read of the applied state by the blob's id (`applied-summary`), so the
    /// next one reads no blob; a remembered line the state key did not sign is ignored, never believed.
    @Test func aNoOpPassTrustsOnlyTheSummaryItsStateKeySigned() throws {
        let world = try World()
        #expect(try world.run("reconcile").status == 0)
        #expect(try world.run("reconcile").stdout.contains("nothing to do"))
        let file = world.workdir + "/applied-summary"
        let line = try String(contentsOfFile: file, encoding: .utf8)
        let blob = try world.git.remoteGit("ls-tree", "refs/innominatus/applied").split(separator: "\t")[0].split(separator: " ")[2]
        #expect(line.hasPrefix("innominatus-applied-summary v1\t\(blob)\t"), "\(line)")
        let timed = try Shell.execute([world.binary, "reconcile", "--repo", world.git.remote, "--workdir", world.workdir],
                                      environment: ["INNOMINATUS_TIMINGS": "1"])
        #expect(timed.stdout.contains("nothing to do") && timed.stderr.contains("applied (its summary remembered)"), "\(timed.stderr)")

        // A new head not yet applied, and a line claiming the applied state already settled there.
        let head = try world.commit(["apps/cart/score.yaml": PassIntegrityTests.score("cart", image: "ghcr.io/acme/cart:2.0")])
        var fields = line.dropLast().split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        fields[2] = head
        fields[6] = String(repeating: "0", count: 64)
        try (fields.joined(separator: "\t") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let pass = try world.run("reconcile")
        #expect(pass.status == 0 && !pass.stdout.contains("nothing to do"), "\(pass.stdout)")
        #expect(try world.deliveredImage("cart") == "ghcr.io/acme/cart:2.0")
    }

    @Test func aWorkdirHeldByAnotherProcessExitsThreeAndSaysWho() throws {
        let world = try World()
        try FileManager.default.createDirectory(atPath: world.workdir, withIntermediateDirectories: true)
        // A reconciler busy in a long step holds the workdir.
        try world.commit(["apps/cart/workflows/slow.yaml": """
            apiVersion: workflow.dev/v1
            kind: Workflow
            metadata: {name: slow}
            spec:
              steps:
                - {name: wait, type: shell, run: 'sleep 4'}

            """])
        let holder = try Shell.start([world.binary, "reconcile", "--repo", world.git.remote, "--workdir", world.workdir],
                                     log: world.git.root.appending("holder.log"))
        defer { holder.stop() }
        let log = world.git.root.appending("holder.log")
        for _ in 0..<400 where !((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("step=wait") {
            Thread.sleep(forTimeInterval: 0.05)
        }
        let result = try world.run("reconcile")
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("another innominatus (pid "), "\(result.stdout)")
    }

    @Test func aMissingPlaceholderFailsItsAppWithTheCauseAndNothingLater() throws {
        // The application tier of an app without metadata.product: its own workflow reads a key the
        // Score lacks; the pass summary names the failure and exits 1.
        let world = try World(retry: "{base: 1ms, cap: 1ms, attempts: 3}")
        try world.commit(["apps/solo/score.yaml": "apiVersion: score.dev/v1b1\nmetadata:\n  name: solo\ncontainers:\n  main:\n    image: nginx\n",
                          "apps/solo/workflows/bill.yaml": """
                              apiVersion: workflow.dev/v1
                              kind: Workflow
                              metadata: {name: bill, phase: pre-deployment}
                              spec:
                                steps:
                                  - {name: charge, type: shell, run: 'echo ${metadata.costCenter}'}

                              """])
        let pass = try world.run("reconcile")
        #expect(pass.status == 1)
        #expect(pass.stdout.contains("solo/application: failed"), "\(pass.stdout)")
        #expect(!pass.stdout.contains("solo/product"), "an app with no product has no product pair to list: \(pass.stdout)")
        #expect(!pass.stdout.contains("succeeded at "), "\(pass.stdout)")
    }
}
