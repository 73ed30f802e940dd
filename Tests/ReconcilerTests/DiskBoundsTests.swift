import Foundation
import GitKit
import Glibc
import Testing
import TestSupport

/// One app cannot fill the disk for every app: step logs are kept for a number of passes and capped per app
/// and pass, and a pass that could not record its status on a full disk does not start, saying why.
@Suite(.serialized) struct DiskBoundsTests {
    typealias World = StepIsolationTests.World

    /// Pushes a commit that changes the intruder's workflow (so its pair runs again) and reconciles.
    func pass(_ world: World, run script: String, number: Int, extra: [String] = []) throws -> Shell.Result {
        try world.setAttack("\(script) # \(number)", message: "pass \(number)")
        return try world.reconcile(extra)
    }

    @Test func logsAreKeptForTheLastPassesOnly() throws {
        let world = try World(attack: "true")
        for number in 1...4 {
            let run = try pass(world, run: "echo pass", number: number, extra: ["--log-retention", "2"])
            #expect(run.status == 0, "\(run.stderr)")
        }
        let folders = try FileManager.default.contentsOfDirectory(atPath: world.workdir + "/logs")
        #expect(folders.count == 2, "\(folders)")
        let head = String(try world.git.git("rev-parse", "HEAD").prefix(12))
        #expect(folders.contains(head), "the newest pass's logs are kept: \(folders)")
    }

    @Test func oneAppsLogsInOnePassStopAtTheirLimit() throws {
        let world = try World(attack: "true")
        // Three steps' worth of 1.5 MiB each would be 4.5 MiB; the app may write 1 MiB in all.
        let loud = "head -c 1500000 /dev/zero | tr \"\\\\0\" x | fold -w 1000"
        try world.git.commit(["apps/intruder/workflows/attack.yaml": """
            apiVersion: workflow.dev/v1
            kind: Workflow
            metadata:
              name: attack
              phase: pre-deployment
            spec:
              steps:
                - {name: one, type: shell, run: '\(loud)'}
                - {name: two, type: shell, run: '\(loud)', dependsOn: [one]}
                - {name: three, type: shell, run: '\(loud)', dependsOn: [two]}

            """], message: "a loud app")
        try world.git.push()
        let run = try world.reconcile(["--app-log-limit", "1"])
        #expect(run.status == 0, "\(run.stderr)")
        let head = String(try world.git.git("rev-parse", "HEAD").prefix(12))
        let folder = world.workdir + "/logs/\(head)/intruder"
        let files = try #require(FileManager.default.subpathsOfDirectory(atPath: folder).filter { $0.hasSuffix(".log") })
        var total = 0
        var text = ""
        for file in files {
            let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + file))
            total += data.count
            text += String(decoding: data.suffix(300), as: UTF8.self)
        }
        #expect(total <= (1 << 20) + 4096, "\(total) bytes of logs for one app in one pass")
        #expect(text.contains("log truncated: this app's step logs of this pass reached 1 MiB"), "\(text)")
        // The victim's logs are its own budget.
        #expect(FileManager.default.fileExists(atPath: world.workdir + "/logs/\(head)/victim"))
    }

    @Test func aFullDiskStopsThePassBeforeItStartsAndSaysSo() throws {
        try #require(geteuid() == 0, "this test needs root (CI runs as root) to mount a small file system")
        let world = try World(attack: "true")
        let small = world.git.root.appending("small")
        try FileManager.default.createDirectory(atPath: small, withIntermediateDirectories: true)
        try Shell.run(["mount", "-t", "tmpfs", "-o", "size=16m,mode=0755", "tmpfs", small])
        defer { _ = try? Shell.run(["umount", "-l", small]) }
        let workdir = small + "/workdir"
        func reconcile(_ extra: [String]) throws -> Shell.Result {
            try Shell.execute([GitFixture.helper.executable, "reconcile", "--repo", world.git.remote, "--workdir", workdir,
                               "--min-free", "4"] + extra)
        }
        let first = try reconcile([])
        #expect(first.status == 0, "\(first.stderr)")
        // Fill it to under 4 MiB free, then change something.
        var info = statvfs()
        #expect(statvfs(small, &info) == 0)
        let free = Int(info.f_bavail) * Int(info.f_frsize)
        try Shell.run(["fallocate", "-l", String(max(0, free - (2 << 20))), small + "/filler"])
        try world.git.commit(["apps/victim/notes.txt": "a change\n"], message: "a change")
        try world.git.commit(["apps/victim/score.yaml": "apiVersion: score.dev/v1b1\nmetadata:\n  name: victim\ncontainers:\n  main:\n    image: nginx:1.28\n"],
                             message: "a new image")
        try world.git.push()
        let full = try reconcile([])
        #expect(full.status == 1, "\(full.stderr)")
        let output = full.stderr + full.stdout
        #expect(output.contains("disk full: 2 MB free in \(workdir)") || output.contains("disk full: 1 MB free in \(workdir)"), "\(output)")
        #expect(output.contains("No space left on device"), "\(output)")
        #expect(output.contains("error"), "logged as an error: \(output)")
        // Room again: the pass runs.
        try FileManager.default.removeItem(atPath: small + "/filler")
        let recovered = try reconcile([])
        #expect(recovered.status == 0, "\(recovered.stderr)")
    }
}
