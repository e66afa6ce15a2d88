import NetFilterSema

/// Brings a plan down to ``KernelPlan/maxClauses`` bits by merging clauses into their hull: per field,
/// the union of what both accept, and no constraint where either has none. The hull accepts every
/// event either clause accepts, so merging never loses a match; it only widens what passes.
///
/// Pairs are chosen cheapest first: clauses of the same filter before clauses of different filters,
/// and clauses that differ in one field (whose hull is exactly their union) before others.
struct ClauseMerging {
  /// Above this many clauses, only neighbours in a sorted order are considered for merging.
  static let exhaustiveLimit = 512

  /// The clauses, merged down to `limit`.
  private(set) var clauses: [Clause]
  /// Filters whose kernel answer became wider than their lowered formula.
  private(set) var approximated = Set<Int>()

  init(_ clauses: [Clause], limit: Int) {
    self.clauses = clauses
    while self.clauses.count > limit { mergeRound(excess: self.clauses.count - limit) }
  }

  /// Merges up to `excess` disjoint pairs, cheapest first.
  private mutating func mergeRound(excess: Int) {
    var pairs: [(cost: Int, first: Int, second: Int)] = []
    if clauses.count <= Self.exhaustiveLimit {
      for i in clauses.indices {
        for j in clauses.indices where j > i { pairs.append((Self.cost(clauses[i], clauses[j]), i, j)) }
      }
    } else {
      let order = clauses.indices.sorted { Self.signature(clauses[$0]) < Self.signature(clauses[$1]) }
      for (i, j) in zip(order, order.dropFirst()) {
        pairs.append((Self.cost(clauses[i], clauses[j]), min(i, j), max(i, j)))
      }
    }
    pairs.sort { ($0.cost, $0.first, $0.second) < ($1.cost, $1.first, $1.second) }
    var merged: [Int: Clause] = [:]
    var absorbed = Set<Int>()
    for pair in pairs where merged.count < excess {
      guard merged[pair.first] == nil, merged[pair.second] == nil, !absorbed.contains(pair.first),
        !absorbed.contains(pair.second)
      else { continue }
      let (a, b) = (clauses[pair.first], clauses[pair.second])
      if !Self.isLossless(a, b) { approximated.formUnion(a.filters.union(b.filters)) }
      merged[pair.first] = Self.hull(a, b)
      absorbed.insert(pair.second)
    }
    clauses = clauses.indices.compactMap { absorbed.contains($0) ? nil : merged[$0] ?? clauses[$0] }
  }

  /// The smallest clause accepting everything `a` or `b` accepts.
  static func hull(_ a: Clause, _ b: Clause) -> Clause {
    var fields: [KernelKey: FieldConstraint] = [:]
    for (key, constraint) in a.fields {
      guard let other = b.fields[key] else { continue }
      let union = constraint.union(other)
      if !union.isTrivial { fields[key] = union }
    }
    return Clause(fields: fields, filters: a.filters.union(b.filters))
  }

  /// Whether the hull of `a` and `b` accepts exactly what `a` or `b` accepts, for each filter.
  static func isLossless(_ a: Clause, _ b: Clause) -> Bool {
    isLossless(a, b, differing: differences(a, b).differing)
  }

  private static func isLossless(_ a: Clause, _ b: Clause, differing: Int) -> Bool {
    differing == 0 || (differing == 1 && a.filters == b.filters)
  }

  /// How much merging `a` and `b` widens the plan: a different filter costs most, then each field
  /// whose constraint is lost or widened.
  static func cost(_ a: Clause, _ b: Clause) -> Int {
    let (differing, dropped) = differences(a, b)
    let widened = isLossless(a, b, differing: differing) ? 0 : differing * differing * 10 + dropped * 5
    return (a.filters == b.filters ? 0 : 1_000_000) + widened
  }

  private static func differences(_ a: Clause, _ b: Clause) -> (differing: Int, dropped: Int) {
    var differing = 0
    var dropped = 0
    for key in Set(a.fields.keys).union(b.fields.keys) where a.fields[key] != b.fields[key] {
      differing += 1
      if a.fields[key] == nil || b.fields[key] == nil { dropped += 1 }
    }
    return (differing, dropped)
  }

  /// A sort key that puts clauses of the same filters and fields next to each other.
  private static func signature(_ clause: Clause) -> String {
    clause.filters.sorted().map(String.init).joined(separator: ",") + "|"
      + clause.fields.keys.map(\.rawValue).sorted().joined(separator: ",")
  }
}
