/* The ABI shared by bpf/netfilter.bpf.c (the kernel side) and NetFilterBPF (Swift).
 *
 * Version 1. Every map name and record type carries the version; a layout change bumps it
 * (nf_events_v2, struct nf_packet_v2), so a stale object and a new loader never misread each other.
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

#define NF_ABI_VERSION 1

/* Direction of a packet record (values of nf_packet_v1.direction). */
#define NF_DIR_INGRESS 1
#define NF_DIR_EGRESS 2

/* nf_packet_v1.flags */
#define NF_PACKET_HAS_PROCESS 0x1 /* pid/tgid/uid/cgroup_id/comm are those of the socket's owner */
#define NF_PACKET_HAS_SOCKET 0x2  /* the skb had a socket (socket_cookie is set) */

/* Bytes copied from the network header: the IP and transport headers plus a bounded payload. */
#define NF_PAYLOAD_SMALL 128 /* payload bytes of an ordinary packet */
#define NF_PAYLOAD_LARGE 512 /* payload bytes of a DNS (port 53) or HTTP-looking packet */
#define NF_MAX_HEADERS 120   /* IPv4 with options (60) + TCP with options (60) */
#define NF_MAX_CAPTURE 640   /* >= NF_MAX_HEADERS + NF_PAYLOAD_LARGE, a multiple of 8 */

#define NF_COMM_LEN 16

/* One packet seen by cgroup_skb, as written to the ring buffer nf_events_v1: this header, then
 * captured_length bytes of the packet from its IP header (the record is NF_MAX_CAPTURE long). */
struct nf_packet_v1 {
  nf_u64 timestamp_ns;  /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
  nf_u64 socket_cookie; /* bpf_get_socket_cookie(skb); 0 without a socket */
  nf_u64 cgroup_id;     /* the owning process's cgroup v2 id */
  nf_u32 original_length; /* skb->len */
  nf_u32 captured_length; /* bytes that follow */
  nf_u32 tgid;          /* owning process (thread-group) id */
  nf_u32 pid;           /* owning thread id */
  nf_u32 uid;
  nf_u8 direction;      /* NF_DIR_* */
  nf_u8 flags;          /* NF_PACKET_* */
  nf_u16 protocol;      /* skb->protocol in host order: 0x0800 or 0x86DD */
  char comm[NF_COMM_LEN]; /* the thread-group leader's comm */
  nf_u8 data[NF_MAX_CAPTURE];
};

/* The value of nf_socks_v1 (key: socket cookie): the process last seen using the socket. */
struct nf_owner_v1 {
  nf_u64 cgroup_id;
  nf_u32 tgid;
  nf_u32 pid;
  nf_u32 uid;
  nf_u32 pad;
  char comm[NF_COMM_LEN];
};

/* Indexes of the per-CPU counter array nf_counts_v1. */
#define NF_COUNT_LOST 0     /* bpf_ringbuf_reserve failed: the packet's record was dropped */
#define NF_COUNT_PACKETS 1  /* IPv4/IPv6 packets seen */
#define NF_COUNT_MAX 4

#define NF_SOCKS_MAX 65536
#define NF_PORTS_MAX 16384 /* nf_ports_v1: TCP port (host order, __u16) -> nf_owner_v1 */
#define NF_RINGBUF_BYTES (8 * 1024 * 1024)

#endif
