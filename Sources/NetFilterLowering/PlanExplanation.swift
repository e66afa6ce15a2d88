import NetFilterSema
import NetFilterSyntax

/// Readable constraints of a clause: `dport in (53, 8000..8999)`, `comm = 'curl'`.
enum ClauseText {
  /// The kernel's names of the fields, in table order.
  static let names: [(KernelKey, String)] = [
    (.eventKind, "kind"), (.l4Protocol, "proto"), (.direction, "direction"), (.sourceAddress, "saddr"),
    (.destinationAddress, "daddr"), (.sourcePort, "sport"), (.destinationPort, "dport"), (.pid, "pid"),
    (.tid, "tid"), (.comm, "comm"), (.cgroupID, "cgroup"),
  ]

  static func constraints(_ clause: Clause) -> [String] {
    names.compactMap { key, name in clause.fields[key].map { text(name, key, $0) } }
  }

  private static func text(_ name: String, _ key: KernelKey, _ constraint: FieldConstraint) -> String {
    let body: String
    switch constraint.values {
    case .ports(let set):
      let complement = set.complement
      let negated = complement.ranges.count < set.ranges.count
      let ranges = (negated ? complement : set).ranges
      body = membership(name, negated, ranges.map(port), single: ranges.count == 1 && ranges[0].count == 1)
    case .numbers(let set): body = membership(name, set.complemented, set.values.sorted().map { number(key, $0) })
    case .strings(let set):
      body = membership(name, set.complemented, set.values.sorted().map { Printer.quote(StringLiteral($0)) })
    case .addresses(let set): body = addresses(name, set)
    }
    return constraint.acceptsMissing ? "(\(body) or missing)" : body
  }

  /// `name = x`, `name != x`, `name in (…)`, `name not in (…)`.
  private static func membership(_ name: String, _ negated: Bool, _ items: [String], single: Bool = true) -> String {
    if items.count == 1, single { return "\(name) \(negated ? "!=" : "=") \(items[0])" }
    return "\(name) \(negated ? "not in" : "in") (\(items.joined(separator: ", ")))"
  }

  private static func addresses(_ name: String, _ set: PrefixSet) -> String {
    let listed = set.entries.keys.sorted()
    let same = listed.filter { set.entries[$0] != set.fallback }
    let other = listed.filter { set.entries[$0] == set.fallback }
    let single = same.count == 1 && same[0].length == 128
    let main = membership(name, set.fallback, same.map(prefix), single: single)
    return other.isEmpty ? main : main + " except (\(other.map(prefix).joined(separator: ", ")))"
  }

  /// A prefix as a CIDR, or as an address when it is one.
  static func prefix(_ prefix: Prefix128) -> String {
    prefix.length == 128 ? prefix.cidr.address.description : prefix.cidr.description
  }

  static func port(_ range: ClosedRange<UInt16>) -> String {
    range.count == 1 ? "\(range.lowerBound)" : "\(range.lowerBound)..\(range.upperBound)"
  }

  /// A number of a field, named where the field has names (protocols, directions, kinds).
  static func number(_ key: KernelKey, _ value: UInt64) -> String {
    switch key {
    case .l4Protocol:
      let names: [UInt64: String] = [6: "TCP", 17: "UDP", 1: "ICMP", 58: "ICMPv6"]
      return names[value] ?? "\(value)"
    case .direction: return value == 1 ? "ingress" : value == 2 ? "egress" : "\(value)"
    case .eventKind: return KernelEventKind(rawValue: UInt8(truncatingIfNeeded: value))?.description ?? "\(value)"
    default: return "\(value)"
    }
  }
}

