import ServiceLifecycle

/// The end of each pass, told to the status pages as they wait on `GET /events` (Server-Sent Events):
/// the loop publishes, every open page's stream receives, and the page's script reloads it. Between
/// passes only a heartbeat comment is sent, so a connection whose browser went away is noticed and freed.
actor LiveUpdates {
    enum Event: Sendable, Equatable {
        /// A pass ended; the JSON names its kind, commit and result.
        case pass(String)
        case heartbeat

        /// The event in the `text/event-stream` format.
        var text: String {
            switch self {
            case .pass(let json): "event: pass\ndata: \(json)\n\n"
            case .heartbeat: ": heartbeat\n\n"
            }
        }
    }

    /// The most pages listening at once; one more is answered 503, so streams cannot take every connection.
    let limit: Int
    private var streams: [Int: AsyncStream<Event>.Continuation] = [:]
    private var next = 0
    private var closed = false

    init(limit: Int = 256) {
        self.limit = limit
    }

    /// A stream of the events from now on; nil when `limit` streams are open. After `close()` the stream
    /// is finished at once.
    func subscribe() -> AsyncStream<Event>? {
        guard streams.count < limit else { return nil }
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(8))
        if closed {
            continuation.finish()
            return stream
        }
        let id = next
        next += 1
        streams[id] = continuation
        continuation.onTermination = { _ in Task { await self.remove(id) } }
        return stream
    }

    func publish(_ event: Event) {
        for continuation in streams.values { continuation.yield(event) }
    }

    /// Ends every stream, and every later one at once: the HTTP server's graceful shutdown waits for the
    /// responses it is writing, and a stream would keep its response open for ever.
    func close() {
        closed = true
        for continuation in streams.values { continuation.finish() }
        streams.removeAll()
    }

    var listening: Int { streams.count }

    private func remove(_ id: Int) {
        streams[id] = nil
    }
}

/// Sends the heartbeats of `LiveUpdates`, and closes its streams on graceful shutdown. Listed after the
/// HTTP server in the `ServiceGroup`, so it is shut down first (services stop in reverse order) and the
/// server then has no stream left to wait for.
struct LiveUpdatesService: Service {
    let events: LiveUpdates
    let heartbeat: Duration

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: heartbeat)
                await events.publish(.heartbeat)
            }
        }
        await events.close()
    }
}
