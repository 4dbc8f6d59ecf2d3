// SPDX-License-Identifier: BSD-3-Clause
/*
 * The self-care portal in a real browser (issue 9, "Proven"), driven by
 * tests/integration/t_web_e2e.sh, which starts refd, the SMTP sink and
 * the SIPp calls and passes what it knows in the environment:
 *   WEB_BASE      http://127.0.0.1:PORT or https://...
 *   WEB_MODE      full (the whole flow, plain HTTP, ends with alice's
 *                 account removed) or tls (a second run over HTTPS: the
 *                 operator's view, bob's cookie flags, HSTS, calls, trace,
 *                 voicemail, export, and the same with JavaScript off)
 *   WEB_MAILDIR   the sink's folder; WEB_SHOTS where screenshots go
 *   WEB_A / WEB_A_PW / WEB_A_CALL   alice: password and her call's Call-ID
 *   WEB_B / WEB_B_PW / WEB_B_CALL   bob, the second user, the same
 *   WEB_B_CANARY  text only bob's pages may show (his stored MESSAGE)
 *   WEB_B_FILE    the content of bob's clear file (notes.txt)
 *   WEB_OP / WEB_OP_PW   an account in [web] operators (tls run)
 *   WEB_DOMAIN    the users' domain
 * One check per line ("ok"/"FAIL"), then "e2e: N passed, N failed"; exit
 * status 1 if any failed. Pages are used as a person would (links, forms,
 * buttons); only forged or replayed requests are made by hand.
 */
import fs from 'node:fs';
import { launch, check, summary, shot, go, submit, postNav, csrfOf,
	 idLinks, text, mailCode, secHeaders } from './lib.mjs';

const E = process.env;
const base = E.WEB_BASE;
const https = base.startsWith('https:');
const shots = E.WEB_SHOTS || '';
const pfx = https ? 'tls-' : '';
const dom = E.WEB_DOMAIN || 'example.test';
const A = { user: E.WEB_A, pw: E.WEB_A_PW, call: E.WEB_A_CALL };
const B = { user: E.WEB_B, pw: E.WEB_B_PW, call: E.WEB_B_CALL,
	    canary: E.WEB_B_CANARY, file: E.WEB_B_FILE };
const NAV = ['Identity', 'Calls', 'Messages', 'Files', 'Voicemail',
	     'Contacts', 'Export', 'Logout'];
const PAGES = ['/identity', '/calls', '/messages', '/files', '/voicemail',
	       '/contacts'];
const seenMail = new Set();
const u = (p) => base + p;

/* Title, h1, nav bar, no inline script, security headers, csrf on forms. */
async function pageShape(page, r, what) {
	const t = await page.title();
	const h1 = await page.locator('h1').count();
	const nav = await page.locator('nav, body').first().innerText();
	const miss = NAV.filter((n) => !nav.includes(n));
	const inline = await page.locator('script:not([src])').count();
	const forms = await page.$$eval('form[method=post], form[method=POST]',
		(fs) => fs.filter((f) => !f.querySelector('[name=csrf]')).length);
	const bad = secHeaders(await r.resp.allHeaders(), https);
	check(`${what}: 200, <title> and <h1>, nav bar, csrf on every form`,
	      r.status === 200 && t && h1 === 1 && !miss.length && !forms,
	      `status ${r.status} title "${t}" h1 ${h1} nav missing ` +
	      `${miss} forms without csrf ${forms}`);
	check(`${what}: no inline script, security headers`,
	      !inline && !bad.length, `inline ${inline} bad ${bad}`);
}

/* Open every collapsed <details> (a trace's messages) by its summary. */
async function openAll(page) {
	const sums = page.locator('details:not([open]) > summary');
	for (let i = await sums.count(); i > 0; i--)
		await sums.first().click();
}

/* Accept every dialog (app.js asks confirm() before removals); remember. */
const dialogs = [];
function acceptDialogs(page) {
	page.on('dialog', (d) => { dialogs.push(d.message()); d.accept(); });
	return page;
}

async function login(page, user, pw) {
	await go(page, u('/login'));
	return submit(page, 'form[action="/login"]', async (f) => {
		await f.locator('[name=user]').fill(user);
		await f.locator('[name=password]').fill(pw);
	});
}

