import NetFilterEval
import NetFilterSema

/// Writes matching events as a readable table with a header: event, process, pid, and both ends.
/// Columns are padded by display width (a CJK character takes two columns, a combining mark none).
public final class TableSink: EventSink {
  private let output: ByteOutput
  /// Each column's fields, found in the schema once.
  private let columnFields: [[FieldBinding]]
  /// Each column's names field, if it has one.
  private let nameFields: [FieldBinding?]
  private var wroteHeader = false
  /// The line being written, reused.
  private var row = TableRow()
  /// The columns' readers for each event type written so far.
  private var readers: [ObjectIdentifier: AnyObject] = [:]

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
      try output.append(line: Self.header)
    }
    row.reset()
    let readers = self.readers(for: E.self)
    var start = 0
    for index in Self.columns.indices {
      row.pad(to: start)
      writeCell(index, of: event, readers)
      // A longer cell is kept whole (an IPv6 endpoint keeps its port) and pushes the rest right.
      start = max(start + Self.columns[index].width, row.width) + 1
    }
    row.trimTrailingSpaces()
    try output.append(line: row.bytes)
  }

  /// The readers of events of type `E`, found on the first event of the type.
  private func readers<E: OutputEvent>(for type: E.Type) -> ColumnReaders<E> {
    if let readers = readers[ObjectIdentifier(type)] as? ColumnReaders<E> { return readers }
    let readers = ColumnReaders<E>(fields: columnFields, names: nameFields)
    self.readers[ObjectIdentifier(type)] = readers
    return readers
  }

  /// A column's values joined by `:`, then its names in parentheses.
  private func writeCell<E: OutputEvent>(_ index: Int, of event: E, _ readers: ColumnReaders<E>) {
    var first = true
    for reader in readers.fields[index] {
      let value = reader.read(event)
      if case .missing = value { continue }
      if !first { row.ascii(UInt8(ascii: ":")) }
      first = false
      row.value(value)
    }
    if let reader = readers.names[index], case .strings(let names) = reader.read(event), !names.isEmpty {
      row.ascii(UInt8(ascii: " "))
      row.ascii(UInt8(ascii: "("))
      row.separated(names) { $0.text($1) }
      row.ascii(UInt8(ascii: ")"))
    }
  }

  public func flush() throws(OutputError) { try output.flush() }
  public func finish() throws(OutputError) { try output.flush() }

  /// The titles, each padded to its column's width.
  private static let header: [UInt8] = {
    var row = TableRow()
    var start = 0
    for column in columns {
      row.pad(to: start)
      row.text(column.title)
      start += column.width + 1
    }
    return row.bytes
  }()

  /// Text safe for a terminal: control characters (C0, DEL and C1, which start escape sequences or
  /// forge rows) written as JSON writes them, `\u001b`, `\n`, `\t`; everything else as it is.
  public static func escaped(_ text: String) -> String {
    var row = TableRow()
    row.text(text)
    return String(decoding: row.bytes, as: UTF8.self)
  }
}

/// How the table's columns read events of one type: each field's accessor, looked up once for the
/// type (looking one up per event cost more than writing the row), or the event's own lookup for a
/// field without one.
private final class ColumnReaders<E: Event> {
  let fields: [[FieldReader<E>]]
  let names: [FieldReader<E>?]

  init(fields: [[FieldBinding]], names: [FieldBinding?]) {
    self.fields = fields.map { $0.map(FieldReader.init) }
    self.names = names.map { $0.map(FieldReader.init) }
  }
}
