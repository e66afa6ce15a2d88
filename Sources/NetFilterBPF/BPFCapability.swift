internal import CLibbpf

#if canImport(Glibc)
  import Glibc
#endif

/// Whether this process can load and attach netfilter's BPF programs here, and if not, exactly
/// what is missing (checked once, without loading anything but a one-entry probe map).
public struct BPFCapability: Sendable {
  /// What is missing, one reason per item (empty when live capture can work).
  public let missing: [String]
  /// The cgroup-v2 mount point, from /proc/mounts.
  public let cgroupRoot: String?

  /// Whether the programs can be loaded and attached.
  public var canLoadPrograms: Bool { missing.isEmpty }

  /// The machine's capability, as checked now.
  public static func check() -> BPFCapability {
    var missing: [String] = []
    // Capabilities, not the uid: a process granted exactly these may capture without being root.
    let lacking = missingCapabilities(effectiveCapabilities())
    if !lacking.isEmpty {
      missing.append(
        "not running as root and without \(lacking.joined(separator: ", ")) "
          + "(live capture needs CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN, or root)"
      )
    }
    if access("/sys/kernel/btf/vmlinux", R_OK) != 0 {
      missing.append("no kernel BTF (/sys/kernel/btf/vmlinux is missing; the kernel needs CONFIG_DEBUG_INFO_BTF)")
    }
    let root = cgroup2Mount()
    if root == nil { missing.append("no cgroup v2 mount in /proc/mounts (mount -t cgroup2 none /sys/fs/cgroup)") }
    if missing.isEmpty, let problem = probeBPFSyscall() { missing.append(problem) }
    return BPFCapability(missing: missing, cgroupRoot: root)
  }

  /// The capability checked once per process.
  public static let current = check()

  /// The capabilities live capture needs that `effective` (a CapEff bit set) lacks, by name.
  /// CAP_SYS_ADMIN stands for CAP_BPF and CAP_PERFMON, as it does in kernels before 5.8.
  static func missingCapabilities(_ effective: UInt64) -> [String] {
    func has(_ bit: UInt64) -> Bool { effective & (1 << bit) != 0 }
    let sysAdmin = has(21)
    var lacking: [String] = []
    if !has(39) && !sysAdmin { lacking.append("CAP_BPF") }
    if !has(38) && !sysAdmin { lacking.append("CAP_PERFMON") }
    if !has(12) { lacking.append("CAP_NET_ADMIN") }
    return lacking
  }

  /// This process's effective capabilities (`CapEff` in /proc/self/status); none if unreadable.
  static func effectiveCapabilities() -> UInt64 {
    guard let file = fopen("/proc/self/status", "r") else { return 0 }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 512)
    while fgets(&line, Int32(line.count), file) != nil {
      let text = String(cString: line)
      guard text.hasPrefix("CapEff:") else { continue }
      return UInt64(text.dropFirst(7).filter { !$0.isWhitespace }, radix: 16) ?? 0
    }
    return 0
  }

  /// The mount point of the cgroup2 filesystem, if mounted.
  static func cgroup2Mount() -> String? {
    guard let file = fopen("/proc/mounts", "r") else { return nil }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 4096)
    while fgets(&line, Int32(line.count), file) != nil {
      let fields = String(cString: line).split(separator: " ")
      if fields.count >= 3, fields[2] == "cgroup2" { return String(fields[1]) }
    }
    return nil
  }

  /// Whether `bpf()` works at all: creates and closes a one-entry array map.
  static func probeBPFSyscall() -> String? {
    let fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "nf_probe", 4, 4, 1, nil)
    if fd >= 0 {
      close(fd)
      return nil
    }
    let code = errno
    if code == EPERM {
      return "bpf() fails with EPERM (no CAP_BPF, or kernel.unprivileged_bpf_disabled, or a seccomp/LSM policy)"
    }
    return "bpf() fails: \(String(cString: strerror(code))) (errno \(code))"
  }
}
