// Preact with hooks and a router of its own (history.pushState on click),
// links rendered after a fetch() (home) or an effect (about).
import { h, render } from 'preact';
import { useEffect, useState } from 'preact/hooks';

const cfg = JSON.parse(document.getElementById('cfg').textContent);

function Link({ to, children }) {
    const go = (e) => { e.preventDefault(); history.pushState(null, '', cfg.base + to); dispatchEvent(new PopStateEvent('popstate')); };
    return <a href={cfg.base + to} onClick={go}>{children}</a>;
}
function Home() {
    const [links, setLinks] = useState([]);
    useEffect(() => { fetch(cfg.data).then((r) => r.json()).then((d) => setLinks(d.routes)); }, []);
    return <ul>{links.map((p, i) => <li key={p}><Link to={p}>Item {i}</Link></li>)}</ul>;
}
function About() {
    const [links, setLinks] = useState([]);
    useEffect(() => { setLinks(cfg.routes); }, []);
    return <nav>{links.map((p) => <Link key={p} to={p}>{p}</Link>)}</nav>;
}
function App() {
    const [path, setPath] = useState(location.pathname.slice(cfg.base.length));
    useEffect(() => {
        const f = () => setPath(location.pathname.slice(cfg.base.length));
        addEventListener('popstate', f);
        return () => removeEventListener('popstate', f);
    }, []);
    return path === '/about.html' ? <About /> : <Home />;
}
render(<App />, document.getElementById('root'));
