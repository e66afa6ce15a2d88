import NetFilterSyntax

/// One match or finding as the network outputs ship it, in the shape of Falco's JSON output: plain
/// values only, independent of the event types of the runtime, so that a rule engine's findings
/// and a plain filter's matches go out the same way.
public struct Alert: Sendable, Equatable {
  /// When the event happened, in nanoseconds since the Unix epoch.
  public var time: Int64
  /// The rule's name (for a plain `run`, the filter's `--name` or its text).
  public var rule: String
  /// How urgent it is, as Falco names it.
  public var priority: AlertPriority
  /// Where the event came from: `pcap`, `json` or `live` (Falco's `source`).
  public var source: String
  /// The host that saw the event.
  public var hostname: String
  /// One line for people, e.g. a rule's filled template. When empty, ``text`` makes one of the rule
  /// and the fields on the delivery thread: "dns-to-8.8.8.8 matched (evt.name=Send net.dport=53)".
  public var output: String
  /// Field values by their filter names (`net.dport`, `ps.name`), in order; never empty when
  /// built by ``AlertBuilder`` or ``init(time:rule:priority:source:hostname:output:fields:tags:id:labels:)``.
  public var fields: [(name: String, value: AlertValue)]
  /// Tags of the rule.
  public var tags: [String]
  /// The finding's identifier, if it has one.
  public var id: String?
  /// Labels of the rule (name → value), in order.
  public var labels: [(name: String, value: String)]

  /// An alert; when `fields` is empty, `rule` is given as the one field `netfilter.rule`, because
  /// Falco's consumers (falcosidekick) refuse an alert without output fields.
  public init(
    time: Int64,
    rule: String,
    priority: AlertPriority,
    source: String,
    hostname: String,
    output: String,
    fields: [(name: String, value: AlertValue)],
    tags: [String] = [],
    id: String? = nil,
    labels: [(name: String, value: String)] = []
  ) {
    self.time = time
    self.rule = rule
    self.priority = priority
    self.source = source
    self.hostname = hostname
    self.output = output
    self.fields = fields.isEmpty ? [("netfilter.rule", .string(rule))] : fields
    self.tags = tags
    self.id = id
    self.labels = labels
  }

  /// ``output``, or when that is empty the rule and its fields as one line.
  public var text: String {
    guard output.isEmpty else { return output }
    return "\(rule) matched (" + fields.map { "\($0.name)=\($0.value.text)" }.joined(separator: " ") + ")"
  }

  public static func == (lhs: Alert, rhs: Alert) -> Bool {
    lhs.time == rhs.time && lhs.rule == rhs.rule && lhs.priority == rhs.priority && lhs.source == rhs.source
      && lhs.hostname == rhs.hostname && lhs.output == rhs.output && lhs.tags == rhs.tags && lhs.id == rhs.id
      && lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
      && lhs.labels.elementsEqual(rhs.labels) { $0 == $1 }
  }
}

/// A field value with its JSON type: ports and pids are integers, addresses and names strings.
public indirect enum AlertValue: Sendable, Hashable {
  case int(Int64)
  case uint(UInt64)
  case double(Double)
  case bool(Bool)
  case string(String)
  /// An address, written as text (kept as a value until then).
  case address(IPAddress)
  case list([AlertValue])
}

/// Falco's priorities, most urgent first. falcosidekick accepts exactly these names (any case).
public enum AlertPriority: String, Sendable, CaseIterable, Comparable {
  case emergency = "Emergency"
  case alert = "Alert"
  case critical = "Critical"
  case error = "Error"
  case warning = "Warning"
  case notice = "Notice"
  case informational = "Informational"
  case debug = "Debug"

  /// A priority from Falco's name (any case, `info` too), or from a finding's severity:
  /// low → Notice, medium → Warning, high → Error, critical → Critical.
  public init?(name: String) {
    switch name.lowercased() {
    case "low": self = .notice
    case "medium": self = .warning
    case "high": self = .error
    case "info": self = .informational
    default:
      guard let match = Self.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else {
        return nil
      }
      self = match
    }
  }

  /// OpenTelemetry's severity number: DEBUG 5, INFO 9, INFO2 10, WARN 13, ERROR 17, ERROR2 18,
  /// FATAL 21, FATAL2 22.
  public var severityNumber: Int {
    switch self {
    case .debug: 5
    case .informational: 9
    case .notice: 10
    case .warning: 13
    case .error: 17
    case .critical: 18
    case .alert: 21
    case .emergency: 22
    }
  }

  private var rank: Int { Self.allCases.firstIndex(of: self)! }

  /// Less urgent first.
  public static func < (lhs: AlertPriority, rhs: AlertPriority) -> Bool { lhs.rank > rhs.rank }
}
