#ifndef CEDITLINESHIM_H
#define CEDITLINESHIM_H
// One-line wrappers around libedit's variadic calls (el_set, el_get, history), which Swift cannot
// call, and a SIGINT flag that a signal handler may set safely.
#include <histedit.h>

typedef char *(*nf_prompt_fn)(EditLine *);
typedef unsigned char (*nf_key_fn)(EditLine *, int);

EditLine *nf_el_init(const char *program);
int nf_el_set_prompt(EditLine *e, nf_prompt_fn prompt);
int nf_el_set_rprompt(EditLine *e, nf_prompt_fn prompt);
int nf_el_set_editor(EditLine *e, const char *mode);
int nf_el_is_vi(EditLine *e);
int nf_el_set_signal(EditLine *e, int on);
int nf_el_set_history(EditLine *e, History *h);
int nf_el_set_clientdata(EditLine *e, void *data);
void *nf_el_clientdata(EditLine *e);
int nf_el_addfn(EditLine *e, const char *name, const char *help, nf_key_fn fn);
int nf_el_bind(EditLine *e, const char *key, const char *name);
int nf_el_set_editmode(EditLine *e, int on);

History *nf_history_init(int size);
int nf_history_enter(History *h, const char *line);
int nf_history_load(History *h, const char *path);
int nf_history_save(History *h, const char *path);

/// Installs a SIGINT handler without SA_RESTART that only sets a flag (so a read returns EINTR).
int nf_sigint_install(void);
/// Restores the SIGINT action from before nf_sigint_install.
void nf_sigint_restore(void);
/// Whether SIGINT arrived since the last call; clears the flag.
int nf_sigint_take(void);
#endif
