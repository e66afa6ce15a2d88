import NetFilterSyntax

/// The Fibratus-style fields: `evt.*`, `ps.*`, `net.*` and `dns.*`.
enum SocketFields {
  static let all = event + process + network + dns

  static let event: [FieldDescriptor] = [
    FieldDescriptor("evt.seq", .uint64, "monotonic event sequence number"),
    FieldDescriptor("evt.pid", .uint32, kernel: .pid, "process id of the event's process"),
    FieldDescriptor("evt.tid", .uint32, kernel: .tid, "thread id of the event's thread"),
    FieldDescriptor("evt.cpu", .uint8, "CPU the event was seen on"),
    FieldDescriptor(
      "evt.name",
      .string,
      kernel: .eventKind,
      allowed: EventNames.socket + EventNames.packet,
      "event name, such as 'Connect' or 'net_packet_dns'"
    ),
    FieldDescriptor(
      "evt.kinds",
      .string,
      multi: true,
      allowed: EventNames.socket + EventNames.packet,
      "every kind the event is: a DNS response packet is also net_packet_dns, net_packet_udp, …"
    ),
    FieldDescriptor("evt.category", .string, allowed: ["net"], "event category; always 'net'"),
    FieldDescriptor("evt.desc", .string, "event description"),
    FieldDescriptor("evt.host", .string, "host name"),
    FieldDescriptor("evt.time", .string, "event time as HH:MM:SS"),
    FieldDescriptor("evt.time.h", .uint8, "hour of the event time"),
    FieldDescriptor("evt.time.m", .uint8, "minute of the event time"),
    FieldDescriptor("evt.time.s", .uint8, "second of the event time"),
    FieldDescriptor("evt.time.ns", .int, "event time in nanoseconds since the Unix epoch"),
    FieldDescriptor("evt.date", .string, "event date as YYYY-MM-DD"),
    FieldDescriptor("evt.date.d", .uint8, "day of the month"),
    FieldDescriptor("evt.date.m", .uint8, "month"),
    FieldDescriptor("evt.date.y", .uint32, "year"),
    FieldDescriptor("evt.date.week", .uint8, "ISO week number"),
    FieldDescriptor("evt.date.tz", .string, "time zone"),
    FieldDescriptor("evt.date.weekday", .string, "day of the week"),
    FieldDescriptor("evt.nparams", .uint64, "number of event parameters"),
    FieldDescriptor(
      "evt.arg",
      .string,
      argument: ArgumentSpec(required: true, meaning: "parameter name"),
      "an event parameter by name, as text: evt.arg[dport]"
    ),
  ]

  static let process: [FieldDescriptor] = [
    FieldDescriptor("ps.pid", .uint32, kernel: .pid, "process id"),
    FieldDescriptor("ps.tid", .uint32, kernel: .tid, "thread id"),
    FieldDescriptor("ps.ppid", .uint32, "parent process id"),
    FieldDescriptor("ps.name", .string, kernel: .comm, "process name (the thread-group leader's comm)"),
    FieldDescriptor("ps.exe", .string, "executable path"),
    FieldDescriptor("ps.cmdline", .string, "full command line"),
    FieldDescriptor("ps.args", .string, multi: true, "command-line arguments"),
    FieldDescriptor("ps.cwd", .string, "current working directory"),
    FieldDescriptor("ps.username", .string, "user name"),
    FieldDescriptor("ps.uid", .uint32, "user id"),
    FieldDescriptor("ps.gid", .uint32, "group id"),
    FieldDescriptor("ps.uuid", .uint64, "process id that stays unique across pid reuse"),
    FieldDescriptor(
      "ps.envs",
      .string,
      multi: true,
      argument: ArgumentSpec(required: false, meaning: "environment variable name"),
      "environment variables as KEY=VALUE, or one variable's value: ps.envs[PATH]"
    ),
    FieldDescriptor(
      "ps.ancestor",
      .string,
      multi: true,
      argument: ArgumentSpec(required: false, meaning: "ancestor index", numeric: true),
      "names of the ancestors, or one of them: ps.ancestor[0] is the parent"
    ),
    FieldDescriptor("ps.parent.pid", .uint32, "parent process id"),
    FieldDescriptor("ps.parent.name", .string, "parent process name"),
    FieldDescriptor("ps.parent.exe", .string, "parent executable path"),
    FieldDescriptor("ps.parent.cmdline", .string, "parent command line"),
    FieldDescriptor("ps.parent.args", .string, multi: true, "parent command-line arguments"),
    FieldDescriptor("ps.parent.uid", .uint32, "parent user id"),
    FieldDescriptor("ps.cgroup.id", .uint64, kernel: .cgroupID, "cgroup v2 id"),
    FieldDescriptor("ps.cgroup.path", .string, "cgroup v2 path"),
    FieldDescriptor("ps.container.id", .string, "container id, when the cgroup path shows one"),
  ]

