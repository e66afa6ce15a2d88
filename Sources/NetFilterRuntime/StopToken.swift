import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Asks a running pipeline to stop: the pipeline checks it between events (live capture: between
/// waits for records too) and returns normally, so a live capture always detaches its programs.
/// ``stop()`` is lock-free and so may be called from a signal handler.
public final class StopToken: Sendable {
  private let flag = Atomic<Bool>(false)

  /// A token not yet stopped.
  public init() {}

  /// Asks the pipeline to stop.
  public func stop() { flag.store(true, ordering: .relaxed) }

  /// Whether a stop was asked for.
  public var isStopped: Bool { flag.load(ordering: .relaxed) }

  /// The token SIGINT and SIGTERM stop while ``SignalStop`` handlers are installed.
  public static let signals = StopToken()
}

/// SIGINT and SIGTERM stop ``StopToken/signals`` instead of killing the process, while an instance
/// is alive (call ``restore()`` when done). The signal also interrupts a ring-buffer wait. A real
/// handler, not SIG_IGN: children started meanwhile get the default disposition back when they exec.
///
/// The handlers are installed without `SA_RESTART`, so a blocking read of standard input returns
/// `EINTR` and the reader can see the stop; threads that must not take the signals instead of the
/// reading thread block them (``blockOnThisThread()``).
public final class SignalStop {
  private var previous: [(Int32, sigaction)] = []
  private var previousMask = sigset_t()

  /// Installs the handlers and unblocks both signals on this thread (a parent may have started
  /// the process with them blocked, as threads of libdispatch do).
  public init() {
    for number in [SIGINT, SIGTERM] {
      var action = sigaction()
      action.__sigaction_handler = .init(sa_handler: { _ in StopToken.signals.stop() })
      sigemptyset(&action.sa_mask)
      action.sa_flags = 0
      var old = sigaction()
      sigaction(number, &action, &old)
      previous.append((number, old))
    }
    var both = sigset_t()
    sigemptyset(&both)
    sigaddset(&both, SIGINT)
    sigaddset(&both, SIGTERM)
    pthread_sigmask(SIG_UNBLOCK, &both, &previousMask)
  }

  /// Stops handling the signals (their previous dispositions are back).
  public func restore() {
    pthread_sigmask(SIG_SETMASK, &previousMask, nil)
    for (number, old) in previous {
      var action = old
      sigaction(number, &action, nil)
    }
  }

  /// Blocks SIGINT and SIGTERM on the calling thread (a helper thread: the signals then go to the
  /// thread that reads events and checks ``StopToken/signals``).
  public static func blockOnThisThread() {
    var both = sigset_t()
    sigemptyset(&both)
    sigaddset(&both, SIGINT)
    sigaddset(&both, SIGTERM)
    pthread_sigmask(SIG_BLOCK, &both, nil)
  }
}
