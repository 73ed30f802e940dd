import ArgumentParser
import Foundation
import ProcessSupport
import Provisioning
import Specs

/// `innominatus validate [PATH ...] [--output text|json]`: checks Score files, workflows, the admin
/// config, or whole platform-repo directories, before a pull request is merged. All logic is in Specs.
struct Validate: ParsableCommand {
    enum Output: String, CaseIterable {
        case text
        case json
    }

    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Validate Score files, workflows, the admin config or platform-repo directories.",
        discussion: """
            Each PATH is a file (its kind is detected from its content) or a platform-repo directory (every \
            spec in it, plus the cross-file rules: identity, allow-list, required workflows; and its \
            provisioners/*.yaml, read as render and the reconciler read them). A workflow FILE \
            that lies outside any platform repository (no \(AdminConfig.repositoryPaths.joined(separator: " or ")), provisioners/ or .git at \
            or above its folder) gets a warning at each step type that is not built in (shell, http): only a \
            repository's admin config registers plugin types under stepTypes. Exit status: 0 \
            when valid (warnings allowed), 1 when any error, 2 for usage errors.
            """)

    // `.allUnrecognized` lets `run` turn an unknown option into exit status 2 (a usage error, as
    // docs/ARCHITECTURE.md §6 fixes) instead of ArgumentParser's 64.
    @Argument(parsing: .allUnrecognized, help: "Files or platform-repo directories (default: the current directory).")
    var paths: [String] = []

    // A plain string, checked in `run`, so a bad format exits with 2 (usage) like a missing path does,
    // rather than with ArgumentParser's 64.
    @Option(help: "Output format: text or json.")
    var output: String = "text"

    /// Prints a usage error and exits with status 2, as docs/ARCHITECTURE.md §6 fixes.
    private func usageError(_ message: String) -> ExitCode {
        StandardStream.error.write("Error: \(message)\nUsage: innominatus \(Self.usageString())\n")
        return ExitCode(2)
    }

    func run() throws {
        guard let format = Output(rawValue: output) else {
            throw usageError("--output must be text or json, not '\(output)'")
        }
        if let option = paths.first(where: { $0.hasPrefix("-") && !FileManager.default.fileExists(atPath: $0) }) {
            throw usageError("unknown option '\(option)'")
        }
        var reports: [SpecFileReport] = []
        for path in paths.isEmpty ? ["."] : paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw usageError("no such file or directory: \(path)")
            }
            if isDirectory.boolValue {
                do {
                    let specs = try PlatformRepoValidator().validate(directory: path).files
                    reports += (specs + ProvisionerLoader().check(repository: path, policy: try? ProvisionerPolicy.forRepository(root: path))).sorted { $0.path < $1.path }
                } catch {
                    throw usageError("cannot read the directory \(path): \(error.localizedDescription)")
                }
            } else if ProvisionerLoader.isProvisionersFile(path), let data = FileManager.default.contents(atPath: path) {
                let folder = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path
                reports.append(ProvisionerLoader().check(Array(data), file: path, folder: folder))
            } else {
                do {
                    reports.append(try SpecValidator().validate(standaloneFileAt: path))
                } catch {
                    throw usageError(error.description)
                }
            }
        }
        switch format {
        case .text: print(ValidationRendering.text(reports), terminator: "")
        case .json: print(ValidationRendering.json(reports))
        }
        if reports.contains(where: { !$0.isValid }) { throw ExitCode(1) }
    }
}
