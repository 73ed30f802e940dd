import Glibc
import ProcessSupport
import Testing

@Suite("PipedChild: the child process runner under GitKit's network helper")
struct PipedChildTests {
    @Test func aChildThatExitsWithoutReadingItsInputIsNotFatal() {
        // 4 MiB is far more than a pipe holds: the writes hit a closed pipe (EPIPE, never SIGPIPE).
        for _ in 0..<5 {
            let child = try? PipedChild(["/bin/sh", "-c", "exit 7"])
            #expect(child != nil)
            child?.send([UInt8](repeating: 65, count: 4 << 20))
            #expect(child?.finish().status == 7)
        }
    }

    @Test func theDeadlineKillsTheWholeGroup() {
        let child = try? PipedChild(["/bin/sh", "-c", "sleep 30 & sleep 30"], ownProcessGroup: true)
        child?.send([])
        let result = child?.finish(deadline: .now + .milliseconds(200))
        #expect(result?.output.timedOut == true)
        let status: Int32 = result?.status ?? -1
        #expect(status == 128 + SIGKILL)
    }

    @Test func outputAndStatusAreCollected() {
        let child = try? PipedChild(["/bin/sh", "-c", "cat; echo oops >&2; exit 3"])
        child?.send(Array("hello".utf8))
        let result = child?.finish()
        #expect(result.map { String(decoding: $0.output.stdout, as: UTF8.self) } == "hello")
        #expect(result.map { String(decoding: $0.output.stderr, as: UTF8.self) } == "oops\n")
        #expect(result?.status == 3)
    }
}
