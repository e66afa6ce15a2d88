import NetFilterSema
import NetFilterSyntax

/// Reads one operand of a comparison from an event.
typealias Reader<E> = @Sendable (E) -> FieldValue

/// Turns a checked tree into closures, resolving each field once.
struct Planner<E: Event> {
  /// The schema bare event names are tested against (`evt.kinds`, `evt.name`).
  let schema: Schema
  private(set) var keys: [FieldKey] = []
  /// What the accessors of the fields read so far cost the source.
  private(set) var needs: FieldNeeds = []
  private var index: [FieldBinding: Int] = [:]
  /// Where `$alias.field` operands read their values (sequence steps); `nil` reads them as missing.
  let bound: BoundValues?

  init(schema: Schema, bound: BoundValues? = nil) {
    self.schema = schema
    self.bound = bound
  }

  /// The key of `binding`, registering it on first use.
  mutating func key(_ binding: FieldBinding) -> FieldKey {
    if let id = index[binding] { return keys[id] }
    let key = FieldKey(id: keys.count, binding: binding)
    index[binding] = key.id
    keys.append(key)
    return key
  }

  /// A closure reading `binding`: the event type's accessor, or its ``Event/value(of:)``.
  mutating func field(_ binding: FieldBinding) -> Reader<E> {
    let key = key(binding)
    guard let accessor = E.accessor(for: binding) else { return { $0.value(of: key) } }
    needs.formUnion(accessor.needs)
    return accessor.read
  }

  mutating func plan(_ expr: CheckedExpr) -> Predicate<E> {
    switch expr {
    case .constant(let value): return { _ in value }
    case .and(let operands): return conjunction(operands.map { plan($0) })
    case .or(let operands):
      if operands.count >= Self.indexedDisjunction, let indexed = indexedDisjunction(operands) { return indexed }
      return disjunction(operands.map { plan($0) })
    case .not(let operand):
      let inner = plan(operand)
      return { !inner($0) }
    case .event(let name): return eventKind(name)
    case .truth(let operand):
      let read = reader(operand)
      return { if case .bool(true) = read($0) { true } else { false } }
    case .comparison(let comparison):
      let test: Predicate<E> = plan(comparison)
      if comparison.negated { return { !test($0) } }
      return test
    }
  }

  private func conjunction(_ parts: [Predicate<E>]) -> Predicate<E> {
    switch parts.count {
    case 0: return { _ in true }
    case 1: return parts[0]
    case 2:
      let (a, b) = (parts[0], parts[1])
      return { a($0) && b($0) }
    case 3:
      let (a, b, c) = (parts[0], parts[1], parts[2])
      return { a($0) && b($0) && c($0) }
    default:
      return { event in parts.allSatisfy { $0(event) } }
    }
  }

  private func disjunction(_ parts: [Predicate<E>]) -> Predicate<E> {
    switch parts.count {
    case 0: return { _ in false }
    case 1: return parts[0]
    case 2:
      let (a, b) = (parts[0], parts[1])
      return { a($0) || b($0) }
    case 3:
      let (a, b, c) = (parts[0], parts[1], parts[2])
      return { a($0) || b($0) || c($0) }
    default:
      return { event in parts.contains { $0(event) } }
    }
  }

  /// The fewest operands of an `or` worth an index: below it, testing them in turn is as cheap.
  static var indexedDisjunction: Int { 8 }

  /// A long `or` tested through a ``ConditionIndex`` of its operands: only the operands whose
  /// witnesses an event holds (equal values on one field merge into one lookup, prefixes into
  /// one table, substrings into one scan) and those without a witness are tested. `nil` when
  /// nothing can be indexed.
  private mutating func indexedDisjunction(_ operands: [CheckedExpr]) -> Predicate<E>? {
    let index = ConditionIndex(operands.map { [$0] })
    guard index.always.count < operands.count else { return nil }
    let predicates = operands.map { plan($0) }
    let readers = index.readFields(schema).map { field($0) }
    let always = index.always
    return { event in
      for operand in always where predicates[operand](event) { return true }
      var found = false
      index.forEachCandidate(of: event, reading: readers) { operand in
        found = predicates[operand](event)
        return !found
      }
      return found
    }
  }

  /// A bare event name: the event is of that kind (`evt.kinds` lists every kind a packet is, so a
  /// DNS response is also `net_packet_dns` and `net_packet_udp`), or else it is named so.
  private mutating func eventKind(_ name: String) -> Predicate<E> {
    let missing: Reader<E> = { _ in .missing }
    let kinds = schema.fields["evt.kinds"].map { field(FieldBinding($0)) } ?? missing
    let eventName = schema.fields["evt.name"].map { field(FieldBinding($0)) } ?? missing
    return { event in
      switch kinds(event) {
      case .strings(let all): return all.contains(name)
      case .string(let one): return one == name
      default:
        switch eventName(event) {
        case .string(let named): return named == name
        case .strings(let names): return names.contains(name)
        default: return false
        }
      }
    }
  }

  /// A closure reading an operand's value.
  mutating func reader(_ operand: Operand) -> Reader<E> {
    switch operand {
    case .field(let binding):
      return field(binding)
    case .boundField(let alias, let binding):
      guard let bound else { return { _ in .missing } }
      let slot = bound.slot(alias: alias, binding)
      return { _ in bound.values[slot] }
    case .value(let value):
      let constant = FieldValue(value)
      return { _ in constant }
    case .list(let items):
      let constant = FieldValue(items)
      return { _ in constant }
    case .call(let name, let arguments):
      let readers = arguments.map { reader($0) }
      return Functions.plan(name, readers, arguments)
    }
  }
}

extension FieldValue {
  /// The runtime form of a checked constant.
  init(_ value: Value) {
    switch value {
    case .bool(let v): self = .bool(v)
    case .uint(let v): self = .uint(v)
    case .int(let v): self = .int(v)
    case .double(let v): self = .double(v)
    case .string(let v): self = .string(v)
    case .pattern(let v): self = .string(v.value)
    case .ip(let v): self = .ip(v)
    case .cidr(let v): self = .string(v.description)
    case .duration(let v): self = .uint(v)
    }
  }

  /// The runtime form of a constant list (ranges are expanded only for display purposes).
  init(_ items: [ListItem]) {
    var strings: [String] = []
    for item in items {
      if case .value(let value) = item, case .string(let text) = FieldValue(value) { strings.append(text) }
    }
    self = .strings(strings)
  }
}
