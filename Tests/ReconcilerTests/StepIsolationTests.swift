import Foundation
import GitKit
import Glibc
import Testing
import TestSupport

/// What a step of one app can reach of the reconciler and of other apps, tried with the real binary: an
/// intruder app's pre-deployment workflow rewrites the platform tier's script, lists the workdir's secrets,
/// reads the state key and greps every process's environment for the git token; the platform tier's
/// post-deployment scan (which runs after it, for the intruder and for a victim) records which script ran.
@Suite(.serialized) struct StepIsolationTests {
    static let token = "sekrit-token-42"

    struct World {
        let git: GitFixture
        let reports: String
        let workdir: String

        init(attack: String, scanPhase: String = "post-deployment", attackPhase: String = "pre-deployment",
             intruder: String = "intruder") throws {
            git = try GitFixture()
            reports = git.root.appending("reports")
            workdir = git.root.appending("workdir")
            try FileManager.default.createDirectory(atPath: reports, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o1777])
            func workflow(_ kind: String, _ name: String, phase: String, run: String) -> String {
                "apiVersion: workflow.dev/v1\nkind: \(kind)\nmetadata:\n  name: \(name)\n  phase: \(phase)\nspec:\n  steps:\n"
                    + "    - name: go\n      type: shell\n      run: '\(run.replacingOccurrences(of: "'", with: "''"))'\n"
            }
            func score(_ name: String) -> String {
                "apiVersion: score.dev/v1b1\nmetadata:\n  name: \(name)\ncontainers:\n  main:\n    image: nginx:1.27\n"
            }
            try git.commit([
                "policies/admin-config.yaml": "workflowPolicies:\n  requiredPlatformWorkflows: [scan]\n  maxStepsPerWorkflow: 100\n"
                    + "  retry: {base: 1ms, cap: 1ms, attempts: 1}\n",
                "workflows/scripts/scan.sh": "echo \"$APP_NAME original\" >> \(reports)/scan.log\n",
                "workflows/platform/scan.yaml": workflow("PlatformWorkflow", "scan", phase: scanPhase, run: "sh workflows/scripts/scan.sh"),
                "apps/\(intruder)/score.yaml": score(intruder),
                "apps/\(intruder)/workflows/attack.yaml": workflow("Workflow", "attack", phase: attackPhase, run: attack),
                "apps/victim/score.yaml": score("victim"),
            ], message: "platform with an intruder")
            try git.push()
        }

        /// Commits and pushes the intruder's workflow with `script` as its one step (a block scalar, so any
        /// characters pass), REPORTS and TOKEN in it filled in.
        func setAttack(_ script: String, phase: String = "pre-deployment", app: String = "intruder", message: String = "the attack") throws {
            let text = script.replacingOccurrences(of: "REPORTS", with: reports).replacingOccurrences(of: "TOKEN", with: StepIsolationTests.token)
            try git.commit(["apps/\(app)/workflows/attack.yaml": "apiVersion: workflow.dev/v1\nkind: Workflow\nmetadata:\n  name: attack\n"
                + "  phase: \(phase)\nspec:\n  steps:\n    - name: go\n      type: shell\n      run: |\n"
                + text.split(separator: "\n").map { "        " + $0 }.joined(separator: "\n") + "\n"], message: message)
            try git.push()
        }

        func reconcile(_ extra: [String] = []) throws -> Shell.Result {
            try Shell.execute(["timeout", "-s", "KILL", "120", GitFixture.helper.executable, "reconcile", "--repo", git.remote,
                               "--workdir", workdir, "--concurrency", "1"] + extra,
                              environment: ["INNOMINATUS_GIT_TOKEN": StepIsolationTests.token])
        }

