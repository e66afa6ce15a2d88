import Foundation
import Testing

@testable import NetFilterHost

@Suite("Parsing /proc and /etc text")
struct ProcTextTests {
  @Test(
    "stat: the name runs to the LAST ')', fields are counted after it",
    arguments: [
      ("1234 (bash) S 1 1234 1234 34816 1234 4194560 1 2 0 0 3 4 0 0 20 0 1 0 987654 1 2\n", "bash", 1, 987_654),
      ("77 (a) b (c) R 5 77 77 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 42 0 0", "a) b (c", 5, 42),
      ("9 (x ) ) ) ) ) D 8 9 9 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 18446744073709551615", "x ) ) ) ) ", 8, .max),
      ("10 () Z 0 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7 0", "", 0, 7),
    ] as [(String, String, Int32, UInt64)]
  )
  func stat(text: String, name: String, ppid: Int32, startTime: UInt64) throws {
    let stat = try #require(ProcText.stat(text))
    #expect(stat.name == name)
    #expect(stat.ppid == ppid)
    #expect(stat.startTime == startTime)
  }

  @Test(
    "stat: truncated or malformed text is rejected",
    arguments: [
      "", "1234 bash S 1", "1 (init) S 1 1 1 0 -1", "1 (init) S x 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5", ") 1 (",
    ]
  )
  func malformedStat(text: String) {
    #expect(ProcText.stat(text) == nil)
  }

  @Test("status: the real uid and gid are the first numbers of Uid: and Gid:")
  func status() throws {
    let text =
      "Name:\tsleep\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t42\nPid:\t42\nPPid:\t1\n"
      + "Uid:\t1000\t0\t0\t0\nGid:\t100\t100\t100\t100\nFDSize:\t64\n"
    let ids = try #require(ProcText.ids(status: text))
    #expect(ids.uid == 1000)
    #expect(ids.gid == 100)
    #expect(ProcText.ids(status: "Name:\tx\nUid:\t5\t5\t5\t5\n") == nil)
  }

  @Test(
    "cgroup: the path of the 0:: line, and nil without one",
    arguments: [
      ("0::/\n", "/"),
      ("0::/user.slice/user-1000.slice/session-2.scope\n", "/user.slice/user-1000.slice/session-2.scope"),
      (
        "12:pids:/docker/abc\n4:memory:/x\n1:name=systemd:/docker/abc\n0::/system.slice/docker-ab.scope\n",
        "/system.slice/docker-ab.scope"
      ),
      ("0::/odd:name/with:colons\n", "/odd:name/with:colons"),
      ("10:cpu:/a\n1:name=systemd:/\n", nil),
      ("", nil),
    ] as [(String, String?)]
  )
  func cgroup(text: String, path: String?) {
    #expect(ProcText.unifiedCgroupPath(text) == path)
  }

  @Test(
    "cmdline: NUL-separated arguments, trailing NULs dropped, empty arguments inside kept",
    arguments: [
      ("/bin/sleep\u{0}30\u{0}", ["/bin/sleep", "30"]),
      ("python3\u{0}-c\u{0}\u{0}x y\u{0}", ["python3", "-c", "", "x y"]),
      ("nginx: worker process\u{0}\u{0}\u{0}\u{0}", ["nginx: worker process"]),
      ("sshd: root@pts/0", ["sshd: root@pts/0"]),
      ("", []),
      ("\u{0}\u{0}", []),
    ] as [(String, [String])]
  )
  func cmdline(text: String, args: [String]) {
    #expect(ProcText.arguments(cmdline: Array(text.utf8)) == args)
  }

  @Test("cmdline: invalid UTF-8 is repaired, not dropped")
  func cmdlineInvalidUTF8() {
    #expect(ProcText.arguments(cmdline: [0x61, 0xFF, 0x00, 0x62, 0x00]) == ["a\u{FFFD}", "b"])
  }

  @Test(
    "exe: the kernel's ' (deleted)' suffix is removed",
    arguments: [
      ("/usr/bin/sleep", "/usr/bin/sleep"),
      ("/tmp/x (deleted)", "/tmp/x"),
      ("/tmp/a (deleted) (deleted)", "/tmp/a (deleted)"),
      ("/opt/(deleted)", "/opt/(deleted)"),
    ]
  )
  func exe(link: String, path: String) {
    #expect(ProcText.executable(link: link) == path)
  }

  @Test("passwd: uid to name, first entry wins, comments and malformed lines skipped")
  func passwd() {
    let text = """
      root:x:0:0:root:/root:/bin/bash
      # a comment:x:5:5
      daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
      toor:x:0:0:second root:/root:/bin/sh
      broken line
      :x:7:7::/:/bin/false
      nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
      alice:x:notanumber:1::/:
      """
    let names = ProcText.userNames(passwd: text)
    #expect(names == [0: "root", 1: "daemon", 65534: "nobody"])
  }

  @Test(
    "mounts: the first cgroup2 mount, octal escapes decoded",
    arguments: [
      (
        "tmpfs /sys/fs/cgroup tmpfs rw 0 0\ncgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\n"
          + "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0\n",
        "/sys/fs/cgroup/unified"
      ),
      ("cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid 0 0\n", "/sys/fs/cgroup"),
      ("none /mnt/my\\040cgroups cgroup2 rw 0 0\n", "/mnt/my cgroups"),
      ("proc /proc proc rw 0 0\ncgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0\n", nil),
    ] as [(String, String?)]
  )
  func mounts(text: String, mountPoint: String?) {
    #expect(ProcText.cgroup2MountPoint(mounts: text) == mountPoint)
  }

  @Test("Host name is this UTS namespace's")
  func hostName() throws {
    let expected = try String(contentsOfFile: "/proc/sys/kernel/hostname", encoding: .utf8)
    #expect(HostName.current == expected.trimmingCharacters(in: .newlines))
    #expect(!HostName.current.isEmpty)
  }
}
