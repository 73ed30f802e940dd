import Reconciler
import Testing

/// The loop's wake-up: a ring ends a wait at once, a ring while no one waits is kept for the next wait,
/// and cancellation (graceful shutdown) ends a wait. Waits are an hour long: only a ring or a cancel can
/// end them, so nothing here depends on timing.
@Suite struct LoopAlarmTests {
    @Test func ringEndsAWait() async {
        let alarm = LoopAlarm()
        let waiting = Task { await alarm.wait(for: .seconds(3600)) }
        // Whether the ring comes before or during the wait, the wait ends.
        await alarm.ring()
        await waiting.value
    }

    @Test func ringWhileBusyIsKeptForTheNextWait() async {
        let alarm = LoopAlarm()
        await alarm.ring(fromWebhook: true)
        await alarm.ring()
        await alarm.wait(for: .seconds(3600))
        #expect(await alarm.takeWebhookInstant() != nil)
        #expect(await alarm.takeWebhookInstant() == nil)
    }

    @Test func cancellationEndsAWait() async {
        let alarm = LoopAlarm()
        let waiting = Task { await alarm.wait(for: .seconds(3600)) }
        waiting.cancel()
        await waiting.value
    }

    @Test func aShortWaitEndsByItself() async {
        await LoopAlarm().wait(for: .milliseconds(1))
    }
}
