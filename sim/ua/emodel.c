/* SPDX-License-Identifier: BSD-3-Clause */
/* E-model (ITU-T G.107) for G.711 with PLC; see emodel.h for the choices. */
#include "ua/emodel.h"

double ua_emodel_r(double delay_ms, double jitter_ms, double loss_pct)
{
	double ta = delay_ms + 20.0 + 2.0 * jitter_ms;
	double id = 0.024 * ta;
	double ie_eff;

	if (ta > 177.3)
		id += 0.11 * (ta - 177.3);
	if (loss_pct < 0)
		loss_pct = 0;
	ie_eff = 0.0 + (95.0 - 0.0) * loss_pct / (loss_pct + 25.1);
	return 93.2 - id - ie_eff;
}

double ua_emodel_mos(double r)
{
	if (r <= 0)
		return 1.0;
	if (r >= 100)
		return 4.5;
	return 1.0 + 0.035 * r + r * (r - 60.0) * (100.0 - r) * 7e-6;
}
