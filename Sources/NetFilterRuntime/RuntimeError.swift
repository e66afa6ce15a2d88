/// Why a pipeline could not run or stopped early.
public struct RuntimeError: Error, Sendable, CustomStringConvertible {
  /// How the failure is to be reported.
  public enum Kind: Sendable, Equatable {
    /// The configuration cannot work: a file that cannot be read, an unknown event name, a
    /// capture of an unsupported link type (a usage error on the command line).
    case configuration
    /// The run failed: a malformed line with `strict`, output that could not be written, a
    /// filter that cannot be planned, a damaged capture.
    case failure
    /// Live capture is not possible here (not root, no BTF, no cgroup v2, bpf() refused).
    case unavailable
  }

  /// How to report it.
  public let kind: Kind
  /// What went wrong, in one sentence.
  public let message: String

  /// Creates an error.
  public init(_ kind: Kind, _ message: String) {
    self.kind = kind
    self.message = message
  }

  public var description: String { message }
}
