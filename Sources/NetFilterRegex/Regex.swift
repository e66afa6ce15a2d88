import CPCRE2
import Synchronization

/// A compiled PCRE2 regular expression, matched against UTF-8 text.
///
/// Patterns are compiled in UTF mode with Unicode properties (`PCRE2_UTF | PCRE2_UCP`), so `\w`,
/// `\d` and case folding understand all of Unicode, and `\C` is rejected. Each pattern is also
/// JIT-compiled when the platform supports it; otherwise PCRE2's interpreter runs it.
///
/// A `Regex` is immutable after `init` and may be shared freely between threads and tasks:
/// the per-match state PCRE2 needs lives in a small pool, and each call to ``matches(_:)-(String)``
/// borrows one entry for its duration, so concurrent matches never share it. In the common case a
/// match allocates nothing; a new entry is allocated only when more threads match at once than
/// ever before.
///
/// This type shadows the standard library's `Regex` in files that import `NetFilterRegex`.
public final class Regex: @unchecked Sendable {
  /// The pattern's source text, exactly as given to `init`.
  public let pattern: String

  /// The compiled `pcre2_code_8`.
  private let code: OpaquePointer
  /// The limits every match uses.
  private let limits: RegexLimits
  /// Whether `pcre2_jit_compile_8` succeeded, so that match contexts need a JIT stack.
  private let isJITCompiled: Bool
  /// Idle match state, reused across calls. Holds at most `maxPooled` entries.
  private let pool = Locked<[MatchScratch]>([])
  /// How many matches gave up because of a limit.
  private let limitHitCount = Atomic<Int>(0)

  /// The most idle match states kept per pattern; extra ones are freed when returned.
  private static let maxPooled = 16
  /// How many matches of every pattern gave up because of a limit.
  private static let allLimitHits = Atomic<Int>(0)

  /// Compiles `pattern`.
  ///
  /// - Parameters:
  ///   - pattern: PCRE2 syntax. Matching is an unanchored search; use `^` and `$` to anchor.
  ///   - caseInsensitive: Match without regard to case, using Unicode case folding
  ///     (`PCRE2_CASELESS`).
  ///   - limits: Bounds on the work a single match may do.
  /// - Throws: ``RegexError`` with PCRE2's message and the UTF-8 offset of the problem.
  public init(
    _ pattern: String,
    caseInsensitive: Bool = false,
    limits: RegexLimits = .default
  ) throws(RegexError) {
    var options = PCRE2.baseOptions
    if caseInsensitive { options |= UInt32(PCRE2_CASELESS) }
    let code = try PCRE2.compile(pattern, options: options)
    self.pattern = pattern
    self.code = code
    self.limits = limits
    // Fails with PCRE2_ERROR_JIT_BADOPTION where the JIT is not built in; pcre2_match_8 then
    // falls back to the interpreter by itself.
    self.isJITCompiled = pcre2_jit_compile_8(code, UInt32(PCRE2_JIT_COMPLETE)) == 0
    let first = MatchScratch(limits: limits, useJIT: isJITCompiled)
    pool.withLock {
      $0.reserveCapacity(Self.maxPooled); $0.append(first)
    }
  }

  deinit {
    pcre2_code_free_8(code)
  }

  /// Whether the pattern matches anywhere in `subject`, like Go's `MatchString`.
  ///
  /// The subject's UTF-8 bytes are passed to PCRE2 without copying. Returns false, and increments
  /// ``limitHits``, when the match or depth limit is reached before an answer is found: this call
  /// never hangs and never crashes, whatever the pattern.
  public func matches(_ subject: String) -> Bool {
    // A Swift String is always valid UTF-8, so PCRE2's own validity scan can be skipped.
    PCRE2.withUTF8(subject) { base, count in
      run(base, count, options: UInt32(PCRE2_NO_UTF_CHECK))
    }
  }

  /// Whether the pattern matches anywhere in `subject`, given as UTF-8 bytes.
  ///
  /// The bytes are used in place when the sequence is contiguous and copied otherwise. Bytes that
  /// are not valid UTF-8 make the result false (PCRE2 refuses to search them); they do not count
  /// as ``limitHits``.
  public func matches(_ subject: some Sequence<UInt8>) -> Bool {
    let result = subject.withContiguousStorageIfAvailable { buffer in
      PCRE2.withBase(buffer) { run($0, $1, options: 0) }
    }
    if let result { return result }
    return Array(subject).withUnsafeBufferPointer { buffer in
      PCRE2.withBase(buffer) { run($0, $1, options: 0) }
    }
  }

  /// How many calls to ``matches(_:)-(String)`` so far gave up because a limit was reached
  /// (and so returned false). Safe to read from any thread.
  public var limitHits: Int { limitHitCount.load(ordering: .relaxed) }

  /// How many matches of every pattern in the process gave up because a limit was reached (and so
  /// returned false): a run reports the difference between its end and its start.
  public static var totalLimitHits: Int { allLimitHits.load(ordering: .relaxed) }

  /// Checks that `pattern` compiles, without keeping the result.
  ///
  /// - Returns: nil if the pattern is valid, otherwise the error that
  ///   ``init(_:caseInsensitive:limits:)`` would throw.
  public static func validate(_ pattern: String) -> RegexError? {
    do {
      pcre2_code_free_8(try PCRE2.compile(pattern, options: PCRE2.baseOptions))
      return nil
    } catch {
      return error
    }
  }

  /// Runs one unanchored match over `count` bytes at `base`.
  private func run(_ base: UnsafePointer<UInt8>, _ count: Int, options: UInt32) -> Bool {
    let scratch = checkOut()
    defer { checkIn(scratch) }
    let result = pcre2_match_8(code, base, count, 0, options, scratch.matchData, scratch.context)
    // 0 would mean "matched, but the offsets did not fit", which still is a match.
    if result >= 0 { return true }
    if PCRE2.isLimitError(result) {
      limitHitCount.add(1, ordering: .relaxed)
      Self.allLimitHits.add(1, ordering: .relaxed)
    }
    return false
  }

  /// Takes an idle match state from the pool, or makes one if all are in use.
  private func checkOut() -> MatchScratch {
    if let scratch = pool.withLock({ $0.popLast() }) { return scratch }
    return MatchScratch(limits: limits, useJIT: isJITCompiled)
  }

  /// Returns a match state to the pool, or frees it if the pool is full.
  private func checkIn(_ scratch: MatchScratch) {
    pool.withLock { idle in
      if idle.count < Self.maxPooled { idle.append(scratch) }
    }
  }
}
