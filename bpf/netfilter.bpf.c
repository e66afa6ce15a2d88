// SPDX-License-Identifier: GPL-2.0
/* netfilter's kernel side: packets from cgroup_skb on the cgroup-v2 root, attributed to the process
 * that last used their socket in process context (socket creation, connect, sendmsg, recvmsg,
 * send/recv length).
 *
 * Build with bpf/Makefile; the skeleton it makes is committed (Sources/CNetFilterBPF/include).
 * Every program and map is named nf_* so that tests and users can find what is left behind.
 * No global variables: the object has no .data/.bss/.rodata maps.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "nf_abi.h"

#define SOCK_STREAM_TYPE 1

/* The few kernel structures read directly, relocated by CO-RE (no vmlinux.h: 2.8 MB). */
struct task_struct {
  struct task_struct *group_leader;
  char comm[16];
} __attribute__((preserve_access_index));

struct sock_common {
  unsigned short skc_num; /* the local port, host order */
} __attribute__((preserve_access_index));

struct sock {
  struct sock_common __sk_common;
} __attribute__((preserve_access_index));

#define NF_TCP_ESTABLISHED 1
#define NF_TCP_SYN_RECV 3

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, NF_RINGBUF_BYTES);
} nf_events_v1 SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, NF_COUNT_MAX);
  __type(key, __u32);
  __type(value, __u64);
} nf_counts_v1 SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, NF_SOCKS_MAX);
  __type(key, __u64);
  __type(value, struct nf_owner_v1);
} nf_socks_v1 SEC(".maps");

/* TCP listening port -> the process that bound it (accepted sockets inherit it). */
struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, NF_PORTS_MAX);
  __type(key, __u16);
  __type(value, struct nf_owner_v1);
} nf_ports_v1 SEC(".maps");

static __always_inline void count(__u32 index) {
  __u64 *value = bpf_map_lookup_elem(&nf_counts_v1, &index);
  if (value) *value += 1;
}

/* The current process. */
static __always_inline void current_owner(struct nf_owner_v1 *owner) {
  __u64 pid_tgid = bpf_get_current_pid_tgid();
  owner->tgid = pid_tgid >> 32;
  owner->pid = (__u32)pid_tgid;
  owner->uid = (__u32)bpf_get_current_uid_gid();
  owner->cgroup_id = bpf_get_current_cgroup_id();
  struct task_struct *task = bpf_get_current_task_btf();
  struct task_struct *leader = task->group_leader;
  if (leader)
    __builtin_memcpy(owner->comm, leader->comm, NF_COMM_LEN);
  else
    bpf_get_current_comm(owner->comm, sizeof(owner->comm));
}

/* The current process as the owner of the socket `cookie`. */
static __always_inline void remember_owner(__u64 cookie) {
  if (cookie == 0) return;
  struct nf_owner_v1 owner = {};
  current_owner(&owner);
  bpf_map_update_elem(&nf_socks_v1, &cookie, &owner, BPF_ANY);
}

/* Socket-address hooks (process context): connect (TCP and UDP), UDP sendmsg and recvmsg. */
static __always_inline int on_sock_addr(struct bpf_sock_addr *ctx) {
  remember_owner(bpf_get_socket_cookie(ctx));
  return 1;
}

SEC("cgroup/connect4") int nf_connect4(struct bpf_sock_addr *ctx) { return on_sock_addr(ctx); }
SEC("cgroup/connect6") int nf_connect6(struct bpf_sock_addr *ctx) { return on_sock_addr(ctx); }
SEC("cgroup/sendmsg4") int nf_sendmsg4(struct bpf_sock_addr *ctx) { return on_sock_addr(ctx); }
SEC("cgroup/sendmsg6") int nf_sendmsg6(struct bpf_sock_addr *ctx) { return on_sock_addr(ctx); }
SEC("cgroup/recvmsg4") int nf_recvmsg4(struct bpf_sock_addr *ctx) { return on_sock_addr(ctx); }
SEC("cgroup/recvmsg6") int nf_recvmsg6(struct bpf_sock_addr *ctx) { return on_sock_addr(ctx); }

/* Socket creation (process context): attributes a socket's very first packet, which the length
 * tracepoints below only see after the send (raw and ICMP sockets have no sock_addr hook). */
SEC("cgroup/sock_create")
int nf_sock_create(struct bpf_sock *ctx) {
  remember_owner(bpf_get_socket_cookie(ctx));
  return 1;
}

/* bind() (process context): the socket's owner, and for TCP the owner of its port, which the
 * sockets that accept() returns inherit when they become established (in softirq context). */
static __always_inline int on_bind(struct bpf_sock *ctx) {
  struct nf_owner_v1 owner = {};
  current_owner(&owner);
  __u64 cookie = bpf_get_socket_cookie(ctx);
  if (cookie) bpf_map_update_elem(&nf_socks_v1, &cookie, &owner, BPF_ANY);
  if (ctx->type == SOCK_STREAM_TYPE) {
    __u16 port = (__u16)ctx->src_port;
    bpf_map_update_elem(&nf_ports_v1, &port, &owner, BPF_ANY);
  }
  return 1;
}

