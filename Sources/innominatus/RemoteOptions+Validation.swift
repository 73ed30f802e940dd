import ArgumentParser
import GitKit

extension RemoteOptions {
    /// A `--repo` URL with a password is refused before anything runs or is written: it is already readable by
    /// every user of the machine through this process's command line, and would be copied into the workdir
    /// and the logs. The message (which shows the URL with its password masked) names the safe alternatives.
    func validate() throws {
        if let refusal = RemoteURL.refusal(repo, operation: "--repo") {
            throw ValidationError("\(refusal.operation): \(refusal.message)")
        }
    }
}
