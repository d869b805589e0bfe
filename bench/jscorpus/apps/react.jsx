// React 19 + react-router: the route's component renders its links after a
// fetch() (home) or an effect (about); every link is a router <Link>.
import React, { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Routes, Route, Link } from 'react-router-dom';

const cfg = JSON.parse(document.getElementById('cfg').textContent);

function Home() {
    const [links, setLinks] = useState([]);
    useEffect(() => {
        fetch(cfg.data).then((r) => r.json()).then((d) => setLinks(d.routes));
    }, []);
    return <ul>{links.map((p, i) => <li key={p}><Link to={p}>Item {i}</Link></li>)}</ul>;
}

function About() {
    const [links, setLinks] = useState(null);
    useEffect(() => { setTimeout(() => setLinks(cfg.routes), 5); }, []);
    return <nav>{(links || []).map((p) => <Link key={p} to={p}>{p}</Link>)}</nav>;
}

createRoot(document.getElementById('root')).render(
    <BrowserRouter basename={cfg.base}>
        <Routes>
            <Route path="/about.html" element={<About />} />
            <Route path="*" element={<Home />} />
        </Routes>
    </BrowserRouter>,
);
