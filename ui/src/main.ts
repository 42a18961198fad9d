/**
 * @module ui/main — entry: picks the page for the path (/, /graph → expression browser; /stores;
 * /blocks; /rules; /alerts).
 */
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { renderAlertsPage } from './alerts-page.ts';
import { renderBlocksPage } from './blocks-page.ts';
import { renderGraphPage } from './graph-page.ts';
import { renderRulesPage } from './rules-page.ts';
import { renderStoresPage } from './stores-page.ts';

const app = document.getElementById('app')!;
const path = location.pathname.replace(/\/+$/, '') || '/';
const PAGES = ['stores', 'blocks', 'rules', 'alerts'] as const;
const page = PAGES.find((p) => path === `/${p}`) ?? 'graph';
for (const a of document.querySelectorAll<HTMLAnchorElement>('[data-nav]'))
  a.classList.toggle('active', a.dataset.nav === page);
if (page === 'stores') void renderStoresPage(app);
else if (page === 'blocks') void renderBlocksPage(app);
else if (page === 'rules') void renderRulesPage(app);
else if (page === 'alerts') void renderAlertsPage(app);
else renderGraphPage(app);
