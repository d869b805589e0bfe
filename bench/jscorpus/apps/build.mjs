// Bundles the small apps of bench/jscorpus.sh with esbuild (Svelte
// components compiled by svelte/compiler first): OUT_DIR/NAME.js for each.
// usage: node build.mjs OUT_DIR [NAME ...]
import * as esbuild from 'esbuild';
import { compile } from 'svelte/compiler';
import fs from 'node:fs';
import path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);
const [out, ...only] = process.argv.slice(2);
if (!out) {
    console.error('usage: node build.mjs OUT_DIR [NAME ...]');
    process.exit(2);
}
const entries = { react: 'react.jsx', vue: 'vue.js', preact: 'preact.jsx', svelte: 'svelte.js', lit: 'lit.js' };
const svelte = {
    name: 'svelte',
    setup(b) {
        b.onLoad({ filter: /\.svelte$/ }, async (a) => {
            const src = await fs.promises.readFile(a.path, 'utf8');
            const r = compile(src, { filename: a.path, generate: 'client' });
            return { contents: r.js.code, loader: 'js', resolveDir: path.dirname(a.path) };
        });
    },
};
for (const [name, file] of Object.entries(entries)) {
    if (only.length && !only.includes(name)) continue;
    await esbuild.build({
        entryPoints: [path.join(here, file)], bundle: true, minify: true, format: 'iife',
        target: 'es2020', outfile: path.join(out, name + '.js'), logLevel: 'warning',
        define: { 'process.env.NODE_ENV': '"production"' },
        conditions: ['svelte', 'browser', 'production'], plugins: [svelte],
        jsx: 'automatic', jsxImportSource: name === 'preact' ? 'preact' : 'react',
        nodePaths: [path.join(here, '..', 'node_modules')],
    });
}
