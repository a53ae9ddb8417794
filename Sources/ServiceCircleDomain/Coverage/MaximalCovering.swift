import Foundation

/// The maximal covering location problem (Church & ReVelle 1974): choose up to k sites among candidates so that the
/// weight (population) of the elements (demand points) within reach of a chosen site is largest.
///
/// The problem is NP-hard; ``greedy(sets:weights:k:)`` is the classic greedy heuristic, which adds the candidate with
/// the largest newly covered weight k times. Coverage is a monotone submodular function, so greedy is within a factor
/// 1 − (1 − 1/k)^k ≥ 1 − 1/e ≈ 63 % of the optimum (Nemhauser, Wolsey & Fisher 1978); in practice much closer.
/// ``optimum(sets:weights:k:)`` is the exact answer by enumeration, for tests and small instances.
public enum MaximalCovering {
    /// One chosen candidate and the weight it added when chosen.
    public struct Pick: Hashable, Sendable {
        public var candidate: Int
        public var gain: Int
    }

    /// Greedy: k rounds, each choosing the candidate that covers the most weight not yet covered (ties: lowest index).
    /// Stops early when nothing more can be gained. `sets[c]` lists the elements candidate c covers.
    ///
    /// Lazy evaluation (Minoux's accelerated greedy): a candidate's gain can only shrink as others are chosen, so its
    /// previous gain is an upper bound and most candidates are not re-evaluated.
    public static func greedy(sets: [[Int]], weights: [Int], k: Int) -> [Pick] {
        var covered = [Bool](repeating: false, count: weights.count)
        func gain(_ c: Int) -> Int { sets[c].reduce(0) { covered[$1] ? $0 : $0 + weights[$1] } }
        // Upper bounds, initially exact.
        var bound = sets.indices.map(gain)
        var fresh = [Int](repeating: 0, count: sets.count)   // round in which bound[c] was computed
        var picks: [Pick] = []
        var chosen = Set<Int>()
        for round in 0..<max(0, k) {
            var best = -1
            while true {
                // The candidate with the highest bound (ties: lowest index).
                var top = -1
                for c in sets.indices where !chosen.contains(c) {
                    if top < 0 || bound[c] > bound[top] { top = c }
                }
                guard top >= 0 else { break }
                if fresh[top] == round { best = top; break }
                bound[top] = gain(top)
                fresh[top] = round
            }
            guard best >= 0, bound[best] > 0 else { break }
            // No tie-break is needed: a lower-indexed candidate with the same gain would have a bound at least as
            // high, and would have been on top.
            picks.append(Pick(candidate: best, gain: bound[best]))
            chosen.insert(best)
            for e in sets[best] { covered[e] = true }
        }
        return picks
    }

    /// The exact optimum by enumerating every set of min(k, candidates) candidates: the best total weight and one
    /// set achieving it (the first in lexicographic order). Exponential: meant for small instances.
    public static func optimum(sets: [[Int]], weights: [Int], k: Int) -> (candidates: [Int], total: Int) {
        let n = sets.count
        let size = min(max(0, k), n)
        var best: [Int] = []
        var bestTotal = -1
        var stack: [Int] = []
        var count = [Int](repeating: 0, count: weights.count)
        var total = 0
        func visit(_ from: Int) {
            if stack.count == size {
                if total > bestTotal { bestTotal = total; best = stack }
                return
            }
            guard from < n, n - from >= size - stack.count else { return }
            for c in from..<n where n - c >= size - stack.count {
                for e in sets[c] {
                    if count[e] == 0 { total += weights[e] }
                    count[e] += 1
                }
                stack.append(c)
                visit(c + 1)
                stack.removeLast()
                for e in sets[c] {
                    count[e] -= 1
                    if count[e] == 0 { total -= weights[e] }
                }
            }
        }
        visit(0)
        return (best, max(0, bestTotal))
    }

    /// The total weight covered by a set of candidates.
    public static func coveredWeight(_ chosen: [Int], sets: [[Int]], weights: [Int]) -> Int {
        var seen = Set<Int>()
        for c in chosen { for e in sets[c] { seen.insert(e) } }
        return seen.reduce(0) { $0 + weights[$1] }
    }
}
