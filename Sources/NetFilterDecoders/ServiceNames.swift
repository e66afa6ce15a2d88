import Foundation

/// IANA service names by port and protocol, from /etc/services (`net.sport.name`, `net.dport.name`).
/// Read once, on first use; without the file every lookup is nil.
public struct ServiceNames: Sendable {
  private let names: [UInt32: String]

  /// The system's table (/etc/services).
  public static let system = ServiceNames(path: "/etc/services")

  /// The table in the services(5) file at `path` (empty if it cannot be read).
  public init(path: String) {
    self.init(text: (try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
  }

  /// The table in services(5) text: `name port/protocol [aliases…] [# comment]`; the first name
  /// listed for a port and protocol wins.
  public init(text: String) {
    var names: [UInt32: String] = [:]
    for line in text.split(separator: "\n") {
      let content = line.prefix { $0 != "#" }
      let words = content.split(whereSeparator: { $0 == " " || $0 == "\t" })
      guard words.count >= 2 else { continue }
      let parts = words[1].split(separator: "/")
      guard parts.count == 2, let port = UInt16(parts[0]), let proto = Self.protocolNumber(parts[1]) else { continue }
      let key = Self.key(port, proto)
      if names[key] == nil { names[key] = String(words[0]) }
    }
    self.names = names
  }

  /// The service on `port` over IP protocol `proto` (6 TCP, 17 UDP), if the table names one.
  public func name(port: UInt16, protocol proto: UInt8) -> String? { names[Self.key(port, proto)] }

  private static func key(_ port: UInt16, _ proto: UInt8) -> UInt32 { UInt32(port) << 8 | UInt32(proto) }

  private static func protocolNumber(_ name: Substring) -> UInt8? {
    switch name {
    case "tcp": 6
    case "udp": 17
    case "sctp": 132
    case "dccp": 33
    default: nil
    }
  }
}
