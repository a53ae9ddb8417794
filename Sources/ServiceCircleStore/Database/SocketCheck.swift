import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Whether a database address refuses connections right now: a Unix socket file that is missing or not listened
/// on, or a TCP port answering with a reset. Only a definite refusal counts: a connect that is slow or times out
/// (250 ms) is not a refusal (the server may be busy). One short-lived socket; nothing is sent.
enum SocketCheck {
    static let refusals: Set<Int32> = [ECONNREFUSED, ENOENT, ENETUNREACH, EHOSTUNREACH, ECONNRESET]

    static func refused(_ endpoint: DatabaseLocation.Endpoint) -> Bool {
        switch endpoint {
        case .unixSocket(let path): return unixRefused(path)
        case .tcp(let host, let port): return tcpRefused(host: host, port: port)
        }
    }

    static func unixRefused(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { return false }
        withUnsafeMutableBytes(of: &addr.sun_path) { buf in
            for (i, b) in bytes.enumerated() { buf[i] = b }
            buf[bytes.count] = 0
        }
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return r != 0 && refusals.contains(errno)
    }

    static func tcpRefused(host: String, port: Int) -> Bool {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else { return false }
        defer { freeaddrinfo(list) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let flags = fcntl(fd, F_GETFL, 0)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        if connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 { return false }
        if refusals.contains(errno) { return true }
        guard errno == EINPROGRESS else { return false }
        var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        guard poll(&p, 1, 250) == 1 else { return false }
        var err: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len)
        return refusals.contains(err)
    }
}
