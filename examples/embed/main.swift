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

  /// The tool's own numbering of the fields it can provide.
  enum Slot: Int {
    case process, pid, remote, port, remoteNames
  }

  /// Called once per field when a filter is compiled, never per event.
  static func resolve(_ field: FieldBinding) -> Int? {
    let slot: Slot? =
      switch field.descriptor.name {
      case "ps.name": .process
      case "ps.pid", "evt.pid": .pid
      case "net.dip": .remote
      case "net.dport": .port
      case "net.dip.names": .remoteNames
      default: nil
      }
    return slot?.rawValue
  }

  /// Called per event: a switch on the number `resolve` gave, no string comparison.
  func value(of key: FieldKey) -> FieldValue {
    switch key.resolved.flatMap(Slot.init(rawValue:)) {
    case .process: .string(process)
    case .pid: .uint(UInt64(pid))
    case .remote: .ip(remote)
    case .port: .uint(UInt64(port))
    case .remoteNames: .strings(remoteNames)
    case nil: .missing
    }
  }
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
