// Vue 3 + vue-router (runtime-only build, render functions): the routes'
// components render RouterLinks after a fetch() (home) or on mount (about).
import { createApp, h, ref, onMounted } from 'vue';
import { createRouter, createWebHistory, RouterLink, RouterView } from 'vue-router';

const cfg = JSON.parse(document.getElementById('cfg').textContent);

const Home = {
    setup() {
        const links = ref([]);
        onMounted(async () => { links.value = (await (await fetch(cfg.data)).json()).routes; });
        return () => h('ul', links.value.map((p, i) => h('li', { key: p }, [h(RouterLink, { to: p }, () => 'Item ' + i)])));
    },
};
const About = {
    setup() {
        const links = ref([]);
        onMounted(() => { links.value = cfg.routes; });
        return () => h('nav', links.value.map((p) => h(RouterLink, { key: p, to: p }, () => p)));
    },
};
const routes = [{ path: '/about.html', component: About }, { path: '/:rest(.*)*', component: Home }];
const router = createRouter({ history: createWebHistory(cfg.base), routes });
createApp({ render: () => h(RouterView) }).use(router).mount('#root');
