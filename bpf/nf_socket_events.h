/* Socket events (Fibratus's Connect, Accept, Send, Recv, Disconnect, Reconnect, Retransmit) from
 * tracepoints, with the socket's local and remote ends. Included by netfilter.bpf.c. */
#ifndef NF_SOCKET_EVENTS_H
#define NF_SOCKET_EVENTS_H

/* The socket's ends into the record (IPv4 as IPv4-mapped) and the plan's view; 0 if not TCP/UDP
 * over IPv4/IPv6. An unconnected UDP socket's remote end comes from its last datagram, if known. */
static __always_inline int socket_ends(struct sock *sk, __u64 cookie, struct nf_socket_v2 *out, struct nf_view *view) {
  __u16 family = sk->__sk_common.skc_family;
  __u16 protocol = sk->sk_protocol;
  if ((family != NF_AF_INET && family != NF_AF_INET6) || (protocol != IPPROTO_TCP && protocol != IPPROTO_UDP))
    return 0;
  out->family = family;
  out->l4_protocol = (__u8)protocol;
  out->local_port = sk->__sk_common.skc_num;
  if (out->local_port == 0) {
    __u16 port = 0;
    bpf_probe_read_kernel(&port, sizeof(port), &((struct inet_sock *)sk)->inet_sport);
    out->local_port = bpf_ntohs(port);
  }
  out->remote_port = bpf_ntohs(sk->__sk_common.skc_dport);
  if (family == NF_AF_INET) {
    __u32 local = sk->__sk_common.skc_rcv_saddr, remote = sk->__sk_common.skc_daddr;
    address_key(&view->saddr, (const __u8 *)&local, 1);
    address_key(&view->daddr, (const __u8 *)&remote, 1);
  } else {
    address_key(&view->saddr, sk->__sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8, 0);
    address_key(&view->daddr, sk->__sk_common.skc_v6_daddr.in6_u.u6_addr8, 0);
  }
  __builtin_memcpy(out->local_address, view->saddr.address, 16);
  __builtin_memcpy(out->remote_address, view->daddr.address, 16);
  view->known = 1u << NF_FIELD_SPORT | 1u << NF_FIELD_SADDR | 1u << NF_FIELD_PROTO | 1u << NF_FIELD_KIND;
  view->missing = 1u << NF_FIELD_DIRECTION;
  view->sport = out->local_port;
  view->protocol = out->l4_protocol;
  if (out->remote_port == 0 && protocol == IPPROTO_UDP) {
    struct nf_peer_v2 *peer = cookie ? bpf_map_lookup_elem(&nf_peers_v2, &cookie) : 0;
    if (!peer) { /* no remote end: user space sees none either */
      view->missing |= 1u << NF_FIELD_DPORT | 1u << NF_FIELD_DADDR;
      return 1;
    }
    out->remote_port = peer->port;
    __builtin_memcpy(out->remote_address, peer->address, 16);
    __builtin_memcpy(view->daddr.address, peer->address, 16);
  }
  view->known |= 1u << NF_FIELD_DPORT | 1u << NF_FIELD_DADDR;
  view->dport = out->remote_port;
  return 1;
}

/* Emits a socket event of `kind` for `sk` if the plan lets it through; `owner` is the process
 * (NULL: not known). */
