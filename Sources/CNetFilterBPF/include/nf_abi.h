/* The ABI shared by bpf/netfilter.bpf.c (the kernel side) and NetFilterBPF (Swift).
 *
 * Version 2. Every map name and record type carries the version; a layout change bumps it
 * (nf_events_v3, struct nf_packet_v3), so a stale object and a new loader never misread each other.
 * Plain fixed-width C types only: this header is compiled by clang -target bpf and imported by Swift.
 */
#ifndef NF_ABI_H
#define NF_ABI_H

#ifdef __BPF__
#include <linux/types.h>
typedef __u8 nf_u8;
typedef __u16 nf_u16;
typedef __u32 nf_u32;
typedef __u64 nf_u64;
#else
#include <stdint.h>
typedef uint8_t nf_u8;
typedef uint16_t nf_u16;
typedef uint32_t nf_u32;
typedef uint64_t nf_u64;
#endif

#define NF_ABI_VERSION 2

/* The first byte of every ring-buffer record says what it is. */
#define NF_RECORD_PACKET 1 /* struct nf_packet_v2 */
#define NF_RECORD_SOCKET 2 /* struct nf_socket_v2 */
#define NF_RECORD_EXEC 3   /* struct nf_exec_v2 */
#define NF_RECORD_EXIT 4   /* struct nf_exec_v2: the process ended */

/* Event kinds the kernel tells apart (the plan's event-kind table is indexed by them). */
#define NF_KIND_PACKET 1
#define NF_KIND_CONNECT 2    /* TCP SYN_SENT -> ESTABLISHED (tp_btf/inet_sock_set_state) */
#define NF_KIND_ACCEPT 3     /* TCP SYN_RECV -> ESTABLISHED, owned by the listener's process */
#define NF_KIND_SEND 4       /* tp_btf/sock_send_length, bytes > 0, TCP or UDP */
#define NF_KIND_RECV 5       /* tp_btf/sock_recv_length, bytes > 0, TCP or UDP */
#define NF_KIND_DISCONNECT 6 /* TCP connected state -> CLOSE */
#define NF_KIND_RECONNECT 7  /* a SYN retransmitted while connecting (tp_btf/tcp_retransmit_skb in SYN_SENT) */
#define NF_KIND_RETRANSMIT 8 /* tp_btf/tcp_retransmit_skb in any other state */
#define NF_KIND_MAX 16

/* Direction of a packet record (values of nf_packet_v2.direction). */
#define NF_DIR_INGRESS 1
#define NF_DIR_EGRESS 2

/* nf_packet_v2.flags and nf_socket_v2.flags */
#define NF_HAS_PROCESS 0x1 /* owner is the process that owns the socket */
#define NF_HAS_SOCKET 0x2  /* the skb had a socket (socket_cookie is set) */

/* Bytes copied from the network header: the IP and transport headers plus a bounded payload. */
#define NF_PAYLOAD_SMALL 128 /* payload bytes of an ordinary packet */
#define NF_PAYLOAD_LARGE 512 /* payload bytes of a DNS (port 53 or a DNS-looking header) or HTTP-looking packet */
#define NF_MAX_HEADERS 120   /* IPv4 with options (60) + TCP with options (60) */
#define NF_MAX_CAPTURE 640   /* >= NF_MAX_HEADERS + NF_PAYLOAD_LARGE, a multiple of 8 */

#define NF_COMM_LEN 16

/* The process behind an event: the value of nf_socks_v2 (key: socket cookie) and part of every record. */
struct nf_owner_v2 {
  nf_u64 cgroup_id;
  nf_u32 tgid; /* process (thread-group) id */
  nf_u32 pid;  /* thread id */
  nf_u32 uid;
  nf_u32 ppid; /* the parent's thread-group id */
  char comm[NF_COMM_LEN]; /* the thread-group leader's comm */
};

/* One packet seen by cgroup_skb: this header, then captured_length bytes of the packet from its IP
 * header (the record is NF_MAX_CAPTURE long). */
struct nf_packet_v2 {
  nf_u8 type;      /* NF_RECORD_PACKET */
  nf_u8 direction; /* NF_DIR_* */
  nf_u8 flags;     /* NF_HAS_* */
  nf_u8 pad;
  nf_u16 protocol; /* skb->protocol in host order: 0x0800 or 0x86DD */
  nf_u16 pad2;
  nf_u32 original_length; /* skb->len */
  nf_u32 captured_length; /* bytes that follow */
  nf_u64 timestamp_ns;    /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
  nf_u64 socket_cookie;   /* bpf_get_socket_cookie(skb); 0 without a socket */
  nf_u64 clauses;         /* the kernel plan's result: the clauses that may accept the event */
  struct nf_owner_v2 owner;
  nf_u8 data[NF_MAX_CAPTURE];
};

/* One socket event (Connect, Accept, Send, Recv, Disconnect, Reconnect, Retransmit). Addresses are
 * 16 bytes; IPv4 ones are IPv4-mapped (::ffff:a.b.c.d). local/remote as the socket sees them. */
