// The views as tabs: one card shown at a time, named by the URL's hash (#samples), so that a link opens a view and
// the back button returns to the one before. A view is built the first time it is shown, so the page's first view
// does not wait on the others.
import { el } from './ui';

/** A view of the page: its id (the hash), the tab's title, one line on what is seen and why, and how to build it. */
export interface ViewSpec {
  id: string;
  title: string;
  blurb: string;
  /** Builds the view in `body`; resolves when its first pictures are drawn. */
  mount(body: HTMLElement): Promise<void> | void;
}

/**
 * Builds the tab bar in `nav` and a card per view in `root` (`section#view-<id>.view` with a `.body`), shows the view
 * the hash names (or the first) and follows hash changes. `report` gets a view's mount error.
 */
export function mountTabs(
  nav: HTMLElement,
  root: HTMLElement,
  views: readonly ViewSpec[],
  report: (error: unknown) => void,
) {
  const mounted = new Set<string>();
  const cards = new Map<string, { section: HTMLElement; body: HTMLElement; tab: HTMLAnchorElement }>();
  for (const view of views) {
    const body = el('div', { class: 'body' });
    const section = el(
      'section',
      { id: `view-${view.id}`, class: 'view', 'aria-labelledby': `title-${view.id}`, hidden: true },
      [el('h2', { id: `title-${view.id}`, text: view.title }), el('p', { class: 'blurb', text: view.blurb }), body],
    );
    const tab = el('a', { id: `tab-${view.id}`, href: `#${view.id}`, text: view.title });
    nav.append(tab);
    root.append(section);
    cards.set(view.id, { section, body, tab });
  }
  const show = () => {
    const wanted = location.hash.slice(1);
    const view = views.find((candidate) => candidate.id === wanted) ?? (views[0] as ViewSpec);
    for (const [id, card] of cards) {
      card.section.hidden = id !== view.id;
      if (id !== view.id) card.tab.removeAttribute('aria-current');
      else {
        card.tab.setAttribute('aria-current', 'page');
        // on a phone the tab bar scrolls: keep the open tab in sight
        card.tab.scrollIntoView({ block: 'nearest', inline: 'nearest' });
      }
    }
    document.body.dataset.view = view.id;
    if (mounted.has(view.id)) return;
    mounted.add(view.id);
    const card = cards.get(view.id) as { section: HTMLElement; body: HTMLElement };
    new Promise<void>((resolve) => resolve(view.mount(card.body)))
      .then(() => {
        card.section.dataset.ready = 'true';
        document.body.dataset.firstViewMs ??= performance.now().toFixed(0);
      })
      .catch(report);
  };
  window.addEventListener('hashchange', () => {
    show();
    // the new card starts under the sticky tabs, wherever the last one was scrolled to
    if (window.scrollY > nav.offsetTop) window.scrollTo({ top: nav.offsetTop });
  });
  show();
}