  static let network: [FieldDescriptor] = [
    FieldDescriptor("net.sip", .ip, kernel: .sourceAddress, "local address (packets: source address)"),
    FieldDescriptor("net.dip", .ip, kernel: .destinationAddress, "remote address (packets: destination address)"),
    FieldDescriptor("net.sport", .uint16, kernel: .sourcePort, "local port (packets: source port)"),
    FieldDescriptor("net.dport", .uint16, kernel: .destinationPort, "remote port (packets: destination port)"),
    FieldDescriptor(
      "net.l4.proto",
      .string,
      kernel: .l4Protocol,
      allowed: ["TCP", "UDP", "ICMP", "ICMPv6"],
      "layer-4 protocol"
    ),
    FieldDescriptor(
      "net.direction",
      .string,
      kernel: .direction,
      allowed: ["ingress", "egress"],
      "'ingress' or 'egress'"
    ),
    FieldDescriptor("net.size", .uint32, "bytes sent, received or carried by the packet"),
    FieldDescriptor("net.sport.name", .string, "IANA service name of the local port"),
    FieldDescriptor("net.dport.name", .string, "IANA service name of the remote port"),
    FieldDescriptor("net.sip.names", .string, multi: true, "DNS names of the local address"),
    FieldDescriptor("net.dip.names", .string, multi: true, "DNS names of the remote address"),
  ]

  static let dns: [FieldDescriptor] = [
    FieldDescriptor("dns.name", .string, "queried name"),
    FieldDescriptor("dns.rr", .string, allowed: DNSValues.recordTypes, "resource record type of the question"),
    FieldDescriptor("dns.options", .string, multi: true, allowed: DNSValues.options, "DNS header flags"),
    FieldDescriptor("dns.rcode", .string, allowed: DNSValues.responseCodes, "response code (ReplyDns)"),
    FieldDescriptor("dns.answers", .string, multi: true, "answer data (ReplyDns)"),
  ]
}

/// The values DNS enumeration fields take.
public enum DNSValues {
  /// Resource record types, as Fibratus names them.
  public static let recordTypes = [
    "A", "NS", "MD", "MF", "CNAME", "SOA", "MB", "MG", "MR", "NULL", "WKS", "PTR", "HINFO", "MINFO", "MX", "TEXT",
    "TXT", "RP", "AFSDB", "X25", "ISDN", "NSAPPTR", "SIG", "KEY", "PX", "GPOS", "AAAA", "LOC", "NXT", "EID",
    "NIMLOC", "SRV", "ATMA", "NAPTR", "KX", "CERT", "A6", "DNAME", "SINK", "OPT", "DS", "RRSIG", "NSEC", "DNSKEY",
    "DHCID", "UINFO", "UID", "GID", "UNSPEC", "ADDRS", "TKEY", "TSIG", "IXFR", "AXFR", "MAILB", "MAILA", "ANY",
    "WINS", "WINSR", "URI", "CAA", "HTTPS", "SVCB",
  ]
  /// Response codes.
  public static let responseCodes = [
    "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET",
    "NOTAUTH", "NOTZONE", "BADSIG", "BADKEY", "BADTIME", "BADNAME", "INVALID",
  ]
  /// Header flags and options; on Linux these come from the DNS header of the packet.
  public static let options = [
    "STANDARD", "ACCEPT_TRUNCATED_RESPONSE", "USE_TCP_ONLY", "NO_RECURSION", "BYPASS_CACHE", "NO_WIRE_QUERY",
    "NO_LOCAL_NAME", "NO_NETBT", "WIRE_ONLY", "RETURN_MESSAGE", "MULTICAST_ONLY", "NO_MULTICAST", "TREAT_AS_FQDN",
    "ADDRCONFIG", "DUAL_ADDR", "MULTICAST_WAIT", "MULTICAST_VERIFY", "DONT_RESET_TTL_VALUES",
    "DISABLE_IDN_ENCODING", "APPEND_MULTILABEL", "RECURSION_DESIRED", "RECURSION_AVAILABLE", "AUTHORITATIVE",
    "TRUNCATED",
  ]
}
