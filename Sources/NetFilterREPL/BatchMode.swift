/// Runs a session over lines that do not come from a terminal: no prompt, no editing, no escape
/// codes; each complete input's result is printed as it is read.
public struct BatchMode {
  /// Print each input, after `nf> ` (and `...> ` for continued lines), before its result.
  public var echo = false
  /// Stop at the first input with an error.
  public var bail = false

  /// A batch runner.
  public init(echo: Bool = false, bail: Bool = false) {
    self.echo = echo
    self.bail = bail
  }

  /// Reads lines from `next` until it returns `nil` (or `:quit`, or an error with ``bail``);
  /// writes results to `out` and diagnostics to `err`. Returns the exit status: 0, or 1 if any
  /// input had an error.
  public func run(
    _ session: Session,
    lines next: () -> String?,
    out: (String) -> Void,
    err: (String) -> Void
  ) -> Int32 {
    var failed = false
    var pending: [String] = []
    while true {
      let line = next()
      if let line {
        if echo { out((pending.isEmpty ? "nf> " : "...> ") + line + "\n") }
        pending.append(line)
        if session.needsContinuation(pending.joined(separator: "\n")) { continue }
      } else if pending.isEmpty {
        break
      }
      let reply = session.handle(pending.joined(separator: "\n"))
      pending = []
      if !reply.output.isEmpty { out(reply.output) }
      if !reply.errors.isEmpty { err(reply.errors) }
      failed = failed || reply.failed
      if reply.quit || (bail && reply.failed) || line == nil { break }
    }
    return failed ? 1 : 0
  }
}
