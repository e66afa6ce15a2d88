import Foundation
import NetFilterDecoders
import NetFilterSyntax

/// The event kinds a run emits (`--events`). Without a selection each packet is ONE event named
/// after its most specific kind (Wireshark's model); with one, a packet is emitted once per
/// selected Tracee kind it is (Tracee's model), and socket events only of the selected kinds.
public struct EventSelection: Sendable, Equatable {
  /// The packet kinds selected, in the order given, each once.
  public let packetKinds: [String]
  /// The socket kinds selected (with `QueryDns`/`ReplyDns`, which stand for whole DNS packets);
  /// nil when nothing is selected (every event).
  public let socketKinds: Set<String>?

  /// Every event: no selection.
  public static let all = EventSelection(packetKinds: [], socketKinds: nil)

  private init(packetKinds: [String], socketKinds: Set<String>?) {
    self.packetKinds = packetKinds
    self.socketKinds = socketKinds
  }

  /// The selection of the comma-separated `names`; `socketEvents` says whether the source has
  /// socket events (live capture) or only packets.
  public init(_ names: String, socketEvents: Bool) throws(RuntimeError) {
    let known = socketEvents ? EventNames.packet + EventNames.socket : EventNames.packet
    var seen: [String] = []
    for part in names.split(separator: ",", omittingEmptySubsequences: false) {
      let name = part.trimmingCharacters(in: .whitespaces)
      if name.isEmpty { continue }
      guard known.contains(name) else {
        throw RuntimeError(
          .configuration,
          "Unknown event '\(name)' in --events; use \(known.joined(separator: ", "))."
        )
      }
      if !seen.contains(name) { seen.append(name) }
    }
    guard !seen.isEmpty else { throw RuntimeError(.configuration, "--events needs at least one event name.") }
    packetKinds = seen.filter(EventNames.packet.contains)
    socketKinds = Set(seen.filter { !EventNames.packet.contains($0) })
  }

  /// Whether every event is emitted as it is.
  public var isAll: Bool { socketKinds == nil }

  /// Every kind selected: what the kernel plan may let through.
  public var kinds: [String] { packetKinds + (socketKinds.map { $0.sorted() } ?? []) }

  /// Whether a socket event of `kind` is selected.
  public func selects(socket kind: String) -> Bool { socketKinds?.contains(kind) ?? true }

  /// Calls `body` with each event a packet of `kind` stands for: the packet itself without a
  /// selection, else one view per selected Tracee kind it is, and the whole packet for a
  /// selected `QueryDns`/`ReplyDns`. Stops when `body` returns false or throws.
  public func forEachView<E, Failure: Error>(
    of event: E,
    kind: PacketKind,
    viewed: (E, String) -> E,
    _ body: (E) throws(Failure) -> Bool
  ) throws(Failure) {
    guard let socketKinds else {
      _ = try body(event)
      return
    }
    for name in packetKinds where kind.isA(name) {
      if try !body(viewed(event, name)) { return }
    }
    if let fibratus = kind.fibratusName, socketKinds.contains(fibratus) { _ = try body(event) }
  }
}
