import AsyncHTTPClient

/// The one HTTP client of the process for what innominatus sends out: `http` steps and notifications
/// (its connections are pooled). Redirects off, so a request goes to the host its URL names and nowhere
/// else; no decompression; TLS verified against the system's CA store. A connection that cannot be made
/// (refused, a certificate no authority signed) fails at once: AsyncHTTPClient would otherwise try again
/// until the deadline, and each caller has its own retry policy (a step's `retries`, a notification's tries).
public enum OutboundHTTP {
    public static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.decompression = .disabled
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}
