import Foundation
import NetFilter

extension Session {
  // MARK: Schema

  /// `:fields [GLOB]`: name, type, kernel, description.
  func fieldTable(_ glob: String?) -> String {
    let schema = environment.schema
    let names = schema.fieldNames.filter { glob.map(Glob.pattern($0)) ?? true }
    guard !names.isEmpty else { return "no field matches '\(glob ?? "")'\n" }
    let width = min(56, names.map(\.count).max() ?? 4)
    var text =
      "NAME".padding(toLength: width + 2, withPad: " ", startingAt: 0) + "TYPE             KERNEL  DESCRIPTION\n"
    for name in names {
      guard let field = schema.fields[name] else { continue }
      var type = field.exprType.description
      if let argument = field.argument { type += argument.required ? "[arg]" : "[arg?]" }
      text += name.padding(toLength: max(width, name.count) + 2, withPad: " ", startingAt: 0)
      text += type.padding(toLength: 17, withPad: " ", startingAt: 0)
      text += (field.kernel != nil ? "yes" : "no").padding(toLength: 8, withPad: " ", startingAt: 0)
      text += field.summary + "\n"
    }
    return text
  }

  /// The field named `name`, or an error with the nearest name.
  func field(_ name: String) -> Result<FieldDescriptor, Reply> {
    if let field = environment.schema.field(named: name) { return .success(field) }
    let nearest = environment.schema.fieldNames.min {
      CommandParser.editDistance($0, name) < CommandParser.editDistance($1, name)
    }
    if let nearest, CommandParser.editDistance(nearest, name) <= 3 {
      return .failure(.error("unknown field '\(name)'; did you mean '\(nearest)'?"))
    }
    return .failure(.error("unknown field '\(name)' (:fields lists them)"))
  }

  /// `:d FIELD`.
  func describe(_ name: String) -> Reply {
    let field: FieldDescriptor
    switch self.field(name) {
    case .success(let found): field = found
    case .failure(let reply): return reply
    }
    var lines = ["\(field.name): \(field.summary)", "  type: \(field.exprType)"]
    if let argument = field.argument {
      lines.append("  argument: [\(argument.meaning)]\(argument.required ? " (required)" : " (optional)")")
    }
    if let kernel = field.kernel {
      lines.append("  kernel: yes (\(kernel.rawValue)); a test on it can run before the event is copied")
    } else {
      lines.append("  kernel: no; tested in user space")
    }
    if let allowed = field.allowedValues { lines.append("  values: " + allowed.joined(separator: ", ")) }
    if field.name.contains(".data.") {
      let parts = field.name.split(separator: ".", maxSplits: 2)
      if parts.count == 3 { lines.append("  Tracee: \(parts[0]).args.\(parts[2])") }
    }
    if let sample {
      let top = valueCache.values(of: field, in: sample).prefix(5)
      if !top.isEmpty {
        let shown = top.map { "\(Completer.literal($0.value, field) ?? "?") (\($0.count))" }
        lines.append("  in the sample: " + shown.joined(separator: ", "))
      }
    }
    return .text(lines.joined(separator: "\n"))
  }

  /// `:events [GLOB]`: each event, and with one match its fields.
  func eventList(_ glob: String?) -> String {
    let schema = environment.schema
    let names = schema.eventNames.filter { glob.map(Glob.pattern($0)) ?? true }
    guard !names.isEmpty else { return "no event matches '\(glob ?? "")'\n" }
    var text = ""
    for name in names {
      let own = schema.fieldNames.filter { $0.hasPrefix(name + ".data.") }
      if own.isEmpty {
        let dns = name.hasSuffix("Dns") ? ", dns.*" : ""
        text += "\(name)  socket event: evt.*, ps.*, net.*\(dns)\n"
      } else {
        text += "\(name)  packet event: \(own.count) argument fields (\(name).data.*), and evt.*, net.*\n"
        if names.count == 1 {
          text += own.compactMap { field in
            schema.fields[field].map { "  \(field)  \(Completer.detail(of: $0))\n" }
          }.joined()
        }
      }
    }
    return text
  }

  // MARK: The sample

  private func requireSample() -> Result<Sample, Reply> {
    guard let sample else { return .failure(.error("no sample loaded: :load FILE (or start with --pcap/--input)")) }
    return .success(sample)
  }

  /// `:values FIELD [N]`.
  func values(_ name: String, _ count: Int) -> Reply {
    let sample: Sample
    let field: FieldDescriptor
    switch (requireSample(), self.field(name)) {
    case (.failure(let reply), _), (_, .failure(let reply)): return reply
    case (.success(let loaded), .success(let found)):
      sample = loaded
      field = found
    }
    let top = valueCache.values(of: field, in: sample).prefix(count)
    guard !top.isEmpty else { return .text("\(field.name) is missing in all \(sample.events.count) events") }
    let width = max(5, String(top.first?.count ?? 0).count)
    let rows = top.map {
      String(repeating: " ", count: width - String($0.count).count) + "\($0.count)  " + text($0.value)
    }
    return .text(
      "COUNT".padding(toLength: width, withPad: " ", startingAt: 0) + "  \(field.name)\n" + rows.joined(separator: "\n")
    )
  }

  /// `:event K`: the fields the event has.
  func event(_ index: Int) -> Reply {
    let sample: Sample
    switch requireSample() {
    case .failure(let reply): return reply
    case .success(let loaded): sample = loaded
    }
    guard index <= sample.events.count else {
      return .error("event \(index) is out of range: the sample has \(sample.events.count) events")
    }
    let event = sample.events[index - 1]
    var lines = ["event \(index) of \(sample.events.count)"]
    for name in environment.schema.fieldNames {
      guard let field = environment.schema.fields[name], field.argument?.required != true else { continue }
      let value = event.lookup(FieldBinding(field))
      if value != .missing { lines.append("  \(name) = \(text(value))") }
    }
    return .text(lines.joined(separator: "\n"))
  }

  /// A value as the REPL prints it.
  func text(_ value: FieldValue) -> String {
    switch value {
    case .missing: "(missing)"
    case .bool(let flag): flag ? "true" : "false"
    case .uint(let number): String(number)
    case .int(let number): String(number)
    case .double(let number): String(number)
    case .string(let string): Completer.quoted(string)
    case .ip(let address): address.description
    case .strings(let items): "(" + items.map(Completer.quoted).joined(separator: ", ") + ")"
    case .ips(let items): "(" + items.map(\.description).joined(separator: ", ") + ")"
    case .uints(let items): "(" + items.map(String.init).joined(separator: ", ") + ")"
    }
  }
}

/// Whole-string globs with `*` and `?` for `:fields` and `:events`.
enum Glob {
  /// A predicate: whether a name matches `pattern`.
  static func pattern(_ name: String) -> (String) -> Bool {
    { pattern in matches(Array(name.utf8), Array(pattern.utf8)) }
  }

  /// Iterative glob matching with one backtracking point (linear in practice).
  static func matches(_ text: [UInt8], _ pattern: [UInt8]) -> Bool {
    var t = 0
    var p = 0
    var star: Int?
    var resume = 0
    while t < text.count {
      if p < pattern.count, pattern[p] == UInt8(ascii: "?") || pattern[p] == text[t] {
        t += 1
        p += 1
      } else if p < pattern.count, pattern[p] == UInt8(ascii: "*") {
        star = p
        resume = t
        p += 1
      } else if let s = star {
        p = s + 1
        resume += 1
        t = resume
      } else {
        return false
      }
    }
    while p < pattern.count, pattern[p] == UInt8(ascii: "*") { p += 1 }
    return p == pattern.count
  }
}
