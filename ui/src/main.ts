/** @module ui/main — entry: picks the page for the path (/, /graph → expression browser; /stores; /blocks). */
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { renderBlocksPage } from './blocks-page.ts';
import { renderGraphPage } from './graph-page.ts';
import { renderStoresPage } from './stores-page.ts';

const app = document.getElementById('app')!;
const path = location.pathname.replace(/\/+$/, '') || '/';
const page = path === '/stores' ? 'stores' : path === '/blocks' ? 'blocks' : 'graph';
for (const a of document.querySelectorAll<HTMLAnchorElement>('[data-nav]'))
  a.classList.toggle('active', a.dataset.nav === page);
if (page === 'stores') void renderStoresPage(app);
else if (page === 'blocks') void renderBlocksPage(app);
else renderGraphPage(app);