/// The text `netfilter check --explain` prints: the clauses, every table, what stays in user space
/// and the residue of each filter.
public enum PlanExplanation {
  /// The explanation of `plan`; `sources` are the filters' texts (for headings when there are several).
  public static func text(_ plan: KernelPlan, sources: [String] = []) -> String {
    var lines = ["kernel plan: \(plan.clauses.count) clause\(plan.clauses.count == 1 ? "" : "s")"]
    if plan.clauses.isEmpty { lines.append("  (no event can match: the kernel passes nothing)") }
    if plan.passesEverything { lines.append("  (a clause constrains nothing: the kernel passes every event)") }
    for (index, clause) in plan.clauses.enumerated() {
      let owners =
        plan.filterMasks.count > 1 ? " (filter \(clause.filters.map(String.init).joined(separator: ", ")))" : ""
      let body = clause.constraints.isEmpty ? "any event" : clause.constraints.joined(separator: " and ")
      lines.append("  clause \(index)\(owners): \(body)")
    }
    let tables = tableLines(plan)
    if !tables.isEmpty { lines += ["maps:"] + tables }
    for filter in plan.filterMasks.indices {
      lines += filterLines(plan, filter, source: filter < sources.count ? sources[filter] : nil)
    }
    return lines.joined(separator: "\n") + "\n"
  }

  private static func filterLines(_ plan: KernelPlan, _ filter: Int, source: String?) -> [String] {
    let several = plan.filterMasks.count > 1
    var lines: [String] = []
    if several { lines.append("filter \(filter)" + (source.map { ": \($0)" } ?? "")) }
    let indent = several ? "  " : ""
    let remarks = plan.remarks.filter { $0.filter == filter }
    if !remarks.isEmpty {
      lines.append(indent + "left to user space:")
      lines += remarks.map { indent + "  \($0.source): \($0.reason)" }
    }
    let residue = plan.residues[filter]
    lines.append(
      indent + "residue: "
        + (residue.isEmpty
          ? "none (the kernel decides it; user space still re-checks every event that passes)" : residue)
    )
    return lines
  }

  private static func tableLines(_ plan: KernelPlan) -> [String] {
    var lines: [String] = []
    func add(_ title: String, _ entries: [(String, UInt64)], otherwise: UInt64, missing: UInt64) {
      lines.append("  \(title):")
      for (key, mask) in entries + [("otherwise", otherwise), ("missing", missing)] {
        lines.append("    \(key) -> \(bits(mask))")
      }
    }
    func exact<V>(_ title: String, _ table: ExactTable<V>?, _ key: (V) -> String, _ order: (V, V) -> Bool) {
      guard let table else { return }
      let entries = table.entries.keys.sorted(by: order).map { (key($0), table.entries[$0]!) }
      add(title, entries, otherwise: table.otherwise, missing: table.missing)
    }
    exact("kind", plan.eventKind, { ClauseText.number(.eventKind, UInt64($0)) }, <)
    exact("proto", plan.l4Protocol, { ClauseText.number(.l4Protocol, UInt64($0)) }, <)
    exact("direction", plan.direction, { ClauseText.number(.direction, UInt64($0)) }, <)
    for (title, table) in [("saddr (LPM trie)", plan.sourceAddress), ("daddr (LPM trie)", plan.destinationAddress)] {
      guard let table else { continue }
      let entries = table.prefixes.map { (ClauseText.prefix(Prefix128($0.0)), $0.1) }
      add(title, entries, otherwise: table.otherwise, missing: table.missing)
    }
    for (title, table) in [("sport (port array)", plan.sourcePort), ("dport (port array)", plan.destinationPort)] {
      guard let table else { continue }
      add(title, table.ranges.map { (ClauseText.port($0.0), $0.1) }, otherwise: table.otherwise, missing: table.missing)
    }
    exact("pid (hash)", plan.pid, { "\($0)" }, <)
    exact("tid (hash)", plan.tid, { "\($0)" }, <)
    exact("comm (hash)", plan.comm, { Printer.quote(StringLiteral($0)) }, <)
    exact("cgroup (hash)", plan.cgroupID, { "\($0)" }, <)
    return lines
  }

  /// A mask as clause numbers: `{0, 2}`, or `none`.
  static func bits(_ mask: UInt64) -> String {
    if mask == 0 { return "none" }
    return "{" + (0..<64).filter { mask & (UInt64(1) << UInt64($0)) != 0 }.map(String.init).joined(separator: ", ")
      + "}"
  }
}