        /// `app original` or `app LOOT` lines: which scan script ran for whom.
        var scans: [String] {
            ((try? String(contentsOfFile: reports + "/scan.log", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }

        func report(_ name: String) -> [String: String] {
            let text = (try? String(contentsOfFile: reports + "/" + name, encoding: .utf8)) ?? ""
            var fields: [String: String] = [:]
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
                if parts.count == 2 { fields[parts[0]] = parts[1] }
            }
            return fields
        }
    }

    /// Rewrites the scan script (making it writable first, as its owner could), then tries every read.
    static let attack = """
        r=REPORTS/intruder.txt
        if (chmod u+w workflows/scripts workflows/scripts/scan.sh && echo "echo \\"\\$APP_NAME LOOT\\" >> REPORTS/scan.log" > workflows/scripts/scan.sh) 2>/dev/null; then echo checkout=written >> $r; else echo checkout=refused >> $r; fi
        if ls ../secrets >/dev/null 2>&1 || ls ../resources >/dev/null 2>&1 || ls .. >/dev/null 2>&1; then echo workdir=listed >> $r; else echo workdir=refused >> $r; fi
        if cat ../state.key >/dev/null 2>&1; then echo key=read >> $r; else echo key=refused >> $r; fi
        if grep -a -q -s TOKEN /proc/[0-9]*/environ; then echo token=found >> $r; else echo token=hidden >> $r; fi
        echo uid=$(id -u) >> $r
        """

    @Test func aRootReconcilersStepsRunAsTheStepUserAndReachNothingOfItsOwn() throws {
        try #require(geteuid() == 0, "this test needs root (CI runs as root): only root can run steps as another user")
        let world = try World(attack: "true")
        try world.setAttack(Self.attack)
        let run = try world.reconcile()
        #expect(run.status == 0, "\(run.stderr)\(run.stdout)")
        let nobody = try #require(Shell.run(["id", "-u", "nobody"]).trimmingCharacters(in: .whitespacesAndNewlines))
        let report = world.report("intruder.txt")
        #expect(report == ["checkout": "refused", "workdir": "refused", "key": "refused", "token": "hidden", "uid": nobody],
                "\(report)\n\(run.stderr)")
        #expect(Set(world.scans) == ["intruder original", "victim original"], "\(world.scans)")
        // The workdir: enterable, not listable; everything in it but the checkouts closed.
        var status = stat()
        #expect(stat(world.workdir, &status) == 0 && status.st_mode & 0o777 == 0o711)
        for entry in ["cache.git", "logs", "state.key"] {
            #expect(stat(world.workdir + "/" + entry, &status) == 0 && status.st_mode & 0o077 == 0, "\(entry) is open to others")
        }
    }

    /// Steps of the reconciler's own user can write the checkout: the next workflow still runs the commit's script.
    @Test func aStepThatRewritesTheCheckoutChangesNothingALaterWorkflowRuns() throws {
        let probe = try World(attack: "true")
        try probe.setAttack(Self.attack)
        let run = try probe.reconcile(["--step-user", String(geteuid())])
        #expect(run.status == 0, "\(run.stderr)\(run.stdout)")
        #expect(probe.report("intruder.txt")["checkout"] == "written", "the attack must have written the checkout to prove anything")
        #expect(Set(probe.scans) == ["intruder original", "victim original"], "\(probe.scans)\n\(run.stderr)")
        #expect(run.stderr.contains("a step changed the checkout"), "\(run.stderr)")
        #expect(run.stderr.contains("steps run as this reconciler's own user"), "\(run.stderr)")
        let script = try String(contentsOfFile: probe.workdir + "/checkout/workflows/scripts/scan.sh", encoding: .utf8)
        #expect(!script.contains("LOOT"))
    }

    /// A change left by the last workflow of a pass is found, and undone, when the next pass checks out.
    @Test func aCheckoutChangedAfterThePassIsRewrittenByTheNext() throws {
        // The intruder's post-deployment workflow is the pass's last (apps in name order, one at a time).
        let write = "chmod u+w workflows/scripts workflows/scripts/scan.sh && echo \"echo LOOT >> REPORTS/scan.log\" > workflows/scripts/scan.sh"
        let world = try World(attack: "true", scanPhase: "pre-deployment", attackPhase: "post-deployment", intruder: "zz-intruder")
        try world.setAttack(write, phase: "post-deployment", app: "zz-intruder", message: "the attack after the scan")
        let first = try world.reconcile(["--step-user", String(geteuid())])
        #expect(first.status == 0, "\(first.stderr)\(first.stdout)")
        let tampered = try String(contentsOfFile: world.workdir + "/checkout/workflows/scripts/scan.sh", encoding: .utf8)
        #expect(tampered.contains("LOOT"), "the attack must have left its change")
        let second = try world.reconcile(["--step-user", String(geteuid()), "--force", "victim/platform"])
        #expect(second.status == 0, "\(second.stderr)\(second.stdout)")
        #expect(second.stderr.contains("the checkout had been changed since the last pass"), "\(second.stderr)")
        #expect(!world.scans.contains("LOOT"), "\(world.scans)")
        #expect(world.scans.filter { $0 == "victim original" }.count == 2, "\(world.scans)")
    }