static __always_inline void emit_socket(struct sock *sk, __u8 kind, __u32 size, __u8 old_state, __u8 new_state,
                                        const struct nf_owner_v2 *owner) {
  __u64 cookie = bpf_get_socket_cookie(sk);
  struct nf_socket_v2 ends = {};
  struct nf_view view = {};
  if (!socket_ends(sk, cookie, &ends, &view)) return;
  count(NF_COUNT_SOCKET);
  view.kind = kind;
  view_owner(&view, owner);
  __u64 clauses = plan_result(&view);
  if (!clauses) {
    count(NF_COUNT_FILTERED);
    return;
  }
  struct nf_socket_v2 *record = bpf_ringbuf_reserve(&nf_events_v2, sizeof(*record), 0);
  if (!record) {
    count(NF_COUNT_LOST);
    return;
  }
  __builtin_memcpy(record, &ends, sizeof(ends));
  record->type = NF_RECORD_SOCKET;
  record->kind = kind;
  record->size = size;
  record->old_state = old_state;
  record->new_state = new_state;
  record->timestamp_ns = bpf_ktime_get_ns();
  record->socket_cookie = cookie;
  record->clauses = clauses;
  if (owner) {
    record->flags = NF_HAS_PROCESS;
    __builtin_memcpy(&record->owner, owner, sizeof(*owner));
  }
  bpf_ringbuf_submit(record, 0);
}

/* The owner remembered for `sk` (softirq context has no process of its own). */
static __always_inline struct nf_owner_v2 *socket_owner(struct sock *sk) {
  __u64 cookie = bpf_get_socket_cookie(sk);
  return cookie ? bpf_map_lookup_elem(&nf_socks_v2, &cookie) : 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(nf_sock_state, struct sock *sk, int oldstate, int newstate) {
  if (sk->sk_protocol != IPPROTO_TCP) return 0;
  if (oldstate == NF_TCP_SYN_RECV && newstate == NF_TCP_ESTABLISHED) {
    /* Accepted: the socket belongs to the process listening on its port. */
    __u16 port = sk->__sk_common.skc_num;
    struct nf_owner_v2 *owner = bpf_map_lookup_elem(&nf_listeners_v2, &port);
    __u64 cookie = bpf_get_socket_cookie(sk);
    if (owner && cookie) bpf_map_update_elem(&nf_socks_v2, &cookie, owner, BPF_NOEXIST);
    emit_socket(sk, NF_KIND_ACCEPT, 0, oldstate, newstate, owner);
  } else if (oldstate == NF_TCP_SYN_SENT && newstate == NF_TCP_ESTABLISHED) {
    emit_socket(sk, NF_KIND_CONNECT, 0, oldstate, newstate, socket_owner(sk));
  } else if (newstate == NF_TCP_CLOSE && oldstate != NF_TCP_SYN_SENT && oldstate != NF_TCP_SYN_RECV &&
             oldstate != NF_TCP_LISTEN && oldstate != NF_TCP_CLOSE) {
    emit_socket(sk, NF_KIND_DISCONNECT, 0, oldstate, newstate, socket_owner(sk));
  }
  return 0;
}

SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(nf_retransmit, struct sock *sk, struct sk_buff *skb) {
  __u8 state = sk->__sk_common.skc_state;
  __u8 kind = state == NF_TCP_SYN_SENT ? NF_KIND_RECONNECT : NF_KIND_RETRANSMIT;
  emit_socket(sk, kind, 0, state, state, socket_owner(sk));
  return 0;
}

/* Every sendmsg/recvmsg on any socket, in the caller's context: the socket's owner, and for TCP and
 * UDP a Send or Recv event of `ret` bytes. */
static __always_inline void on_length(struct sock *sk, int ret, int flags, __u8 kind) {
  struct nf_owner_v2 owner = {};
  current_owner(&owner);
  __u64 cookie = bpf_get_socket_cookie(sk);
  if (cookie) bpf_map_update_elem(&nf_socks_v2, &cookie, &owner, BPF_ANY);
  if (ret <= 0 || (kind == NF_KIND_RECV && (flags & NF_MSG_PEEK))) return;
  emit_socket(sk, kind, (__u32)ret, 0, 0, &owner);
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(nf_send_len, struct sock *sk, int ret, int flags) {
  on_length(sk, ret, flags, NF_KIND_SEND);
  return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(nf_recv_len, struct sock *sk, int ret, int flags) {
  on_length(sk, ret, flags, NF_KIND_RECV);
  return 0;
}

#endif
