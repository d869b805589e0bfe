// Crawlee peer for bench/bench_peers.py: CheerioCrawler (no JS) or
// JSDOMCrawler (page scripts run in jsdom with --js) over one site.
// Follows <a href> links on the seed's host (enqueueLinks, strategy
// same-hostname), at most --max-pages requests, storage in memory only.
// Writes one line per page handled: "UNIX_SECONDS URL content-type status".
// usage: node crawlee_crawl.mjs cheerio|jsdom SEED MAX_PAGES OUT_FILE [--js]
import { CheerioCrawler, JSDOMCrawler, Configuration, log } from 'crawlee';
import fs from 'node:fs';

const [kind, seed, maxPages, outFile, jsFlag] = process.argv.slice(2);
if (!kind || !seed || !maxPages || !outFile) {
    console.error('usage: node crawlee_crawl.mjs cheerio|jsdom SEED MAX_PAGES OUT_FILE [--js]');
    process.exit(2);
}
const js = jsFlag === '--js';
log.setLevel(log.LEVELS.WARNING);
const out = fs.openSync(outFile, 'w');
const config = new Configuration({ persistStorage: false, purgeOnStart: true });

const common = {
    maxRequestsPerCrawl: Number(maxPages),
    maxRequestRetries: 1,
    // Non-HTML links (text sources, images) are fetched but not parsed.
    additionalMimeTypes: ['text/plain', 'application/json', 'text/css', 'text/javascript',
        'application/javascript', 'image/png', 'image/svg+xml', 'application/octet-stream'],
    async failedRequestHandler({ request }) {
        console.error('failed', request.url, request.errorMessages?.slice(-1)[0]);
    },
};

let crawler;
if (kind === 'cheerio') {
    crawler = new CheerioCrawler({
        ...common,
        async requestHandler({ request, response, contentType, enqueueLinks }) {
            fs.writeSync(out, `${Date.now() / 1000} ${request.loadedUrl || request.url} ${contentType?.type || ''} ${response?.statusCode ?? 0}\n`);
            if (contentType?.type === 'text/html') await enqueueLinks({ strategy: 'same-hostname' });
        },
    }, config);
} else if (kind === 'jsdom') {
    crawler = new JSDOMCrawler({
        ...common,
        runScripts: js,
        hideInternalConsole: true,
        async requestHandler({ request, response, contentType, window, enqueueLinks }) {
            if (js && window) {
                // The page's timers (a 10 ms setTimeout that sets another):
                // let a chain one step longer at each level run, as the
                // Chromium driver does.
                await new Promise((r) => window.setTimeout(() => window.setTimeout(r, 12), 12));
            }
            fs.writeSync(out, `${Date.now() / 1000} ${request.loadedUrl || request.url} ${contentType?.type || ''} ${response?.statusCode ?? 0}\n`);
            if (contentType?.type === 'text/html') await enqueueLinks({ strategy: 'same-hostname' });
        },
    }, config);
} else {
    console.error('crawlee_crawl: kind must be cheerio or jsdom');
    process.exit(2);
}
await crawler.run([seed]);
fs.closeSync(out);
