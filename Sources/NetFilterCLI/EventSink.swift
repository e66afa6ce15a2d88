import NetFilter

/// Writes matching events as JSON lines or as a table with a header.
struct EventSink {
  let format: OutputFormat
  let console: Console
  private var wroteHeader = false

  init(format: OutputFormat, console: Console) {
    self.format = format
    self.console = console
  }

  /// The table's columns: a title, a width, and the fields shown (first present wins).
  private static let columns: [(title: String, width: Int, fields: [String])] = [
    ("EVENT", 24, ["evt.name"]),
    ("PROCESS", 16, ["ps.name"]),
    ("PID", 8, ["ps.pid"]),
    ("SOURCE", 40, ["net.sip", "net.sport"]),
    ("DESTINATION", 40, ["net.dip", "net.dport"]),
  ]

  /// Writes one event: `json` for JSON output, `field` to read table columns.
  mutating func write(json: @autoclosure () -> String, field: (FieldDescriptor) -> FieldValue) {
    switch format {
    case .json:
      console.out(json() + "\n")
    case .table:
      if !wroteHeader {
        wroteHeader = true
        console.out(trimmed(Self.columns.map { pad($0.title, $0.width) }.joined(separator: " ")) + "\n")
      }
      let cells = Self.columns.map { column -> String in
        let parts = column.fields.compactMap { name -> String? in
          guard let descriptor = Schema.network.field(named: name) else { return nil }
          let value = field(descriptor)
          return value == .missing ? nil : Self.text(value)
        }
        return pad(parts.joined(separator: ":"), column.width)
      }
      console.out(trimmed(cells.joined(separator: " ")) + "\n")
    }
  }

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
