import Config
import Hummingbird
import Storage
import Synchronization

/// Answers 429 TOOMANYREQUESTS, with `Retry-After`, to requests over `http.ratelimit`.
///
/// It runs before authentication, as zot's limiter does, so that a flood of bad logins is
/// limited too.
struct RateLimitResponder<Next: HTTPResponder>: HTTPResponder where Next.Context == RegistryRequestContext {
    /// Nil when the config sets no limit: every request passes.
    let limiter: RateLimiter?
    let next: Next

    func respond(to request: Request, context: RegistryRequestContext) async throws -> Response {
        if let limiter, !limiter.admits(method: request.method.rawValue) {
            return OCIError(.tooManyRequests, detail: "rate limit exceeded", headers: [.retryAfter: "1"])
                .response(includeBody: request.method != .head)
        }
        return try await next.respond(to: request, context: context)
    }
}

/// The token buckets of one rate-limit configuration: one overall, one per limited method.
struct RateLimiter: Sendable {
    let overall: TokenBucket?
    let perMethod: [String: TokenBucket]

    init(_ config: RateLimitConfig) {
        overall = config.rate.map { TokenBucket(perSecond: $0) }
        perMethod = config.methodRates.mapValues { TokenBucket(perSecond: $0) }
    }

    /// Takes a token from the method's bucket, then from the overall one.
    func admits(method: String) -> Bool {
        if let bucket = perMethod[method], !bucket.take() { return false }
        return overall?.take() ?? true
    }
}

/// A token bucket refilled at `perSecond` tokens a second, holding at most one second's worth,
/// so a client may burst up to the rate and no further.
final class TokenBucket: Sendable {
    private struct State {
        var tokens: Double
        var refilled: ContinuousClock.Instant
    }

    private let perSecond: Double
    private let state: Mutex<State>

    init(perSecond: Int) {
        self.perSecond = Double(perSecond)
        self.state = Mutex(State(tokens: Double(perSecond), refilled: .now))
    }

    func take() -> Bool {
        let now = ContinuousClock.now
        return state.withLock { state in
            state.tokens = min(perSecond, state.tokens + (now - state.refilled).inSeconds * perSecond)
            state.refilled = now
            guard state.tokens >= 1 else { return false }
            state.tokens -= 1
            return true
        }
    }
}
