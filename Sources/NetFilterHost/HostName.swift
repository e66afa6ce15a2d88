import Foundation

/// This machine's host name, for the `hostName` of events.
public enum HostName {
  /// The host name of this UTS namespace (what `gethostname` returns), read once: `/proc/sys/kernel/hostname`, else
  /// Foundation's `ProcessInfo` (which may consult the resolver, so it is only the fallback).
  public static let current: String = {
    if let text = ProcText.readText("/proc/sys/kernel/hostname") {
      let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
      if !name.isEmpty { return name }
    }
    return ProcessInfo.processInfo.hostName
  }()
}
