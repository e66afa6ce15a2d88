import NetFilterSema

/// One detection rule: a filter or a `sequence`, and what a finding of it says.
///
/// Rules are usually loaded from Fibratus-style YAML files by the `NetFilter` module's
/// `RuleLoader`; an embedder can also build them directly.
public struct Rule: Sendable {
  /// How serious a finding is: Fibratus's four levels.
  public enum Severity: String, Sendable, CaseIterable, Comparable {
    case low, medium, high, critical

    /// Falco's name for the level (`priority` in findings): low is `Notice`, medium `Warning`,
    /// high `Error`, critical `Critical`, so falcosidekick's `minimumpriority` keeps its meaning.
    public var priority: String {
      switch self {
      case .low: "Notice"
      case .medium: "Warning"
      case .high: "Error"
      case .critical: "Critical"
      }
    }

    public static func < (a: Severity, b: Severity) -> Bool {
      allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
  }

  /// A unique identifier (Fibratus uses UUIDs).
  public var id: String
  /// A unique, human-readable name.
  public var name: String
  /// The rule's own version (semantic versioning).
  public var version: String
  /// The condition, type-checked.
  public var condition: CheckedFilter
  /// How serious a finding is.
  public var severity: Severity
  /// The finding's message, with `%field` and `%N.field` placeholders.
  public var output: OutputTemplate?
  /// What the rule detects.
  public var description: String?
  /// Free-form tags (Falco's `tags`, Fibratus's `tags`).
  public var tags: [String]
  /// Key-value labels (MITRE tactic and technique, …), written in key order.
  public var labels: [String: String]
  /// Whether the rule runs.
  public var enabled: Bool

  /// A rule with default metadata: medium severity, no output template, enabled.
  public init(
    id: String,
    name: String,
    condition: CheckedFilter,
    version: String = "1.0.0",
    severity: Severity = .medium,
    output: OutputTemplate? = nil
  ) {
    self.id = id
    self.name = name
    self.version = version
    self.condition = condition
    self.severity = severity
    self.output = output
    description = nil
    tags = []
    labels = [:]
    enabled = true
  }

  /// The rule's sequence, if it is one.
  public var sequence: CheckedSequence? {
    if case .sequence(let sequence) = condition { sequence } else { nil }
  }

  /// The conditions an event is tested against: the filter, or each step of a sequence.
  var steps: [CheckedExpr] {
    switch condition {
    case .expression(let expression): [expression]
    case .sequence(let sequence): sequence.steps.map(\.condition)
    }
  }
}
