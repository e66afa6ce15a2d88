import NetFilterRegex
import NetFilterSema
import NetFilterSyntax

/// The runtime of the function table: each call is planned once into a reader closure.
/// Constant arguments (CIDRs, patterns, separators) are prepared when the filter is compiled.
enum Functions {
  static func plan<E>(_ name: FunctionDescriptor.Name, _ args: [Reader<E>], _ operands: [Operand]) -> Reader<E> {
    switch name {
    case .cidr_contains:
      let set = AddressSet(operands.dropFirst().compactMap { if case .value(let v) = $0 { .value(v) } else { nil } })
      let address = args[0]
      return { .bool(anyAddress(address($0)) { set.contains($0) }) }
    case .regex:
      let patterns = operands.dropFirst().compactMap { operand -> NetFilterRegex.Regex? in
        guard case .value(.string(let pattern)) = operand else { return nil }
        return try? NetFilterRegex.Regex(pattern)
      }
      let subject = args[0]
      return { event in .bool(anyString(subject(event)) { text in patterns.contains { $0.matches(text) } }) }
    case .lower, .upper, .dir, .base:
      return mapStrings(name, args)
    case .length:
      let subject = args[0]
      return { event in
        switch subject(event) {
        case .string(let text): .int(Int64(text.unicodeScalars.count))
        case .strings(let texts): .int(Int64(texts.count))
        case .ips(let ips): .int(Int64(ips.count))
        case .uints(let numbers): .int(Int64(numbers.count))
        case .missing: .missing
        default: .int(-1)
        }
      }
    case .split:
      let subject = args[0]
      let separator = constantString(operands, 1)
      return { event in
        guard case .string(let text) = subject(event) else { return .missing }
        return .strings(PathFunctions.split(text, separator))
      }
    case .count:
      let subject = args[0]
      let folded = constantBool(operands, 2) ?? true
      let glob = Glob(StringLiteral(constantString(operands, 1)), caseInsensitive: folded)
      return { event in
        switch subject(event) {
        case .string(let text):
          .int(Int64(text.split(whereSeparator: \.isWhitespace).count { glob.matches(String($0)) }))
        case .strings(let texts): .int(Int64(texts.count { glob.matches($0) }))
        default: .missing
        }
      }
    default:
      return scalarFunction(name, args, operands)
    }
  }

  /// Functions of one or more single values that yield one value.
  private static func scalarFunction<E>(_ name: FunctionDescriptor.Name, _ args: [Reader<E>], _ operands: [Operand])
    -> Reader<E>
  {
    let apply = stringFunction(name, operands)
    return { event in
      let values = args.map { $0(event) }
      if values.contains(.missing), name != .concat { return .missing }
      return apply(values)
    }
  }

  private static func stringFunction(_ name: FunctionDescriptor.Name, _ operands: [Operand])
    -> @Sendable ([FieldValue]) -> FieldValue
  {
    switch name {
    case .concat: return { .string($0.map(\.textForm).joined()) }
    case .ltrim:
      return { values in
        text(values, 0).map { .string(PathFunctions.trimPrefix($0, text(values, 1) ?? "")) } ?? .missing
      }
    case .rtrim:
      return { values in
        text(values, 0).map { .string(PathFunctions.trimSuffix($0, text(values, 1) ?? "")) } ?? .missing
      }
    case .md5: return { text($0, 0).map { .string(MD5.hex(Array($0.utf8))) } ?? .missing }
    case .is_abs: return { text($0, 0).map { .bool($0.hasPrefix("/")) } ?? .missing }
    case .ext:
      let dot = constantBool(operands, 1) ?? true
      return { text($0, 0).map { .string(PathFunctions.ext($0, dot: dot)) } ?? .missing }
    case .replace:
      return { values in
        guard var result = text(values, 0) else { return .missing }
        var index = 1
        while index + 1 < values.count {
          result = PathFunctions.replaceAll(result, values[index].textForm, values[index + 1].textForm)
          index += 2
        }
        return .string(result)
      }
    case .substr:
      return { values in
        guard let t = text(values, 0), case .int(let start) = values[1].asInt else { return .missing }
        let end = values.count > 2 ? values[2].asInt : .missing
        return .string(
          PathFunctions.substring(t, Int(start), end: { if case .int(let e) = end { Int(e) } else { nil } }())
        )
      }
    case .indexof:
      let order = constantString(operands, 2, default: "first")
      return { values in
        guard let t = text(values, 0), let needle = text(values, 1) else { return .missing }
        return .int(Int64(PathFunctions.index(of: needle, in: t, order: order)))
      }
    case .entropy:
      return { text($0, 0).map { .int(Int64(PathFunctions.entropy($0))) } ?? .missing }
    case .glob:
      // Read once, when the filter is planned (see FileGlob), never per event.
      let paths = FileGlob.paths(matching: constantString(operands, 0))
      return { _ in .strings(paths) }
    default:
      return { _ in .missing }
    }
  }

  private static func mapStrings<E>(_ name: FunctionDescriptor.Name, _ args: [Reader<E>]) -> Reader<E> {
    let subject = args[0]
    let keepExtension: Reader<E>? = args.count > 1 ? args[1] : nil
    let transform: @Sendable (String, FieldValue) -> String =
      switch name {
      case .lower: { text, _ in text.lowercased() }
      case .upper: { text, _ in text.uppercased() }
      case .dir: { text, _ in PathFunctions.dir(text) }
      default: { text, flag in PathFunctions.base(text, keepExtension: flag != .bool(false)) }
      }
    return { event in
      let flag = keepExtension?(event) ?? .missing
      switch subject(event) {
      case .string(let text): return .string(transform(text, flag))
      case .strings(let texts): return .strings(texts.map { transform($0, flag) })
      default: return .missing
      }
    }
  }

  private static func text(_ values: [FieldValue], _ index: Int) -> String? {
    guard index < values.count, values[index] != .missing else { return nil }
    return values[index].textForm
  }

  private static func constantString(_ operands: [Operand], _ index: Int, default fallback: String = "") -> String {
    guard index < operands.count, case .value(.string(let text)) = operands[index] else { return fallback }
    return text
  }

  private static func constantBool(_ operands: [Operand], _ index: Int) -> Bool? {
    guard index < operands.count, case .value(.bool(let flag)) = operands[index] else { return nil }
    return flag
  }
}

extension FieldValue {
  /// The value as a signed integer, if it is a number.
  var asInt: FieldValue {
    switch self {
    case .int: self
    case .uint(let v): .int(Int64(clamping: v))
    case .double(let v): .int(Int64(v))
    default: .missing
    }
  }
}

/// What `regex()` gave up on.
public enum RegexStatistics {
  /// How many `regex()` matches in this process reached PCRE2's match or depth limit. Such a match
  /// counts as no match (so `not regex(…)` holds): a run reports how many it had, never silently.
  public static var limitHits: Int { NetFilterRegex.Regex.totalLimitHits }
}
