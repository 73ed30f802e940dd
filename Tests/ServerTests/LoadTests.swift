import Foundation
import GitKit
import TestSupport
import Testing

/// The read API under load: 1,000 requests/s for 30 s against `innominatus serve` (the real binary, its
/// own process, so its memory is its own) on 127.0.0.1, while its loop runs a pass held up by a slow step.
/// Every answer must be a 200 and the server's peak memory must stay bounded. The achieved rate and the
/// latencies are printed for the record; no assertion is made on time.
@Suite("Server load: 1,000 requests/s on the read API during a pass")
struct LoadTests {
    static let rate = 1_000
    static let seconds = 30

    @Test func readAPIAnswersEveryRequestDuringAPassWithBoundedMemory() async throws {
        let repo = try GitFixture()
        let started = repo.root.appending("slow-started")
        let finished = repo.root.appending("slow-finished")
        var files: [String: String] = [
            "policies/admin-config.yaml": "workflowPolicies: {}\n",
            "workflows/platform/gate.yaml": Self.workflow("PlatformWorkflow", "gate", run: "true"),
        ]
        for index in 0..<20 {
            let name = String(format: "app%02d", index)
            files["apps/\(name)/score.yaml"] = ServerFixture.score(name, product: nil)
        }
        try repo.commit(files, message: "20 apps")
        try repo.push()
        // Up to 2,000 keep-alive connections, here and in the server (which inherits the raised limit and
        // keeps a quarter of it for itself, `DescriptorBudget`).
        let connections = max(64, min(2_000, Self.raiseFileLimit(wanting: 3_000) * 3 / 4 - 200))
        let port = try freeLocalPort()
        // The default limit (512 connections) would turn most of the generator's connections away; the
        // margin is for this test's own client, whose kept-alive connection would otherwise take the place
        // of one of the generator's, which is then closed at each reconnect.
        let (serve, client) = try await Self.serve(repo, port: port, ["--interval", "300ms", "--max-connections", "\(connections + 64)"])
        defer { serve.stop() }
        let deadline = ContinuousClock.now + .seconds(120)
        // A pass that stays busy for the whole run: app00's own workflow sleeps.
        try repo.commit(["apps/app00/workflows/slow.yaml": Self.workflow(
            "Workflow", "slow", run: "touch \(started); sleep 600; touch \(finished)")], message: "slow step")
        try repo.push()
        while !FileManager.default.fileExists(atPath: started), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        try #require(FileManager.default.fileExists(atPath: started), "the slow pass did not start")
        #expect(try await client.get("/api/v1/status").status == 200)

        let before = Self.memory(of: serve.pid)
        let generator = LoadGenerator(port: port, paths: ["/api/v1/status", "/api/v1/apps/app00", "/api/v1/apps", "/healthz"],
                                      rate: Self.rate, seconds: Self.seconds, connections: connections)
        let result = await generator.run()
        let after = Self.memory(of: serve.pid)
        let stillRunning = !FileManager.default.fileExists(atPath: finished)

        var lines = ["load: \(generator.connections) connections; \(result.completed)/\(result.scheduled) requests in \(String(format: "%.1f", result.elapsed)) s = "
            + "\(String(format: "%.0f", result.achievedRate)) req/s (target \(Self.rate)), errors: \(result.errors), "
            + "\(result.reconnects) idle connections reopened",
            "load: all p50 \(Self.ms(LoadGenerator.Result.percentile(result.allLatencies, 0.5))) "
            + "p99 \(Self.ms(LoadGenerator.Result.percentile(result.allLatencies, 0.99))) "
            + "max \(Self.ms(result.allLatencies.max() ?? .nan)) (from when each request was due)"]
        for (path, values) in result.latencies.sorted(by: { $0.key < $1.key }) {
            lines.append("load:   \(path): \(values.count) requests, p50 \(Self.ms(LoadGenerator.Result.percentile(values, 0.5))) "
                + "p99 \(Self.ms(LoadGenerator.Result.percentile(values, 0.99)))")
        }
        lines.append("load: server VmHWM \(before.hwm / 1024) MB before, \(after.hwm / 1024) MB after; VmRSS \(after.rss / 1024) MB; "
            + "pass still running at the end: \(stillRunning)")
        print(lines.joined(separator: "\n"))

        #expect(result.errorCount == 0, "\(result.errors)")
        #expect(result.completed == result.scheduled)
        #expect(after.hwm > 0 && after.hwm < 500 * 1024, "peak memory \(after.hwm) kB")
        #expect(stillRunning, "the pass ended before the load did: it was not measured during a pass")
    }

