import HTTPTypes
import Logging
import NIOCore
import NIOHTTPTypes
import Specs

/// Closes a connection that has not sent a complete request head in time, with a 408 answer.
///
/// Hummingbird's idle timeout counts from the last decoded HTTP part, so a client that trickles a header
/// byte every few seconds is never idle by its measure and holds a descriptor for as long as it likes;
/// hundreds of them exhaust the process. This handler sits after the HTTP decoder in each connection's
/// pipeline and measures the head itself: the deadline starts with the first bytes of a request (a socket
/// read between requests that decodes to no complete head), and only a complete head stops it.
/// Trickling does not move it. A connection that sends nothing at all is the idle timeout's to close:
/// counting from the accept instead would answer 408 to clients that open connections ahead of use
/// (browsers, pools) just as their first request is on its way.
final class HeaderDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let timeout: TimeAmount
    private let metrics: ServerMetrics
    private let logger: Logger
    private var deadline: Scheduled<Void>?
    /// A head was read and its end not yet.
    private var readingRequest = false
    /// Requests read whose response has not ended yet (pipelined requests may overlap).
    private var unanswered = 0

    init(timeout: Duration, metrics: ServerMetrics, logger: Logger) {
        self.timeout = .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000
            + timeout.components.attoseconds / 1_000_000_000)
        self.metrics = metrics
        self.logger = logger
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            disarm()
            readingRequest = true
            unanswered += 1
        case .body:
            break
        case .end:
            readingRequest = false
        }
        context.fireChannelRead(data)
    }

    /// Bytes arrived. Between requests (nothing being read, everything answered) they start a new head,
    /// whose deadline starts now.
    func channelReadComplete(context: ChannelHandlerContext) {
        if !readingRequest, unanswered == 0 { arm(context) }
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { unanswered = max(0, unanswered - 1) }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext) {
        guard deadline == nil else { return }
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            deadline = nil
            expire(context)
        }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
    }

    /// No response is under way (the deadline only runs between requests), so a 408 cannot interleave
    /// with one; the connection closes after it.
    private func expire(_ context: ChannelHandlerContext) {
        guard context.channel.isActive, !readingRequest, unanswered == 0 else { return }
        metrics.recordHeaderTimeout()
        logger.debug("closing a connection that sent no complete request head within \(timeout.nanoseconds / 1_000_000) ms",
                     metadata: ["peer": "\(context.channel.remoteAddress.map { "\($0)" } ?? "?")"])
        let message = "no complete request head within \(Self.seconds(timeout)); send the request line and headers at once"
        var body = context.channel.allocator.buffer(capacity: message.utf8.count + 32)
        body.writeString(#"{"error":{"message":"\#(message)"}}"#)
        var head = HTTPResponse(status: .requestTimeout)
        head.headerFields[.connection] = "close"
        head.headerFields[.contentType] = "application/json; charset=utf-8"
        head.headerFields[.contentLength] = "\(body.readableBytes)"
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.close(promise: nil)
    }

    private static func seconds(_ amount: TimeAmount) -> String {
        SpecDuration(milliseconds: Int(amount.nanoseconds / 1_000_000)).description
    }
}
