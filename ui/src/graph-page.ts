/** @module ui/graph-page — the expression browser: several panels, their state mirrored in the URL. */
import { h, replace } from './dom.ts';
import { createPanel, type Panel } from './panel.ts';
import { defaultPanel, encodePanels, parsePanels, type PanelState } from './url-state.ts';

export function renderGraphPage(root: HTMLElement): void {
  const list = h('div', { class: 'panels' });
  const panels: Panel[] = [];

  const syncUrl = () =>
    history.replaceState(null, '', `/graph?${encodePanels(panels.map((p) => p.state))}`);

  const add = (state: PanelState): Panel => {
    const panel = createPanel(state, syncUrl, () => {
      panels.splice(panels.indexOf(panel), 1);
      panel.el.remove();
      syncUrl();
    });
    panels.push(panel);
    list.append(panel.el);
    return panel;
  };

  const initial = parsePanels(location.search);
  for (const s of initial.length > 0 ? initial : [defaultPanel()]) add(s);
  syncUrl();
  replace(
    root,
    list,
    h(
      'button',
      {
        class: 'btn primary add-panel',
        type: 'button',
        onclick: () => (add(defaultPanel()), syncUrl()),
      },
      'Add Panel',
    ),
  );
  // A shared link runs its queries on arrival, as Prometheus's does.
  for (const p of panels) if (p.state.expr.trim() !== '') p.run();
}