    /// A read fetches from the remote; what a fetch allocates must be freed, or `serve` grows with every
    /// request (libgit2 1.5 leaked about 20 KiB per config entry at each remote set-up: about 130 KiB per
    /// read here). After a warm-up, 1,200 more reads may not grow the server's resident memory by 40 MB.
    @Test func readsDoNotGrowTheServersMemory() async throws {
        let repo = try GitFixture()
        var files: [String: String] = ["policies/admin-config.yaml": "workflowPolicies: {}\n"]
        for index in 0..<3 {
            let name = String(format: "app%02d", index)
            files["apps/\(name)/score.yaml"] = ServerFixture.score(name, product: nil)
        }
        try repo.commit(files, message: "3 apps")
        try repo.push()
        let (serve, client) = try await Self.serve(repo, port: try freeLocalPort(), ["--interval", "1h"])
        defer { serve.stop() }
        func reads(_ count: Int) async throws {
            for index in 0..<count {
                let answer = try await client.get(index % 2 == 0 ? "/api/v1/status" : "/api/v1/apps")
                #expect(answer.status == 200)
            }
        }
        try await reads(300)
        let warm = Self.memory(of: serve.pid).rss
        try await reads(1_200)
        let after = Self.memory(of: serve.pid).rss
        print("memory: server VmRSS \(warm / 1024) MB after 300 reads, \(after / 1024) MB after 1,500")
        #expect(warm > 0 && after - warm < 40 * 1024, "VmRSS grew from \(warm) kB to \(after) kB over 1,200 reads")
    }

    /// `innominatus serve` on `repo` at `port`, once its status API answers (or two minutes have passed).
    static func serve(_ repo: GitFixture, port: Int, _ options: [String]) async throws -> (Shell.Background, HTTPClient) {
        let serve = try Shell.start([GitFixture.helper.executable, "serve", "--repo", repo.remote,
                                     "--workdir", repo.root.appending("workdir"), "--listen", "127.0.0.1:\(port)"] + options,
                                    log: repo.root.appending("serve.log"))
        do { try waitForPort(port, timeout: 120) } catch { serve.stop(); throw error }
        let client = HTTPClient(base: "http://127.0.0.1:\(port)")
        let deadline = ContinuousClock.now + .seconds(120)
        while try await client.get("/api/v1/status").status != 200, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        return (serve, client)
    }

    static func workflow(_ kind: String, _ name: String, run: String) -> String {
        "apiVersion: workflow.dev/v1\nkind: \(kind)\nmetadata:\n  name: \(name)\nspec:\n  steps:\n    - name: go\n      type: shell\n      run: '\(run)'\n"
    }

    /// Raises this process's open-file limit towards `wanting` (up to the hard limit); returns the limit.
    static func raiseFileLimit(wanting: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        if limit.rlim_cur < rlim_t(wanting) {
            limit.rlim_cur = min(limit.rlim_max, rlim_t(wanting))
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return Int(limit.rlim_cur)
    }

    static func ms(_ value: Double) -> String { String(format: "%.1f ms", value) }

    /// VmHWM (peak resident) and VmRSS of a process, in kB.
    static func memory(of pid: pid_t) -> (hwm: Int, rss: Int) {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        func field(_ name: String) -> Int {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
            return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" })[1]) ?? 0
        }
        return (field("VmHWM"), field("VmRSS"))
    }
}
