// Lit elements rendering into light DOM (createRenderRoot returns this), so
// their links are in the document: one list from fetch(), one from a property.
import { LitElement, html } from 'lit';

const cfg = JSON.parse(document.getElementById('cfg').textContent);

class LinkList extends LitElement {
    static properties = { links: { state: true } };
    constructor() { super(); this.links = []; }
    createRenderRoot() { return this; }
    connectedCallback() {
        super.connectedCallback();
        fetch(cfg.data).then((r) => r.json()).then((d) => { this.links = d.routes.map((p) => cfg.base + p); });
    }
    render() { return html`<ul>${this.links.map((h, i) => html`<li><a href=${h}>Item ${i}</a></li>`)}</ul>`; }
}
class LinkNav extends LitElement {
    static properties = { items: { type: Array } };
    createRenderRoot() { return this; }
    render() { return html`<nav>${(this.items || []).map((h) => html`<a href=${h}>${h}</a>`)}</nav>`; }
}
customElements.define('link-list', LinkList);
customElements.define('link-nav', LinkNav);
const nav = document.createElement('link-nav');
nav.items = cfg.routes.map((p) => cfg.base + p);
document.getElementById('root').append(document.createElement('link-list'), nav);
