// Headless Chromium peer for bench/bench_peers.py: Debian's /usr/bin/chromium
// driven by playwright-core (no browser download), CONCURRENCY tabs of one
// browser, breadth-first over the seed's host. Each page: goto until the
// load event, then the page's timers (a 10 ms setTimeout that sets another)
// get a chain one step longer at each level, then any request the page
// still has in flight (a fetch()) is awaited plus 5 ms, then every a[href] (but rel=nofollow ones)
// is read. Writes one line per page: "UNIX_SECONDS URL content-type status".
// With PAGE_LOG=FILE it also writes one JSON line per page: {url, status,
// type, ms, links: every a[href] but rel=nofollow after settling, errors: the page's script
// errors (uncaught exceptions, console.error, script requests that failed
// or answered >= 400)}. With MAX_DEPTH=N the links of pages N clicks from
// the seed are not followed (the seed is depth 0).
// usage: node playwright_crawl.mjs SEED MAX_PAGES OUT_FILE [CONCURRENCY]
import { chromium } from 'playwright-core';
import fs from 'node:fs';

const [seed, maxPagesArg, outFile, concArg] = process.argv.slice(2);
if (!seed || !maxPagesArg || !outFile) {
    console.error('usage: node playwright_crawl.mjs SEED MAX_PAGES OUT_FILE [CONCURRENCY]');
    process.exit(2);
}
const maxPages = Number(maxPagesArg);
const conc = Number(concArg || 4);
const host = new URL(seed).host;
const out = fs.openSync(outFile, 'w');
const pageLog = process.env.PAGE_LOG ? fs.openSync(process.env.PAGE_LOG, 'w') : null;
const maxDepth = process.env.MAX_DEPTH ? Number(process.env.MAX_DEPTH) : Infinity;
const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-default-apps',
        '--disable-extensions', '--mute-audio'],
});
const context = await browser.newContext();
const seen = new Set([seed]);
const queue = [[seed, 0]];
let taken = 0, errors = 0;

async function visit(page, url) {
    const inflight = new Set();
    const errs = [];
    const onReq = (r) => inflight.add(r);
    const onDone = (r) => inflight.delete(r);
    const onFail = (r) => {
        inflight.delete(r);
        if (r.resourceType() === 'script') errs.push(`script request failed: ${r.url()} ${(r.failure() || {}).errorText || ''}`);
    };
    const onResp = (r) => {
        if (r.status() >= 400 && r.request().resourceType() === 'script') errs.push(`script request: ${r.url()} ${r.status()}`);
    };
    const onPageError = (e) => errs.push(`pageerror: ${String((e && e.message) || e).split('\n')[0]}`);
    const onConsole = (m) => { if (m.type() === 'error') errs.push(`console.error: ${m.text().split('\n')[0]}`); };
    page.on('request', onReq);
    page.on('requestfinished', onDone);
    page.on('requestfailed', onFail);
    page.on('response', onResp);
    page.on('pageerror', onPageError);
    page.on('console', onConsole);
    const t0 = Date.now();
    try {
        const resp = await page.goto(url, { waitUntil: 'load', timeout: 30000 });
        const type = ((resp && resp.headers()['content-type']) || '').split(';')[0].trim();
        let links = [];
        if (type === 'text/html') {
            await page.evaluate(() => new Promise((r) => setTimeout(() => setTimeout(r, 12), 12)));
            for (let k = 0; k < 100 && inflight.size > 0; k++) {
                await Promise.race([...inflight].map((r) => r.response().catch(() => null)));
                await page.waitForTimeout(5);
            }
            // rel=nofollow links left out, as crawld leaves them out of its links
            links = await page.evaluate(() => Array.from(
                document.querySelectorAll('a[href]:not([rel~="nofollow" i])'), (a) => a.href));
        }
        fs.writeSync(out, `${Date.now() / 1000} ${page.url()} ${type} ${resp ? resp.status() : 0}\n`);
        if (pageLog !== null) {
            fs.writeSync(pageLog, JSON.stringify({ url: page.url(), status: resp ? resp.status() : 0, type,
                ms: Date.now() - t0, links, errors: errs }) + '\n');
        }
        return links;
    } finally {
        page.off('request', onReq);
        page.off('requestfinished', onDone);
        page.off('requestfailed', onFail);
        page.off('response', onResp);
        page.off('pageerror', onPageError);
        page.off('console', onConsole);
    }
}

async function tab() {
    const page = await context.newPage();
    for (;;) {
        if (taken >= maxPages) break;
        const item = queue.shift();
        if (item === undefined) {
            if (busy === 0) break;
            await new Promise((r) => setTimeout(r, 2));
            continue;
        }
        const [url, depth] = item;
        taken++;
        busy++;
        try {
            const links = await visit(page, url);
            if (depth >= maxDepth) continue;
            for (const h of links) {
                let u;
                try { u = new URL(h); } catch { continue; }
                if (u.host !== host || !u.protocol.startsWith('http')) continue;
                u.hash = '';
                const s = u.toString();
                if (!seen.has(s)) { seen.add(s); queue.push([s, depth + 1]); }
            }
        } catch (e) {
            errors++;
            console.error('error', url, String(e).split('\n')[0]);
        } finally {
            busy--;
        }
    }
    await page.close();
}
let busy = 0;
await Promise.all(Array.from({ length: conc }, tab));
fs.closeSync(out);
if (pageLog !== null) fs.closeSync(pageLog);
await browser.close();
if (errors) console.error(`playwright_crawl: ${errors} pages failed`);
