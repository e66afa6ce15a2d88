import Foundation
import NetFilter

/// Completes the word before the cursor from the schema, by context: fields, macros, functions and
/// event names where an operand starts; after a field, the operators its type accepts; after an
/// operator, the field's allowed values and the values seen in the sample; `and`/`or` after a
/// comparison; commands, fields and file names in `:` commands. Never throws, never traps.
public struct Completer: Sendable {
  /// The environment filters are checked in (schema and macros).
  public var environment: Environment
  /// The names of the macros in scope.
  public var macroNames: [String]
  /// The values of a field seen in the sample, most frequent first, with their counts.
  public var sampleValues: @Sendable (FieldDescriptor) -> [(value: FieldValue, count: Int)]

  /// The most candidates returned.
  public static let maxCandidates = 200
  /// Above this many matching fields, fields are grouped by their next path segment.
  static let groupingThreshold = 30

  /// A completer for `environment`.
  public init(
    environment: Environment = Environment(),
    macroNames: [String] = [],
    sampleValues: @escaping @Sendable (FieldDescriptor) -> [(value: FieldValue, count: Int)] = { _ in [] }
  ) {
    self.environment = environment
    self.macroNames = macroNames
    self.sampleValues = sampleValues
  }

  /// The completion of `text`, the line (or lines) before the cursor.
  public func complete(_ text: String) -> Completion {
    let word = Self.word(before: text)
    let before = String(decoding: text.utf8.dropLast(word.utf8.count), as: UTF8.self)
    var candidates: [Completion.Candidate]
    if before.trimmingWhitespace.isEmpty && (word.hasPrefix(":") || word.hasPrefix("\\")) {
      candidates = commandNames(word)
    } else if let command = CommandParser.split(text.trimmingWhitespace), before.contains(" ") || word.isEmpty {
      let name = command.name.lowercased()
      if ["explain", "ast", "let"].contains(name) {
        // The argument is an expression (after `NAME =` for :let).
        var argument = String(decoding: command.argument.utf8.dropLast(word.utf8.count), as: UTF8.self)
        if name == "let" {
          guard let equal = argument.firstIndex(of: "=") else { return Completion(word: word, candidates: []) }
          argument = String(argument[argument.index(after: equal)...])
        }
        candidates = expression(argument, word)
      } else {
        candidates = commandArgument(name, word)
      }
    } else {
      candidates = expression(before, word)
    }
    return Completion(word: word, candidates: Array(candidates.prefix(Self.maxCandidates)))
  }

  /// The word the cursor ends: name characters, a quote that starts a value, `:` of a command.
  static func word(before text: String) -> String {
    let scalars = text.unicodeScalars
    var start = scalars.endIndex
    while start > scalars.startIndex {
      let previous = scalars.index(before: start)
      let c = scalars[previous]
      let isWordChar =
        c.properties.isAlphabetic || ("0"..."9").contains(c) || "_.-[]$*/:~".unicodeScalars.contains(c)
      if c == "'" || c == "\"" {
        start = previous
        break
      }
      guard isWordChar else { break }
      start = previous
    }
    var word = String(scalars[start...])
    // An open quote earlier on the line makes the whole quoted text the word.
    if let quote = Self.openQuote(in: text), quote.count > word.count { word = quote }
    return word
  }

  /// The text from an unterminated quote to the end, if the line has one.
  private static func openQuote(in text: String) -> String? {
    var open: String.Index?
    var delimiter: Character = "'"
    var index = text.startIndex
    while index < text.endIndex {
      let c = text[index]
      if let start = open {
        if c == "\\" {
          index = text.index(after: index)
          if index == text.endIndex { break }
        } else if c == delimiter, start < index {
          open = nil
        }
      } else if c == "'" || c == "\"" {
        open = index
        delimiter = c
      }
      index = text.index(after: index)
    }
    return open.map { String(text[$0...]) }
  }

  // MARK: Commands

  private func commandNames(_ word: String) -> [Completion.Candidate] {
    let typed = String(word.dropFirst()).lowercased()
    return CommandParser.commands.filter { $0.name.hasPrefix(typed) }.map {
      Completion.Candidate(":" + $0.name, $0.synopsis.isEmpty ? $0.summary : "\($0.synopsis)  \($0.summary)")
    }
  }

