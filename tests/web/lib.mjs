// SPDX-License-Identifier: BSD-3-Clause
/*
 * Helpers for the portal's end-to-end tests (e2e.mjs): Debian's chromium
 * launched through playwright-core with the flags that work on these
 * machines (env notes: as root no sandbox; no background networking, so
 * the browser never tries to reach the outside), a check() that counts,
 * navigation helpers that keep the status of every hop, and the SMTP
 * sink reader that fishes the e-mailed code out of tests/tools/smtpsink's
 * files. Nothing here fetches anything: the browser is /usr/bin/chromium.
 */
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic',
	'--no-first-run', '--disable-background-networking',
	'--disable-component-update', '--disable-sync',
	'--disable-dev-shm-usage'];

export function launch() {
	return chromium.launch({ executablePath: CHROMIUM, args: FLAGS,
				 timeout: 20000 });
}

let passed = 0, failed = 0;
export function check(name, ok, detail) {
	if (ok) {
		passed++;
		console.log(`ok   ${name}`);
	} else {
		failed++;
		console.log(`FAIL ${name}${detail !== undefined ?
			': ' + String(detail).slice(0, 300) : ''}`);
	}
	return !!ok;
}
export function summary() {
	console.log(`e2e: ${passed} passed, ${failed} failed`);
	return failed;
}

/* A screenshot named NAME.png in the shots folder (full page). */
export async function shot(page, dir, name) {
	if (!dir)
		return;
	fs.mkdirSync(dir, { recursive: true });
	await page.screenshot({ path: path.join(dir, `${name}.png`),
				fullPage: true });
}

/*
 * Navigate to url (GET) and return { status, first, final }: the status of
 * the first response (303 for a redirect), the last one's status, and the
 * path the page ended on.
 */
export async function go(page, url) {
	let resp;
	try {
		resp = await page.goto(url, { waitUntil: 'load' });
	} catch (e) {
		/* an attachment (the export) is a download, not a page */
		if (!/Download is starting/.test(String(e)))
			throw e;
		return { status: 200, first: 200, final: 'download', resp: null };
	}
	return hops(page, resp);
}

function hops(page, resp) {
	let first = resp, req = resp.request();
	while (req.redirectedFrom()) {
		req = req.redirectedFrom();
		first = null;
	}
	return (async () => {
		const fr = first ? first : await req.response();
		return { status: resp.status(), first: fr ? fr.status() : 0,
			 final: new URL(page.url()).pathname, resp };
	})();
}

/*
 * Submit the form matching sel on page (by its submit button, as a person
 * would) after fill(form) ran on it; returns like go(). The form's own
 * csrf input goes with it unless the caller changed it.
 */
export async function submit(page, sel, fill) {
	const form = page.locator(sel).first();
	if (fill)
		await fill(form);
	const nav = page.waitForNavigation({ waitUntil: 'load' });
	const btn = form.locator('button, input[type=submit]').first();
	if (await btn.count())
		await btn.click();
	else
		await form.evaluate((f) => f.requestSubmit());
	const resp = await nav;
	return hops(page, resp);
}

/*
 * A real browser navigation that POSTs form (an object) to url: the way
 * to show the page a replayed or forged form gets, with the browser's own
 * cookies. The route is removed again after this one request.
 */
export async function postNav(page, url, form) {
	const body = new URLSearchParams(form).toString();
	const handler = (route) => route.continue({ method: 'POST',
		postData: body, headers: { ...route.request().headers(),
		'content-type': 'application/x-www-form-urlencoded' } });
	await page.route(url, handler);
	try {
		return await go(page, url);
	} finally {
		await page.unroute(url, handler);
	}
}

/* The csrf token of the first form on the page, or ''. */
export async function csrfOf(page) {
	const el = page.locator('input[name=csrf]').first();
	return (await el.count()) ? await el.inputValue() : '';
}

/* Every href on the page whose path has a number in it (an item's id). */
export async function idLinks(page) {
	return page.$$eval('a[href], form[action]', (els) => els.map((e) =>
		e.getAttribute('href') || e.getAttribute('action'))
		.filter((h) => /^\/[a-z]+\/.*\d/.test(h) &&
			!h.startsWith('/static/')));
}

/* What a person sees: the page's visible text. */
export async function text(page) {
	return page.locator('body').innerText();
}

/*
 * Wait (up to ms) for an e-mail to rcpt in the sink's folder that came
 * after the names in seen (a Set, updated), and return the code in it:
 * the word after "code" (digits/letters, 6 or more), else the first
 * lone 6..12 digit group. Returns { code, file, text } or null.
 */
export async function mailCode(dir, rcpt, seen, ms = 10000) {
	const end = Date.now() + ms;
	while (Date.now() < end) {
		const names = fs.readdirSync(dir).filter((n) =>
			n.endsWith('.eml') && !seen.has(n)).sort((a, b) =>
			parseInt(a.slice(4)) - parseInt(b.slice(4)));
		for (const n of names) {
			const t = fs.readFileSync(path.join(dir, n), 'utf8');
			const to = /^X-Sink-To: (.*)$/m.exec(t);
			if (!to || !to[1].split(', ').includes(rcpt))
				continue;
			seen.add(n);
			const body = t.split(/\r?\n\r?\n/).slice(1).join('\n\n');
			const m = /code\b[^A-Za-z0-9\n]*([A-Za-z0-9-]{6,})/i
				.exec(body) || /\b(\d{6,12})\b/.exec(body);
			return { code: m ? m[1] : null, file: n, text: t };
		}
		await new Promise((r) => setTimeout(r, 100));
	}
	return null;
}

/* The headers every portal response must carry (web.md). */
export function secHeaders(h, https) {
	const csp = h['content-security-policy'] || '';
	const bad = [];
	if (!/default-src 'self'/.test(csp)) bad.push('csp default-src');
	if (!/script-src 'self'/.test(csp)) bad.push('csp script-src');
	if (!/frame-ancestors 'none'/.test(csp)) bad.push('csp frame-ancestors');
	if ((h['x-frame-options'] || '').toUpperCase() !== 'DENY')
		bad.push('x-frame-options');
	if (h['referrer-policy'] !== 'no-referrer') bad.push('referrer-policy');
	if (h['x-content-type-options'] !== 'nosniff') bad.push('nosniff');
	if (!/no-store/.test(h['cache-control'] || '')) bad.push('no-store');
	if (https !== !!h['strict-transport-security']) bad.push('hsts');
	return bad;
}
