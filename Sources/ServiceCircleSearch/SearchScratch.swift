import ServiceCircleDomain
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The buffers of a nearest search, kept per thread between searches: a search is synchronous, so it takes its
/// thread's buffers, fills them and gives them back emptied, and the next search on that thread allocates
/// nothing for them. (At thousands of searches a second, the allocator's work on these multi-kilobyte buffers
/// was a measurable part of a search.)
final class SearchScratch {
    var cells: [(bound: Double, cell: Int32)] = []
    var ring: [(approx: Double, at: Int32)] = []
    var entries: [OutletGrid.Entry] = []
    var now: [Nearest.TimeVerdict?] = []

    static let key: pthread_key_t = {
        var key = pthread_key_t()
        #if os(Linux)
        pthread_key_create(&key) { p in if let p { Unmanaged<SearchScratch>.fromOpaque(p).release() } }
        #else
        pthread_key_create(&key) { p in Unmanaged<SearchScratch>.fromOpaque(p).release() }
        #endif
        return key
    }()

    /// This thread's buffers, taken (a search that starts another on the same thread gets fresh ones).
    static func take() -> SearchScratch {
        if let p = pthread_getspecific(key) {
            pthread_setspecific(key, nil)
            return Unmanaged<SearchScratch>.fromOpaque(p).takeRetainedValue()
        }
        return SearchScratch()
    }

    /// Empties the buffers and keeps them for this thread's next search, unless an exceptional search grew them.
    func giveBack() {
        guard entries.capacity <= 1 << 14, ring.capacity <= 1 << 14, cells.capacity <= 1 << 14 else { return }
        cells.removeAll(keepingCapacity: true)
        ring.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
        now.removeAll(keepingCapacity: true)
        pthread_setspecific(Self.key, Unmanaged.passRetained(self).toOpaque())
    }
}