/* Bob's side: his ids (links with numbers) from every page. */
async function bobIds(page) {
	let ids = [];
	for (const p of PAGES) {
		await go(page, u(p));
		ids = ids.concat(await idLinks(page));
	}
	return [...new Set(ids)];
}

/* Another user's ids: 404 like a missing one, never their data. */
async function crossUser(page, ids) {
	const csrf = await csrfOf(page);
	const gets = ids.filter((h) => !/\/(delete|remove|add)$/.test(h));
	const posts = ids.filter((h) => /\/(delete|remove)$/.test(h));
	check("bob has ids to try (a call at least)",
	      gets.some((h) => h.startsWith('/calls/')), ids.join(' '));
	for (const h of gets) {
		const r = await go(page, u(h));
		const body = await page.content();
		const leak = [B.call, B.canary, B.file, 'notes.txt',
			      `${B.user}@`].filter((s) =>
			s && body.includes(s));
		check(`alice GET ${h} (bob's): 404, nothing of bob's`,
		      r.status === 404 && !leak.length,
		      `status ${r.status} leaks ${leak}`);
	}
	/* the 404 for bob's call is the 404 for a call that never was */
	const callLink = gets.find((h) => /^\/calls\/[^/]+\/trace/.test(h));
	if (callLink) {
		await go(page, u(callLink));
		const t1 = (await text(page)).replace(/\d+/g, 'N');
		const r2 = await go(page, u('/calls/987654321/trace'));
		const t2 = (await text(page)).replace(/\d+/g, 'N');
		check("bob's call looks like a call that does not exist",
		      r2.status === 404 && t1 === t2, `${r2.status}`);
		await shot(page, shots, pfx + 'other-user-404');
	}
	for (const h of posts) {
		const r = await postNav(page, u(h), { csrf });
		check(`alice POST ${h} (bob's) with her own token: 404`,
		      r.status === 404, r.status);
	}
	/* bob's call through the operator's route: alice is no operator */
	const cid = (callLink || '').split('/')[2];
	if (cid) {
		const h = `/operator/calls/${cid}/trace`;
		const r = await go(page, u(h));
		check(`alice GET ${h}: 404`, r.status === 404, r.status);
	}
	/* operator view is for operators only (alice is not one) */
	const r = await go(page, u('/operator?user=' +
		encodeURIComponent(`${B.user}@${dom}`)));
	const c = await page.content();
	check('operator view refused to a user, nothing of bob\'s',
	      r.status !== 200 && !c.includes(B.call), r.status);
}

