#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "CNetFilterBPF.h"
#include <bpf/bpf.h>
#include "netfilter.skel.h"

struct netfilter *nf_open_and_load(void) {
  struct netfilter *skel = netfilter__open_and_load();
  if (!skel && errno == 0) errno = EINVAL;
  return skel;
}

int nf_attach_all(struct netfilter *skel, int cgroup_fd, const char **failed) {
  struct {
    struct bpf_program *program;
    struct bpf_link **link;
    int cgroup;
  } all[] = {
    {skel->progs.nf_skb_ingress, &skel->links.nf_skb_ingress, 1},
    {skel->progs.nf_skb_egress, &skel->links.nf_skb_egress, 1},
    {skel->progs.nf_connect4, &skel->links.nf_connect4, 1},
    {skel->progs.nf_connect6, &skel->links.nf_connect6, 1},
    {skel->progs.nf_sendmsg4, &skel->links.nf_sendmsg4, 1},
    {skel->progs.nf_sendmsg6, &skel->links.nf_sendmsg6, 1},
    {skel->progs.nf_recvmsg4, &skel->links.nf_recvmsg4, 1},
    {skel->progs.nf_recvmsg6, &skel->links.nf_recvmsg6, 1},
    {skel->progs.nf_sock_create, &skel->links.nf_sock_create, 1},
    {skel->progs.nf_post_bind4, &skel->links.nf_post_bind4, 1},
    {skel->progs.nf_post_bind6, &skel->links.nf_post_bind6, 1},
    {skel->progs.nf_sock_state, &skel->links.nf_sock_state, 0},
    {skel->progs.nf_send_len, &skel->links.nf_send_len, 0},
    {skel->progs.nf_recv_len, &skel->links.nf_recv_len, 0},
    {skel->progs.nf_retransmit, &skel->links.nf_retransmit, 0},
    {skel->progs.nf_exec, &skel->links.nf_exec, 0},
    {skel->progs.nf_exit, &skel->links.nf_exit, 0},
  };
  for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
    struct bpf_link *link = all[i].cgroup ? bpf_program__attach_cgroup(all[i].program, cgroup_fd)
                                          : bpf_program__attach(all[i].program);
    if (!link) {
      int error = errno ? errno : EINVAL;
      if (failed) *failed = bpf_program__name(all[i].program);
      return -error;
    }
    *all[i].link = link;
  }
  return 0;
}

int nf_events_fd(const struct netfilter *skel) { return bpf_map__fd(skel->maps.nf_events_v2); }
int nf_counts_fd(const struct netfilter *skel) { return bpf_map__fd(skel->maps.nf_counts_v2); }

int nf_map_fd(const struct netfilter *skel, const char *name) {
  return bpf_object__find_map_fd_by_name(skel->obj, name);
}

int nf_program_fd(const struct netfilter *skel, const char *name) {
  struct bpf_program *program = bpf_object__find_program_by_name(skel->obj, name);
  return program ? bpf_program__fd(program) : -ENOENT;
}

int nf_test_run(int program_fd, const void *packet, uint32_t size, uint32_t *retval) {
  LIBBPF_OPTS(bpf_test_run_opts, options, .data_in = packet, .data_size_in = size, .repeat = 1);
  int result = bpf_prog_test_run_opts(program_fd, &options);
  if (result < 0) return -errno;
  if (retval) *retval = options.retval;
  return 0;
}

void nf_destroy(struct netfilter *skel) { netfilter__destroy(skel); }

static char nf_log[16384];
static size_t nf_log_length;

static int nf_print(enum libbpf_print_level level, const char *format, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  char line[4096];
  int n = vsnprintf(line, sizeof(line), format, args);
  if (n <= 0) return 0;
  size_t length = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
  if (nf_log_length + length >= sizeof(nf_log)) {  // keep the newer half
    size_t keep = nf_log_length / 2;
    memmove(nf_log, nf_log + nf_log_length - keep, keep);
    nf_log_length = keep;
    if (length >= sizeof(nf_log) - keep) length = sizeof(nf_log) - keep - 1;
  }
  memcpy(nf_log + nf_log_length, line, length);
  nf_log_length += length;
  nf_log[nf_log_length] = 0;
  return 0;
}

void nf_log_capture(void) { libbpf_set_print(nf_print); }
const char *nf_log_text(void) { return nf_log; }
void nf_log_clear(void) { nf_log_length = 0; nf_log[0] = 0; }
