import Foundation
import NetFilter

/// The text of `:help`: every command and every operator, each with an example.
public enum HelpText {
  /// An example line for each command.
  static let commandExamples: [String: String] = [
    "load": ":load examples/captures/loopback-http-dns.pcap",
    "live": ":live 10",
    "explain": ":explain net.dport in (53, 853) and dns.name endswith '.example.'",
    "ast": ":ast net.dport = 53",
    "fields": ":fields net.*",
    "d": ":d net.dport",
    "events": ":events net_packet_dns*",
    "values": ":values net.dport 5",
    "event": ":event 3",
    "why": ":why 3",
    "limit": ":limit 20",
    "more": ":more",
    "output": ":output json",
    "timing": ":timing on",
    "let": ":let dns_ports = (53, 853)",
    "macros": ":macros examples/macros/network.yml",
    "save": ":save session-macros.yml",
    "status": ":status",
    "rules": ":rules rules/",
    "edit": ":edit",
    "help": ":help in",
    "quit": ":quit",
  ]

  /// Operators and connectives, each with a one-line meaning and an example.
  public static let operatorTopics: [(name: String, summary: String, example: String)] = {
    let connectives: [(String, String, String)] = [
      ("and", "both hold (also &&)", "net.dport = 53 and net.l4.proto = 'UDP'"),
      ("or", "either holds (also ||)", "net.dport = 53 or net.dport = 853"),
      ("not", "negation, prefix or before an operator (also !)", "net.dport not in (22, 23)"),
      ("!=", "not equal (also <>)", "net.dport != 443"),
    ]
    return connectives + ComparisonOperator.allCases.map { ($0.rawValue, summary(of: $0), example(of: $0)) }
  }()

  private static func summary(of op: ComparisonOperator) -> String {
    let base: String =
      switch op.info.family {
      case .equality: "equal"
      case .ordering: "numeric order"
      case .membership: "one of a list (CIDRs and port ranges allowed)"
      case .substring: "\(op.rawValue.dropFirst(op.info.caseInsensitive ? 1 : 0)) a substring"
      case .glob: "whole-string glob with * and ?"
      case .fuzzy: "the letters appear in order"
      case .intersects: "every listed value is among the field's values"
      }
    return op.info.caseInsensitive ? base + ", ignoring case" : base
  }

  private static func example(of op: ComparisonOperator) -> String {
    switch op {
    case .equal: "net.dip = 8.8.8.8"
    case .iequal: "dns.name ~= 'EXAMPLE.COM.'"
    case .less: "net.dport < 1024"
    case .lessEqual: "net.size <= 512"
    case .greater: "net.dport > 1023"
    case .greaterEqual: "net.size >= 1000"
    case .in: "net.dport in (53, 853, 8000..8999)"
    case .iin: "ps.name iin ('CURL', 'wget')"
    case .contains: "dns.name contains 'example'"
    case .icontains: "dns.name icontains 'EXAMPLE'"
    case .startswith: "ps.name startswith 'py'"
    case .istartswith: "ps.name istartswith 'PY'"
    case .endswith: "dns.name endswith '.example.'"
    case .iendswith: "dns.name iendswith '.EXAMPLE.'"
    case .matches: "dns.name matches '*.example.?om.'"
    case .imatches: "dns.name imatches '*.EXAMPLE.*'"
    case .fuzzy: "ps.name fuzzy 'crl'"
    case .ifuzzy: "ps.name ifuzzy 'CRL'"
    case .fuzzynorm: "ps.name fuzzynorm 'crl'"
    case .ifuzzynorm: "ps.name ifuzzynorm 'CRL'"
    case .intersects: "dns.answers intersects ('10.0.0.1', '10.0.0.2')"
    case .iintersects: "dns.answers iintersects ('A.EXAMPLE.')"
    }
  }

  /// The help for `topic` (a command or an operator), or the overview; `nil` for an unknown topic.
  public static func text(_ topic: String?) -> String? {
    guard let topic = topic?.trimmingWhitespace, !topic.isEmpty else { return overview }
    let name = topic.hasPrefix(":") ? String(topic.dropFirst()) : topic
    if let command = CommandParser.commands.first(where: { $0.name == name.lowercased() }) {
      let synopsis = command.synopsis.isEmpty ? "" : " " + command.synopsis
      return ":\(command.name)\(synopsis)\n  \(command.summary)\n  example: \(commandExamples[command.name] ?? "")\n"
    }
    if let op = operatorTopics.first(where: { $0.name == name.lowercased() }) {
      return "\(op.name)\n  \(op.summary)\n  example: \(op.example)\n"
    }
    return nil
  }

  private static var overview: String {
    var text = "Type a filter to evaluate it on the sample; a line ending in an open '(' or quote, or in\n"
    text += "and/or/not or an operator, continues on the next. Tab completes. Commands:\n"
    for command in CommandParser.commands {
      let usage = ":\(command.name)" + (command.synopsis.isEmpty ? "" : " \(command.synopsis)")
      text += "  " + usage.padding(toLength: 26, withPad: " ", startingAt: 0) + command.summary + "\n"
    }
    text += "Operators (:help OPERATOR): " + operatorTopics.map(\.name).joined(separator: " ") + "\n"
    return text
  }
}
