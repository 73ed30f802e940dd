import Foundation
import Hummingbird

/// Hummingbird's basic context, with a JSON encoder that leaves `/` unescaped, so error messages read
/// `no endpoint /api/v2` rather than `\/api\/v2`.
struct APIRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    var responseEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }
}
