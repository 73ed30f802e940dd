import Foundation
import Logging
import NIOCore

/// The listening socket's guard: at most `limit` connections at once, and a server that survives running
/// out of descriptors.
///
/// It sits first in the server channel's pipeline, so it sees each accepted connection before Hummingbird
/// sets it up: one over the limit is closed at once (it was never registered, so this costs nothing but
/// the accept) and counted. Hummingbird's own limit (`availableConnectionsDelegate`) only stops
/// accepting, which leaves new clients — a health probe among them — waiting in the kernel's backlog.
///
/// An `accept` that fails with EMFILE or ENFILE is logged as an error once per burst (until a connection
/// is accepted again) and counted, and accepting pauses for a second, so the server recovers by itself
/// when descriptors are freed without spinning on a socket it cannot accept from.
final class ConnectionLimitHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    private let limit: Int
    private let metrics: ServerMetrics
    private let logger: Logger
    private var open = 0
    /// Accepts that failed for want of descriptors since the last one that succeeded.
    private var failedAccepts = 0
    /// Accepting is paused after a failure for want of descriptors.
    private var paused = false

    init(limit: Int, metrics: ServerMetrics, logger: Logger) {
        self.limit = limit
        self.metrics = metrics
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let connection = unwrapInboundIn(data)
        if failedAccepts > 0 {
            logger.warning("accepting connections again after \(failedAccepts) accept(s) failed: out of file descriptors")
            failedAccepts = 0
        }
        guard open < limit else {
            metrics.recordRejectedConnection()
            connection.close(promise: nil)
            return
        }
        open += 1
        metrics.setOpenConnections(open)
        let loop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: loop)
        connection.closeFuture.hop(to: loop).whenComplete { _ in
            let limiter = handler.value
            limiter.open -= 1
            limiter.metrics.setOpenConnections(limiter.open)
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? IOError, Self.isOutOfDescriptors(error) {
            metrics.recordOutOfDescriptors(where: "accept")
            if failedAccepts == 0 {
                let text = "cannot accept connections: the process is out of file descriptors (\(error)); "
                    + "retrying every second; \(DescriptorBudget.usage()); raise `ulimit -n` or lower --max-connections"
                logger.error("\(text)")
            }
            failedAccepts += 1
            pauseAccepting(context)
        }
        context.fireErrorCaught(error)
    }

    /// Stops reading the listening socket for a second. NIO's accept backoff only withholds the next
    /// `read`, while the socket stays registered for readability: with a connection waiting and no
    /// descriptor to take it, the event loop spun, failing ~30,000 accepts a second on one core.
    private func pauseAccepting(_ context: ChannelHandlerContext) {
        guard !paused, let options = context.channel.syncOptions else { return }
        guard (try? options.setOption(ChannelOptions.autoRead, value: false)) != nil else { return }
        paused = true
        let channel = context.channel
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.assumeIsolated().scheduleTask(in: .seconds(1)) {
            handler.value.paused = false
            _ = try? channel.syncOptions?.setOption(ChannelOptions.autoRead, value: true)
        }
    }

    static func isOutOfDescriptors(_ error: IOError) -> Bool {
        error.errnoCode == EMFILE || error.errnoCode == ENFILE
    }
}