    /// A loop keeps watching its checkout between passes: a pass whose watch saw nothing checks out without
    /// comparing the folder with its seal, and a change made between two passes is still found and undone.
    @Test func aLoopTrustsItsWatchAndStillCatchesAChangeBetweenPasses() throws {
        let world = try World(attack: "true")
        let log = world.git.root.appending("watch.log")
        let watch = try Shell.start([GitFixture.helper.executable, "watch", "--repo", world.git.remote, "--workdir", world.workdir,
                                     "--interval", "200ms", "--log-level", "debug", "--concurrency", "1",
                                     "--step-user", String(geteuid())], log: log)
        defer { watch.stop() }
        // Idle polls log "nothing to do" at any time, also while a push is landing: only "pass finished"
        // counts the passes that ran (the first, the second commit's, the victim's).
        #expect(LoopOutputTests.waitFor("pass finished", in: log).contains("pass finished"))
        try world.setAttack("true # two", message: "a second commit")
        let second = LoopOutputTests.waitFor("pass finished", count: 2, in: log)
        #expect(second.contains("known intact=true"), "\(second)")

        // Between passes, something of the reconciler's user rewrites the scan script.
        let script = world.workdir + "/checkout/workflows/scripts/scan.sh"
        chmod(world.workdir + "/checkout/workflows/scripts", 0o755)
        chmod(script, 0o644)
        try "echo \"$APP_NAME LOOT\" >> \(world.reports)/scan.log\n".write(toFile: script, atomically: false, encoding: .utf8)
        try world.git.commit(["apps/victim/score.yaml": "apiVersion: score.dev/v1b1\nmetadata:\n  name: victim\ncontainers:\n"
            + "  main:\n    image: nginx:1.28\n"], message: "the victim moves on")
        try world.git.push()
        let third = LoopOutputTests.waitFor("pass finished", count: 3, in: log)
        #expect(third.contains("the checkout had been changed since the last pass"), "\(third)")
        #expect(world.scans.filter { $0 == "victim original" }.count == 2 && !world.scans.contains { $0.contains("LOOT") }, "\(world.scans)")
    }

    /// A step cannot make the reconciler read, for it, a file it could not read itself: a link planted as
    /// `$INNOMINATUS_OUTPUT` to root's file of `key=value` lines, whose values a later step would receive.
    @Test func anOutputFileLinkedElsewhereIsRefused() throws {
        try #require(geteuid() == 0, "this test needs root (CI runs as root): only root can run steps as another user")
        let world = try World(attack: "true")
        let secret = world.git.root.appending("root-only.env")
        FileManager.default.createFile(atPath: secret, contents: Data("password=hunter2-root-only\n".utf8),
                                       attributes: [.posixPermissions: 0o600])
        let workflow = """
            apiVersion: workflow.dev/v1
            kind: Workflow
            metadata:
              name: attack
              phase: pre-deployment
            spec:
              steps:
                - name: link
                  type: shell
                  run: ln -s \(secret) "$INNOMINATUS_OUTPUT"
                - name: leak
                  type: shell
                  dependsOn: [link]
                  run: echo "leaked=$STEP_LINK_PASSWORD" >> \(world.reports)/intruder.txt

            """
        try world.git.commit(["apps/intruder/workflows/attack.yaml": workflow], message: "the link attack")
        try world.git.push()
        let run = try world.reconcile()
        #expect(run.status == 1, "\(run.stderr)\(run.stdout)")
        let note = try world.git.remoteGit("notes", "--ref=innominatus", "show", "main")
        #expect(note.contains("[innominatus] $INNOMINATUS_OUTPUT cannot be read"), "\(note)")
        #expect(!note.contains("hunter2"))
        #expect(world.report("intruder.txt")["leaked"] == nil, "\(world.report("intruder.txt"))")
    }

    /// A reconciler that is not root runs steps as itself; they still cannot read its environment (the git
    /// token) through /proc, which PR_SET_DUMPABLE closes to its own user.
    @Test func anUnprivilegedReconcilersStepsCannotReadItsEnvironment() throws {
        try #require(geteuid() == 0, "this test needs root (CI runs as root) to start the reconciler as nobody")
        let world = try World(attack: "true")
        try world.setAttack("if grep -a -q -s TOKEN /proc/[0-9]*/environ; then echo token=found; else echo token=hidden; fi "
            + ">> REPORTS/intruder.txt; echo uid=$(id -u) >> REPORTS/intruder.txt", message: "the probe")
        let workdir = world.git.root.appending("nobody-workdir")
        try FileManager.default.createDirectory(atPath: workdir, withIntermediateDirectories: true)
        try Shell.run(["chown", "-R", "nobody", world.git.remote, workdir])
        let run = try Shell.execute(["timeout", "-s", "KILL", "120", "setpriv", "--reuid=nobody", "--regid=65534", "--clear-groups",
                                     GitFixture.helper.executable, "reconcile", "--repo", world.git.remote, "--workdir", workdir],
                                    environment: ["INNOMINATUS_GIT_TOKEN": Self.token])
        #expect(run.status == 0, "\(run.stderr)\(run.stdout)")
        let nobody = try Shell.run(["id", "-u", "nobody"]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(world.report("intruder.txt") == ["token": "hidden", "uid": nobody], "\(world.report("intruder.txt"))")
        #expect(run.stderr.contains("steps run as this reconciler's own user nobody"), "\(run.stderr)")
    }
}
