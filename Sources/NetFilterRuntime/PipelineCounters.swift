import Foundation
import NetFilterJSON
import Synchronization

/// What a pipeline counted.
public struct PipelineCounters: Sendable, Equatable {
  /// Events read from the source (packets, socket events, JSON lines).
  public var received = 0
  /// Events the filter selected (with `--events`, one per selected view); with rules, events that
  /// matched a rule's condition or a sequence step.
  public var matched = 0
  /// Damaged input: malformed packets or lines, a damaged capture record.
  public var malformed = 0
  /// Records the kernel dropped because the ring buffer was full (live capture only).
  public var lost: UInt64 = 0
  /// `regex()` matches that reached PCRE2's match limit and so counted as no match.
  public var regexLimited = 0
  /// Findings written (rules only).
  public var findings = 0
  /// With rules: findings per rule name, and sequence state.
  public var rules: RuleStatistics?
  /// The name cache's counters, when the run looked names up.
  public var names: NameCacheCounters?
  /// What the kernel saw and let through: counted by the kernel program in a live capture, or by
  /// ``KernelModel`` over a capture file or JSON lines when ``Pipeline/modelsKernel`` is set.
  public var kernel: KernelCounters?

  /// Zero counts.
  public init() {}

  /// The counters as one JSON object (`--stats`).
  public var json: String {
    var writer = JSONTextWriter(capacity: 256)
    writer.beginObject()
    writer.member("received", number: received)
    writer.member("matched", number: matched)
    writer.member("lost", number: lost)
    writer.member("malformed", number: malformed)
    if regexLimited > 0 { writer.member("regex_limited", number: regexLimited) }
    if let rules {
      writer.member("findings", number: findings)
      writer.key("rules")
      writer.beginObject()
      for entry in rules.findings {
        writer.dynamicKey(entry.rule)
        writer.number(UInt64(entry.count))
      }
      writer.endObject()
      writer.key("sequences")
      writer.beginObject()
      writer.member("instances", number: rules.counters.sequenceInstances)
      writer.member("evicted", number: rules.counters.sequenceEvicted)
      writer.member("expired", number: rules.counters.sequenceExpired)
      writer.member("ended", number: rules.counters.sequenceEnded)
      writer.endObject()
    }
    if let kernel {
      writer.key("kernel")
      writer.beginObject()
      writer.member("seen", number: kernel.seen)
      writer.member("passed", number: kernel.passed)
      writer.key("pass_ratio")
      writer.rawNumber(String(format: "%.4f", kernel.passRatio))
      if kernel.modelled {
        writer.key("modelled")
        writer.bool(true)
      }
      writer.endObject()
    }
    if let names {
      writer.key("names")
      writer.embedded(Array(names.json.utf8))
    }
    writer.endObject()
    return String(decoding: writer.finish(), as: UTF8.self)
  }
}

/// What the kernel program counted in a live capture: events it saw (packets and socket events)
/// and those its plan let through to user space; or the same counted by ``KernelModel`` over
/// events from a file.
public struct KernelCounters: Sendable, Equatable {
  /// Packets and socket events the kernel saw.
  public var seen: UInt64
  /// Those the kernel plan passed (copied to the ring buffer, or dropped there when it was full).
  public var passed: UInt64
  /// Whether the counts come from ``KernelModel`` (no kernel saw these events).
  public var modelled: Bool

  /// Creates counters.
  public init(seen: UInt64, passed: UInt64, modelled: Bool = false) {
    self.seen = seen
    self.passed = passed
    self.modelled = modelled
  }

  /// The share of events passed, from 0 to 1 (1 when nothing was seen).
  public var passRatio: Double { seen == 0 ? 1 : Double(passed) / Double(seen) }
}

/// What a rule set counted in a run.
public struct RuleStatistics: Sendable, Equatable {
  /// Findings per rule, in rule order (rule name, count).
  public var findings: [Finding.Count]
  /// Sequence instances alive, evicted and expired.
  public var counters: RuleCounters
}

extension Finding {
  /// How many findings one rule had.
  public struct Count: Sendable, Equatable {
    /// The rule's name.
    public var rule: String
    /// Its findings.
    public var count: Int
  }
}

/// The latest ``PipelineCounters`` of a running pipeline, for readers on other threads: the
/// pipeline publishes a copy now and then (``Pipeline/board``), never per event on the packet path.
public final class CounterBoard: Sendable {
  private let current = Mutex(PipelineCounters())

  /// A board of zero counts.
  public init() {}

  /// Replaces the published counters.
  public func publish(_ counters: PipelineCounters) { current.withLock { $0 = counters } }

  /// The counters published last.
  public var snapshot: PipelineCounters { current.withLock { $0 } }
}
