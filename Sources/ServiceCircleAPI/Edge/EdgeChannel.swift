import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// The connection limits of ``EdgeHTTP1Channel``.
public struct ConnectionLimits: Sendable {
    /// A connection with no request in progress is closed after this long without traffic.
    public var idleTimeout: Duration
    /// Once a request's first byte arrives, its head must be complete within this; else 408 and close.
    public var headerTimeout: Duration
    /// After SIGTERM, how long an idle keep-alive connection stays open for a request already on its way.
    public var drainGrace: Duration

    public init(idleTimeout: Duration, headerTimeout: Duration, drainGrace: Duration = .seconds(1)) {
        self.idleTimeout = idleTimeout
        self.headerTimeout = headerTimeout
        self.drainGrace = drainGrace
    }
}

/// Hummingbird's HTTP/1.1 channel with two small handlers of ours around NIO's HTTP parser:
///
/// ```
/// socket ⇄ RequestHeadGuard ⇄ HTTPResponseEncoder/HTTPRequestDecoder ⇄ EdgeHTTPHandler ⇄ Hummingbird (idle timeout, router)
/// ```
///
/// - `RequestHeadGuard` (raw bytes, before the parser) notes where a request's head starts, arms the header
///   timeout only when a head does not arrive in one read (so a normal request schedules no timer), tells a long
///   request line (414) from long headers (431), and percent-encodes raw UTF-8 in the request line, which the
///   parser would refuse (`GET /v1/outlets?q=黄陂` reads as `q=%E9%BB%84%E9%99%82`).
/// - `EdgeHTTPHandler` (parsed parts) turns the parser's errors into problem+json 400/414/431 and a header timeout
///   into 408, where Hummingbird answers an empty 400; and after SIGTERM (NIO's quiesce event) puts
///   `Connection: close` on every response, so that a keep-alive client does not send its next request into a
///   connection about to close.
struct EdgeHTTP1Channel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = HTTP1Channel.Value
    let inner: HTTP1Channel
    let limits: ConnectionLimits

    init(responder: @escaping HTTPChannelHandler.Responder, limits: ConnectionLimits) {
        self.inner = HTTP1Channel(responder: responder, configuration: .init(idleTimeout: .init(limits.idleTimeout)))
        self.limits = limits
    }

    var responder: HTTPChannelHandler.Responder { inner.responder }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let state = EdgeConnectionState()
            let back = EdgeHTTPHandler(state: state, drainGrace: TimeAmount(limits.drainGrace), logger: logger)
            let front = RequestHeadGuard(state: state, back: back, headerTimeout: TimeAmount(limits.headerTimeout))
            let ops = channel.pipeline.syncOperations
            let decoder = try ops.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try ops.addHandler(back, position: .after(decoder))
            try ops.addHandler(front, position: .first)
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with the service's connection limits and edge handlers (``EdgeHTTP1Channel``).
    static func edgeHTTP1(_ limits: ConnectionLimits) -> HTTPServerBuilder {
        .init { responder in EdgeHTTP1Channel(responder: responder, limits: limits) }
    }
}

/// What the two handlers of one connection share (both run on the connection's event loop).
final class EdgeConnectionState {
    enum Phase { case idle, head, request }
    /// `idle` between requests; `head` from a request's first byte until its head is parsed; `request` until both
    /// the request has been read and its response written.
    var phase = Phase.idle
    /// The request line of the current head has ended (its LF was seen), and how long it is (so far): a header
    /// overflow is 414 when the line is not complete or is itself over the limit, else 431.
    var requestLineComplete = false
    var requestLineLength = 0
    /// Requests whose head was parsed and whose end was not read yet / whose response end was not written yet.
    var requestsOpen = 0
    var responsesOpen = 0
    /// SIGTERM: every response from now on says `Connection: close`.
    var draining = false

    func settle() {
        if requestsOpen == 0, responsesOpen == 0 { phase = .idle }
    }
}