struct nf_socket_v2 {
  nf_u8 type;  /* NF_RECORD_SOCKET */
  nf_u8 kind;  /* NF_KIND_* */
  nf_u8 flags; /* NF_HAS_* */
  nf_u8 l4_protocol; /* IPPROTO_TCP or IPPROTO_UDP */
  nf_u16 local_port;  /* host order */
  nf_u16 remote_port; /* host order */
  nf_u32 size;        /* bytes sent or received (Send, Recv); 0 otherwise */
  nf_u8 old_state;    /* TCP states of the transition (Connect, Accept, Disconnect), or the state */
  nf_u8 new_state;    /* at a retransmission; 0 for UDP */
  nf_u16 family;      /* AF_INET (2) or AF_INET6 (10): the socket's family */
  nf_u64 timestamp_ns;
  nf_u64 socket_cookie;
  nf_u64 clauses;
  struct nf_owner_v2 owner;
  nf_u8 local_address[16];
  nf_u8 remote_address[16];
};

/* A process called execve (NF_RECORD_EXEC), or ended (NF_RECORD_EXIT): user space forgets what it
 * cached about `tgid`, and an exit ends the sequence instances keyed by that pid. */
struct nf_exec_v2 {
  nf_u8 type; /* NF_RECORD_EXEC or NF_RECORD_EXIT */
  nf_u8 pad[3];
  nf_u32 tgid;
  nf_u64 timestamp_ns;
};

/* Indexes of the per-CPU counter array nf_counts_v2. */
#define NF_COUNT_LOST 0     /* bpf_ringbuf_reserve failed: a record was dropped */
#define NF_COUNT_PACKETS 1  /* IPv4/IPv6 packets seen */
#define NF_COUNT_FILTERED 2 /* events the kernel plan rejected (never copied to the ring buffer) */
#define NF_COUNT_SOCKET 3   /* socket events seen */
#define NF_COUNT_MAX 4

/* The kernel plan (see NetFilterLowering): fields the plan can test, as bit numbers of
 * nf_plan_v2.fields and indexes of its missing/otherwise masks. */
#define NF_FIELD_SPORT 0
#define NF_FIELD_DPORT 1
#define NF_FIELD_SADDR 2
#define NF_FIELD_DADDR 3
#define NF_FIELD_PROTO 4
#define NF_FIELD_DIRECTION 5
#define NF_FIELD_KIND 6
#define NF_FIELD_PID 7
#define NF_FIELD_TID 8
#define NF_FIELD_COMM 9
#define NF_FIELD_CGROUP 10
#define NF_FIELD_COUNT 11

/* The single value of the array map nf_plan_v2. An event's result starts at `all`; for every field
 * whose bit is set in `fields`, it is AND-ed with that field's mask: the map entry for the event's value,
 * `otherwise[f]` when the value has no entry, `missing[f]` when the event lacks the field, and `all`
 * when the kernel cannot tell. The event is copied to the ring buffer only if the result is non-zero.
 * With `enabled` 0 every event passes with all bits set. */
struct nf_plan_v2 {
  nf_u32 enabled;
  nf_u32 fields;
  nf_u64 all;
  nf_u64 missing[NF_FIELD_COUNT];
  nf_u64 otherwise[NF_FIELD_COUNT];
  nf_u64 protocol[256];         /* NF_FIELD_PROTO: by IP protocol number */
  nf_u64 direction[4];          /* NF_FIELD_DIRECTION: by NF_DIR_* */
  nf_u64 kind[NF_KIND_MAX];     /* NF_FIELD_KIND: by NF_KIND_* */
};

/* Key of the address LPM tries nf_saddr_v2 and nf_daddr_v2 (IPv4 as ::ffff:a.b.c.d, prefix + 96). */
struct nf_address_key_v2 {
  nf_u32 prefix_length;
  nf_u8 address[16];
};

#define NF_PORTS 65536       /* nf_sport_v2, nf_dport_v2: arrays indexed by port, value: mask */
#define NF_PLAN_ADDRESSES 16384 /* entries of each address trie */
#define NF_PLAN_VALUES 4096  /* entries of nf_pid_v2, nf_tid_v2, nf_comm_v2, nf_cgroup_v2 */

#define NF_SOCKS_MAX 65536
#define NF_PORTS_MAX 16384 /* nf_listeners_v2: TCP port (host order, __u16) -> nf_owner_v2 */
#define NF_PEERS_MAX 16384 /* nf_peers_v2: socket cookie -> the last datagram's remote end */
#define NF_RINGBUF_BYTES (8 * 1024 * 1024)

/* The value of nf_peers_v2: an unconnected UDP socket's last remote end (sock_addr hooks). */
struct nf_peer_v2 {
  nf_u8 address[16];
  nf_u16 port; /* host order */
  nf_u16 pad[3];
};

#endif
