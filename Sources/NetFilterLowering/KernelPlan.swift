import NetFilterDiagnostics
import NetFilterSema
import NetFilterSyntax

/// One bit of a kernel plan: a conjunction of constraints on kernel fields.
public struct KernelClause: Sendable, Equatable {
  /// The filters whose answer includes the clause's bit (several after clauses of different filters
  /// were merged).
  public var filters: [Int]
  /// What the clause demands, one readable constraint per field (`dport in (53)`); empty when the
  /// clause accepts every event.
  public var constraints: [String]

  /// Creates a clause description.
  public init(filters: [Int], constraints: [String]) {
    self.filters = filters
    self.constraints = constraints
  }
}

/// A part of a filter the kernel does not decide exactly, and why.
public struct KernelRemark: Sendable, Equatable {
  /// The filter (its index in the lowered list).
  public var filter: Int
  /// Where the part is in the filter's source, when known (parts expanded from macros point into the
  /// macro's text).
  public var range: SourceRange?
  /// The part, as source text.
  public var source: String
  /// Why the kernel does not decide it.
  public var reason: String
}

/// What the kernel program tests before an event reaches user space: clauses (one bit each) and,
/// per field, a table giving each value the mask of the clauses that accept it.
///
/// An event's result starts at ``allClauses``; every non-nil table AND-s in the mask of the event's
/// value (``evaluate(_:)``); the event passes when the result is non-zero, and
/// ``filters(matching:)`` says which filters may match it. The plan over-approximates: it passes
/// every event a filter matches (the offload's invariant), and user space re-checks the whole filter.
public struct KernelPlan: Sendable, Equatable {
  /// The most clauses a plan has (the masks are 64-bit).
  public static let maxClauses = 64
  /// The most clauses one filter's DNF may have before sub-expressions are replaced by "no constraint".
  public static let maxClausesPerFilter = 256

  /// Clause `i` is bit `i`.
  public var clauses: [KernelClause]
  /// `filterMasks[f]`: the bits of filter `f` (0 when the filter can never match).
  public var filterMasks: [UInt64]
  /// Every clause's bit.
  public var allClauses: UInt64
  /// Whether some clause constrains nothing: the kernel must not filter at all.
  public var passesEverything: Bool

  /// Port tables; `nil` when no clause constrains the field (the kernel skips the lookup).
  public var sourcePort, destinationPort: PortTable?
  /// Address tables (LPM tries).
  public var sourceAddress, destinationAddress: AddressTable?
  /// IP protocol numbers (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6).
  public var l4Protocol: ExactTable<UInt8>?
  /// Packet direction (1 ingress, 2 egress).
  public var direction: ExactTable<UInt8>?
  /// Event kinds, by ``KernelEventKind`` raw value.
  public var eventKind: ExactTable<UInt8>?
  /// Process (thread-group) and thread ids.
  public var pid, tid: ExactTable<UInt32>?
  /// The thread-group leader's comm (at most 15 bytes).
  public var comm: ExactTable<String>?
  /// cgroup v2 ids.
  public var cgroupID: ExactTable<UInt64>?

  /// What stays in user space and why.
  public var remarks: [KernelRemark]
  /// Per filter, the top-level conjuncts the kernel does not decide exactly, as source text joined
  /// with `and`; empty when the kernel decides the whole filter (user space re-checks it anyway).
  public var residues: [String]

  /// The clauses that accept an event, as the kernel program computes them (a model of it).
  public func evaluate(_ view: KernelView) -> UInt64 {
    var result = allClauses
    let all = allClauses
    if let table = sourcePort { result &= table.mask(view.sourcePort, all: all) }
    if let table = destinationPort { result &= table.mask(view.destinationPort, all: all) }
    if let table = sourceAddress { result &= table.mask(view.sourceAddress, all: all) }
    if let table = destinationAddress { result &= table.mask(view.destinationAddress, all: all) }
    if let table = l4Protocol { result &= table.mask(view.l4Protocol, all: all) }
    if let table = direction { result &= table.mask(view.direction, all: all) }
    if let table = eventKind { result &= table.mask(view.eventKindValue, all: all) }
    if let table = pid { result &= table.mask(view.pid, all: all) }
    if let table = tid { result &= table.mask(view.tid, all: all) }
    if let table = comm { result &= table.mask(view.comm, all: all) }
    if let table = cgroupID { result &= table.mask(view.cgroupID, all: all) }
    return result
  }

  /// The filters that may match an event whose result is `mask`.
  public func filters(matching mask: UInt64) -> [Int] {
    filterMasks.indices.filter { filterMasks[$0] & mask != 0 }
  }

  /// Whether the kernel decides filter `filter` exactly (its residue is empty).
  public func isExact(filter: Int) -> Bool { residues[filter].isEmpty }
}

extension KernelPlan {
  /// Lowers several filters into one plan; the result's bits say which of them may match.
  ///
  /// With `mergingAcrossFilters` (a rule set, whose rules user space tells apart by itself), clauses
  /// of different filters that differ in one field merge into their union first: the plan passes
  /// the same events with fewer bits, and a bit may answer for several filters.
  public static func lower(_ filters: [CheckedExpr], mergingAcrossFilters: Bool = false) -> KernelPlan {
    var lowered = filters.enumerated().map { FilterLowering($1, filter: $0, cap: maxClausesPerFilter) }
    let merging = ClauseMerging(lowered.flatMap(\.clauses), limit: maxClauses, acrossFilters: mergingAcrossFilters)
    for filter in merging.approximated.sorted() {
      lowered[filter].approximateAll(
        mergingAcrossFilters
          ? "its clauses were merged with other filters' into one bit"
          : "clauses were merged to fit \(maxClauses) kernel bits"
      )
    }
    let clauses = merging.clauses
    let tables = TableBuilding(clauses: clauses)
    var filterMasks = [UInt64](repeating: 0, count: filters.count)
    for (index, clause) in clauses.enumerated() {
      for filter in clause.filters { filterMasks[filter] |= UInt64(1) << UInt64(index) }
    }
    return KernelPlan(
      clauses: clauses.map { KernelClause(filters: $0.filters.sorted(), constraints: ClauseText.constraints($0)) },
      filterMasks: filterMasks,
      allClauses: filterMasks.reduce(0, |),
      passesEverything: clauses.contains { $0.fields.isEmpty },
      sourcePort: tables.ports(.sourcePort),
      destinationPort: tables.ports(.destinationPort),
      sourceAddress: tables.addresses(.sourceAddress),
      destinationAddress: tables.addresses(.destinationAddress),
      l4Protocol: tables.exact(.l4Protocol) { $0.numbers.narrowed(to: UInt8.self) },
      direction: tables.exact(.direction) { $0.numbers.narrowed(to: UInt8.self) },
      eventKind: tables.exact(.eventKind) { $0.numbers.narrowed(to: UInt8.self) },
      pid: tables.exact(.pid) { $0.numbers.narrowed(to: UInt32.self) },
      tid: tables.exact(.tid) { $0.numbers.narrowed(to: UInt32.self) },
      comm: tables.exact(.comm) { $0.strings },
      cgroupID: tables.exact(.cgroupID) { $0.numbers },
      remarks: lowered.flatMap(\.remarks),
      residues: lowered.map(\.residue)
    )
  }

  /// Lowers one filter.
  public static func lower(_ filter: CheckedExpr) -> KernelPlan { lower([filter]) }
}