async function full(browser) {
	const ctxA = await browser.newContext({ acceptDownloads: true });
	const urls = [];	/* every URL alice's browser asked for */
	ctxA.on('request', (q) => urls.push(q.url()));
	const pa = acceptDialogs(await ctxA.newPage());
	let r;

	/* no session: every page sends to /login */
	for (const p of [...PAGES, '/export']) {
		r = await go(pa, u(p));
		check(`no session: ${p} -> 303 /login`,
		      r.first === 303 && r.final === '/login',
		      `${r.first} ${r.final}`);
	}
	r = await go(pa, u('/login'));
	check('login page: 200, user/password/csrf fields',
	      r.status === 200 && await pa.locator('form[action="/login"] ' +
	      '[name=csrf]').count() === 1 && await pa.locator('[name=user]')
	      .count() === 1, r.status);
	check('login page: security headers',
	      !secHeaders(await r.resp.allHeaders(), https).length,
	      secHeaders(await r.resp.allHeaders(), https));
	await shot(pa, shots, pfx + 'login');

	/* wrong password */
	r = await login(pa, A.user, A.pw + 'x');
	check('wrong password: 401 "wrong user or password"',
	      r.status === 401 && /wrong user or password/i.test(
	      await text(pa)), r.status);
	await shot(pa, shots, pfx + 'login-wrong');

	/* log in */
	r = await login(pa, A.user, A.pw);
	check('login: 303 to /identity', r.first === 303 &&
	      r.final === '/identity', `${r.first} ${r.final}`);
	const ck = (await ctxA.cookies()).find((c) => c.name === 'rtcb_sid');
	check(`cookie rtcb_sid HttpOnly, SameSite=Strict, Path=/` +
	      `${https ? ', Secure' : ''}`, ck && ck.httpOnly &&
	      ck.sameSite === 'Strict' && ck.path === '/' &&
	      ck.secure === https, JSON.stringify(ck));
	check('identity shows the account and its e-mail',
	      (await text(pa)).includes(`${A.user}@${dom}`));
	const aCookies = await ctxA.cookies();
	await pageShape(pa, { status: 200, resp: r.resp }, '/identity');
	await shot(pa, shots, pfx + 'identity');

	/* calls: her call, newest first, a retention date, a trace link */
	r = await go(pa, u('/calls'));
	await pageShape(pa, r, '/calls');
	const calls = (await idLinks(pa)).filter((h) =>
		/^\/calls\/[^/]+\/trace$/.test(h));
	check('calls: her one call, linked to its trace', calls.length === 1,
	      calls);
	check('calls: a retention date', /\b20\d\d-\d\d-\d\d\b/.test(
	      await text(pa)));
	await shot(pa, shots, pfx + 'calls');

	/* trace ladder */
	if (calls.length) {
		await Promise.all([pa.waitForNavigation(),
			pa.locator(`a[href="${calls[0]}"]`).first().click()]);
		await openAll(pa);
		const t = await text(pa);
		const rows = ['INVITE', 'ACK', 'BYE', '200'].filter((w) =>
			!t.includes(w));
		check('trace: INVITE, 200, ACK and BYE rows', !rows.length,
		      `missing ${rows}`);
		check('trace: redactions shown as [redacted]',
		      t.includes('[redacted]'));
		check('trace: no digest response in clear',
		      !/response="?[0-9a-f]{32}/.test(await pa.content()));
		check('trace: no inline script', await pa.locator(
		      'script:not([src])').count() === 0);
		await shot(pa, shots, pfx + 'trace');
	}
	for (const p of ['/messages', '/files', '/voicemail', '/contacts']) {
		r = await go(pa, u(p));
		await pageShape(pa, r, p);
		const c = await pa.content();
		check(`${p}: nothing of bob's`, ![B.canary, B.file, 'notes.txt',
		      'secret.asc'].some((x) => x && c.includes(x)));
		await shot(pa, shots, pfx + p.slice(1));
	}

	/* contacts: add one, see it, remove it */
	const buddy = `sip:carol-${process.pid}@${dom}`;
	if (await pa.locator('form[action="/contacts/add"]').count()) {
		const evil = '<b>x</b><img src=x id=xss onerror="alert(1)">';
		r = await submit(pa, 'form[action="/contacts/add"]', async (f) => {
			await f.locator('[name=uri]').fill(buddy);
			await f.locator('[name=name]').fill(evil);
		});
		check('contacts: added one is listed',
		      r.status === 200 && (await text(pa)).includes(buddy),
		      r.status);
		check('contacts: a name with markup is shown as text, not run',
		      (await text(pa)).includes(evil) && await pa.locator(
		      '#xss, b:text-is("x")').count() === 0);
		await shot(pa, shots, pfx + 'contacts-added');
		const rm = pa.locator('form[action="/contacts/remove"]', {
			has: pa.locator(`[value="${buddy}"]`) });
		if (check('contacts: a remove form for it', await rm.count())) {
			r = await submit(pa, `form[action="/contacts/remove"]:has([value="${buddy}"])`);
			check('contacts: removed', !(await text(pa))
			      .includes(buddy), r.status);
		}
	} else {
		check('contacts: an add form', false);
	}

	/* password: weak refused with the reason, wrong old one, then a good one */
	const pwf = 'form[action="/identity/password"]';
	const chpw = async (old, nw) => {
		await go(pa, u('/identity'));
		return submit(pa, pwf, async (f) => {
			await f.locator('[name=old]').fill(old);
			await f.locator('[name=new]').fill(nw);
		});
	};
	r = await chpw(A.pw, 'password');
	check('weak password refused (400) with the reason',
	      r.status === 400 && /weak|common|short|guess|list|characters/i
	      .test(await pa.locator('main, body').last().innerText()),
	      `${r.status} ${(await text(pa)).slice(0, 200)}`);
	await shot(pa, shots, pfx + 'password-weak');
	r = await chpw(A.pw + 'x', 'Zr8!mQ2#vT6@kW');
	check('wrong old password: 403', r.status === 403, r.status);
	const newPw = 'Zr8!mQ2#vT6@kW';
	r = await chpw(A.pw, newPw);
	check('strong password: changed', r.status === 200 &&
	      /password changed/i.test(await text(pa)), r.status);
	if (r.status === 200)
		A.pw = newPw;

	/* voicemail on */
	await go(pa, u('/identity'));
	r = await submit(pa, 'form[action="/identity/voicemail"]', (f) =>
		f.locator('[name=enabled]').check());
	await go(pa, u('/identity'));
	check('voicemail switched on', /Voicemail\s+on\b/.test(await text(pa)));

	/* export download */
	r = await go(pa, u('/identity'));
	const [dl] = await Promise.all([pa.waitForEvent('download'),
		pa.locator('a[href="/export"]').first().click()]);
	const ex = fs.readFileSync(await dl.path(), 'utf8');
	let js = null;
	try { js = JSON.parse(ex); } catch (e) { /* checked below */ }
	check('export: a download that parses as JSON', js !== null,
	      ex.slice(0, 100));
	check("export: holds her call", A.call && ex.includes(A.call));
	check("export: nothing of bob's", !ex.includes(B.call) &&
	      !ex.includes(B.canary));
	const er = await ctxA.request.get(u('/export'), { maxRedirects: 0 });
	check('export: Content-Disposition attachment',
	      /^attachment/.test(er.headers()['content-disposition'] || ''),
	      er.headers()['content-disposition']);

	/* forged and missing CSRF */
	r = await go(pa, u('/identity'));
	const vm = 'form[action="/identity/voicemail"]';
	if (check('identity: voicemail form', await pa.locator(vm).count())) {
		r = await submit(pa, vm, (f) => f.locator('[name=csrf]')
			.evaluate((i) => { i.value = 'forged0000'; }));
		check('forged CSRF: 403 "invalid form token"', r.status === 403
		      && /invalid form token/i.test(await text(pa)), r.status);
		await shot(pa, shots, pfx + 'csrf-forged');
	}
	const nr = await ctxA.request.post(u('/identity/voicemail'),
		{ form: { enabled: '1' }, maxRedirects: 0 });
	check('missing CSRF: 403', nr.status() === 403, nr.status());

	/* bob's side, then alice tries his ids */
	const ctxB = await browser.newContext();
	const pb = acceptDialogs(await ctxB.newPage());
	r = await login(pb, B.user, B.pw);
	check('bob logs in', r.final === '/identity', r.final);
	const ids = await bobIds(pb);
	await go(pb, u('/messages'));
	check("bob's message is on his /messages",
	      (await text(pb)).includes(B.canary));
	await shot(pb, shots, pfx + 'messages-bob');
	r = await go(pb, u('/files'));
	const ft = await text(pb);
	check("bob's two files on his /files, marked clear and encrypted, " +
	      "each with an expiry date", (await idLinks(pb)).filter((h) =>
	      /^\/files\/\d+/.test(h)).length === 2 && /clear/.test(ft) &&
	      /encrypted/.test(ft) && /notes\.txt/.test(ft) &&
	      /\b20\d\d-\d\d-\d\d\b/.test(ft), ft.slice(0, 300));
	await shot(pb, shots, pfx + 'files-bob');
	await go(pb, u('/voicemail'));
	check("bob's voicemail on his /voicemail: player, download, delete",
	      await pb.locator('audio[src$=".wav"]').count() === 1 &&
	      await pb.locator('a[href*=".wav?download"]').count() === 1 &&
	      await pb.locator('form[action$="/delete"]').count() === 1);
	await shot(pb, shots, pfx + 'voicemail-bob');
	/* a buddy of bob's that alice then tries to remove from "her" list */
	const bobBuddy = `sip:bobs-friend-${process.pid}@${dom}`;
	await go(pb, u('/contacts'));
	await submit(pb, 'form[action="/contacts/add"]', (f) =>
		f.locator('[name=uri]').fill(bobBuddy));
	check("bob's buddy is on his /contacts", (await text(pb))
	      .includes(bobBuddy));
	await crossUser(pa, ids);
	await go(pa, u('/contacts'));
	r = await postNav(pa, u('/contacts/remove'), { csrf:
		await csrfOf(pa), uri: bobBuddy });
	check("alice's /contacts never shows bob's buddy",
	      !(await pa.content()).includes(bobBuddy), r.status);
	await go(pb, u('/contacts'));
	check("alice removing bob's buddy leaves bob's list alone",
	      (await text(pb)).includes(bobBuddy));

	/* e-mail change: code to the NEW address; the same code twice -> 410 */
	const newMail = `alice.new-${process.pid}@${dom}`;
	r = await go(pa, u('/identity'));
	r = await submit(pa, 'form[action="/identity/email"]', (f) =>
		f.locator('input:not([type=hidden])').first().fill(newMail));
	check('e-mail change: a code form', r.status === 200 && await pa
	      .locator('form[action="/identity/email/confirm"]').count(),
	      r.status);
	const m1 = await mailCode(E.WEB_MAILDIR, newMail, seenMail);
	check('e-mail change: the code went to the new address',
	      m1 && m1.code, m1 && m1.text);
	check('no code in any URL', m1 && !pa.url().includes(m1.code));
	const csrf = await csrfOf(pa);
	r = await submit(pa, 'form[action="/identity/email/confirm"]', (f) =>
		f.locator('input:not([type=hidden])').first()
		.fill(m1 ? m1.code : 'none'));
	await go(pa, u('/identity'));
	check('e-mail change: applied', (await text(pa)).includes(newMail));
	r = await postNav(pa, u('/identity/email/confirm'),
		{ csrf: await csrfOf(pa) || csrf, code: m1 ? m1.code : '' });
	check('same code twice: 410 "code already used"', r.status === 410 &&
	      /code already used/i.test(await text(pa)), r.status);
	await shot(pa, shots, pfx + 'code-used-twice');

	/* logout; the old cookie is no session any more */
	await go(pa, u('/identity'));
	r = await submit(pa, 'form[action="/logout"]');
	check('logout: 303 to /login', r.first === 303 && r.final === '/login',
	      `${r.first} ${r.final}`);
	const ctxOld = await browser.newContext();
	await ctxOld.addCookies(aCookies);
	const po = acceptDialogs(await ctxOld.newPage());
	r = await go(po, u('/identity'));
	check('ended session: /identity -> 303 /login',
	      r.first === 303 && r.final === '/login', `${r.first} ${r.final}`);
	await shot(po, shots, pfx + 'session-ended');
	await ctxOld.addCookies([{ ...aCookies.find((c) =>
		c.name === 'rtcb_sid'), value: 'A'.repeat(43) }]);
	r = await go(po, u('/calls'));
	check('made-up session id: -> 303 /login', r.first === 303 &&
	      r.final === '/login', `${r.first} ${r.final}`);

	/* a second session of alice that stays open through the removal */
	r = await login(po, A.user, A.pw);
	r = await login(pa, A.user, A.pw);
	check('alice logs in again', r.final === '/identity', r.final);

	/* remove the account through the e-mailed code */
	const nd = dialogs.length;
	r = await submit(pa, 'form[action="/identity/remove"]');
	check('remove: the browser asked first (confirm dialog)',
	      dialogs.length === nd + 1, dialogs.slice(nd));
	check('remove: a code form', r.status === 200 && await pa.locator(
	      'form[action="/identity/remove/confirm"]').count(), r.status);
	await shot(pa, shots, pfx + 'remove-code');
	const m2 = await mailCode(E.WEB_MAILDIR, newMail, seenMail);
	check('remove: the code went to her (new) address', m2 && m2.code,
	      m2 && m2.text);
	r = await submit(pa, 'form[action="/identity/remove/confirm"]', (f) =>
		f.locator('input:not([type=hidden])').first()
		.fill(m2 ? m2.code : 'none'));
	const rt = await text(pa);
	check('removed: "account removed; kept: billing records until DATE"',
	      r.status === 200 && /account removed/i.test(rt) &&
	      /kept: billing records until 20\d\d-\d\d-\d\d/i.test(rt),
	      rt.slice(0, 200));
	await shot(pa, shots, pfx + 'removed');

	/* every page of hers is gone, in the other session too */
	for (const p of [...PAGES, '/export', ...calls]) {
		r = await go(po, u(p));
		check(`after removal, old session: ${p} -> /login`,
		      r.final === '/login' && r.first === 303,
		      `${r.first} ${r.final}`);
	}
	r = await login(po, A.user, A.pw);
	check('after removal: login fails (401)', r.status === 401 &&
	      r.final === '/login', `${r.status} ${r.final}`);
	await shot(po, shots, pfx + 'removed-login');

	/* bob is untouched */
	r = await go(pb, u('/calls'));
	check('bob still has his call after alice left', (await idLinks(pb))
	      .some((h) => h.startsWith('/calls/')), r.status);

	/* failed logins are rate limited (last: it locks this address out) */
	let st = [];
	for (let i = 0; i < 12 && !st.includes(429); i++) {
		const rr = await login(pb, B.user, 'not-' + B.pw);
		st.push(rr.status);
	}
	check('failed logins: 401s, then 429', st[0] === 401 &&
	      st.includes(429), st.join(','));
	await shot(pb, shots, pfx + 'login-rate-limited');
	/* no secret in any URL: passwords, e-mailed codes, the session id */
	const secrets = [E.WEB_A_PW, A.pw, m1 && m1.code, m2 && m2.code,
		aCookies.find((c) => c.name === 'rtcb_sid').value];
	const bad = urls.filter((x) => secrets.some((z) => z && (x.includes(z)
		|| x.includes(encodeURIComponent(z)))));
	check(`no secret in any of ${urls.length} URLs alice's browser used`,
	      urls.length > 20 && !bad.length, bad.slice(0, 3));
	await Promise.all([ctxA.close(), ctxB.close(), ctxOld.close()]);
}

/* The operator (WEB_OP) looks at bob's calls and one trace: audited. */
async function operator(browser) {
	const ctx = await browser.newContext({ ignoreHTTPSErrors: true });
	const pg = await ctx.newPage();
	let r = await login(pg, E.WEB_OP, E.WEB_OP_PW);
	check('operator logs in; an Operator link in the nav',
	      r.final === '/identity' && await pg.locator(
	      'a[href="/operator"]').count(), r.final);
	await Promise.all([pg.waitForNavigation(),
		pg.locator('a[href="/operator"]').first().click()]);
	r = await submit(pg, 'form[action="/operator"]', (f) =>
		f.locator('[name=user]').fill(`${B.user}@${dom}`));
	const links = (await idLinks(pg)).filter((h) =>
		/^\/operator\/calls\/[^/]+\/trace$/.test(h));
	check("operator: bob's calls listed (his and the one to his " +
	      "voicemail), linked to their traces",
	      r.status === 200 && links.length === 2, links);
	await shot(pg, shots, pfx + 'operator');
	const t = await traceOf(pg, links, B.call);
	check("operator: the trace of bob's call", t, links);
	await shot(pg, shots, pfx + 'operator-trace');
	await ctx.close();
}

/* Open the trace links in turn until the one of Call-ID cid: true. */
async function traceOf(pg, links, cid) {
	for (const h of links) {
		const r = await go(pg, u(h));
		if (r.status === 200 && (await pg.content()).includes(cid))
			return true;
	}
	return false;
}

/* Bob's voicemail: the browser decodes it, downloads it, deletes it. */
async function voicemail(pg) {
	await go(pg, u('/voicemail'));
	const secs = await pg.$eval('audio', (a) => new Promise((res) => {
		a.onloadedmetadata = () => res(a.duration);
		a.onerror = () => res(-(a.error ? a.error.code : 1));
		a.preload = 'auto';
		a.load();
		setTimeout(() => res(0), 8000);
	})).catch((e) => String(e));
	check('voicemail plays in the browser (decoded, ~1.5 s)',
	      secs > 1 && secs < 5, secs);
	const [dl] = await Promise.all([pg.waitForEvent('download'),
		pg.locator('a[href*=".wav?download"]').first().click()]);
	const wav = fs.readFileSync(await dl.path());
	check('voicemail download: a RIFF/WAVE file',
	      wav.subarray(0, 4).toString() === 'RIFF' &&
	      wav.subarray(8, 12).toString() === 'WAVE' && wav.length > 8000,
	      wav.length);
	await shot(pg, shots, pfx + 'voicemail');
	const nd = dialogs.length;
	const r = await submit(pg, 'form[action$="/delete"]');
	check('voicemail delete: asked first, then gone',
	      dialogs.length === nd + 1 && r.final === '/voicemail' &&
	      await pg.locator('audio').count() === 0, `${r.final}`);
}

/* Over HTTPS: bob (alice is gone by now): flags, headers, pages, export. */
async function tls(browser) {
	if (E.WEB_OP)
		await operator(browser);
	const ctx = await browser.newContext({ acceptDownloads: true,
					       ignoreHTTPSErrors: true });
	const pg = acceptDialogs(await ctx.newPage());
	let r = await go(pg, u('/login'));
	check('https login page: 200, HSTS and the other headers',
	      r.status === 200 && !secHeaders(await r.resp.allHeaders(),
	      true).length, secHeaders(await r.resp.allHeaders(), true));
	await shot(pg, shots, pfx + 'login');
	r = await login(pg, B.user, B.pw);
	check('https login: 303 to /identity', r.first === 303 &&
	      r.final === '/identity', `${r.first} ${r.final}`);
	const ck = (await ctx.cookies()).find((c) => c.name === 'rtcb_sid');
	check('https cookie: Secure, HttpOnly, SameSite=Strict',
	      ck && ck.secure && ck.httpOnly && ck.sameSite === 'Strict',
	      JSON.stringify(ck));
	await pageShape(pg, { status: r.status, resp: r.resp }, 'https /identity');
	await shot(pg, shots, pfx + 'identity');
	r = await go(pg, u('/calls'));
	const calls = (await idLinks(pg)).filter((h) =>
		/^\/calls\/[^/]+\/trace$/.test(h));
	check('https calls: his call and the one to his voicemail',
	      calls.length === 2, calls);
	await shot(pg, shots, pfx + 'calls');
	if (check("https: the trace of his call", await traceOf(pg, calls,
							       B.call))) {
		await openAll(pg);
		const t = await text(pg);
		check('https trace: INVITE and BYE, [redacted]',
		      t.includes('INVITE') && t.includes('BYE') &&
		      t.includes('[redacted]'));
		await shot(pg, shots, pfx + 'trace');
	}
	await voicemail(pg);
	await go(pg, u('/files'));
	const [fd] = await Promise.all([pg.waitForEvent('download'),
		pg.locator('tr', { hasText: 'notes.txt' }).locator(
		'a[href^="/files/"]').first().click()]);
	check('https file download: the bytes sent',
	      fs.readFileSync(await fd.path(), 'utf8') === B.file);
	await shot(pg, shots, pfx + 'files');
	const [dl] = await Promise.all([pg.waitForEvent('download'),
		pg.locator('a[href="/export"]').first().click()]);
	const ex = fs.readFileSync(await dl.path(), 'utf8');
	let ok = false;
	try { JSON.parse(ex); ok = true; } catch (e) { /* below */ }
	check('https export: JSON with his call', ok && ex.includes(B.call));
	check("https export: nothing of alice's", !ex.includes(A.call));
	await noScript(browser);
	if (E.WEB_OP)
		check("https export: the operator's accesses (audit log)",
		      ok && /operator_access/.test(ex) &&
		      ex.includes(`${E.WEB_OP}@${dom}`));
	await ctx.close();
}

/* JavaScript off: the essential flows are plain forms and links. */
async function noScript(browser) {
	const ctx = await browser.newContext({ javaScriptEnabled: false,
		acceptDownloads: true, ignoreHTTPSErrors: true });
	const pg = acceptDialogs(await ctx.newPage());
	const nd = dialogs.length;
	let r = await login(pg, B.user, B.pw);
	check('JS off: login', r.final === '/identity', r.final);
	r = await go(pg, u('/calls'));
	check('JS off: calls listed', (await idLinks(pg)).some((h) =>
	      h.startsWith('/calls/')));
	const buddy = `sip:nojs-${process.pid}@${dom}`;
	await go(pg, u('/contacts'));
	r = await submit(pg, 'form[action="/contacts/add"]', (f) =>
		f.locator('[name=uri]').fill(buddy));
	check('JS off: contact added', (await text(pg)).includes(buddy));
	const [dl] = await Promise.all([pg.waitForEvent('download'),
		pg.locator('a[href="/export"]').first().click()]);
	check('JS off: export downloads', (fs.readFileSync(await dl.path(),
	      'utf8')).includes(B.call));
	r = await submit(pg, 'form[action="/logout"]');
	check('JS off: logout, and no dialog was ever shown',
	      r.final === '/login' && dialogs.length === nd, r.final);
	await ctx.close();
}

const browser = await launch();
const t0 = Date.now();
try {
	if (E.WEB_MODE === 'tls')
		await tls(browser);
	else
		await full(browser);
} catch (e) {
	check(`flow ran to the end`, false, e.stack || e);
} finally {
	await browser.close();
}
console.log(`e2e: ${E.WEB_MODE || 'full'} flow in ${Date.now() - t0} ms`);
process.exit(summary() ? 1 : 0);
