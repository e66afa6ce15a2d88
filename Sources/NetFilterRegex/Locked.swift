#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A value guarded by a pthread mutex.
///
/// Used instead of `Synchronization.Mutex`: on Linux that type locks with raw futex calls that
/// ThreadSanitizer cannot see, so every access it guards is reported as a race, which would bury
/// real reports from code that matches on many threads. ThreadSanitizer understands pthread
/// mutexes.
final class Locked<Value>: @unchecked Sendable {
  /// Heap-allocated so that its address never changes, as pthreads requires.
  private let mutex: UnsafeMutablePointer<pthread_mutex_t>
  /// The guarded value; touched only while `mutex` is held.
  private var value: Value

  /// Wraps `value`.
  init(_ value: Value) {
    mutex = .allocate(capacity: 1)
    mutex.initialize(to: pthread_mutex_t())
    let status = pthread_mutex_init(mutex, nil)
    precondition(status == 0, "pthread_mutex_init failed with \(status)")
    self.value = value
  }

  deinit {
    pthread_mutex_destroy(mutex)
    mutex.deinitialize(count: 1)
    mutex.deallocate()
  }

  /// Runs `body` with exclusive access to the value. `body` must not call back into this lock.
  func withLock<Result>(_ body: (inout Value) -> Result) -> Result {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return body(&value)
  }
}
