import Foundation

/// One pass over `/proc`: the pids, the `socket:[INODE]` links of their descriptors, and one pid in each network
/// namespace (whose `/proc/PID/net` shows that namespace's sockets).
struct ProcessScan {
  let procRoot: String
  /// Socket inode → the lowest pid holding a descriptor to it.
  private(set) var socketOwners: [UInt64: Int32] = [:]
  /// One pid per network namespace, this process's namespace first (nil standing for `/proc/self`).
  private(set) var namespaces: [Int32?] = [nil]

  init(procRoot: String) {
    self.procRoot = procRoot
    let ownNamespace = ProcText.readLink(procRoot + "/self/ns/net")
    var seen: Set<String> = ownNamespace.map { [$0] } ?? []
    for pid in Self.pids(procRoot: procRoot) {
      let directory = "\(procRoot)/\(pid)"
      if let namespace = ProcText.readLink(directory + "/ns/net"), seen.insert(namespace).inserted {
        namespaces.append(pid)
      }
      recordSockets(directory: directory, pid: pid)
    }
  }

  /// The pids under `procRoot`, ascending.
  static func pids(procRoot: String) -> [Int32] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: procRoot)) ?? []
    return names.compactMap { Int32($0) }.sorted()
  }

  private mutating func recordSockets(directory: String, pid: Int32) {
    let fdDirectory = directory + "/fd"
    for fd in (try? FileManager.default.contentsOfDirectory(atPath: fdDirectory)) ?? [] {
      guard let target = ProcText.readLink(fdDirectory + "/" + fd), let inode = Self.socketInode(target) else {
        continue
      }
      if socketOwners[inode] == nil { socketOwners[inode] = pid }
    }
  }

  /// The inode of a `socket:[INODE]` link target.
  static func socketInode(_ target: String) -> UInt64? {
    guard target.hasPrefix("socket:["), target.hasSuffix("]") else { return nil }
    return UInt64(target.dropFirst("socket:[".count).dropLast())
  }

  /// The TCP and UDP sockets of every network namespace found.
  func sockets() -> [ProcNetSocket] {
    var sockets: [ProcNetSocket] = []
    for namespace in namespaces {
      let net = procRoot + "/" + (namespace.map { String($0) } ?? "self") + "/net/"
      for (file, proto) in [("tcp", SocketProtocol.tcp), ("tcp6", .tcp), ("udp", .udp), ("udp6", .udp)] {
        guard let text = ProcText.readText(net + file) else { continue }
        sockets += ProcNetSocket.parse(text, proto: proto)
      }
    }
    return sockets
  }
}
