import Foundation
import NetFilter
import Synchronization

extension Completer {
  /// The operators `field` accepts, found by checking `field OP value` with a value of its type
  /// (the checker is the one authority on what type accepts what).
  func operators(_ field: FieldDescriptor, _ word: String) -> [Completion.Candidate] {
    let all =
      Self.operatorCache.withLock { $0[Self.cacheKey(field)] }
      ?? {
        let found = operators(of: field)
        Self.operatorCache.withLock { $0[Self.cacheKey(field)] = found }
        return found
      }()
    return all.filter { $0.text.hasPrefix(word.lowercased()) }
  }

  /// The operators of each field met so far (they depend on its type alone; at most one entry per
  /// schema field).
  private static let operatorCache = Mutex<[String: [Completion.Candidate]]>([:])

  private static func cacheKey(_ field: FieldDescriptor) -> String {
    "\(field.name) \(field.exprType) \(field.allowedValues?.first ?? "")"
  }

  private func operators(of field: FieldDescriptor) -> [Completion.Candidate] {
    let sample = Self.sampleLiteral(field)
    let name = field.argument?.required == true ? "\(field.name)[x]" : field.name
    var result: [Completion.Candidate] = []
    for op in ComparisonOperator.allCases {
      let right = op.info.family == .membership || op.info.family == .intersects ? "(\(sample))" : sample
      let probe = "\(name) \(op.rawValue) \(right)"
      guard environment.check(probe).isValid else { continue }
      result.append(.init(op.rawValue, Self.family(op)))
      if op == .equal { result.append(.init("!=", "not equal")) }
    }
    if !result.isEmpty { result.append(.init("not", "negates the operator that follows")) }
    return result
  }

  /// Values for the right of `op`: `(` before a list, the field's allowed values, then the values
  /// seen in the sample with their counts.
  func values(_ field: FieldDescriptor, _ op: ComparisonOperator?, _ word: String) -> [Completion.Candidate] {
    var result: [Completion.Candidate] = []
    if let op, word.isEmpty, op.info.family == .membership || op.info.family == .intersects,
      !Self.endsInList(word)
    {
      result.append(.init("(", "a list", appendsSpace: false))
    }
    let seen = sampleValues(field)
    var offered: Set<String> = []
    for (value, count) in seen.prefix(Self.maxCandidates) {
      guard let text = Self.literal(value, field) else { continue }
      if offered.insert(text).inserted { result.append(.init(text, "\(count)× in the sample")) }
    }
    for value in field.allowedValues ?? [] {
      let text = Self.quoted(value)
      if offered.insert(text).inserted { result.append(.init(text, "allowed value")) }
    }
    guard !word.isEmpty else { return result }
    let typed = word.hasPrefix("\"") ? "'" + word.dropFirst() : word
    return result.filter { $0.text.hasPrefix(typed) || $0.text.dropFirst().hasPrefix(typed) }
  }

  private static func endsInList(_ word: String) -> Bool { word.hasPrefix("(") }

  /// A literal of the field's type (for probing operators).
  static func sampleLiteral(_ field: FieldDescriptor) -> String {
    if let allowed = field.allowedValues?.first { return quoted(allowed) }
    switch field.type {
    case .ip: return "10.0.0.1"
    case .uint8, .uint16, .uint32, .uint64, .int: return "1"
    case .double: return "1.5"
    case .bool: return "true"
    default: return "'x'"
    }
  }

  /// A value as the filter language writes it.
  static func literal(_ value: FieldValue, _ field: FieldDescriptor) -> String? {
    switch value {
    case .string(let text): quoted(text)
    case .uint(let number): String(number)
    case .int(let number): String(number)
    case .double(let number): String(number)
    case .bool(let flag): flag ? "true" : "false"
    case .ip(let address): address.description
    default: nil
    }
  }

  /// A single-quoted string literal.
  static func quoted(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
  }

  private static func family(_ op: ComparisonOperator) -> String {
    let kind: String =
      switch op.info.family {
      case .equality: "equal"
      case .ordering: "order"
      case .membership: "in a list"
      case .substring: "substring"
      case .glob: "glob (* and ?)"
      case .fuzzy: "fuzzy"
      case .intersects: "all of a list"
      }
    return op.info.caseInsensitive ? kind + ", ignoring case" : kind
  }
}
