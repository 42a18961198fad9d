/** @module ui/main — entry: picks the page for the path (/, /graph → expression browser; /stores). */
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { renderGraphPage } from './graph-page.ts';
import { renderStoresPage } from './stores-page.ts';

const app = document.getElementById('app')!;
const path = location.pathname.replace(/\/+$/, '') || '/';
const page = path === '/stores' ? 'stores' : 'graph';
for (const a of document.querySelectorAll<HTMLAnchorElement>('[data-nav]'))
  a.classList.toggle('active', a.dataset.nav === page);
if (page === 'stores') void renderStoresPage(app);
else renderGraphPage(app);
