import NetFilterEval
import NetFilterSema

/// Writes matching events as a readable table with a header: event, process, pid, and both ends.
public final class TableSink: EventSink {
  private let output: ByteOutput
  /// Each column's fields, found in the schema once.
  private let columnFields: [[FieldBinding]]
  /// Each column's names field, if it has one.
  private let nameFields: [FieldBinding?]
  private var wroteHeader = false

  /// A table written to `output`; column fields are looked up in `schema`.
  public init(output: ByteOutput, schema: Schema = .network) {
    self.output = output
    columnFields = Self.columns.map { column in
      column.fields.compactMap { schema.field(named: $0).map { FieldBinding($0) } }
    }
    nameFields = Self.columns.map { column in column.names.flatMap { schema.field(named: $0) }.map { FieldBinding($0) }
    }
  }

  /// The table's columns: a title, a width, and the fields shown (first present wins).
  /// Names of an end's address (`net.sip.names`) follow it in parentheses when the event has them.
  private static let columns: [(title: String, width: Int, fields: [String], names: String?)] = [
    ("EVENT", 24, ["evt.name"], nil),
    ("PROCESS", 16, ["ps.name"], nil),
    ("PID", 8, ["ps.pid"], nil),
    ("SOURCE", 40, ["net.sip", "net.sport"], "net.sip.names"),
    ("DESTINATION", 40, ["net.dip", "net.dport"], "net.dip.names"),
  ]

  public func write<E: OutputEvent>(_ event: E) throws(OutputError) {
    if let finding = event as? Finding { return try output.append(finding.tableLine + "\n") }
    if !wroteHeader {
      wroteHeader = true
      try output.append(trimmed(Self.columns.map { pad($0.title, $0.width) }.joined(separator: " ")) + "\n")
    }
    let cells = zip(Self.columns.indices, columnFields).map { index, fields -> String in
      let column = Self.columns[index]
      let parts = fields.compactMap { binding -> String? in
        let value = event.lookup(binding)
        return value == .missing ? nil : Self.text(value)
      }
      var cell = parts.joined(separator: ":")
      if let binding = nameFields[index], case .strings(let list) = event.lookup(binding), !list.isEmpty {
        cell += " (\(list.joined(separator: ",")))"
      }
      cell = Self.escaped(cell)
      // The last column is not clipped: names may follow its address.
      return index == Self.columns.count - 1 ? cell : pad(cell, column.width)
    }
    try output.append(trimmed(cells.joined(separator: " ")) + "\n")
  }

  public func flush() throws(OutputError) { try output.flush() }
  public func finish() throws(OutputError) { try output.flush() }

  private static func text(_ value: FieldValue) -> String {
    if case .ip(let v) = value, v.family == .v6 { return "[\(v)]" }
    return value.text
  }

  private func trimmed(_ line: String) -> String {
    String(line.reversed().drop { $0 == " " }.reversed())
  }

  /// `text` padded to `width`; a longer cell is kept whole (an IPv6 endpoint keeps its port) and
  /// pushes the rest of the row right.
  private func pad(_ text: String, _ width: Int) -> String {
    text + String(repeating: " ", count: max(0, width - text.count))
  }

  /// Text safe for a terminal: control characters (C0, DEL and C1, which start escape sequences or
  /// forge rows) written as JSON writes them, `\u001b`, `\n`, `\t`; everything else as it is.
  public static func escaped(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: isControl) else { return text }
    var out = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      case _ where isControl(scalar):
        let hex = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
  }
}
