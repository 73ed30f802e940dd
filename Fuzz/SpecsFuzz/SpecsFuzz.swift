// Replays files through the Specs decoders (the fuzz entry point is added by the fuzzing work).
import Foundation
import Specs

for path in CommandLine.arguments.dropFirst() {
    _ = try? SpecValidator().validate(fileAt: path)
}
