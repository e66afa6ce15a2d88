import Testing

@testable import NetFilterHost

@Suite("Container ids in cgroup paths")
struct ContainerIDTests {
  static let id = "4f7c1b2d9e0a3c5b6d8e7f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c"
  static let other = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

  @Test(
    "Container runtimes' cgroups name the container",
    arguments: [
      "/docker/\(id)",
      "/system.slice/docker-\(id).scope",
      "/system.slice/docker-\(id).scope/init.scope",
      "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podab_cd.slice/cri-containerd-\(id).scope",
      "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod12.slice/crio-\(id).scope",
      "/kubepods/besteffort/pod0c8c7e0e-11a4-4c71-8a0f-2e0b6b6a8f3d/\(id)",
      "/kubepods/pod0c8c7e0e/\(id)",
      "/machine.slice/libpod-\(id).scope",
      "/machine.slice/libpod-\(id).scope/container",
      "/libpod_parent/\(id)",
      "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-\(id).scope",
      "/docker/\(other)/docker/\(id)",
    ]
  )
  func container(path: String) {
    #expect(ContainerID.parse(cgroupPath: path) == Self.id)
  }

  @Test(
    "Everything else names no container",
    arguments: [
      "/",
      "",
      "/user.slice/user-1000.slice/session-2.scope",
      "/system.slice/docker.service",
      "/system.slice/containerd.service",
      "/machine.slice/libpod-conmon-\(id).scope",
      "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod12.slice/crio-conmon-\(id).scope",
      "/system.slice/docker-\(id.prefix(12)).scope",
      "/system.slice/docker-\(id.uppercased()).scope",
      "/system.slice/docker-\(id)0.scope",
      "/system.slice/docker-\(id)",
      "/system.slice/snap-\(id).scope",
      "/\(id)",
      "/system.slice/\(id)",
      "/docker/\(id)x",
      "/docker/g\(id.dropFirst())",
    ]
  )
  func notContainer(path: String) {
    #expect(ContainerID.parse(cgroupPath: path) == nil)
  }

  @Test("HostProcess parses its container id from its cgroup path")
  func processContainer() {
    let process = HostProcess(pid: 1, name: "x", cgroupPath: "/system.slice/docker-\(Self.id).scope", origin: .kernel)
    #expect(process.containerID == Self.id)
    var changed = process
    changed.cgroupPath = "/"
    #expect(changed.containerID == nil && process.containerID == Self.id)
    changed.cgroupPath = "/kubepods/besteffort/pod1/\(Self.other)"
    #expect(changed.containerID == Self.other && changed != process)
    changed.cgroupPath = process.cgroupPath
    #expect(changed == process)
  }
}
