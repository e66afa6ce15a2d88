#ifndef CCARES_SHIM_H
#define CCARES_SHIM_H
#include <ares.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#endif
