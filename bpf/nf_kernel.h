/* The few kernel structures netfilter reads directly, relocated by CO-RE against the running
 * kernel's BTF (no vmlinux.h: 2.8 MB). Only the members used are declared; names must match the
 * kernel's, and members inside anonymous unions are found by libbpf through them. */
#ifndef NF_KERNEL_H
#define NF_KERNEL_H

struct task_struct {
  struct task_struct *group_leader;
  struct task_struct *real_parent;
  int pid;
  int tgid;
  char comm[16];
} __attribute__((preserve_access_index));

struct in6_addr {
  union {
    unsigned char u6_addr8[16];
  } in6_u;
} __attribute__((preserve_access_index));

struct sock_common {
  unsigned int skc_daddr;     /* remote IPv4 address, network order */
  unsigned int skc_rcv_saddr; /* local IPv4 address, network order */
  unsigned short skc_dport;   /* remote port, network order */
  unsigned short skc_num;     /* local port, host order */
  unsigned short skc_family;
  volatile unsigned char skc_state;
  struct in6_addr skc_v6_daddr, skc_v6_rcv_saddr;
} __attribute__((preserve_access_index));

struct sock {
  struct sock_common __sk_common;
  unsigned short sk_type;
  unsigned short sk_protocol;
} __attribute__((preserve_access_index));

/* inet_sport survives inet_put_port(), which zeroes skc_num before the transition to CLOSE. */
struct inet_sock {
  unsigned short inet_sport; /* network order */
} __attribute__((preserve_access_index));

struct sk_buff;
struct linux_binprm;

/* TCP states (include/net/tcp_states.h). */
#define NF_TCP_ESTABLISHED 1
#define NF_TCP_SYN_SENT 2
#define NF_TCP_SYN_RECV 3
#define NF_TCP_CLOSE 7
#define NF_TCP_LISTEN 10

#define NF_AF_INET 2
#define NF_AF_INET6 10
#define NF_SOCK_STREAM 1
#define NF_MSG_PEEK 2

#endif
