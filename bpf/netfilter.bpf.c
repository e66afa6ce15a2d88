// SPDX-License-Identifier: GPL-2.0
/* netfilter's kernel side.
 *
 * Packets: cgroup_skb ingress/egress on the cgroup-v2 root, attributed to the process that last used
 * their socket in process context (socket creation, connect, bind, sendmsg, recvmsg, send/recv length).
 * Socket events: Connect/Accept/Disconnect from tp_btf/inet_sock_set_state, Send/Recv from
 * tp_btf/sock_send_length and sock_recv_length, Reconnect/Retransmit from tp_btf/tcp_retransmit_skb.
 * Every event goes through the kernel plan (nf_plan.h) before anything is copied to the ring buffer.
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
#include "nf_kernel.h"
#include "nf_plan.h"

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, NF_RINGBUF_BYTES);
} nf_events_v2 SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, NF_COUNT_MAX);
  __type(key, __u32);
  __type(value, __u64);
} nf_counts_v2 SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, NF_SOCKS_MAX);
  __type(key, __u64);
  __type(value, struct nf_owner_v2);
} nf_socks_v2 SEC(".maps");

/* TCP listening port -> the process that bound it (accepted sockets inherit it). */
struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, NF_PORTS_MAX);
  __type(key, __u16);
  __type(value, struct nf_owner_v2);
} nf_listeners_v2 SEC(".maps");

/* Socket cookie -> the remote end of its last unconnected datagram (UDP sendmsg/recvmsg hooks). */
struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, NF_PEERS_MAX);
  __type(key, __u64);
  __type(value, struct nf_peer_v2);
} nf_peers_v2 SEC(".maps");

static __always_inline void count(__u32 index) {
  __u64 *value = bpf_map_lookup_elem(&nf_counts_v2, &index);
  if (value) *value += 1;
}

/* The current process. */
static __always_inline void current_owner(struct nf_owner_v2 *owner) {
  __u64 pid_tgid = bpf_get_current_pid_tgid();
  owner->tgid = pid_tgid >> 32;
  owner->pid = (__u32)pid_tgid;
  owner->uid = (__u32)bpf_get_current_uid_gid();
  owner->cgroup_id = bpf_get_current_cgroup_id();
  struct task_struct *task = bpf_get_current_task_btf();
  struct task_struct *leader = task->group_leader;
  struct task_struct *parent = task->real_parent;
  owner->ppid = parent ? parent->tgid : 0;
  if (leader)
    __builtin_memcpy(owner->comm, leader->comm, NF_COMM_LEN);
  else
    bpf_get_current_comm(owner->comm, sizeof(owner->comm));
}

/* The current process as the owner of the socket `cookie`. */
static __always_inline void remember_owner(__u64 cookie) {
  if (cookie == 0) return;
  struct nf_owner_v2 owner = {};
  current_owner(&owner);
  bpf_map_update_elem(&nf_socks_v2, &cookie, &owner, BPF_ANY);
}

/* Socket-address hooks (process context): the owner, and for datagrams the remote end. */
static __always_inline int on_sock_addr(struct bpf_sock_addr *ctx, int v6) {
  __u64 cookie = bpf_get_socket_cookie(ctx);
  remember_owner(cookie);
  if (cookie == 0 || ctx->type == NF_SOCK_STREAM) return 1;
  struct nf_peer_v2 peer = {};
  if (v6) {
    __u32 words[4] = {ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2], ctx->user_ip6[3]};
    __builtin_memcpy(peer.address, words, 16);
  } else {
    __u32 word = ctx->user_ip4;
    peer.address[10] = 0xff;
    peer.address[11] = 0xff;
    __builtin_memcpy(&peer.address[12], &word, 4);
  }
  peer.port = bpf_ntohs((__u16)ctx->user_port);
  bpf_map_update_elem(&nf_peers_v2, &cookie, &peer, BPF_ANY);
  return 1;
}

SEC("cgroup/connect4") int nf_connect4(struct bpf_sock_addr *ctx) { return on_sock_addr(ctx, 0); }
SEC("cgroup/connect6") int nf_connect6(struct bpf_sock_addr *ctx) { return on_sock_addr(ctx, 1); }
SEC("cgroup/sendmsg4") int nf_sendmsg4(struct bpf_sock_addr *ctx) { return on_sock_addr(ctx, 0); }
SEC("cgroup/sendmsg6") int nf_sendmsg6(struct bpf_sock_addr *ctx) { return on_sock_addr(ctx, 1); }
SEC("cgroup/recvmsg4") int nf_recvmsg4(struct bpf_sock_addr *ctx) { return on_sock_addr(ctx, 0); }
SEC("cgroup/recvmsg6") int nf_recvmsg6(struct bpf_sock_addr *ctx) { return on_sock_addr(ctx, 1); }

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
  struct nf_owner_v2 owner = {};
  current_owner(&owner);
  __u64 cookie = bpf_get_socket_cookie(ctx);
  if (cookie) bpf_map_update_elem(&nf_socks_v2, &cookie, &owner, BPF_ANY);
  if (ctx->type == NF_SOCK_STREAM) {
    __u16 port = (__u16)ctx->src_port;
    bpf_map_update_elem(&nf_listeners_v2, &port, &owner, BPF_ANY);
  }
  return 1;
}

SEC("cgroup/post_bind4") int nf_post_bind4(struct bpf_sock *ctx) { return on_bind(ctx); }
SEC("cgroup/post_bind6") int nf_post_bind6(struct bpf_sock *ctx) { return on_bind(ctx); }

#include "nf_socket_events.h"
#include "nf_packets.h"

/* execve: user space forgets what it cached about the process (its exe and command line changed). */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(nf_exec, struct task_struct *task, int old_pid, struct linux_binprm *bprm) {
  struct nf_exec_v2 *record = bpf_ringbuf_reserve(&nf_events_v2, sizeof(*record), 0);
  if (!record) {
    count(NF_COUNT_LOST);
    return 0;
  }
  record->type = NF_RECORD_EXEC;
  record->tgid = (__u32)(bpf_get_current_pid_tgid() >> 32);
  record->timestamp_ns = bpf_ktime_get_ns();
  bpf_ringbuf_submit(record, 0);
  return 0;
}

/* A process ended (its last thread, the thread-group leader, exits): user space forgets it and ends
 * the sequence instances keyed by its pid. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(nf_exit, struct task_struct *task) {
  if (task->pid != task->tgid) return 0;
  struct nf_exec_v2 *record = bpf_ringbuf_reserve(&nf_events_v2, sizeof(*record), 0);
  if (!record) {
    count(NF_COUNT_LOST);
    return 0;
  }
  record->type = NF_RECORD_EXIT;
  record->tgid = (__u32)task->tgid;
  record->timestamp_ns = bpf_ktime_get_ns();
  bpf_ringbuf_submit(record, 0);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
