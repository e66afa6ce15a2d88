/* The kernel plan: per-field map lookups AND-ed into a clause mask (DESIGN.md §4). The maps are
 * written by user space (NetFilterBPF's KernelPlanLoader) from a NetFilterLowering.KernelPlan; this
 * code only looks values up. An event passes when the mask is non-zero. */
#ifndef NF_PLAN_H
#define NF_PLAN_H

/* What the kernel knows of one event, for the plan. A field whose bit is in neither `known` nor
 * `missing` is unknown: it rejects nothing. */
struct nf_view {
  __u32 known;   /* bit NF_FIELD_*: the value below is the event's */
  __u32 missing; /* bit NF_FIELD_*: the event has no such field (no ports on ICMP) */
  __u16 sport, dport;
  __u8 protocol, direction, kind, pad;
  __u32 pid, tid;
  __u64 cgroup;
  struct nf_address_key_v2 saddr, daddr;
  char comm[NF_COMM_LEN];
};

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct nf_plan_v2);
} nf_plan_v2 SEC(".maps");

struct nf_port_array {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, NF_PORTS);
  __type(key, __u32);
  __type(value, __u64);
};
struct nf_port_array nf_sport_v2 SEC(".maps"), nf_dport_v2 SEC(".maps");

struct nf_address_trie {
  __uint(type, BPF_MAP_TYPE_LPM_TRIE);
  __uint(max_entries, NF_PLAN_ADDRESSES);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, struct nf_address_key_v2);
  __type(value, __u64);
};
struct nf_address_trie nf_saddr_v2 SEC(".maps"), nf_daddr_v2 SEC(".maps");

struct nf_id_hash {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, NF_PLAN_VALUES);
  __type(key, __u32);
  __type(value, __u64);
};
struct nf_id_hash nf_pid_v2 SEC(".maps"), nf_tid_v2 SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, NF_PLAN_VALUES);
  __type(key, char[NF_COMM_LEN]);
  __type(value, __u64);
} nf_comm_v2 SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, NF_PLAN_VALUES);
  __type(key, __u64);
  __type(value, __u64);
} nf_cgroup_v2 SEC(".maps");

/* The mask `map` gives `key`, or the field's `otherwise` mask when it has no entry. */
static __always_inline __u64 lookup_mask(void *map, const void *key, const struct nf_plan_v2 *plan, int field) {
  __u64 *mask = bpf_map_lookup_elem(map, key);
  return mask ? *mask : plan->otherwise[field];
}

/* The mask one field contributes. */
static __always_inline __u64 field_mask(const struct nf_plan_v2 *plan, const struct nf_view *view, int field) {
  __u32 bit = 1u << field;
  if (!(plan->fields & bit)) return plan->all;
  if (view->missing & bit) return plan->missing[field];
  if (!(view->known & bit)) return plan->all;
  __u32 key;
  switch (field) {
  case NF_FIELD_SPORT:
    key = view->sport;
    return lookup_mask(&nf_sport_v2, &key, plan, field);
  case NF_FIELD_DPORT:
    key = view->dport;
    return lookup_mask(&nf_dport_v2, &key, plan, field);
  case NF_FIELD_SADDR: return lookup_mask(&nf_saddr_v2, &view->saddr, plan, field);
  case NF_FIELD_DADDR: return lookup_mask(&nf_daddr_v2, &view->daddr, plan, field);
  case NF_FIELD_PROTO: return plan->protocol[view->protocol];
  case NF_FIELD_DIRECTION: return plan->direction[view->direction & 3];
  case NF_FIELD_KIND: return plan->kind[view->kind & (NF_KIND_MAX - 1)];
  case NF_FIELD_PID: return lookup_mask(&nf_pid_v2, &view->pid, plan, field);
  case NF_FIELD_TID: return lookup_mask(&nf_tid_v2, &view->tid, plan, field);
  case NF_FIELD_COMM: return lookup_mask(&nf_comm_v2, view->comm, plan, field);
  case NF_FIELD_CGROUP: return lookup_mask(&nf_cgroup_v2, &view->cgroup, plan, field);
  }
  return plan->all;
}

/* The clauses that may accept the event (all ones when no plan is loaded). */
static __always_inline __u64 plan_result(const struct nf_view *view) {
  __u32 zero = 0;
  const struct nf_plan_v2 *plan = bpf_map_lookup_elem(&nf_plan_v2, &zero);
  if (!plan || !plan->enabled) return ~0ULL;
  __u64 result = plan->all;
#pragma unroll
  for (int field = 0; field < NF_FIELD_COUNT; field++) {
    result &= field_mask(plan, view, field);
    if (!result) return 0;
  }
  return result;
}

/* `address` (4 bytes for IPv4, 16 for IPv6) as a full-length trie key. */
static __always_inline void address_key(struct nf_address_key_v2 *key, const __u8 *address, int v4) {
  key->prefix_length = 128;
  if (v4) {
    __builtin_memset(key->address, 0, 10);
    key->address[10] = 0xff;
    key->address[11] = 0xff;
    __builtin_memcpy(&key->address[12], address, 4);
  } else {
    __builtin_memcpy(key->address, address, 16);
  }
}

/* The owner's fields in the view (known), or nothing (unknown: the owner is not known yet). */
static __always_inline void view_owner(struct nf_view *view, const struct nf_owner_v2 *owner) {
  if (!owner) return;
  view->known |= 1u << NF_FIELD_PID | 1u << NF_FIELD_TID | 1u << NF_FIELD_COMM | 1u << NF_FIELD_CGROUP;
  view->pid = owner->tgid;
  view->tid = owner->pid;
  view->cgroup = owner->cgroup_id;
  __builtin_memcpy(view->comm, owner->comm, NF_COMM_LEN);
}

#endif
