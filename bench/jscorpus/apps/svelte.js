import { mount } from 'svelte';
import App from './App.svelte';

const cfg = JSON.parse(document.getElementById('cfg').textContent);
mount(App, { target: document.getElementById('root'), props: { cfg } });
