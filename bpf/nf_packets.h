/* Packet records from cgroup_skb: the IP and transport headers are read for the plan's view and for
 * the capture budget, the plan is applied, and the packet's first bytes go to the ring buffer.
 * Included by netfilter.bpf.c.
 *
 * The view follows NetFilterPackets' decoder exactly where it says "known" or "missing" (a field the
 * decoder would not produce is missing here too); anything less certain is left unknown, which
 * rejects nothing. */
#ifndef NF_PACKETS_H
#define NF_PACKETS_H

#define NF_PORT_FIELDS (1u << NF_FIELD_SPORT | 1u << NF_FIELD_DPORT)

/* The transport header at `l4` of an IP payload ending at `end`: the view's ports and protocol, and
 * the header length (0 when the transport is not decoded). A first fragment (`first_fragment`: more
 * fragments follow) may end inside its TCP or UDP header: the decoder then reads the ports from its
 * first 4 bytes, as tcpdump does, and so does the view. */
static __always_inline __u32 parse_transport(struct __sk_buff *skb, __u32 l4, __u32 end, __u8 proto,
                                              int first_fragment, struct nf_view *view, int *large) {
  int icmp = proto == IPPROTO_ICMP || proto == 58;
  __u32 need = proto == IPPROTO_TCP ? 20 : proto == IPPROTO_UDP ? 8 : 4;
  if (!icmp && proto != IPPROTO_TCP && proto != IPPROTO_UDP) {
    view->missing |= NF_PORT_FIELDS | 1u << NF_FIELD_PROTO;
    return 0;
  }
  if (end < l4 + need) {
    __u8 cut[4];
    if (!first_fragment || icmp || end < l4 + 4) {
      view->missing |= NF_PORT_FIELDS | 1u << NF_FIELD_PROTO;
      return 0;
    }
    if (bpf_skb_load_bytes(skb, l4, cut, 4) < 0) return 0;
    view->known |= 1u << NF_FIELD_PROTO | NF_PORT_FIELDS;
    view->protocol = proto;
    view->sport = (__u16)cut[0] << 8 | cut[1];
    view->dport = (__u16)cut[2] << 8 | cut[3];
    return end - l4;
  }
  view->known |= 1u << NF_FIELD_PROTO;
  view->protocol = proto;
  if (icmp) {
    view->missing |= NF_PORT_FIELDS;
    return 8;
  }
  __u8 th[20];
  if (bpf_skb_load_bytes(skb, l4, th, need) < 0) return 0;
  view->known |= NF_PORT_FIELDS;
  view->sport = (__u16)th[0] << 8 | th[1];
  view->dport = (__u16)th[2] << 8 | th[3];
  __u32 length = proto == IPPROTO_TCP ? (th[12] >> 4) * 4 : 8;
  if (view->sport == 53 || view->dport == 53) *large = 1;
  __u8 p[8] = {};
  if (!*large && bpf_skb_load_bytes(skb, l4 + length, p, 4) == 0) {
    __u32 word = (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
    *large = word == 0x47455420 /* "GET " */ || word == 0x504f5354 /* "POST" */ ||
             word == 0x50555420 /* "PUT " */ || word == 0x48454144 /* "HEAD" */ ||
             word == 0x44454c45 /* "DELE" */ || word == 0x48545450 /* "HTTP" */;
  }
  /* DNS on any port: a header with opcode QUERY and one question (over TCP after the 2-byte length);
   * user space decides with a strict parse, the kernel only copies enough to decode it. */
  __u32 header = l4 + length + (proto == IPPROTO_TCP ? 2 : 0);
  if (!*large && bpf_skb_load_bytes(skb, header, p, 8) == 0)
    *large = (p[2] & 0x78) == 0 && p[4] == 0 && p[5] == 1;
  return length;
}

/* The end of an IP payload that says `total` bytes from its start (0: unknown, to the end). */
static __always_inline __u32 payload_end(__u32 total, __u32 header, __u32 len) {
  if (total == 0) return len;
  if (total < header) total = header;
  return total < len ? total : len;
}

/* The view's addresses, ports and protocol from the packet at `skb` (IP header first), and the
 * length of the IP and transport headers to capture (0 when not IPv4/IPv6). */
static __always_inline __u32 parse_packet(struct __sk_buff *skb, struct nf_view *view, int *large) {
  __u8 ip[40];
  if (skb->protocol == bpf_htons(ETH_P_IP)) {
    if (bpf_skb_load_bytes(skb, 0, ip, 20) < 0 || ip[0] >> 4 != 4) return 0;
    __u32 l4 = (ip[0] & 0x0f) * 4;
    if (l4 < 20) return 0;
    view->known |= 1u << NF_FIELD_SADDR | 1u << NF_FIELD_DADDR;
    address_key(&view->saddr, &ip[12], 1);
    address_key(&view->daddr, &ip[16], 1);
    if ((ip[6] & 0x1f) != 0 || ip[7] != 0) { /* a later fragment: no transport header */
      view->missing |= NF_PORT_FIELDS | 1u << NF_FIELD_PROTO;
      return l4;
    }
    __u32 end = payload_end((__u32)ip[2] << 8 | ip[3], l4, skb->len);
    return l4 + parse_transport(skb, l4, end, ip[9], (ip[6] & 0x20) != 0, view, large);
  }
  if (bpf_skb_load_bytes(skb, 0, ip, 40) < 0 || ip[0] >> 4 != 6) return 0;
  view->known |= 1u << NF_FIELD_SADDR | 1u << NF_FIELD_DADDR;
  address_key(&view->saddr, &ip[8], 0);
  address_key(&view->daddr, &ip[24], 0);
  __u8 next = ip[6];
  /* Extension headers (those the decoder walks): the transport is left unknown, and the capture is
   * the large one, so that a long chain still brings its transport header to user space. */
  if (next == 0 || next == 43 || next == 44 || next == 60 || next == 51 || next == 140) {
    *large = 1;
    return 40;
  }
  __u32 plength = (__u32)ip[4] << 8 | ip[5];
  __u32 end = plength == 0 ? skb->len : payload_end(40 + plength, 40, skb->len);
  return 40 + parse_transport(skb, 40, end, next, 0, view, large);
}

/* An arriving UDP datagram's source as its socket's remote end: an unconnected socket's Recv then
 * names the sender even when the reader asks for no address (recv(), read()). */
static __always_inline void remember_peer(__u64 cookie, const struct nf_view *view) {
  __u32 needed = 1u << NF_FIELD_SADDR | 1u << NF_FIELD_SPORT | 1u << NF_FIELD_PROTO;
  if ((view->known & needed) != needed || view->protocol != IPPROTO_UDP) return;
  struct nf_peer_v2 peer = {};
  __builtin_memcpy(peer.address, view->saddr.address, 16);
  peer.port = view->sport;
  bpf_map_update_elem(&nf_peers_v2, &cookie, &peer, BPF_ANY);
}

static __always_inline int on_packet(struct __sk_buff *skb, __u8 direction) {
  if (skb->protocol != bpf_htons(ETH_P_IP) && skb->protocol != bpf_htons(ETH_P_IPV6)) return 1;
  count(NF_COUNT_PACKETS);
  struct nf_view view = {};
  view.known = 1u << NF_FIELD_DIRECTION | 1u << NF_FIELD_KIND;
  view.direction = direction;
  view.kind = NF_KIND_PACKET;
  int large = 0;
  __u32 length = parse_packet(skb, &view, &large);
  __u64 cookie = bpf_get_socket_cookie(skb);
  struct nf_owner_v2 *owner = cookie ? bpf_map_lookup_elem(&nf_socks_v2, &cookie) : 0;
  view_owner(&view, owner);
  if (cookie && direction == NF_DIR_INGRESS) remember_peer(cookie, &view);
  __u64 clauses = plan_result(&view);
  if (!clauses) {
    count(NF_COUNT_FILTERED);
    return 1;
  }
  length += large ? NF_PAYLOAD_LARGE : NF_PAYLOAD_SMALL;
  if (length > skb->len) length = skb->len;
  if (length > NF_MAX_CAPTURE) length = NF_MAX_CAPTURE;

  struct nf_packet_v2 *record = bpf_ringbuf_reserve(&nf_events_v2, sizeof(*record), 0);
  if (!record) {
    count(NF_COUNT_LOST);
    return 1;
  }
  record->type = NF_RECORD_PACKET;
  record->direction = direction;
  record->flags = cookie ? NF_HAS_SOCKET : 0;
  record->pad = 0;
  record->protocol = bpf_ntohs(skb->protocol);
  record->pad2 = 0;
  record->original_length = skb->len;
  record->timestamp_ns = bpf_ktime_get_ns();
  record->socket_cookie = cookie;
  record->clauses = clauses;
  if (owner) {
    record->flags |= NF_HAS_PROCESS;
    __builtin_memcpy(&record->owner, owner, sizeof(*owner));
  } else {
    __builtin_memset(&record->owner, 0, sizeof(record->owner));
  }
  record->captured_length = 0;
  if (length > 0 && length <= NF_MAX_CAPTURE && bpf_skb_load_bytes(skb, 0, record->data, length) == 0)
    record->captured_length = length;
  bpf_ringbuf_submit(record, 0);
  return 1;
}

SEC("cgroup_skb/ingress") int nf_skb_ingress(struct __sk_buff *skb) { return on_packet(skb, NF_DIR_INGRESS); }
SEC("cgroup_skb/egress") int nf_skb_egress(struct __sk_buff *skb) { return on_packet(skb, NF_DIR_EGRESS); }

#endif
