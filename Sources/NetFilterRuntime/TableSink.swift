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
    switch value {
    case .string(let v): v
    case .uint(let v): String(v)
    case .int(let v): String(v)
    case .double(let v): String(v)
    case .bool(let v): v ? "true" : "false"
    case .ip(let v): v.family == .v6 ? "[\(v)]" : v.description
    case .strings(let v): v.joined(separator: ",")
    case .ips(let v): v.map(\.description).joined(separator: ",")
    case .uints(let v): v.map(String.init).joined(separator: ",")
    case .missing: ""
    }
  }

  private func trimmed(_ line: String) -> String {
    String(line.reversed().drop { $0 == " " }.reversed())
  }

  private func pad(_ text: String, _ width: Int) -> String {
    let clipped = text.count > width ? String(text.prefix(width - 1)) + "…" : text
    return clipped + String(repeating: " ", count: max(0, width - clipped.count))
  }
}
