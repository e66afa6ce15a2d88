/// Container ids in cgroup paths.
///
/// Recognised, at any depth (the innermost match wins, so Docker-in-Docker gives the inner container):
/// - systemd scopes `docker-<id>.scope`, `cri-containerd-<id>.scope`, `crio-<id>.scope`, `libpod-<id>.scope`
///   (not `crio-conmon-<id>.scope` or `libpod-conmon-<id>.scope`: those hold the monitor, not the container);
/// - a bare `<id>` directory under `docker`, `libpod_parent`, or under a `kubepods…` directory (the cgroupfs
///   drivers of Docker, Podman, containerd and CRI-O in Kubernetes).
///
/// An id is exactly 64 lower-case hex digits.
public enum ContainerID {
  private static let scopePrefixes: Set<Substring> = ["docker", "cri-containerd", "crio", "libpod"]
  private static let bareParents: Set<Substring> = ["docker", "libpod_parent"]

  /// The container id in `cgroupPath` (`/system.slice/docker-0123….scope`), or nil when it names no container.
  public static func parse(cgroupPath: String) -> String? {
    let components = cgroupPath.split(separator: "/")
    for index in components.indices.reversed() {
      let component = components[index]
      if let id = scopeID(component) { return String(id) }
      guard isID(component), index > components.startIndex else { continue }
      let parent = components[index - 1]
      if bareParents.contains(parent) || components[..<index].contains(where: { $0.hasPrefix("kubepods") }) {
        return String(component)
      }
    }
    return nil
  }

  /// The id of a `<runtime>-<id>.scope` component whose runtime is a container runtime.
  private static func scopeID(_ component: Substring) -> Substring? {
    guard component.hasSuffix(".scope") else { return nil }
    let stem = component.dropLast(".scope".count)
    guard let dash = stem.lastIndex(of: "-") else { return nil }
    let id = stem[stem.index(after: dash)...]
    return scopePrefixes.contains(stem[..<dash]) && isID(id) ? id : nil
  }

  /// Whether `text` is 64 lower-case hex digits.
  public static func isID(_ text: Substring) -> Bool {
    text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
  }
}
