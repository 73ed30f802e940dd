// GitKit operations for Benchmarks/gitkit.sh, one per process so that they can be timed whole-process
// against the git CLI doing the same work, plus an in-process mode for what a long-running reconciler
// pays with its repository kept open:
//   GitKitBenchmark open REPO                     libgit2 start-up and open only (the floor)
//   GitKitBenchmark snapshot REPO COMMIT          ≈ git ls-tree -r COMMIT
//   GitKitBenchmark changed-paths REPO OLD NEW    ≈ git diff --name-only OLD NEW
//   GitKitBenchmark in-process REPO OLD NEW RUNS  medians (ms) of both, repository opened once
import Glibc
import GitKit

func usage() -> Never {
    print("usage: GitKitBenchmark open REPO | snapshot REPO COMMIT | changed-paths REPO OLD NEW | in-process REPO OLD NEW RUNS")
    exit(2)
}

func median(_ runs: Int, _ body: () async throws -> Void) async rethrows -> Double {
    var samples: [Double] = []
    for _ in 0..<runs {
        let start = ContinuousClock.now
        try await body()
        let elapsed = ContinuousClock.now - start
        samples.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
    }
    return samples.sorted()[samples.count / 2]
}

let arguments = CommandLine.arguments
guard arguments.count >= 3 else { usage() }
do {
    let repository = try Repository.open(at: arguments[2])
    var out = ""
    switch (arguments[1], arguments.count) {
    case ("open", 3):
        break
    case ("snapshot", 4):
        let snapshot = try await repository.snapshot(of: repository.resolveCommit(arguments[3]))
        for (path, entry) in snapshot.entries { out += "\(entry.id.hex)\t\(path)\n" }
    case ("changed-paths", 5):
        let changes = try await repository.changedPaths(from: repository.resolveCommit(arguments[3]),
                                                        to: repository.resolveCommit(arguments[4]))
        for change in changes { out += change.path + "\n" }
    case ("in-process", 6):
        let old = try await repository.resolveCommit(arguments[3])
        let new = try await repository.resolveCommit(arguments[4])
        let runs = Int(arguments[5]) ?? 100
        let diff = try await median(runs) { _ = try await repository.changedPaths(from: old, to: new) }
        let snapshot = try await median(runs) { _ = try await repository.snapshot(of: new) }
        out = "in-process changed-paths median \(diff) ms\nin-process snapshot median \(snapshot) ms\n"
    default:
        usage()
    }
    print(out, terminator: "")
} catch {
    print("error: \(error)")
    exit(1)
}
