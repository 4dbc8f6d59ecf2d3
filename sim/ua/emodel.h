/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Voice quality estimate by the ITU-T G.107 E-model, reduced to what the
 * bench measures: one-way delay, packet loss and jitter for G.711 with
 * packet loss concealment. Defaults of G.107 Table 3 give Ro - Is = 93.2;
 * Id uses the usual piecewise fit of G.107's delay impairment (Cole and
 * Rosenbluth 2001); Ie-eff follows G.107 (7-29) with Ie = 0, Bpl = 25.1
 * (G.113 Appendix I, G.711 with PLC) and random loss (BurstR = 1).
 * Mouth-to-ear delay = network one-way delay + 20 ms packetisation +
 * a jitter buffer of twice the measured jitter.
 */
#ifndef UA_EMODEL_H
#define UA_EMODEL_H

/* R factor from one-way network delay, jitter (ms) and loss (percent). */
double ua_emodel_r(double delay_ms, double jitter_ms, double loss_pct);
/* MOS-CQE from R (G.107 Annex B). */
double ua_emodel_mos(double r);

#endif
