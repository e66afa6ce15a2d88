import NetFilterEval
import NetFilterSema

/// Writes matching events as a readable table with a header: event, process, pid, and both ends.
public final class TableSink: EventSink {
  private let output: ByteOutput
  /// Each column's fields, found in the schema once.
  private let columnFields: [[FieldBinding]]
  private var wroteHeader = false

  /// A table written to `output`; column fields are looked up in `schema`.
  public init(output: ByteOutput, schema: Schema = .network) {
    self.output = output
    columnFields = Self.columns.map { column in
      column.fields.compactMap { schema.field(named: $0).map { FieldBinding($0) } }
    }
  }

  /// The table's columns: a title, a width, and the fields shown (first present wins).
  private static let columns: [(title: String, width: Int, fields: [String])] = [
    ("EVENT", 24, ["evt.name"]),
    ("PROCESS", 16, ["ps.name"]),
    ("PID", 8, ["ps.pid"]),
    ("SOURCE", 40, ["net.sip", "net.sport"]),
    ("DESTINATION", 40, ["net.dip", "net.dport"]),
  ]

  public func write<E: OutputEvent>(_ event: E) throws(OutputError) {
    if let finding = event as? Finding { return try output.append(finding.tableLine + "\n") }
    if !wroteHeader {
      wroteHeader = true
      try output.append(trimmed(Self.columns.map { pad($0.title, $0.width) }.joined(separator: " ")) + "\n")
    }
    let cells = zip(Self.columns, columnFields).map { column, fields -> String in
      let parts = fields.compactMap { binding -> String? in
        let value = event.lookup(binding)
        return value == .missing ? nil : Self.text(value)
      }
      return pad(parts.joined(separator: ":"), column.width)
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

  private func pad(_ text: String, _ width: Int) -> String {
    let clipped = text.count > width ? String(text.prefix(width - 1)) + "…" : text
    return clipped + String(repeating: " ", count: max(0, width - clipped.count))
  }
}
