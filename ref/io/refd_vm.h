/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * refd's voicemail service (POLICY.md P14): the [voicemail] and [mail]
 * sections checked, the voicemail UA core (ref/vm) attached to the loop
 * on [voicemail] listen and its RTP ports, the proxy's failure route
 * pointed at it for accounts with voicemail on, recordings stored
 * (store_vm_add) and, with [mail] smtp and an account e-mail, sent as an
 * attachment by one worker thread (SMTP never runs on the SIP loop).
 */
#ifndef IO_REFD_VM_H
#define IO_REFD_VM_H

#include "sip/proxy.h"

struct refd;
struct refd_vm;

/* Check [voicemail] and [mail] into d; 0 or EINVAL with d->cfg.err. */
int refd_vm_check(struct refd *d);
/* The proxy's failure route (before sip_proxy_new). No-op without
 * [voicemail]. */
void refd_vm_fail_ops(struct refd *d, struct sip_fail_ops *ops);
/* Start the UA on the loop and the mail worker. 0, or EXIT_RUNTIME
 * (reason printed). */
int refd_vm_start(struct refd *d);
/* Save calls still up, drain the mail queue, free. */
void refd_vm_stop(struct refd *d);

#endif
