import CPCRE2

/// The mutable state one `pcre2_match_8` call needs: match data, a match context carrying the
/// limits, and (when the pattern was JIT-compiled) a JIT stack.
///
/// PCRE2 forbids using match data or a JIT stack from two threads at once, so a scratch belongs
/// to one match at a time: ``Regex`` checks one out of its pool for each call and returns it
/// afterwards. That makes matching thread-safe without allocating in the common case.
final class MatchScratch: @unchecked Sendable {
  /// The `pcre2_match_context_8`, with the limits set and the JIT stack assigned.
  let context: OpaquePointer
  /// A `pcre2_match_data_8` with room for one pair of offsets: only whether a match exists is used.
  let matchData: OpaquePointer
  /// The `pcre2_jit_stack_8`, or nil when the JIT is not in use.
  private let jitStack: OpaquePointer?

  /// Allocates the state; traps only if PCRE2 cannot allocate a few hundred bytes.
  init(limits: RegexLimits, useJIT: Bool) {
    guard let context = pcre2_match_context_create_8(nil),
      let matchData = pcre2_match_data_create_8(1, nil)
    else { fatalError("NetFilterRegex: out of memory allocating PCRE2 match state") }
    pcre2_set_match_limit_8(context, limits.matchLimit)
    pcre2_set_depth_limit_8(context, limits.depthLimit)
    // Without an assigned stack the JIT uses 32 KiB of the machine stack; a private stack lets
    // deeper (but still limited) matches succeed and can never overflow the thread's stack.
    var jitStack: OpaquePointer? = nil
    if useJIT, let stack = pcre2_jit_stack_create_8(PCRE2.jitStackStart, PCRE2.jitStackMax, nil) {
      pcre2_jit_stack_assign_8(context, nil, UnsafeMutableRawPointer(stack))
      jitStack = stack
    }
    self.context = context
    self.matchData = matchData
    self.jitStack = jitStack
  }

  deinit {
    pcre2_match_data_free_8(matchData)
    pcre2_match_context_free_8(context)
    if let jitStack { pcre2_jit_stack_free_8(jitStack) }
  }
}
