// A tool that embeds netfilter: it compiles a filter once and evaluates it over its own event type.
//
//   swift run embed-example "ps.name = 'curl' and net.dport in (80, 443)"
import NetFilter

#if canImport(Glibc)
  import Glibc
#endif

/// The tool's own event: a connection seen by some monitor.
struct Connection: Event {
  var process: String
  var pid: UInt32
  var remote: IPAddress
  var port: UInt16
  var remoteNames: [String]

  /// The fields the tool can provide: one row each, name → accessor. Filters are compiled
  /// against this table once; evaluating a field is then one closure call, no string comparison.
  static let fields = FieldProvider<Connection>([
    ("ps.name", FieldAccessor { .string($0.process) }),
    ("ps.pid", FieldAccessor { .uint(UInt64($0.pid)) }),
    ("evt.pid", FieldAccessor { .uint(UInt64($0.pid)) }),
    ("net.dip", FieldAccessor { .ip($0.remote) }),
    ("net.dport", FieldAccessor { .uint(UInt64($0.port)) }),
    ("net.dip.names", FieldAccessor { .strings($0.remoteNames) }),
  ])

  /// Called once per field when a filter is compiled, never per event; a field with no accessor
  /// is missing from every connection.
  static func accessor(for field: FieldBinding) -> FieldAccessor<Connection>? { fields.accessor(for: field) }
}

let connections = [
  Connection(process: "curl", pid: 4242, remote: IPAddress("93.184.216.34")!, port: 443, remoteNames: ["example.com."]),
  Connection(process: "curl", pid: 4243, remote: IPAddress("10.1.2.3")!, port: 8080, remoteNames: []),
  Connection(process: "sshd", pid: 77, remote: IPAddress("2001:db8::7")!, port: 22, remoteNames: ["bastion.example."]),
  Connection(process: "wget", pid: 900, remote: IPAddress("8.8.8.8")!, port: 53, remoteNames: ["dns.google."]),
]

let source = CommandLine.arguments.dropFirst().first ?? "ps.name = 'curl' and net.dport in (80, 443)"
do {
  let filter = try Environment().compile(source)
  let program = try filter.program(for: Connection.self)
  for connection in connections where program.matches(connection) {
    print("\(connection.process)[\(connection.pid)] -> \(connection.remote):\(connection.port)")
  }
} catch let error as DiagnosticsError {
  print(DiagnosticFormatter(style: .swift).render(error.diagnostics, in: error.source), terminator: "")
  exit(1)
}
