// The Specs fuzz target.
//
// Built with `-sanitize=fuzzer -DFUZZING` (see `Fuzz/run.sh`) it is a libFuzzer harness:
// libFuzzer owns `main` and calls `LLVMFuzzerTestOneInput` with each input. Built plainly (as `swift build`
// and CI do) it is an ordinary executable that replays the files named on its command line through the
// same entry, so a crasher found by the fuzzer reproduces with `swift run SpecsFuzz crash-…`.
import Specs

/// Feeds one input to every Specs front end: the YAML reader, then the validator with the kind detected from
/// the content and with a kind forced by the input's length (so a Score-looking file also reaches the
/// workflow and admin-config decoders), and the renderings of the reports (their code paths format positions).
enum SpecsFuzzEntry {
    static let kinds: [SpecKind] = [.score, .workflow, .adminConfig]
    /// Smaller than the product's limits so that each execution stays fast; the limits themselves are fuzzed too.
    static let limits = SpecLimits(maxFileBytes: 64 << 10, maxExpandedNodes: 20_000, maxDepth: 64)

    static func run(_ bytes: [UInt8]) {
        let path = "apps/fuzz/score.yaml"
        let read = YAMLReader(limits: limits).read(bytes, file: path)
        _ = read.documents.count
        let validator = SpecValidator(limits: limits)
        let detected = validator.validate(bytes, path: path)
        let forced = validator.validate(bytes, path: "workflows/platform/fuzz.yaml", as: kinds[bytes.count % kinds.count])
        _ = ValidationRendering.text([detected, forced])
        _ = ValidationRendering.json([detected, forced])
        // The same bytes at every place of a platform repository: the admin config they make (or fail to make)
        // then governs the cross-file rules applied to them as a Score file and as each kind of workflow.
        let places = ["policies/admin-config.yaml", "apps/fuzz/score.yaml", "apps/fuzz/workflows/fuzz.yaml",
                      "workflows/platform/fuzz.yaml", "workflows/products/shop/fuzz.yaml"]
        let repo = PlatformRepoValidator(limits: limits).validate(files: places.map { RepoFile(path: $0, bytes: bytes) })
        _ = ValidationRendering.text(repo.files)
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func specsFuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    SpecsFuzzEntry.run(bytes)
    return 0
}

typealias FuzzerArguments = UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
typealias FuzzerCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32

/// libFuzzer's documented driver entry (`int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*cb)(const uint8_t *, size_t))`).
@_silgen_name("LLVMFuzzerRunDriver")
func llvmFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>, _ argv: FuzzerArguments, _ callback: FuzzerCallback) -> Int32

/// SwiftPM links an executable with its entry renamed to `<Target>_main` and `main` defined as that symbol, so
/// libFuzzer's own `main` is never pulled from its archive: this entry does what it would — hand over to the driver.
@_cdecl("SpecsFuzz_main")
public func specsFuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return llvmFuzzerRunDriver(&count, &arguments) { data, size in specsFuzzTestOneInput(data, size) }
}
#else
import Foundation

/// The plain build: replays the files named on the command line (a crasher, or a whole corpus).
@main
enum SpecsFuzzReplay {
    static func main() {
        var replayed = 0
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("SpecsFuzz: cannot read \(path)\n".utf8))
                continue
            }
            SpecsFuzzEntry.run([UInt8](data))
            replayed += 1
        }
        print("SpecsFuzz: replayed \(replayed) file(s) without a crash")
    }
}
#endif
