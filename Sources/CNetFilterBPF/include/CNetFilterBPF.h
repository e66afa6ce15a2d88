/* What Swift sees of the BPF object: the ABI header and a few shims around the skeleton
 * (netfilter.skel.h is included only by shims.c, so its struct layout never reaches Swift). */
#ifndef CNETFILTERBPF_H
#define CNETFILTERBPF_H
#include <stdint.h>
#include "nf_abi.h"

struct netfilter;

/* Opens and loads the embedded object (programs verified, maps created); NULL with errno set. */
struct netfilter *nf_open_and_load(void);

/* Attaches every program to the cgroup `cgroup_fd` (cgroup_skb and sock_addr, as bpf_links) and the
 * tracing programs to their tracepoints; on failure returns -errno and names the program in *failed. */
int nf_attach_all(struct netfilter *skel, int cgroup_fd, const char **failed);

/* The ring buffer map (nf_events_v2) and the per-CPU counters (nf_counts_v2). */
int nf_events_fd(const struct netfilter *skel);
int nf_counts_fd(const struct netfilter *skel);

/* Any map of the object by name (the kernel plan's maps: nf_plan_v2, nf_dport_v2, …); -errno if none. */
int nf_map_fd(const struct netfilter *skel, const char *name);
/* Any program of the object by name; -ENOENT if none. */
int nf_program_fd(const struct netfilter *skel, const char *name);
/* Runs a loaded program once over `packet` (Ethernet frame) with BPF_PROG_TEST_RUN; -errno on failure. */
int nf_test_run(int program_fd, const void *packet, uint32_t size, uint32_t *retval);

/* Detaches every link and frees the programs and maps. */
void nf_destroy(struct netfilter *skel);

/* Collects libbpf's warnings (the verifier log on a load failure) for error messages. */
void nf_log_capture(void);
/* The collected log (its last 16 KiB), and clearing it. */
const char *nf_log_text(void);
void nf_log_clear(void);

#endif