  private func commandArgument(_ name: String, _ word: String) -> [Completion.Candidate] {
    switch name {
    case "load", "macros", "save", "rules": return Self.files(word)
    case "d", "values", "fields": return fields(word)
    case "output": return OutputStyle.allCases.map(\.rawValue).filter { $0.hasPrefix(word) }.map { .init($0) }
    case "timing": return ["on", "off"].filter { $0.hasPrefix(word) }.map { .init($0) }
    case "help":
      let topics = CommandParser.commands.map(\.name) + HelpText.operatorTopics.map(\.name)
      return topics.filter { $0.hasPrefix(word) }.map { .init($0) }
    case "events": return environment.schema.eventNames.filter { $0.hasPrefix(word) }.map { .init($0, "event") }
    default: return []
    }
  }

  /// Files and directories whose path starts with `word` (at most ``maxCandidates``).
  static func files(_ word: String) -> [Completion.Candidate] {
    let slash = word.lastIndex(of: "/")
    let directory = slash.map { String(word[...$0]) } ?? ""
    let stem = slash.map { String(word[word.index(after: $0)...]) } ?? word
    let manager = FileManager.default
    guard let names = try? manager.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory) else { return [] }
    return names.filter { $0.hasPrefix(stem) && (!$0.hasPrefix(".") || stem.hasPrefix(".")) }.sorted()
      .prefix(maxCandidates)
      .map { name in
        var isDirectory: ObjCBool = false
        let path = directory + name
        _ = manager.fileExists(atPath: path, isDirectory: &isDirectory)
        return isDirectory.boolValue ? .init(path + "/", "directory", appendsSpace: false) : .init(path)
      }
  }

  // MARK: Expressions

  private func expression(_ before: String, _ word: String) -> [Completion.Candidate] {
    switch ExpressionContext.of(before, schema: environment.schema) {
    case .operand: return operands(word)
    case .operator(let field): return operators(field, word)
    case .value(let field, let op): return values(field, op, word)
    case .connective: return ["and", "or"].filter { $0.hasPrefix(word.lowercased()) }.map { .init($0) }
    case .none: return []
    }
  }

  private func operands(_ word: String) -> [Completion.Candidate] {
    if word.hasPrefix("'") || word.hasPrefix("\"") { return [] }
    var result = fields(word)
    result += macroNames.filter { $0.hasPrefix(word) }.sorted().map { .init($0, "macro") }
    result += FunctionDescriptor.Name.allCases.filter { $0.rawValue.hasPrefix(word) }.map { name in
      .init(name.rawValue + "(", FunctionTable.all[name].map(Self.signature) ?? "function", appendsSpace: false)
    }
    if !word.contains(".") {
      result += environment.schema.eventNames.filter { $0.hasPrefix(word) }.map { .init($0, "event") }
    }
    if "not".hasPrefix(word.lowercased()) && !word.isEmpty { result.append(.init("not")) }
    return result
  }

  /// Fields starting with `word`: full names, or grouped by their next path segment when many match.
  func fields(_ word: String) -> [Completion.Candidate] {
    let schema = environment.schema
    let matching = schema.fieldNames.filter { $0.hasPrefix(word) }
    guard matching.count > Self.groupingThreshold else {
      return matching.compactMap { name in schema.fields[name].map { .init(name, Self.detail(of: $0)) } }
    }
    var seen: Set<String> = []
    var result: [Completion.Candidate] = []
    for name in matching {
      let rest = name.dropFirst(word.count)
      if let dot = rest.firstIndex(of: "."), rest.startIndex != dot {
        let group = word + rest[..<dot] + "."
        if seen.insert(group).inserted { result.append(.init(group, "…", appendsSpace: false)) }
      } else if seen.insert(name).inserted, let field = schema.fields[name] {
        result.append(.init(name, Self.detail(of: field)))
      }
    }
    return result
  }

  /// `uint16 [k]`: a field's type, and whether the kernel sees it.
  static func detail(of field: FieldDescriptor) -> String {
    var text = field.exprType.description
    if let argument = field.argument { text += argument.required ? " [arg]" : " [arg?]" }
    if field.kernel != nil { text += " [k]" }
    return text
  }

  /// `cidr_contains(ip, cidr, …)`.
  static func signature(_ function: FunctionDescriptor) -> String {
    var parameters = function.parameters.enumerated().map { index, kind in
      index < function.required ? name(of: kind) : "[\(name(of: kind))]"
    }
    if let variadic = function.variadic { parameters.append("\(name(of: variadic))…") }
    return "\(function.name.rawValue)(\(parameters.joined(separator: ", ")))"
  }

  private static func name(of kind: ParameterKind) -> String {
    switch kind {
    case .string: "string"
    case .stringOrList: "string|list"
    case .stringLiteral: "'literal'"
    case .ip: "ip"
    case .cidr: "cidr"
    case .integer: "int"
    case .bool: "bool"
    case .scalar: "value"
    }
  }
}
