#include "CEditLineShim.h"
#include <signal.h>
#include <stdio.h>
#include <string.h>

EditLine *nf_el_init(const char *program) { return el_init(program, stdin, stdout, stderr); }
int nf_el_set_prompt(EditLine *e, nf_prompt_fn prompt) { return el_set(e, EL_PROMPT_ESC, prompt, '\1'); }
int nf_el_set_rprompt(EditLine *e, nf_prompt_fn prompt) { return el_set(e, EL_RPROMPT_ESC, prompt, '\1'); }
int nf_el_set_editor(EditLine *e, const char *mode) { return el_set(e, EL_EDITOR, mode); }
int nf_el_is_vi(EditLine *e) {
  const char *mode = NULL;
  if (el_get(e, EL_EDITOR, &mode) != 0 || mode == NULL) return 0;
  return strcmp(mode, "vi") == 0;
}
int nf_el_set_signal(EditLine *e, int on) { return el_set(e, EL_SIGNAL, on); }
int nf_el_set_history(EditLine *e, History *h) { return el_set(e, EL_HIST, history, h); }
int nf_el_set_clientdata(EditLine *e, void *data) { return el_set(e, EL_CLIENTDATA, data); }
void *nf_el_clientdata(EditLine *e) {
  void *data = NULL;
  el_get(e, EL_CLIENTDATA, &data);
  return data;
}
int nf_el_addfn(EditLine *e, const char *name, const char *help, nf_key_fn fn) {
  return el_set(e, EL_ADDFN, name, help, fn);
}
int nf_el_bind(EditLine *e, const char *key, const char *name) { return el_set(e, EL_BIND, key, name, NULL); }
int nf_el_set_editmode(EditLine *e, int on) { return el_set(e, EL_EDITMODE, on); }

History *nf_history_init(int size) {
  History *h = history_init();
  if (h == NULL) return NULL;
  HistEvent event;
  history(h, &event, H_SETSIZE, size);
  history(h, &event, H_SETUNIQUE, 1);
  return h;
}
int nf_history_enter(History *h, const char *line) {
  HistEvent event;
  return history(h, &event, H_ENTER, line);
}
int nf_history_load(History *h, const char *path) {
  HistEvent event;
  return history(h, &event, H_LOAD, path);
}
int nf_history_save(History *h, const char *path) {
  HistEvent event;
  return history(h, &event, H_SAVE, path);
}

static volatile sig_atomic_t interrupted = 0;
static struct sigaction previous;
static void on_sigint(int signal) {
  (void)signal;
  interrupted = 1;
}
int nf_sigint_install(void) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_sigint;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a blocked read returns EINTR
  if (sigaction(SIGINT, &action, &previous) != 0) return -1;
  // A parent may have left SIGINT blocked (the mask is inherited across exec).
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  return sigprocmask(SIG_UNBLOCK, &set, NULL);
}
void nf_sigint_restore(void) { sigaction(SIGINT, &previous, NULL); }
int nf_sigint_take(void) {
  int was = interrupted;
  interrupted = 0;
  return was;
}