/// Raw bytes, before NIO's HTTP parser (see ``EdgeHTTP1Channel``).
final class RequestHeadGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    let state: EdgeConnectionState
    let back: EdgeHTTPHandler
    let headerTimeout: TimeAmount
    var timer: Scheduled<Void>?

    init(state: EdgeConnectionState, back: EdgeHTTPHandler, headerTimeout: TimeAmount) {
        self.state = state
        self.back = back
        self.headerTimeout = headerTimeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var data = data
        if state.phase == .idle {
            state.phase = .head
            state.requestLineComplete = false
            state.requestLineLength = 0
        }
        if state.phase == .head, !state.requestLineComplete {
            let buffer = Self.unwrapInboundIn(data)
            if let rewritten = scanRequestLine(buffer, allocator: context.channel.allocator) {
                data = Self.wrapInboundOut(rewritten)
            }
        }
        // The parser runs inside this call: a head that arrived whole is parsed (phase `request`) before it returns.
        context.fireChannelRead(data)
        if state.phase == .head, timer == nil {
            let loop = context.eventLoop
            timer = loop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: headerTimeout) { [self] in
                timer = nil
                if state.phase == .head { back.headerTimedOut() }
            }
        } else if state.phase != .head, let t = timer {
            t.cancel()
            timer = nil
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    /// Looks for the end of the request line; bytes ≥ 0x80 before it (raw UTF-8 in the target) are percent-encoded
    /// into a new buffer, which is returned. Nil: the buffer is passed on as it is (the usual case, no allocation).
    func scanRequestLine(_ buffer: ByteBuffer, allocator: ByteBufferAllocator) -> ByteBuffer? {
        let (lineEnd, sawHigh) = buffer.withUnsafeReadableBytes { bytes -> (Int?, Bool) in
            var high = false
            for (i, b) in bytes.enumerated() {
                if b == UInt8(ascii: "\n") { return (i, high) }
                if b >= 0x80 { high = true }
            }
            return (nil, high)
        }
        state.requestLineLength += lineEnd ?? buffer.readableBytes
        if lineEnd != nil { state.requestLineComplete = true }
        guard sawHigh else { return nil }
        let cut = lineEnd ?? buffer.readableBytes
        var out = allocator.buffer(capacity: buffer.readableBytes + 64)
        let hex = Array("0123456789ABCDEF".utf8)
        buffer.withUnsafeReadableBytes { bytes in
            for b in bytes[..<cut] {
                if b >= 0x80 {
                    out.writeInteger(UInt8(ascii: "%"))
                    out.writeInteger(hex[Int(b >> 4)])
                    out.writeInteger(hex[Int(b & 0x0F)])
                } else {
                    out.writeInteger(b)
                }
            }
            out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[cut...]))
        }
        return out
    }
}

/// Parsed request parts and response parts, right after NIO's parser (see ``EdgeHTTP1Channel``).
final class EdgeHTTPHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    let state: EdgeConnectionState
    let logger: Logger
    let drainGrace: TimeAmount
    var context: ChannelHandlerContext?

    init(state: EdgeConnectionState, drainGrace: TimeAmount, logger: Logger) {
        self.state = state
        self.drainGrace = drainGrace
        self.logger = logger
    }

    /// NIO's limit for one header field and for the whole head (Hummingbird's default decoder configuration).
    static var headLimit: Int { 80 * 1024 }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch Self.unwrapInboundIn(data) {
        case .head:
            state.phase = .request
            state.requestsOpen += 1
            state.responsesOpen += 1
        case .body: break
        case .end:
            state.requestsOpen = max(0, state.requestsOpen - 1)
            state.settle()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch Self.unwrapOutboundIn(data) {
        case .head(var head) where state.draining && head.status.code >= 200:
            head.headers.replaceOrAdd(name: "connection", value: "close")
            context.write(Self.wrapOutboundOut(.head(head)), promise: promise)
            return
        case .end:
            state.responsesOpen = max(0, state.responsesOpen - 1)
            state.settle()
        default: break
        }
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent, !state.draining {
            state.draining = true
            if state.phase == .idle, drainGrace > .zero {
                // Hummingbird closes an idle connection at once, but its client may have a request on the way (it is
                // in the socket, not read yet): give it a moment to arrive and be answered with Connection: close.
                context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: drainGrace) {
                    context.fireUserInboundEventTriggered(event)
                }
                return
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A response is owed to a parsed request: Hummingbird answers it and closes; the error is its to see.
        guard let parserError = error as? HTTPParserError, state.responsesOpen == 0 else {
            context.fireErrorCaught(error)
            return
        }
        let problem: Problem
        switch parserError {
        case .headerOverflow where !state.requestLineComplete || state.requestLineLength > Self.headLimit:
            problem = Problem(status: .uriTooLong,
                              detail: "the request line is longer than the server reads (80 KB); send fewer or shorter query parameters")
        case .headerOverflow:
            problem = Problem(status: .requestHeaderFieldsTooLarge,
                              detail: "the request's headers are larger than the server reads (80 KB in all, 80 KB for one field)")
        default:
            problem = Problem(status: .badRequest, detail: "the request is not valid HTTP/1.1 (\(parserError)); the connection is closed")
        }
        logger.debug("refused an unparsable request", metadata: ["error": "\(parserError)", "status": "\(problem.statusCode)"])
        sendAndClose(problem, context: context)
    }

    /// The header timeout fired with a head still incomplete.
    func headerTimedOut() {
        guard let context, state.phase == .head, state.responsesOpen == 0 else { return }
        sendAndClose(Problem(status: .requestTimeout, detail: "the request's head did not arrive in time; the connection is closed"),
                     context: context)
    }

    func sendAndClose(_ problem: Problem, context: ChannelHandlerContext) {
        let body = (try? JSONEncoder().encode(problem)) ?? Data()
        var buffer = context.channel.allocator.buffer(capacity: body.count)
        buffer.writeBytes(body)
        let headers = HTTPHeaders([("Content-Type", "application/problem+json; charset=utf-8"),
                                   ("Content-Length", String(body.count)), ("Connection", "close")])
        state.responsesOpen = 1  // nothing else may answer on this connection now
        context.write(Self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: problem.statusCode),
                                                                   headers: headers))), promise: nil)
        context.write(Self.wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(Self.wrapOutboundOut(.end(nil)), promise: written)
        written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