SEC("cgroup/post_bind4") int nf_post_bind4(struct bpf_sock *ctx) { return on_bind(ctx); }
SEC("cgroup/post_bind6") int nf_post_bind6(struct bpf_sock *ctx) { return on_bind(ctx); }

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(nf_sock_state, struct sock *sk, int oldstate, int newstate) {
  if (oldstate != NF_TCP_SYN_RECV || newstate != NF_TCP_ESTABLISHED) return 0;
  __u16 port = sk->__sk_common.skc_num;
  struct nf_owner_v1 *owner = bpf_map_lookup_elem(&nf_ports_v1, &port);
  __u64 cookie = bpf_get_socket_cookie(sk);
  if (owner && cookie) bpf_map_update_elem(&nf_socks_v1, &cookie, owner, BPF_NOEXIST);
  return 0;
}

/* Every sendmsg/recvmsg on any socket (TCP included), in the caller's context. */
SEC("tp_btf/sock_send_length")
int BPF_PROG(nf_send_len, struct sock *sk, int ret, int flags) {
  remember_owner(bpf_get_socket_cookie(sk));
  return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(nf_recv_len, struct sock *sk, int ret, int flags) {
  remember_owner(bpf_get_socket_cookie(sk));
  return 0;
}

/* The length of the IP and transport headers (0 if not IPv4/IPv6), whether the payload should get
 * the large budget (DNS by port, HTTP by its first bytes), from the packet at `skb` (IP header first). */
static __always_inline __u32 header_length(struct __sk_buff *skb, int *large) {
  __u8 ip[40];
  __u32 l4 = 0;
  __u8 proto = 0;
  if (skb->protocol == bpf_htons(ETH_P_IP)) {
    if (bpf_skb_load_bytes(skb, 0, ip, 20) < 0) return 0;
    l4 = (ip[0] & 0x0f) * 4;
    proto = ip[9];
    if ((ip[6] & 0x1f) != 0 || ip[7] != 0) return l4; /* a later fragment: no transport header */
  } else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
    if (bpf_skb_load_bytes(skb, 0, ip, 40) < 0) return 0;
    l4 = 40;
    proto = ip[6];
  } else {
    return 0;
  }
  __u8 th[20];
  __u32 length = l4;
  if (proto == IPPROTO_TCP) {
    if (bpf_skb_load_bytes(skb, l4, th, 20) < 0) return l4;
    length = l4 + (th[12] >> 4) * 4;
  } else if (proto == IPPROTO_UDP) {
    if (bpf_skb_load_bytes(skb, l4, th, 8) < 0) return l4;
    length = l4 + 8;
  } else {
    return l4 + 8; /* ICMP and others: the small budget covers them */
  }
  __u16 sport = (__u16)th[0] << 8 | th[1], dport = (__u16)th[2] << 8 | th[3];
  if (sport == 53 || dport == 53) *large = 1;
  __u8 p[4] = {};
  if (!*large && bpf_skb_load_bytes(skb, length, p, 4) == 0) {
    __u32 word = (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
    *large = word == 0x47455420 /* "GET " */ || word == 0x504f5354 /* "POST" */ ||
             word == 0x50555420 /* "PUT " */ || word == 0x48454144 /* "HEAD" */ ||
             word == 0x44454c45 /* "DELE" */ || word == 0x48545450 /* "HTTP" */;
  }
  return length;
}

static __always_inline int on_packet(struct __sk_buff *skb, __u8 direction) {
  if (skb->protocol != bpf_htons(ETH_P_IP) && skb->protocol != bpf_htons(ETH_P_IPV6)) return 1;
  count(NF_COUNT_PACKETS);
  int large = 0;
  __u32 length = header_length(skb, &large);
  length += large ? NF_PAYLOAD_LARGE : NF_PAYLOAD_SMALL;
  if (length > skb->len) length = skb->len;
  if (length > NF_MAX_CAPTURE) length = NF_MAX_CAPTURE;

  struct nf_packet_v1 *record = bpf_ringbuf_reserve(&nf_events_v1, sizeof(*record), 0);
  if (!record) {
    count(NF_COUNT_LOST);
    return 1;
  }
  record->timestamp_ns = bpf_ktime_get_ns();
  record->original_length = skb->len;
  record->direction = direction;
  record->protocol = bpf_ntohs(skb->protocol);
  record->flags = 0;
  record->tgid = record->pid = record->uid = 0;
  record->cgroup_id = 0;
  __builtin_memset(record->comm, 0, NF_COMM_LEN);
  __u64 cookie = bpf_get_socket_cookie(skb);
  record->socket_cookie = cookie;
  if (cookie) {
    record->flags |= NF_PACKET_HAS_SOCKET;
    struct nf_owner_v1 *owner = bpf_map_lookup_elem(&nf_socks_v1, &cookie);
    if (owner) {
      record->flags |= NF_PACKET_HAS_PROCESS;
      record->tgid = owner->tgid;
      record->pid = owner->pid;
      record->uid = owner->uid;
      record->cgroup_id = owner->cgroup_id;
      __builtin_memcpy(record->comm, owner->comm, NF_COMM_LEN);
    }
  }
  record->captured_length = 0;
  if (length > 0 && length <= NF_MAX_CAPTURE && bpf_skb_load_bytes(skb, 0, record->data, length) == 0)
    record->captured_length = length;
  bpf_ringbuf_submit(record, 0);
  return 1;
}

SEC("cgroup_skb/ingress") int nf_skb_ingress(struct __sk_buff *skb) { return on_packet(skb, NF_DIR_INGRESS); }
SEC("cgroup_skb/egress") int nf_skb_egress(struct __sk_buff *skb) { return on_packet(skb, NF_DIR_EGRESS); }

char LICENSE[] SEC("license") = "GPL";
