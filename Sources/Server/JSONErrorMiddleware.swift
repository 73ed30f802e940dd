import Hummingbird
import Logging

/// Every error answer is JSON with a message (`{"error": {"message": …}}`, Hummingbird's own shape):
/// unknown paths are 404, a known path with another method is 405 with `Allow`, an oversized body 413,
/// and anything unexpected 500 with the details only in the server log.
struct JSONErrorMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let routes: [APIRoute]
    let maxBodyBytes: Int

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maxBodyBytes {
            throw HTTPError(.contentTooLarge, message: tooLarge)
        }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.body != nil {
            throw error
        } catch let error as HTTPError where error.status == .notFound {
            let path = request.uri.path
            let allowed = routes.filter { $0.matches(path: path) }.map(\.method.rawValue)
            guard allowed.isEmpty else {
                var headers = HTTPFields()
                headers[.allow] = allowed.joined(separator: ", ")
                throw HTTPError(.methodNotAllowed, headers: headers,
                                message: "\(request.method.rawValue) is not allowed on \(path); use \(allowed.joined(separator: " or "))")
            }
            throw HTTPError(.notFound, message: "no endpoint \(path); the API is described in openapi.yaml")
        } catch let error as any HTTPResponseError {
            if error.status == .contentTooLarge { throw HTTPError(.contentTooLarge, message: tooLarge) }
            throw HTTPError(error.status, message: error.status.reasonPhrase)
        } catch is CancellationError {
            throw HTTPError(.serviceUnavailable, message: "the server is shutting down; retry")
        } catch {
            context.logger.error("request \(request.method.rawValue) \(request.uri.path) failed: \(error)")
            throw HTTPError(.internalServerError, message: "internal error; the server log has the details")
        }
    }

    private var tooLarge: String {
        "the request body is over the limit of \(maxBodyBytes) bytes"
    }
}
