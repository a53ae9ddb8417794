import Logging
import NIOCore
import PostgresNIO

/// Every row of a query, read at the wire's pace and handed over only when the query is complete.
///
/// Why not PostgresNIO's streaming `query(_:logger:)`: when its consumer is slower than the rows arrive, the stream
/// pauses reading; if the server then closes the connection (PostgreSQL stopped or restarted mid-query), NIO 2
/// delivers the buffered bytes and a read-complete on EOF, and PostgresNIO 1.33.2 stops the process on a
/// precondition ("How can we receive a body part, after a channelReadComplete, but no read has been forwarded
/// yet"). Collecting with `PostgresConnection.query(_:logger:) -> EventLoopFuture` asks for more rows as soon as
/// some arrive, so the stream never pauses and an outage becomes an error, not a crash. Results are bounded by
/// their queries (pages, limits), so holding them whole costs little.
struct FetchedRows: Sendable, AsyncSequence {
    typealias Element = PostgresRow
    let rows: [PostgresRow]

    struct AsyncIterator: AsyncIteratorProtocol {
        var inner: IndexingIterator<[PostgresRow]>
        mutating func next() async throws -> PostgresRow? { inner.next() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(inner: rows.makeIterator()) }

    /// The rows decoded to a tuple of columns, as `PostgresRowSequence.decode` does.
    func decode<each Column: PostgresDecodable>(_ columns: (repeat each Column).Type, file: String = #fileID,
                                                line: Int = #line) -> DecodedRows<repeat each Column> {
        DecodedRows(rows: rows, file: file, line: line)
    }
}

/// ``FetchedRows`` decoded row by row.
struct DecodedRows<each Column: PostgresDecodable>: AsyncSequence {
    typealias Element = (repeat each Column)
    let rows: [PostgresRow]
    let file: String
    let line: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        var inner: IndexingIterator<[PostgresRow]>
        let file: String
        let line: Int
        mutating func next() async throws -> (repeat each Column)? {
            guard let row = inner.next() else { return nil }
            return try row.decode((repeat each Column).self, file: file, line: line)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(inner: rows.makeIterator(), file: file, line: line) }
}

extension PostgresConnection {
    /// Runs `query` and collects every row without back-pressure (see ``FetchedRows``).
    func fetch(_ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line) async throws -> FetchedRows {
        FetchedRows(rows: try await self.query(query, logger: logger, file: file, line: line).get().rows)
    }
}

extension PostgresClient {
    /// Runs `query` on a pooled connection and collects every row without back-pressure (see ``FetchedRows``).
    func fetch(_ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line) async throws -> FetchedRows {
        try await withConnection { conn in try await conn.fetch(query, logger: logger, file: file, line: line) }
    }
}
